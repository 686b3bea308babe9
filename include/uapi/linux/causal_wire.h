/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * causal_wire.h - what causal puts on the wire: the one definition shared by
 * the kernel module, the BPF programs and user space.  Documentation/wire.rst
 * describes it byte by byte.
 *
 * TCP: a shared experimental option (RFC 6994, kind 253) identified by the
 * 16-bit ExID CAUSAL_TCPOPT_EXID, on every segment that carries payload:
 *
 *   full form (21 bytes)                  short form (13 bytes)
 *   0      kind = 253                     0      kind = 253
 *   1      length = 21                    1      length = 13
 *   2..3   ExID, network order            2..3   ExID
 *   4      flags                          4      flags
 *   5..12  stamp, network order           5..12  stamp
 *   13..20 node id, network order
 *
 * The stamp is the clock value of the send whose bytes the segment holds.
 * The short form leaves out the node id when the header has no room for it
 * (SACK blocks take precedence); the receiver keeps the id it last saw.
 *
 * flags: bits 7..6 format version (0); bit 0 CAUSAL_TCPOPT_F_INEXACT: the
 * stamp is an upper bound of the true one, not the true one; bits 5..1 are
 * zero when sent and ignored when received.
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
#define CAUSAL_TCPOPT_F_VERSION_SHIFT	6

/* Offsets inside the option. */
#define CAUSAL_TCPOPT_OFF_FLAGS		4
#define CAUSAL_TCPOPT_OFF_STAMP		5
#define CAUSAL_TCPOPT_OFF_NODE		13

/* Bytes of TCP header the option takes once padded to 4 bytes. */
#define CAUSAL_TCPOPT_SPACE_FULL	24
#define CAUSAL_TCPOPT_SPACE_SHORT	16

/* BPF programs must have these inline: they work on stack and packet memory. */
#ifdef __bpf__
#define __causal_wire_inline static inline __attribute__((always_inline))
#else
#define __causal_wire_inline static inline
#endif

__causal_wire_inline void causal_wire_put64(__u8 *p, __u64 v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (__u8)v;
		v >>= 8;
	}
}

__causal_wire_inline __u64 causal_wire_get64(const __u8 *p)
{
	__u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#endif /* _UAPI_LINUX_CAUSAL_WIRE_H */
