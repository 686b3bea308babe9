/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_NET_H
#define _CAUSAL_NET_H

#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>

/*
 * Counters of a node.  The order is that of the stats attribute set, so that
 * netlink can walk them in one loop (see causal_stat_attr in netlink.c).
 */
enum causal_stat {
	CAUSAL_STAT_SOCKETS_UNTRACKED,
	CAUSAL_STAT_STAMPS_OUT,
	CAUSAL_STAT_STAMPS_IN,
	CAUSAL_STAT_UNSTAMPED_IN,
	CAUSAL_STAT_MALFORMED_IN,
	CAUSAL_STAT_NR,
};

struct causal_pcpu_stats {
	u64_stats_t ctr[CAUSAL_STAT_NR];
	struct u64_stats_sync syncp;
};

/**
 * struct causal_net - a node: the causal state of one network namespace
 * @node_id: identity stamped on the wire; never 0.  READ_ONCE/WRITE_ONCE.
 * @clock: enum causal_clock.  READ_ONCE/WRITE_ONCE.
 * @sockets: sockets that currently carry causal state.
 * @stats: per-CPU counters.
 */
struct causal_net {
	u64 node_id;
	u32 clock;
	atomic_t sockets;
	struct causal_pcpu_stats __percpu *stats;
};

struct causal_net *causal_net(const struct net *net);
void causal_stats_read(const struct causal_net *cn, u64 sum[CAUSAL_STAT_NR]);
u64 causal_node_id_random(void);

/**
 * causal_stat_inc() - count one event of kind @stat on node @cn
 * @cn: the node
 * @stat: what happened
 *
 * Safe in any context: process, softirq and hard interrupt.
 */
static inline void causal_stat_inc(struct causal_net *cn, enum causal_stat stat)
{
	struct causal_pcpu_stats *s = get_cpu_ptr(cn->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->ctr[stat]);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(cn->stats);
}

int causal_net_init(void);
void causal_net_exit(void);

#endif /* _CAUSAL_NET_H */
