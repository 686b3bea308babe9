// SPDX-License-Identifier: GPL-2.0
/*
 * Vector clocks of sockets, threads and processes.  The algebra is in
 * include/causal/vclock.h; this file allocates and names the clocks, and
 * keeps when each entry last rose (which a stamp with little room sends
 * first).
 */

#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>

#include "vec.h"

/*
 * Two lock classes: a socket's clock is taken before its thread's (never
 * the other way round), both with bottom halves off.
 */
static struct lock_class_key causal_vclock_sock_key, causal_vclock_task_key;

/*
 * The room a clock starts with: its participant and a few it hears of.  It
 * doubles, up to the node's width, as more come: memory in proportion to
 * the entries used, not to the width.
 */
#define CAUSAL_VEC_ROOM_FIRST 4

/* Do @vc's vectors live in an allocation of their own? */
static bool causal_vclock_grown(const struct causal_vclock *vc)
{
	return (const u8 *)vc->v != vc->first;
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
	u32 room = min_t(u32, width, CAUSAL_VEC_ROOM_FIRST);
	size_t vsize = causal_vec_size(room);
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
	vc->limit = width;
	vc->v = (struct causal_vec *)vc->first;
	vc->v->width = room;
	vc->socket = socket;
	if (socket)
		causal_vec_known(vc)->width = room;
	return vc;
}

/**
 * causal_vec_union() - how many participants @a and @b know of together
 * @a: a vector
 * @b: another
 *
 * Return: the entries of their merge, were there room.
 */
u32 causal_vec_union(const struct causal_vec *a, const struct causal_vec *b)
{
	u32 i = 0, j = 0, n = 0;

	while (i < a->len || j < b->len) {
		if (j >= b->len || (i < a->len && a->e[i].id < b->e[j].id)) {
			i++;
		} else if (i >= a->len || b->e[j].id < a->e[i].id) {
			j++;
		} else {
			i++;
			j++;
		}
		n++;
	}
	return n;
}

/**
 * causal_vclock_room() - make room in @vc's vectors for @need entries
 * @vc: a clock
 * @need: entries its clock is about to have
 *
 * Grows the vectors, up to the clock's limit.  Without memory they stay as
 * they are: what does not fit is then dropped, and counted, as at the
 * limit.  A socket's vector of what its peer knows needs no more room
 * than its clock: it only ever holds participants the clock has.
 *
 * Context: @vc's lock held, interrupts on; does not sleep.
 */
void causal_vclock_room(struct causal_vclock *vc, u32 need)
{
	struct causal_vec *v, *known, *old = causal_vec_known(vc);
	u32 room = vc->v->width, n = old ? 2 : 1;
	size_t vsize;

	lockdep_assert_held(&vc->lock);
	if (need <= room || room >= vc->limit)
		return;
	/* double, and fill what the allocator gives anyway */
	room = min_t(u32, max(need, 2 * room), vc->limit);
	vsize = kmalloc_size_roundup(n * causal_vec_size(room)) / n;
	room = min_t(u32, (vsize - sizeof(*v)) / sizeof(v->e[0]), vc->limit);
	vsize = causal_vec_size(room);
	v = kmalloc(n * vsize, GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!v)
		return;
	memcpy(v, vc->v, causal_vec_size(vc->v->len));
	v->width = room;
	if (old) {
		known = (struct causal_vec *)((u8 *)v + vsize);
		memcpy(known, old, causal_vec_size(old->len));
		known->width = room;
	}
	if (causal_vclock_grown(vc))
		kfree(vc->v);
	vc->v = v;
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
	if (vc && causal_vclock_grown(vc))
		kfree(vc->v);
	if (vc)
		kfree(vc->debts);
	kfree(vc);
}

/*
 * The entry of @cookie in @vc's debts; with @make, made if missing (the
 * table too), in a free place or one whose debt is paid (a payment only a
 * later merge could use).  NULL if missing and not made.
 */
static struct causal_vec_debt *causal_vec_debt(struct causal_vclock *vc, u64 cookie, bool make)
{
	struct causal_vec_debts *d = vc->debts;
	u32 i;

	if (!d) {
		if (!make)
			return NULL;
		d = kzalloc(sizeof(*d), GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
		if (!d)
			return NULL;
		vc->debts = d;
	}
	for (i = 0; i < d->n; i++)
		if (d->e[i].cookie == cookie)
			return &d->e[i];
	if (!make)
		return NULL;
	if (d->n < CAUSAL_VEC_DEBTS) {
		i = d->n++;
	} else {
		for (i = 0; i < d->n && d->e[i].owed > d->e[i].paid; i++)
			;
		if (i == d->n)
			return NULL;
	}
	d->e[i] = (struct causal_vec_debt){ .cookie = cookie };
	return &d->e[i];
}

/* Does @vc owe anything? */
static bool causal_vec_owes(const struct causal_vclock *vc)
{
	const struct causal_vec_debts *d = vc->debts;
	u32 i;

	for (i = 0; d && i < d->n; i++)
		if (d->e[i].owed > d->e[i].paid)
			return true;
	return false;
}

/**
 * causal_vec_owes_only() - is @vc exact but for what it owes one connection?
 * @vc: a clock
 * @cookie: the connection's socket
 *
 * Context: @vc's lock held.
 * Return: whether it is not lossy for good and owes no other connection.
 */
bool causal_vec_owes_only(const struct causal_vclock *vc, u64 cookie)
{
	const struct causal_vec_debts *d = vc->debts;
	u32 i;

	if (vc->forever)
		return false;
	for (i = 0; d && i < d->n; i++)
		if (d->e[i].owed > d->e[i].paid && d->e[i].cookie != cookie)
			return false;
	return true;
}

/**
 * causal_vec_owe() - a receive on a connection lost something
 * @vc: the clock that merged it, lossy from now on
 * @cookie: the receiving socket
 * @at: the receive's number on it
 *
 * With no room to say what it owes, the clock is lossy for good.
 *
 * Context: @vc's lock held.
 */
void causal_vec_owe(struct causal_vclock *vc, u64 cookie, u64 at)
{
	struct causal_vec_debt *e = causal_vec_debt(vc, cookie, true);

	lockdep_assert_held(&vc->lock);
	vc->v->lossy = 1;
	if (!e) {
		vc->forever = 1;
		return;
	}
	e->owed = max(e->owed, at);
}

/**
 * causal_vec_pay() - a receive on a connection merged its peer's whole
 *	exact clock
 * @vc: the clock that merged it (or is about to)
 * @cookie: the receiving socket
 * @at: the receive's number on it
 *
 * Pays what @vc owes the connection up to @at.  A clock that owes nothing
 * keeps no record of it.
 *
 * Context: @vc's lock held.
 */
void causal_vec_pay(struct causal_vclock *vc, u64 cookie, u64 at)
{
	struct causal_vec_debt *e = causal_vec_debt(vc, cookie, !!vc->debts);

	lockdep_assert_held(&vc->lock);
	if (e)
		e->paid = max(e->paid, at);
}

/**
 * causal_vec_debts_merge() - @dst merged @src's clock: it owes what @src
 *	owes, and is paid what @src was paid
 * @dst: a clock
 * @src: the clock it merged
 *
 * A debt with no room in @dst makes it lossy for good; a payment with no
 * room is forgotten (it could only have paid a later merge's debts).
 *
 * Context: both locks held.
 */
void causal_vec_debts_merge(struct causal_vclock *dst, const struct causal_vclock *src)
{
	const struct causal_vec_debts *d = src->debts;
	const struct causal_vec_debt *x;
	struct causal_vec_debt *e;
	u32 i;

	dst->forever |= src->forever;
	for (i = 0; d && i < d->n; i++) {
		x = &d->e[i];
		e = causal_vec_debt(dst, x->cookie, x->owed > x->paid || dst->debts);
		if (!e) {
			if (x->owed > x->paid)
				dst->forever = 1;
			continue;
		}
		e->owed = max(e->owed, x->owed);
		e->paid = max(e->paid, x->paid);
	}
}

/**
 * causal_vec_debts_copy() - @dst took @src's clock: its debts and payments
 * @dst: a clock
 * @src: the clock it took
 *
 * Context: both locks held.
 */
void causal_vec_debts_copy(struct causal_vclock *dst, const struct causal_vclock *src)
{
	dst->forever = src->forever;
	if (!src->debts || !src->debts->n) {
		if (dst->debts)
			dst->debts->n = 0;
		return;
	}
	if (!dst->debts)
		dst->debts = kmalloc(sizeof(*dst->debts),
				     GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (dst->debts)
		*dst->debts = *src->debts;
	else if (causal_vec_owes(src))
		dst->forever = 1;
}

/**
 * causal_vec_explain() - before an event changes @vc: a lossy mark that
 *	no debt explains is for good
 * @vc: a clock
 *
 * Every loss the module knows of is a debt or for good where it happens;
 * this keeps any other (a clock made lossy outside what this file sees)
 * from being cleared by a payment.
 *
 * Context: @vc's lock held.
 */
void causal_vec_explain(struct causal_vclock *vc)
{
	if (vc->v->lossy && !vc->forever && !causal_vec_owes(vc))
		vc->forever = 1;
}

/**
 * causal_vec_settle() - after an event: a clock lossy only by debts, all
 *	paid, is exact
 * @vc: a clock
 *
 * Context: @vc's lock held.
 */
void causal_vec_settle(struct causal_vclock *vc)
{
	if (vc->v->lossy && !vc->forever && !causal_vec_owes(vc))
		vc->v->lossy = 0;
}

/**
 * causal_vec_snapshot() - a copy of @vc's clock, taken under its lock
 * @vc: a clock
 * @owner: where the participant of its latest event is kept (written
 *	under the lock), or NULL
 * @own: out, with @owner: that participant, as of the copy (@vc's own id
 *	if none is kept)
 * @gfp: allocation flags
 *
 * Return: the copy, to kfree(); NULL without memory.
 */
struct causal_vec *causal_vec_snapshot(struct causal_vclock *vc, const u64 *owner, u64 *own,
				       gfp_t gfp)
{
	struct causal_vec *v;
	u32 width;

	/* the room it may grow to while this waits for the lock */
	width = vc->limit;
	v = kmalloc(causal_vec_size(width), gfp);
	if (!v)
		return NULL;
	v->width = width;
	spin_lock_bh(&vc->lock);
	causal_vec_copy(v, vc->v);
	if (owner)
		*own = READ_ONCE(*owner) ?: vc->id;
	spin_unlock_bh(&vc->lock);
	return v;
}

/**
 * causal_vec_now() - the time an entry rises at, as entries keep it
 *
 * Microseconds of the CPU's clock, wrapping every 71 minutes: only which
 * of a clock's entries rose last matters (a stamp's room goes to the
 * newest news first), and a wrong guess costs an entry's place, never
 * correctness.
 *
 * Return: the time.
 */
u32 causal_vec_now(void)
{
	return (u32)(local_clock() >> 10);
}

/**
 * causal_vec_raise_at() - causal_vec_raise(), marking a rise with @rose
 * @v: the vector
 * @id: a participant
 * @n: the count to raise its entry to
 * @rose: when the rise happened, or came to be known
 *
 * Return: as causal_vec_raise().
 */
int causal_vec_raise_at(struct causal_vec *v, u64 id, u32 n, u32 rose)
{
	struct causal_vent *e = causal_vec_find(v, id);

	if (!e) {
		if (causal_vec_raise(v, id, n))
			return -1;
		e = causal_vec_find(v, id);
		if (!e)
			return 0;	/* n is 0: nothing to keep */
	} else if (e->n >= n) {
		return 0;
	}
	e->n = n;
	e->rose = rose;
	return 0;
}

/**
 * causal_vec_merge_at() - causal_vec_merge(), each entry that rises taking
 *	the time it rose in @src
 * @dst: the vector merged into
 * @src: the vector merged
 *
 * Return: how many entries did not fit.
 */
int causal_vec_merge_at(struct causal_vec *dst, const struct causal_vec *src)
{
	int drops = 0;
	u32 i;

	for (i = 0; i < src->len; i++)
		drops -= causal_vec_raise_at(dst, src->e[i].id, src->e[i].n, src->e[i].rose);
	if (src->lossy)
		dst->lossy = 1;
	return drops;
}
