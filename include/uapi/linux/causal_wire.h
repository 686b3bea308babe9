/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * causal_wire.h - what causal puts on the wire: the one definition shared by
 * the kernel module, the BPF programs and user space.  Documentation/wire.rst
 * describes it byte by byte.
 *
 * TCP: a shared experimental option (RFC 6994, kind 253) identified by the
 * 16-bit ExID CAUSAL_TCPOPT_EXID, on every segment that carries payload.
 * After kind, length and ExID comes the payload: a flags byte, then a body
 * whose form the flags name.
 *
 *   scalar (Lamport, HLC): 21 or 13 bytes  vector: 5 + 11 * n bytes, n <= 3
 *   0      kind = 253                      0      kind = 253
 *   1      length                          1      length
 *   2..3   ExID, network order             2..3   ExID
 *   4      flags                           4      flags (CAUSAL_TCPOPT_F_VECTOR)
 *   5..12  stamp, network order            5..    n entries, each
 *   13..20 node id (left out when short)          7 bytes participant id
 *                                                 4 bytes its event count
 *
 * The scalar stamp is the clock value of the send whose bytes the segment
 * holds; the short form leaves out the node id when the header has no room
 * for it (SACK blocks take precedence).  The vector body carries the entries
 * of the send's vector clock that the receiving socket does not know yet
 * (Documentation/causal.rst, "Vector clocks"); entries that did not fit are
 * announced by CAUSAL_TCPOPT_F_INCOMPLETE.
 *
 * flags: bits 7..6 format version (0); bit 0 CAUSAL_TCPOPT_F_INEXACT: a
 * scalar stamp is an upper bound of the true one, a vector a lower bound;
 * bit 1 the body is a vector; bit 2 vector entries were left out; bits 5..3
 * are zero when sent and ignored when received.
 */
#ifndef _UAPI_LINUX_CAUSAL_WIRE_H
#define _UAPI_LINUX_CAUSAL_WIRE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CAUSAL_TCPOPT_KIND		253
#define CAUSAL_TCPOPT_EXID		0xCA5A
#define CAUSAL_TCPOPT_LEN_FULL		21
#define CAUSAL_TCPOPT_LEN_SHORT		13
#define CAUSAL_TCPOPT_VERSION		0

#define CAUSAL_TCPOPT_F_INEXACT		0x01
#define CAUSAL_TCPOPT_F_VECTOR		0x02
#define CAUSAL_TCPOPT_F_INCOMPLETE	0x04
#define CAUSAL_TCPOPT_F_VERSION_SHIFT	6

/* Offsets inside the option. */
#define CAUSAL_TCPOPT_OFF_FLAGS		4
#define CAUSAL_TCPOPT_OFF_STAMP		5
#define CAUSAL_TCPOPT_OFF_NODE		13
#define CAUSAL_TCPOPT_HDR		4	/* kind, length, ExID */

/* Payload (flags and body) offsets and sizes. */
#define CAUSAL_PAY_STAMP		1
#define CAUSAL_PAY_NODE			9
#define CAUSAL_PAY_SCALAR_FULL		17
#define CAUSAL_PAY_SCALAR_SHORT		9
#define CAUSAL_PAY_VEC_ENTRY		11
#define CAUSAL_PAY_VEC_ID_BYTES		7
#define CAUSAL_PAY_VEC_MAX_ENTRIES	3
#define CAUSAL_PAY_MAX			(1 + CAUSAL_PAY_VEC_MAX_ENTRIES * CAUSAL_PAY_VEC_ENTRY)

/* Bytes of TCP header the option takes once padded to 4 bytes. */
#define CAUSAL_TCPOPT_SPACE_FULL	24
#define CAUSAL_TCPOPT_SPACE_SHORT	16

/* BPF programs must have these inline: they work on stack and packet memory. */
#ifdef __bpf__
#define __causal_wire_inline static inline __attribute__((always_inline))
#else
#define __causal_wire_inline static inline
#endif

/* Store the low @n bytes of @v at @p, most significant first. */
__causal_wire_inline void causal_wire_putn(__u8 *p, __u64 v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (__u8)v;
		v >>= 8;
	}
}

__causal_wire_inline __u64 causal_wire_getn(const __u8 *p, int n)
{
	__u64 v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

__causal_wire_inline void causal_wire_put64(__u8 *p, __u64 v)
{
	causal_wire_putn(p, v, 8);
}

__causal_wire_inline __u64 causal_wire_get64(const __u8 *p)
{
	return causal_wire_getn(p, 8);
}

#endif /* _UAPI_LINUX_CAUSAL_WIRE_H */
