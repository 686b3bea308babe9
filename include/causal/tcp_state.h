/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * tcp_state.h - the per-socket records that causal's BPF programs and its
 * module share: the values of the BPF socket-local storage maps causal_tcp
 * (every tracked connection) and causal_tcp_vec (only those of nodes with
 * vector clocks: their send and receive histories).
 *
 * Why they exist: the options are written and parsed by a sock_ops program,
 * and on Linux 6.1 sock_ops programs may not call module kfuncs.  So the
 * sock_ops side and the module meet in these records.  When an application
 * sends, the module (called by a tracing program) records the clock every
 * segment will carry (scalar clocks), or encodes the payload of the option
 * the send's bytes will carry (include/uapi/linux/causal_wire.h) into the
 * send history (vectors); sock_ops writes it into each segment, shortened if
 * the header lacks room.  sock_ops keeps the largest scalar clock it parses,
 * and stores vector payloads into the receive history; the module merges
 * those when an application receives.  sock_ops never interprets a clock
 * beyond taking the largest.
 *
 * Where sock_ops may call the module (Linux 6.8+: kfuncs offered to every
 * program type), a connection with a scalar clock has no record: the
 * module keeps what it holds in the socket's 64-byte causal_sock
 * (kmod/sock.h, struct causal_tcp_own), and sock_ops asks the module to
 * size, write and parse the option (causal_tcp_ops_*()).  A connection
 * that turns vector gets this record and its histories in BPF storage.
 *
 * Every access happens under the socket's lock: sendmsg and recvmsg hold it
 * as owner, sock_ops runs from TCP's transmit and receive paths that hold it
 * too.  Hence no lock in here.
 *
 * Only scalars and arrays of scalars: kfuncs accept a pointer to such a
 * struct from map memory on 6.1 and 6.12.
 */
#ifndef _CAUSAL_TCP_STATE_H
#define _CAUSAL_TCP_STATE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include <uapi/linux/causal_wire.h>
#include <causal/tcp_walk.h>

/*
 * The histories' sizes make causal_tcp_vec's value and the socket storage's
 * element header fit one 1 KiB allocation (kmod/tcp.c checks it at build
 * time), and causal_tcp's one of 256 bytes.
 */
/* Sends whose bytes may still be (re)transmitted. */
#define CAUSAL_TX_SLOTS 10
/* Stamped byte ranges received and not yet read by the application. */
#define CAUSAL_RX_SLOTS 10
/* Room for one payload. */
#define CAUSAL_PAY_ROOM CAUSAL_PAY_MAX

/* flags */
#define CAUSAL_TS_TRACKED	0x1	/* the module keeps state for the socket */
#define CAUSAL_TS_UNTRACKED	0x2	/* the module refused it (node at its cap) */
#define CAUSAL_TS_STREAM	0x4	/* snd_base and rcv_base are set */

/* what became of an option (causal_tcp_ops_done()) */
#define CAUSAL_OPS_FULL_SENT	1	/* the full form went out */
#define CAUSAL_OPS_UNSENT	2	/* the option written could not be stored */
#define CAUSAL_OPS_NO_ROOM	3	/* no room could be reserved */

/* ident */
#define CAUSAL_IDENT_NONE	0	/* the node's id not sent yet */
#define CAUSAL_IDENT_SENT	1	/* sent, not acknowledged yet */
#define CAUSAL_IDENT_DONE	2	/* the peer has it */

struct causal_tcp_state {
	__u32 flags;

	/*
	 * The payload form of the node's clock, for sock_ops to reserve room:
	 * the largest payload, and whether it is a vector (shorter forms:
	 * causal_pay_shorter()).  Zero until the module's first send: sock_ops
	 * then assumes a scalar.
	 */
	__u8 pay_max, pay_vector;

	/*
	 * Set by the module while a send's event message waits for the send
	 * to end: only then does the end of a send need the module.
	 */
	__u8 send_note, pad;

	/*
	 * Scalar clocks (Lamport, HLC).  tx_clock: the largest clock of the
	 * socket's sends, which every data segment carries (the low 56 bits);
	 * tx_id32: the low 32 bits of the last send's event number.
	 * rx_clock: the largest clock received (low 56 bits, rx_clocked set
	 * once one came), rx_clock_end: the end of the furthest bytes that came
	 * with one.  The node's id goes out once, in the full send form, on
	 * segments short enough to leave room for it, until the peer
	 * acknowledged one (ident: CAUSAL_IDENT_*; ident_end: where the bytes
	 * of those sent so far end).
	 */
	__u64 tx_clock, rx_clock, node_id;
	__u32 tx_id32, rx_clock_end, ident_end;
	__u8 rx_clocked, ident, pad2[2];

	/*
	 * The send a scalar stamp with an event number named (the full form
	 * that carries the node's id, or a peer of an earlier version's send
	 * forms): its node (0: the peer's known one), the low 32 bits of its
	 * event number, and where the bytes that came with it end; the
	 * receive that reads up to there names it.  rx_inexact: such a form
	 * came flagged inexact.  Those forms carry the whole 64-bit stamp: the
	 * top 8 bits of rx_clock's, when it came in one (rx_top_known).
	 */
	__u64 rx_name_node;
	__u32 rx_name_id32, rx_name_end;
	__u8 rx_named, rx_inexact, rx_top, rx_top_known;

	/* Counted by sock_ops since the module last looked; it zeroes them. */
	__u32 stamped_out;	/* segments sent with a stamp */
	__u32 nospace_out;	/* data segments sent without, for lack of room */
	__u32 stamped_in;	/* valid stamps received */
	__u32 malformed_in;	/* options with our ExID that failed validation */
	__u32 foreign_in;	/* kind 253 options with another ExID */
	__u32 incomplete_out;	/* vector stamps shortened for lack of room */

	/*
	 * The sequence numbers of the first byte after the handshake, each
	 * way (set by sock_ops when the connection is established): both
	 * ends see the same pair, so events that carry it (the "stream") and
	 * their sequence numbers let logs be joined byte by byte.
	 */
	__u32 snd_base, rcv_base;

	/*
	 * Where the bytes the socket's last receive event took end (its
	 * copied_seq then, before a FIN it took; rcv_base before the first):
	 * ways of reading that only say "some bytes were taken" report those
	 * since.
	 */
	__u32 rcv_read;

	/*
	 * sock_ops' scratch while it walks one segment's options (offsets,
	 * lengths and counts within its 40 bytes of options)
	 */
	struct causal_walk walk;
};

/*
 * The histories of a connection of a node with vector clocks, made at its
 * first vector send or stamp (causal_tcp_vec).
 */
struct causal_tcp_vec {
	/*
	 * Send history, oldest first: bytes from tx_seq[i] up to tx_seq[i + 1]
	 * (or the end) carry the tx_len[i] bytes of tx_pay[i].  tx_cut: a
	 * segment went out without the whole payload its bytes had (or the
	 * history lost one), so the peer may lack entries the module counted
	 * as sent and indexes it introduced: its next send starts over.
	 * tx_asked: the peer asked for that (CAUSAL_TCPOPT_F_ASK), taken by
	 * the next send unless the bytes of the last send that started over,
	 * from tx_retold, are not yet acknowledged (tx_retelling): the peer
	 * cannot have read them.  rx_ask: a receive met an index the peer
	 * never named to us: the next stamp written asks.
	 */
	__u32 tx_count;
	__u8 tx_cut, tx_asked, tx_retelling, rx_ask;
	__u32 tx_retold;
	__u32 tx_seq[CAUSAL_TX_SLOTS];
	__u8 tx_len[CAUSAL_TX_SLOTS + 2];
	__u8 tx_pay[CAUSAL_TX_SLOTS][CAUSAL_PAY_ROOM];

	/*
	 * Receive history, in arrival order: bytes [rx_start[i], rx_end[i])
	 * came with the rx_len[i] bytes of rx_pay[i].  A range merged with
	 * another for lack of room has CAUSAL_TCPOPT_F_INEXACT set in its flags.
	 * rx_receives: vector receives so far, which number the connection's
	 * debts (kmod/vec.h).
	 */
	__u64 rx_receives;
	__u32 rx_count;
	__u32 rx_start[CAUSAL_RX_SLOTS];
	__u32 rx_end[CAUSAL_RX_SLOTS];
	__u8 rx_len[CAUSAL_RX_SLOTS + 2];
	__u8 rx_pay[CAUSAL_RX_SLOTS][CAUSAL_PAY_ROOM];
};

#endif /* _CAUSAL_TCP_STATE_H */
