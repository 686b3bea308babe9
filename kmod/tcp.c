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
 * again).  Where sock_ops may call the module (Linux 6.8+), a scalar
 * connection has no record: its state is in its causal_sock (struct
 * causal_tcp_own), the _own kfuncs find it with the socket, and sock_ops
 * has the module size, write and parse its option (causal_tcp_ops_*()).
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
#include <causal/tcp_walk.h>
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
static_assert(CAUSAL_VEC_RX_PAYS >= CAUSAL_RX_SLOTS);

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

/*
 * Where the bytes of each direction of a connection the module keeps start
 * (CAUSAL_OWN_STREAM): TCP's next byte to be acknowledged and to be
 * received, less its counts of them.  Under the socket's lock.
 */
static void causal_tcp_own_bases(const struct sock *sk, const struct causal_tcp_own *own,
				 u32 *snd, u32 *rcv)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	*snd = tp->snd_una - (u32)tp->bytes_acked + !!(own->flags & CAUSAL_OWN_SND_SYN);
	*rcv = tp->rcv_nxt - (u32)tp->bytes_received;
}

static struct causal_sock *causal_tcp_sock(struct sock *sk,
					   struct causal_tcp_state *st)
{
	struct causal_tcp_own *own;
	struct causal_sock *cs;

	if (sk->sk_protocol != IPPROTO_TCP || st->flags & CAUSAL_TS_UNTRACKED)
		return NULL;
	cs = causal_sock_lookup(sk);
	if (!causal_own_records) {
		if (cs)
			return cs;
		cs = causal_sock_create(sk);
		st->flags |= cs ? CAUSAL_TS_TRACKED : CAUSAL_TS_UNTRACKED;
		return cs;
	}
	/*
	 * Where the module keeps connections, a record in storage is a vector
	 * connection's, made after the module made the connection's state: it
	 * takes the stream from there.
	 */
	own = cs ? causal_sock_tcp(cs) : NULL;
	if (!own)
		return NULL;
	if (!(st->flags & CAUSAL_TS_STREAM) && (own->flags & CAUSAL_OWN_STREAM)) {
		causal_tcp_own_bases(sk, own, &st->snd_base, &st->rcv_base);
		st->rcv_read = own->rcv_read;
		st->flags |= CAUSAL_TS_STREAM;
	}
	st->flags |= CAUSAL_TS_TRACKED;
	return cs;
}

/*
 * The state of @sk, and in *@st its record: the one a program passed
 * (records in BPF storage), else, with *@st NULL, none: a connection whose
 * state the module keeps in 48 bytes (causal_sock_tcp()).  The _own
 * kfuncs pass none, so that a send or a receive finds the socket once.
 */
static struct causal_sock *causal_tcp_find(struct sock *sk, struct causal_tcp_state **st)
{
	struct causal_sock *cs;

	if (*st)
		return causal_tcp_sock(sk, *st);
	if (!causal_own_records)
		return NULL;
	cs = causal_sock_lookup(sk);
	return cs && causal_sock_tcp(cs) ? cs : NULL;
}

static bool causal_pay_vector(const u8 *pay)
{
	return pay[0] & CAUSAL_TCPOPT_F_VECTOR;
}

/*
 * Is @pay the whole clock of its sender, exact but for what it owes this
 * connection: a compact vector flagged whole and not incomplete?  (A
 * history that folds two sends' ranges into one keeps the older payload
 * for both and takes its whole flag away: it does not cover the newer
 * send.)
 */
static bool causal_pay_whole(const u8 *pay)
{
	return pay[0] >> CAUSAL_TCPOPT_F_VERSION_SHIFT == CAUSAL_PAY_VEC_VERSION &&
	       (pay[0] & (CAUSAL_TCPOPT_F_VECTOR | CAUSAL_TCPOPT_F_WHOLE |
			  CAUSAL_TCPOPT_F_INCOMPLETE)) ==
	       (CAUSAL_TCPOPT_F_VECTOR | CAUSAL_TCPOPT_F_WHOLE);
}

/*
 * The room of a vector stamp of @sk: what its option holds beside TCP's
 * timestamps.  Entries left out stay above what the peer is known to know
 * and go with the next send; a stamp that finds less room where it is
 * written (SACK blocks) goes out empty, and the next send tells the peer
 * all again (tx_cut).
 */
static u32 causal_tcp_vec_room(const struct sock *sk)
{
	u32 room = MAX_TCP_OPTION_SPACE - CAUSAL_TCPOPT_HDR;

	if (tcp_sk(sk)->rx_opt.tstamp_ok)
		room -= TCPOLEN_TSTAMP_ALIGNED;
	return min_t(u32, room, CAUSAL_PAY_MAX);
}

/* Tell sock_ops how much room the payloads of the node's clock form take. */
static void causal_pay_sizes(struct causal_tcp_state *st, const struct sock *sk, bool vector)
{
	st->pay_max = vector ? causal_tcp_vec_room(sk) : CAUSAL_PAY_SCALAR_CLOCK;
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

		/* the dropped payload's bytes may go again with another's */
		vh->tx_cut = 1;

		causal_tx_drop(vh, causal_pay_vector(vh->tx_pay[0]) ? 1 : 0);
		vh->tx_seq[0] = first;
		vh->tx_pay[0][0] |= CAUSAL_TCPOPT_F_INEXACT;
		vh->tx_pay[0][0] &= ~CAUSAL_TCPOPT_F_WHOLE;
	}
	n = vh->tx_count++;
	vh->tx_seq[n] = seq;
	vh->tx_len[n] = len;
	memcpy(vh->tx_pay[n], pay, CAUSAL_PAY_ROOM);
}

/*
 * Did the last send's bytes never leave?  Its entry starts where the
 * coming send will (it wrote nothing), and the coming send replaces it in
 * the history, payload and all.
 */
static bool causal_tx_unsent(struct sock *sk, struct causal_tcp_vec *vh)
{
	u32 last = vh->tx_count - 1;

	return vh->tx_count && vh->tx_count <= CAUSAL_TX_SLOTS &&
	       vh->tx_seq[last] == tcp_sk(sk)->write_seq && causal_pay_vector(vh->tx_pay[last]);
}

/*
 * The stream of an event's bytes (CAUSAL_A_EVENT_STREAM): where the bytes of
 * their direction start, then where the other direction's do; from the
 * record @st, or without one from the state the module keeps.
 */
static void causal_tcp_stream(struct causal_note *n, struct causal_sock *cs,
			      const struct causal_tcp_state *st, bool out)
{
	const struct causal_tcp_own *own = st ? NULL : causal_sock_tcp(cs);
	u32 snd, rcv;

	if (own) {
		if (!(own->flags & CAUSAL_OWN_STREAM))
			return;
		causal_tcp_own_bases(cs->sk, own, &snd, &rcv);
	} else {
		if (!st || !(st->flags & CAUSAL_TS_STREAM))
			return;
		snd = st->snd_base;
		rcv = st->rcv_base;
	}
	causal_note_u64(n, CAUSAL_A_EVENT_STREAM, out ? (u64)snd << 32 | rcv :
			(u64)rcv << 32 | snd);
}

/* Where the bytes the socket's last receive event took end. */
static u32 *causal_tcp_rcv_read(struct causal_sock *cs, struct causal_tcp_state *st)
{
	return st ? &st->rcv_read : &cs->tcp.rcv_read;
}

/*
 * The peer's node, from its full form, and the last stamp a receive of a
 * connection with a record merged (a 6.12 vector connection's are in its
 * state: its largest clock received, once whole).
 */
static u64 causal_tcp_peer(struct causal_sock *cs, u64 *stamp)
{
	struct causal_tcp_own *own = causal_sock_tcp(cs);
	u8 whole = CAUSAL_OWN_RX_CLOCKED | CAUSAL_OWN_RX_WHOLE;

	if (!own) {
		*stamp = READ_ONCE(cs->last.remote_stamp);
		return READ_ONCE(cs->last.remote_node);
	}
	*stamp = (own->flags & whole) == whole ? own->rx_clock : 0;
	return own->remote_node;
}

/* Are the stream's bases known? */
static bool causal_tcp_has_stream(struct causal_sock *cs, const struct causal_tcp_state *st)
{
	return st ? st->flags & CAUSAL_TS_STREAM : cs->tcp.flags & CAUSAL_OWN_STREAM;
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
	struct causal_sock_more *more = causal_sock_more_of(cs);

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
	struct causal_sock_more *more = causal_sock_more_of(cs);
	struct causal_note *n = more ? more->send_note : NULL;

	if (!n || (!n->msg && !n->lost))
		return;
	causal_note_u32(n, CAUSAL_A_EVENT_BYTES, max(sent, 0));
	causal_note_u32(n, CAUSAL_A_EVENT_SEQ, n->seq);
	causal_tcp_stream(n, cs, st, true);
	causal_note_end_sk(n, cs, sk, n->clock);
	n->msg = NULL;
	n->lost = false;
}

/* A vector send: its stamp the send's alone, kept in the history. */
static u64 causal_tcp_send_vector(struct causal_sock *cs, struct sock *sk,
				  struct causal_tcp_vec *vh, struct causal_note *n, u32 seq)
{
	u8 pay[CAUSAL_PAY_ROOM] = {};
	struct sk_buff *tail;
	u32 len, last;
	bool retell;
	u64 c;

	/* its bytes in skbs of their own */
	tail = tcp_write_queue_tail(sk);
	if (tail)
		TCP_SKB_CB(tail)->eor = 1;
	/*
	 * A send whose bytes never left took its stamp with it: what it told
	 * the peer, the peer never learnt; it is told again.  The peer's
	 * asking counts once the bytes of the last send that told all again
	 * were acknowledged: before, it may not have read them yet.
	 */
	if (vh->tx_retelling && after(tcp_sk(sk)->snd_una, vh->tx_retold))
		vh->tx_retelling = 0;
	retell = vh->tx_cut || (vh->tx_asked && !vh->tx_retelling);
	last = vh->tx_count - 1;
	if (!retell && causal_tx_unsent(sk, vh) &&
	    !causal_vec_untell(cs, vh->tx_pay[last], min_t(u32, vh->tx_len[last], CAUSAL_PAY_MAX)))
		retell = true;
	vh->tx_cut = 0;
	vh->tx_asked = 0;
	if (retell) {
		vh->tx_retelling = 1;
		vh->tx_retold = seq;
		causal_stat_inc(causal_sock_node(cs), CAUSAL_STAT_VECTOR_RETELLS);
	}
	len = causal_vec_send(cs, pay, causal_tcp_vec_room(sk), true, retell, &c, n);
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
		if (st)
			causal_pay_sizes(st, sk, true);
		return -EAGAIN;
	}
	if (st)
		causal_drain(cs, st);
	causal_tcp_send_done(cs, sk, st, 0);
	causal_note_begin(n, cn, sock_net(sk), CAUSAL_EVENT_TYPE_SEND, vector);
	n->seq = tcp_sk(sk)->write_seq;
	if (vector) {
		c = causal_tcp_send_vector(cs, sk, vh, n, n->seq);
	} else {
		/*
		 * segments carry the largest clock of the sends so far (or,
		 * without a record, the socket's clock: at least that)
		 */
		c = causal_event(cs, NULL, NULL);
		if (st) {
			st->tx_clock = max(st->tx_clock, c);
			st->tx_id32 = n->id;
			st->node_id = READ_ONCE(cn->node_id);
		}
	}
	n->clock = c;
	causal_sock_seen(cs, true, c);
	causal_sock_count(cs, CAUSAL_STAT_SENDS, 1);
	if (st) {
		causal_pay_sizes(st, sk, vector);
		st->send_note = causal_tcp_note_keep(cs, n);
	} else {
		causal_tcp_note_keep(cs, n);
	}
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
 *	connection (causal_sock_tcp())
 * @sk: the socket, with its lock held (fentry of tcp_sendmsg_locked)
 *
 * Return: as causal_tcp_send(); -ENOENT also when @sk has no state.
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
 *	connection
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
	struct causal_sock_more *more = causal_sock_more_of(cs);

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

	ret = causal_call_sk(sk, IPPROTO_TCP, locked, &bit);
	if (ret)
		return ret;
	cs = causal_tcp_find(sk, &st);
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
	if (!st)
		return -EINVAL;
	return causal_tcp_local(sk, st, true, CAUSAL_EVENT_TYPE_CONNECT);
}

/**
 * causal_tcp_connect_own() - causal_tcp_connect() where the module keeps
 *	the connection (causal_tcp_own_new() made its state)
 * @sk: the socket, with its lock held (fexit of tcp_connect)
 *
 * Return: as causal_tcp_connect(); -ENOENT also when @sk has no state.
 */
__bpf_kfunc int causal_tcp_connect_own(struct sock *sk)
{
	return causal_tcp_local(sk, NULL, true, CAUSAL_EVENT_TYPE_CONNECT);
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
	if (!st)
		return -EINVAL;
	return causal_tcp_local(sk, st, false, CAUSAL_EVENT_TYPE_ACCEPT);
}

/**
 * causal_tcp_accept_own() - causal_tcp_accept() where the module keeps
 *	the connection
 * @sk: the new socket (fexit of inet_accept)
 *
 * Return: as causal_tcp_accept(); -ENOENT also when @sk has no state.
 */
__bpf_kfunc int causal_tcp_accept_own(struct sock *sk)
{
	return causal_tcp_local(sk, NULL, false, CAUSAL_EVENT_TYPE_ACCEPT);
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
	struct causal_vec_names names;
	struct causal_vec_rx rx;
	bool all, whole = true, last = false;
	const u8 *pay;
	u64 c;
	u32 i;

	if (vh->rx_count > CAUSAL_RX_SLOTS)
		vh->rx_count = 0;
	causal_rx_select(vh, start, end, sel);
	*lost = !causal_rx_covered(vh, sel->used, start, end);
	if (!causal_vec_recv_begin(cs, &rx, note))
		return 0;
	names.nkeys = 0;
	names.nintro = 0;
	rx.names = &names;
	for (i = 0; i < vh->rx_count; i++)
		if (sel->used & BIT(i))
			causal_vec_recv_learn(&rx, vh->rx_pay[i],
					      min_t(u32, vh->rx_len[i], CAUSAL_PAY_MAX));
	for (i = 0; i < vh->rx_count; i++) {
		if (!(sel->used & BIT(i)))
			continue;
		pay = vh->rx_pay[i];
		all = causal_vec_recv_pay(&rx, pay, min_t(u32, vh->rx_len[i], CAUSAL_PAY_MAX));
		/* the ranges of the last byte read: its send's whole clock? */
		if (!before(end - 1, vh->rx_start[i]) && before(end - 1, vh->rx_end[i])) {
			last = true;
			whole &= all && causal_pay_whole(pay);
		}
	}
	c = causal_vec_recv_end(cs, &rx, *lost, whole && last, ++vh->rx_receives);
	*forged = rx.forged;
	if (rx.unknown) {
		vh->rx_ask = 1;
		causal_stat_inc(causal_sock_node(cs), CAUSAL_STAT_VECTOR_ASKS);
	}
	/* the sends it took bytes of, unless it merged nothing */
	for (i = 0; !rx.forged && i < names.nkeys; i++)
		causal_note_key(note, true, names.keys[i].id, names.keys[i].n);
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
	u64 ref, c;

	causal_tcp_peer(cs, &ref);
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

/*
 * The same where the module keeps the connection (causal_sock_tcp()): the
 * largest clock received, its top bits restored once (from the socket's
 * clock once a receive merged a stamp; before, from 0, or for HLC from the
 * wall time, as a first stamp's) and kept whole since, as sock_ops' calls
 * extend it (causal_ops_take()).  The send a full form named is named by
 * the receive that reads its bytes (causal_rx_own_name()).
 */
static u64 causal_rx_own(struct causal_sock *cs, u32 end, struct causal_rx_sel *sel,
			 bool *lost, bool *forged)
{
	struct causal_tcp_own *own = &cs->tcp;
	u64 ref = 0, c;

	*lost = true;
	if (own->flags & CAUSAL_OWN_RX_CLOCKED) {
		if (!(own->flags & CAUSAL_OWN_RX_WHOLE)) {
			if (own->flags & CAUSAL_OWN_MERGED)
				ref = READ_ONCE(cs->clock);
			else if (READ_ONCE(causal_sock_node(cs)->clock) == CAUSAL_CLOCK_HLC)
				ref = causal_hlc_wall(ktime_get_real_ns());
			WRITE_ONCE(own->rx_clock,
				   causal_widen(own->rx_clock, ref, CAUSAL_PAY_CLOCK_BITS));
			own->flags |= CAUSAL_OWN_RX_WHOLE;
		}
		sel->stamp = own->rx_clock;
		sel->have = true;
		*lost = before(own->rx_clock_end, end);
	}
	sel->inexact = own->flags & CAUSAL_OWN_RX_INEXACT;
	own->flags &= ~CAUSAL_OWN_RX_INEXACT;
	c = causal_event(cs, sel->have ? &sel->stamp : NULL, forged);
	/* a forged clock would stay the largest: forget it, take the next */
	if (*forged)
		own->flags &= ~(CAUSAL_OWN_RX_CLOCKED | CAUSAL_OWN_RX_WHOLE);
	else if (sel->have)
		own->flags |= CAUSAL_OWN_MERGED;
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

/* The same where the module keeps the connection: what sock_ops kept. */
static void causal_rx_own_name(struct causal_note *n, struct causal_sock *cs, u32 start,
			       u32 end)
{
	struct causal_tcp_own *own = &cs->tcp;
	struct causal_sock_more *more = causal_sock_more_of(cs);

	if (!(own->flags & CAUSAL_OWN_RX_NAMED) || !more ||
	    !after(more->rx_name_end, start))
		return;
	if (n->msg)
		causal_note_key(n, false, READ_ONCE(own->remote_node), more->rx_name_id32);
	if (!after(more->rx_name_end, end))
		own->flags &= ~CAUSAL_OWN_RX_NAMED;
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
	u64 c, stamp;

	sock_owned_by_me(sk);
	if (copied <= 0)
		return 0;
	vector = READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR;
	if (vector && !vh) {
		if (st)
			causal_pay_sizes(st, sk, true);
		return -EAGAIN;
	}
	if (st)
		causal_drain(cs, st);
	end = causal_tcp_read_end(sk);
	start = end - copied;
	*causal_tcp_rcv_read(cs, st) = end;

	causal_note_begin(&note, cn, sock_net(sk), CAUSAL_EVENT_TYPE_RECV, vector);
	if (vector)
		c = causal_rx_vector(cs, vh, start, end, &sel, &lost, &note, &forged);
	else if (st)
		c = causal_rx_clock(cs, st, start, end, &sel, &lost, &forged);
	else
		c = causal_rx_own(cs, end, &sel, &lost, &forged);
	if (forged) {
		/* not merged: name no send, as if the bytes came unstamped */
		memset(&sel, 0, sizeof(sel));
		lost = true;
	}
	if (vector)
		causal_rx_forget(vh, end);
	else if (!forged && st)
		causal_rx_name(&note, st, start, end, causal_tcp_peer(cs, &stamp));
	else if (!forged)
		causal_rx_own_name(&note, cs, start, end);

	causal_sock_seen(cs, false, c);
	causal_sock_count(cs, CAUSAL_STAT_RECEIVES, 1);
	if (st && (sel.have || sel.node))
		causal_sock_remote(cs, sel.have ? &sel.stamp : NULL, sel.node);
	if (lost)
		causal_sock_count(cs, CAUSAL_STAT_UNSTAMPED_IN, 1);
	if (sel.inexact)
		causal_sock_count(cs, CAUSAL_STAT_INEXACT_IN, 1);

	causal_note_u32(&note, CAUSAL_A_EVENT_BYTES, copied);
	causal_note_u32(&note, CAUSAL_A_EVENT_SEQ, start);
	causal_tcp_stream(&note, cs, st, false);
	if (lost)
		causal_note_flag(&note, CAUSAL_A_EVENT_UNSTAMPED);
	if (sel.inexact)
		causal_note_flag(&note, CAUSAL_A_EVENT_INEXACT);
	causal_note_end_sk(&note, cs, sk, c);
	return 0;
}

/* @st NULL: the state the module keeps (the _own kfuncs) */
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
			copied = causal_tcp_has_stream(cs, st) ?
				 (s32)(causal_tcp_read_end(sk) - *causal_tcp_rcv_read(cs, st)) : 0;
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
 *	connection
 * @sk: as causal_tcp_recv()
 * @copied: as causal_tcp_recv()
 *
 * Return: as causal_tcp_recv(); -ENOENT also when @sk has no state.
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
 *	connection
 * @sk: as causal_tcp_read()
 *
 * Return: as causal_tcp_recv(); -ENOENT also when @sk has no state.
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

/*
 * sock_ops, where it may call the module (causal_own_records): a scalar
 * connection's option is sized, written and parsed here, on the state the
 * module keeps in the socket's causal_sock, and counted at once.  A vector
 * connection keeps its record and histories in BPF storage, and sock_ops
 * works on them itself, as on Linux 6.1.
 */

#define CAUSAL_OPT_CLOCK	(CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_CLOCK)
#define CAUSAL_OPT_FULL		(CAUSAL_TCPOPT_HDR + CAUSAL_PAY_SCALAR_FULL)
/* What the full form takes beyond the clock form, both padded. */
#define CAUSAL_IDENT_EXTRA	(round_up(CAUSAL_OPT_FULL, 4) - CAUSAL_OPT_CLOCK)
#define CAUSAL_CLOCK_MASK	((1ULL << CAUSAL_PAY_CLOCK_BITS) - 1)

/*
 * The connection the module keeps, for a call from sock_ops on @sk, or
 * NULL.  Only sock_ops programs may make these calls (the kfunc filter),
 * and a sock_ops program has the socket of its callback, which TCP holds
 * locked, under RCU: the admission of causal's other kfuncs
 * (causal_call_sk(): the context, nesting, the node's life) would cost
 * each segment's calls more than the record's lookup they replace did.
 * What is checked is what a program could get wrong: a socket that is not
 * a full TCP one, or not locked.
 */
static struct causal_sock *causal_ops_sock(struct sock *sk)
{
	struct causal_sock *cs;

	if (!causal_own_records || !sk || !sk_fullsock(sk) || sk->sk_protocol != IPPROTO_TCP ||
	    sk->sk_type != SOCK_STREAM)
		return NULL;
	if (!causal_sk_locked(sk)) {
		causal_call_refuse(sock_net(sk), -EPERM);
		return NULL;
	}
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "sock_ops called causal outside RCU");
	cs = causal_sock_lookup(sk);
	return cs && causal_sock_tcp(cs) ? cs : NULL;
}

/*
 * Does the peer still lack the node's id (@node)?  It has it once it
 * acknowledged the bytes of a segment that carried the full form.
 */
static bool causal_ops_ident(struct causal_tcp_own *own, struct sock *sk, u64 node)
{
	if (own->ident == CAUSAL_IDENT_SENT && !before(tcp_sk(sk)->snd_una, own->ident_end))
		own->ident = CAUSAL_IDENT_DONE;
	return own->ident != CAUSAL_IDENT_DONE && node;
}

/**
 * causal_tcp_own_new() - give a TCP connection the state the module keeps
 * @sk: the socket, with its lock held: sock_ops as it is established
 *	(passive), a tracing program as it connects (fexit of tcp_connect) or
 *	sends before (fentry of tcp_sendmsg_locked: TCP Fast Open)
 *
 * Return: 0 when it has it (made now or before), -ENOENT when it stays
 * untracked (the node at its cap, memory short, the socket dead, records
 * in BPF storage), or an error of causal_call_sk().
 */
__bpf_kfunc int causal_tcp_own_new(struct sock *sk)
{
	struct causal_sock *cs;
	unsigned int bit;
	int ret;

	if (!causal_own_records)
		return -ENOENT;
	ret = causal_call_sk(sk, IPPROTO_TCP, true, &bit);
	if (ret)
		return ret;
	cs = sock_flag(sk, SOCK_DEAD) ? NULL : causal_sock_lookup(sk) ?: causal_sock_create(sk);
	causal_call_end(bit);
	return cs ? 0 : -ENOENT;
}

/**
 * causal_tcp_ops_est() - a connection the module keeps is established
 * @sk: the socket (sock_ops' ACTIVE_ or PASSIVE_ESTABLISHED, lock held)
 * @snd_base: where the bytes it sends start (after the SYN)
 * @rcv_base: where the bytes it receives start (after the SYN)
 *
 * The module does not keep the bases: it reckons them from TCP's counts
 * of bytes acknowledged and received when it needs them
 * (causal_tcp_own_bases()), and checks here that it reckons as sock_ops
 * did.  Where it does not, the connection's events go without the bases.
 *
 * Return: 0, or -ENOENT for a connection the module does not keep.
 */
__bpf_kfunc int causal_tcp_ops_est(struct sock *sk, u32 snd_base, u32 rcv_base)
{
	struct causal_tcp_own *own;
	struct causal_sock *cs;
	struct tcp_sock *tp;

	cs = causal_ops_sock(sk);
	if (!cs)
		return -ENOENT;
	own = &cs->tcp;
	own->flags &= ~(CAUSAL_OWN_STREAM | CAUSAL_OWN_SND_SYN);
	tp = tcp_sk(sk);
	/*
	 * TCP counts the SYN among the bytes acknowledged where it saw the
	 * SYN acknowledged (an active open, a simultaneous one), not where it
	 * made the connection from a request.
	 */
	switch (snd_base - (tp->snd_una - (u32)tp->bytes_acked)) {
	case 1:
		own->flags |= CAUSAL_OWN_SND_SYN;
		fallthrough;
	case 0:
		break;
	default:
		return 0;	/* no stream known: events go without it */
	}
	if (rcv_base != tp->rcv_nxt - (u32)tp->bytes_received)
		return 0;
	own->rcv_read = rcv_base;
	own->flags |= CAUSAL_OWN_STREAM;
	return 0;
}

/**
 * causal_tcp_ops_len() - how much room a segment's option needs
 * @sk: the socket (sock_ops' HDR_OPT_LEN, lock held)
 * @skb_len: the segment's length, header included; 0 when TCP sizes its MSS
 * @tcp_flags: its TCP flags; 0 when TCP sizes its MSS
 *
 * Room on segments with payload, and when TCP sizes the MSS, so that full
 * segments leave room for a clock; the full form, which carries the node's
 * id until the peer has it, where the segment leaves room for it within
 * the MSS.  A SYN with data (TCP Fast Open) carries the clock form.  A
 * data segment that gets nothing is counted (nospace-out).
 *
 * Return: the lengths to try, the first in the low byte, the second (0:
 * none) in the next; 0 for nothing; -ENOENT for a connection the module
 * does not keep.
 */
__bpf_kfunc int causal_tcp_ops_len(struct sock *sk, u32 skb_len, u32 tcp_flags)
{
	struct causal_sock *cs;
	bool data, vector;
	int ret = 0;

	cs = causal_ops_sock(sk);
	if (!cs)
		return -ENOENT;
	vector = READ_ONCE(causal_sock_node(cs)->clock) == CAUSAL_CLOCK_VECTOR;
	if (tcp_flags & TCPHDR_SYN) {
		data = !(tcp_flags & TCPHDR_ACK) && skb_len;
		if (data && !vector && READ_ONCE(cs->clock))
			ret = CAUSAL_OPT_CLOCK;
	} else {
		data = tcp_flags && skb_len;
		if ((data || !tcp_flags) && !vector) {
			ret = CAUSAL_OPT_CLOCK;
			if (data && causal_ops_ident(&cs->tcp, sk,
						     READ_ONCE(causal_sock_node(cs)->node_id)) &&
			    skb_len + CAUSAL_IDENT_EXTRA <= tcp_sk(sk)->mss_cache)
				ret = CAUSAL_OPT_CLOCK << 8 | CAUSAL_OPT_FULL;
		}
	}
	if (data && !ret)
		causal_sock_count(cs, CAUSAL_STAT_NOSPACE_OUT, 1);
	return ret;
}

/**
 * causal_tcp_ops_write() - write a segment's option
 * @sk: the socket (sock_ops' WRITE_HDR_OPT, lock held)
 * @opt: where: the option's kind, length and experiment id, then its payload
 * @opt__sz: its size, at least the full form's
 * @end: where the segment's bytes end
 * @full: the full form may go, where the peer lacks the node's id
 *
 * The clock is the socket's: at least that of every send whose bytes the
 * segment holds or follows.  The full form names the last send, by its
 * number where someone listened to it.  Counted as a stamp sent (stamps-out);
 * causal_tcp_ops_done() takes it back if the option could not be stored.
 *
 * Return: the option's length, 0 for none (no clock yet, or the node's is
 * a vector: counted in nospace-out), -EINVAL for room too small, -ENOENT
 * for a connection the module does not keep.
 */
__bpf_kfunc int causal_tcp_ops_write(struct sock *sk, u8 *opt, int opt__sz, u32 end, int full)
{
	struct causal_sock_more *more;
	struct causal_net *cn;
	struct causal_sock *cs;
	u64 c, node;
	int ret;

	if (opt__sz < CAUSAL_OPT_FULL)
		return causal_call_refuse(sk ? sock_net(sk) : &init_net, -EINVAL);
	cs = causal_ops_sock(sk);
	if (!cs)
		return -ENOENT;
	cn = causal_sock_node(cs);
	c = READ_ONCE(cs->clock);
	node = READ_ONCE(cn->node_id);
	if (!c || READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR) {
		causal_sock_count(cs, CAUSAL_STAT_NOSPACE_OUT, 1);
			return 0;
	}
	opt[0] = CAUSAL_TCPOPT_KIND;
	opt[2] = CAUSAL_TCPOPT_EXID >> 8;
	opt[3] = CAUSAL_TCPOPT_EXID & 0xff;
	if (full && causal_ops_ident(&cs->tcp, sk, node)) {
		/* the last send, numbered if someone listened to it (else 0) */
		more = causal_sock_more_of(cs);
		causal_pay_scalar(&opt[CAUSAL_TCPOPT_HDR], c,
				  more && more->send_note ? more->send_note->id : 0, node);
		ret = CAUSAL_OPT_FULL;
	} else {
		opt[CAUSAL_TCPOPT_HDR] = CAUSAL_TCPOPT_VERSION << CAUSAL_TCPOPT_F_VERSION_SHIFT;
		causal_wire_putn(&opt[CAUSAL_TCPOPT_HDR + 1], c, CAUSAL_PAY_CLOCK_BITS / 8);
		ret = CAUSAL_OPT_CLOCK;
	}
	opt[1] = ret;
	causal_sock_count(cs, CAUSAL_STAT_STAMPS_OUT, 1);
	return ret;
}

/**
 * causal_tcp_ops_done() - what became of an option causal_tcp_ops_len()
 *	or causal_tcp_ops_write() gave
 * @sk: the socket (sock_ops, lock held)
 * @what: CAUSAL_OPS_FULL_SENT: the full form went out on the segment whose
 *	bytes end at @end; CAUSAL_OPS_UNSENT: the option written could not be
 *	stored; CAUSAL_OPS_NO_ROOM: no length could be reserved
 * @end: with CAUSAL_OPS_FULL_SENT, where the segment's bytes end
 *
 * Return: 0, -EINVAL for an unknown @what, -ENOENT for a connection the
 * module does not keep.
 */
__bpf_kfunc int causal_tcp_ops_done(struct sock *sk, int what, u32 end)
{
	struct causal_tcp_own *own;
	struct causal_sock *cs;
	int ret = 0;

	cs = causal_ops_sock(sk);
	if (!cs)
		return -ENOENT;
	own = &cs->tcp;
	switch (what) {
	case CAUSAL_OPS_FULL_SENT:
		if (own->ident == CAUSAL_IDENT_NONE || before(own->ident_end, end))
			own->ident_end = end;
		own->ident = CAUSAL_IDENT_SENT;
		break;
	case CAUSAL_OPS_UNSENT:
		causal_sock_uncount(cs, CAUSAL_STAT_STAMPS_OUT);
		fallthrough;
	case CAUSAL_OPS_NO_ROOM:
		causal_sock_count(cs, CAUSAL_STAT_NOSPACE_OUT, 1);
		break;
	default:
		ret = -EINVAL;
	}
	return ret;
}

/*
 * A scalar stamp for bytes up to @end: keep the largest clock (compared as
 * serial numbers on the low 56 bits a clock form carries), whole when a
 * form carries all 64 bits or a whole one is extended; where bytes that
 * came with one reach; and the peer's node from its full form.
 */
static void causal_ops_take(struct causal_sock *cs, struct sock *sk, u32 end, const u8 *pay,
			    u32 plen)
{
	bool whole = plen != CAUSAL_PAY_SCALAR_CLOCK;
	struct causal_tcp_own *own = &cs->tcp;
	struct causal_sock_more *more;
	u8 flags = own->flags;
	u64 stamp, d;
	u32 id32;

	if (whole) {
		stamp = causal_wire_get64(&pay[CAUSAL_PAY_STAMP]);
		if (plen == CAUSAL_PAY_SCALAR_FULL)
			WRITE_ONCE(own->remote_node, causal_wire_get64(&pay[CAUSAL_PAY_NODE]));
		if (pay[0] & CAUSAL_TCPOPT_F_INEXACT)
			flags |= CAUSAL_OWN_RX_INEXACT;
		/*
		 * The send it names, for the receive that reads its bytes to
		 * name: only while someone listens for that receive's event
		 */
		id32 = plen >= CAUSAL_PAY_SCALAR_KEYED ?
		       causal_wire_getn(&pay[CAUSAL_PAY_EVENT], 4) : 0;
		more = id32 && causal_note_wanted(sock_net(sk)) ? causal_sock_more(cs) : NULL;
		if (more) {
			more->rx_name_id32 = id32;
			more->rx_name_end = end;
			flags |= CAUSAL_OWN_RX_NAMED;
		}
	} else {
		stamp = causal_wire_getn(&pay[CAUSAL_PAY_STAMP], CAUSAL_PAY_CLOCK_BITS / 8);
	}
	d = ((stamp & CAUSAL_CLOCK_MASK) - own->rx_clock) & CAUSAL_CLOCK_MASK;
	if (!(flags & CAUSAL_OWN_RX_CLOCKED) || whole) {
		if (!(flags & CAUSAL_OWN_RX_CLOCKED) ||
		    (d && d < 1ULL << (CAUSAL_PAY_CLOCK_BITS - 1))) {
			WRITE_ONCE(own->rx_clock, stamp);
			flags = whole ? flags | CAUSAL_OWN_RX_WHOLE : flags & ~CAUSAL_OWN_RX_WHOLE;
		}
	} else if (d && d < 1ULL << (CAUSAL_PAY_CLOCK_BITS - 1)) {
		WRITE_ONCE(own->rx_clock, flags & CAUSAL_OWN_RX_WHOLE ? own->rx_clock + d :
			   stamp);
	}
	if (!(flags & CAUSAL_OWN_RX_CLOCKED) || before(own->rx_clock_end, end))
		own->rx_clock_end = end;
	WRITE_ONCE(own->flags, flags | CAUSAL_OWN_RX_CLOCKED);
}

/**
 * causal_tcp_ops_parse() - find causal's option among a segment's, check
 *	it, and take its stamp for the segment's bytes
 * @sk: the socket (sock_ops' PARSE_HDR_OPT, or the segment that
 *	established it; lock held)
 * @opts: the segment's options, from their start
 * @optlen: how many of them are options (at most 40)
 * @seq: where the segment's bytes start (after a SYN)
 * @payload: how many bytes it carries
 *
 * Wrong lengths, options running past the header, unknown versions and a
 * second causal option are counted as malformed, other experiments' as
 * foreign, and the segment taken as unstamped; a valid stamp on new bytes
 * as a stamp received (stamps-in).
 *
 * Return: 0; for a vector stamp, which the program keeps in the
 * connection's histories, its offset in @opts shifted left by 8 with its
 * length; -EINVAL without options, -ENOENT for a connection the module
 * does not keep.
 */
__bpf_kfunc int causal_tcp_ops_parse(struct sock *sk, const struct causal_tcp_opts *opts,
				     u32 optlen, u32 seq, u32 payload)
{
	u8 pay[CAUSAL_PAY_MAX] = {};
	struct causal_walk w;
	struct causal_sock *cs;
	u32 i, off, plen;
	int ret = 0;

	if (!opts)
		return causal_call_refuse(sk ? sock_net(sk) : &init_net, -EINVAL);
	cs = causal_ops_sock(sk);
	if (!cs)
		return -ENOENT;
	causal_walk_opts(&w, opts->b, min_t(u32, optlen, CAUSAL_TCP_MAX_OPTS));
	causal_sock_count(cs, CAUSAL_STAT_FOREIGN_IN, w.w_foreign);
	causal_sock_count(cs, CAUSAL_STAT_MALFORMED_IN, w.w_bad);
	if (w.w_bad || !w.w_len)
		goto out;
	off = w.w_ours + CAUSAL_TCPOPT_HDR;
	plen = w.w_len - CAUSAL_TCPOPT_HDR;
	for (i = 0; i < plen; i++)
		pay[i] = opts->b[(off + i) & 63];
	if (!causal_tcp_pay_valid(pay, plen)) {
		causal_sock_count(cs, CAUSAL_STAT_MALFORMED_IN, 1);
		goto out;
	}
	/* No payload, or bytes already received: nothing to attribute. */
	if (!payload || !before(tcp_sk(sk)->rcv_nxt, seq + payload))
		goto out;
	causal_sock_count(cs, CAUSAL_STAT_STAMPS_IN, 1);
	if (pay[0] & CAUSAL_TCPOPT_F_VECTOR)
		ret = w.w_ours << 8 | w.w_len;
	else
		causal_ops_take(cs, sk, seq + payload, pay, plen);
out:
	return ret;
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
