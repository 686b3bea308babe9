/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_VEC_H
#define _CAUSAL_VEC_H

#include <linux/overflow.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <causal/vclock.h>

/*
 * Debts.  A TCP receive on socket S (of this node) that merges less than the
 * truth of its peer's sends (a stamp incomplete, inexact, cut, folded, not
 * merged, an entry of an unknown index or over the width) makes the clock
 * lossy, and owes: S, up to that receive (its number on S, from 1).  A
 * later receive on S whose last bytes came with the peer's whole exact
 * clock P, merged entry for entry, pays S up to itself: the peer's socket
 * clock only grows, and every send whose bytes S read before came before
 * P's, so P is at least the truth of all of them.  Debts and payments
 * travel with the clock (a merge takes each connection's larger owed and
 * larger paid), so a thread's clock that merged a socket's owes what the
 * socket owed, and a clock that merged another's payment is paid too.  A
 * clock lossy only by debts all paid is exact (Documentation/causal.rst,
 * "Vector clocks").
 */
#define CAUSAL_VEC_DEBTS 4

/**
 * struct causal_vec_debt - what a clock owes one connection
 * @cookie: the socket of this node that received
 * @owed: the last of its receives whose merge lost something
 * @paid: the last of its receives that merged its peer's whole exact clock
 *
 * Owed when @owed > @paid.
 */
struct causal_vec_debt {
	u64 cookie;
	u64 owed;
	u64 paid;
};

/**
 * struct causal_vec_debts - the connections a clock owes or was paid by
 * @n: entries in use
 * @e: the entries, in no order
 */
struct causal_vec_debts {
	u32 n;
	struct causal_vec_debt e[CAUSAL_VEC_DEBTS];
};

/**
 * struct causal_vclock - the vector clock of one participant
 * @lock: guards everything below; taken with bottom halves off (by a probe
 *	hit, with interrupts off, in task context); a socket's before its
 *	thread's
 * @limit: the most entries its vectors may have (the node's width when it
 *	was made); they have room for fewer (their width), and grow
 * @id: the participant's id: its entry in vectors
 * @count: the participant's events so far, its own count: what its entry
 *	is raised from at each event, whether or not a vector it merged had
 *	room for the entry (compare's proofs need counts that never repeat)
 * @v: its clock
 * @socket: a socket's clock, which has a second vector after @v, in the
 *	same allocation and with the same room: what the peer's socket knows
 *	of our vectors, the entries sent or received on the connection
 *	(causal_vec_known()).  Its entries' @rose holds the participant's
 *	indexes on the connection (CAUSAL_KNOWN_*): ours, given in compact
 *	stamps, and the peer's.
 * @tx_next: for a socket, the last index it gave (0 to
 *	CAUSAL_VENT_INDEX_MAX)
 * @forever: lossy for good: it missed events of its own (no memory for
 *	it when they came), dropped entries at its width, lost in a datagram,
 *	or owed more than @debts holds; no stamp can make it exact again
 * @debts: what it owes, by connection, made at its first debt (NULL
 *	before): a lossy clock that is not @forever is lossy for those alone,
 *	and exact again once each is paid (causal_vec_settle())
 * @rcu: for freeing after readers are done
 * @first: the room the clock starts with (CAUSAL_VEC_ROOM_FIRST entries
 *	for @v, and as many for the peer's); once outgrown, both live
 *	in an allocation of their own
 */
struct causal_vclock {
	spinlock_t lock;	/* see above */
	u32 limit;
	u32 count;
	u8 tx_next;
	u8 forever;
	u8 socket;
	u64 id;
	struct causal_vec *v;
	struct causal_vec_debts *debts;
	struct rcu_head rcu;
	u8 first[] __aligned(8);
};

/*
 * A participant's indexes on a connection, in the @rose of its entry in
 * causal_vec_known() (include/uapi/linux/causal_wire.h): the one this
 * socket gave it, whether the peer has been told (an entry that named it
 * went out), and the one the peer gave it (which this socket's entries
 * may carry too: the peer knows its own).
 */
#define CAUSAL_KNOWN_TX		0x3fU
#define CAUSAL_KNOWN_TX_TOLD	0x80U
#define CAUSAL_KNOWN_RX_SHIFT	8
#define CAUSAL_KNOWN_RX		(0x3fU << CAUSAL_KNOWN_RX_SHIFT)

/* The bytes of a vector of @width entries, as the clocks lay them out. */
static inline size_t causal_vec_size(u32 width)
{
	return ALIGN(struct_size_t(struct causal_vec, e, width), 8);
}

/* What the peer of socket clock @vc knows of it (NULL for other clocks). */
static inline struct causal_vec *causal_vec_known(const struct causal_vclock *vc)
{
	if (!vc->socket)
		return NULL;
	return (struct causal_vec *)((u8 *)vc->v + causal_vec_size(vc->v->width));
}

/* The entry of @id in @v, or NULL. */
static inline struct causal_vent *causal_vec_find(struct causal_vec *v, u64 id)
{
	u32 i;

	for (i = 0; i < v->len && v->e[i].id <= id; i++)
		if (v->e[i].id == id)
			return &v->e[i];
	return NULL;
}

struct causal_vclock *causal_vclock_get(struct causal_vclock **slot, u32 width,
					bool socket);
void causal_vclock_free(struct causal_vclock *vc);
void causal_vclock_room(struct causal_vclock *vc, u32 need);
u32 causal_vec_union(const struct causal_vec *a, const struct causal_vec *b);
u32 causal_vec_now(void);
int causal_vec_raise_at(struct causal_vec *v, u64 id, u32 n, u32 rose);
int causal_vec_merge_at(struct causal_vec *dst, const struct causal_vec *src);
bool causal_vec_owes_only(const struct causal_vclock *vc, u64 cookie);
void causal_vec_owe(struct causal_vclock *vc, u64 cookie, u64 at);
void causal_vec_pay(struct causal_vclock *vc, u64 cookie, u64 at);
void causal_vec_debts_merge(struct causal_vclock *dst, const struct causal_vclock *src);
void causal_vec_debts_copy(struct causal_vclock *dst, const struct causal_vclock *src);
void causal_vec_explain(struct causal_vclock *vc);
void causal_vec_settle(struct causal_vclock *vc);
struct causal_vec *causal_vec_snapshot(struct causal_vclock *vc, const u64 *owner, u64 *own,
				       gfp_t gfp);

#endif /* _CAUSAL_VEC_H */
