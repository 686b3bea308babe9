// SPDX-License-Identifier: GPL-2.0
/*
 * TCP events and the kfuncs causal's BPF programs call for them.
 *
 * A send event happens when an application hands data to a socket
 * (tcp_sendmsg_locked), a receive event when it takes data out
 * (tcp_recvmsg_locked, tcp_read_sock).  Tracing programs on those functions
 * call causal_tcp_send() and causal_tcp_recv() with the socket and its
 * causal_tcp_state (include/causal/tcp_state.h), which the sock_ops program
 * reads to stamp segments and fills with the stamps it parses.
 *
 * Exactness.  Each send starts a new skb (the previous tail is marked
 * end-of-record, as MSG_EOR does), so every skb, and every segment cut from
 * it, holds the bytes of exactly one send and carries that send's stamp.  A
 * receive merges the stamps of exactly the byte ranges it consumed.  When a
 * history is full, two entries are folded into one whose stamp is an upper
 * bound; such stamps are flagged and counted, and still keep the Lamport
 * condition.
 */

#include <linux/bpf.h>
#include <linux/ktime.h>
#include <net/tcp.h>
#include <causal/clock.h>
#include <causal/tcp_state.h>
#include <causal/vclock.h>
#include <uapi/linux/causal.h>
#include <uapi/linux/causal_wire.h>

#include "compat.h"
#include "ctx.h"
#include "sock.h"
#include "tcp.h"

/* Remember who sent or received last. */
static void causal_task_note(struct causal_sock *cs)
{
	if (in_task()) {
		cs->pid = task_tgid_nr(current);
		strscpy(cs->comm, current->comm, sizeof(cs->comm));
	}
}

/* Clock of an event after @local; with @remote when it merges a stamp. */
static u64 causal_tick(u32 clock, u64 local, const u64 *remote)
{
	u64 wall;

	if (clock == CAUSAL_CLOCK_HLC) {
		wall = causal_hlc_wall(ktime_get_real_ns());
		return remote ? causal_hlc_recv(local, *remote, wall)
			      : causal_hlc_send(local, wall);
	}
	return remote ? causal_lamport_recv(local, *remote)
		      : causal_lamport_send(local);
}

/*
 * An event on @cs: advance the socket's clock, starting from the thread's or
 * process's clock too if the node's scope says so, and raise that one.
 */
static u64 causal_event(struct causal_sock *cs, const u64 *remote)
{
	struct causal_net *cn = cs->cn;
	atomic64_t *ctx = causal_ctx_clock(READ_ONCE(cn->scope));
	u64 base = cs->clock, c;

	if (ctx)
		base = causal_max(base, atomic64_read(ctx));
	c = causal_tick(READ_ONCE(cn->clock), base, remote);
	WRITE_ONCE(cs->clock, c);
	if (ctx)
		causal_ctx_max(ctx, c);
	causal_task_note(cs);
	return c;
}

/* Move what sock_ops counted into the socket's and the node's counters. */
static void causal_drain(struct causal_sock *cs, struct causal_tcp_state *st)
{
	causal_sock_count(cs, CAUSAL_STAT_STAMPS_OUT, st->stamped_out);
	causal_sock_count(cs, CAUSAL_STAT_NOSPACE_OUT, st->nospace_out);
	causal_sock_count(cs, CAUSAL_STAT_STAMPS_IN, st->stamped_in);
	causal_sock_count(cs, CAUSAL_STAT_MALFORMED_IN, st->malformed_in);
	causal_sock_count(cs, CAUSAL_STAT_FOREIGN_IN, st->foreign_in);
	causal_sock_count(cs, CAUSAL_STAT_VECTOR_INCOMPLETE_OUT, st->incomplete_out);
	st->stamped_out = 0;
	st->nospace_out = 0;
	st->stamped_in = 0;
	st->malformed_in = 0;
	st->foreign_in = 0;
	st->incomplete_out = 0;
}

static struct causal_sock *causal_tcp_sock(struct sock *sk,
					   struct causal_tcp_state *st)
{
	struct causal_sock *cs;

	if (sk->sk_protocol != IPPROTO_TCP || st->flags & CAUSAL_TS_UNTRACKED)
		return NULL;
	cs = causal_sock_lookup(sk);
	if (cs)
		return cs;
	cs = causal_sock_create(sk);
	st->flags |= cs ? CAUSAL_TS_TRACKED : CAUSAL_TS_UNTRACKED;
	return cs;
}

static bool causal_pay_vector(const u8 *pay)
{
	return pay[0] & CAUSAL_TCPOPT_F_VECTOR;
}

/* Tell sock_ops how much room the payloads of the node's clock form take. */
static void causal_pay_sizes(struct causal_tcp_state *st, bool vector)
{
	if (vector) {
		st->pay_max = CAUSAL_PAY_MAX;
		st->pay_step = CAUSAL_PAY_VEC_ENTRY;
		st->pay_min = 1;
	} else {
		st->pay_max = CAUSAL_PAY_SCALAR_FULL;
		st->pay_step = CAUSAL_PAY_SCALAR_FULL - CAUSAL_PAY_SCALAR_SHORT;
		st->pay_min = CAUSAL_PAY_SCALAR_SHORT;
	}
}

/* Drop history entry @i, keeping the order of the others. */
static void causal_tx_drop(struct causal_tcp_state *st, u32 i)
{
	for (i++; i < st->tx_count; i++) {
		st->tx_seq[i - 1] = st->tx_seq[i];
		st->tx_len[i - 1] = st->tx_len[i];
		memcpy(st->tx_pay[i - 1], st->tx_pay[i], CAUSAL_PAY_ROOM);
	}
	st->tx_count--;
}

/*
 * Record that bytes from @seq on carry payload @pay of @len bytes.  Entries
 * whose bytes are all acknowledged go first.  When still full, the two
 * oldest become one range that starts where the first did, flagged inexact:
 * a scalar takes the second's stamp (an upper bound of the first's), a
 * vector the first's entries (a lower bound of the second's).
 */
static void causal_tx_push(struct causal_tcp_state *st, u32 una, u32 seq,
			   const u8 *pay, u32 len)
{
	u32 n;

	if (st->tx_count > CAUSAL_TX_SLOTS)
		st->tx_count = 0;
	while (st->tx_count >= 2 && !before(una, st->tx_seq[1]))
		causal_tx_drop(st, 0);
	/* A send that wrote nothing leaves an entry the next one replaces. */
	if (st->tx_count && st->tx_seq[st->tx_count - 1] == seq)
		st->tx_count--;
	if (st->tx_count == CAUSAL_TX_SLOTS) {
		u32 first = st->tx_seq[0];

		causal_tx_drop(st, causal_pay_vector(st->tx_pay[0]) ? 1 : 0);
		st->tx_seq[0] = first;
		st->tx_pay[0][0] |= CAUSAL_TCPOPT_F_INEXACT;
	}
	n = st->tx_count++;
	st->tx_seq[n] = seq;
	st->tx_len[n] = len;
	memcpy(st->tx_pay[n], pay, CAUSAL_PAY_ROOM);
}

static u32 causal_pay_scalar(u8 *pay, u64 stamp, u64 node)
{
	pay[0] = CAUSAL_TCPOPT_VERSION << CAUSAL_TCPOPT_F_VERSION_SHIFT;
	causal_wire_put64(&pay[CAUSAL_PAY_STAMP], stamp);
	causal_wire_put64(&pay[CAUSAL_PAY_NODE], node);
	return CAUSAL_PAY_SCALAR_FULL;
}

/*
 * The vector clock of @cs, made if needed.  One that comes late, after
 * memory ran short for it, starts lossy: it missed events.
 */
static struct causal_vclock *causal_tcp_vclock(struct causal_sock *cs)
{
	struct causal_vclock *vc = causal_sock_vclock(cs);

	if (!vc) {
		WRITE_ONCE(cs->vec_missed, 1);
		return NULL;
	}
	if (READ_ONCE(cs->vec_missed))
		vc->v->lossy = 1;
	return vc;
}

/*
 * A vector event on @cs after its receive (if any) was merged into the
 * socket's clock: take in the thread's or process's clock, tick the
 * participant's entry, and hand the result back to the thread.
 */
static u64 causal_vec_tick_locked(struct causal_sock *cs, struct causal_vclock *vs,
				  struct causal_vclock *vt, int *drops)
{
	u64 own = vt ? vt->id : vs->id;
	u32 n;

	if (vt) {
		spin_lock(&vt->lock);
		*drops += causal_vec_merge(vs->v, vt->v);
	}
	*drops += causal_vec_tick(vs->v, own);
	if (vt) {
		causal_vec_copy(vt->v, vs->v);
		spin_unlock(&vt->lock);
	}
	n = causal_vec_get(vs->v, own);
	WRITE_ONCE(cs->clock, n);
	return n;
}

static void causal_pay_vent(u8 *pay, u32 i, u64 id, u32 n)
{
	u8 *p = &pay[1 + i * CAUSAL_PAY_VEC_ENTRY];

	causal_wire_putn(p, id, CAUSAL_PAY_VEC_ID_BYTES);
	causal_wire_putn(p + CAUSAL_PAY_VEC_ID_BYTES, n, 4);
}

/*
 * A send in vector mode: tick, and encode what the peer's socket does not
 * know yet (Singhal and Kshemkalyani's differential technique, sound on a
 * FIFO channel): the participant's own entry first, then every entry above
 * what was sent or received on the connection, as many as fit.
 */
static u32 causal_vec_send(struct causal_sock *cs, u8 *pay, u64 *clock)
{
	struct causal_net *cn = cs->cn;
	struct causal_vclock *vs = causal_tcp_vclock(cs), *vt;
	u32 i, n = 0, more = 0;
	int drops = 0;
	u64 own;
	u8 flags = CAUSAL_TCPOPT_F_VECTOR;

	if (!vs) {
		pay[0] = flags | CAUSAL_TCPOPT_F_INEXACT;
		*clock = 0;
		return 1;
	}
	vt = causal_ctx_vclock(READ_ONCE(cn->scope), READ_ONCE(cn->vector_width));
	spin_lock_bh(&vs->lock);
	*clock = causal_vec_tick_locked(cs, vs, vt, &drops);
	own = vt ? vt->id : vs->id;
	causal_pay_vent(pay, n++, own, *clock);
	causal_vec_raise(vs->known, own, *clock);
	for (i = 0; i < vs->v->len; i++) {
		const struct causal_vent *e = &vs->v->e[i];

		if (e->id == own || e->n <= causal_vec_get(vs->known, e->id))
			continue;
		if (n == CAUSAL_PAY_VEC_MAX_ENTRIES) {
			more = 1;
			continue;
		}
		causal_pay_vent(pay, n++, e->id, e->n);
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
	return 1 + n * CAUSAL_PAY_VEC_ENTRY;
}

/*
 * A receive in vector mode of the ranges in @used.  Entries raise the
 * socket's clock and what it knows the peer knows.  Anything less than the
 * whole truth (an inexact or incomplete payload, bytes without a vector, a
 * malformed entry) makes the clock lossy.
 */
static u64 causal_vec_recv(struct causal_sock *cs, struct causal_tcp_state *st,
			   u32 used, bool lost)
{
	struct causal_net *cn = cs->cn;
	struct causal_vclock *vs = causal_tcp_vclock(cs), *vt;
	int drops = 0;
	u32 i, k, len;
	u64 c;

	if (!vs)
		return 0;
	vt = causal_ctx_vclock(READ_ONCE(cn->scope), READ_ONCE(cn->vector_width));
	spin_lock_bh(&vs->lock);
	for (i = 0; i < st->rx_count; i++) {
		const u8 *pay = st->rx_pay[i];

		if (!(used & BIT(i)))
			continue;
		len = min_t(u32, st->rx_len[i], CAUSAL_PAY_MAX);
		if (pay[0] & (CAUSAL_TCPOPT_F_INEXACT | CAUSAL_TCPOPT_F_INCOMPLETE))
			lost = true;
		for (k = 1; k + CAUSAL_PAY_VEC_ENTRY <= len; k += CAUSAL_PAY_VEC_ENTRY) {
			u64 id = causal_wire_getn(&pay[k], CAUSAL_PAY_VEC_ID_BYTES);
			u32 n = causal_wire_getn(&pay[k + CAUSAL_PAY_VEC_ID_BYTES], 4);

			if (!id) {
				lost = true;
				continue;
			}
			drops -= causal_vec_raise(vs->v, id, n);
			causal_vec_raise(vs->known, id, n);
		}
	}
	if (lost)
		vs->v->lossy = 1;
	c = causal_vec_tick_locked(cs, vs, vt, &drops);
	spin_unlock_bh(&vs->lock);
	causal_sock_count(cs, CAUSAL_STAT_VECTOR_WIDTH_DROPS, drops);
	if (lost)
		causal_sock_count(cs, CAUSAL_STAT_LOSSY_IN, 1);
	return c;
}

/* kfuncs are global but called only from BPF programs: no prototypes. */
__diag_push();
__diag_ignore_all("-Wmissing-prototypes", "kfuncs are called from BPF programs only");
__diag_ignore_all("-Wmissing-declarations", "kfuncs are called from BPF programs only");

/**
 * causal_tcp_send() - an application starts sending on a TCP socket
 * @sk: the socket, with its lock held (fentry of tcp_sendmsg_locked)
 * @st: its record in the causal_tcp socket storage
 *
 * Ticks the clock, makes the coming bytes start a new skb and records the
 * stamp they will carry.
 *
 * Return: 0, or -ENOENT when the socket goes untracked.
 */
__bpf_kfunc int causal_tcp_send(struct sock *sk, struct causal_tcp_state *st)
{
	struct causal_sock *cs = causal_tcp_sock(sk, st);
	u8 pay[CAUSAL_PAY_ROOM] = {};
	struct sk_buff *tail;
	bool vector;
	u32 len;
	u64 c;

	if (!cs)
		return -ENOENT;
	causal_drain(cs, st);
	tail = tcp_write_queue_tail(sk);
	if (tail)
		TCP_SKB_CB(tail)->eor = 1;
	vector = READ_ONCE(cs->cn->clock) == CAUSAL_CLOCK_VECTOR;
	if (vector) {
		len = causal_vec_send(cs, pay, &c);
		causal_task_note(cs);
	} else {
		c = causal_event(cs, NULL);
		len = causal_pay_scalar(pay, c, READ_ONCE(cs->cn->node_id));
	}
	WRITE_ONCE(cs->last_send, c);
	causal_sock_count(cs, CAUSAL_STAT_SENDS, 1);
	causal_pay_sizes(st, vector);
	causal_tx_push(st, tcp_sk(sk)->snd_una, tcp_sk(sk)->write_seq, pay, len);
	return 0;
}

/**
 * causal_tcp_recv() - an application took @copied bytes out of a TCP socket
 * @sk: the socket, with its lock held (fexit of tcp_recvmsg_locked or
 *	tcp_read_sock); the bytes end at its copied_seq
 * @st: its record in the causal_tcp socket storage
 * @copied: how many bytes
 *
 * Merges the stamps of exactly those bytes into the clock and forgets the
 * ranges consumed in full.
 *
 * Return: 0, or -ENOENT when the socket goes untracked.
 */
__bpf_kfunc int causal_tcp_recv(struct sock *sk, struct causal_tcp_state *st,
				int copied)
{
	struct causal_sock *cs;
	u32 end, start, pos, i, n, used = 0;
	bool have = false, inexact = false, vector, lost;
	u64 stamp = 0, node = 0, c;

	if (copied <= 0)
		return 0;
	cs = causal_tcp_sock(sk, st);
	if (!cs)
		return -ENOENT;
	causal_drain(cs, st);
	vector = READ_ONCE(cs->cn->clock) == CAUSAL_CLOCK_VECTOR;
	end = READ_ONCE(tcp_sk(sk)->copied_seq);
	start = end - copied;
	if (st->rx_count > CAUSAL_RX_SLOTS)
		st->rx_count = 0;

	/* The ranges the bytes read came in, with a payload of our form. */
	for (i = 0; i < st->rx_count; i++) {
		const u8 *pay = st->rx_pay[i];

		if (!before(st->rx_start[i], end) || !after(st->rx_end[i], start) ||
		    causal_pay_vector(pay) != vector)
			continue;
		used |= BIT(i);
		if (pay[0] & CAUSAL_TCPOPT_F_INEXACT)
			inexact = true;
		if (vector)
			continue;
		c = causal_wire_get64(&pay[CAUSAL_PAY_STAMP]);
		stamp = have ? causal_max(stamp, c) : c;
		have = true;
		if (st->rx_len[i] == CAUSAL_PAY_SCALAR_FULL)
			node = causal_wire_get64(&pay[CAUSAL_PAY_NODE]);
	}
	/* Do they cover every byte?  Walk from start over them. */
	for (pos = start, n = 0; n < st->rx_count && before(pos, end); n++) {
		u32 reach = pos;

		for (i = 0; i < st->rx_count; i++)
			if ((used & BIT(i)) && !after(st->rx_start[i], pos) &&
			    after(st->rx_end[i], reach))
				reach = st->rx_end[i];
		if (reach == pos)
			break;
		pos = reach;
	}
	lost = before(pos, end);

	if (vector) {
		c = causal_vec_recv(cs, st, used, lost);
		causal_task_note(cs);
	} else {
		c = causal_event(cs, have ? &stamp : NULL);
	}

	/* Forget ranges read in full; keep the order of the rest. */
	for (i = 0, n = 0; i < st->rx_count; i++) {
		if (!after(st->rx_end[i], end))
			continue;
		if (n != i) {
			st->rx_start[n] = st->rx_start[i];
			st->rx_end[n] = st->rx_end[i];
			st->rx_len[n] = st->rx_len[i];
			memcpy(st->rx_pay[n], st->rx_pay[i], CAUSAL_PAY_ROOM);
		}
		n++;
	}
	st->rx_count = n;

	WRITE_ONCE(cs->last_recv, c);
	causal_sock_count(cs, CAUSAL_STAT_RECEIVES, 1);
	if (have)
		WRITE_ONCE(cs->remote_stamp, stamp);
	if (node)
		WRITE_ONCE(cs->remote_node, node);
	if (lost)
		causal_sock_count(cs, CAUSAL_STAT_UNSTAMPED_IN, 1);
	if (inexact)
		causal_sock_count(cs, CAUSAL_STAT_INEXACT_IN, 1);
	return 0;
}

/**
 * causal_tcp_close() - a TCP socket is being destroyed
 * @sk: the socket (fentry of tcp_v4_destroy_sock, which IPv6 uses too)
 * @st: its record in the causal_tcp socket storage
 *
 * Collects what sock_ops counted since the last event; the module drops the
 * socket's state right after, on the tcp_destroy_sock tracepoint.
 */
__bpf_kfunc void causal_tcp_close(struct sock *sk, struct causal_tcp_state *st)
{
	struct causal_sock *cs = causal_sock_lookup(sk);

	if (cs)
		causal_drain(cs, st);
}

__diag_pop();

BTF_KFUNCS_START(causal_tcp_kfunc_ids)
BTF_ID_FLAGS(func, causal_tcp_send)
BTF_ID_FLAGS(func, causal_tcp_recv)
BTF_ID_FLAGS(func, causal_tcp_close)
BTF_KFUNCS_END(causal_tcp_kfunc_ids)

static const struct btf_kfunc_id_set causal_tcp_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &causal_tcp_kfunc_ids,
};

/**
 * causal_tcp_init() - offer the kfuncs to tracing programs
 *
 * Tracing programs may call module kfuncs on every kernel causal supports,
 * and only they call these.
 *
 * Return: 0 or the error of register_btf_kfunc_id_set().
 */
int causal_tcp_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &causal_tcp_kfunc_set);
}
