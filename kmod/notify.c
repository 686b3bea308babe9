// SPDX-License-Identifier: GPL-2.0
/*
 * Events for listeners: each event of a node gets the node's next number,
 * and, when someone listens to the events group, a message describing it
 * (Documentation/log.rst).  Messages are made and sent without sleeping and
 * without waiting: one that finds no memory, or a listener whose receive
 * buffer is full, is lost and counted (events-dropped); that listener reads
 * ENOBUFS, and the gap in the numbers says how many it missed.
 */

#include <linux/cgroup.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <causal/tcp_state.h>
#include <uapi/linux/causal.h>
#include <uapi/linux/causal_wire.h>

#include "netlink-gen.h"
#include "netlink.h"
#include "notify.h"
#include "sock.h"

/*
 * Room for a message: its fixed members (u64s take 16 bytes with padding),
 * the sends a receive names, and a vector of the widest.
 */
#define CAUSAL_NOTE_BASE	512
#define CAUSAL_NOTE_KEYS	(CAUSAL_RX_SLOTS * 40)
#define CAUSAL_NOTE_VEC		(CAUSAL_VEC_WIDTH_MAX * 32)

static void causal_note_put64(struct causal_note *n, int attr, u64 v)
{
	if (n->msg && !n->lost &&
	    nla_put_u64_64bit(n->msg, attr, v, CAUSAL_A_EVENT_PAD))
		n->lost = true;
}

/**
 * causal_note_wanted() - does anyone listen for the events of @net's node?
 * @net: a network namespace
 *
 * Return: true if a socket is in the events group of @net.
 */
bool causal_note_wanted(struct net *net)
{
	return genl_has_listeners(&causal_nl_family, net, CAUSAL_NLGRP_EVENTS);
}

/**
 * causal_note_number() - number a listened-to event and start its message
 * @n: the note causal_note_begin() began
 * @type: enum causal_event_type
 * @vector: its clock will be a vector (the message needs room for it)
 */
void causal_note_number(struct causal_note *n, u8 type, bool vector)
{
	n->id = atomic64_inc_return(&n->cn->events);
	causal_note_open(n, type, vector, ktime_get_real_ns(), GFP_ATOMIC);
}

/**
 * causal_note_open() - start the message of a numbered event
 * @n: the note, with its node, namespace and number
 * @type: enum causal_event_type
 * @vector: its clock will be a vector (the message needs room for it)
 * @time: when it happened (CLOCK_REALTIME ns)
 * @gfp: how to allocate the message
 */
void causal_note_open(struct causal_note *n, u8 type, bool vector, u64 time, gfp_t gfp)
{
	size_t size = CAUSAL_NOTE_BASE + CAUSAL_NOTE_KEYS;

	if (vector)
		size += CAUSAL_NOTE_VEC;
	n->msg = genlmsg_new(size, gfp);
	if (!n->msg) {
		n->lost = true;
		return;
	}
	n->hdr = genlmsg_put(n->msg, 0, 0, &causal_nl_family, 0, CAUSAL_CMD_EVENT);
	if (!n->hdr || nla_put_u8(n->msg, CAUSAL_A_EVENT_TYPE, type)) {
		n->lost = true;
		return;
	}
	causal_note_put64(n, CAUSAL_A_EVENT_NODE_ID, READ_ONCE(n->cn->node_id));
	causal_note_put64(n, CAUSAL_A_EVENT_ID, n->id);
	causal_note_put64(n, CAUSAL_A_EVENT_TIME, time);
}

/**
 * causal_note_vec() - the event's vector clock
 * @n: the note, or NULL
 * @own: the event's participant
 * @v: the clock just after the event, under its lock
 */
void causal_note_vec(struct causal_note *n, u64 own, const struct causal_vec *v)
{
	if (!n || !n->msg || n->lost)
		return;
	causal_note_put64(n, CAUSAL_A_EVENT_VECTOR_ID, own);
	if (causal_nl_put_vec(n->msg, CAUSAL_A_EVENT_VECTOR, CAUSAL_A_EVENT_VECTOR_LOSSY, v))
		n->lost = true;
}

/**
 * causal_note_key() - a send that a receive took bytes of, as its stamp named it
 * @n: the receive's note
 * @vector: the stamp was a vector
 * @id: the sender's node id (0 when the stamp left it out), or its participant
 * @count: the low 32 bits of the send's event number, or the participant's
 *	count at the send
 */
void causal_note_key(struct causal_note *n, bool vector, u64 id, u32 count)
{
	struct nlattr *nest;

	if (!n->msg || n->lost)
		return;
	nest = nla_nest_start(n->msg, CAUSAL_A_EVENT_FROM);
	if (!nest ||
	    nla_put_u64_64bit(n->msg, vector ? CAUSAL_A_KEY_PARTICIPANT : CAUSAL_A_KEY_NODE_ID,
			      id, CAUSAL_A_KEY_PAD) ||
	    nla_put_u32(n->msg, vector ? CAUSAL_A_KEY_COUNT : CAUSAL_A_KEY_ID32, count)) {
		n->lost = true;
		return;
	}
	nla_nest_end(n->msg, nest);
}

/**
 * causal_note_pay_key() - the send a received payload names
 * @n: the receive's note
 * @pay: the payload (include/uapi/linux/causal_wire.h)
 * @len: its length
 * @node: the sender's node id, for a scalar payload that left it out
 *
 * A vector names its send by its first entry, the sender's own; a scalar by
 * its event number and node.  A short scalar names nothing.
 */
void causal_note_pay_key(struct causal_note *n, const u8 *pay, u32 len, u64 node)
{
	if (!n->msg || n->lost)
		return;
	if (pay[0] & CAUSAL_TCPOPT_F_VECTOR) {
		if (len > CAUSAL_PAY_VEC_ENTRY)
			causal_note_key(n, true, causal_wire_getn(&pay[1], CAUSAL_PAY_VEC_ID_BYTES),
					causal_wire_get32(&pay[1 + CAUSAL_PAY_VEC_ID_BYTES]));
	} else if (len >= CAUSAL_PAY_SCALAR_KEYED &&
		   causal_wire_get32(&pay[CAUSAL_PAY_EVENT])) {
		/* event number 0: a send nobody listened to, in no log */
		causal_note_key(n, false, len == CAUSAL_PAY_SCALAR_FULL ?
				causal_wire_get64(&pay[CAUSAL_PAY_NODE]) : node,
				causal_wire_get32(&pay[CAUSAL_PAY_EVENT]));
	}
}

/**
 * causal_note_u32() - add a u32 attribute to an event notification
 * @n: the notification; nothing happens when it is not being made
 * @attr: the attribute type
 * @v: its value
 *
 * A notification that runs out of room is marked lost, not sent.
 */
void causal_note_u32(struct causal_note *n, int attr, u32 v)
{
	if (n->msg && !n->lost && nla_put_u32(n->msg, attr, v))
		n->lost = true;
}

/**
 * causal_note_u64() - add a u64 attribute to an event notification
 * @n: the notification; nothing happens when it is not being made
 * @attr: the attribute type
 * @v: its value
 *
 * A notification that runs out of room is marked lost, not sent.
 */
void causal_note_u64(struct causal_note *n, int attr, u64 v)
{
	causal_note_put64(n, attr, v);
}

/**
 * causal_note_flag() - add a flag attribute to an event notification
 * @n: the notification; nothing happens when it is not being made
 * @attr: the attribute type
 *
 * A notification that runs out of room is marked lost, not sent.
 */
void causal_note_flag(struct causal_note *n, int attr)
{
	if (n->msg && !n->lost && nla_put_flag(n->msg, attr))
		n->lost = true;
}

/**
 * causal_who_current() - the current task, for an event in task context
 * @w: out
 *
 * Context: any; takes no lock.
 */
void causal_who_current(struct causal_who *w)
{
	w->pid = task_tgid_nr(current);
	w->tid = task_pid_nr(current);
	w->start = current->start_time;
	memcpy(w->comm, current->comm, sizeof(w->comm));
	w->comm[sizeof(w->comm) - 1] = 0;
	rcu_read_lock();
	w->cgroup = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
}

/* Who the event happened in, when it happened in a task. */
static void causal_note_task(struct causal_note *n)
{
	struct sk_buff *m = n->msg;
	const struct causal_who *w = n->who;
	struct causal_who cur;

	if (!w) {
		if (!in_task())
			return;
		causal_who_current(&cur);
		w = &cur;
	}
	if (!w->pid)
		return;
	if (nla_put_u32(m, CAUSAL_A_EVENT_PID, w->pid) ||
	    nla_put_u32(m, CAUSAL_A_EVENT_TID, w->tid) ||
	    nla_put_string(m, CAUSAL_A_EVENT_COMM, w->comm))
		n->lost = true;
	causal_note_put64(n, CAUSAL_A_EVENT_TASK_START, w->start);
	causal_note_put64(n, CAUSAL_A_EVENT_CGROUP, w->cgroup);
}

static const struct causal_addr_attrs causal_event_addr_attrs = {
	.family = CAUSAL_A_EVENT_FAMILY,
	.local = CAUSAL_A_EVENT_ADDR_LOCAL,
	.remote = CAUSAL_A_EVENT_ADDR_REMOTE,
	.lport = CAUSAL_A_EVENT_PORT_LOCAL,
	.rport = CAUSAL_A_EVENT_PORT_REMOTE,
};

static void causal_note_where(struct causal_note *n, const struct causal_addr *a)
{
	if (causal_addr_put(n->msg, a, &causal_event_addr_attrs))
		n->lost = true;
}

/**
 * causal_note_end() - finish an event's message and send it
 * @n: the note
 * @cs: the socket of the event, or NULL
 * @a: its addresses, or NULL
 * @clock: the event's clock (a vector participant's own count), 0 for none
 *
 * A message that could not be made whole is counted as dropped, as is one
 * that a listener had no room for.
 */
void causal_note_end(struct causal_note *n, struct causal_sock *cs,
		     const struct causal_addr *a, u64 clock)
{
	int err;

	if (!n->msg && !n->lost)
		return;
	if (!n->lost) {
		causal_note_task(n);
		if (clock)
			causal_note_put64(n, CAUSAL_A_EVENT_CLOCK, clock);
	}
	if (cs && !n->lost) {
		causal_note_put64(n, CAUSAL_A_EVENT_COOKIE, causal_sock_cookie(cs));
		if (nla_put_u8(n->msg, CAUSAL_A_EVENT_PROTOCOL, cs->sk->sk_protocol))
			n->lost = true;
	}
	if (a && !n->lost)
		causal_note_where(n, a);
	if (n->lost) {
		nlmsg_free(n->msg);
		causal_stat_inc(n->cn, CAUSAL_STAT_EVENTS_DROPPED);
		return;
	}
	genlmsg_end(n->msg, n->hdr);
	err = genlmsg_multicast_netns(&causal_nl_family, n->net, n->msg, 0,
				      CAUSAL_NLGRP_EVENTS, GFP_ATOMIC);
	if (err && err != -ESRCH)
		causal_stat_inc(n->cn, CAUSAL_STAT_EVENTS_DROPPED);
}

/**
 * causal_note_end_sk() - causal_note_end() with the addresses of @sk
 * @n: the note
 * @cs: the socket's state
 * @sk: the socket
 * @clock: as for causal_note_end()
 *
 * The addresses are read only when a message is being made.
 */
void causal_note_end_sk(struct causal_note *n, struct causal_sock *cs,
			const struct sock *sk, u64 clock)
{
	struct causal_addr a;

	if (n->msg)
		causal_addr_of_sk(&a, sk);
	causal_note_end(n, cs, n->msg ? &a : NULL, clock);
}
