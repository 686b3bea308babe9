/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_SOCK_H
#define _CAUSAL_SOCK_H

#include <linux/in6.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/xarray.h>
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
 * @last_send: a TCP connection whose state the module keeps in 48 bytes
 *	(struct causal_tcp_own): clock of its last send event since
 * @last_recv: the same of its last receive event
 * @pid: the same of the process that sent or received last
 */
struct causal_sock_traffic {
	atomic64_t ctr[CAUSAL_STAT_TRAFFIC_NR];
	u64 last_send;
	u64 last_recv;
	pid_t pid;
};

/**
 * struct causal_sock_more - what a socket needs only at times, made at the
 *	first need and kept with it, in a table by the socket's cookie
 * @vc: the socket's vector clock, made on its first event in vector mode
 * @vec_owner: participant id of its latest vector event (of the socket in
 *	socket scope, of the thread in thread scope)
 * @send_note: room for the note of a TCP send under way, sent when it is
 *	over; made when someone first listens while the socket sends, freed
 *	by a send that finds nobody listening
 * @traffic: its traffic counters, if it has them
 * @rx_name_id32: a TCP connection the module keeps (causal_sock_tcp()), while
 *	someone listens for events: the low 32 bits of the event number of the
 *	send a full form named (CAUSAL_OWN_RX_NAMED), of the peer's node
 * @rx_name_end: where the bytes that came with it end; the receive that
 *	reads them names it
 * @stat: the socket's anomaly counters, from CAUSAL_STAT_TRAFFIC_NR on
 */
struct causal_sock_more {
	struct causal_vclock *vc;
	u64 vec_owner;
	struct causal_note *send_note;
	struct causal_sock_traffic *traffic;
	u32 rx_name_id32, rx_name_end;
	atomic64_t stat[CAUSAL_SOCK_STAT_RARE];
};

/**
 * struct causal_sock_has - what a socket has besides its state, the first
 *	bytes of either form of it (struct causal_sock_last, struct
 *	causal_tcp_own), each written once, without a lock
 * @more: a struct causal_sock_more in causal_socks_more
 * @traffic: traffic counters in it
 *
 * So that the usual socket, which has neither, looks in no table for them.
 */
struct causal_sock_has {
	u8 more;
	u8 traffic;
};

/**
 * struct causal_sock_last - what a UDP socket, or a TCP one whose record
 *	is in BPF storage, keeps of its last events
 * @has: what it has besides
 * @vec_missed: an event found no memory for its vector clock: it starts lossy
 * @pid: thread group of the last task that sent or received (its
 *	command name is read from the process when the socket is listed)
 * @last_send: clock of the last send event, 0 before the first
 * @last_recv: clock of the last receive event, 0 before the first
 * @remote_node: the peer's node id from its last full option
 * @remote_stamp: the last stamp a receive merged
 */
struct causal_sock_last {
	struct causal_sock_has has;
	u8 vec_missed;
	pid_t pid;
	u64 last_send;
	u64 last_recv;
	u64 remote_node;
	u64 remote_stamp;
};

/* flags of struct causal_tcp_own */
#define CAUSAL_OWN_STREAM	0x01	/* the stream's bases are known */
#define CAUSAL_OWN_RX_CLOCKED	0x02	/* rx_clock holds the largest clock received */
#define CAUSAL_OWN_RX_WHOLE	0x04	/* ... all 64 bits of it, not its low 56 */
#define CAUSAL_OWN_RX_INEXACT	0x08	/* a stamp came flagged inexact */
#define CAUSAL_OWN_MERGED	0x10	/* a receive merged a stamp */
#define CAUSAL_OWN_VEC_MISSED	0x20	/* as causal_sock_last's vec_missed */
#define CAUSAL_OWN_RX_NAMED	0x40	/* a send to name waits in causal_sock_more */
#define CAUSAL_OWN_SND_SYN	0x80	/* TCP's bytes_acked counts the SYN */

/**
 * struct causal_tcp_own - a TCP connection's state where sock_ops calls the
 *	module (Linux 6.8+: causal_own_records), in its causal_sock: what
 *	the record in BPF storage holds elsewhere, in 32 bytes
 * @has: what it has besides
 * @flags: CAUSAL_OWN_*
 * @ident: CAUSAL_IDENT_*: has the peer the node's id
 * @rx_clock_end: where the furthest bytes that came with a clock end
 * @rx_clock: the largest clock received (CAUSAL_OWN_RX_CLOCKED), whole or
 *	its low 56 bits (CAUSAL_OWN_RX_WHOLE): the module restores the top
 *	bits once and extends the whole clock as newer ones come
 * @remote_node: the peer's node id, from its full form
 * @rcv_read: where the bytes its last receive event took end
 * @ident_end: where the bytes sent with the node's id in the full form end
 *
 * Where the bytes of each direction start (the stream's bases) is not
 * kept: TCP counts the bytes acknowledged and received, and the bases are
 * where those counts end less the counts (causal_tcp_own_bases()),
 * checked against sock_ops' own reckoning when the connection is
 * established (CAUSAL_OWN_STREAM).
 *
 * The socket's clock is the one segments carry: at least the clock of
 * every send whose bytes they hold or follow, as the clock of the last
 * send is (Documentation/causal.rst).  Every access is under the socket's
 * lock, but netlink's, which reads.
 */
struct causal_tcp_own {
	struct causal_sock_has has;
	u8 flags;
	u8 ident;
	u32 rx_clock_end;
	u64 rx_clock;
	u64 remote_node;
	u32 rcv_read;
	u32 ident_end;
};

/**
 * struct causal_sock - what causal keeps for one TCP or UDP socket
 * @sk: the socket; its node, cookie, protocol and TCP state are read from
 *	it (it outlives this state, and stays a socket of the same protocol
 *	for readers under RCU: SLAB_TYPESAFE_BY_RCU)
 * @clock: the socket's clock
 * @tcp: a TCP connection's, where the module keeps it (causal_sock_tcp()):
 *	48 bytes in all, as its cache (causal_sock) allocates
 * @last: a UDP socket's, or a TCP one's whose record is in BPF storage:
 *	56 bytes in all (cache causal_sock_last)
 * @has: either form's first bytes (their common initial sequence)
 * @gone: once it left the table, for freeing after readers are done: its
 *	RCU head and its key (cookie << 1, | 1 for a 48-byte one), after the
 *	first 8 bytes (@has, which a UDP datagram's arrival may still write
 *	as the socket closes).  They take the place of fields nobody writes
 *	then (the socket is being destroyed: the last events' clocks and
 *	peer, a connection's largest clock received and peer), and readers
 *	check it is still in the table after reading them
 *
 * Found by its socket's cookie in one table for all nodes (kmod/sock.c),
 * which also orders dumps.  What a socket needs only at times (struct
 * causal_sock_more) is in a second table by the same key, so that an idle
 * connection costs no pointer to it.
 *
 * TCP's clocks change under the socket's lock (from BPF programs on TCP's
 * send and receive paths), UDP's by compare and exchange (its sends and
 * receives take no lock); netlink reads them locklessly.
 */
struct causal_sock {
	struct sock *sk;
	u64 clock;
	union {
		struct causal_sock_has has;
		struct causal_tcp_own tcp;
		struct causal_sock_last last;
		struct {
			u64 head;
			struct rcu_head rcu;
			u64 key;
		} gone;
	};
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
 * causal_sock_of() - is a socket causal keeps one of node @cn's?
 * @cs: the socket's state, found in the table under RCU
 * @cn: the node
 *
 * Compares the socket's namespace with the node's without following it:
 * a socket that went may have left a namespace that went too.
 *
 * Return: whether it is.
 */
static inline bool causal_sock_of(const struct causal_sock *cs, const struct causal_net *cn)
{
	return read_pnet(&READ_ONCE(cs->sk)->sk_net) == cn->net;
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
 * causal_sk_own() - is @sk a connection whose state the module keeps in a
 *	48-byte causal_sock (struct causal_tcp_own)?
 * @sk: a TCP or UDP socket
 *
 * Return: whether it is.
 */
static inline bool causal_sk_own(const struct sock *sk)
{
	return causal_own_records && sk->sk_protocol == IPPROTO_TCP;
}

/**
 * causal_sock_tcp() - the state of a TCP connection the module keeps
 * @cs: the socket's state
 *
 * Return: it, or NULL: the socket is a UDP one, or its connection's record
 * is in BPF socket storage (Linux 6.1); then @cs->last holds what it keeps.
 */
static inline struct causal_tcp_own *causal_sock_tcp(struct causal_sock *cs)
{
	return causal_sk_own(cs->sk) ? &cs->tcp : NULL;
}

void causal_addr_of_sk(struct causal_addr *a, const struct sock *sk);
int causal_addr_put(struct sk_buff *skb, const struct causal_addr *a,
		    const struct causal_addr_attrs *attrs);
struct causal_sock *causal_sock_lookup(const struct sock *sk);
struct causal_sock *causal_sock_by_cookie(struct causal_net *cn, u64 cookie);
struct causal_sock *causal_sock_next(struct causal_net *cn, unsigned long *cookie);
bool causal_sock_listed(const struct causal_sock *cs, u64 cookie);
struct causal_vclock *causal_sock_vclock(struct causal_sock *cs);
struct causal_sock_more *causal_sock_more(struct causal_sock *cs);

extern struct xarray causal_socks_more;

/**
 * causal_xa_load() - xa_load() for a caller inside an RCU read section
 * @xa: one of the module's xarrays (no zero entries stored)
 * @index: the index
 *
 * xa_load() takes RCU's read lock itself, a call each way with preemptible
 * RCU; the datagram and segment paths hold it already.
 *
 * Context: RCU read side.
 * Return: the entry or NULL.
 */
static inline void *causal_xa_load(struct xarray *xa, unsigned long index)
{
	XA_STATE(xas, xa, index);
	void *entry;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "table read outside RCU");
	do {
		entry = xas_load(&xas);
	} while (xas_retry(&xas, entry));
	return entry;
}

/**
 * causal_sock_more_of() - the rest of a socket's state, if it has it
 * @cs: the socket's state
 *
 * Context: RCU read side.
 * Return: it, or NULL.
 */
static inline struct causal_sock_more *causal_sock_more_of(const struct causal_sock *cs)
{
	/* pairs with causal_sock_more()'s release: set once it is there */
	if (!smp_load_acquire(&cs->has.more))
		return NULL;
	return causal_xa_load(&causal_socks_more, causal_sock_cookie(cs));
}

/**
 * causal_sock_vclock_of() - the vector clock of a socket, if it has one
 * @cs: the socket's state
 *
 * Return: the clock, or NULL.
 */
static inline struct causal_vclock *causal_sock_vclock_of(const struct causal_sock *cs)
{
	const struct causal_sock_more *more = causal_sock_more_of(cs);

	return more ? READ_ONCE(more->vc) : NULL;
}

/**
 * causal_sock_vec_owner() - the participant of a socket's latest vector event
 * @cs: the socket's state
 * @vc: its vector clock, locked
 *
 * Return: that participant's id (the socket's own before any event).
 */
static inline u64 causal_sock_vec_owner(const struct causal_sock *cs,
					const struct causal_vclock *vc)
{
	lockdep_assert_held(&vc->lock);
	return READ_ONCE(causal_sock_more_of(cs)->vec_owner) ?: vc->id;
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
	if (stat >= CAUSAL_STAT_TRAFFIC_NR || READ_ONCE(cn->sock_counters) ||
	    READ_ONCE(cs->has.traffic))
		causal_sock_count_own(cs, stat, n);
}

bool causal_sock_stat(const struct causal_sock *cs, enum causal_stat stat, u64 *v);
void causal_sock_uncount(struct causal_sock *cs, enum causal_stat stat);
void causal_sock_seen(struct causal_sock *cs, bool send, u64 clock);
void causal_sock_remote(struct causal_sock *cs, const u64 *stamp, u64 node);
void causal_sock_task(struct causal_sock *cs, pid_t pid);
bool causal_sock_vec_missed(struct causal_sock *cs, bool set);

/**
 * struct causal_sock_view - what a socket's listing shows of its last events
 * @last_send: as struct causal_sock_last
 * @last_recv: likewise
 * @remote_node: likewise
 * @remote_stamp: likewise
 * @pid: likewise
 */
struct causal_sock_view {
	u64 last_send, last_recv, remote_node, remote_stamp;
	pid_t pid;
};

void causal_sock_view(struct causal_sock *cs, struct causal_sock_view *v);
void causal_net_socks_flush(struct causal_net *cn);
int causal_sock_init(void);
void causal_sock_exit(void);

#endif /* _CAUSAL_SOCK_H */
