/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where causal's code may run, and what it may do there.
 *
 * Every entry from BPF (the kfuncs) and every probe the module hooks runs
 * between causal_enter() and causal_leave().  They mark the CPU as inside
 * causal at the current context level (task, softirq, hardirq, NMI), with
 * preemption off, so that code reached from inside causal at the same level
 * (an operator's probe on a function causal calls, a program of someone
 * else's on a function causal calls under one of its locks) is known for
 * what it is: causal_enter() refuses it, causal_inside() tells the probe
 * path to take no lock and make nothing.  A lower level can never be
 * interrupted inside one of causal's locks, which are all taken with bottom
 * halves off; a higher level may run anything causal_enter() admits.
 */
#ifndef _CAUSAL_GUARD_H
#define _CAUSAL_GUARD_H

#include <linux/hardirq.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

DECLARE_PER_CPU(unsigned int, causal_active);

/* This context's bit in causal_active: 1 task, 2 softirq, 4 hardirq, 8 NMI */
static inline unsigned int causal_level_bit(void)
{
	return 1U << interrupt_context_level();
}

/**
 * causal_inside() - is this CPU inside causal at the current context level?
 *
 * Return: true from code that causal itself called (on this CPU, in this
 * context): locks causal takes may be held.
 */
static inline bool causal_inside(void)
{
	return this_cpu_read(causal_active) & causal_level_bit();
}

/**
 * causal_enter() - enter causal from BPF or from a probe
 * @bit: out: what causal_leave() takes
 *
 * Disables preemption until causal_leave().
 *
 * Return: false, with nothing to undo, when this CPU is already inside
 * causal at this level: the caller must then return without touching
 * anything causal locks.
 */
static inline bool causal_enter(unsigned int *bit)
{
	preempt_disable();
	*bit = causal_level_bit();
	if (this_cpu_read(causal_active) & *bit) {
		preempt_enable();
		return false;
	}
	this_cpu_or(causal_active, *bit);
	return true;
}

/**
 * causal_leave() - leave what causal_enter() entered
 * @bit: from causal_enter()
 */
static inline void causal_leave(unsigned int bit)
{
	this_cpu_and(causal_active, ~bit);
	preempt_enable();
}

/**
 * causal_may_lock() - may causal take its spinlocks and allocate here?
 *
 * Its locks are taken with bottom halves off and never from hard interrupts,
 * so: not in NMI or hard-IRQ context, not with interrupts off (a caller that
 * disabled them may hold any lock, the scheduler's among them).
 *
 * Return: true in task or softirq context with interrupts on.
 */
static inline bool causal_may_lock(void)
{
	return !in_nmi() && !in_hardirq() && !irqs_disabled();
}

#endif /* _CAUSAL_GUARD_H */
