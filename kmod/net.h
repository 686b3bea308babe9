/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_NET_H
#define _CAUSAL_NET_H

#include <linux/bits.h>
#include <linux/hash.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/*
 * Counters of a node; each socket may have its own of those below
 * CAUSAL_STAT_SOCK_NR but sockets-untracked: its traffic, the first
 * CAUSAL_STAT_TRAFFIC_NR, and its anomalies (kmod/sock.h).  netlink maps
 * them to attributes of the stats set (causal_stat_attr in netlink.c).
 */
enum causal_stat {
	CAUSAL_STAT_SENDS,
	CAUSAL_STAT_RECEIVES,
	CAUSAL_STAT_STAMPS_OUT,
	CAUSAL_STAT_STAMPS_IN,
	CAUSAL_STAT_TRAFFIC_NR,
	CAUSAL_STAT_UNSTAMPED_IN = CAUSAL_STAT_TRAFFIC_NR,
	CAUSAL_STAT_MALFORMED_IN,
	CAUSAL_STAT_NOSPACE_OUT,
	CAUSAL_STAT_INEXACT_IN,
	CAUSAL_STAT_FOREIGN_IN,
	CAUSAL_STAT_VECTOR_INCOMPLETE_OUT,
	CAUSAL_STAT_VECTOR_WIDTH_DROPS,
	CAUSAL_STAT_LOSSY_IN,
	CAUSAL_STAT_EVENTS_DROPPED,
	CAUSAL_STAT_FORGED_IN,
	CAUSAL_STAT_SOCKETS_UNTRACKED,
	CAUSAL_STAT_SOCK_NR,
	/* the node's only */
	CAUSAL_STAT_PROBES_DROPPED = CAUSAL_STAT_SOCK_NR,
	CAUSAL_STAT_CONTEXTS_UNTRACKED,
	CAUSAL_STAT_CALLS_REFUSED,
	CAUSAL_STAT_VECTOR_ASKS,
	CAUSAL_STAT_VECTOR_RETELLS,
	CAUSAL_STAT_VECTOR_HEALS,
	CAUSAL_STAT_NR,
};

#define CAUSAL_SOCKETS_MAX_DEFAULT 65536

/*
 * The hash of the module's tables, whose keys are one word (a cookie, an
 * address): a multiplication where the default, jhash, takes some thirty
 * operations, on every send, receive and sock_ops run.
 */
static inline u32 causal_hash_word(const void *data, u32 len, u32 seed)
{
	return hash_64(*(const u64 *)data ^ seed, 32);
}

/* Guards against forged stamps (Documentation/causal.rst, "Forged stamps") */
#define CAUSAL_MAX_JUMP_DEFAULT BIT_ULL(48)
#define CAUSAL_MAX_DRIFT_MS_DEFAULT 300000
#define CAUSAL_SOCKETS_MAX_LIMIT 1048576
#define CAUSAL_CONTEXTS_MAX_DEFAULT 16384
#define CAUSAL_CONTEXTS_MAX_LIMIT 1048576

struct causal_pcpu_stats {
	u64_stats_t ctr[CAUSAL_STAT_NR];
	struct u64_stats_sync syncp;
};

/**
 * struct causal_net - a node: the causal state of one network namespace
 * @net: the namespace
 * @dying: its teardown started: nothing new may be made for it (set in
 *	pre_exit, an RCU grace period before exit)
 * @node_id: identity stamped on the wire; never 0.  READ_ONCE/WRITE_ONCE,
 *	as the settings below.
 * @clock: enum causal_clock
 * @scope: enum causal_scope
 * @sockets_max: most sockets kept at once
 * @contexts_max: most thread and process clocks made by its events at once
 * @vector_width: entries of vector clocks made from now on
 * @max_jump: furthest a received Lamport stamp or vector entry may be ahead
 *	of what it merges into; 0: no limit
 * @max_drift: furthest (ms) the wall time of a received HLC stamp may be
 *	ahead of ours; 0: no limit
 * @sock_counters: sockets count their traffic too (socket-counters), not
 *	only the node
 * @sockets: sockets kept now
 * @contexts: thread and process clocks now charged to the node (kmod/ctx.c)
 * @gen: changes whenever the node's sockets do, for dumps to detect it
 * @events: the number of the node's latest event (kmod/notify.c)
 * @stats: per-CPU counters
 */
struct causal_net {
	struct net *net;
	bool dying;
	u64 node_id;
	u32 clock;
	u32 scope;
	u32 sockets_max;
	u32 contexts_max;
	u32 vector_width;
	u64 max_jump;
	u32 max_drift;
	bool sock_counters;
	atomic_t sockets;
	atomic_t contexts;
	atomic_t gen;
	atomic64_t events;
	struct causal_pcpu_stats __percpu *stats;
};

struct causal_net *causal_net(const struct net *net);

extern unsigned int causal_net_id;

/**
 * causal_net_rcu() - causal_net(), for a caller that holds RCU
 * @net: a network namespace
 *
 * net_generic() without its own RCU read-side section (two calls with a
 * preemptible RCU), for kfuncs, which take the node three times a
 * datagram.
 *
 * Context: RCU read-side critical section.
 * Return: its causal_net.
 */
static inline struct causal_net *causal_net_rcu(const struct net *net)
{
	return rcu_dereference(net->gen)->ptr[causal_net_id];
}

/**
 * causal_net_live() - may causal make state or count events for node @cn?
 * @cn: the node
 *
 * Context: RCU read side, which keeps the node from being torn down until
 * it ends if this returned true.
 * Return: false once the node's namespace began its teardown.
 */
static inline bool causal_net_live(const struct causal_net *cn)
{
	return !READ_ONCE(cn->dying);
}

void causal_stats_read(const struct causal_net *cn, u64 sum[CAUSAL_STAT_NR]);

/* Add @n to a counter of this CPU's: modulo 2^64, so ULONG_MAX is one less. */
static inline void __causal_stat_add(struct causal_net *cn, enum causal_stat stat,
				     unsigned long n)
{
	struct causal_pcpu_stats *s = get_cpu_ptr(cn->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->ctr[stat], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(cn->stats);
}

/**
 * causal_stat_add() - count @n events of kind @stat on node @cn
 * @cn: the node
 * @stat: what happened
 * @n: how many times
 *
 * Safe in any context: process, softirq, hard interrupt and (64-bit) NMI.
 */
static inline void causal_stat_add(struct causal_net *cn, enum causal_stat stat,
				   u32 n)
{
	__causal_stat_add(cn, stat, n);
}

/**
 * causal_stat_sub1() - take back one event of kind @stat counted on node @cn
 * @cn: the node
 * @stat: what was counted
 *
 * A CPU's count may wrap below zero; their sum, which is what is read, does
 * not.  Safe where causal_stat_add() is.
 */
static inline void causal_stat_sub1(struct causal_net *cn, enum causal_stat stat)
{
	__causal_stat_add(cn, stat, ULONG_MAX);
}

static inline void causal_stat_inc(struct causal_net *cn, enum causal_stat stat)
{
	causal_stat_add(cn, stat, 1);
}

int causal_net_init(void);
void causal_net_exit(void);

#endif /* _CAUSAL_NET_H */
