/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_SOCK_H
#define _CAUSAL_SOCK_H

#include <linux/in6.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/types.h>

#include "net.h"
#include "notify.h"
#include "vec.h"

/**
 * struct causal_addr - the addresses of a socket or of an event
 * @family: AF_INET or AF_INET6
 * @sport: local port, network order
 * @dport: remote port, network order
 * @saddr: local address (IPv4 in the first 4 bytes)
 * @daddr: remote address
 */
struct causal_addr {
	u16 family;
	__be16 sport, dport;
	struct in6_addr saddr, daddr;
};

/**
 * struct causal_addr_attrs - the attributes an address is written as
 * @family: of AF_INET or AF_INET6
 * @local: of the local address
 * @remote: of the remote address
 * @lport: of the local port
 * @rport: of the remote port
 */
struct causal_addr_attrs {
	int family, local, remote, lport, rport;
};

/**
 * struct causal_sock - what causal keeps for one TCP or UDP socket
 * @node: in the table of all sockets, keyed by @cookie
 * @sk: the socket; never dereferenced after it is destroyed
 * @cn: its node
 * @id: index in @cn->socks, the order of dumps
 * @cookie: the socket's cookie
 * @protocol: IPPROTO_TCP or IPPROTO_UDP
 * @state: TCP state (of a TCP socket), kept current by a tracepoint
 * @addr: its addresses, as of its first event
 * @clock: the socket's clock
 * @last_send: clock of the last send event, 0 before the first
 * @last_recv: clock of the last receive event, 0 before the first
 * @remote_node: the peer's node id from its last full option
 * @remote_stamp: the last stamp a receive merged
 * @stat: the socket's own counters (enum causal_stat, up to
 *	CAUSAL_STAT_SOCK_NR; the first unused): atomic, as UDP sends and
 *	receives run without the socket's lock
 * @vc: the socket's vector clock, made on its first event in vector mode
 * @vec_owner: participant id of the latest vector event
 * @vec_missed: an event found no memory for @vc: it starts lossy
 * @send_note: the note of a TCP send under way, sent when it is over
 * @send_seq: the sequence number of its first byte
 * @pid: thread group of the last task that sent or received
 * @comm: its command name
 * @rcu: for freeing after readers are done
 *
 * TCP's clocks change under the socket's lock (from BPF programs on TCP's
 * send and receive paths), UDP's by compare and exchange (its sends and
 * receives take no lock); netlink reads them locklessly.
 */
struct causal_sock {
	struct rhash_head node;
	struct sock *sk;
	struct causal_net *cn;
	u32 id;
	u64 cookie;
	u8 protocol;
	u8 state;
	struct causal_addr addr;
	u64 clock;
	u64 last_send;
	u64 last_recv;
	u64 remote_node;
	u64 remote_stamp;
	atomic64_t stat[CAUSAL_STAT_SOCK_NR];
	struct causal_vclock *vc;
	u64 vec_owner;
	u8 vec_missed;
	struct causal_note send_note;
	u32 send_seq;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct rcu_head rcu;
};

void causal_addr_of_sk(struct causal_addr *a, const struct sock *sk);
int causal_addr_put(struct sk_buff *skb, const struct causal_addr *a,
		    const struct causal_addr_attrs *attrs);
struct causal_sock *causal_sock_lookup(const struct sock *sk);
struct causal_sock *causal_sock_by_cookie(u64 cookie);
struct causal_vclock *causal_sock_vclock(struct causal_sock *cs);
struct causal_sock *causal_sock_create(struct sock *sk);
void causal_sock_forget(struct sock *sk);
void causal_sock_count(struct causal_sock *cs, enum causal_stat stat, u32 n);
void causal_net_socks_flush(struct causal_net *cn);
int causal_sock_init(void);
void causal_sock_exit(void);

#endif /* _CAUSAL_SOCK_H */
