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
 * socket's clock: take in the thread's or process's clock, tick the
 * participant's entry, and hand the result back to the thread.
 */
static u64 causal_vec_tick_locked(struct causal_sock *cs, struct causal_vclock *vs,
				  struct causal_vclock *vt, int *drops,
				  struct causal_note *note)
{
	u64 own = vt ? vt->id : vs->id;
	u32 n, need;

	lockdep_assert_held(&vs->lock);
	if (causal_sock_vec_missed(cs, false))
		vs->v->lossy = 1;
	if (vt) {
		spin_lock(&vt->lock);
		need = causal_vec_union(vs->v, vt->v) +
		       !(causal_vec_get(vs->v, own) || causal_vec_get(vt->v, own));
		causal_vclock_room(vs, need);
		*drops += causal_vec_merge_at(vs->v, vt->v);
	} else {
		causal_vclock_room(vs, vs->v->len + !causal_vec_get(vs->v, own));
	}
	*drops += causal_vec_tick_count(vs->v, own, &(vt ?: vs)->count);
	if (vt) {
		causal_vclock_room(vt, vs->v->len);
		causal_vec_copy(vt->v, vs->v);
		spin_unlock(&vt->lock);
	}
	n = causal_vec_get(vs->v, own);
	WRITE_ONCE(cs->clock, n);
	WRITE_ONCE(causal_sock_more_of(cs)->vec_owner, own);
	causal_note_vec(note, own, vs->v);
	return n;
}

/* Does vector payload @pay, with @n entries so far, carry participant @id? */
static bool causal_pay_has(const u8 *pay, u32 n, u64 id)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (causal_wire_getn(&pay[1 + i * CAUSAL_PAY_VEC_ENTRY],
				     CAUSAL_PAY_VEC_ID_BYTES) == id)
			return true;
	return false;
}

/*
 * The entries of @vs's clock a send carries after the @n already in @pay
 * (the participant's own, @own, first): those not there yet and, with
 * @diff, above what the peer knows.  One pass gathers them; when more than
 * @room are left, the @room that rose last go first (relayed news first:
 * an entry left out goes with a later send) and *@more is set.  Their
 * indexes in @vs's vector go to @pick.  Return: how many.
 */
static u32 causal_vec_pick(struct causal_vclock *vs, u64 own, bool diff, const u8 *pay,
			   u32 n, u32 room, u8 *pick, u32 *more)
{
	const struct causal_vent *e = vs->v->e;
	u32 i, j, c = 0, best;
	u8 t;

	for (i = 0; i < vs->v->len; i++)
		if (e[i].id != own && (!diff || e[i].n > causal_vec_get(vs->known, e[i].id)) &&
		    !causal_pay_has(pay, n, e[i].id))
			pick[c++] = i;
	if (c <= room)
		return c;
	*more = 1;
	for (i = 0; i < room; i++) {
		for (best = i, j = i + 1; j < c; j++)
			if ((s32)(e[pick[j]].rose - e[pick[best]].rose) > 0)
				best = j;
		t = pick[i];
		pick[i] = pick[best];
		pick[best] = t;
	}
	return room;
}

static void causal_pay_vent(u8 *pay, u32 i, u64 id, u32 n)
{
	u8 *p = &pay[1 + i * CAUSAL_PAY_VEC_ENTRY];

	causal_wire_putn(p, id, CAUSAL_PAY_VEC_ID_BYTES);
	causal_wire_putn(p + CAUSAL_PAY_VEC_ID_BYTES, n, 4);
}

/**
 * causal_vec_send() - a send in vector mode
 * @cs: the socket
 * @pay: out: the stamp's payload (include/uapi/linux/causal_wire.h)
 * @max_entries: most entries the payload may carry
 * @diff: carry only what the peer's socket does not know yet (a FIFO
 *	channel: Singhal and Kshemkalyani's differential technique), rather
 *	than the whole vector
 * @carry: with @diff, the payload of an earlier send whose bytes never left
 *	(it wrote nothing), or NULL: its entries were counted as known to the
 *	peer, so they go again with this one
 * @carry_len: its length
 * @clock: out: the participant's count after the send
 * @note: the send's note, or NULL
 *
 * Ticks the clock and encodes the participant's own entry first, then those
 * of @carry, then the others (with @diff, those above what was sent or
 * received on the connection), as many as fit.  What does not fit is
 * announced by CAUSAL_TCPOPT_F_INCOMPLETE; a lossy clock by
 * CAUSAL_TCPOPT_F_INEXACT.
 *
 * Context: a kfunc, inside causal; with @diff (TCP), under the socket's
 * lock.  Takes the socket's vector clock lock, then the thread's.
 * Return: the payload's length.
 */
u32 causal_vec_send(struct causal_sock *cs, u8 *pay, u32 max_entries, bool diff,
		    const u8 *carry, u32 carry_len, u64 *clock,
		    struct causal_note *note)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_vclock *vs = causal_event_vclock(cs), *vt;
	const struct causal_vent *e;
	u8 pick[CAUSAL_VEC_WIDTH_MAX];
	u32 k, n = 0, more = 0, picked;
	int drops = 0;
	u64 own;
	u8 flags = CAUSAL_TCPOPT_F_VECTOR;

	if (!vs) {
		pay[0] = flags | CAUSAL_TCPOPT_F_INEXACT;
		*clock = 0;
		return 1;
	}
	vt = causal_ctx_vclock(cn, READ_ONCE(cn->scope), READ_ONCE(cn->vector_width), true);
	spin_lock_bh(&vs->lock);
	*clock = causal_vec_tick_locked(cs, vs, vt, &drops, note);
	own = vt ? vt->id : vs->id;
	causal_pay_vent(pay, n++, own, *clock);
	if (diff)
		causal_vec_raise(vs->known, own, *clock);
	for (k = 1; carry && k + CAUSAL_PAY_VEC_ENTRY <= carry_len; k += CAUSAL_PAY_VEC_ENTRY) {
		u64 id = causal_wire_getn(&carry[k], CAUSAL_PAY_VEC_ID_BYTES);

		if (!id || causal_pay_has(pay, n, id))
			continue;
		if (n == max_entries) {
			more = 1;
			continue;
		}
		causal_pay_vent(pay, n++, id, causal_vec_get(vs->v, id));
	}
	picked = causal_vec_pick(vs, own, diff, pay, n, max_entries - n, pick, &more);
	for (k = 0; k < picked; k++) {
		e = &vs->v->e[pick[k]];
		causal_pay_vent(pay, n++, e->id, e->n);
		if (diff)
			causal_vec_raise(vs->known, e->id, e->n);
	}
	if (vs->v->lossy)
		flags |= CAUSAL_TCPOPT_F_INEXACT;
	spin_unlock_bh(&vs->lock);
	causal_sock_count(cs, CAUSAL_STAT_VECTOR_WIDTH_DROPS, drops);
	if (more) {
		flags |= CAUSAL_TCPOPT_F_INCOMPLETE;
		causal_sock_count(cs, CAUSAL_STAT_VECTOR_INCOMPLETE_OUT, 1);
	}
	pay[0] = flags;
	causal_task_note(cs);
	return 1 + n * CAUSAL_PAY_VEC_ENTRY;
}

/*
 * A receive in vector mode, in three steps: begin takes the socket's clock
 * (and its lock), pay merges each payload the received bytes came with,
 * end ticks and releases.  Anything less than the whole truth (a payload
 * inexact or incomplete, bytes without one, a malformed entry: @lost) makes
 * the clock lossy.
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
	return true;
}

/**
 * causal_vec_recv_pay() - merge one vector payload into the socket's clock
 * @rx: the receive, between causal_vec_recv_begin() and _end()
 * @pay: the payload
 * @len: its length
 */
void causal_vec_recv_pay(struct causal_vec_rx *rx, const u8 *pay, u32 len)
{
	struct causal_vclock *vs = rx->vs;
	u32 k, fresh = 0, now;

	lockdep_assert_held(&vs->lock);
	/* An entry too far ahead of the socket's: the whole stamp stays out. */
	for (k = 1; k + CAUSAL_PAY_VEC_ENTRY <= len; k += CAUSAL_PAY_VEC_ENTRY) {
		u64 id = causal_wire_getn(&pay[k], CAUSAL_PAY_VEC_ID_BYTES);
		u32 n = causal_wire_get32(&pay[k + CAUSAL_PAY_VEC_ID_BYTES]);
		u32 have = id ? causal_vec_get(vs->v, id) : 0;

		if (id && causal_lamport_forged(have, n, rx->max_jump)) {
			rx->forged = true;
			return;
		}
		fresh += id && n && !have;
	}
	causal_vclock_room(vs, vs->v->len + fresh);
	if (pay[0] & (CAUSAL_TCPOPT_F_INEXACT | CAUSAL_TCPOPT_F_INCOMPLETE))
		rx->lost = true;
	now = causal_vec_now();
	for (k = 1; k + CAUSAL_PAY_VEC_ENTRY <= len; k += CAUSAL_PAY_VEC_ENTRY) {
		u64 id = causal_wire_getn(&pay[k], CAUSAL_PAY_VEC_ID_BYTES);
		u32 n = causal_wire_get32(&pay[k + CAUSAL_PAY_VEC_ID_BYTES]);

		if (!id) {
			rx->lost = true;
			continue;
		}
		rx->drops -= causal_vec_raise_at(vs->v, id, n, now);
		causal_vec_raise(vs->known, id, n);
	}
}

/**
 * causal_vec_recv_end() - tick and finish a vector receive on @cs
 * @cs: the socket
 * @rx: the receive, after causal_vec_recv_begin()
 * @lost: bytes came without a vector payload
 *
 * Return: the participant's count after the receive.
 */
u64 causal_vec_recv_end(struct causal_sock *cs, struct causal_vec_rx *rx, bool lost)
{
	struct causal_vclock *vs = rx->vs;
	int drops = rx->drops;
	u64 c;

	lockdep_assert_held(&vs->lock);
	lost |= rx->lost | rx->forged;
	if (lost)
		vs->v->lossy = 1;
	c = causal_vec_tick_locked(cs, vs, rx->vt, &drops, rx->note);
	spin_unlock_bh(&vs->lock);
	causal_task_note(cs);
	causal_sock_count(cs, CAUSAL_STAT_VECTOR_WIDTH_DROPS, drops);
	if (lost)
		causal_sock_count(cs, CAUSAL_STAT_LOSSY_IN, 1);
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
