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
#include <uapi/linux/causal.h>

#include "compat.h"
#include "ctx.h"
#include "sock.h"
#include "tcp.h"

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
	if (in_task()) {
		cs->pid = task_tgid_nr(current);
		strscpy(cs->comm, current->comm, sizeof(cs->comm));
	}
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
	st->stamped_out = 0;
	st->nospace_out = 0;
	st->stamped_in = 0;
	st->malformed_in = 0;
	st->foreign_in = 0;
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

static void causal_tx_drop_first(struct causal_tcp_state *st)
{
	u32 i;

	for (i = 1; i < st->tx_count; i++) {
		st->tx_seq[i - 1] = st->tx_seq[i];
		st->tx_stamp[i - 1] = st->tx_stamp[i];
	}
	st->tx_inexact >>= 1;
	st->tx_count--;
}

/*
 * Record that bytes from @seq on carry @stamp.  Entries whose bytes are all
 * acknowledged go first; when still full, the two oldest become one that
 * starts where the first did and carries the second's stamp: an upper bound.
 */
static void causal_tx_push(struct causal_tcp_state *st, u32 una, u32 seq, u64 stamp)
{
	u32 n;

	if (st->tx_count > CAUSAL_TX_SLOTS)
		st->tx_count = 0;
	while (st->tx_count >= 2 && !before(una, st->tx_seq[1]))
		causal_tx_drop_first(st);
	/* A send that wrote nothing leaves an entry the next one replaces. */
	if (st->tx_count && st->tx_seq[st->tx_count - 1] == seq)
		st->tx_count--;
	if (st->tx_count == CAUSAL_TX_SLOTS) {
		u32 first = st->tx_seq[0];

		causal_tx_drop_first(st);
		st->tx_seq[0] = first;
		st->tx_inexact |= 1;
	}
	n = st->tx_count++;
	st->tx_seq[n] = seq;
	st->tx_stamp[n] = stamp;
	st->tx_inexact &= ~(1U << n);
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
	struct sk_buff *tail;
	u64 c;

	if (!cs)
		return -ENOENT;
	causal_drain(cs, st);
	tail = tcp_write_queue_tail(sk);
	if (tail)
		TCP_SKB_CB(tail)->eor = 1;
	c = causal_event(cs, NULL);
	WRITE_ONCE(cs->last_send, c);
	causal_sock_count(cs, CAUSAL_STAT_SENDS, 1);
	causal_tx_push(st, tcp_sk(sk)->snd_una, tcp_sk(sk)->write_seq, c);
	st->node = READ_ONCE(cs->cn->node_id);
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
	u32 end, start, pos, i, n;
	bool have = false, inexact = false;
	u64 stamp = 0, c;

	if (copied <= 0)
		return 0;
	cs = causal_tcp_sock(sk, st);
	if (!cs)
		return -ENOENT;
	causal_drain(cs, st);
	end = READ_ONCE(tcp_sk(sk)->copied_seq);
	start = end - copied;
	if (st->rx_count > CAUSAL_RX_SLOTS)
		st->rx_count = 0;

	for (i = 0; i < st->rx_count; i++) {
		if (!before(st->rx_start[i], end) || !after(st->rx_end[i], start))
			continue;
		stamp = have ? causal_max(stamp, st->rx_stamp[i]) : st->rx_stamp[i];
		have = true;
		inexact |= st->rx_inexact & (1U << i);
	}
	/* Do the ranges cover every byte?  Walk from start over them. */
	for (pos = start, n = 0; n < st->rx_count && before(pos, end); n++) {
		u32 reach = pos;

		for (i = 0; i < st->rx_count; i++)
			if (!after(st->rx_start[i], pos) && after(st->rx_end[i], reach))
				reach = st->rx_end[i];
		if (reach == pos)
			break;
		pos = reach;
	}
	/* Forget ranges read in full; keep the order of the rest. */
	for (i = 0, n = 0; i < st->rx_count; i++) {
		if (!after(st->rx_end[i], end))
			continue;
		st->rx_start[n] = st->rx_start[i];
		st->rx_end[n] = st->rx_end[i];
		st->rx_stamp[n] = st->rx_stamp[i];
		if (st->rx_inexact & (1U << i))
			st->rx_inexact |= 1U << n;
		else
			st->rx_inexact &= ~(1U << n);
		n++;
	}
	st->rx_count = n;
	st->rx_inexact &= (1U << n) - 1;

	c = causal_event(cs, have ? &stamp : NULL);
	WRITE_ONCE(cs->last_recv, c);
	causal_sock_count(cs, CAUSAL_STAT_RECEIVES, 1);
	if (have)
		WRITE_ONCE(cs->remote_stamp, stamp);
	if (st->rx_node)
		WRITE_ONCE(cs->remote_node, st->rx_node);
	if (before(pos, end))
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
