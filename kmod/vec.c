// SPDX-License-Identifier: GPL-2.0
/*
 * Vector clocks of sockets, threads and processes.  The algebra is in
 * include/causal/vclock.h; this file allocates and names the clocks.
 */

#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "vec.h"

/*
 * Two lock classes: a socket's clock is taken before its thread's (never
 * the other way round), both with bottom halves off.
 */
static struct lock_class_key causal_vclock_sock_key, causal_vclock_task_key;

static size_t causal_vec_size(u32 width)
{
	return ALIGN(struct_size_t(struct causal_vec, e, width), 8);
}

/**
 * causal_vclock_new() - a participant's vector clock
 * @width: most entries, 1 to CAUSAL_VEC_WIDTH_MAX
 * @socket: a socket's (with the vector of what its peer knows), rather than
 *	a thread's or a process's
 *
 * Charged to the memory cgroup of the current task.
 *
 * Context: task or softirq, inside causal; does not sleep.
 * Return: the clock, all zero, with a fresh random id; NULL without memory.
 */
static struct causal_vclock *causal_vclock_new(u32 width, bool socket)
{
	size_t vsize = causal_vec_size(width);
	struct causal_vclock *vc;
	u64 id;

	vc = kzalloc(sizeof(*vc) + vsize * (socket ? 2 : 1),
		     GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!vc)
		return NULL;
	spin_lock_init(&vc->lock);
	lockdep_set_class(&vc->lock, socket ? &causal_vclock_sock_key : &causal_vclock_task_key);
	do {
		id = get_random_u64() & CAUSAL_VEC_ID_MASK;
	} while (!id);
	vc->id = id;
	vc->v = (struct causal_vec *)(vc + 1);
	vc->v->width = width;
	if (socket) {
		vc->known = (struct causal_vec *)((u8 *)vc->v + vsize);
		vc->known->width = width;
	}
	return vc;
}

/**
 * causal_vclock_get() - the clock in @slot, made and installed on first use
 * @slot: where a socket's or a task's clock lives
 * @width: its width if it has to be made
 * @socket: a socket's, as for causal_vclock_new()
 *
 * Safe against a concurrent first use: one clock wins, the other is freed.
 *
 * Return: the clock, or NULL without memory.
 */
struct causal_vclock *causal_vclock_get(struct causal_vclock **slot, u32 width,
					bool socket)
{
	struct causal_vclock *vc = READ_ONCE(*slot), *old;

	if (vc)
		return vc;
	vc = causal_vclock_new(width, socket);
	if (!vc)
		return NULL;
	old = cmpxchg(slot, NULL, vc);
	if (old) {
		causal_vclock_free(vc);
		return old;
	}
	return vc;
}

/**
 * causal_vclock_free() - free a vector clock
 * @vc: the clock, or NULL
 */
void causal_vclock_free(struct causal_vclock *vc)
{
	kfree(vc);
}

/**
 * causal_vec_snapshot() - a copy of @vc's clock, taken under its lock
 * @vc: a clock
 * @gfp: allocation flags
 *
 * Return: the copy, to kfree(); NULL without memory.
 */
struct causal_vec *causal_vec_snapshot(struct causal_vclock *vc, gfp_t gfp)
{
	struct causal_vec *v;
	u32 width;

	width = READ_ONCE(vc->v->width);
	v = kmalloc(causal_vec_size(width), gfp);
	if (!v)
		return NULL;
	v->width = width;
	spin_lock_bh(&vc->lock);
	causal_vec_copy(v, vc->v);
	spin_unlock_bh(&vc->lock);
	return v;
}
