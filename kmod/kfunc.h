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

#include "compat.h"

extern bool causal_own_records;

u8 *causal_tcp_record(struct sock *sk, int create, const int rdwr_buf_size);
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

int causal_call_sk(struct sock *sk, int protocol, bool locked, unsigned int *bit);
int causal_call_net(const struct net *net, unsigned int *bit);
void causal_call_end(unsigned int bit);
int causal_call_refuse(const struct net *net, int err);
bool causal_call_skb_headers(const struct sk_buff *skb, bool transport);

int causal_kfunc_init(void);

#endif /* _CAUSAL_KFUNC_H */
