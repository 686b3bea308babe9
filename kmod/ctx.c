// SPDX-License-Identifier: GPL-2.0
/*
 * Clocks of threads and processes, for the thread and process scopes: a
 * receive raises the clock of the task that received, a send starts from it,
 * so causality flows from a request read on one socket to the calls the same
 * thread then makes on others.
 *
 * One hash table keyed by the task (thread scope) or its signal_struct
 * (process scope, shared by the thread group).  An entry is made by a task's
 * first event that may make one (a send or receive on a tracked socket, a
 * probe hit where allocating is safe), charged to the node of that event,
 * and dropped when the task exits, seen through the sched_process_exit
 * tracepoint, or when that node goes.  A task that is exiting gets none:
 * the tracepoint may already have fired (a socket closed by exit_files()).
 *
 * Bounds: at most contexts-max entries per node (a node setting) and
 * ctx_max in all (a module parameter); beyond them, and when memory is
 * short, tasks fall back to socket scope, counted in contexts-untracked.
 * Entries are charged to the memory cgroup of the task that makes them.
 */

#include <linux/hash.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <uapi/linux/causal.h>

#include "ctx.h"
#include "guard.h"
#include "net.h"
#include "vec.h"
#include "tracepoint.h"

static unsigned int ctx_max = 65536;
module_param(ctx_max, uint, 0644);
MODULE_PARM_DESC(ctx_max, "Most thread and process clocks kept at once, all nodes together (default 65536)");

/**
 * struct causal_ctx - the clock of a thread or a process
 * @node: in causal_ctxs
 * @key: the task_struct or signal_struct
 * @cn: the node it is charged to
 * @clock: its Lamport or HLC clock
 * @vc: its vector clock, made on first use
 * @rcu: for freeing after readers are done
 */
struct causal_ctx {
	struct rhash_head node;
	const void *key;
	struct causal_net *cn;
	atomic64_t clock;
	struct causal_vclock *vc;
	struct rcu_head rcu;
};

static_assert(sizeof(void *) == sizeof(u64));	/* causal_hash_word() */

static int causal_ctx_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct causal_ctx *c = obj;

	return c->key != *(const void * const *)arg->key;
}

static const struct rhashtable_params causal_ctx_params = {
	.head_offset = offsetof(struct causal_ctx, node),
	.key_offset = offsetof(struct causal_ctx, key),
	.key_len = sizeof(void *),
	.hashfn = causal_hash_word,
	.obj_cmpfn = causal_ctx_cmp,
	.automatic_shrinking = true,
};

static struct rhashtable causal_ctxs;
static atomic_t causal_ctx_count = ATOMIC_INIT(0);

/*
 * In front of the table, a small per-CPU cache of the contexts found last:
 * a table lookup is a hash, a bucket walk and a compare through a pointer,
 * on every send and receive.  Direct-mapped by key.  An entry is good while
 * no context has been removed since it was filled (causal_ctx_gen): a
 * removal moves the generation on before its context's grace period
 * starts, so a reader that still reads the old generation is in a
 * read-side section that the grace period waits for.  Used in task context
 * inside causal (preemption off), where alone contexts are looked up.
 */
#define CAUSAL_CTX_CACHE_BITS 3

struct causal_ctx_slot {
	const void *key;
	struct causal_ctx *c;
	unsigned long gen;
};

static DEFINE_PER_CPU(struct causal_ctx_slot[1 << CAUSAL_CTX_CACHE_BITS], causal_ctx_cache);
static atomic_long_t causal_ctx_gen = ATOMIC_LONG_INIT(0);

/* Make the entry of @key, charged to @cn; NULL at a cap or without memory. */
static struct causal_ctx *causal_ctx_make(struct causal_net *cn, const void *key)
{
	struct causal_ctx *c, *old;

	if (current->flags & PF_EXITING || !causal_net_live(cn))
		return NULL;
	if (atomic_inc_return(&cn->contexts) > READ_ONCE(cn->contexts_max))
		goto full_node;
	if (atomic_inc_return(&causal_ctx_count) > READ_ONCE(ctx_max))
		goto full;
	c = kzalloc(sizeof(*c), GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!c)
		goto full;
	c->key = key;
	c->cn = cn;
	old = rhashtable_lookup_get_insert_fast(&causal_ctxs, &c->node,
						causal_ctx_params);
	if (!old)
		return c;
	kfree(c);
	atomic_dec(&causal_ctx_count);
	atomic_dec(&cn->contexts);
	return IS_ERR(old) ? NULL : old;

full:
	atomic_dec(&causal_ctx_count);
full_node:
	atomic_dec(&cn->contexts);
	causal_stat_inc(cn, CAUSAL_STAT_CONTEXTS_UNTRACKED);
	pr_debug_ratelimited("node %016llx: a task goes without a clock (contexts-max %u, ctx_max %u, or no memory)\n",
			     READ_ONCE(cn->node_id), READ_ONCE(cn->contexts_max),
			     READ_ONCE(ctx_max));
	return NULL;
}

/*
 * The entry of the current thread or process; made if @make and none
 * exists, charged to @cn.
 */
static struct causal_ctx *causal_ctx_get(struct causal_net *cn, u32 scope, bool make)
{
	struct causal_ctx_slot *slot;
	struct causal_ctx *c;
	const void *key;
	unsigned long gen;

	if (scope == CAUSAL_SCOPE_SOCKET || !in_task())
		return NULL;
	lockdep_assert_preemption_disabled();
	key = scope == CAUSAL_SCOPE_PROCESS ? (const void *)current->signal
					    : (const void *)current;
	slot = this_cpu_ptr(&causal_ctx_cache[hash_ptr(key, CAUSAL_CTX_CACHE_BITS)]);
	gen = atomic_long_read(&causal_ctx_gen);
	if (slot->key == key && slot->gen == gen)
		return slot->c;
	c = rhashtable_lookup(&causal_ctxs, &key, causal_ctx_params);
	if (!c && make)
		c = causal_ctx_make(cn, key);
	if (c)
		*slot = (struct causal_ctx_slot){ .key = key, .c = c, .gen = gen };
	return c;
}

/**
 * causal_ctx_clock() - the clock of the current thread or process
 * @cn: the node of the event that asks, charged if the clock is made
 * @scope: the node's enum causal_scope
 * @make: make it if there is none yet
 *
 * Context: RCU read side, inside causal (kmod/guard.h); with @make, where
 * causal_may_lock() holds and not from code causal called.
 * Return: the clock; NULL for socket scope, outside task context, when there
 * is none and @make is false, at a cap, for an exiting task or when memory
 * is short (the caller then acts as with socket scope).
 */
atomic64_t *causal_ctx_clock(struct causal_net *cn, u32 scope, bool make)
{
	struct causal_ctx *c = causal_ctx_get(cn, scope, make);

	return c ? &c->clock : NULL;
}

/**
 * causal_ctx_vclock() - the vector clock of the current thread or process
 * @cn: the node of the event that asks
 * @scope: the node's enum causal_scope
 * @width: its width if it has to be made
 * @make: make the entry and the clock if there are none yet
 *
 * As causal_ctx_clock(), for vector clocks.
 *
 * Return: the clock or NULL.
 */
struct causal_vclock *causal_ctx_vclock(struct causal_net *cn, u32 scope, u32 width,
					bool make)
{
	struct causal_ctx *c = causal_ctx_get(cn, scope, make);

	if (!c)
		return NULL;
	return make ? causal_vclock_get(&c->vc, width, false) : READ_ONCE(c->vc);
}

static void causal_ctx_free_rcu(struct rcu_head *head)
{
	struct causal_ctx *c = container_of(head, struct causal_ctx, rcu);

	causal_vclock_free(c->vc);
	kfree(c);
}

/**
 * causal_ctx_max() - raise @clock to @value unless it is already higher
 * @clock: a thread or process clock
 * @value: the clock of an event of that thread
 *
 * Lockless: safe in any context.
 */
void causal_ctx_max(atomic64_t *clock, u64 value)
{
	s64 cur = atomic64_read(clock);

	while ((u64)cur < value && !atomic64_try_cmpxchg(clock, &cur, value))
		;
}

/* Unlink and free @c; whoever unlinks it first frees it. */
static void causal_ctx_remove(struct causal_ctx *c)
{
	if (rhashtable_remove_fast(&causal_ctxs, &c->node, causal_ctx_params))
		return;
	atomic_dec(&c->cn->contexts);
	atomic_dec(&causal_ctx_count);
	atomic_long_inc(&causal_ctx_gen);	/* before the grace period: no cache finds it */
	call_rcu(&c->rcu, causal_ctx_free_rcu);
}

static void causal_ctx_drop(const void *key)
{
	struct causal_ctx *c;

	rcu_read_lock();
	c = rhashtable_lookup(&causal_ctxs, &key, causal_ctx_params);
	if (c)
		causal_ctx_remove(c);
	rcu_read_unlock();
}

static void causal_ctx_task_exit(void *data, struct task_struct *t)
{
	unsigned int bit;

	if (!causal_enter(&bit))
		return;
	causal_ctx_drop(t);
	if (!atomic_read(&t->signal->live))
		causal_ctx_drop(t->signal);
	causal_leave(bit);
}

/**
 * causal_ctx_flush_net() - drop the clocks charged to a node that goes
 * @cn: the node, dying: no clock is made for it any more
 *
 * Their tasks get new ones, charged to the node of their next event.
 *
 * Context: process; sleeps.
 */
void causal_ctx_flush_net(struct causal_net *cn)
{
	struct rhashtable_iter it;
	struct causal_ctx *c;

	rhashtable_walk_enter(&causal_ctxs, &it);
	rhashtable_walk_start(&it);
	while ((c = rhashtable_walk_next(&it))) {
		if (IS_ERR(c)) {
			if (PTR_ERR(c) == -EAGAIN)
				continue;	/* a resize: the walk starts again */
			break;
		}
		if (c->cn == cn)
			causal_ctx_remove(c);
	}
	rhashtable_walk_stop(&it);
	rhashtable_walk_exit(&it);
	WARN_ON_ONCE(atomic_read(&cn->contexts));
}

static struct causal_tp causal_ctx_tps[] = {
	{ .name = "sched_process_exit", .probe = causal_ctx_task_exit },
};

/**
 * causal_ctx_init() - set up the table of thread and process clocks
 *
 * Also hooks sched_process_exit, where a task's clock is dropped.
 *
 * Return: 0, or the error of rhashtable_init() or of registering the
 * tracepoint probe.
 */
int causal_ctx_init(void)
{
	int ret;

	ret = rhashtable_init(&causal_ctxs, &causal_ctx_params);
	if (ret)
		return ret;
	ret = causal_tracepoints_register(causal_ctx_tps, ARRAY_SIZE(causal_ctx_tps));
	if (ret)
		rhashtable_destroy(&causal_ctxs);
	return ret;
}

static void causal_ctx_free(void *ptr, void *arg)
{
	struct causal_ctx *c = ptr;

	causal_vclock_free(c->vc);
	kfree(c);
}

/**
 * causal_ctx_exit() - unhook the task tracepoint and free every clock left
 *
 * Runs after every node went (causal_net_exit()), which took its clocks.
 */
void causal_ctx_exit(void)
{
	causal_tracepoints_unregister(causal_ctx_tps, ARRAY_SIZE(causal_ctx_tps));
	rcu_barrier();
	/* No BPF program can run (they pin the module): nobody looks anymore. */
	rhashtable_free_and_destroy(&causal_ctxs, causal_ctx_free, NULL);
}
