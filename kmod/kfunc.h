/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kfuncs causal's BPF programs call (bpf/causal.bpf.c), all offered to
 * tracing programs: the one program type that may call a module's kfuncs on
 * every kernel causal supports.
 */
#ifndef _CAUSAL_KFUNC_H
#define _CAUSAL_KFUNC_H

#include <linux/skbuff.h>
#include <net/sock.h>
#include <causal/tcp_state.h>
#include <causal/tcp_walk.h>

#include "compat.h"

extern bool causal_own_records;

int causal_tcp_own_new(struct sock *sk);
int causal_tcp_ops_est(struct sock *sk, u32 snd_base, u32 rcv_base);
int causal_tcp_ops_len(struct sock *sk, u32 skb_len, u32 tcp_flags);
int causal_tcp_ops_write(struct sock *sk, u8 *opt, int opt__sz, u32 end, int full);
int causal_tcp_ops_done(struct sock *sk, int what, u32 end);
int causal_tcp_ops_parse(struct sock *sk, const struct causal_tcp_opts *opts, u32 optlen,
			 u32 seq, u32 payload);
int causal_tcp_connect_own(struct sock *sk);
int causal_tcp_accept_own(struct sock *sk);
int causal_tcp_send(struct sock *sk, struct causal_tcp_state *st);
int causal_tcp_send_own(struct sock *sk);
int causal_tcp_sent_own(struct sock *sk, int sent);
int causal_tcp_recv_own(struct sock *sk, int copied);
int causal_tcp_read_own(struct sock *sk);
int causal_tcp_send_vec(struct sock *sk, struct causal_tcp_state *st,
			struct causal_tcp_vec *vh);
int causal_tcp_sent(struct sock *sk, struct causal_tcp_state *st, int ret);
int causal_tcp_recv(struct sock *sk, struct causal_tcp_state *st, int copied);
int causal_tcp_recv_vec(struct sock *sk, struct causal_tcp_state *st,
			struct causal_tcp_vec *vh, int copied);
int causal_tcp_read(struct sock *sk, struct causal_tcp_state *st);
int causal_tcp_read_vec(struct sock *sk, struct causal_tcp_state *st,
			struct causal_tcp_vec *vh);
int causal_tcp_connect(struct sock *sk, struct causal_tcp_state *st);
int causal_tcp_accept(struct sock *sk, struct causal_tcp_state *st);
void causal_tcp_close(struct sock *sk, struct causal_tcp_state *st);
int causal_sock_close(struct sock *sk);
int causal_probe_hit(u32 probe_id);
int causal_udp_send(struct sk_buff *skb);
int causal_udp_rx(struct sk_buff *skb);
int causal_udp_recv(struct sock *sk, struct sk_buff *skb);
int causal_udp_send_wire(struct sk_buff *skb);
int causal_udp_recv_wire(struct sock *sk, struct sk_buff *skb);

int causal_call_sk(struct sock *sk, int protocol, bool locked, unsigned int *bit);
bool causal_sk_locked(struct sock *sk);
int causal_call_net(const struct net *net, unsigned int *bit);
void causal_call_end(unsigned int bit);
int causal_call_refuse(const struct net *net, int err);
bool causal_call_skb_headers(const struct sk_buff *skb, bool transport);

int causal_kfunc_init(void);

#endif /* _CAUSAL_KFUNC_H */
