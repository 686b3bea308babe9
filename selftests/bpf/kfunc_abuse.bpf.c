// SPDX-License-Identifier: GPL-2.0
/*
 * Someone else's tracing programs that call causal's kfuncs wrongly: from
 * places causal does not attach to, with arguments causal never passes.
 * selftests/causal_abuse.c loads each program on its own, makes traffic,
 * and checks that every load was refused or every call returned an error.
 *
 * Each program counts its calls and those that returned 0 in calls[] and
 * oks[] at its index.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <causal/tcp_state.h>

/* in the order of causal_abuse.c's table */
enum {
	SEND_UNLOCKED, SEND_UDP_AS_TCP, RECV_UDP_AS_TCP, RECV_LISTENER,
	CONNECT_LISTENER, SEND_NULL, UDP_RECV_TCP, UDP_SEND_SHARED, UDP_RX_NULL,
	SENT_UNLOCKED, ACCEPT_LISTENER, CLOSE_NULL, UDP_RX_SHARED, READ_UNLOCKED,
	SEND_VEC_UNLOCKED, RECV_VEC_LISTENER, OPS_WRITE_SMALL, OWN_NEW_UNLOCKED,
	OPS_PARSE_ELSEWHERE, SEND_OWN_UNLOCKED, SENT_OWN_UDP, RECV_OWN_LISTENER,
	READ_OWN_NULL, UDP_SEND_WIRE_SHARED, UDP_RECV_WIRE_TCP, ABUSES
};

char LICENSE[] SEC("license") = "GPL";

extern int causal_tcp_send(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_tcp_sent(struct sock *sk, struct causal_tcp_state *st, int ret) __ksym;
extern int causal_tcp_recv(struct sock *sk, struct causal_tcp_state *st, int copied) __ksym;
extern int causal_tcp_connect(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_tcp_accept(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_tcp_read(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_tcp_send_vec(struct sock *sk, struct causal_tcp_state *st,
			       struct causal_tcp_vec *vh) __ksym;
extern int causal_tcp_recv_vec(struct sock *sk, struct causal_tcp_state *st,
			       struct causal_tcp_vec *vh, int copied) __ksym;
extern void causal_tcp_close(struct sock *sk, struct causal_tcp_state *st) __ksym;
extern int causal_sock_close(struct sock *sk) __ksym;
extern int causal_tcp_send_own(struct sock *sk) __ksym;
extern int causal_tcp_sent_own(struct sock *sk, int sent) __ksym;
extern int causal_tcp_recv_own(struct sock *sk, int copied) __ksym;
extern int causal_tcp_read_own(struct sock *sk) __ksym;
extern int causal_tcp_own_new(struct sock *sk) __ksym;
extern int causal_tcp_ops_write(struct sock *sk, __u8 *opt, int opt__sz, __u32 end,
				int full) __ksym;
extern int causal_tcp_ops_parse(struct sock *sk, const struct causal_tcp_opts *opts,
				__u32 optlen, __u32 seq, __u32 payload) __ksym;
extern int causal_udp_send(struct sk_buff *skb) __ksym;
extern int causal_udp_rx(struct sk_buff *skb) __ksym;
extern int causal_udp_recv(struct sock *sk, struct sk_buff *skb) __ksym;
extern int causal_udp_send_wire(struct sk_buff *skb) __ksym;
extern int causal_udp_recv_wire(struct sock *sk, struct sk_buff *skb) __ksym;

__u64 calls[ABUSES], oks[ABUSES];
/* Only for this test's own ports: other sockets are left alone. */
const volatile __u16 port_lo = 0, port_hi = 0;

/* Room for the records the TCP kfuncs take (too big for the stack). */
struct causal_tcp_state st;
struct causal_tcp_vec vh;
/*
 * A field read gives the object the type of sk_buff, not only its name:
 * libbpf matches the kfuncs' prototypes against the kernel's by type.
 */
__u32 seen_len;

static __always_inline int ours(struct sock *sk)
{
	__u16 p;

	if (!sk)
		return 0;
	p = sk->__sk_common.skc_num;
	return p >= port_lo && p <= port_hi;
}

static __always_inline void count(int i, int ret)
{
	if (i < 0 || i >= ABUSES)
		return;
	__sync_fetch_and_add(&calls[i], 1);
	if (!ret)
		__sync_fetch_and_add(&oks[i], 1);
}

/* A TCP socket whose lock nobody holds (tcp_sendmsg takes it later). */
SEC("fentry/tcp_sendmsg")
int BPF_PROG(send_unlocked, struct sock *sk)
{
	if (ours(sk))
		count(SEND_UNLOCKED, causal_tcp_send(sk, &st));
	return 0;
}

/* A UDP socket where a TCP one is expected. */
SEC("fentry/udp_sendmsg")
int BPF_PROG(send_udp_as_tcp, struct sock *sk)
{
	if (ours(sk))
		count(SEND_UDP_AS_TCP, causal_tcp_send(sk, &st));
	return 0;
}

/* A UDP socket handed to a TCP receive. */
SEC("fexit/udp_recvmsg")
int BPF_PROG(recv_udp_as_tcp, struct sock *sk)
{
	if (ours(sk))
		count(RECV_UDP_AS_TCP, causal_tcp_recv(sk, &st, 1));
	return 0;
}

/* A listening socket, its lock held (listen(2) holds it). */
SEC("fexit/inet_csk_listen_start")
int BPF_PROG(recv_listener, struct sock *sk)
{
	if (ours(sk))
		count(RECV_LISTENER, causal_tcp_recv(sk, &st, 1));
	return 0;
}

/* A listening socket about to accept, as if it connected. */
SEC("fentry/inet_csk_accept")
int BPF_PROG(connect_listener, struct sock *sk)
{
	if (ours(sk))
		count(CONNECT_LISTENER, causal_tcp_connect(sk, &st));
	return 0;
}

/* NULL for the socket. */
SEC("fentry/tcp_sendmsg")
int BPF_PROG(send_null, struct sock *sk)
{
	if (ours(sk))
		count(SEND_NULL, causal_tcp_send((struct sock *)0, &st));
	return 0;
}

/* A TCP socket and segment handed to a UDP receive. */
SEC("fentry/tcp_v4_do_rcv")
int BPF_PROG(udp_recv_tcp, struct sock *sk, struct sk_buff *skb)
{
	if (!ours(sk))
		return 0;
	seen_len = skb->len;
	count(UDP_RECV_TCP, causal_udp_recv(sk, skb));
	return 0;
}

/* A shared skb (a packet socket's reference to one), as a datagram leaving. */
SEC("fentry/packet_rcv")
int BPF_PROG(udp_send_shared, struct sk_buff *skb)
{
	seen_len = skb->len;
	count(UDP_SEND_SHARED, causal_udp_send(skb));
	return 0;
}

/* NULL for the skb of an arriving datagram. */
SEC("fentry/udp_sendmsg")
int BPF_PROG(udp_rx_null, struct sock *sk)
{
	if (ours(sk))
		count(UDP_RX_NULL, causal_udp_rx((struct sk_buff *)0));
	return 0;
}

/* The end of a send, on a socket whose lock was given back. */
SEC("fexit/tcp_sendmsg")
int BPF_PROG(sent_unlocked, struct sock *sk)
{
	if (ours(sk))
		count(SENT_UNLOCKED, causal_tcp_sent(sk, &st, 1));
	return 0;
}

/* A listening socket, as if it were the connection accepted. */
SEC("fentry/inet_csk_accept")
int BPF_PROG(accept_listener, struct sock *sk)
{
	if (ours(sk))
		count(ACCEPT_LISTENER, causal_tcp_accept(sk, &st));
	return 0;
}

/* NULL for the socket an application closes. */
SEC("fentry/udp_sendmsg")
int BPF_PROG(close_null, struct sock *sk)
{
	if (ours(sk))
		count(CLOSE_NULL, causal_sock_close((struct sock *)0));
	return 0;
}

/* A shared skb, as a datagram arriving. */
SEC("fentry/packet_rcv")
int BPF_PROG(udp_rx_shared, struct sk_buff *skb)
{
	seen_len = skb->len;
	count(UDP_RX_SHARED, causal_udp_rx(skb));
	return 0;
}

/* Bytes taken, on a socket whose lock was given back (tcp_recvmsg's end). */
SEC("fexit/tcp_recvmsg")
int BPF_PROG(read_unlocked, struct sock *sk)
{
	if (ours(sk))
		count(READ_UNLOCKED, causal_tcp_read(sk, &st));
	return 0;
}

/* A vector send on a socket whose lock nobody holds. */
SEC("fentry/tcp_sendmsg")
int BPF_PROG(send_vec_unlocked, struct sock *sk)
{
	if (ours(sk))
		count(SEND_VEC_UNLOCKED, causal_tcp_send_vec(sk, &st, &vh));
	return 0;
}

/* A vector receive on a listening socket, its lock held. */
SEC("fexit/inet_csk_listen_start")
int BPF_PROG(recv_vec_listener, struct sock *sk)
{
	if (ours(sk))
		count(RECV_VEC_LISTENER, causal_tcp_recv_vec(sk, &st, &vh, 1));
	return 0;
}

/*
 * sock_ops' kfuncs from a tracing program, at a place of causal's, the
 * socket's lock held: an option written into too small a buffer...
 */
SEC("fentry/tcp_sendmsg_locked")
int BPF_PROG(ops_write_small, struct sock *sk)
{
	__u8 opt[8] = {};

	if (ours(sk))
		count(OPS_WRITE_SMALL, causal_tcp_ops_write(sk, opt, sizeof(opt), 0, 1) >= 0 ?
		      0 : -1);
	return 0;
}

/* ...a connection's state made for a socket whose lock nobody holds... */
SEC("fentry/inet_release")
int BPF_PROG(own_new_unlocked, struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (ours(sk))
		count(OWN_NEW_UNLOCKED, causal_tcp_own_new(sk));
	return 0;
}

/* ...and options parsed from a place causal does not attach to. */
SEC("fentry/tcp_sendmsg")
int BPF_PROG(ops_parse_elsewhere, struct sock *sk)
{
	struct causal_tcp_opts opts = {};

	if (ours(sk))
		count(OPS_PARSE_ELSEWHERE, causal_tcp_ops_parse(sk, &opts, 40, 0, 1) >= 0 ? 0 : -1);
	return 0;
}

/* The kfuncs that find the record themselves: a socket nobody locked... */
SEC("fentry/tcp_sendmsg")
int BPF_PROG(send_own_unlocked, struct sock *sk)
{
	if (ours(sk))
		count(SEND_OWN_UNLOCKED, causal_tcp_send_own(sk));
	return 0;
}

/* ...a UDP socket for a TCP one... */
SEC("fexit/udp_sendmsg")
int BPF_PROG(sent_own_udp, struct sock *sk)
{
	if (ours(sk))
		count(SENT_OWN_UDP, causal_tcp_sent_own(sk, 1));
	return 0;
}

/* ...a listening socket... */
SEC("fexit/inet_csk_listen_start")
int BPF_PROG(recv_own_listener, struct sock *sk)
{
	if (ours(sk))
		count(RECV_OWN_LISTENER, causal_tcp_recv_own(sk, 1));
	return 0;
}

/* ...and NULL. */
SEC("fentry/tcp_sendmsg")
int BPF_PROG(read_own_null, struct sock *sk)
{
	if (ours(sk))
		count(READ_OWN_NULL, causal_tcp_read_own((struct sock *)0));
	return 0;
}

/* The benchmark's wire-only kfuncs (CAUSAL_ABLATE_WIRE): a shared skb... */
SEC("fentry/packet_rcv")
int BPF_PROG(udp_send_wire_shared, struct sk_buff *skb)
{
	seen_len = skb->len;
	count(UDP_SEND_WIRE_SHARED, causal_udp_send_wire(skb));
	return 0;
}

/* ...and a TCP socket and segment. */
SEC("fentry/tcp_v4_do_rcv")
int BPF_PROG(udp_recv_wire_tcp, struct sock *sk, struct sk_buff *skb)
{
	if (!ours(sk))
		return 0;
	seen_len = skb->len;
	count(UDP_RECV_WIRE_TCP, causal_udp_recv_wire(sk, skb));
	return 0;
}
