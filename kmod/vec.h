/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_VEC_H
#define _CAUSAL_VEC_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <causal/vclock.h>

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
 * @known: for a socket, what the peer's socket knows of our vectors: the
 *	entries sent or received on the connection; NULL for threads and
 *	processes.  It has the room @v has, in the same allocation.  Its
 *	entries' @rose holds the participant's indexes on the connection
 *	(CAUSAL_KNOWN_*): ours, given in compact stamps, and the peer's.
 * @tx_next: for a socket, the last index it gave (0 to
 *	CAUSAL_VENT_INDEX_MAX)
 * @sticky: for a socket, its past holds more than its own events and its
 *	peer's sends: it merged a thread's or a process's clock, or missed
 *	events of its own (no memory for it when they came); no stamp of the
 *	peer alone can then prove it exact (causal_vec_recv_end())
 * @rcu: for freeing after readers are done
 * @first: the room the clock starts with (CAUSAL_VEC_ROOM_FIRST entries
 *	for @v, and as many for @known); once outgrown, @v and @known live
 *	in an allocation of their own
 */
struct causal_vclock {
	spinlock_t lock;	/* see above */
	u32 limit;
	u32 count;
	u8 tx_next;
	u8 sticky;
	u64 id;
	struct causal_vec *v;
	struct causal_vec *known;
	struct rcu_head rcu;
	u8 first[] __aligned(8);
};

/*
 * A participant's indexes on a connection, in the @rose of its entry in
 * the socket's @known (include/uapi/linux/causal_wire.h): the one this
 * socket gave it, whether the peer has been told (an entry that named it
 * went out), and the one the peer gave it (which this socket's entries
 * may carry too: the peer knows its own).
 */
#define CAUSAL_KNOWN_TX		0x3fU
#define CAUSAL_KNOWN_TX_TOLD	0x80U
#define CAUSAL_KNOWN_RX_SHIFT	8
#define CAUSAL_KNOWN_RX		(0x3fU << CAUSAL_KNOWN_RX_SHIFT)

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
struct causal_vec *causal_vec_snapshot(struct causal_vclock *vc, const u64 *owner, u64 *own,
				       gfp_t gfp);

#endif /* _CAUSAL_VEC_H */
