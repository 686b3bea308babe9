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
u32 causal_vec_send(struct causal_sock *cs, u8 *pay, u32 max_entries, bool diff,
		    const u8 *carry, u32 carry_len, u64 *clock,
		    struct causal_note *note);
/**
 * struct causal_vec_rx - a vector receive in progress (on the stack)
 * @vs: the socket's clock, locked
 * @vt: the thread's or process's clock, or NULL
 * @drops: entries that did not fit its width
 * @lost: a payload was inexact, incomplete or malformed
 * @forged: a payload had an entry too far ahead (max-jump): not merged
 * @max_jump: the node's max-jump
 * @note: the receive's note, or NULL
 */
struct causal_vec_rx {
	struct causal_vclock *vs, *vt;
	int drops;
	bool lost, forged;
	u64 max_jump;
	struct causal_note *note;
};

bool causal_vec_recv_begin(struct causal_sock *cs, struct causal_vec_rx *rx,
			   struct causal_note *note);
void causal_vec_recv_pay(struct causal_vec_rx *rx, const u8 *pay, u32 len);
u64 causal_vec_recv_end(struct causal_sock *cs, struct causal_vec_rx *rx, bool lost);

#endif /* _CAUSAL_EVENT_H */
