/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_EVENT_H
#define _CAUSAL_EVENT_H

#include <linux/types.h>

#include "sock.h"

u64 causal_event(struct causal_sock *cs, const u64 *remote);
u32 causal_pay_scalar(u8 *pay, u64 stamp, u64 node);
u32 causal_vec_send(struct causal_sock *cs, u8 *pay, u32 max_entries, bool diff,
		    const u8 *carry, u32 carry_len, u64 *clock);
bool causal_vec_recv_begin(struct causal_sock *cs);
void causal_vec_recv_pay(struct causal_sock *cs, const u8 *pay, u32 len);
u64 causal_vec_recv_end(struct causal_sock *cs, bool lost);

#endif /* _CAUSAL_EVENT_H */
