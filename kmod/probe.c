// SPDX-License-Identifier: GPL-2.0
/*
 * The operator's probe points (causalctl trace --probe): each hit is an
 * event of a node, stamped with the clock of the thread that hit it.
 *
 * A probe may be attached anywhere: to sched_switch, where the runqueue lock
 * is held with interrupts off; to an interrupt handler; to kmalloc, inside
 * the allocator or inside causal's own allocations; to a function an NMI
 * handler calls.  So a hit takes no lock that its context may hold, wakes
 * nobody and allocates nothing there:
 *
 *  - its number comes from the node's atomic counter, its thread's Lamport
 *    or HLC clock ticks by compare and exchange, and its time is read from
 *    the NMI-safe clock;
 *  - it is written to a ring of this CPU, with interrupts off; a hit that
 *    finds the ring full (or interrupts a writer, from NMI) is dropped and
 *    counted in probes-dropped;
 *  - a lazy irq_work, run at the next tick, wakes the causal_probe thread,
 *    which turns the records into messages of the events group.
 *
 * Only where allocating and locking are safe (task context, interrupts on,
 * not from inside causal) may a hit make its thread's clock or take its
 * thread's vector clock.  Elsewhere a thread that has no clock yet, and any
 * vector clock, leave the event without one.  A hit in interrupt context,
 * or in a CPU's idle task, belongs to no thread: it is an event of the
 * initial namespace's node, with no task and no clock.
 *
 * Costs are bounded: probe_buffer KiB per CPU, allocated at load; at most
 * one ring's worth of events per CPU and tick reaches listeners, the rest is
 * dropped and counted.  Hits of causal's own delivery (the irq_work, the
 * thread) are not recorded, so that it cannot feed itself.
 */

#include <linux/bpf.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <causal/clock.h>
#include <causal/vclock.h>
#include <uapi/linux/causal.h>

#include "compat.h"
#include "ctx.h"
#include "guard.h"
#include "kfunc.h"
#include "netlink-gen.h"
#include "notify.h"
#include "probe.h"
#include "vec.h"

static unsigned int probe_buffer = 16;
module_param(probe_buffer, uint, 0444);
MODULE_PARM_DESC(probe_buffer, "KiB per CPU for probe hits on their way to listeners, 4 to 1024 (default 16)");

#define CAUSAL_REC_TASK		BIT(0)	/* @who is the task that hit */
#define CAUSAL_REC_CLOCK	BIT(1)	/* @clock is set */
#define CAUSAL_REC_VECTOR	BIT(2)	/* @vec is the thread's vector clock */
#define CAUSAL_REC_PAD		BIT(31)	/* in @len: skip to the ring's end */

/**
 * struct causal_rec - a probe hit in a ring
 * @len: bytes of the record, a multiple of 8; with CAUSAL_REC_PAD, bytes to
 *	skip to the end of the ring
 * @probe_id: the tracer's number for the probe point
 * @cn: the node of the event
 * @id: the node's number for it
 * @time: when (CLOCK_REALTIME ns)
 * @clock: its Lamport or HLC clock, or its participant's count
 * @own: in vector mode, its participant
 * @who: the task it happened in
 * @flags: CAUSAL_REC_*
 * @vec: the thread's vector clock, @vec.len entries
 */
struct causal_rec {
	u32 len;
	u32 probe_id;
	struct causal_net *cn;
	u64 id, time, clock, own;
	struct causal_who who;
	u32 flags;
	struct causal_vec vec;
};

#define CAUSAL_REC_SIZE(n) ALIGN(struct_size_t(struct causal_rec, vec.e, (n)), 8)

/**
 * struct causal_ring - a CPU's probe hits, one writer, one reader
 * @buf: the bytes
 * @mask: their number, a power of two, less one
 * @head: where the next record goes: written by this CPU, interrupts off
 * @tail: where the next record to deliver starts: written by the thread
 * @pos: while a record is being written, where it starts
 * @busy: a record is being written (an NMI must not write another)
 */
struct causal_ring {
	u8 *buf;
	u32 mask;
	u32 head;
	u32 tail;
	u32 pos;
	bool busy;
};

static DEFINE_PER_CPU(struct causal_ring, causal_rings);
/* Inside causal's delivery on this CPU: hits are causal's own. */
static DEFINE_PER_CPU(bool, causal_delivering);
static struct task_struct *causal_probe_thread;
/* One reader at a time: the thread, or a namespace going (flush). */
static DEFINE_MUTEX(causal_probe_lock);

static void causal_probe_kicked(struct irq_work *work);
static struct irq_work causal_probe_kick = IRQ_WORK_INIT_LAZY(causal_probe_kicked);

/*
 * Room for a record of @size bytes at the ring's head; a record never wraps
 * (the end is skipped with a pad).  Interrupts off, @r->busy set.
 */
static struct causal_rec *causal_ring_reserve(struct causal_ring *r, u32 size)
{
	/* pairs with the reader's release: it is done with the bytes it freed */
	u32 head = r->head, tail = smp_load_acquire(&r->tail);
	u32 off = head & r->mask, room = r->mask + 1 - off;
	struct causal_rec *pad;

	if (size > room) {
		if (head - tail + room + size > r->mask + 1)
			return NULL;
		pad = (struct causal_rec *)(r->buf + off);
		pad->len = room | CAUSAL_REC_PAD;
		head += room;
		off = 0;
	} else if (head - tail + size > r->mask + 1) {
		return NULL;
	}
	r->pos = head;
	return (struct causal_rec *)(r->buf + off);
}

/* Publish the record reserved at @r->pos, of @rec->len bytes. */
static void causal_ring_commit(struct causal_ring *r, struct causal_rec *rec)
{
	/* pairs with the reader's acquire: the record is whole before it shows */
	smp_store_release(&r->head, r->pos + rec->len);
}

/*
 * Make the current thread's clock (and, in vector mode, its vector clock)
 * if it has none: only where allocating and locking are safe, with
 * interrupts on (an insertion in the table of clocks turns bottom halves
 * off and on).
 */
static void causal_probe_prepare(struct causal_net *cn)
{
	u32 scope = READ_ONCE(cn->scope);

	if (READ_ONCE(cn->clock) == CAUSAL_CLOCK_VECTOR)
		causal_ctx_vclock(cn, scope, READ_ONCE(cn->vector_width), true);
	else
		causal_ctx_clock(cn, scope, true);
}

/*
 * The clock of a hit in the current task, ticked if the thread has one,
 * with its vector copied into @rec in vector mode (where @lock says the
 * thread's vector clock may be locked) if @room holds it.  Makes nothing.
 * Context: interrupts off.
 */
static void causal_probe_clock(struct causal_net *cn, struct causal_rec *rec,
			       bool lock, u32 room)
{
	u32 scope = READ_ONCE(cn->scope), clock = READ_ONCE(cn->clock);
	struct causal_vclock *vt;
	atomic64_t *ctx;
	u64 c;
	int drops;

	if (clock != CAUSAL_CLOCK_VECTOR) {
		ctx = causal_ctx_clock(cn, scope, false);
		if (!ctx)
			return;
		c = atomic64_read(ctx);
		c = clock == CAUSAL_CLOCK_HLC ?
			causal_hlc_send(c, causal_hlc_wall(ktime_get_real_fast_ns())) :
			causal_lamport_send(c);
		causal_ctx_max(ctx, c);
		rec->clock = c;
		rec->flags |= CAUSAL_REC_CLOCK;
		return;
	}
	if (!lock)
		return;
	vt = causal_ctx_vclock(cn, scope, 0, false);
	if (!vt)
		return;
	spin_lock(&vt->lock);	/* interrupts are off */
	drops = causal_vec_tick_count(vt->v, vt->id, &vt->count);
	rec->clock = causal_vec_get(vt->v, vt->id);
	rec->own = vt->id;
	rec->flags |= CAUSAL_REC_CLOCK;
	if (room >= CAUSAL_REC_SIZE(vt->v->len)) {
		rec->vec.width = vt->v->len;
		causal_vec_copy(&rec->vec, vt->v);
		rec->flags |= CAUSAL_REC_VECTOR;
	}
	spin_unlock(&vt->lock);
	if (drops)
		causal_stat_add(cn, CAUSAL_STAT_VECTOR_WIDTH_DROPS, drops);
}

/*
 * Record a hit of @cn, numbered @id, in this CPU's ring; false if full.
 * @lock: the thread's vector clock may be locked
 */
static bool causal_probe_record(struct causal_net *cn, u64 id, u32 probe_id, bool task,
				bool lock)
{
	u32 size = CAUSAL_REC_SIZE(0), clock = READ_ONCE(cn->clock);
	struct causal_ring *r;
	struct causal_rec *rec;
	unsigned long flags;
	bool ok = false;

	if (task && lock && clock == CAUSAL_CLOCK_VECTOR)
		size = CAUSAL_REC_SIZE(READ_ONCE(cn->vector_width));
	local_irq_save(flags);
	r = this_cpu_ptr(&causal_rings);
	if (r->busy || !r->buf)
		goto out;	/* an NMI came while this CPU wrote one */
	r->busy = true;
	barrier();	/* an NMI on this CPU sees busy before the ring changes */
	rec = causal_ring_reserve(r, size);
	if (rec) {
		memset(rec, 0, CAUSAL_REC_SIZE(0));
		rec->probe_id = probe_id;
		rec->cn = cn;
		rec->id = id;
		rec->time = ktime_get_real_fast_ns();
		if (task) {
			causal_who_current(&rec->who);
			rec->flags |= CAUSAL_REC_TASK;
			causal_probe_clock(cn, rec, lock, size);
		}
		rec->len = CAUSAL_REC_SIZE(rec->flags & CAUSAL_REC_VECTOR ? rec->vec.len : 0);
		causal_ring_commit(r, rec);
		ok = true;
	}
	barrier();	/* ... and the ring whole before busy goes */
	r->busy = false;
out:
	local_irq_restore(flags);
	if (ok)
		irq_work_queue(&causal_probe_kick);
	return ok;
}

/* A hit nobody listens to: only its thread's clock ticks. */
static void causal_probe_tick(struct causal_net *cn, bool lock)
{
	struct causal_rec rec;
	unsigned long flags;

	local_irq_save(flags);
	causal_probe_clock(cn, &rec, lock, 0);
	local_irq_restore(flags);
}

/**
 * causal_probe_hit() - the CPU hit an operator's probe point
 * @probe_id: the tracer's number for the probe point
 *
 * An event stamped with the thread's (process's) clock, ticked: so "this
 * function ran" takes its place in the causal order.  In socket scope
 * threads have no clock: the event has none.
 *
 * Context: any, NMI included (see the top of this file).
 * Return: 0 when the hit is numbered (and recorded, if anyone listens),
 * -ENOBUFS when it was dropped (counted), -EBUSY for a hit of causal's own
 * delivery, -ENOENT for a node that is going.
 */
__bpf_kfunc int causal_probe_hit(u32 probe_id)
{
	/* a CPU's idle task is no thread: each CPU has one, all with tid 0 */
	bool task = in_task() && !is_idle_task(current), entered, make;
	struct causal_net *cn;
	unsigned int bit;
	int ret = 0;
	u64 id;

	if (this_cpu_read(causal_delivering) ||
	    (task && current == READ_ONCE(causal_probe_thread)))
		return -EBUSY;
	entered = causal_enter(&bit);
	if (!entered)
		preempt_disable();
	rcu_read_lock();
	cn = causal_net(task && current->nsproxy ? current->nsproxy->net_ns : &init_net);
	if (!causal_net_live(cn)) {
		ret = -ENOENT;
		goto out;
	}
	/* Make a clock, or lock one, only where allocating and locking are safe. */
	make = entered && task && causal_may_lock();
	if (make)
		causal_probe_prepare(cn);
	id = atomic64_inc_return(&cn->events);
	if (!genl_has_listeners(&causal_nl_family, cn->net, CAUSAL_NLGRP_EVENTS)) {
		if (task)
			causal_probe_tick(cn, make);
	} else if (!causal_probe_record(cn, id, probe_id, task, make)) {
		causal_stat_inc(cn, CAUSAL_STAT_PROBES_DROPPED);
		ret = -ENOBUFS;
	}
out:
	rcu_read_unlock();
	if (entered)
		causal_leave(bit);
	else
		preempt_enable();
	return ret;
}

/* Turn one record into a message of the events group. */
static void causal_probe_send(const struct causal_rec *rec)
{
	struct causal_net *cn = rec->cn;
	struct causal_note n = {
		.cn = cn, .net = cn->net, .id = rec->id, .who = &rec->who,
	};

	if (!causal_net_live(cn))
		return;
	causal_note_open(&n, CAUSAL_EVENT_TYPE_PROBE, rec->flags & CAUSAL_REC_VECTOR,
			 rec->time, GFP_KERNEL);
	causal_note_u32(&n, CAUSAL_A_EVENT_PROBE_ID, rec->probe_id);
	if (rec->flags & CAUSAL_REC_VECTOR)
		causal_note_vec(&n, rec->own, &rec->vec);
	causal_note_end(&n, NULL, NULL, rec->flags & CAUSAL_REC_CLOCK ? rec->clock : 0);
}

/* Deliver what the ring of @cpu holds; false when it was empty. */
static bool causal_probe_drain_cpu(int cpu)
{
	struct causal_ring *r = per_cpu_ptr(&causal_rings, cpu);
	/* pairs with the writer's release: what is below head is whole */
	u32 tail = r->tail, head = smp_load_acquire(&r->head), len;
	const struct causal_rec *rec;

	if (!r->buf || tail == head)
		return false;
	while (tail != head) {
		rec = (const struct causal_rec *)(r->buf + (tail & r->mask));
		len = rec->len & ~CAUSAL_REC_PAD;
		if (!len || len > r->mask + 1 - (tail & r->mask) || len & 7) {
			WARN_ONCE(1, "causal: probe ring of CPU %d corrupt\n", cpu);
			tail = head;
			break;
		}
		if (!(rec->len & CAUSAL_REC_PAD))
			causal_probe_send(rec);
		tail += len;
		/* pairs with the writer's acquire: done with those bytes */
		smp_store_release(&r->tail, tail);
		cond_resched();
	}
	/* as above, after a corrupt ring is skipped */
	smp_store_release(&r->tail, tail);
	return true;
}

/* Deliver every ring's records once; false when all were empty. */
static bool causal_probe_drain(void)
{
	bool any = false;
	int cpu;

	mutex_lock(&causal_probe_lock);
	for_each_possible_cpu(cpu)
		any |= causal_probe_drain_cpu(cpu);
	mutex_unlock(&causal_probe_lock);
	return any;
}

static bool causal_probe_pending(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct causal_ring *r = per_cpu_ptr(&causal_rings, cpu);

		/* pairs with the writer's release, as in the drain */
		if (r->buf && READ_ONCE(r->tail) != smp_load_acquire(&r->head))
			return true;
	}
	return false;
}

/**
 * causal_probe_flush() - deliver every probe hit recorded so far
 *
 * A namespace going calls it once nothing can record hits of its node any
 * more (kmod/net.c): no record then names the node.
 *
 * Context: process; sleeps.
 */
void causal_probe_flush(void)
{
	causal_probe_drain();
}

/* The lazy irq_work, at the next tick: wake the thread. */
static void causal_probe_kicked(struct irq_work *work)
{
	this_cpu_write(causal_delivering, true);
	wake_up_process(causal_probe_thread);
	this_cpu_write(causal_delivering, false);
}

/*
 * The delivery thread: woken by the irq_work, it delivers what the rings
 * hold, then rests a tick before it looks again, so that it takes at most
 * one pass a tick however hot the probes are: what they make beyond a
 * ring's worth a tick is dropped, and counted, where it is made.
 */
static int causal_probe_main(void *arg)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		if (!causal_probe_pending()) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		causal_probe_drain();
		schedule_timeout_interruptible(1);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void causal_probe_free(void)
{
	int cpu;

	mutex_lock(&causal_probe_lock);
	for_each_possible_cpu(cpu) {
		struct causal_ring *r = per_cpu_ptr(&causal_rings, cpu);

		kvfree(r->buf);
		r->buf = NULL;
	}
	mutex_unlock(&causal_probe_lock);
}

/**
 * causal_probe_init() - allocate the rings and start the delivery thread
 *
 * Return: 0, -ENOMEM, or the error of kthread_run().
 */
int causal_probe_init(void)
{
	u32 size = roundup_pow_of_two(clamp(probe_buffer, 4U, 1024U)) * 1024;
	struct task_struct *t;
	int cpu;

	BUILD_BUG_ON(CAUSAL_REC_SIZE(CAUSAL_VEC_WIDTH_MAX) * 2 > 4096);
	for_each_possible_cpu(cpu) {
		struct causal_ring *r = per_cpu_ptr(&causal_rings, cpu);

		r->buf = kvzalloc_node(size, GFP_KERNEL, cpu_to_node(cpu));
		if (!r->buf) {
			causal_probe_free();
			return -ENOMEM;
		}
		r->mask = size - 1;
	}
	t = kthread_run(causal_probe_main, NULL, "causal_probe");
	if (IS_ERR(t)) {
		causal_probe_free();
		return PTR_ERR(t);
	}
	WRITE_ONCE(causal_probe_thread, t);
	return 0;
}

/**
 * causal_probe_exit() - stop the delivery thread and free the rings
 *
 * Hits not delivered yet are lost.  No probe program runs by now: they pin
 * the module.
 */
void causal_probe_exit(void)
{
	irq_work_sync(&causal_probe_kick);
	kthread_stop(causal_probe_thread);
	causal_probe_free();
}
