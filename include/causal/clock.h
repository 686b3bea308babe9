/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * clock.h - the clock algebra of causal, shared by the module and user space.
 *
 * Pure functions on 64-bit clock values: no state, no locking.  The module
 * applies them to its clocks under its own locks; user space uses the very
 * same code to check the module and to order recorded events offline.
 *
 * Lamport clock: a counter.  An event ticks it; a receive first raises it to
 * the remote stamp.  If a happened before b then C(a) < C(b).
 *
 * Hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks",
 * OPODIS 2014): the 64 bits hold l, the largest wall time the node has heard
 * of, in bits 63..16 and c, a logical counter, in bits 15..0.  l is Unix time
 * in 32.16 fixed point (seconds, then 16 bits of fraction: 15.26 us units), so
 * read as 32.32 fixed point the whole value is close to wall time.  The
 * paper's rules
 *
 *   send:    l' = max(l, pt);        c' = (l' == l) ? c + 1 : 0
 *   receive: l' = max(l, lm, pt);    c' = c+1, cm+1, max(c, cm)+1 or 0 as l'
 *                                         equals l, lm, both or neither
 *
 * are, on the packed value v = l << 16 | c with P = pt << 16,
 *
 *   send:    v' = max(v + 1, P)
 *   receive: v' = max(v + 1, m + 1, P)
 *
 * which is also the Lamport rule with a floor of P.  A counter that passes
 * 0xffff carries into l (l runs 15 us ahead of the wall clock for a while);
 * the paper bounds c by the number of events in one clock-sync interval.
 *
 * Clocks saturate at the top of the number space instead of wrapping, so they
 * never go backwards.
 */
#ifndef _CAUSAL_CLOCK_H
#define _CAUSAL_CLOCK_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/math64.h>
#include <linux/time64.h>
#else
#include <linux/types.h>
#define NSEC_PER_SEC 1000000000ULL
#endif

#define CAUSAL_HLC_LOGICAL_BITS 16
#define CAUSAL_HLC_LOGICAL_MASK ((__u64)(1 << CAUSAL_HLC_LOGICAL_BITS) - 1)
#define CAUSAL_CLOCK_MAX (~(__u64)0)

static inline __u64 causal_max(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

/* Add one, but never wrap past the top of the number space. */
static inline __u64 causal_inc(__u64 v)
{
	return v == CAUSAL_CLOCK_MAX ? v : v + 1;
}

/*
 * causal_hlc_wall() - the HLC value of wall time @ns with a zero counter.
 * @ns: nanoseconds since the Unix epoch.
 */
static inline __u64 causal_hlc_wall(__u64 ns)
{
	__u64 sec, frac;
#ifdef __KERNEL__
	u32 rem;

	sec = div_u64_rem(ns, NSEC_PER_SEC, &rem);
	frac = div_u64((__u64)rem << 32, NSEC_PER_SEC);
#else
	sec = ns / NSEC_PER_SEC;
	frac = ((ns % NSEC_PER_SEC) << 32) / NSEC_PER_SEC;
#endif
	return ((sec << 32) | frac) & ~CAUSAL_HLC_LOGICAL_MASK;
}

/* causal_hlc_ns() - wall time in nanoseconds that the physical part of @v is. */
static inline __u64 causal_hlc_ns(__u64 v)
{
	__u64 sec = v >> 32, frac = v & 0xffffffff & ~CAUSAL_HLC_LOGICAL_MASK;

	return sec * NSEC_PER_SEC + ((frac * NSEC_PER_SEC) >> 32);
}

static inline __u64 causal_hlc_logical(__u64 v)
{
	return v & CAUSAL_HLC_LOGICAL_MASK;
}

/* causal_lamport_send() - clock of a local event or send after clock @local. */
static inline __u64 causal_lamport_send(__u64 local)
{
	return causal_inc(local);
}

/* causal_lamport_recv() - clock of a receive of stamp @remote after @local. */
static inline __u64 causal_lamport_recv(__u64 local, __u64 remote)
{
	return causal_inc(causal_max(local, remote));
}

/* causal_hlc_send() - HLC of a local event or send after @local at @wall. */
static inline __u64 causal_hlc_send(__u64 local, __u64 wall)
{
	return causal_max(causal_inc(local), wall);
}

/* causal_hlc_recv() - HLC of a receive of @remote after @local at @wall. */
static inline __u64 causal_hlc_recv(__u64 local, __u64 remote, __u64 wall)
{
	return causal_max(causal_inc(causal_max(local, remote)), wall);
}

/*
 * causal_widen() - the clock value nearest to @ref whose low @bits bits
 * are @low: a stamp sent with its top bits left out, restored by a receiver
 * that knows a value close to it (an earlier stamp of the same sender, or
 * HLC's wall time).  Exact while the two are less than 2^(bits - 1) apart.
 */
static inline __u64 causal_widen(__u64 low, __u64 ref, unsigned int bits)
{
	__u64 span = (__u64)1 << bits, v = (ref & ~(span - 1)) | (low & (span - 1));

	if (v > ref && v - ref > span / 2 && v >= span)
		v -= span;
	else if (v < ref && ref - v > span / 2 && v <= CAUSAL_CLOCK_MAX - span)
		v += span;
	return v;
}

/*
 * causal_lamport_forged() - is @remote too far ahead of @local to be merged?
 * @local: the clock a receive would merge into
 * @remote: the stamp received
 * @max_jump: the furthest a stamp may be ahead; 0 for no limit
 *
 * A peer that sends a stamp near the top of the number space would drag every
 * clock it reaches there, for good.
 */
static inline int causal_lamport_forged(__u64 local, __u64 remote, __u64 max_jump)
{
	return max_jump && remote > local && remote - local > max_jump;
}

/*
 * causal_hlc_forged() - is the wall time of HLC stamp @remote more than
 * @max_drift_ms ahead of @wall, the receiver's wall time as an HLC value?
 * 0 for no limit.
 */
static inline int causal_hlc_forged(__u64 wall, __u64 remote, __u32 max_drift_ms)
{
	__u64 drift;

	if (!max_drift_ms)
		return 0;
	drift = causal_hlc_wall((__u64)max_drift_ms * 1000000);
	return remote > wall && remote - wall > drift;
}

/*
 * How far back an HLC value may read and still be taken for one by a Lamport
 * receiver: a year, in the seconds of HLC's top 32 bits.
 */
#define CAUSAL_HLC_CARRIED_SECONDS (366ULL * 24 * 3600)

/*
 * causal_hlc_carried() - may Lamport stamp @remote be an HLC value, sent by a
 * peer in HLC mode or by a process whose clock grew under HLC before its node
 * went back to Lamport?
 * @wall: the receiver's wall time as an HLC value
 * @remote: the stamp received
 * @max_drift_ms: the receiver's max-drift; 0 (no limit) takes none for HLC
 *
 * Such a stamp is far beyond max-jump of a clock that never was HLC, and
 * legitimate: HLC values keep the clock condition.  It is taken while it
 * reads as wall time of the last year up to @max_drift_ms ahead, the bound an
 * HLC receiver applies: a Lamport clock it raises grows no faster than the
 * wall clock, and the top of the number space stays out of reach.
 */
static inline int causal_hlc_carried(__u64 wall, __u64 remote, __u32 max_drift_ms)
{
	__u64 past = CAUSAL_HLC_CARRIED_SECONDS << 32;

	return max_drift_ms && wall > past && remote >= wall - past &&
	       !causal_hlc_forged(wall, remote, max_drift_ms);
}

#endif /* _CAUSAL_CLOCK_H */
