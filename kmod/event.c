// SPDX-License-Identifier: GPL-2.0
/*
 * Events: what a send or a receive does to the clocks of a socket and of
 * the thread or process that makes it, for every transport.  Lamport and
 * HLC clocks are scalars (include/causal/clock.h); vector clocks are kept
 * per participant (include/causal/vclock.h, kmod/vec.c).
 */

#include <linux/ktime.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <net/sock.h>
#include <causal/clock.h>
#include <causal/vclock.h>
#include <uapi/linux/causal.h>
#include <uapi/linux/causal_wire.h>

#include "ctx.h"
#include "event.h"
#include "notify.h"
#include "vec.h"

/* Remember who sent or received last (its name is read when listed). */
static void causal_task_note(struct causal_sock *cs)
{
	if (in_task())
		causal_sock_task(cs, task_tgid_nr(current));
}

/* The wall time an event of @clock needs: HLC's, now; 0 for the others. */
static u64 causal_wall(u32 clock)
{
	return clock == CAUSAL_CLOCK_HLC ? causal_hlc_wall(ktime_get_real_ns()) : 0;
}

/* Clock of an event after @local at @wall; with @remote when it merges one. */
static u64 causal_tick(u32 clock, u64 local, const u64 *remote, u64 wall)
{
	if (clock == CAUSAL_CLOCK_HLC)
		return remote ? causal_hlc_recv(local, *remote, wall)
			      : causal_hlc_send(local, wall);
	return remote ? causal_lamport_recv(local, *remote)
		      : causal_lamport_send(local);
}

/*
 * Is @remote too far ahead of @local (at @wall) for the node's guards?  A
 * Lamport receiver also takes what reads as an HLC value near its wall time
 * (causal_hlc_carried()); it asks the wall clock only then.
 */
static bool causal_forged(const struct causal_net *cn, u32 clock, u64 local,
			  u64 remote, u64 wall)
{
	if (clock == CAUSAL_CLOCK_HLC)
		return causal_hlc_forged(wall, remote, READ_ONCE(cn->max_drift));
	if (!causal_lamport_forged(local, remote, READ_ONCE(cn->max_jump)))
		return false;
	return !causal_hlc_carried(causal_hlc_wall(ktime_get_real_ns()), remote,
				   READ_ONCE(cn->max_drift));
}

/**
 * causal_event() - a Lamport or HLC event on a socket
 * @cs: the socket
 * @remote: the stamp a receive merges, or NULL
 * @forged: out, with @remote: set when @remote was too far ahead to merge
 *	(max-jump, max-drift, counted in forged-in); the event then ticks as a
 *	local one
 *
 * Advances the socket's clock, starting from the thread's or process's clock
 * too if the node's scope says so, and raises that one.  UDP sends and
 * receives run without the socket's lock: the clock moves by compare and
 * exchange, so that it never goes back.
 *
 * Return: the event's clock.
 */
u64 causal_event(struct causal_sock *cs, const u64 *remote, bool *forged)
{
	struct causal_net *cn = causal_sock_node(cs);
	atomic64_t *ctx = causal_ctx_clock(cn, READ_ONCE(cn->scope), true);
	u32 clock = READ_ONCE(cn->clock);
	u64 old = READ_ONCE(cs->clock), wall = causal_wall(clock), base, c;
	const u64 *r;

	do {
		base = old;
		if (ctx)
			base = causal_max(base, atomic64_read(ctx));
		r = remote;
		if (r && causal_forged(cn, clock, base, *r, wall))
			r = NULL;
		c = causal_tick(clock, base, r, wall);
	} while (!try_cmpxchg64(&cs->clock, &old, c));
	if (remote) {
		*forged = !r;
		if (*forged) {
			causal_sock_count(cs, CAUSAL_STAT_FORGED_IN, 1);
			pr_debug_ratelimited("node %016llx: stamp %llu refused as forged (clock %llu, socket %llu)\n",
					     READ_ONCE(cn->node_id), *remote, base,
					     causal_sock_cookie(cs));
		}
	}
	if (ctx)
		causal_ctx_max(ctx, c);
	causal_task_note(cs);
	return c;
}

/**
 * causal_pay_scalar() - write the payload of a scalar stamp
 * @pay: at least CAUSAL_PAY_SCALAR_FULL bytes
 * @stamp: the Lamport or HLC value
 * @event: the number of the send, of which the low 32 bits go on the wire
 * @node: the sending node
 *
 * The layout is that of include/uapi/linux/causal_wire.h.
 *
 * Return: the payload's length, CAUSAL_PAY_SCALAR_FULL.
 */
u32 causal_pay_scalar(u8 *pay, u64 stamp, u64 event, u64 node)
{
	pay[0] = CAUSAL_TCPOPT_VERSION << CAUSAL_TCPOPT_F_VERSION_SHIFT;
	causal_wire_put64(&pay[CAUSAL_PAY_STAMP], stamp);
	causal_wire_put32(&pay[CAUSAL_PAY_EVENT], event);
	causal_wire_put64(&pay[CAUSAL_PAY_NODE], node);
	return CAUSAL_PAY_SCALAR_FULL;
}

/*
 * The vector clock of @cs, made if needed.  One that comes late, after
 * memory ran short for it, starts lossy: it missed events.
 */
static struct causal_vclock *causal_event_vclock(struct causal_sock *cs)
{
	struct causal_vclock *vc = causal_sock_vclock(cs);

	if (!vc)
		causal_sock_vec_missed(cs, true);
	return vc;
}

/*
 * A vector event on @cs after its receive (if any) was merged into the
 * socket's clock: take in the thread's or process's clock (and its debts;
 * @paid, when not 0, the socket whose receive @at paid what the socket
 * owed it, pays the thread's debt too), tick the participant's entry, and
 * hand the result back to the thread.  A clock that drops entries, or
 * missed events, is lossy for good; one lossy only by debts now all paid
 * is exact.
 */
static u64 causal_vec_tick_locked(struct causal_sock *cs, struct causal_vclock *vs,
				  struct causal_vclock *vt, int *drops,
				  struct causal_note *note, u64 paid, u64 at)
{
	u64 own = vt ? vt->id : vs->id;
	bool was;
	u32 n, need;
	int d;

	lockdep_assert_held(&vs->lock);
	was = vs->v->lossy;
	if (causal_sock_vec_missed(cs, false)) {
		vs->v->lossy = 1;
		vs->forever = 1;
	}
	if (vt) {
		spin_lock(&vt->lock);
		causal_vec_explain(vt);
		if (paid)
			causal_vec_pay(vt, paid, at);
		need = causal_vec_union(vs->v, vt->v) +
		       !(causal_vec_get(vs->v, own) || causal_vec_get(vt->v, own));
		causal_vclock_room(vs, need);
		d = causal_vec_merge_at(vs->v, vt->v);
		causal_vec_debts_merge(vs, vt);
	} else {
		causal_vclock_room(vs, vs->v->len + !causal_vec_get(vs->v, own));
		d = 0;
	}
	d += causal_vec_tick_count(vs->v, own, &(vt ?: vs)->count);
	if (d)
		vs->forever = 1;
	*drops += d;
	causal_vec_settle(vs);
	if (was && !vs->v->lossy)
		causal_stat_inc(causal_sock_node(cs), CAUSAL_STAT_VECTOR_HEALS);
	if (vt) {
		causal_vclock_room(vt, vs->v->len);
		causal_vec_copy(vt->v, vs->v);
		causal_vec_debts_copy(vt, vs);
		if (vt->v->len < vs->v->len)
			vt->forever = 1;
		spin_unlock(&vt->lock);
	}
	n = causal_vec_get(vs->v, own);
	WRITE_ONCE(cs->clock, n);
	WRITE_ONCE(causal_sock_more_of(cs)->vec_owner, own);
	causal_note_vec(note, own, vs->v);
	return n;
}

/*
 * The entries of @vs's clock a send may carry beside the participant's own
 * (@own): with @diff, those above what the peer's socket knows.  Their
 * indexes in @vs's vector go to @pick (both vectors are sorted by id: one
 * pass).  Return: how many.
 */
static u32 causal_vec_candidates(struct causal_vclock *vs, u64 own, bool diff, u8 *pick)
{
	const struct causal_vec *v = vs->v, *k = causal_vec_known(vs);
	u32 i, j = 0, c = 0;

	for (i = 0; i < v->len; i++) {
		if (v->e[i].id == own)
			continue;
		if (diff) {
			while (j < k->len && k->e[j].id < v->e[i].id)
				j++;
			if (j < k->len && k->e[j].id == v->e[i].id && k->e[j].n >= v->e[i].n)
				continue;
		}
		pick[c++] = i;
	}
	return c;
}

/*
 * Move the entry of @pick[@i..@c) that rose last to @pick[@i]: a stamp's
 * room goes to the newest news first (relayed news before old news, which
 * a later send carries).
 */
static void causal_vec_newest(const struct causal_vent *e, u8 *pick, u32 i, u32 c)
{
	u32 j, best = i;
	u8 t;

	for (j = i + 1; j < c; j++)
		if ((s32)(e[pick[j]].rose - e[pick[best]].rose) > 0)
			best = j;
	t = pick[i];
	pick[i] = pick[best];
	pick[best] = t;
}

/* Entry @i of a whole (version 0) vector payload. */
static void causal_pay_vent(u8 *pay, u32 i, u64 id, u32 n)
{
	u8 *p = &pay[1 + i * CAUSAL_PAY_VEC_ENTRY];

	causal_wire_putn(p, id, CAUSAL_PAY_VEC_ID_BYTES);
	causal_wire_putn(p + CAUSAL_PAY_VEC_ID_BYTES, n, 4);
}

/*
 * A datagram's stamp: the whole vector, the participant's own entry first,
 * as many as @max_entries hold.  Return: the payload's length.
 */
static u32 causal_vec_datagram(struct causal_vclock *vs, u64 own, u32 clock, u8 *pay,
			       u32 max_entries, u8 *pick, u32 *more)
{
	const struct causal_vent *e = vs->v->e;
	u32 n = 0, c, i;

	causal_pay_vent(pay, n++, own, clock);
	c = causal_vec_candidates(vs, own, false, pick);
	for (i = 0; i < c; i++) {
		if (n == max_entries) {
			*more = 1;
			break;
		}
		if (c > max_entries - 1)
			causal_vec_newest(e, pick, i, c);
		causal_pay_vent(pay, n++, e[pick[i]].id, e[pick[i]].n);
	}
	return 1 + n * CAUSAL_PAY_VEC_ENTRY;
}

/*
 * The bytes a compact entry of count @n takes, for the participant whose
 * entry in the socket's known vector is @k (NULL: none yet): an index once
 * the peer gave it one, or was told ours, else its id.
 */
static u32 causal_vent_size(const struct causal_vent *k, u32 n)
{
	bool indexed = k && (k->rose & (CAUSAL_KNOWN_RX | CAUSAL_KNOWN_TX_TOLD));

	return 1 + (indexed ? 0 : CAUSAL_PAY_VEC_ID_BYTES) + causal_varint_len(n);
}

/*
 * Write participant @id's compact entry, count @n (@base more than it
 * says), at @p, and count it as known to the peer: by the index the peer
 * gave it, or by ours once the peer was told it; else with its id, and the
 * index it is given if one is left (63 a connection each way).  Return:
 * its length, as causal_vent_size() said.
 */
static u32 causal_vent_put(struct causal_vclock *vs, u8 *p, u64 id, u32 n, u32 base)
{
	struct causal_vent *k;
	u32 len = 1, idx = 0;

	causal_vec_raise(causal_vec_known(vs), id, n);
	k = causal_vec_find(causal_vec_known(vs), id);
	if (k && (k->rose & CAUSAL_KNOWN_RX)) {
		p[0] = CAUSAL_VENT_YOURS | (k->rose & CAUSAL_KNOWN_RX) >> CAUSAL_KNOWN_RX_SHIFT;
		return len + causal_varint_put(&p[len], n - base);
	}
	if (k) {
		idx = k->rose & CAUSAL_KNOWN_TX;
		if (!idx && vs->tx_next < CAUSAL_VENT_INDEX_MAX) {
			idx = ++vs->tx_next;
			k->rose |= idx;
		}
	}
	if (k && (k->rose & CAUSAL_KNOWN_TX_TOLD)) {
		p[0] = idx;
	} else {
		p[0] = CAUSAL_VENT_NAMED | idx;
		causal_wire_putn(&p[1], id, CAUSAL_PAY_VEC_ID_BYTES);
		len += CAUSAL_PAY_VEC_ID_BYTES;
		if (idx)
			k->rose |= CAUSAL_KNOWN_TX_TOLD;
	}
	return len + causal_varint_put(&p[len], n - base);
}

/*
 * The base count of a compact stamp whose entries are the participant's own
 * (count @clock) and the @c of @pick: the least count, when the offsets from
 * it take fewer bytes than the counts, base and all; else 0, no base.
 */
static u32 causal_vec_base(const struct causal_vent *e, u32 clock, const u8 *pick, u32 c)
{
	u32 base = clock, i;
	int save;

	for (i = 0; i < c; i++)
		base = min(base, e[pick[i]].n);
	save = causal_varint_len(clock) - causal_varint_len(clock - base);
	for (i = 0; i < c; i++)
		save += causal_varint_len(e[pick[i]].n) - causal_varint_len(e[pick[i]].n - base);
	return save > (int)causal_varint_len(base) ? base : 0;
}

/*
 * The bytes the whole clock of @vs takes as a compact stamp, its entries
 * (the participant's own, count @clock, and the @c of @pick) offset from
 * @base: one pass over the clock and the known vector, both sorted.
 */
static u32 causal_vec_whole_size(struct causal_vclock *vs, u64 own, u32 clock,
				 const u8 *pick, u32 c, u32 base)
{
	const struct causal_vec *k = causal_vec_known(vs);
	const struct causal_vent *e = vs->v->e;
	u32 size = 1 + (base ? causal_varint_len(base) : 0), i, j = 0;

	size += causal_vent_size(causal_vec_find(causal_vec_known(vs), own), clock - base);
	for (i = 0; i < c; i++) {
		while (j < k->len && k->e[j].id < e[pick[i]].id)
			j++;
		size += causal_vent_size(j < k->len && k->e[j].id == e[pick[i]].id ?
					 &k->e[j] : NULL, e[pick[i]].n - base);
	}
	return size;
}

/*
 * A TCP stamp: the participant's own entry, then the entries the peer's
 * socket lacks, newest first, as many as @room bytes hold, compact; *@base
 * set to their base count, if they have one.  When the whole clock fits,
 * all of it, *@whole set: the reserved room goes out either way, and a
 * receiver that gets the whole of an exact clock knows all its sender
 * knew (causal_vec_recv_end()).  Return: the payload's length.
 */
static u32 causal_vec_compact(struct causal_vclock *vs, u64 own, u32 clock, u8 *pay,
			      u32 room, u8 *pick, u32 *base, bool *whole, u32 *more)
{
	const struct causal_vent *e = vs->v->e;
	u32 len = 1, c, i, size;

	/* the whole clock, if it may fit (an entry takes 2 bytes at least) */
	*whole = 1 + vs->v->len * CAUSAL_VENT_MIN <= room;
	if (*whole) {
		c = causal_vec_candidates(vs, own, false, pick);
		*base = causal_vec_base(e, clock, pick, c);
		*whole = causal_vec_whole_size(vs, own, clock, pick, c, *base) <= room;
	}
	if (!*whole) {
		c = causal_vec_candidates(vs, own, true, pick);
		*base = causal_vec_base(e, clock, pick, c);
	}
	if (*base)
		len += causal_varint_put(&pay[len], *base);
	len += causal_vent_put(vs, &pay[len], own, clock, *base);
	for (i = 0; i < c; i++) {
		if (len + CAUSAL_VENT_MIN > room) {
			*more = 1;
			break;
		}
		if (!*whole)
			causal_vec_newest(e, pick, i, c);
		size = causal_vent_size(causal_vec_find(causal_vec_known(vs), e[pick[i]].id),
					e[pick[i]].n - *base);
		if (len + size > room) {
			*more = 1;
			continue;
		}
		len += causal_vent_put(vs, &pay[len], e[pick[i]].id, e[pick[i]].n, *base);
	}
	return len;
}

/*
 * Forget what the peer was counted as knowing and which indexes it was
 * told: a stamp that told it may not have arrived whole.  The indexes
 * stay, so that the peer's table of them stays right; their next entries
 * name them again.
 */
static void causal_vec_retell(struct causal_vclock *vs)
{
	struct causal_vec *k = causal_vec_known(vs);
	u32 i;

	for (i = 0; i < k->len; i++) {
		k->e[i].n = 0;
		k->e[i].rose &= ~CAUSAL_KNOWN_TX_TOLD;
	}
}

/**
 * causal_vec_untell() - a TCP stamp never went out: untell what it told
 * @cs: the socket
 * @pay: the stamp's payload, a compact vector
 * @len: its length
 *
 * The peer never learnt what the stamp carried (its send wrote no byte):
 * each of its entries counts as unknown to the peer again, and each
 * participant it named as not told, so that the next send carries them
 * again.  The rest of what the connection told stays told: a retelling of
 * only what was lost, where causal_vec_retell() tells everything again
 * (with 7-byte names, more than a stamp holds past a few participants).
 *
 * Context: under the socket's lock; takes its vector clock's.
 * Return: false if an entry could not be read or found (the caller then
 * tells all again).
 */
bool causal_vec_untell(struct causal_sock *cs, const u8 *pay, u32 len)
{
	struct causal_vclock *vs = causal_sock_vclock_of(cs);
	struct causal_wire_vent e;
	struct causal_vent *k;
	struct causal_vec *kv;
	u32 off = 1, i, mask, shift;
	bool ok = true;
	int r;

	if (!vs)
		return false;
	spin_lock_bh(&vs->lock);
	kv = causal_vec_known(vs);
	while ((r = causal_pay_vent_next(pay, len, &off, &e)) > 0) {
		k = NULL;
		if (e.named) {
			k = causal_vec_find(kv, e.id);
		} else {
			/* our index, or the one the peer gave (CAUSAL_VENT_YOURS) */
			mask = e.yours ? CAUSAL_KNOWN_RX : CAUSAL_KNOWN_TX;
			shift = e.yours ? CAUSAL_KNOWN_RX_SHIFT : 0;
			for (i = 0; i < kv->len && !k; i++)
				if ((kv->e[i].rose & mask) >> shift == e.index)
					k = &kv->e[i];
		}
		if (!k) {
			ok = false;
			continue;
		}
		k->n = 0;
		if (e.named)
			k->rose &= ~CAUSAL_KNOWN_TX_TOLD;
	}
	spin_unlock_bh(&vs->lock);
	return ok && !r;
}

/**
 * causal_vec_send() - a send in vector mode
 * @cs: the socket
 * @pay: out: the stamp's payload (include/uapi/linux/causal_wire.h),
 *	@room bytes
 * @room: the most bytes the payload may take
 * @diff: a TCP stamp: carry only what the peer's socket does not know yet
 *	(a FIFO channel: Singhal and Kshemkalyani's differential technique),
 *	in compact entries; else the whole vector, for a datagram
 * @retell: with @diff, the peer may lack what it was counted as knowing
 *	(a stamp went out cut, or not at all): tell it all again
 * @clock: out: the participant's count after the send
 * @note: the send's note, or NULL
 *
 * Ticks the clock and encodes the participant's own entry first, then the
 * others (with @diff, those above what was sent or received on the
 * connection), newest first, as many as fit.  What does not fit is
 * announced by CAUSAL_TCPOPT_F_INCOMPLETE; a lossy clock by
 * CAUSAL_TCPOPT_F_INEXACT.
 *
 * Context: a kfunc, inside causal; with @diff (TCP), under the socket's
 * lock.  Takes the socket's vector clock lock, then the thread's.
 * Return: the payload's length.
 */
u32 causal_vec_send(struct causal_sock *cs, u8 *pay, u32 room, bool diff, bool retell,
		    u64 *clock, struct causal_note *note)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_vclock *vs = causal_event_vclock(cs), *vt;
	u8 pick[CAUSAL_VEC_WIDTH_MAX];
	u8 flags = CAUSAL_TCPOPT_F_VECTOR;
	u32 len, more = 0, base = 0;
	bool whole = false;
	int drops = 0;
	u64 own;

	if (diff)
		flags |= CAUSAL_PAY_VEC_VERSION << CAUSAL_TCPOPT_F_VERSION_SHIFT;
	if (!vs) {
		pay[0] = flags | CAUSAL_TCPOPT_F_INEXACT;
		*clock = 0;
		return 1;
	}
	vt = causal_ctx_vclock(cn, READ_ONCE(cn->scope), READ_ONCE(cn->vector_width), true);
	spin_lock_bh(&vs->lock);
	causal_vec_explain(vs);
	*clock = causal_vec_tick_locked(cs, vs, vt, &drops, note, 0, 0);
	own = vt ? vt->id : vs->id;
	if (diff) {
		if (retell)
			causal_vec_retell(vs);
		len = causal_vec_compact(vs, own, *clock, pay, room, pick, &base, &whole, &more);
	} else {
		len = causal_vec_datagram(vs, own, *clock, pay, (room - 1) / CAUSAL_PAY_VEC_ENTRY,
					  pick, &more);
	}
	if (vs->v->lossy)
		flags |= CAUSAL_TCPOPT_F_INEXACT;
	if (base)
		flags |= CAUSAL_TCPOPT_F_BASE;
	/* whole, and exact but for what it owes this very connection */
	if (whole && !more &&
	    (!vs->v->lossy || causal_vec_owes_only(vs, causal_sock_cookie(cs))))
		flags |= CAUSAL_TCPOPT_F_WHOLE;
	spin_unlock_bh(&vs->lock);
	causal_sock_count(cs, CAUSAL_STAT_VECTOR_WIDTH_DROPS, drops);
	if (more) {
		flags |= CAUSAL_TCPOPT_F_INCOMPLETE;
		causal_sock_count(cs, CAUSAL_STAT_VECTOR_INCOMPLETE_OUT, 1);
	}
	pay[0] = flags;
	causal_task_note(cs);
	return len;
}

/*
 * A receive in vector mode, in three steps: begin takes the socket's clock
 * (and its lock), pay merges each payload the received bytes came with,
 * end ticks and releases.  Anything less than the whole truth (a payload
 * inexact or incomplete, bytes without one, a malformed entry, an index
 * never named: @lost) makes the clock lossy.
 */

/**
 * causal_vec_recv_begin() - start a vector receive on @cs
 * @cs: the socket (TCP: under its lock)
 * @rx: out: the receive in progress
 * @note: the receive's note, or NULL
 *
 * Context: a kfunc, inside causal.  Takes the socket's vector clock lock,
 * which causal_vec_recv_end() releases.
 *
 * Return: false without memory for the clock (the receive is not recorded).
 */
bool causal_vec_recv_begin(struct causal_sock *cs, struct causal_vec_rx *rx,
			   struct causal_note *note)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_vclock *vs = causal_event_vclock(cs);

	if (!vs)
		return false;
	*rx = (struct causal_vec_rx){
		.vs = vs,
		.vt = causal_ctx_vclock(cn, READ_ONCE(cn->scope), READ_ONCE(cn->vector_width),
					true),
		.max_jump = READ_ONCE(cn->max_jump),
		.note = note,
	};
	spin_lock_bh(&vs->lock);
	causal_vec_explain(vs);
	return true;
}

/**
 * causal_vec_recv_learn() - take the indexes a TCP payload names
 * @rx: the receive, between causal_vec_recv_begin() and _end(), with
 *	@rx->names
 * @pay: one of the payloads its bytes came with
 * @len: its length
 *
 * Called for every payload of the receive before any is merged: a
 * payload's bytes may arrive before those of the payload that named an
 * index it uses, and one receive may read both.
 */
void causal_vec_recv_learn(struct causal_vec_rx *rx, const u8 *pay, u32 len)
{
	struct causal_vec_names *nm = rx->names;
	struct causal_wire_vent e;
	u32 off = 1, i;

	while (causal_pay_vent_next(pay, len, &off, &e) > 0) {
		if (!e.named || !e.index)
			continue;
		for (i = 0; i < nm->nintro && nm->intro[i].index != e.index; i++)
			;
		if (i == nm->nintro && i < ARRAY_SIZE(nm->intro)) {
			nm->intro[i].index = e.index;
			nm->intro[i].id = e.id;
			nm->nintro++;
		}
	}
}

/*
 * The participant of entry @e: its id, or the one its index was given: by
 * the peer, in this receive's payloads or earlier ones, or by this socket
 * (CAUSAL_VENT_YOURS); 0 if no payload named it.
 */
static u64 causal_vec_rx_id(const struct causal_vec_rx *rx, const struct causal_wire_vent *e)
{
	const struct causal_vec *k = causal_vec_known(rx->vs);
	u32 i;

	if (e->named)
		return e->id;
	if (e->yours) {
		/* ours: given once, to one participant, and kept */
		for (i = 0; i < k->len; i++)
			if ((k->e[i].rose & CAUSAL_KNOWN_TX) == e->index)
				return k->e[i].id;
		return 0;
	}
	if (!rx->names)
		return 0;
	/* given before (kept: an index given again is not believed), or now */
	for (i = 0; i < k->len; i++)
		if ((k->e[i].rose & CAUSAL_KNOWN_RX) >> CAUSAL_KNOWN_RX_SHIFT == e->index)
			return k->e[i].id;
	for (i = 0; i < rx->names->nintro; i++)
		if (rx->names->intro[i].index == e->index)
			return rx->names->intro[i].id;
	return 0;
}

/*
 * The peer gave participant @id index @index: keep it in @id's entry of
 * @k, unless it has one, or another participant has that one (a peer that
 * gives an index twice is not believed the second time).
 */
static void causal_vec_rx_index(struct causal_vec *k, u64 id, u32 index)
{
	struct causal_vent *e = causal_vec_find(k, id);
	u32 i;

	if (!e || (e->rose & CAUSAL_KNOWN_RX))
		return;
	for (i = 0; i < k->len; i++)
		if ((k->e[i].rose & CAUSAL_KNOWN_RX) >> CAUSAL_KNOWN_RX_SHIFT == index)
			return;
	e->rose |= index << CAUSAL_KNOWN_RX_SHIFT;
}

/**
 * causal_vec_recv_pay() - merge one vector payload into the socket's clock
 * @rx: the receive, between causal_vec_recv_begin() and _end()
 * @pay: the payload
 * @len: its length
 *
 * A payload with an entry too far ahead of the socket's clock (max-jump),
 * or a malformed one, is not merged at all.  With @rx->names (TCP), the
 * send the payload names, by its first entry, is kept there.
 *
 * Return: whether every entry of the payload is now in the clock: merged,
 * none of an unknown participant, none dropped at the width.
 */
bool causal_vec_recv_pay(struct causal_vec_rx *rx, const u8 *pay, u32 len)
{
	struct causal_vec_names *nm = rx->names;
	struct causal_vclock *vs = rx->vs;
	struct causal_wire_vent e;
	u32 off, fresh = 0, now, have;
	bool first = true, all = true;
	int r, drops;
	u64 id;

	lockdep_assert_held(&vs->lock);
	for (off = 1; (r = causal_pay_vent_next(pay, len, &off, &e)) > 0; ) {
		id = causal_vec_rx_id(rx, &e);
		have = id ? causal_vec_get(vs->v, id) : 0;
		if (id && causal_lamport_forged(have, e.n, rx->max_jump)) {
			rx->forged = true;
			return false;
		}
		fresh += id && e.n && !have;
	}
	if (r < 0) {
		rx->malformed = true;
		return false;
	}
	causal_vclock_room(vs, vs->v->len + fresh);
	if (pay[0] & (CAUSAL_TCPOPT_F_INEXACT | CAUSAL_TCPOPT_F_INCOMPLETE))
		rx->lost = true;
	now = causal_vec_now();
	for (off = 1; causal_pay_vent_next(pay, len, &off, &e) > 0; first = false) {
		id = causal_vec_rx_id(rx, &e);
		if (!id) {
			rx->lost = true;
			rx->unknown |= !e.named && !e.yours;
			all = false;
			continue;
		}
		if (first && nm && nm->nkeys < ARRAY_SIZE(nm->keys)) {
			nm->keys[nm->nkeys].id = id;
			nm->keys[nm->nkeys++].n = e.n;
		}
		drops = -causal_vec_raise_at(vs->v, id, e.n, now);
		rx->drops += drops;
		all &= !drops;
		causal_vec_raise(causal_vec_known(vs), id, e.n);
		if (e.named && e.index)
			causal_vec_rx_index(causal_vec_known(vs), id, e.index);
	}
	return all;
}

/**
 * causal_vec_recv_end() - tick and finish a vector receive on @cs
 * @cs: the socket
 * @rx: the receive, after causal_vec_recv_begin()
 * @lost: bytes came without a vector payload
 * @whole: the receive's last bytes came with the whole clock of their
 *	sender, exact (CAUSAL_TCPOPT_F_WHOLE without I or C), and every entry
 *	of it is now in the socket's clock
 * @at: the receive's number on a TCP socket (from 1); 0 for a datagram
 *
 * A TCP receive that lost something owes its connection, up to @at (vec.h,
 * "Debts"); a datagram's loss is for good (datagrams are not FIFO: no
 * later stamp covers an earlier one).  With @whole, the connection's peer
 * sent its whole exact clock with the last bytes read: its socket's clock
 * only grows, so it covers every send whose bytes came before, and pays
 * what the socket's clock, and the thread's that merges it now, owed the
 * connection up to @at.  A clock lossy by nothing else is then exact.
 *
 * Return: the participant's count after the receive.
 */
u64 causal_vec_recv_end(struct causal_sock *cs, struct causal_vec_rx *rx, bool lost,
			bool whole, u64 at)
{
	struct causal_vclock *vs = rx->vs;
	u64 c, cookie = causal_sock_cookie(cs);
	int drops = rx->drops;

	lockdep_assert_held(&vs->lock);
	lost |= rx->lost | rx->forged | rx->malformed | (drops > 0);
	whole &= !!at;
	if (lost && at) {
		causal_vec_owe(vs, cookie, at);
	} else if (lost) {
		vs->v->lossy = 1;
		vs->forever = 1;
	}
	if (whole)
		causal_vec_pay(vs, cookie, at);
	lost &= !whole;
	c = causal_vec_tick_locked(cs, vs, rx->vt, &drops, rx->note, whole ? cookie : 0, at);
	spin_unlock_bh(&vs->lock);
	causal_task_note(cs);
	causal_sock_count(cs, CAUSAL_STAT_VECTOR_WIDTH_DROPS, drops);
	if (lost)
		causal_sock_count(cs, CAUSAL_STAT_LOSSY_IN, 1);
	if (rx->malformed)
		causal_sock_count(cs, CAUSAL_STAT_MALFORMED_IN, 1);
	if (rx->forged) {
		causal_sock_count(cs, CAUSAL_STAT_FORGED_IN, 1);
		pr_debug_ratelimited("node %016llx: vector stamp refused as forged (socket %llu)\n",
				     READ_ONCE(causal_sock_node(cs)->node_id),
				     causal_sock_cookie(cs));
	}
	return c;
}

/**
 * causal_local_event() - the clock at a connect, accept or close of @cs
 * @cs: the socket
 * @note: the event's note, or NULL
 *
 * These exchange no stamp, so they tick nothing: they are recorded at the
 * clock of the point where they happen (the socket's, or the thread's if
 * larger, as a send would start from).  Ticking would make, in vector mode,
 * the thread that accepts a participant of every connection it hands on.
 *
 * Return: that clock (in vector mode, the count of the socket's latest
 * participant), 0 for none yet.
 */
u64 causal_local_event(struct causal_sock *cs, struct causal_note *note)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_vclock *vs;
	atomic64_t *ctx;
	u64 c, own;

	if (READ_ONCE(cn->clock) != CAUSAL_CLOCK_VECTOR) {
		ctx = causal_ctx_clock(cn, READ_ONCE(cn->scope), true);
		c = READ_ONCE(cs->clock);
		return ctx ? causal_max(c, atomic64_read(ctx)) : c;
	}
	vs = causal_sock_vclock_of(cs);
	if (!vs)
		return 0;
	spin_lock_bh(&vs->lock);
	own = causal_sock_vec_owner(cs, vs);
	c = causal_vec_get(vs->v, own);
	if (c)
		causal_note_vec(note, own, vs->v);
	spin_unlock_bh(&vs->lock);
	return c;
}

/**
 * causal_local_note() - a local event of @cs, reported to listeners
 * @cs: the socket
 * @sk: its socket, connected or not
 * @type: enum causal_event_type: connect, accept or close
 */
void causal_local_note(struct causal_sock *cs, struct sock *sk, u8 type)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_note n;
	u64 c;

	causal_note_begin(&n, cn, sock_net(sk), type, READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR);
	c = causal_local_event(cs, &n);
	causal_note_end_sk(&n, cs, sk, c);
}
