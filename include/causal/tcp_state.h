/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * tcp_state.h - the per-socket record that causal's BPF programs and its
 * module share: the value of the BPF socket-local storage map causal_tcp.
 *
 * Why it exists: the options are written and parsed by a sock_ops program,
 * and on Linux 6.1 sock_ops programs may not call module kfuncs.  So the
 * sock_ops side and the module meet in this record.  The module fills the
 * send history and this node's id when an application sends (a tracing
 * program passes the record to a kfunc), sock_ops reads them to stamp
 * segments; sock_ops fills the receive history from the options it parses,
 * and the module consumes it when an application receives.
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

/* Sends whose bytes may still be (re)transmitted. */
#define CAUSAL_TX_SLOTS 6
/* Stamped byte ranges received and not yet read by the application. */
#define CAUSAL_RX_SLOTS 6

/* flags */
#define CAUSAL_TS_TRACKED	0x1	/* the module keeps state for the socket */
#define CAUSAL_TS_UNTRACKED	0x2	/* the module refused it (node at its cap) */

struct causal_tcp_state {
	__u64 node;		/* this node's id, for the full option */
	__u64 rx_node;		/* peer's node id from its last full option */
	__u32 flags;

	/*
	 * Send history, oldest first: bytes from tx_seq[i] up to tx_seq[i + 1]
	 * (or the end) carry tx_stamp[i].  Bit i of tx_inexact: that stamp is
	 * an upper bound because older entries were folded into it.
	 */
	__u32 tx_count;
	__u32 tx_inexact;
	__u32 tx_seq[CAUSAL_TX_SLOTS];
	__u64 tx_stamp[CAUSAL_TX_SLOTS];

	/*
	 * Receive history, in arrival order: bytes [rx_start[i], rx_end[i])
	 * carry rx_stamp[i].  Bit i of rx_inexact: the range was merged with
	 * another for lack of room, its stamp is an upper bound.
	 */
	__u32 rx_count;
	__u32 rx_inexact;
	__u32 rx_start[CAUSAL_RX_SLOTS];
	__u32 rx_end[CAUSAL_RX_SLOTS];
	__u64 rx_stamp[CAUSAL_RX_SLOTS];

	/* Counted by sock_ops since the module last looked; it zeroes them. */
	__u32 stamped_out;	/* segments sent with a stamp */
	__u32 nospace_out;	/* data segments sent without, for lack of room */
	__u32 stamped_in;	/* valid stamps received */
	__u32 malformed_in;	/* options with our ExID that failed validation */
	__u32 foreign_in;	/* kind 253 options with another ExID */

	/* sock_ops' scratch while it walks one segment's options */
	__u32 walk_off, walk_found, walk_bad, walk_foreign, walk_ours, walk_len;
};

#endif /* _CAUSAL_TCP_STATE_H */
