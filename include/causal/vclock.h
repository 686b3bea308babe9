/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * vclock.h - vector clocks of bounded width, shared by the module, causalctl
 * and the tests.
 *
 * A vector clock maps participants to event counts (Fidge, Mattern 1988).  A
 * participant is whatever orders its own events: a socket in socket scope, a
 * thread or a process in the other scopes.  Each has a 56-bit random id that
 * is never reused.  An event of participant p raises the entry of p by one; a
 * receive first takes the entry-wise maximum with what the message carries.
 * For exact vectors, a happened before b if and only if V(a) < V(b).
 *
 * Bounded width.  A vector holds at most its width entries, sorted by id.  An
 * entry that does not fit is dropped and the vector is marked lossy.  The one
 * invariant everything here keeps:
 *
 *	stored(v) <= true(v), entry by entry, and stored == true unless lossy.
 *
 * Losses only ever lower entries; nothing raises an entry above the truth.
 * causal_vec_order() therefore claims "a before b" only when a is exact and
 * stored(a) <= stored(b), because then true(a) = stored(a) <= stored(b) <=
 * true(b).  Everything it cannot prove it calls unknown.
 *
 * Knowing whose event each is proves more.  An event's own entry is its
 * participant's count, which that participant alone raises, by one at each
 * of its events; every value an entry holds was some event's own count,
 * carried along the edges of its past.  So if b's entry of a's participant
 * reaches a's own count, b has in its past an event of that participant at
 * or after a, whatever else b or a lost: a happened before b.
 * causal_vec_order_own() answers before and after that way, lossy or not,
 * and concurrent still only for exact clocks: ruling out an order needs an
 * entry known not to be low.
 */
#ifndef _CAUSAL_VCLOCK_H
#define _CAUSAL_VCLOCK_H

#include <linux/types.h>
#include <uapi/linux/causal.h>	/* enum causal_order */

#define CAUSAL_VEC_ID_BITS	56
#define CAUSAL_VEC_ID_MASK	(((__u64)1 << CAUSAL_VEC_ID_BITS) - 1)
#define CAUSAL_VEC_COUNT_MAX	0xffffffffU
#define CAUSAL_VEC_WIDTH_DEFAULT 16
#define CAUSAL_VEC_WIDTH_MAX	64

struct causal_vent {
	__u64 id;	/* participant, 1 .. CAUSAL_VEC_ID_MASK */
	__u32 n;	/* its events known */
	__u32 rose;	/* the module's vectors: when n last rose (kmod/vec.c); else 0 */
};

/**
 * struct causal_vec - a vector clock
 * @len: entries in use, sorted by id
 * @width: room in @e
 * @lossy: some entry was lowered or dropped: stored < true may hold
 * @_pad: zero
 * @e: the entries
 */
struct causal_vec {
	__u16 len;
	__u16 width;
	__u8 lossy;
	__u8 _pad[3];
	struct causal_vent e[];
};

/* causal_vec_get() - what @v knows of participant @id (0 if nothing) */
static inline __u32 causal_vec_get(const struct causal_vec *v, __u64 id)
{
	__u32 i;

	for (i = 0; i < v->len && v->e[i].id <= id; i++)
		if (v->e[i].id == id)
			return v->e[i].n;
	return 0;
}

/*
 * causal_vec_raise() - raise the entry of @id in @v to at least @n
 *
 * Return: 0, or -1 when @v is full and the entry had to be left out (@v is
 * then marked lossy).
 */
static inline int causal_vec_raise(struct causal_vec *v, __u64 id, __u32 n)
{
	__u32 i, j;

	if (!n)
		return 0;
	for (i = 0; i < v->len && v->e[i].id < id; i++)
		;
	if (i < v->len && v->e[i].id == id) {
		if (v->e[i].n < n)
			v->e[i].n = n;
		return 0;
	}
	if (v->len >= v->width) {
		v->lossy = 1;
		return -1;
	}
	for (j = v->len; j > i; j--)
		v->e[j] = v->e[j - 1];
	v->e[i].id = id;
	v->e[i].n = n;
	v->e[i].rose = 0;
	v->len++;
	return 0;
}

/*
 * causal_vec_merge() - @dst = max(@dst, @src); lossy if either is
 *
 * Return: how many entries did not fit.
 */
static inline int causal_vec_merge(struct causal_vec *dst,
				   const struct causal_vec *src)
{
	__u32 i;
	int drops = 0;

	for (i = 0; i < src->len; i++)
		drops -= causal_vec_raise(dst, src->e[i].id, src->e[i].n);
	if (src->lossy)
		dst->lossy = 1;
	return drops;
}

/* causal_vec_copy() - @dst = @src, as far as @dst's width allows */
static inline void causal_vec_copy(struct causal_vec *dst,
				   const struct causal_vec *src)
{
	__u32 i;

	dst->len = src->len < dst->width ? src->len : dst->width;
	for (i = 0; i < dst->len; i++)
		dst->e[i] = src->e[i];
	dst->lossy = src->lossy || src->len > dst->width;
}

/*
 * causal_vec_tick_count() - an event of participant @own, whose events so
 *	far number *@count
 *
 * Its entry becomes one above the larger of *@count and what @v has for
 * it, and so does *@count: counts of its events never repeat, even when a
 * vector the event merged had no room for its entry.  Its own entry always
 * has a place: when @v is full and has none, the entry with the largest id
 * is dropped (and @v marked lossy).  A count at its maximum stays there
 * and marks @v lossy: two events would share a vector.
 *
 * Return: how many entries were dropped (0 or 1).
 */
static inline int causal_vec_tick_count(struct causal_vec *v, __u64 own, __u32 *count)
{
	__u32 have = causal_vec_get(v, own), n = have > *count ? have : *count;
	int drops = 0;

	if (n == CAUSAL_VEC_COUNT_MAX)
		v->lossy = 1;
	else
		n++;
	if (!have && v->len && v->len >= v->width) {
		v->len--;
		v->lossy = 1;
		drops = 1;
	}
	causal_vec_raise(v, own, n);
	*count = n;
	return drops;
}

/*
 * causal_vec_tick() - an event of participant @own, counted by @v alone
 *
 * Return: as causal_vec_tick_count().
 */
static inline int causal_vec_tick(struct causal_vec *v, __u64 own)
{
	__u32 count = 0;

	return causal_vec_tick_count(v, own, &count);
}

/*
 * causal_vec_order() - what the vectors of events @a and @b prove
 *
 * Return: BEFORE only if a is exact and a < b; AFTER only if b is exact and
 * b < a; EQUAL and CONCURRENT only if both are exact; UNKNOWN otherwise.
 */
static inline enum causal_order
causal_vec_order(const struct causal_vec *a, const struct causal_vec *b)
{
	int le = 1, ge = 1;
	__u32 i = 0, j = 0;

	while (i < a->len || j < b->len) {
		__u32 x = 0, y = 0;

		if (j >= b->len || (i < a->len && a->e[i].id < b->e[j].id)) {
			x = a->e[i++].n;
		} else if (i >= a->len || b->e[j].id < a->e[i].id) {
			y = b->e[j++].n;
		} else {
			x = a->e[i++].n;
			y = b->e[j++].n;
		}
		if (x > y)
			le = 0;
		if (x < y)
			ge = 0;
	}
	if (le && ge)
		return !a->lossy && !b->lossy ? CAUSAL_ORDER_EQUAL : CAUSAL_ORDER_UNKNOWN;
	if (le)
		return !a->lossy ? CAUSAL_ORDER_BEFORE : CAUSAL_ORDER_UNKNOWN;
	if (ge)
		return !b->lossy ? CAUSAL_ORDER_AFTER : CAUSAL_ORDER_UNKNOWN;
	return !a->lossy && !b->lossy ? CAUSAL_ORDER_CONCURRENT : CAUSAL_ORDER_UNKNOWN;
}

/*
 * causal_vec_order_own() - what events @a of participant @pa and @b of @pb
 *	prove
 *
 * A count at CAUSAL_VEC_COUNT_MAX is shared by every later event of its
 * participant, so it proves nothing.  Without both participants' own
 * entries (@pa or @pb unknown, 0), the vectors alone answer.
 *
 * Return: BEFORE when b's entry of @pa reaches a's own count (or, for one
 * participant, a's count is below b's); AFTER symmetrically; EQUAL and
 * CONCURRENT only as causal_vec_order() says them, for exact clocks;
 * UNKNOWN otherwise, and when each would be before the other (a cycle only
 * forged stamps make).
 */
static inline enum causal_order
causal_vec_order_own(const struct causal_vec *a, __u64 pa,
		     const struct causal_vec *b, __u64 pb)
{
	__u32 ca = pa ? causal_vec_get(a, pa) : 0;
	__u32 cb = pb ? causal_vec_get(b, pb) : 0;
	int ab, ba;

	if (!ca || !cb)
		return causal_vec_order(a, b);
	if (pa == pb) {
		if (ca < cb)
			return CAUSAL_ORDER_BEFORE;
		if (cb < ca)
			return CAUSAL_ORDER_AFTER;
		return causal_vec_order(a, b);
	}
	ab = ca < CAUSAL_VEC_COUNT_MAX && causal_vec_get(b, pa) >= ca;
	ba = cb < CAUSAL_VEC_COUNT_MAX && causal_vec_get(a, pb) >= cb;
	if (ab && ba)
		return CAUSAL_ORDER_UNKNOWN;
	if (ab)
		return CAUSAL_ORDER_BEFORE;
	if (ba)
		return CAUSAL_ORDER_AFTER;
	return !a->lossy && !b->lossy ? CAUSAL_ORDER_CONCURRENT : CAUSAL_ORDER_UNKNOWN;
}

#endif /* _CAUSAL_VCLOCK_H */
