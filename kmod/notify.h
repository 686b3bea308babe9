/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_NOTIFY_H
#define _CAUSAL_NOTIFY_H

#include <linux/in6.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <causal/vclock.h>

#include "net.h"

struct causal_sock;

/**
 * struct causal_who - the task an event happened in
 * @pid: its thread group, 0 for no task (an interrupt)
 * @tid: the thread
 * @start: its start time (CLOCK_MONOTONIC ns), which tells reused tids apart
 * @cgroup: the id of its cgroup (v2)
 * @comm: its command name
 */
struct causal_who {
	u32 pid, tid;
	u64 start, cgroup;
	char comm[TASK_COMM_LEN];
};

/**
 * struct causal_note - an event on its way to the events group
 * @cn: the node
 * @net: its network namespace
 * @id: the node's number for the event
 * @msg: the message being built, or NULL when nobody listens (or memory
 *	ran short: then @lost)
 * @hdr: its generic netlink header
 * @clock: a TCP send's: its clock, for the note that waits for its end
 * @seq: the same's sequence number of its first byte
 * @lost: the message could not be made whole: it will be counted, not sent
 * @who: the task it happened in; NULL: the current one, if in task context
 *
 * Every event gets a number; only a listened-to one gets a message.  The
 * message is made before the event's clock is taken, so that a vector can
 * be copied into it under the clock's lock.
 */
struct causal_note {
	struct causal_net *cn;
	struct net *net;
	u64 id;
	struct sk_buff *msg;
	void *hdr;
	u64 clock;
	u32 seq;
	bool lost;
	const struct causal_who *who;
};

struct causal_addr;

void causal_who_current(struct causal_who *w);
bool causal_note_wanted(struct net *net);
void causal_note_number(struct causal_note *n, u8 type, bool vector);

/**
 * causal_note_begin() - number an event and start its message, if listened to
 * @n: out: the event's note, on the caller's stack
 * @cn: the node
 * @net: its network namespace
 * @type: enum causal_event_type
 * @vector: its clock will be a vector (the message needs room for it)
 *
 * An event nobody listens to is not numbered (its id stays 0): the node's
 * counter is one cache line every CPU of the namespace would write on every
 * send and receive, for numbers no log keeps.  Inline: that is every event
 * of a host nobody watches.
 *
 * Context: any but NMI; does not sleep.
 */
static inline void causal_note_begin(struct causal_note *n, struct causal_net *cn,
				     struct net *net, u8 type, bool vector)
{
	*n = (struct causal_note){ .cn = cn, .net = net };
	if (causal_note_wanted(net))
		causal_note_number(n, type, vector);
}

void causal_note_open(struct causal_note *n, u8 type, bool vector, u64 time, gfp_t gfp);
void causal_note_vec(struct causal_note *n, u64 own, const struct causal_vec *v);
void causal_note_key(struct causal_note *n, bool vector, u64 id, u32 count);
void causal_note_pay_key(struct causal_note *n, const u8 *pay, u32 len, u64 node);
void causal_note_u32(struct causal_note *n, int attr, u32 v);
void causal_note_u64(struct causal_note *n, int attr, u64 v);
void causal_note_flag(struct causal_note *n, int attr);
void causal_note_end(struct causal_note *n, struct causal_sock *cs,
		     const struct causal_addr *a, u64 clock);
void causal_note_end_sk(struct causal_note *n, struct causal_sock *cs,
			const struct sock *sk, u64 clock);

#endif /* _CAUSAL_NOTIFY_H */
