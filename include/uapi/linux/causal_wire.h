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
 *   scalar clock (Lamport, HLC): 12 B      vector: 5 + entries, at most 40 B
 *   0      kind = 253                      0      kind = 253
 *   1      length                          1      length
 *   2..3   ExID, network order             2..3   ExID
 *   4      flags                           4      flags (CAUSAL_TCPOPT_F_VECTOR,
 *   5..11  clock, low 56 bits, network            version 1)
 *          order                           5..    entries, each
 *                                                 a head byte: bit 7, an id
 *                                                 follows; bit 6, the index
 *                                                 is the receiver's; bits
 *                                                 5..0, the index
 *                                                 [7 bytes participant id]
 *                                                 its event count, LEB128
 *
 * The scalar clock is the sender's socket clock when the segment left: at
 * least the stamp of every send whose bytes it holds or precede them.  The
 * receiver restores the top 8 bits from the stamps it had before (the
 * nearest value).  Receivers also take the scalar forms of earlier senders,
 * the stamp of one send and its names: 25, 17 or 13 bytes (stamp, 64 bits;
 * the send's event number, low 32 bits; node id; the shorter forms leave
 * out the node id, then the event number).
 *
 * A vector names the send by its first entry, the sender's own.  The
 * vector body carries the entries of the send's vector clock that the
 * receiving socket does not know yet (Documentation/causal.rst, "Vector
 * clocks"); entries that did not fit are announced by
 * CAUSAL_TCPOPT_F_INCOMPLETE.  TCP vectors are compact (payload version 1):
 * a participant's first entry on a connection, each way, carries its 56-bit
 * id and gives it an index of the connection (1 to 63), which its later
 * entries carry instead; an entry with index 0 carries its id and gives
 * none.  An entry may also carry the index the receiver gave the
 * participant (CAUSAL_VENT_YOURS).  Receivers of earlier versions count
 * version 1 as malformed.
 * Receivers also take the vectors of earlier senders, version 0: entries of
 * 11 bytes, the 7-byte id and the 4-byte count.
 *
 * flags: bits 7..6 format version (0; 1 for compact vectors); bit 0
 * CAUSAL_TCPOPT_F_INEXACT: a scalar stamp is an upper bound of the true
 * one, a vector a lower bound; bit 1 the body is a vector; bit 2 vector
 * entries were left out; compact vectors only: bit 3
 * (CAUSAL_TCPOPT_F_BASE), a base count, a varint, comes before the
 * entries, whose counts are offsets from it, and bit 4
 * (CAUSAL_TCPOPT_F_WHOLE), the entries are all of the sender's clock, not
 * only what its peer lacked, and that clock is exact (or inexact only by
 * what it owes this connection), and bit 5 (CAUSAL_TCPOPT_F_ASK), the sender
 * met an index its peer never named to it (the naming was lost on its
 * side): the peer should tell it all again; bits 5..3 of other forms are
 * zero when sent and ignored when received.
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
 *              entries of version 0 (a datagram has no connection to index
 *              participants by)
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
#define CAUSAL_PAY_VEC_VERSION		1	/* compact vectors (TCP) */

#define CAUSAL_TCPOPT_F_INEXACT		0x01
#define CAUSAL_TCPOPT_F_VECTOR		0x02
#define CAUSAL_TCPOPT_F_INCOMPLETE	0x04
#define CAUSAL_TCPOPT_F_BASE		0x08	/* compact vectors: a base count */
#define CAUSAL_TCPOPT_F_WHOLE		0x10	/* compact vectors: the whole clock */
#define CAUSAL_TCPOPT_F_ASK		0x20	/* compact vectors: tell me all again */
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
#define CAUSAL_PAY_VEC_ENTRY		11	/* version 0: id, count */
#define CAUSAL_PAY_VEC_ID_BYTES		7
/* The longest TCP payload: what the option space holds beside our header. */
#define CAUSAL_PAY_MAX			(40 - CAUSAL_TCPOPT_HDR)
/* The most forms a payload is shortened through before none is left. */
#define CAUSAL_PAY_FORMS		3

/* Compact vector entries (version 1): the head byte, then maybe the id. */
#define CAUSAL_VENT_NAMED		0x80	/* the 7-byte id follows */
#define CAUSAL_VENT_YOURS		0x40	/* the index is one the receiver gave */
#define CAUSAL_VENT_INDEX		0x3f	/* the participant's index, 0: none */
#define CAUSAL_VENT_INDEX_MAX		63
#define CAUSAL_VARINT_MAX		5	/* bytes of a 32-bit count */
#define CAUSAL_VENT_MIN			2	/* head and a one-byte count */

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
 * the node id, then the event number; a vector, whose entries depend on
 * one another, all of them (the flags byte alone is left).
 */
__causal_wire_inline __u32 causal_pay_shorter(int vector, __u32 len)
{
	if (vector)
		return len > 1 ? 1 : 0;
	if (len == CAUSAL_PAY_SCALAR_FULL)
		return CAUSAL_PAY_SCALAR_KEYED;
	if (len == CAUSAL_PAY_SCALAR_KEYED)
		return CAUSAL_PAY_SCALAR_SHORT;
	return 0;
}

/* The bytes of count @v as an unsigned LEB128 varint. */
__causal_wire_inline __u32 causal_varint_len(__u32 v)
{
	__u32 n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Store @v at @p as an unsigned LEB128 varint.  Return: its length. */
__causal_wire_inline __u32 causal_varint_put(__u8 *p, __u32 v)
{
	__u32 n = 0;

	while (v >= 0x80) {
		p[n++] = (__u8)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (__u8)v;
	return n;
}

/* A vector entry read from a payload. */
struct causal_wire_vent {
	__u64 id;	/* the participant, when the entry names it */
	__u32 n;	/* its event count */
	__u8 index;	/* compact: its index on the connection, 0 for none */
	__u8 named;	/* @id is set */
	__u8 yours;	/* @index is one the receiver gave */
};

/*
 * Read an unsigned LEB128 varint of at most 32 bits at *@off of @pay (@len
 * bytes) into *@v, @off advanced past it.  Return: 0, or -1 for one that
 * runs past the end or over 32 bits.
 */
static inline int causal_varint_get(const __u8 *pay, __u32 len, __u32 *off, __u32 *v)
{
	__u32 o = *off, i;
	__u8 b;

	*v = 0;
	for (i = 0; ; i++) {
		if (o >= len || i == CAUSAL_VARINT_MAX)
			return -1;
		b = pay[o++];
		if (i == CAUSAL_VARINT_MAX - 1 && b > 0x0f)
			return -1;	/* more than 32 bits */
		*v |= (__u32)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			break;
	}
	*off = o;
	return 0;
}

/*
 * causal_pay_vent_next() - the vector entry at *@off of payload @pay
 * @pay: a vector payload, @len bytes, its flags at 0
 * @off: where the entry starts (1 for the first); advanced past it
 * @e: out: the entry
 *
 * Version 0 entries are 11 bytes, the id and the count.  Version 1 entries
 * are a head byte (CAUSAL_VENT_NAMED, CAUSAL_VENT_YOURS, the index), the id
 * when named, and the count, an unsigned LEB128 varint, added to the base
 * count that comes first with CAUSAL_TCPOPT_F_BASE; a count is at most 32
 * bits.  An entry that names no id must give an index; one that names its
 * id gives an index of its sender's.
 *
 * Return: 1 for an entry, 0 after the last, -1 for a malformed one.
 */
static inline int causal_pay_vent_next(const __u8 *pay, __u32 len, __u32 *off,
				       struct causal_wire_vent *e)
{
	__u32 o = *off, base = 0, v;
	__u8 b;

	if (o >= len)
		return 0;
	if (!(pay[0] >> CAUSAL_TCPOPT_F_VERSION_SHIFT)) {
		if (o + CAUSAL_PAY_VEC_ENTRY > len)
			return -1;
		e->id = causal_wire_getn(&pay[o], CAUSAL_PAY_VEC_ID_BYTES);
		e->n = causal_wire_get32(&pay[o + CAUSAL_PAY_VEC_ID_BYTES]);
		e->index = 0;
		e->named = 1;
		e->yours = 0;
		*off = o + CAUSAL_PAY_VEC_ENTRY;
		return 1;
	}
	if (pay[0] & CAUSAL_TCPOPT_F_BASE) {
		__u32 at = 1;

		/* read again for each entry: it stays at the start */
		if (causal_varint_get(pay, len, &at, &base))
			return -1;
		if (o < at)
			o = at;
		if (o >= len)
			return 0;
	}
	b = pay[o++];
	e->index = b & CAUSAL_VENT_INDEX;
	e->named = !!(b & CAUSAL_VENT_NAMED);
	e->yours = !!(b & CAUSAL_VENT_YOURS);
	e->id = 0;
	if (e->named && e->yours)
		return -1;
	if (e->named) {
		if (o + CAUSAL_PAY_VEC_ID_BYTES > len)
			return -1;
		e->id = causal_wire_getn(&pay[o], CAUSAL_PAY_VEC_ID_BYTES);
		o += CAUSAL_PAY_VEC_ID_BYTES;
		if (!e->id)
			return -1;
	} else if (!e->index) {
		return -1;
	}
	/* counts are 32 bits, base and offset added */
	if (causal_varint_get(pay, len, &o, &v) || (__u64)base + v > 0xffffffffU)
		return -1;
	e->n = base + v;
	*off = o;
	return 1;
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
 * A TCP payload: as causal_pay_valid() says, the scalar clock form, which
 * TCP alone uses, or a compact vector, whose entries the module reads
 * (causal_pay_vent_next()) when the bytes it came with are received.
 */
__causal_wire_inline int causal_tcp_pay_valid(const __u8 *pay, __u32 plen)
{
	if (!plen || plen > CAUSAL_PAY_MAX)
		return 0;
	if (pay[0] & CAUSAL_TCPOPT_F_VECTOR &&
	    pay[0] >> CAUSAL_TCPOPT_F_VERSION_SHIFT == CAUSAL_PAY_VEC_VERSION)
		return 1;
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
