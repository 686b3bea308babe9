/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_EVENT_H
#define _CAUSAL_EVENT_H

#include <linux/types.h>

#include "notify.h"
#include "sock.h"

u64 causal_event(struct causal_sock *cs, const u64 *remote, bool *forged);
u64 causal_local_event(struct causal_sock *cs, struct causal_note *note);
void causal_local_note(struct causal_sock *cs, struct sock *sk, u8 type);
u32 causal_pay_scalar(u8 *pay, u64 stamp, u64 event, u64 node);
bool causal_vec_untell(struct causal_sock *cs, const u8 *pay, u32 len);
u32 causal_vec_send(struct causal_sock *cs, u8 *pay, u32 room, bool diff, bool retell,
		    u64 *clock, struct causal_note *note);

/* The payloads one receive merges, at most: TCP's receive history. */
#define CAUSAL_VEC_RX_PAYS	10
/* Indexes a receive's payloads may name before one is read. */
#define CAUSAL_VEC_RX_INTROS	16

/**
 * struct causal_vec_names - a TCP vector receive's names (on the stack)
 * @nkeys: entries in @keys
 * @nintro: entries in @intro
 * @keys: the sends its payloads name: their first entries
 * @intro: the indexes its payloads give, before they are kept in the
 *	socket's known vector
 */
struct causal_vec_names {
	u32 nkeys, nintro;
	struct {
		u64 id;
		u32 n;
	} keys[CAUSAL_VEC_RX_PAYS];
	struct {
		u64 id;
		u32 index;
	} intro[CAUSAL_VEC_RX_INTROS];
};

/**
 * struct causal_vec_rx - a vector receive in progress (on the stack)
 * @vs: the socket's clock, locked
 * @vt: the thread's or process's clock, or NULL
 * @drops: entries that did not fit its width
 * @lost: a payload was inexact or incomplete, or named an unknown index
 * @forged: a payload had an entry too far ahead (max-jump): not merged
 * @malformed: a payload's entries could not be read: not merged
 * @unknown: an entry carried an index the peer never named to this socket
 *	(the payload that named it was lost here): the peer should tell all
 *	again
 * @max_jump: the node's max-jump
 * @note: the receive's note, or NULL
 * @names: TCP's names, or NULL (set after causal_vec_recv_begin())
 */
struct causal_vec_rx {
	struct causal_vclock *vs, *vt;
	int drops;
	bool lost, forged, malformed, unknown;
	u64 max_jump;
	struct causal_note *note;
	struct causal_vec_names *names;
};

bool causal_vec_recv_begin(struct causal_sock *cs, struct causal_vec_rx *rx,
			   struct causal_note *note);
void causal_vec_recv_learn(struct causal_vec_rx *rx, const u8 *pay, u32 len);
bool causal_vec_recv_pay(struct causal_vec_rx *rx, const u8 *pay, u32 len);
u64 causal_vec_recv_end(struct causal_sock *cs, struct causal_vec_rx *rx, bool lost,
			bool whole, u64 at);

#endif /* _CAUSAL_EVENT_H */
