// SPDX-License-Identifier: GPL-2.0
/*
 * The set of causal's kfuncs, registered once for tracing programs, and the
 * checks every one of them makes before it uses what it is given.
 *
 * causal's own programs call them from the few places bpf/causal.bpf.c
 * attaches to, with the arguments those places have.  Anyone's tracing
 * program may call them too, from anywhere, with anything the verifier lets
 * through: NULL, a request or timewait socket, a listening socket, a UDP
 * socket where TCP is expected, a socket whose lock someone else holds, an
 * skb that is shared or has no headers, from an interrupt or with
 * interrupts off, or from code that causal itself called.  Where the kernel
 * allows it (a kfunc filter, Linux 6.8+), programs attached elsewhere than
 * causal's places are refused at load; everywhere, each call is checked and
 * refused with an error, counted in calls-refused.  sock_ops programs alone
 * may call the option kfuncs (causal_tcp_ops_*(), kmod/tcp.c), which check
 * only what such a caller can get wrong.
 */

#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "guard.h"
#include "kfunc.h"
#include "net.h"

DEFINE_PER_CPU(unsigned int, causal_active);

/*
 * Keep TCP connections' state in the module (kmod/sock.h, struct
 * causal_tcp_own) where the kernel lets sock_ops programs call it; cleared
 * at load where it does not.  N keeps their records in BPF socket storage
 * everywhere (to compare).
 */
bool causal_own_records = true;
module_param_named(own_records, causal_own_records, bool, 0444);
MODULE_PARM_DESC(own_records,
		 "keep TCP connections' records in the module, not in BPF socket storage, where sock_ops may call the module (Linux 6.8+); reads back what is in effect");

/**
 * causal_call_refuse() - refuse a kfunc call, counted on the node of @net
 * @net: the namespace the call was about
 * @err: what the call returns
 *
 * Return: @err.
 */
int causal_call_refuse(const struct net *net, int err)
{
	struct causal_net *cn = causal_net(net);

	rcu_read_lock();
	if (causal_net_live(cn)) {
		causal_stat_inc(cn, CAUSAL_STAT_CALLS_REFUSED);
		pr_debug_ratelimited("node %016llx: a kfunc call refused: %d\n",
				     READ_ONCE(cn->node_id), err);
	}
	rcu_read_unlock();
	return err;
}

/**
 * causal_sk_locked() - is @sk's lock held?
 * @sk: a socket
 *
 * Owned by a task (lock_sock()) in task context, its spinlock taken
 * (bh_lock_sock()) in softirq context; with lockdep, by this very task.
 * Not an assertion of causal's own locking: a check of
 * what a caller of unknown origin claims, which without lockdep can only
 * look at the lock itself.
 *
 * Return: whether it is.
 */
bool causal_sk_locked(struct sock *sk)
{
#ifdef CONFIG_LOCKDEP
	return lockdep_sock_is_held(sk);
#else
	if (in_task())
		return sock_owned_by_user_nocheck(sk);
	return raw_spin_is_locked(&sk->sk_lock.slock.rlock);
#endif
}

/*
 * In *@bit from causal_call_enter(): it took RCU's read lock, which
 * causal_call_end() drops.
 */
#define CAUSAL_CALL_RCU 0x100

/*
 * Enter causal for a call about @net's node, under RCU: the caller's read
 * section when it has one (every non-sleepable BPF program runs in one;
 * with preemptible RCU, the task's nesting says so without a call), its
 * own otherwise.  The node must not be going, and this CPU not inside
 * causal at this level.
 */
static int causal_call_enter(const struct net *net, unsigned int *bit)
{
	bool own = !rcu_preempt_depth();	/* always 0 without preemptible RCU */

	if (own)
		rcu_read_lock();
	if (!causal_net_live(causal_net_rcu(net))) {
		if (own)
			rcu_read_unlock();
		return -ENOENT;
	}
	if (!causal_enter(bit)) {
		if (own)
			rcu_read_unlock();
		return causal_call_refuse(net, -EBUSY);
	}
	if (own)
		*bit |= CAUSAL_CALL_RCU;
	return 0;
}

/**
 * causal_call_sk() - admit a kfunc call on a socket
 * @sk: the socket it was given
 * @protocol: IPPROTO_TCP or IPPROTO_UDP: what @sk must be
 * @locked: @sk's lock must be held
 * @bit: out: for causal_call_end()
 *
 * Checks, in order: @sk is not NULL; the context may take causal's locks
 * (task or softirq, interrupts on); @sk is a full IPv4 or IPv6 socket of
 * @protocol and of its socket type, and for TCP not a listening one; its
 * lock is held if @locked; its node is not going; and this CPU is not
 * already inside causal at this level.
 * Then enters causal, under RCU.
 *
 * Return: 0, or the error to return: -EINVAL (a bad argument), -EPERM (a
 * bad context or lock), -EBUSY (from inside causal), -ENOENT (a node
 * that goes).  All but the last are counted in calls-refused.
 */
int causal_call_sk(struct sock *sk, int protocol, bool locked, unsigned int *bit)
{
	int type = protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;

	if (!sk)
		return causal_call_refuse(&init_net, -EINVAL);
	if (!causal_may_lock())
		return causal_call_refuse(sock_net(sk), -EPERM);
	if (!sk_fullsock(sk) ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6) ||
	    sk->sk_protocol != protocol || sk->sk_type != type ||
	    (protocol == IPPROTO_TCP && sk->sk_state == TCP_LISTEN))
		return causal_call_refuse(sock_net(sk), -EINVAL);
	if (locked && !causal_sk_locked(sk))
		return causal_call_refuse(sock_net(sk), -EPERM);
	return causal_call_enter(sock_net(sk), bit);
}

/**
 * causal_call_net() - admit a kfunc call without a socket
 * @net: the namespace it works in
 * @bit: out: for causal_call_end()
 *
 * As causal_call_sk() for the context, the node and nesting.
 *
 * Return: 0, -EPERM, -EBUSY or -ENOENT.
 */
int causal_call_net(const struct net *net, unsigned int *bit)
{
	if (!causal_may_lock())
		return causal_call_refuse(net, -EPERM);
	return causal_call_enter(net, bit);
}

/**
 * causal_call_end() - leave what causal_call_sk() or _net() admitted
 * @bit: from it
 */
void causal_call_end(unsigned int bit)
{
	causal_leave(bit & ~CAUSAL_CALL_RCU);
	if (bit & CAUSAL_CALL_RCU)
		rcu_read_unlock();
}

/**
 * causal_call_skb_headers() - are @skb's network and transport headers
 *	where they can be read?
 * @skb: an skb
 * @transport: the UDP header must be there too
 *
 * Return: true when an IPv4 or IPv6 header, and with @transport a UDP
 * header, lie inside the skb's linear data.
 */
bool causal_call_skb_headers(const struct sk_buff *skb, bool transport)
{
	const u8 *nh = skb_network_header(skb), *tail = skb_tail_pointer(skb);
	u32 len;

	if (nh < skb->head || nh + sizeof(struct iphdr) > tail)
		return false;
	switch (nh[0] >> 4) {
	case 4:
		len = (nh[0] & 0xf) * 4;
		if (len < sizeof(struct iphdr))
			return false;
		break;
	case 6:
		len = sizeof(struct ipv6hdr);
		break;
	default:
		return false;
	}
	if (nh + len > tail)
		return false;
	if (!transport)
		return true;
	return skb_transport_header_was_set(skb) &&
	       skb_transport_header(skb) >= nh + len &&
	       skb_transport_header(skb) + sizeof(struct udphdr) <= tail;
}

BTF_KFUNCS_START(causal_kfunc_ids)
BTF_ID_FLAGS(func, causal_tcp_send)
BTF_ID_FLAGS(func, causal_tcp_sent)
BTF_ID_FLAGS(func, causal_tcp_recv)
BTF_ID_FLAGS(func, causal_tcp_read)
BTF_ID_FLAGS(func, causal_tcp_send_vec)
BTF_ID_FLAGS(func, causal_tcp_recv_vec)
BTF_ID_FLAGS(func, causal_tcp_read_vec)
BTF_ID_FLAGS(func, causal_tcp_connect)
BTF_ID_FLAGS(func, causal_tcp_accept)
BTF_ID_FLAGS(func, causal_tcp_close)
BTF_ID_FLAGS(func, causal_sock_close)
BTF_ID_FLAGS(func, causal_probe_hit)
BTF_ID_FLAGS(func, causal_udp_send)
BTF_ID_FLAGS(func, causal_udp_rx)
BTF_ID_FLAGS(func, causal_udp_recv)
BTF_ID_FLAGS(func, causal_tcp_send_own)
BTF_ID_FLAGS(func, causal_tcp_sent_own)
BTF_ID_FLAGS(func, causal_tcp_recv_own)
BTF_ID_FLAGS(func, causal_tcp_read_own)
BTF_ID_FLAGS(func, causal_tcp_connect_own)
BTF_ID_FLAGS(func, causal_tcp_accept_own)
BTF_ID_FLAGS(func, causal_udp_send_wire)
BTF_ID_FLAGS(func, causal_udp_recv_wire)
BTF_KFUNCS_END(causal_kfunc_ids)

#ifdef CAUSAL_HAVE_KFUNC_FILTER
/*
 * Where each kfunc may be called from: the functions bpf/causal.bpf.c
 * attaches to, at entry or exit.  causal_probe_hit() may be called from
 * any tracing program: it is safe anywhere.
 */
static const struct causal_kfunc_where {
	enum bpf_attach_type type;
	const char *targets[4];
} causal_kfunc_where[] = {
	{ BPF_TRACE_FENTRY, { "tcp_sendmsg_locked", "do_tcp_sendpages" } },
	{ BPF_TRACE_FEXIT, { "tcp_sendmsg_locked", "do_tcp_sendpages" } },
	{ BPF_TRACE_FEXIT, { "tcp_recvmsg_locked" } },
	{ BPF_TRACE_FEXIT, { "tcp_read_sock", "__tcp_read_sock", "tcp_read_done",
			     "tcp_zerocopy_receive" } },
	{ BPF_TRACE_FEXIT, { "tcp_connect" } },
	{ BPF_TRACE_FEXIT, { "inet_accept" } },
	{ BPF_TRACE_FENTRY, { "tcp_v4_destroy_sock" } },
	{ BPF_TRACE_FENTRY, { "inet_release" } },
	{ },
	{ BPF_TRACE_FENTRY, { "ip_send_skb", "ip6_send_skb" } },
	{ BPF_TRACE_FENTRY, { "udp_rcv", "udpv6_rcv" } },
	{ BPF_TRACE_FENTRY, { "skb_consume_udp" } },
	{ BPF_TRACE_FENTRY, { "tcp_sendmsg_locked", "do_tcp_sendpages" } },
	{ BPF_TRACE_FEXIT, { "tcp_recvmsg_locked" } },
	{ BPF_TRACE_FEXIT, { "tcp_read_sock", "__tcp_read_sock", "tcp_read_done",
			     "tcp_zerocopy_receive" } },
	{ BPF_TRACE_FENTRY, { "tcp_sendmsg_locked", "do_tcp_sendpages" } },
	{ BPF_TRACE_FEXIT, { "tcp_sendmsg_locked", "do_tcp_sendpages" } },
	{ BPF_TRACE_FEXIT, { "tcp_recvmsg_locked" } },
	{ BPF_TRACE_FEXIT, { "tcp_read_sock", "__tcp_read_sock", "tcp_read_done",
			     "tcp_zerocopy_receive" } },
	{ BPF_TRACE_FEXIT, { "tcp_connect" } },
	{ BPF_TRACE_FEXIT, { "inet_accept" } },
	{ BPF_TRACE_FENTRY, { "ip_send_skb", "ip6_send_skb" } },
	{ BPF_TRACE_FENTRY, { "skb_consume_udp" } },
};

/* The same kfuncs in the same order, as their ids. */
BTF_ID_LIST(causal_kfunc_list)
BTF_ID(func, causal_tcp_send)
BTF_ID(func, causal_tcp_sent)
BTF_ID(func, causal_tcp_recv)
BTF_ID(func, causal_tcp_read)
BTF_ID(func, causal_tcp_connect)
BTF_ID(func, causal_tcp_accept)
BTF_ID(func, causal_tcp_close)
BTF_ID(func, causal_sock_close)
BTF_ID(func, causal_probe_hit)
BTF_ID(func, causal_udp_send)
BTF_ID(func, causal_udp_rx)
BTF_ID(func, causal_udp_recv)
BTF_ID(func, causal_tcp_send_vec)
BTF_ID(func, causal_tcp_recv_vec)
BTF_ID(func, causal_tcp_read_vec)
BTF_ID(func, causal_tcp_send_own)
BTF_ID(func, causal_tcp_sent_own)
BTF_ID(func, causal_tcp_recv_own)
BTF_ID(func, causal_tcp_read_own)
BTF_ID(func, causal_tcp_connect_own)
BTF_ID(func, causal_tcp_accept_own)
BTF_ID(func, causal_udp_send_wire)
BTF_ID(func, causal_udp_recv_wire)

/*
 * The verifier asks, for each call of one of causal's kfuncs a program
 * makes: 0 lets it load, an error refuses it ("calling kernel function ...
 * is not allowed").  Only non-sleepable fentry or fexit programs on the
 * kernel function the kfunc expects qualify.
 */
static int causal_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	const char *target = prog->aux->attach_func_name;
	const struct causal_kfunc_where *w;
	int i, k;

	for (i = 0; i < ARRAY_SIZE(causal_kfunc_where); i++) {
		if (causal_kfunc_list[i] != kfunc_id)
			continue;
		w = &causal_kfunc_where[i];
		if (!w->targets[0])
			return 0;
		if (prog->type != BPF_PROG_TYPE_TRACING || prog->sleepable ||
		    prog->aux->dst_prog || prog->expected_attach_type != w->type || !target)
			return -EACCES;
		for (k = 0; k < ARRAY_SIZE(w->targets) && w->targets[k]; k++)
			if (!strcmp(target, w->targets[k]))
				return 0;
		return -EACCES;
	}
	return 0;
}

/* The kfuncs offered to every program type: sock_ops needs them. */
BTF_KFUNCS_START(causal_common_kfunc_ids)
BTF_ID_FLAGS(func, causal_tcp_own_new)
BTF_ID_FLAGS(func, causal_tcp_ops_est)
BTF_ID_FLAGS(func, causal_tcp_ops_len)
BTF_ID_FLAGS(func, causal_tcp_ops_write)
BTF_ID_FLAGS(func, causal_tcp_ops_done)
BTF_ID_FLAGS(func, causal_tcp_ops_parse)
BTF_KFUNCS_END(causal_common_kfunc_ids)

/* The same in the same order, as their ids. */
BTF_ID_LIST(causal_common_kfunc_list)
BTF_ID(func, causal_tcp_own_new)
BTF_ID(func, causal_tcp_ops_est)
BTF_ID(func, causal_tcp_ops_len)
BTF_ID(func, causal_tcp_ops_write)
BTF_ID(func, causal_tcp_ops_done)
BTF_ID(func, causal_tcp_ops_parse)

/*
 * sock_ops programs may call them all; tracing programs only
 * causal_tcp_own_new(), where a connection starts: at a connect's end, and
 * at a send that connects (TCP Fast Open).
 */
static int causal_common_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	static const char *const starts[] = {
		"tcp_connect", "tcp_sendmsg_locked", "do_tcp_sendpages",
	};
	const char *target = prog->aux->attach_func_name;
	int i, k;

	for (i = 0; i < 6 && causal_common_kfunc_list[i] != kfunc_id; i++)
		;
	if (i == 6 || prog->type == BPF_PROG_TYPE_SOCK_OPS)
		return 0;
	if (kfunc_id != causal_common_kfunc_list[0] || prog->type != BPF_PROG_TYPE_TRACING ||
	    prog->sleepable || prog->aux->dst_prog || !target)
		return -EACCES;
	for (k = 0; k < ARRAY_SIZE(starts); k++)
		if (!strcmp(target, starts[k]))
			return (k == 0) == (prog->expected_attach_type == BPF_TRACE_FEXIT) ?
			       0 : -EACCES;
	return -EACCES;
}

static const struct btf_kfunc_id_set causal_common_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &causal_common_kfunc_ids,
	.filter = causal_common_kfunc_filter,
};
#endif

static const struct btf_kfunc_id_set causal_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &causal_kfunc_ids,
#ifdef CAUSAL_HAVE_KFUNC_FILTER
	.filter = causal_kfunc_filter,
#endif
};

/**
 * causal_kfunc_init() - offer the kfuncs to tracing programs, and
 *	causal_tcp_ops_*() to sock_ops where the kernel allows it
 *
 * Without the latter, connections' records stay in BPF socket storage
 * (own_records reads N).  It goes first: on some kernels a set that fails
 * to register takes those registered before it along.
 *
 * Return: 0 or the error of register_btf_kfunc_id_set().
 */
int causal_kfunc_init(void)
{
#ifdef CAUSAL_HAVE_KFUNC_FILTER
	BUILD_BUG_ON(ARRAY_SIZE(causal_kfunc_where) != 23);
	if (causal_own_records &&
	    register_btf_kfunc_id_set(BPF_PROG_TYPE_UNSPEC, &causal_common_kfunc_set)) {
		pr_info("sock_ops cannot call the module: TCP records in BPF socket storage\n");
		causal_own_records = false;
	}
#else
	causal_own_records = false;
#endif
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &causal_kfunc_set);
}
