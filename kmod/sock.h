/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_SOCK_H
#define _CAUSAL_SOCK_H

#include <linux/in6.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/sock.h>

#include "kfunc.h"
#include "net.h"
#include "notify.h"
#include "vec.h"

struct causal_tcp_state;

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

/*
 * A socket's own counters: its traffic (sends, receives, stamps out and in)
 * only while its node counts per socket (the socket-counters setting), and
 * its anomalies (the rest: receives unstamped, inexact or forged, options
 * malformed or foreign, sends without room, vector losses, events dropped)
 * always, in the block made at its first.  sockets-untracked is the node's
 * alone.  The node counts everything, always.
 */
#define CAUSAL_SOCK_STAT_RARE (CAUSAL_STAT_SOCK_NR - CAUSAL_STAT_TRAFFIC_NR - 1)

/**
 * struct causal_sock_traffic - a socket's traffic counters, made at its
 *	first event after its node began counting per socket
 * @ctr: by enum causal_stat
 */
struct causal_sock_traffic {
	atomic64_t ctr[CAUSAL_STAT_TRAFFIC_NR];
};

/**
 * struct causal_sock_more - what a socket needs only at times, made at the
 *	first need and kept with it
 * @vc: the socket's vector clock, made on its first event in vector mode
 * @vec_owner: participant id of its latest vector event (of the socket in
 *	socket scope, of the thread in thread scope)
 * @send_note: room for the note of a TCP send under way, sent when it is
 *	over; made when someone first listens while the socket sends, freed
 *	by a send that finds nobody listening
 * @traffic: its traffic counters, if it has them
 * @stat: the socket's anomaly counters, from CAUSAL_STAT_TRAFFIC_NR on
 */
struct causal_sock_more {
	struct causal_vclock *vc;
	u64 vec_owner;
	struct causal_note *send_note;
	struct causal_sock_traffic *traffic;
	atomic64_t stat[CAUSAL_SOCK_STAT_RARE];
};

/**
 * struct causal_sock - what causal keeps for one TCP or UDP socket: 64 bytes
 * @sk: the socket; its node, cookie, protocol and TCP state are read from
 *	it (it outlives this state, and stays a socket of the same protocol
 *	for readers under RCU: SLAB_TYPESAFE_BY_RCU)
 * @more: the rest, made at the first need: its own counters among it
 *	(atomic, as UDP sends and receives run without the socket's lock)
 * @clock: the socket's clock
 * @last_send: clock of the last send event, 0 before the first
 * @last_recv: clock of the last receive event, 0 before the first
 * @rcu: for freeing after readers are done, once it left its node's
 *	table: nobody writes @last_send or @last_recv then (the socket is
 *	being destroyed), and readers check it is still in the table after
 *	reading them
 * @remote_node: the peer's node id from its last full option
 * @remote_stamp: the last stamp a receive merged
 * @pid: thread group of the last task that sent or received (its
 *	command name is read from the process when the socket is listed)
 * @vec_missed: an event found no memory for its vector clock: it starts lossy
 *
 * Found by its socket's cookie in its node's table (struct causal_net's
 * socks), which also orders dumps.  A TCP connection's record, where the
 * module keeps it, follows in the same object (causal_sock_record()).
 *
 * TCP's clocks change under the socket's lock (from BPF programs on TCP's
 * send and receive paths), UDP's by compare and exchange (its sends and
 * receives take no lock); netlink reads them locklessly.
 */
struct causal_sock {
	struct sock *sk;
	struct causal_sock_more *more;
	u64 clock;
	union {
		struct {
			u64 last_send;
			u64 last_recv;
		};
		struct rcu_head rcu;
	};
	u64 remote_node;
	u64 remote_stamp;
	pid_t pid;
	u8 vec_missed;
};

/**
 * causal_sock_node() - the node of a socket causal keeps
 * @cs: the socket's state
 *
 * Context: RCU read side (kfuncs and probes run in one).
 * Return: its node.
 */
static inline struct causal_net *causal_sock_node(const struct causal_sock *cs)
{
	return causal_net_rcu(sock_net(cs->sk));
}

/**
 * causal_sock_cookie() - the cookie of a socket causal keeps
 * @cs: the socket's state
 *
 * Return: the socket's cookie, which causal gave it when it made @cs.
 */
static inline u64 causal_sock_cookie(const struct causal_sock *cs)
{
	return atomic64_read(&cs->sk->sk_cookie);
}

/**
 * causal_sock_record() - the record of a TCP connection the module keeps
 * @cs: the socket's state
 *
 * Return: the record (include/causal/tcp_state.h), or NULL when the
 * connection's record is in BPF socket storage (or @cs is a UDP socket's).
 */
static inline struct causal_tcp_state *causal_sock_record(struct causal_sock *cs)
{
	return causal_own_records && cs->sk->sk_protocol == IPPROTO_TCP ?
	       (struct causal_tcp_state *)(cs + 1) : NULL;
}

void causal_addr_of_sk(struct causal_addr *a, const struct sock *sk);
int causal_addr_put(struct sk_buff *skb, const struct causal_addr *a,
		    const struct causal_addr_attrs *attrs);
struct causal_sock *causal_sock_lookup(const struct sock *sk);
struct causal_sock *causal_sock_by_cookie(struct causal_net *cn, u64 cookie);
struct causal_vclock *causal_sock_vclock(struct causal_sock *cs);
struct causal_sock_more *causal_sock_more(struct causal_sock *cs);

/**
 * causal_sock_vclock_of() - the vector clock of a socket, if it has one
 * @cs: the socket's state
 *
 * Return: the clock, or NULL.
 */
static inline struct causal_vclock *causal_sock_vclock_of(const struct causal_sock *cs)
{
	const struct causal_sock_more *more = READ_ONCE(cs->more);

	return more ? READ_ONCE(more->vc) : NULL;
}

struct causal_sock *causal_sock_create(struct sock *sk);
void causal_sock_forget(struct sock *sk);
void causal_sock_count_own(struct causal_sock *cs, enum causal_stat stat, u32 n);

/**
 * causal_sock_count() - count @n events of kind @stat on a socket and its node
 * @cs: the socket's state
 * @stat: what happened, one of the socket's counters
 * @n: how many times
 *
 * The node counts it, exactly whatever runs at once; the socket as
 * causal_sock_count_own() says.  Inline for the usual case: traffic, on a
 * socket without counters of its own, of a node that does not count per
 * socket, which is the node's per-CPU add alone.
 */
static inline void causal_sock_count(struct causal_sock *cs, enum causal_stat stat, u32 n)
{
	struct causal_net *cn;

	if (!n)
		return;
	cn = causal_sock_node(cs);
	causal_stat_add(cn, stat, n);
	if (stat >= CAUSAL_STAT_TRAFFIC_NR || READ_ONCE(cs->more) ||
	    READ_ONCE(cn->sock_counters))
		causal_sock_count_own(cs, stat, n);
}

bool causal_sock_stat(const struct causal_sock *cs, enum causal_stat stat, u64 *v);
void causal_net_socks_flush(struct causal_net *cn);
int causal_sock_init(void);
void causal_sock_exit(void);

#endif /* _CAUSAL_SOCK_H */
