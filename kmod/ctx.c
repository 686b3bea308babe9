// SPDX-License-Identifier: GPL-2.0
/*
 * Clocks of threads and processes, for the thread and process scopes: a
 * receive raises the clock of the task that received, a send starts from it,
 * so causality flows from a request read on one socket to the calls the same
 * thread then makes on others.
 *
 * One hash table keyed by the task (thread scope) or its signal_struct
 * (process scope, shared by the thread group).  Entries are made on a task's
 * first send or receive on a tracked socket and dropped when it exits, seen
 * through the sched_process_exit tracepoint.  At most ctx_max entries exist;
 * beyond that, tasks fall back to socket scope.
 */

#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <uapi/linux/causal.h>

#include "ctx.h"
#include "vec.h"
#include "tracepoint.h"

static unsigned int ctx_max = 65536;
module_param(ctx_max, uint, 0644);
MODULE_PARM_DESC(ctx_max, "Most thread and process clocks kept at once (default 65536)");

struct causal_ctx {
	struct rhash_head node;
	const void *key;	/* task_struct or signal_struct */
	atomic64_t clock;
	struct causal_vclock *vc;	/* vector clock, made on first use */
	struct rcu_head rcu;
};

static const struct rhashtable_params causal_ctx_params = {
	.head_offset = offsetof(struct causal_ctx, node),
	.key_offset = offsetof(struct causal_ctx, key),
	.key_len = sizeof(void *),
	.automatic_shrinking = true,
};

static struct rhashtable causal_ctxs;
static atomic_t causal_ctx_count = ATOMIC_INIT(0);

/* The entry of the current thread or process, made on first use. */
static struct causal_ctx *causal_ctx_get(u32 scope)
{
	struct causal_ctx *c, *old;
	const void *key;

	if (scope == CAUSAL_SCOPE_SOCKET || !in_task())
		return NULL;
	key = scope == CAUSAL_SCOPE_PROCESS ? (const void *)current->signal
					    : (const void *)current;
	c = rhashtable_lookup(&causal_ctxs, &key, causal_ctx_params);
	if (c)
		return c;

	if (atomic_inc_return(&causal_ctx_count) > READ_ONCE(ctx_max))
		goto full;
	c = kzalloc(sizeof(*c), GFP_ATOMIC | __GFP_NOWARN);
	if (!c)
		goto full;
	c->key = key;
	old = rhashtable_lookup_get_insert_fast(&causal_ctxs, &c->node,
						causal_ctx_params);
	if (!old)
		return c;
	kfree(c);
	atomic_dec(&causal_ctx_count);
	return IS_ERR(old) ? NULL : old;

full:
	atomic_dec(&causal_ctx_count);
	return NULL;
}

/**
 * causal_ctx_clock() - the clock of the current thread or process
 * @scope: the node's enum causal_scope
 *
 * Called with RCU read-side protection (from BPF programs).  Makes the entry
 * on first use.
 *
 * Return: the clock; NULL for socket scope, outside task context, at the cap
 * or when memory is short (the caller then acts as with socket scope).
 */
atomic64_t *causal_ctx_clock(u32 scope)
{
	struct causal_ctx *c = causal_ctx_get(scope);

	return c ? &c->clock : NULL;
}

/**
 * causal_ctx_vclock() - the vector clock of the current thread or process
 * @scope: the node's enum causal_scope
 * @width: its width if it has to be made
 *
 * As causal_ctx_clock(), for vector clocks.
 *
 * Return: the clock or NULL.
 */
struct causal_vclock *causal_ctx_vclock(u32 scope, u32 width)
{
	struct causal_ctx *c = causal_ctx_get(scope);

	return c ? causal_vclock_get(&c->vc, width, false) : NULL;
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
 */
void causal_ctx_max(atomic64_t *clock, u64 value)
{
	s64 cur = atomic64_read(clock);

	while ((u64)cur < value && !atomic64_try_cmpxchg(clock, &cur, value))
		;
}

static void causal_ctx_drop(const void *key)
{
	struct causal_ctx *c;

	rcu_read_lock();
	c = rhashtable_lookup(&causal_ctxs, &key, causal_ctx_params);
	if (c && !rhashtable_remove_fast(&causal_ctxs, &c->node, causal_ctx_params)) {
		atomic_dec(&causal_ctx_count);
		call_rcu(&c->rcu, causal_ctx_free_rcu);
	}
	rcu_read_unlock();
}

static void causal_ctx_task_exit(void *data, struct task_struct *t)
{
	causal_ctx_drop(t);
	if (!atomic_read(&t->signal->live))
		causal_ctx_drop(t->signal);
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
 */
void causal_ctx_exit(void)
{
	causal_tracepoints_unregister(causal_ctx_tps, ARRAY_SIZE(causal_ctx_tps));
	/* No BPF program can run (they pin the module): nobody looks anymore. */
	rhashtable_free_and_destroy(&causal_ctxs, causal_ctx_free, NULL);
}
