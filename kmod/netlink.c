// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "causal".  Policies and the ops table are
 * generated from Documentation/netlink/specs/causal.yaml (netlink-gen.c);
 * this file holds the handlers.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <net/sock.h>
#include <net/genetlink.h>
#include <causal/names.h>
#include <causal/vclock.h>
#include <causal/version.h>

#include "netlink-gen.h"
#include "net.h"
#include "netlink.h"
#include "probe.h"
#include "sock.h"
#include "vec.h"

/* enum causal_stat -> attribute of the stats set */
static const u16 causal_stat_attr[CAUSAL_STAT_NR] = {
	[CAUSAL_STAT_SOCKETS_UNTRACKED]	= CAUSAL_A_STATS_SOCKETS_UNTRACKED,
	[CAUSAL_STAT_STAMPS_OUT]	= CAUSAL_A_STATS_STAMPS_OUT,
	[CAUSAL_STAT_STAMPS_IN]		= CAUSAL_A_STATS_STAMPS_IN,
	[CAUSAL_STAT_UNSTAMPED_IN]	= CAUSAL_A_STATS_UNSTAMPED_IN,
	[CAUSAL_STAT_MALFORMED_IN]	= CAUSAL_A_STATS_MALFORMED_IN,
	[CAUSAL_STAT_NOSPACE_OUT]	= CAUSAL_A_STATS_NOSPACE_OUT,
	[CAUSAL_STAT_INEXACT_IN]	= CAUSAL_A_STATS_INEXACT_IN,
	[CAUSAL_STAT_SENDS]		= CAUSAL_A_STATS_SENDS,
	[CAUSAL_STAT_RECEIVES]		= CAUSAL_A_STATS_RECEIVES,
	[CAUSAL_STAT_FOREIGN_IN]	= CAUSAL_A_STATS_FOREIGN_IN,
	[CAUSAL_STAT_VECTOR_INCOMPLETE_OUT] = CAUSAL_A_STATS_VECTOR_INCOMPLETE_OUT,
	[CAUSAL_STAT_VECTOR_WIDTH_DROPS] = CAUSAL_A_STATS_VECTOR_WIDTH_DROPS,
	[CAUSAL_STAT_LOSSY_IN]		= CAUSAL_A_STATS_LOSSY_IN,
	[CAUSAL_STAT_EVENTS_DROPPED]	= CAUSAL_A_STATS_EVENTS_DROPPED,
	[CAUSAL_STAT_FORGED_IN]		= CAUSAL_A_STATS_FORGED_IN,
	[CAUSAL_STAT_VECTOR_ASKS]	= CAUSAL_A_STATS_VECTOR_ASKS,
	[CAUSAL_STAT_VECTOR_RETELLS]	= CAUSAL_A_STATS_VECTOR_RETELLS,
	[CAUSAL_STAT_VECTOR_HEALS]	= CAUSAL_A_STATS_VECTOR_HEALS,
	[CAUSAL_STAT_PROBES_DROPPED]	= CAUSAL_A_STATS_PROBES_DROPPED,
	[CAUSAL_STAT_CONTEXTS_UNTRACKED] = CAUSAL_A_STATS_CONTEXTS_UNTRACKED,
	[CAUSAL_STAT_CALLS_REFUSED]	= CAUSAL_A_STATS_CALLS_REFUSED,
};

/* A node's stats nest: its counters @sum and its gauges. */
static int causal_put_stats(struct sk_buff *skb, int attr, const u64 *sum,
			    const struct causal_net *cn)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, CAUSAL_A_STATS_SOCKETS,
			      atomic_read(&cn->sockets), CAUSAL_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CAUSAL_A_STATS_CONTEXTS,
			      atomic_read(&cn->contexts), CAUSAL_A_STATS_PAD))
		goto cancel;
	for (i = 0; i < CAUSAL_STAT_NR; i++)
		if (nla_put_u64_64bit(skb, causal_stat_attr[i], READ_ONCE(sum[i]),
				      CAUSAL_A_STATS_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/**
 * causal_nl_status_get_doit() - answer status-get: the caller's node
 * @skb: the request
 * @info: its attributes (none are read) and where to reply
 *
 * Return: 0, or -ENOMEM / -EMSGSIZE when the reply cannot be made.
 */
int causal_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct causal_net *cn = causal_net(genl_info_net(info));
	u64 sum[CAUSAL_STAT_NR];
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &causal_nl_family, 0,
				CAUSAL_CMD_STATUS_GET);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, CAUSAL_A_STATUS_VERSION, CAUSAL_RELEASE) ||
	    nla_put_u64_64bit(msg, CAUSAL_A_STATUS_NODE_ID,
			      READ_ONCE(cn->node_id), CAUSAL_A_STATUS_PAD) ||
	    nla_put_u32(msg, CAUSAL_A_STATUS_CLOCK, READ_ONCE(cn->clock)) ||
	    nla_put_u32(msg, CAUSAL_A_STATUS_SCOPE, READ_ONCE(cn->scope)) ||
	    nla_put_u32(msg, CAUSAL_A_STATUS_SOCKETS_MAX, READ_ONCE(cn->sockets_max)) ||
	    nla_put_u32(msg, CAUSAL_A_STATUS_CONTEXTS_MAX, READ_ONCE(cn->contexts_max)) ||
	    nla_put_u32(msg, CAUSAL_A_STATUS_VECTOR_WIDTH, READ_ONCE(cn->vector_width)) ||
	    nla_put_u64_64bit(msg, CAUSAL_A_STATUS_MAX_JUMP, READ_ONCE(cn->max_jump),
			      CAUSAL_A_STATUS_PAD) ||
	    nla_put_u32(msg, CAUSAL_A_STATUS_MAX_DRIFT, READ_ONCE(cn->max_drift)) ||
	    nla_put_u8(msg, CAUSAL_A_STATUS_SOCKET_COUNTERS, READ_ONCE(cn->sock_counters)))
		goto nospace;
	causal_stats_read(cn, sum);
	if (causal_put_stats(msg, CAUSAL_A_STATUS_STATS, sum, cn))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * causal_nl_node_set_doit() - change the caller's node: node-set
 * @skb: the request
 * @info: its attributes and extended ACK
 *
 * Every attribute is checked before any is applied, so a rejected request
 * changes nothing.
 *
 * Return: 0; -EPERM without CAP_NET_ADMIN over the namespace, -EINVAL when
 * nothing is to be set, -ERANGE for a value out of range.
 */
int causal_nl_node_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct causal_net *cn = causal_net(net);
	struct nlattr **attrs = info->attrs;

	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "changing a node needs CAP_NET_ADMIN in the user namespace of its network namespace");
		return -EPERM;
	}
	if (!attrs[CAUSAL_A_STATUS_NODE_ID] && !attrs[CAUSAL_A_STATUS_CLOCK] &&
	    !attrs[CAUSAL_A_STATUS_SCOPE] && !attrs[CAUSAL_A_STATUS_SOCKETS_MAX] &&
	    !attrs[CAUSAL_A_STATUS_CONTEXTS_MAX] &&
	    !attrs[CAUSAL_A_STATUS_VECTOR_WIDTH] && !attrs[CAUSAL_A_STATUS_MAX_JUMP] &&
	    !attrs[CAUSAL_A_STATUS_MAX_DRIFT] && !attrs[CAUSAL_A_STATUS_SOCKET_COUNTERS]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give node-id, clock, scope, sockets-max, contexts-max, vector-width, max-jump, max-drift or socket-counters");
		return -EINVAL;
	}
	if (attrs[CAUSAL_A_STATUS_SOCKETS_MAX] &&
	    nla_get_u32(attrs[CAUSAL_A_STATUS_SOCKETS_MAX]) > CAUSAL_SOCKETS_MAX_LIMIT) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CAUSAL_A_STATUS_SOCKETS_MAX],
				    "sockets-max is at most 1048576");
		return -ERANGE;
	}
	if (attrs[CAUSAL_A_STATUS_CONTEXTS_MAX] &&
	    nla_get_u32(attrs[CAUSAL_A_STATUS_CONTEXTS_MAX]) > CAUSAL_CONTEXTS_MAX_LIMIT) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CAUSAL_A_STATUS_CONTEXTS_MAX],
				    "contexts-max is at most 1048576");
		return -ERANGE;
	}
	if (attrs[CAUSAL_A_STATUS_NODE_ID])
		WRITE_ONCE(cn->node_id, nla_get_u64(attrs[CAUSAL_A_STATUS_NODE_ID]));
	if (attrs[CAUSAL_A_STATUS_CLOCK])
		WRITE_ONCE(cn->clock, nla_get_u32(attrs[CAUSAL_A_STATUS_CLOCK]));
	if (attrs[CAUSAL_A_STATUS_SCOPE])
		WRITE_ONCE(cn->scope, nla_get_u32(attrs[CAUSAL_A_STATUS_SCOPE]));
	if (attrs[CAUSAL_A_STATUS_SOCKETS_MAX])
		WRITE_ONCE(cn->sockets_max,
			   nla_get_u32(attrs[CAUSAL_A_STATUS_SOCKETS_MAX]));
	if (attrs[CAUSAL_A_STATUS_CONTEXTS_MAX])
		WRITE_ONCE(cn->contexts_max,
			   nla_get_u32(attrs[CAUSAL_A_STATUS_CONTEXTS_MAX]));
	if (attrs[CAUSAL_A_STATUS_VECTOR_WIDTH])
		WRITE_ONCE(cn->vector_width,
			   nla_get_u32(attrs[CAUSAL_A_STATUS_VECTOR_WIDTH]));
	if (attrs[CAUSAL_A_STATUS_MAX_JUMP])
		WRITE_ONCE(cn->max_jump, nla_get_u64(attrs[CAUSAL_A_STATUS_MAX_JUMP]));
	if (attrs[CAUSAL_A_STATUS_MAX_DRIFT])
		WRITE_ONCE(cn->max_drift, nla_get_u32(attrs[CAUSAL_A_STATUS_MAX_DRIFT]));
	if (attrs[CAUSAL_A_STATUS_SOCKET_COUNTERS])
		WRITE_ONCE(cn->sock_counters,
			   nla_get_u8(attrs[CAUSAL_A_STATUS_SOCKET_COUNTERS]));
	/* the policy admits only named clocks and scopes */
	pr_debug("node %016llx: set by %s[%d]: clock %s, scope %s, sockets-max %u, contexts-max %u, vector-width %u, max-jump %llu, max-drift %u, socket-counters %u\n",
		 READ_ONCE(cn->node_id), current->comm, task_pid_nr(current),
		 causal_clock_names[READ_ONCE(cn->clock)], causal_scope_names[READ_ONCE(cn->scope)],
		 READ_ONCE(cn->sockets_max), READ_ONCE(cn->contexts_max),
		 READ_ONCE(cn->vector_width),
		 READ_ONCE(cn->max_jump), READ_ONCE(cn->max_drift),
		 READ_ONCE(cn->sock_counters));
	return 0;
}

/**
 * causal_nl_put_vec() - a vector clock as attributes
 * @skb: the message
 * @attr: the multi-attr nest of its entries (a vent set each)
 * @lossy_attr: the flag put when it is lossy
 * @v: the clock, stable (under its lock)
 *
 * Return: 0, or -EMSGSIZE (the message may hold some of it).
 */
int causal_nl_put_vec(struct sk_buff *skb, int attr, int lossy_attr,
		      const struct causal_vec *v)
{
	struct nlattr *nest;
	int i;

	if (v->lossy && nla_put_flag(skb, lossy_attr))
		return -EMSGSIZE;
	for (i = 0; i < v->len; i++) {
		nest = nla_nest_start(skb, attr);
		if (!nest ||
		    nla_put_u64_64bit(skb, CAUSAL_A_VENT_ID, v->e[i].id, CAUSAL_A_VENT_PAD) ||
		    nla_put_u32(skb, CAUSAL_A_VENT_COUNT, v->e[i].n))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

/*
 * The vector clock of a socket: the participant of its latest event, its
 * entries, whether it is lossy; the first with the others, under the
 * clock's lock, as that event left them (compare's proofs pair them).
 */
static int causal_put_vector(struct sk_buff *skb, const struct causal_sock *cs,
			     struct causal_vclock *vc)
{
	struct nlattr *start = (struct nlattr *)skb_tail_pointer(skb);
	int err;

	spin_lock_bh(&vc->lock);
	err = nla_put_u64_64bit(skb, CAUSAL_A_SOCK_VECTOR_ID, causal_sock_vec_owner(cs, vc),
				CAUSAL_A_SOCK_PAD) ?:
	      causal_nl_put_vec(skb, CAUSAL_A_SOCK_VECTOR, CAUSAL_A_SOCK_VECTOR_LOSSY, vc->v);
	spin_unlock_bh(&vc->lock);
	if (err)
		nlmsg_trim(skb, start);
	return err;
}

static const struct causal_addr_attrs causal_sock_addr_attrs = {
	.family = CAUSAL_A_SOCK_FAMILY,
	.local = CAUSAL_A_SOCK_ADDR_LOCAL,
	.remote = CAUSAL_A_SOCK_ADDR_REMOTE,
	.lport = CAUSAL_A_SOCK_PORT_LOCAL,
	.rport = CAUSAL_A_SOCK_PORT_REMOTE,
};

/*
 * The addresses of a socket causal keeps, read from the socket itself.  Its
 * state leaves the table before TCP or UDP free it, and their sockets' memory
 * stays a socket for readers under RCU (SLAB_TYPESAFE_BY_RCU), but may be a
 * new one by now: its cookie, cleared for every new socket, tells.
 * Context: RCU read side.  Return: 0, -ENOENT for a socket gone, -EMSGSIZE.
 */
static int causal_sock_addr_put(struct sk_buff *skb, const struct causal_sock *cs,
				u64 cookie)
{
	struct causal_addr a;

	causal_addr_of_sk(&a, cs->sk);
	smp_rmb();	/* the addresses, then the cookie they are valid with */
	if (atomic64_read(&cs->sk->sk_cookie) != cookie)
		return -ENOENT;
	return causal_addr_put(skb, &a, &causal_sock_addr_attrs);
}

/*
 * The process that sent or received last on a socket (@pid, global) and,
 * while it runs, its command name (a process that took the number since
 * names itself, as in ss(8)).
 */
static int causal_sock_pid_put(struct sk_buff *skb, pid_t pid)
{
	char comm[TASK_COMM_LEN];
	struct task_struct *t;
	bool named = false;

	if (!pid)
		return 0;
	rcu_read_lock();
	t = pid_task(find_pid_ns(pid, &init_pid_ns), PIDTYPE_TGID);
	if (t) {
		get_task_comm(comm, t);
		named = true;
	}
	rcu_read_unlock();
	if (nla_put_u32(skb, CAUSAL_A_SOCK_PID, pid) ||
	    (named && nla_put_string(skb, CAUSAL_A_SOCK_COMM, comm)))
		return -EMSGSIZE;
	return 0;
}

/* The counters a socket keeps (causal_sock_stat()), in a stats nest. */
static int causal_sock_stats_put(struct sk_buff *skb, const struct causal_sock *cs)
{
	struct nlattr *nest;
	int i;
	u64 v;

	nest = nla_nest_start(skb, CAUSAL_A_SOCK_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < CAUSAL_STAT_SOCK_NR; i++) {
		if (causal_sock_stat(cs, i, &v) &&
		    nla_put_u64_64bit(skb, causal_stat_attr[i], v, CAUSAL_A_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The attributes of socket @cs, found at @cookie in the table.
 * Its protocol and TCP state are read from the socket, which stays one of
 * the same protocol under RCU.  Return: 0, -ENOENT for a socket that went
 * while it was read (its last events' clocks may have become its RCU
 * head), -EMSGSIZE.
 */
static int causal_sock_fill(struct sk_buff *skb, struct causal_sock *cs, u64 cookie)
{
	struct causal_vclock *vc = causal_sock_vclock_of(cs);
	struct causal_sock_view view;
	int i;

	if (nla_put_u64_64bit(skb, CAUSAL_A_SOCK_COOKIE, cookie, CAUSAL_A_SOCK_PAD))
		return -EMSGSIZE;
	i = causal_sock_addr_put(skb, cs, cookie);
	if (i)
		return i;
	if (nla_put_u8(skb, CAUSAL_A_SOCK_TCP_STATE, READ_ONCE(cs->sk->sk_state)) ||
	    nla_put_u8(skb, CAUSAL_A_SOCK_PROTOCOL, READ_ONCE(cs->sk->sk_protocol)) ||
	    nla_put_u64_64bit(skb, CAUSAL_A_SOCK_CLOCK, READ_ONCE(cs->clock),
			      CAUSAL_A_SOCK_PAD))
		return -EMSGSIZE;
	causal_sock_view(cs, &view);
	if (causal_sock_pid_put(skb, view.pid))
		return -EMSGSIZE;
	if (view.last_send &&
	    nla_put_u64_64bit(skb, CAUSAL_A_SOCK_LAST_SEND, view.last_send, CAUSAL_A_SOCK_PAD))
		return -EMSGSIZE;
	if (view.last_recv &&
	    nla_put_u64_64bit(skb, CAUSAL_A_SOCK_LAST_RECV, view.last_recv, CAUSAL_A_SOCK_PAD))
		return -EMSGSIZE;
	if (view.remote_node &&
	    nla_put_u64_64bit(skb, CAUSAL_A_SOCK_REMOTE_NODE, view.remote_node, CAUSAL_A_SOCK_PAD))
		return -EMSGSIZE;
	if (view.remote_stamp &&
	    nla_put_u64_64bit(skb, CAUSAL_A_SOCK_REMOTE_STAMP, view.remote_stamp,
			      CAUSAL_A_SOCK_PAD))
		return -EMSGSIZE;
	if (vc && causal_put_vector(skb, cs, vc))
		return -EMSGSIZE;
	i = causal_sock_stats_put(skb, cs);
	if (!i && !causal_sock_listed(cs, cookie))
		return -ENOENT;
	return i;
}

/* The socket of node @cn with cookie @cookie.  Context: RCU read side. */
static struct causal_sock *causal_node_sock(struct causal_net *cn, u64 cookie)
{
	return causal_sock_by_cookie(cn, cookie);
}

/**
 * causal_nl_sock_get_doit() - answer sock-get for one socket by its cookie
 * @skb: the request
 * @info: its attributes and extended ACK
 *
 * Return: 0; -EINVAL without a cookie, -ENOENT when no tracked socket of
 * the node has it, -ENOMEM / -EMSGSIZE when the reply cannot be made.
 */
int causal_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct causal_net *cn = causal_net(genl_info_net(info));
	struct causal_sock *cs;
	struct sk_buff *msg;
	u64 cookie;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, CAUSAL_A_SOCK_COOKIE)) {
		NL_SET_ERR_MSG(info->extack, "give the socket's cookie, or dump");
		return -EINVAL;
	}
	cookie = nla_get_u64(info->attrs[CAUSAL_A_SOCK_COOKIE]);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &causal_nl_family, 0, CAUSAL_CMD_SOCK_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto free;
	}
	rcu_read_lock();
	cs = causal_node_sock(cn, cookie);
	err = cs ? causal_sock_fill(msg, cs, cookie) : -ENOENT;
	rcu_read_unlock();
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CAUSAL_A_SOCK_COOKIE],
				    "no socket with this cookie has causal state in this namespace");
	if (err)
		goto free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

free:
	nlmsg_free(msg);
	return err;
}

/**
 * causal_nl_sock_get_dumpit() - dump the node's tracked sockets
 * @skb: the message to fill
 * @cb: the dump's state
 *
 * cb->args[0] is the cookie to resume from; cb->seq the node's generation, so a
 * dump that sockets came to or left during is flagged NLM_F_DUMP_INTR.
 *
 * Return: the length of @skb, 0 when done, or a negative error.
 */
int causal_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct causal_net *cn = causal_net(sock_net(skb->sk));
	struct causal_sock *cs;
	unsigned long cookie;
	void *hdr;
	int err;

	cb->seq = atomic_read(&cn->gen);
	rcu_read_lock();
	for (cookie = cb->args[0]; (cs = causal_sock_next(cn, &cookie)); cookie++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &causal_nl_family, NLM_F_MULTI, CAUSAL_CMD_SOCK_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		err = causal_sock_fill(skb, cs, cookie);
		if (err) {
			genlmsg_cancel(skb, hdr);
			/* a socket that just went is not listed */
			if (err != -ENOENT)
				break;
		} else {
			genlmsg_end(skb, hdr);
		}
		cb->args[0] = cookie + 1;
	}
	rcu_read_unlock();
	return skb->len;
}

/*
 * A copy of the vector clock of the socket with the cookie in @attr, and in
 * *@own the participant of its latest event, or an ERR_PTR with the reason
 * in @extack.  Context: RCU read side.
 */
static struct causal_vec *causal_compare_vec(struct causal_net *cn,
					     const struct nlattr *attr, u64 *own,
					     struct netlink_ext_ack *extack)
{
	struct causal_sock *cs = causal_node_sock(cn, nla_get_u64(attr));
	struct causal_vclock *vc;
	struct causal_vec *v;

	if (!cs) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "no socket with this cookie has causal state in this namespace");
		return ERR_PTR(-ENOENT);
	}
	vc = causal_sock_vclock_of(cs);
	if (!vc) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the socket has no vector clock: no event since the node's clock became vector");
		return ERR_PTR(-ENODATA);
	}
	v = causal_vec_snapshot(vc, &causal_sock_more_of(cs)->vec_owner, own, GFP_ATOMIC);
	return v ?: ERR_PTR(-ENOMEM);
}

/**
 * causal_nl_compare_doit() - what two sockets' vector clocks prove
 * @skb: the request
 * @info: its attributes and extended ACK
 *
 * Return: 0; -EINVAL when a cookie is missing, -ENOENT when a cookie names
 * no tracked socket of the node, -ENODATA when a socket has no vector
 * clock, -ENOMEM / -EMSGSIZE when the reply cannot be made.
 */
int causal_nl_compare_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct causal_net *cn = causal_net(genl_info_net(info));
	struct causal_vec *a = NULL, *b = NULL;
	u64 own_a = 0, own_b = 0;
	enum causal_order order;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, CAUSAL_A_COMPARE_COOKIE_A) ||
	    GENL_REQ_ATTR_CHECK(info, CAUSAL_A_COMPARE_COOKIE_B)) {
		NL_SET_ERR_MSG(info->extack, "give the cookies of two sockets");
		return -EINVAL;
	}
	rcu_read_lock();
	a = causal_compare_vec(cn, info->attrs[CAUSAL_A_COMPARE_COOKIE_A], &own_a, info->extack);
	if (!IS_ERR(a))
		b = causal_compare_vec(cn, info->attrs[CAUSAL_A_COMPARE_COOKIE_B], &own_b,
				       info->extack);
	rcu_read_unlock();
	err = PTR_ERR_OR_ZERO(a) ?: PTR_ERR_OR_ZERO(b);
	if (err)
		goto out;

	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &causal_nl_family, 0, CAUSAL_CMD_COMPARE);
	order = causal_vec_order_own(a, own_a, b, own_b);
	if (!hdr || nla_put_u32(msg, CAUSAL_A_COMPARE_ORDER, order)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out:
	if (!IS_ERR(a))
		kfree(a);
	if (!IS_ERR(b))
		kfree(b);
	return err;
}

/**
 * causal_nl_probes_flush_doit() - deliver every probe hit recorded so far
 * @skb: the request
 * @info: where to say why it is refused
 *
 * Context: process; sleeps until the hits are delivered.
 * Return: 0, or -EPERM without CAP_NET_ADMIN over the namespace.
 */
int causal_nl_probes_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);

	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "flushing probe hits needs CAP_NET_ADMIN in the user namespace of its network namespace");
		return -EPERM;
	}
	causal_probe_flush();
	return 0;
}

/**
 * causal_netlink_init() - register the ``causal`` generic netlink family
 *
 * Return: 0, or the error of genl_register_family().
 */
int causal_netlink_init(void)
{
	return genl_register_family(&causal_nl_family);
}

/**
 * causal_netlink_exit() - unregister the family; no request runs after it
 */
void causal_netlink_exit(void)
{
	genl_unregister_family(&causal_nl_family);
}
