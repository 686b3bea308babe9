/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_CTX_H
#define _CAUSAL_CTX_H

#include <linux/atomic.h>
#include <linux/types.h>

struct causal_net;
struct causal_vclock;

atomic64_t *causal_ctx_clock(struct causal_net *cn, u32 scope, bool make);
struct causal_vclock *causal_ctx_vclock(struct causal_net *cn, u32 scope, u32 width,
					bool make);
void causal_ctx_max(atomic64_t *clock, u64 value);
void causal_ctx_flush_net(struct causal_net *cn);
int causal_ctx_init(void);
void causal_ctx_exit(void);

#endif /* _CAUSAL_CTX_H */
