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
 *   scalar clock (Lamport, HLC): 12 B      vector: 5 + 11 * n bytes, n <= 3
 *   0      kind = 253                      0      kind = 253
 *   1      length                          1      length
 *   2..3   ExID, network order             2..3   ExID
 *   4      flags                           4      flags (CAUSAL_TCPOPT_F_VECTOR)
 *   5..11  clock, low 56 bits, network     5..    n entries, each
 *          order                                  7 bytes participant id
 *                                                 4 bytes its event count
 *
 * The scalar clock is the sender's socket clock when the segment left: at
 * least the stamp of every send whose bytes it holds or precede them.  The
 * receiver restores the top 8 bits from the stamps it had before (the
 * nearest value).  Receivers also take the scalar forms of earlier senders,
 * the stamp of one send and its names: 25, 17 or 13 bytes (stamp, 64 bits;
 * the send's event number, low 32 bits; node id; the shorter forms leave
 * out the node id, then the event number).  A vector
 * names the send by its first entry, the sender's own.  The vector body carries the entries
 * of the send's vector clock that the receiving socket does not know yet
 * (Documentation/causal.rst, "Vector clocks"); entries that did not fit are
 * announced by CAUSAL_TCPOPT_F_INCOMPLETE.
 *
 * flags: bits 7..6 format version (0); bit 0 CAUSAL_TCPOPT_F_INEXACT: a
 * scalar stamp is an upper bound of the true one, a vector a lower bound;
 * bit 1 the body is a vector; bit 2 vector entries were left out; bits 5..3
 * are zero when sent and ignored when received.
 */
/*
 * UDP: UDP options (RFC 9868) in the surplus area, the bytes between the end
 * of the UDP data (the UDP length) and the end of the IP payload.  Receivers
 * without options support deliver the UDP data and never see them.
 *
 *   [0]        one zero byte when the area starts at an odd offset of the
 *              IP datagram (the UDP length is odd)
 *   OCS        2 bytes: Internet checksum of the area from here to its end,
 *              plus the area's length as a 16-bit word; never zero
 *   127        EXP, the experimental SAFE option
 *   length     4 + payload length
 *   ExID       2 bytes, CAUSAL_TCPOPT_EXID
 *   payload    flags and body, as for TCP; a vector body carries the whole
 *              vector (datagrams are not FIFO), up to CAUSAL_UDP_VEC_MAX
 *              entries
 *
 * causal_udp_build_area() lays it out, causal_udp_parse() checks it.
 */
#ifndef _UAPI_LINUX_CAUSAL_WIRE_H
#define _UAPI_LINUX_CAUSAL_WIRE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CAUSAL_TCPOPT_KIND		253
#define CAUSAL_TCPOPT_EXID		0xCA5A
#define CAUSAL_TCPOPT_VERSION		0

#define CAUSAL_TCPOPT_F_INEXACT		0x01
#define CAUSAL_TCPOPT_F_VECTOR		0x02
#define CAUSAL_TCPOPT_F_INCOMPLETE	0x04
#define CAUSAL_TCPOPT_F_VERSION_SHIFT	6

/* The option: kind, length and ExID, then the payload, flags first. */
#define CAUSAL_TCPOPT_HDR		4
#define CAUSAL_TCPOPT_OFF_FLAGS		CAUSAL_TCPOPT_HDR

/* Payload (flags and body) offsets and sizes. */
#define CAUSAL_PAY_STAMP		1
#define CAUSAL_PAY_EVENT		9
#define CAUSAL_PAY_NODE			13
#define CAUSAL_PAY_SCALAR_FULL		21	/* stamp, event, node */
#define CAUSAL_PAY_SCALAR_KEYED		13	/* stamp, event */
#define CAUSAL_PAY_SCALAR_SHORT		9	/* stamp */
#define CAUSAL_PAY_SCALAR_CLOCK		8	/* TCP: the clock's low 56 bits */
#define CAUSAL_PAY_CLOCK_BITS		56
#define CAUSAL_PAY_VEC_ENTRY		11
#define CAUSAL_PAY_VEC_ID_BYTES		7
#define CAUSAL_PAY_VEC_MAX_ENTRIES	3
#define CAUSAL_PAY_MAX			(1 + CAUSAL_PAY_VEC_MAX_ENTRIES * CAUSAL_PAY_VEC_ENTRY)

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

/*
 * Whole 64- and 32-bit fields: one swap and one unaligned access where the
 * compiler has them (the loops above are not unrolled at -O2), the loops
 * in BPF, whose stack and packet accesses must stay byte-sized.
 */
#if !defined(__bpf__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
__causal_wire_inline void causal_wire_put64(__u8 *p, __u64 v)
{
	v = __builtin_bswap64(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

__causal_wire_inline __u64 causal_wire_get64(const __u8 *p)
{
	__u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return __builtin_bswap64(v);
}

__causal_wire_inline void causal_wire_put32(__u8 *p, __u32 v)
{
	v = __builtin_bswap32(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

__causal_wire_inline __u32 causal_wire_get32(const __u8 *p)
{
	__u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return __builtin_bswap32(v);
}
#else
__causal_wire_inline void causal_wire_put64(__u8 *p, __u64 v)
{
	causal_wire_putn(p, v, 8);
}

__causal_wire_inline __u64 causal_wire_get64(const __u8 *p)
{
	return causal_wire_getn(p, 8);
}

__causal_wire_inline void causal_wire_put32(__u8 *p, __u32 v)
{
	causal_wire_putn(p, v, 4);
}

__causal_wire_inline __u32 causal_wire_get32(const __u8 *p)
{
	return (__u32)causal_wire_getn(p, 4);
}
#endif

/*
 * The next shorter form of a payload of @len bytes, or 0: a scalar drops
 * the node id, then the event number; a vector its last entry.
 */
__causal_wire_inline __u32 causal_pay_shorter(int vector, __u32 len)
{
	if (vector)
		return len > CAUSAL_PAY_VEC_ENTRY ? len - CAUSAL_PAY_VEC_ENTRY : 0;
	if (len == CAUSAL_PAY_SCALAR_FULL)
		return CAUSAL_PAY_SCALAR_KEYED;
	if (len == CAUSAL_PAY_SCALAR_KEYED)
		return CAUSAL_PAY_SCALAR_SHORT;
	return 0;
}

#define CAUSAL_UDPOPT_EOL		0
#define CAUSAL_UDPOPT_NOP		1
#define CAUSAL_UDPOPT_EXP		127
#define CAUSAL_UDPOPT_EXTENDED		255	/* length byte: 16-bit length follows */
#define CAUSAL_UDPOPT_HDR		4	/* kind, length, ExID */
/*
 * The most entries a UDP stamp carries: what an option whose length is one
 * byte holds (4 + 1 + 22 * 11 = 247), more than the default vector width.
 */
#define CAUSAL_UDP_VEC_MAX		22
#define CAUSAL_UDP_PAY_MAX		(1 + CAUSAL_UDP_VEC_MAX * CAUSAL_PAY_VEC_ENTRY)
#define CAUSAL_UDP_TRAILER_MAX		(1 + 2 + CAUSAL_UDPOPT_HDR + CAUSAL_UDP_PAY_MAX)

/* What causal_udp_parse() found in a surplus area. */
enum causal_udp_found {
	CAUSAL_UDP_NONE,	/* no surplus area, or no option of ours */
	CAUSAL_UDP_OURS,	/* our option, valid: *pay, *plen */
	CAUSAL_UDP_FOREIGN,	/* options, none of them ours */
	CAUSAL_UDP_MALFORMED,	/* bad checksum, lengths, or our option invalid */
};

/*
 * The OCS sum: 16-bit words of @p (@len bytes, the first at an even offset
 * of the datagram), plus @area_len, folded.  A correct area sums to 0xffff.
 */
static inline __u16 causal_udp_ocs_sum(const __u8 *p, __u32 len, __u32 area_len)
{
	__u32 sum = area_len & 0xffff, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* A stamp payload's form: scalar or vector, of a valid length and version. */
__causal_wire_inline int causal_pay_valid(const __u8 *pay, __u32 plen, __u32 max)
{
	if (!plen || plen > max ||
	    pay[0] >> CAUSAL_TCPOPT_F_VERSION_SHIFT != CAUSAL_TCPOPT_VERSION)
		return 0;
	if (pay[0] & CAUSAL_TCPOPT_F_VECTOR)
		return (plen - 1) % CAUSAL_PAY_VEC_ENTRY == 0;
	return plen == CAUSAL_PAY_SCALAR_FULL || plen == CAUSAL_PAY_SCALAR_KEYED ||
	       plen == CAUSAL_PAY_SCALAR_SHORT;
}

/*
 * A TCP payload: as causal_pay_valid() says, or the scalar clock form,
 * which TCP alone uses.
 */
__causal_wire_inline int causal_tcp_pay_valid(const __u8 *pay, __u32 plen)
{
	if (plen == CAUSAL_PAY_SCALAR_CLOCK)
		return pay[0] >> CAUSAL_TCPOPT_F_VERSION_SHIFT == CAUSAL_TCPOPT_VERSION &&
		       !(pay[0] & CAUSAL_TCPOPT_F_VECTOR);
	return causal_pay_valid(pay, plen, CAUSAL_PAY_MAX);
}

/*
 * causal_udp_build_area() - the surplus area carrying payload @pay of
 *	@plen bytes, its OCS left zero
 * @buf: out, CAUSAL_UDP_TRAILER_MAX bytes
 * @odd: the area starts at an odd offset of the IP datagram
 *
 * The writer then fills the OCS: the complement of causal_udp_ocs_sum() of
 * the bytes from the OCS on, 0xffff for 0 (the module sums with the
 * kernel's csum_partial()).
 *
 * Return: the area's length.
 */
static inline __u32 causal_udp_build_area(__u8 *buf, int odd, const __u8 *pay, __u32 plen)
{
	__u32 o = odd ? 1 : 0;

	buf[0] = 0;
	buf[o] = 0;
	buf[o + 1] = 0;
	buf[o + 2] = CAUSAL_UDPOPT_EXP;
	buf[o + 3] = CAUSAL_UDPOPT_HDR + plen;
	buf[o + 4] = CAUSAL_TCPOPT_EXID >> 8;
	buf[o + 5] = CAUSAL_TCPOPT_EXID & 0xff;
	__builtin_memcpy(buf + o + 2 + CAUSAL_UDPOPT_HDR, pay, plen);
	return o + 2 + CAUSAL_UDPOPT_HDR + plen;
}

/*
 * causal_udp_parse_opts() - look for our option in a surplus area whose
 *	OCS was checked
 * @area: the area, @len bytes, at least its OCS
 * @odd: it starts at an odd offset of the IP datagram
 * @pay: out: our payload, when found
 * @plen: out: its length
 *
 * Walks every option (an option running past the area or shorter than its
 * header makes the area malformed, as RFC 9868 says), and validates ours:
 * one only, a known form and version.
 */
static inline enum causal_udp_found causal_udp_parse_opts(const __u8 *area, __u32 len, int odd,
							  const __u8 **pay, __u32 *plen)
{
	__u32 off = (odd ? 1 : 0) + 2, l;
	int ours = 0, other = 0;

	for (; off < len; off += l) {
		__u8 kind = area[off];

		if (kind == CAUSAL_UDPOPT_EOL)
			break;
		if (kind == CAUSAL_UDPOPT_NOP) {
			l = 1;
			continue;
		}
		if (off + 2 > len)
			return CAUSAL_UDP_MALFORMED;
		l = area[off + 1];
		if (l == CAUSAL_UDPOPT_EXTENDED) {
			if (off + 4 > len)
				return CAUSAL_UDP_MALFORMED;
			l = (__u32)area[off + 2] << 8 | area[off + 3];
		}
		if (l < 2 || off + l > len)
			return CAUSAL_UDP_MALFORMED;
		if (kind != CAUSAL_UDPOPT_EXP || l < CAUSAL_UDPOPT_HDR ||
		    area[off + 1] == CAUSAL_UDPOPT_EXTENDED ||
		    ((__u32)area[off + 2] << 8 | area[off + 3]) != CAUSAL_TCPOPT_EXID) {
			other = 1;
			continue;
		}
		if (ours++ ||
		    !causal_pay_valid(area + off + CAUSAL_UDPOPT_HDR, l - CAUSAL_UDPOPT_HDR,
				      CAUSAL_UDP_PAY_MAX))
			return CAUSAL_UDP_MALFORMED;
		*pay = area + off + CAUSAL_UDPOPT_HDR;
		*plen = l - CAUSAL_UDPOPT_HDR;
	}
	if (ours)
		return CAUSAL_UDP_OURS;
	return other ? CAUSAL_UDP_FOREIGN : CAUSAL_UDP_NONE;
}

/*
 * causal_udp_area_ok() - may a surplus area of @len bytes at @area be
 *	walked for options?  Its first bytes are in place and its OCS is not
 *	zero; the caller checks the OCS's sum (causal_udp_ocs_sum()).
 */
static inline int causal_udp_area_ok(const __u8 *area, __u32 len, int odd)
{
	__u32 off = odd ? 1 : 0;

	return len >= off + 2 && !(odd && area[0]) && (area[off] | area[off + 1]);
}

/*
 * causal_udp_parse() - look for our option in a surplus area
 * @area: the area, @len bytes
 * @odd: it starts at an odd offset of the IP datagram
 * @pay: out: our payload, when found
 * @plen: out: its length
 *
 * Checks the OCS, then as causal_udp_parse_opts().
 */
static inline enum causal_udp_found causal_udp_parse(const __u8 *area, __u32 len, int odd,
						     const __u8 **pay, __u32 *plen)
{
	__u32 off = odd ? 1 : 0;

	if (!len)
		return CAUSAL_UDP_NONE;
	if (!causal_udp_area_ok(area, len, odd) ||
	    causal_udp_ocs_sum(area + off, len - off, len) != 0xffff)
		return CAUSAL_UDP_MALFORMED;
	return causal_udp_parse_opts(area, len, odd, pay, plen);
}

#endif /* _UAPI_LINUX_CAUSAL_WIRE_H */
