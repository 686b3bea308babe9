// SPDX-License-Identifier: GPL-2.0
/*
 * Nodes: every network namespace is a node with its own identity, clock
 * setting and counters, kept in the namespace's net_generic slot.
 */

#include <linux/percpu.h>
#include <linux/random.h>
#include <net/netns/generic.h>
#include <uapi/linux/causal.h>

#include <causal/vclock.h>

#include "ctx.h"
#include "net.h"
#include "probe.h"
#include "sock.h"

unsigned int causal_net_id __read_mostly;

/**
 * causal_net() - the node of a network namespace
 * @net: the namespace
 *
 * Return: its causal_net; valid as long as @net is.
 */
struct causal_net *causal_net(const struct net *net)
{
	return net_generic(net, causal_net_id);
}

/* A fresh random node identity: never 0, which means "no node" on the wire. */
static u64 causal_node_id_random(void)
{
	u64 id;

	do {
		id = get_random_u64();
	} while (!id);
	return id;
}

/**
 * causal_stats_read() - sum a node's per-CPU counters
 * @cn: the node
 * @sum: out: one total per enum causal_stat
 */
void causal_stats_read(const struct causal_net *cn, u64 sum[CAUSAL_STAT_NR])
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * CAUSAL_STAT_NR);
	for_each_possible_cpu(cpu) {
		const struct causal_pcpu_stats *s = per_cpu_ptr(cn->stats, cpu);
		u64 v[CAUSAL_STAT_NR];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < CAUSAL_STAT_NR; i++)
				v[i] = u64_stats_read(&s->ctr[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < CAUSAL_STAT_NR; i++)
			sum[i] += v[i];
	}
}

static int __net_init causal_net_setup(struct net *net)
{
	struct causal_net *cn = causal_net(net);
	int cpu;

	cn->stats = alloc_percpu(struct causal_pcpu_stats);
	if (!cn->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(cn->stats, cpu)->syncp);
	cn->net = net;
	cn->node_id = causal_node_id_random();
	cn->clock = CAUSAL_CLOCK_LAMPORT;
	cn->scope = CAUSAL_SCOPE_THREAD;
	cn->sockets_max = CAUSAL_SOCKETS_MAX_DEFAULT;
	cn->contexts_max = CAUSAL_CONTEXTS_MAX_DEFAULT;
	cn->vector_width = CAUSAL_VEC_WIDTH_DEFAULT;
	cn->max_jump = CAUSAL_MAX_JUMP_DEFAULT;
	cn->max_drift = CAUSAL_MAX_DRIFT_MS_DEFAULT;
	atomic_set(&cn->sockets, 0);
	atomic_set(&cn->contexts, 0);
	atomic_set(&cn->gen, 1);
	atomic64_set(&cn->events, 0);
	pr_debug("node %016llx: made for network namespace %u\n", cn->node_id, net->ns.inum);
	return 0;
}

/*
 * The namespace starts going: from here on nothing is made or counted for
 * the node.  The core waits for an RCU grace period before the exit below,
 * so every kfunc and probe that saw the node alive is over by then.
 */
static void __net_exit causal_net_pre_teardown(struct net *net)
{
	WRITE_ONCE(causal_net(net)->dying, true);
}

static void __net_exit causal_net_teardown(struct net *net)
{
	struct causal_net *cn = causal_net(net);

	pr_debug("node %016llx: its network namespace %u goes, with %d sockets tracked\n",
		 cn->node_id, net->ns.inum, atomic_read(&cn->sockets));
	causal_probe_flush();
	causal_ctx_flush_net(cn);
	/* Sockets normally go before their namespace; the module may not. */
	causal_net_socks_flush(cn);
	free_percpu(cn->stats);
}

static struct pernet_operations causal_net_ops = {
	.init = causal_net_setup,
	.pre_exit = causal_net_pre_teardown,
	.exit = causal_net_teardown,
	.id = &causal_net_id,
	.size = sizeof(struct causal_net),
};

/**
 * causal_net_init() - make every network namespace a node, now and to come
 *
 * Return: 0, or the error of register_pernet_subsys().
 */
int causal_net_init(void)
{
	return register_pernet_subsys(&causal_net_ops);
}

/**
 * causal_net_exit() - let every node go, with the sockets it tracks
 */
void causal_net_exit(void)
{
	unregister_pernet_subsys(&causal_net_ops);
}
