// SPDX-License-Identifier: GPL-2.0
/*
 * Per-socket state.  A TCP socket gets its causal_sock when it connects or
 * is accepted, where the module keeps connections (causal_tcp_own_new()),
 * else on its first send or receive after causal's programs are attached; a
 * UDP socket on its first datagram; each if its node is under its cap
 * (causal_sock_create(), from a kfunc).  It is
 * found in one table, an xarray keyed by the socket's cookie, which also
 * gives dumps a stable order and a cursor.  It goes away when TCP
 * destroys the socket, seen by the module itself through the
 * tcp_destroy_sock tracepoint, or with its node.
 * causal_sock_close(), the kfunc of an application's close, is here too.
 */

#include <linux/bpf.h>
#include <linux/slab.h>
#include <linux/sock_diag.h>
#include <net/inet_sock.h>
#include <net/netlink.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "event.h"
#include "kfunc.h"
#include "sock.h"
#include "tracepoint.h"

/* 48-byte states of TCP connections (causal_sock_tcp()), 56-byte others */
static struct kmem_cache *causal_sock_tcp_cache __read_mostly;
static struct kmem_cache *causal_sock_cache __read_mostly;

/*
 * Every node's sockets, by cookie.  Cookies come from one counter for the
 * whole kernel, in batches per CPU: one table keeps its leaves full, where
 * a table per node would have nodes' cookies interleaved, and a host of
 * many containers a leaf (576 bytes) for a few sockets.
 */
static DEFINE_XARRAY_FLAGS(causal_socks, XA_FLAGS_LOCK_BH);

/*
 * The rest of the state of those that have it (struct causal_sock_more), by
 * the same key: most sockets have none, and a lookup in a table that holds
 * none is a load and a test.
 */
DEFINE_XARRAY_FLAGS(causal_socks_more, XA_FLAGS_LOCK_BH);

/* Cookies index the nodes' tables: they must fit an xarray's index. */
static_assert(sizeof(unsigned long) == sizeof(u64));
/*
 * The sockets' caches stay apart where the kernel allows it (Linux 6.5+),
 * so that /proc/slabinfo's causal_sock lines are causal's alone: SLUB would
 * merge them with other caches of objects of their size.
 */
#ifdef SLAB_NO_MERGE
#define CAUSAL_SLAB_NO_MERGE	SLAB_NO_MERGE
#else
#define CAUSAL_SLAB_NO_MERGE	0
#endif

/*
 * A connection's state is 48 bytes, another socket's 56: with its part of
 * the table, either is less than a cache line
 * (Documentation/performance.rst).
 */
#define CAUSAL_SOCK_TCP_SIZE	offsetofend(struct causal_sock, tcp)
static_assert(CAUSAL_SOCK_TCP_SIZE == 48);
static_assert(sizeof(struct causal_sock) == 56);
static_assert(offsetofend(struct causal_sock, gone) <= CAUSAL_SOCK_TCP_SIZE);
static_assert(offsetof(struct causal_sock, gone.rcu) >= offsetofend(struct causal_sock, has));
static_assert(offsetof(struct causal_tcp_own, has) == 0 &&
	      offsetof(struct causal_sock_last, has) == 0);

/**
 * causal_sock_lookup() - the state of @sk, if it has any
 * @sk: a socket
 *
 * A socket without a cookie has none: causal gives one to each it keeps.
 * The table is keyed by cookies, unique for as long as the kernel runs and
 * never reused as a socket's address is: what sock-get asks by, and an
 * order for dumps.
 *
 * Context: RCU read-side critical section.
 * Return: the state or NULL.
 */
struct causal_sock *causal_sock_lookup(const struct sock *sk)
{
	u64 cookie = atomic64_read(&sk->sk_cookie);
	struct causal_sock *cs;

	if (!cookie)
		return NULL;
	cs = causal_xa_load(&causal_socks, cookie);
	return cs && cs->sk == sk ? cs : NULL;
}

/**
 * causal_sock_by_cookie() - the state of node @cn's socket with @cookie
 * @cn: the node
 * @cookie: the socket's cookie (as sock-get and causalctl sockets name it)
 *
 * Context: RCU read-side critical section.
 * Return: the state or NULL.
 */
struct causal_sock *causal_sock_by_cookie(struct causal_net *cn, u64 cookie)
{
	struct causal_sock *cs = causal_xa_load(&causal_socks, cookie);

	return cs && causal_sock_of(cs, cn) ? cs : NULL;
}

/**
 * causal_addr_of_sk() - the addresses of a connected socket
 * @a: out
 * @sk: the socket
 */
void causal_addr_of_sk(struct causal_addr *a, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(a, 0, sizeof(*a));
	a->family = sk->sk_family;
	a->sport = inet->inet_sport;
	a->dport = inet->inet_dport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		a->saddr = sk->sk_v6_rcv_saddr;
		a->daddr = sk->sk_v6_daddr;
		return;
	}
#endif
	memcpy(&a->saddr, &inet->inet_saddr, sizeof(__be32));
	memcpy(&a->daddr, &inet->inet_daddr, sizeof(__be32));
}

/**
 * causal_addr_put() - write an address as netlink attributes
 * @skb: the message
 * @a: the address
 * @attrs: the attributes to write it as
 *
 * Return: 0, or -EMSGSIZE.
 */
int causal_addr_put(struct sk_buff *skb, const struct causal_addr *a,
		    const struct causal_addr_attrs *attrs)
{
	int alen = a->family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(__be32);

	if (nla_put_u16(skb, attrs->family, a->family) ||
	    nla_put(skb, attrs->local, alen, &a->saddr) ||
	    nla_put(skb, attrs->remote, alen, &a->daddr) ||
	    nla_put_u16(skb, attrs->lport, ntohs(a->sport)) ||
	    nla_put_u16(skb, attrs->rport, ntohs(a->dport)))
		return -EMSGSIZE;
	return 0;
}

static void causal_sock_free_rcu(struct rcu_head *head)
{
	struct causal_sock *cs = container_of(head, struct causal_sock, gone.rcu);
	u64 key = cs->gone.key;
	struct causal_sock_more *more;

	/*
	 * Readers that found @cs are done: nobody can make or find its rest
	 * any more, and a reader that raced the unlink made it by now.
	 */
	more = xa_erase(&causal_socks_more, key >> 1);
	if (more) {
		causal_vclock_free(more->vc);
		if (more->send_note) {
			nlmsg_free(more->send_note->msg);
			kfree(more->send_note);
		}
		kfree(more->traffic);
		kfree(more);
	}
	kmem_cache_free(key & 1 ? causal_sock_tcp_cache : causal_sock_cache, cs);
}

/**
 * causal_sock_create() - give @sk causal state
 * @sk: a TCP or UDP socket without state
 *
 * Charged to the memory cgroup of the current task.
 *
 * Threads sending on one UDP socket hold no lock in common: two first
 * sends may both find no state and both make one.  The second to insert
 * its own takes the first's.
 *
 * Context: a kfunc, inside causal (kmod/guard.h), under RCU; may not sleep.
 * Return: the socket's state, or NULL when its node is at its cap (counted
 * in sockets-untracked), memory is short or the node is going.
 */
struct causal_sock *causal_sock_create(struct sock *sk)
{
	struct causal_net *cn = causal_net(sock_net(sk));
	struct causal_sock *cs, *old;
	struct kmem_cache *cache;
	u32 cookie[2];

	if (!causal_net_live(cn))
		return NULL;
	if (atomic_inc_return(&cn->sockets) > READ_ONCE(cn->sockets_max))
		goto untracked;
	cache = causal_sk_own(sk) ? causal_sock_tcp_cache : causal_sock_cache;
	cs = kmem_cache_zalloc(cache, GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!cs)
		goto untracked;
	cs->sk = sk;
	sock_diag_save_cookie(sk, cookie);

	old = xa_cmpxchg_bh(&causal_socks, (u64)cookie[1] << 32 | cookie[0], NULL, cs,
			    GFP_ATOMIC | __GFP_NOWARN);
	if (old) {
		kmem_cache_free(cache, cs);
		if (!xa_is_err(old)) {
			atomic_dec(&cn->sockets);
			return old;
		}
		goto untracked;
	}
	atomic_inc(&cn->gen);
	return cs;

untracked:
	atomic_dec(&cn->sockets);
	causal_stat_inc(cn, CAUSAL_STAT_SOCKETS_UNTRACKED);
	pr_debug_ratelimited("node %016llx: a socket goes untracked (cap %u, or no memory)\n",
			     READ_ONCE(cn->node_id), READ_ONCE(cn->sockets_max));
	return NULL;
}

/*
 * Where a socket keeps counter @stat: its traffic (below
 * CAUSAL_STAT_TRAFFIC_NR) in its causal_sock_more's traffic, the rest but
 * sockets-untracked (the node's alone) in its stat, from
 * CAUSAL_STAT_TRAFFIC_NR on.
 */
static_assert(CAUSAL_STAT_TRAFFIC_NR == 4 && CAUSAL_SOCK_STAT_RARE == 10);
static_assert(CAUSAL_STAT_SOCKETS_UNTRACKED + 1 == CAUSAL_STAT_SOCK_NR);

/*
 * *@slot, or a zeroed allocation of @size put there.  A UDP socket's sends
 * and receives may race here: the first to put its own wins, the others
 * free theirs.
 */
static void *causal_sock_zalloc_once(void **slot, size_t size)
{
	void *p = READ_ONCE(*slot), *old;

	if (likely(p))
		return p;
	p = kzalloc(size, GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!p)
		return NULL;
	old = cmpxchg(slot, NULL, p);
	if (old) {
		kfree(p);
		return old;
	}
	return p;
}

/**
 * causal_sock_more() - the rest of a socket's state, made at the first need
 * @cs: the socket's state
 *
 * Made as causal_sock_zalloc_once() makes its parts, in causal_socks_more.
 * One made for a socket that is going is freed with its state
 * (causal_sock_free_rcu()).
 *
 * Context: RCU read side; does not sleep.
 * Return: it, or NULL without memory.
 */
struct causal_sock_more *causal_sock_more(struct causal_sock *cs)
{
	unsigned long key = causal_sock_cookie(cs);
	struct causal_sock_more *more = causal_sock_more_of(cs), *old;

	if (likely(more))
		return more;
	more = kzalloc(sizeof(*more), GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!more)
		return NULL;
	old = xa_cmpxchg_bh(&causal_socks_more, key, NULL, more, GFP_ATOMIC | __GFP_NOWARN);
	if (old) {
		kfree(more);
		if (xa_is_err(old))
			return NULL;
		more = old;
	}
	/* pairs with causal_sock_more_of()'s acquire */
	smp_store_release(&cs->has.more, 1);
	return more;
}

/*
 * The traffic counters of @cs: those it has, else new ones while its node
 * counts per socket, else none.
 */
static struct causal_sock_traffic *causal_sock_traffic(struct causal_sock *cs)
{
	struct causal_sock_more *more = causal_sock_more_of(cs);
	struct causal_sock_traffic *tr = more ? READ_ONCE(more->traffic) : NULL;

	if (tr || !READ_ONCE(causal_sock_node(cs)->sock_counters))
		return tr;
	more = causal_sock_more(cs);
	tr = more ? causal_sock_zalloc_once((void **)&more->traffic, sizeof(*tr)) : NULL;
	if (tr)
		WRITE_ONCE(cs->has.traffic, 1);
	return tr;
}

/**
 * causal_sock_count_own() - count @n events of kind @stat on a socket
 * @cs: the socket's state
 * @stat: what happened, one of the socket's counters
 * @n: how many times
 *
 * The socket's part of causal_sock_count(): its traffic in the counters it
 * has, or makes while its node counts per socket (socket-counters), its
 * anomalies always; without memory for them, only the node counts.
 */
void causal_sock_count_own(struct causal_sock *cs, enum causal_stat stat, u32 n)
{
	struct causal_sock_traffic *tr;
	struct causal_sock_more *more;

	if (stat < CAUSAL_STAT_TRAFFIC_NR) {
		tr = causal_sock_traffic(cs);
		if (tr)
			atomic64_add(n, &tr->ctr[stat]);
		return;
	}
	if (WARN_ON_ONCE(stat >= CAUSAL_STAT_SOCKETS_UNTRACKED))
		return;
	more = causal_sock_more(cs);
	if (more)
		atomic64_add(n, &more->stat[stat - CAUSAL_STAT_TRAFFIC_NR]);
}

/**
 * causal_sock_stat() - a socket's own counter
 * @cs: the socket's state
 * @stat: which, below CAUSAL_STAT_SOCK_NR
 * @v: out: its count
 *
 * Return: whether the socket counts @stat: its anomalies always (0 before
 * the first), its traffic only once it has the counters for it.
 */
bool causal_sock_stat(const struct causal_sock *cs, enum causal_stat stat, u64 *v)
{
	const struct causal_sock_more *more = causal_sock_more_of(cs);
	const struct causal_sock_traffic *tr;

	*v = 0;
	if (stat >= CAUSAL_STAT_SOCKETS_UNTRACKED)
		return false;
	if (stat >= CAUSAL_STAT_TRAFFIC_NR) {
		if (more)
			*v = atomic64_read(&more->stat[stat - CAUSAL_STAT_TRAFFIC_NR]);
		return true;
	}
	tr = more ? READ_ONCE(more->traffic) : NULL;
	if (!tr)
		return false;
	*v = atomic64_read(&tr->ctr[stat]);
	return true;
}

/**
 * causal_sock_uncount() - take back one count of @stat on a socket and its
 *	node, counted before its outcome was known
 * @cs: the socket's state
 * @stat: a traffic counter
 */
void causal_sock_uncount(struct causal_sock *cs, enum causal_stat stat)
{
	struct causal_sock_more *more = causal_sock_more_of(cs);
	struct causal_sock_traffic *tr = more ? READ_ONCE(more->traffic) : NULL;

	causal_stat_sub1(causal_sock_node(cs), stat);
	if (tr && stat < CAUSAL_STAT_TRAFFIC_NR)
		atomic64_dec(&tr->ctr[stat]);
}

/**
 * causal_sock_seen() - a send or receive event of a socket happened
 * @cs: the socket's state
 * @send: a send, else a receive
 * @clock: its clock
 *
 * Kept for listings: by a UDP socket, or a TCP one whose record is in BPF
 * storage, always; by a TCP connection the module keeps in 48 bytes only
 * while its node counts per socket (socket-counters), with its traffic.
 */
void causal_sock_seen(struct causal_sock *cs, bool send, u64 clock)
{
	struct causal_sock_traffic *tr;

	if (!causal_sock_tcp(cs)) {
		WRITE_ONCE(*(send ? &cs->last.last_send : &cs->last.last_recv), clock);
		return;
	}
	tr = causal_sock_traffic(cs);
	if (tr)
		WRITE_ONCE(*(send ? &tr->last_send : &tr->last_recv), clock);
}

/**
 * causal_sock_task() - the process @pid sent or received on a socket
 * @cs: the socket's state
 * @pid: its thread group id
 *
 * Kept as causal_sock_seen() keeps the clocks.
 */
void causal_sock_task(struct causal_sock *cs, pid_t pid)
{
	struct causal_sock_more *more;
	struct causal_sock_traffic *tr;

	if (!causal_sock_tcp(cs)) {
		WRITE_ONCE(cs->last.pid, pid);
		return;
	}
	more = causal_sock_more_of(cs);
	tr = more ? READ_ONCE(more->traffic) : NULL;
	if (tr)
		WRITE_ONCE(tr->pid, pid);
}

/**
 * causal_sock_remote() - a receive merged a stamp, or learnt its peer's node
 * @cs: the socket's state
 * @stamp: the stamp merged, or NULL
 * @node: the peer's node id, 0 if none came
 *
 * A TCP connection the module keeps in 48 bytes takes the stamp as its
 * largest clock received, whole.
 */
void causal_sock_remote(struct causal_sock *cs, const u64 *stamp, u64 node)
{
	struct causal_tcp_own *own = causal_sock_tcp(cs);

	if (!own) {
		if (stamp)
			WRITE_ONCE(cs->last.remote_stamp, *stamp);
		if (node)
			WRITE_ONCE(cs->last.remote_node, node);
		return;
	}
	if (stamp) {
		WRITE_ONCE(own->rx_clock, *stamp);
		own->flags |= CAUSAL_OWN_RX_CLOCKED | CAUSAL_OWN_RX_WHOLE | CAUSAL_OWN_MERGED;
	}
	if (node)
		WRITE_ONCE(own->remote_node, node);
}

/**
 * causal_sock_vec_missed() - has a socket missed memory for its vector clock
 * @cs: the socket's state
 * @set: it just did
 *
 * Return: whether it has.
 */
bool causal_sock_vec_missed(struct causal_sock *cs, bool set)
{
	struct causal_tcp_own *own = causal_sock_tcp(cs);

	if (own) {
		if (set)
			own->flags |= CAUSAL_OWN_VEC_MISSED;
		return own->flags & CAUSAL_OWN_VEC_MISSED;
	}
	if (set)
		WRITE_ONCE(cs->last.vec_missed, 1);
	return READ_ONCE(cs->last.vec_missed);
}

/**
 * causal_sock_view() - what a listing shows of a socket's last events
 * @cs: the socket's state
 * @v: out
 *
 * A TCP connection the module keeps in 48 bytes shows the largest clock
 * received as its last stamp, once whole, and its last events and process
 * while it counts its traffic.
 *
 * Context: RCU read side; the caller checks @cs was still listed after.
 */
void causal_sock_view(struct causal_sock *cs, struct causal_sock_view *v)
{
	struct causal_tcp_own *own = causal_sock_tcp(cs);
	const struct causal_sock_more *more;
	const struct causal_sock_traffic *tr;
	u8 flags;

	memset(v, 0, sizeof(*v));
	if (!own) {
		v->last_send = READ_ONCE(cs->last.last_send);
		v->last_recv = READ_ONCE(cs->last.last_recv);
		v->remote_node = READ_ONCE(cs->last.remote_node);
		v->remote_stamp = READ_ONCE(cs->last.remote_stamp);
		v->pid = READ_ONCE(cs->last.pid);
		return;
	}
	flags = READ_ONCE(own->flags);
	v->remote_node = READ_ONCE(own->remote_node);
	if ((flags & CAUSAL_OWN_RX_CLOCKED) && (flags & CAUSAL_OWN_RX_WHOLE))
		v->remote_stamp = READ_ONCE(own->rx_clock);
	more = causal_sock_more_of(cs);
	tr = more ? READ_ONCE(more->traffic) : NULL;
	if (tr) {
		v->last_send = READ_ONCE(tr->last_send);
		v->last_recv = READ_ONCE(tr->last_recv);
		v->pid = READ_ONCE(tr->pid);
	}
}

/**
 * causal_sock_vclock() - the vector clock of a socket, made on first use
 * @cs: the socket's state
 *
 * Context: a kfunc, inside causal; does not sleep.
 * Return: the clock, or NULL without memory.
 */
struct causal_vclock *causal_sock_vclock(struct causal_sock *cs)
{
	struct causal_sock_more *more = causal_sock_more(cs);

	return more ? causal_vclock_get(&more->vc, READ_ONCE(causal_sock_node(cs)->vector_width),
					true) : NULL;
}

/**
 * causal_sock_next() - the next socket of node @cn, for dumps
 * @cn: the node
 * @cookie: in: the cookie to start at; out: the socket's
 *
 * Context: RCU read side.
 * Return: the socket's state, or NULL past the last.
 */
struct causal_sock *causal_sock_next(struct causal_net *cn, unsigned long *cookie)
{
	struct causal_sock *cs;

	xa_for_each_start(&causal_socks, *cookie, cs, *cookie)
		if (causal_sock_of(cs, cn))
			return cs;
	return NULL;
}

/**
 * causal_sock_listed() - is @cs still listed at @cookie?
 * @cs: a socket's state, read by a dump
 * @cookie: where it found it
 *
 * Context: RCU read side, after reading what it shows.
 * Return: whether what was read was a tracked socket's.
 */
bool causal_sock_listed(const struct causal_sock *cs, u64 cookie)
{
	smp_rmb();	/* what was read, then whether it was still listed */
	return causal_xa_load(&causal_socks, cookie) == cs;
}

/*
 * Unlink and free @cs of node @cn, found at @cookie; whoever unlinks it
 * first frees it.  Its last events' clocks become its RCU head and key only
 * once readers can no longer find it (causal_sock_fill() checks after
 * reading).
 */
static void causal_sock_release(struct causal_net *cn, struct causal_sock *cs, u64 cookie)
{
	bool tcp = causal_sk_own(cs->sk);

	if (xa_cmpxchg_bh(&causal_socks, cookie, cs, NULL, 0) != cs)
		return;
	atomic_dec(&cn->sockets);
	atomic_inc(&cn->gen);
	smp_wmb();	/* unlinked before the clocks are overwritten */
	cs->gone.key = cookie << 1 | tcp;
	call_rcu(&cs->gone.rcu, causal_sock_free_rcu);
}

/**
 * causal_net_socks_flush() - drop the state of every socket of a node
 * @cn: the node, going away
 */
void causal_net_socks_flush(struct causal_net *cn)
{
	struct causal_sock *cs;
	unsigned long cookie;

	rcu_read_lock();
	xa_for_each(&causal_socks, cookie, cs)
		if (causal_sock_of(cs, cn))
			causal_sock_release(cn, cs, cookie);
	rcu_read_unlock();
}

/**
 * causal_sock_forget() - drop the state of a socket being destroyed, if any
 * @sk: the socket
 */
void causal_sock_forget(struct sock *sk)
{
	struct causal_sock *cs;

	rcu_read_lock();
	cs = causal_sock_lookup(sk);
	if (cs)
		causal_sock_release(causal_net_rcu(sock_net(sk)), cs,
				    atomic64_read(&sk->sk_cookie));
	rcu_read_unlock();
}

static void causal_sock_destroy_probe(void *data, struct sock *sk)
{
	causal_sock_forget(sk);
}

static struct causal_tp causal_sock_tps[] = {
	{ .name = "tcp_destroy_sock", .probe = causal_sock_destroy_probe },
};

/**
 * causal_sock_init() - set up the sockets' cache and table
 *
 * Also hooks tcp_destroy_sock, where the state of a TCP socket is dropped.
 *
 * Return: 0, -ENOMEM, or the error of registering a tracepoint probe.
 */
int causal_sock_init(void)
{
	int ret;

	causal_sock_tcp_cache = kmem_cache_create("causal_sock", CAUSAL_SOCK_TCP_SIZE,
						  __alignof__(struct causal_sock),
						  SLAB_ACCOUNT | CAUSAL_SLAB_NO_MERGE, NULL);
	causal_sock_cache = kmem_cache_create("causal_sock_last", sizeof(struct causal_sock),
					      __alignof__(struct causal_sock),
					      SLAB_ACCOUNT | CAUSAL_SLAB_NO_MERGE, NULL);
	if (!causal_sock_tcp_cache || !causal_sock_cache) {
		ret = -ENOMEM;
		goto err;
	}
	ret = causal_tracepoints_register(causal_sock_tps, ARRAY_SIZE(causal_sock_tps));
	if (!ret)
		return 0;
err:
	kmem_cache_destroy(causal_sock_cache);
	kmem_cache_destroy(causal_sock_tcp_cache);
	return ret;
}

/**
 * causal_sock_exit() - unhook the socket tracepoints and free the cache
 *
 * Runs after every node has flushed its sockets (causal_net_exit()).
 */
void causal_sock_exit(void)
{
	causal_tracepoints_unregister(causal_sock_tps, ARRAY_SIZE(causal_sock_tps));
	rcu_barrier();
	xa_destroy(&causal_socks);
	xa_destroy(&causal_socks_more);
	kmem_cache_destroy(causal_sock_cache);
	kmem_cache_destroy(causal_sock_tcp_cache);
}

/**
 * causal_sock_close() - an application closes a socket causal keeps
 * @sk: the socket (fentry of inet_release), TCP or UDP
 *
 * Return: 0, -ENOENT for a socket causal does not keep, or an error of
 * causal_call_sk().
 */
__bpf_kfunc int causal_sock_close(struct sock *sk)
{
	struct causal_sock *cs;
	unsigned int bit;
	int ret;

	/* a listener has no state: none is made for it */
	if (sk && sk_fullsock(sk) && sk->sk_state == TCP_LISTEN)
		return -ENOENT;
	ret = causal_call_sk(sk, sk && sk->sk_protocol == IPPROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP,
			     false, &bit);
	if (ret)
		return ret;
	cs = causal_sock_lookup(sk);
	if (cs)
		causal_local_note(cs, sk, CAUSAL_EVENT_TYPE_CLOSE);
	causal_call_end(bit);
	return cs ? 0 : -ENOENT;
}
