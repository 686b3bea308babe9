// SPDX-License-Identifier: GPL-2.0
/*
 * TCP events and the kfuncs causal's BPF programs call for them.
 *
 * A send event happens when an application hands data to a socket
 * (tcp_sendmsg_locked), a receive event when it takes data out
 * (tcp_recvmsg_locked, tcp_read_sock, ...).  Tracing programs on those
 * functions call causal_tcp_send() and causal_tcp_recv() with the socket
 * and its causal_tcp_state (include/causal/tcp_state.h), which the sock_ops
 * program reads to stamp segments and fills with the stamps it parses; for
 * vector clocks, the _vec variants with the connection's histories too (a
 * call without them returns -EAGAIN: the program makes them and calls
 * again).
 *
 * Scalar clocks (Lamport, HLC).  Every data segment carries the largest
 * clock of the socket's sends so far, which is at least the stamp of every
 * send whose bytes it holds or follows; the receiver keeps the largest it
 * parsed, and a receive merges it.  The Lamport condition holds (a -> b
 * implies C(a) < C(b)) with no forced segment boundaries and no history:
 * which sends a receive read is joined offline, exactly, from the stream
 * and sequence numbers its event carries (user/streamjoin.c).
 *
 * Vector clocks.  Each send starts a new skb (the previous tail is marked
 * end-of-record, as MSG_EOR does), so every skb, and every segment cut from
 * it, holds the bytes of exactly one send and carries that send's stamp.  A
 * receive merges the stamps of exactly the byte ranges it consumed.  When a
 * history is full, two entries are folded into one, flagged and counted:
 * the vector becomes a lower bound (the clock turns lossy, never claims too
 * much).
 */

#include <linux/bpf.h>
#include <linux/bpf_local_storage.h>
#include <linux/ktime.h>
#include <net/tcp.h>
#include <causal/clock.h>
#include <causal/tcp_state.h>
#include <causal/vclock.h>
#include <uapi/linux/causal.h>
#include <uapi/linux/causal_wire.h>

#include "compat.h"
#include "ctx.h"
#include "guard.h"
#include "event.h"
#include "sock.h"
#include "kfunc.h"
#include "notify.h"

/* A record and its storage header: one allocation of 192 bytes; histories, 1 KiB. */
static_assert(offsetof(struct bpf_local_storage_elem, sdata.data) +
	      sizeof(struct causal_tcp_state) <= 192);
static_assert(offsetof(struct bpf_local_storage_elem, sdata.data) +
	      sizeof(struct causal_tcp_vec) <= 1024);

/* Move what sock_ops counted into the socket's and the node's counters. */
static void causal_drain(struct causal_sock *cs, struct causal_tcp_state *st)
{
	if (!(st->stamped_out | st->nospace_out | st->stamped_in | st->malformed_in |
	      st->foreign_in | st->incomplete_out))
		return;
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
	/* where the module keeps the records, it made this one with its own */
	if (cs || causal_own_records)
		return cs;
	cs = causal_sock_create(sk);
	st->flags |= cs ? CAUSAL_TS_TRACKED : CAUSAL_TS_UNTRACKED;
	return cs;
}

/*
 * The state of @sk, and in *@st its record: the one a program passed
 * (records in BPF storage, or one it found with causal_tcp_record()), else,
 * with *@st NULL, the one behind the state.  The _own kfuncs pass none, so
 * that a send or a receive finds the socket once, not twice.
 */
static struct causal_sock *causal_tcp_find(struct sock *sk, struct causal_tcp_state **st)
{
	struct causal_sock *cs;

	if (*st)
		return causal_tcp_sock(sk, *st);
	cs = causal_sock_lookup(sk);
	*st = cs ? causal_sock_record(cs) : NULL;
	return *st ? cs : NULL;
}

/**
 * causal_tcp_record() - the record of a TCP connection the module keeps
 * @sk: the connection (sock_ops: its ops->sk; a tracing program: the
 *	socket of the function it is attached to)
 * @create: make it if there is none (@sk's lock held): the connection is
 *	being established, or connects
 * @rdwr_buf_size: sizeof(struct causal_tcp_state), which the program may
 *	then use at the pointer returned
 *
 * Where sock_ops programs may call the module (Linux 6.8+: kfuncs for
 * every program type, filtered), a connection's record lives right behind
 * its causal_sock instead of in BPF socket storage, which costs a storage
 * header and an element per socket.  The BPF programs use it as they use
 * the storage's record.
 *
 * Context: any BPF program runs under RCU, which keeps the record: it is
 * freed a grace period after TCP destroys the socket.
 * Return: the record, or NULL: none, records kept in BPF storage
 * (own_records=N), @sk not a full TCP socket, or refused (a size other
 * than the record's; with @create, a call causal_call_sk() refuses), the
 * node at its cap, memory short.
 */
__bpf_kfunc u8 *causal_tcp_record(struct sock *sk, int create, const int rdwr_buf_size)
{
	struct causal_tcp_state *st = NULL;
	struct causal_sock *cs;
	unsigned int bit;

	if (rdwr_buf_size != sizeof(struct causal_tcp_state)) {
		causal_call_refuse(sk ? sock_net(sk) : &init_net, -EINVAL);
		return NULL;
	}
	if (!causal_own_records || !sk || !sk_fullsock(sk) || sk->sk_protocol != IPPROTO_TCP)
		return NULL;
	if (!create) {
		RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "TCP record looked up outside RCU");
		cs = causal_sock_lookup(sk);
		return cs ? (u8 *)causal_sock_record(cs) : NULL;
	}
	if (sock_flag(sk, SOCK_DEAD) || causal_call_sk(sk, IPPROTO_TCP, true, &bit))
		return NULL;
	cs = causal_sock_lookup(sk);
	if (!cs) {
		cs = causal_sock_create(sk);
		if (cs)
			causal_sock_record(cs)->flags = CAUSAL_TS_TRACKED;
	}
	if (cs)
		st = causal_sock_record(cs);
	causal_call_end(bit);
	return (u8 *)st;
}

static bool causal_pay_vector(const u8 *pay)
{
	return pay[0] & CAUSAL_TCPOPT_F_VECTOR;
}

/* Tell sock_ops how much room the payloads of the node's clock form take. */
static void causal_pay_sizes(struct causal_tcp_state *st, bool vector)
{
	st->pay_max = vector ? CAUSAL_PAY_MAX : CAUSAL_PAY_SCALAR_CLOCK;
	st->pay_vector = vector;
}

/* Drop history entry @i, keeping the order of the others. */
static void causal_tx_drop(struct causal_tcp_vec *vh, u32 i)
{
	for (i++; i < vh->tx_count; i++) {
		vh->tx_seq[i - 1] = vh->tx_seq[i];
		vh->tx_len[i - 1] = vh->tx_len[i];
		memcpy(vh->tx_pay[i - 1], vh->tx_pay[i], CAUSAL_PAY_ROOM);
	}
	vh->tx_count--;
}

/*
 * Record that bytes from @seq on carry payload @pay of @len bytes.  Entries
 * whose bytes are all acknowledged go first.  When still full, the two
 * oldest become one range that starts where the first did, flagged inexact:
 * a scalar takes the second's stamp (an upper bound of the first's), a
 * vector the first's entries (a lower bound of the second's).
 */
static void causal_tx_push(struct causal_tcp_vec *vh, u32 una, u32 seq,
			   const u8 *pay, u32 len)
{
	u32 n;

	if (vh->tx_count > CAUSAL_TX_SLOTS)
		vh->tx_count = 0;
	while (vh->tx_count >= 2 && !before(una, vh->tx_seq[1]))
		causal_tx_drop(vh, 0);
	/* A send that wrote nothing leaves an entry the next one replaces. */
	if (vh->tx_count && vh->tx_seq[vh->tx_count - 1] == seq)
		vh->tx_count--;
	if (vh->tx_count == CAUSAL_TX_SLOTS) {
		u32 first = vh->tx_seq[0];

		causal_tx_drop(vh, causal_pay_vector(vh->tx_pay[0]) ? 1 : 0);
		vh->tx_seq[0] = first;
		vh->tx_pay[0][0] |= CAUSAL_TCPOPT_F_INEXACT;
	}
	n = vh->tx_count++;
	vh->tx_seq[n] = seq;
	vh->tx_len[n] = len;
	memcpy(vh->tx_pay[n], pay, CAUSAL_PAY_ROOM);
}

/*
 * The vector payload of the last send, if its bytes never left: it starts
 * where the coming send will (it wrote nothing), and the coming send will
 * replace it in the history.
 */
static const u8 *causal_tx_unsent(struct sock *sk, struct causal_tcp_vec *vh,
				  u32 *len)
{
	u32 last = vh->tx_count - 1;

	*len = 0;
	if (!vh->tx_count || vh->tx_count > CAUSAL_TX_SLOTS ||
	    vh->tx_seq[last] != tcp_sk(sk)->write_seq ||
	    !causal_pay_vector(vh->tx_pay[last]))
		return NULL;
	*len = min_t(u32, vh->tx_len[last], CAUSAL_PAY_MAX);
	return vh->tx_pay[last];
}

/* The sends a vector receive took bytes of, as the payloads of @used rx ranges name them. */
static void causal_tcp_keys(struct causal_note *n, const struct causal_tcp_vec *vh, u32 used)
{
	u32 i;

	if (!n->msg)
		return;
	for (i = 0; i < vh->rx_count; i++)
		if (used & BIT(i))
			causal_note_pay_key(n, vh->rx_pay[i],
					    min_t(u32, vh->rx_len[i], CAUSAL_PAY_MAX), 0);
}

/*
 * The stream of an event's bytes (CAUSAL_A_EVENT_STREAM): where the bytes of
 * their direction start, then where the other direction's do.
 */
static void causal_tcp_stream(struct causal_note *n, const struct causal_tcp_state *st,
			      bool out)
{
	if (!(st->flags & CAUSAL_TS_STREAM))
		return;
	causal_note_u64(n, CAUSAL_A_EVENT_STREAM, out ?
			(u64)st->snd_base << 32 | st->rcv_base :
			(u64)st->rcv_base << 32 | st->snd_base);
}

/* kfuncs: declared in kfunc.h, called from BPF programs only. */

/*
 * The note of a send under way waits for the send's end, which tells the
 * bytes it queued.  A socket has room for one only while someone listens
 * for events as it sends: made at the first such send, freed by the first
 * send nobody listens to (the last one's note went out before).  Return:
 * whether @n waits there; without room it is lost, and counted.
 */
static bool causal_tcp_note_keep(struct causal_sock *cs, struct causal_note *n)
{
	struct causal_sock_more *more = READ_ONCE(cs->more);

	if (!n->msg && !n->lost) {
		if (more && more->send_note) {
			kfree(more->send_note);
			more->send_note = NULL;
		}
		return false;
	}
	more = causal_sock_more(cs);
	if (more && !more->send_note)
		more->send_note = kmalloc(sizeof(*n), GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!more || !more->send_note) {
		n->lost = true;
		causal_note_end(n, cs, NULL, 0);
		return false;
	}
	*more->send_note = *n;
	return true;
}

/* Send the note of a send that is over, with the bytes it queued. */
static void causal_tcp_send_done(struct causal_sock *cs, struct sock *sk,
				 const struct causal_tcp_state *st, int sent)
{
	struct causal_sock_more *more = READ_ONCE(cs->more);
	struct causal_note *n = more ? more->send_note : NULL;

	if (!n || (!n->msg && !n->lost))
		return;
	causal_note_u32(n, CAUSAL_A_EVENT_BYTES, max(sent, 0));
	causal_note_u32(n, CAUSAL_A_EVENT_SEQ, n->seq);
	causal_tcp_stream(n, st, true);
	causal_note_end_sk(n, cs, sk, READ_ONCE(cs->last_send));
	n->msg = NULL;
	n->lost = false;
}

/* A vector send: its stamp the send's alone, kept in the history. */
static u64 causal_tcp_send_vector(struct causal_sock *cs, struct sock *sk,
				  struct causal_tcp_vec *vh, struct causal_note *n, u32 seq)
{
	u8 pay[CAUSAL_PAY_ROOM] = {};
	struct sk_buff *tail;
	const u8 *carry;
	u32 len, carry_len;
	u64 c;

	/* its bytes in skbs of their own */
	tail = tcp_write_queue_tail(sk);
	if (tail)
		TCP_SKB_CB(tail)->eor = 1;
	carry = causal_tx_unsent(sk, vh, &carry_len);
	len = causal_vec_send(cs, pay, CAUSAL_PAY_VEC_MAX_ENTRIES, true,
			      carry, carry_len, &c, n);
	/* bytes a SYN takes (TCP Fast Open) carry no vector */
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_SYN_SENT)
		causal_tx_push(vh, tcp_sk(sk)->snd_una, seq, pay, len);
	return c;
}

static int __causal_tcp_send(struct sock *sk, struct causal_sock *cs,
			     struct causal_tcp_state *st, struct causal_tcp_vec *vh)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_note note, *n = &note;
	bool vector;
	u64 c;

	sock_owned_by_me(sk);
	vector = READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR;
	if (vector && !vh) {
		causal_pay_sizes(st, true);
		return -EAGAIN;
	}
	causal_drain(cs, st);
	causal_tcp_send_done(cs, sk, st, 0);
	causal_note_begin(n, cn, sock_net(sk), CAUSAL_EVENT_TYPE_SEND, vector);
	n->seq = tcp_sk(sk)->write_seq;
	if (vector) {
		c = causal_tcp_send_vector(cs, sk, vh, n, n->seq);
	} else {
		/* segments carry the largest clock of the sends so far */
		c = causal_event(cs, NULL, NULL);
		st->tx_clock = max(st->tx_clock, c);
		st->tx_id32 = n->id;
		st->node_id = READ_ONCE(cn->node_id);
	}
	WRITE_ONCE(cs->last_send, c);
	causal_sock_count(cs, CAUSAL_STAT_SENDS, 1);
	causal_pay_sizes(st, vector);
	st->send_note = causal_tcp_note_keep(cs, n);
	return 0;
}

static int causal_tcp_send_call(struct sock *sk, struct causal_tcp_state *st,
				struct causal_tcp_vec *vh)
{
	struct causal_sock *cs;
	unsigned int bit;
	int ret;

	ret = causal_call_sk(sk, IPPROTO_TCP, true, &bit);
	if (ret)
		return ret;
	cs = causal_tcp_find(sk, &st);
	ret = cs ? __causal_tcp_send(sk, cs, st, vh) : -ENOENT;
	causal_call_end(bit);
	return ret;
}

/**
 * causal_tcp_send() - an application starts sending on a TCP socket
 * @sk: the socket, with its lock held (fentry of tcp_sendmsg_locked)
 * @st: its record in the causal_tcp socket storage
 *
 * Ticks the clock and records the stamp the coming bytes will carry.  The
 * event's note waits for causal_tcp_sent().
 *
 * Return: 0, -EAGAIN when the node's clock is a vector (call
 * causal_tcp_send_vec()), -ENOENT when the socket goes untracked, -EINVAL
 * without a record, or an error of causal_call_sk().
 */
__bpf_kfunc int causal_tcp_send(struct sock *sk, struct causal_tcp_state *st)
{
	return causal_tcp_send_vec(sk, st, NULL);
}

/**
 * causal_tcp_send_vec() - causal_tcp_send() for a node with vector clocks
 * @sk: the socket, with its lock held (fentry of tcp_sendmsg_locked)
 * @st: its record in the causal_tcp socket storage
 * @vh: its histories in the causal_tcp_vec socket storage
 *
 * Starts a new skb for the send's bytes and records its stamp in the send
 * history.  A node whose clock is a scalar again takes the scalar way.
 *
 * Return: as causal_tcp_send().
 */
__bpf_kfunc int causal_tcp_send_vec(struct sock *sk, struct causal_tcp_state *st,
				    struct causal_tcp_vec *vh)
{
	if (!st)
		return -EINVAL;
	return causal_tcp_send_call(sk, st, vh);
}

/**
 * causal_tcp_send_own() - causal_tcp_send() where the module keeps the
 *	record (causal_tcp_record())
 * @sk: the socket, with its lock held (fentry of tcp_sendmsg_locked)
 *
 * Return: as causal_tcp_send(); -ENOENT also when @sk has no record.
 */
__bpf_kfunc int causal_tcp_send_own(struct sock *sk)
{
	return causal_tcp_send_call(sk, NULL, NULL);
}

static int causal_tcp_sent_call(struct sock *sk, struct causal_tcp_state *st, int sent)
{
	struct causal_sock *cs;
	unsigned int bit;
	int ret;

	ret = causal_call_sk(sk, IPPROTO_TCP, true, &bit);
	if (ret)
		return ret;
	/*
	 * Where the program could not see the record's mark, a note can wait
	 * only while someone listens (one left since waits for the next send).
	 */
	if (st || causal_note_wanted(sock_net(sk))) {
		cs = causal_tcp_find(sk, &st);
		if (st)
			st->send_note = 0;
		if (cs)
			causal_tcp_send_done(cs, sk, st, sent);
		else
			ret = -ENOENT;
	}
	causal_call_end(bit);
	return ret;
}

/**
 * causal_tcp_sent() - a send is over
 * @sk: the socket, with its lock held (fexit of tcp_sendmsg_locked)
 * @st: its record in the causal_tcp socket storage
 * @sent: what the send returned: the bytes queued, or an error
 *
 * Return: 0, -ENOENT for a socket causal does not keep, or an error of
 * causal_call_sk().
 */
__bpf_kfunc int causal_tcp_sent(struct sock *sk, struct causal_tcp_state *st, int sent)
{
	if (!st)
		return -EINVAL;
	return causal_tcp_sent_call(sk, st, sent);
}

/**
 * causal_tcp_sent_own() - causal_tcp_sent() where the module keeps the
 *	record
 * @sk: the socket, with its lock held (fexit of tcp_sendmsg_locked)
 * @sent: what the send returned
 *
 * Does nothing on a TCP socket unless someone listens for events (asked
 * before the rest of causal_call_sk()'s checks, which do nothing wrong
 * here when skipped): else no note can be waiting for the send's end.
 *
 * Return: as causal_tcp_sent(); 0 on a TCP socket when nobody listens.
 */
__bpf_kfunc int causal_tcp_sent_own(struct sock *sk, int sent)
{
	if (sk && sk_fullsock(sk) && sk->sk_protocol == IPPROTO_TCP &&
	    !causal_note_wanted(sock_net(sk)))
		return 0;
	return causal_tcp_sent_call(sk, NULL, sent);
}

/*
 * TCP Fast Open: the send that connects came before the connection chose
 * its sequence numbers (in its fentry); its bytes start right after the SYN.
 */
static void causal_tcp_fastopen(struct causal_sock *cs, struct sock *sk)
{
	struct causal_sock_more *more = READ_ONCE(cs->more);

	if (tcp_sk(sk)->fastopen_req && more && more->send_note)
		more->send_note->seq = tcp_sk(sk)->snd_una + 1;
}

/*
 * A connect or an accept: an event of the socket's own, noted if anyone
 * listens.  @locked: the caller holds the socket's lock.
 */
static int causal_tcp_local(struct sock *sk, struct causal_tcp_state *st, bool locked, u8 type)
{
	struct causal_sock *cs;
	unsigned int bit;
	int ret;

	if (!st)
		return -EINVAL;
	ret = causal_call_sk(sk, IPPROTO_TCP, locked, &bit);
	if (ret)
		return ret;
	cs = causal_tcp_sock(sk, st);
	if (cs && type == CAUSAL_EVENT_TYPE_CONNECT)
		causal_tcp_fastopen(cs, sk);
	if (cs)
		causal_local_note(cs, sk, type);
	causal_call_end(bit);
	return cs ? 0 : -ENOENT;
}

/**
 * causal_tcp_connect() - a TCP connect sent its SYN
 * @sk: the socket, with its lock held (fexit of tcp_connect)
 * @st: its record in the causal_tcp socket storage
 *
 * Return: 0, -ENOENT when the socket goes untracked, -EINVAL without a
 * record, or an error of causal_call_sk().
 */
__bpf_kfunc int causal_tcp_connect(struct sock *sk, struct causal_tcp_state *st)
{
	return causal_tcp_local(sk, st, true, CAUSAL_EVENT_TYPE_CONNECT);
}

/**
 * causal_tcp_accept() - an application accepted a TCP connection
 * @sk: the new socket (fexit of inet_accept)
 * @st: its record in the causal_tcp socket storage
 *
 * Return: 0, -ENOENT when the socket goes untracked, -EINVAL without a
 * record, or an error of causal_call_sk().
 */
__bpf_kfunc int causal_tcp_accept(struct sock *sk, struct causal_tcp_state *st)
{
	return causal_tcp_local(sk, st, false, CAUSAL_EVENT_TYPE_ACCEPT);
}

/* What a receive's bytes carried. */
struct causal_rx_sel {
	u32 used;	/* vectors: bit i, range i holds some of them */
	u64 stamp;	/* scalar clocks: the largest stamp */
	u64 node;	/* the sender's node, when a full option came */
	bool have;	/* @stamp is one */
	bool inexact;	/* a stamp is only an upper bound */
};

/* The vector ranges of @vh the bytes [@start, @end) came in. */
static void causal_rx_select(const struct causal_tcp_vec *vh, u32 start, u32 end,
			     struct causal_rx_sel *sel)
{
	u32 i;

	for (i = 0; i < vh->rx_count; i++) {
		const u8 *pay = vh->rx_pay[i];

		if (!before(vh->rx_start[i], end) || !after(vh->rx_end[i], start) ||
		    !causal_pay_vector(pay))
			continue;
		sel->used |= BIT(i);
		if (pay[0] & CAUSAL_TCPOPT_F_INEXACT)
			sel->inexact = true;
	}
}

/* Whether the ranges in @used cover every byte of [@start, @end). */
static bool causal_rx_covered(const struct causal_tcp_vec *vh, u32 used, u32 start, u32 end)
{
	u32 pos, reach, i, n;

	for (pos = start, n = 0; n < vh->rx_count && before(pos, end); n++) {
		reach = pos;
		for (i = 0; i < vh->rx_count; i++)
			if ((used & BIT(i)) && !after(vh->rx_start[i], pos) &&
			    after(vh->rx_end[i], reach))
				reach = vh->rx_end[i];
		if (reach == pos)
			break;
		pos = reach;
	}
	return !before(pos, end);
}

/* Forget the ranges read in full (up to @end); keep the order of the rest. */
static void causal_rx_forget(struct causal_tcp_vec *vh, u32 end)
{
	u32 i, n;

	for (i = 0, n = 0; i < vh->rx_count; i++) {
		if (!after(vh->rx_end[i], end))
			continue;
		if (n != i) {
			vh->rx_start[n] = vh->rx_start[i];
			vh->rx_end[n] = vh->rx_end[i];
			vh->rx_len[n] = vh->rx_len[i];
			memcpy(vh->rx_pay[n], vh->rx_pay[i], CAUSAL_PAY_ROOM);
		}
		n++;
	}
	vh->rx_count = n;
}

/*
 * A vector receive of bytes [@start, @end): merges the stamps of exactly
 * the ranges that hold them.  Return: the receive's count.
 */
static u64 causal_rx_vector(struct causal_sock *cs, struct causal_tcp_vec *vh,
			    u32 start, u32 end, struct causal_rx_sel *sel, bool *lost,
			    struct causal_note *note, bool *forged)
{
	struct causal_vec_rx rx;
	u64 c;
	u32 i;

	if (vh->rx_count > CAUSAL_RX_SLOTS)
		vh->rx_count = 0;
	causal_rx_select(vh, start, end, sel);
	*lost = !causal_rx_covered(vh, sel->used, start, end);
	if (!causal_vec_recv_begin(cs, &rx, note))
		return 0;
	for (i = 0; i < vh->rx_count; i++)
		if (sel->used & BIT(i))
			causal_vec_recv_pay(&rx, vh->rx_pay[i],
					    min_t(u32, vh->rx_len[i], CAUSAL_PAY_MAX));
	c = causal_vec_recv_end(cs, &rx, *lost);
	*forged = rx.forged;
	return c;
}

/*
 * A receive of bytes [@start, @end) on a socket with a scalar clock merges
 * the largest clock received.  That clock is at least the stamp of every
 * send whose bytes the receive read once bytes that came with one reach
 * @end: a segment carries at least the clock of every send before it.
 * Which sends those were, the logs tell offline by the stream
 * (user/streamjoin.c); a full form's send (the first bytes of a
 * connection) the receive that reads its bytes names.
 */
static u64 causal_rx_clock(struct causal_sock *cs, struct causal_tcp_state *st,
			   u32 start, u32 end, struct causal_rx_sel *sel, bool *lost,
			   bool *forged)
{
	u64 ref = READ_ONCE(cs->remote_stamp), c;

	*lost = true;
	if (st->rx_clocked) {
		if (!ref && READ_ONCE(causal_sock_node(cs)->clock) == CAUSAL_CLOCK_HLC)
			ref = causal_hlc_wall(ktime_get_real_ns());
		sel->stamp = st->rx_top_known ?
			     (u64)st->rx_top << CAUSAL_PAY_CLOCK_BITS | st->rx_clock :
			     causal_widen(st->rx_clock, ref, CAUSAL_PAY_CLOCK_BITS);
		sel->have = true;
		*lost = before(st->rx_clock_end, end);
	}
	if (st->rx_named && after(st->rx_name_end, start))
		sel->node = st->rx_name_node;
	sel->inexact = st->rx_inexact;
	st->rx_inexact = 0;
	c = causal_event(cs, sel->have ? &sel->stamp : NULL, forged);
	/* a forged clock would stay the largest: forget it, take the next */
	if (*forged)
		st->rx_clocked = 0;
	return c;
}

/* The send a scalar receive's bytes came with a full form of, named. */
static void causal_rx_name(struct causal_note *n, struct causal_tcp_state *st,
			   u32 start, u32 end, u64 node)
{
	if (!st->rx_named || !after(st->rx_name_end, start))
		return;
	/* event number 0: a send nobody listened to, in no log */
	if (n->msg && st->rx_name_id32)
		causal_note_key(n, false, st->rx_name_node ?: node, st->rx_name_id32);
	if (!after(st->rx_name_end, end))
		st->rx_named = 0;
}

/*
 * Where the bytes taken out of @sk end: its copied_seq, less the FIN a read
 * took with them (it counts in sequence space, not in bytes).  Only the
 * arrival of a FIN sets SOCK_DONE, and copied_seq reaches rcv_nxt, which
 * is past the FIN then, only once a read took it.
 */
static u32 causal_tcp_read_end(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 seq = READ_ONCE(tp->copied_seq);

	return seq - (sock_flag(sk, SOCK_DONE) && seq == READ_ONCE(tp->rcv_nxt));
}

static int __causal_tcp_recv(struct sock *sk, struct causal_sock *cs,
			     struct causal_tcp_state *st, struct causal_tcp_vec *vh,
			     int copied)
{
	struct causal_net *cn = causal_sock_node(cs);
	struct causal_rx_sel sel = {};
	struct causal_note note;
	bool forged = false, vector, lost;
	u32 end, start;
	u64 c;

	sock_owned_by_me(sk);
	if (copied <= 0)
		return 0;
	vector = READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR;
	if (vector && !vh) {
		causal_pay_sizes(st, true);
		return -EAGAIN;
	}
	causal_drain(cs, st);
	end = causal_tcp_read_end(sk);
	start = end - copied;
	st->rcv_read = end;

	causal_note_begin(&note, cn, sock_net(sk), CAUSAL_EVENT_TYPE_RECV, vector);
	if (vector)
		c = causal_rx_vector(cs, vh, start, end, &sel, &lost, &note, &forged);
	else
		c = causal_rx_clock(cs, st, start, end, &sel, &lost, &forged);
	if (forged) {
		/* not merged: name no send, as if the bytes came unstamped */
		memset(&sel, 0, sizeof(sel));
		lost = true;
	}
	if (vector) {
		causal_tcp_keys(&note, vh, sel.used);
		causal_rx_forget(vh, end);
	} else if (!forged) {
		causal_rx_name(&note, st, start, end, READ_ONCE(cs->remote_node));
	}

	WRITE_ONCE(cs->last_recv, c);
	causal_sock_count(cs, CAUSAL_STAT_RECEIVES, 1);
	if (sel.have)
		WRITE_ONCE(cs->remote_stamp, sel.stamp);
	if (sel.node)
		WRITE_ONCE(cs->remote_node, sel.node);
	if (lost)
		causal_sock_count(cs, CAUSAL_STAT_UNSTAMPED_IN, 1);
	if (sel.inexact)
		causal_sock_count(cs, CAUSAL_STAT_INEXACT_IN, 1);

	causal_note_u32(&note, CAUSAL_A_EVENT_BYTES, copied);
	causal_note_u32(&note, CAUSAL_A_EVENT_SEQ, start);
	causal_tcp_stream(&note, st, false);
	if (lost)
		causal_note_flag(&note, CAUSAL_A_EVENT_UNSTAMPED);
	if (sel.inexact)
		causal_note_flag(&note, CAUSAL_A_EVENT_INEXACT);
	causal_note_end_sk(&note, cs, sk, c);
	return 0;
}

/* @st NULL: the record the module keeps (the _own kfuncs) */
static int causal_tcp_recv_call(struct sock *sk, struct causal_tcp_state *st,
				struct causal_tcp_vec *vh, int copied, bool since)
{
	struct causal_sock *cs;
	unsigned int bit;
	int ret;

	ret = causal_call_sk(sk, IPPROTO_TCP, true, &bit);
	if (ret)
		return ret;
	cs = causal_tcp_find(sk, &st);
	if (!cs) {
		ret = -ENOENT;
	} else {
		if (since)
			copied = (st->flags & CAUSAL_TS_STREAM) ?
				 (s32)(causal_tcp_read_end(sk) - st->rcv_read) : 0;
		ret = __causal_tcp_recv(sk, cs, st, vh, copied);
	}
	causal_call_end(bit);
	return ret;
}

/**
 * causal_tcp_recv() - an application took @copied bytes out of a TCP socket
 * @sk: the socket, with its lock held (fexit of tcp_recvmsg_locked); the
 *	bytes end at its copied_seq (before the FIN, if the read took it)
 * @st: its record in the causal_tcp socket storage
 * @copied: how many bytes
 *
 * Merges into the clock the largest clock received.
 *
 * Return: 0, -EAGAIN when the node's clock is a vector (call
 * causal_tcp_recv_vec()), -ENOENT when the socket goes untracked, -EINVAL
 * without a record, or an error of causal_call_sk().
 */
__bpf_kfunc int causal_tcp_recv(struct sock *sk, struct causal_tcp_state *st,
				int copied)
{
	if (!st)
		return -EINVAL;
	return causal_tcp_recv_call(sk, st, NULL, copied, false);
}

/**
 * causal_tcp_recv_own() - causal_tcp_recv() where the module keeps the
 *	record
 * @sk: as causal_tcp_recv()
 * @copied: as causal_tcp_recv()
 *
 * Return: as causal_tcp_recv(); -ENOENT also when @sk has no record.
 */
__bpf_kfunc int causal_tcp_recv_own(struct sock *sk, int copied)
{
	return causal_tcp_recv_call(sk, NULL, NULL, copied, false);
}

/**
 * causal_tcp_recv_vec() - causal_tcp_recv() for a node with vector clocks
 * @sk: as causal_tcp_recv()
 * @st: as causal_tcp_recv()
 * @vh: the socket's histories in the causal_tcp_vec socket storage
 * @copied: as causal_tcp_recv()
 *
 * Merges the stamps of exactly those bytes, and forgets the ranges consumed
 * in full.
 *
 * Return: as causal_tcp_recv().
 */
__bpf_kfunc int causal_tcp_recv_vec(struct sock *sk, struct causal_tcp_state *st,
				    struct causal_tcp_vec *vh, int copied)
{
	if (!st)
		return -EINVAL;
	return causal_tcp_recv_call(sk, st, vh, copied, false);
}

/**
 * causal_tcp_read() - an application, or TCP's user in the kernel, took
 *	bytes out of a TCP socket another way than recvmsg
 * @sk: the socket, with its lock held (fexit of tcp_read_sock or its body
 *	__tcp_read_sock: splice, kernel readers; tcp_read_done: kernel TLS;
 *	tcp_zerocopy_receive)
 * @st: its record in the causal_tcp socket storage
 *
 * A receive of the bytes taken since the socket's last receive, up to its
 * copied_seq (a FIN aside); none when there are none, so that hooks that
 * nest (a TLS record copied through tcp_read_sock, a zero-copy receive
 * that fell back to recvmsg) report each byte once.
 *
 * Return: as causal_tcp_recv().
 */
__bpf_kfunc int causal_tcp_read(struct sock *sk, struct causal_tcp_state *st)
{
	if (!st)
		return -EINVAL;
	return causal_tcp_recv_call(sk, st, NULL, 0, true);
}

/**
 * causal_tcp_read_own() - causal_tcp_read() where the module keeps the
 *	record
 * @sk: as causal_tcp_read()
 *
 * Return: as causal_tcp_recv(); -ENOENT also when @sk has no record.
 */
__bpf_kfunc int causal_tcp_read_own(struct sock *sk)
{
	return causal_tcp_recv_call(sk, NULL, NULL, 0, true);
}

/**
 * causal_tcp_read_vec() - causal_tcp_read() for a node with vector clocks
 * @sk: as causal_tcp_read()
 * @st: as causal_tcp_read()
 * @vh: the socket's histories in the causal_tcp_vec socket storage
 *
 * Return: as causal_tcp_recv().
 */
__bpf_kfunc int causal_tcp_read_vec(struct sock *sk, struct causal_tcp_state *st,
				    struct causal_tcp_vec *vh)
{
	if (!st)
		return -EINVAL;
	return causal_tcp_recv_call(sk, st, vh, 0, true);
}

static void __causal_tcp_close(struct sock *sk, struct causal_tcp_state *st)
{
	struct causal_sock *cs = causal_sock_lookup(sk);

	if (cs)
		causal_drain(cs, st);
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
	unsigned int bit;

	if (!st || causal_call_sk(sk, IPPROTO_TCP, false, &bit))
		return;
	__causal_tcp_close(sk, st);
	causal_call_end(bit);
}
