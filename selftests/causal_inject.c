// SPDX-License-Identifier: GPL-2.0
/*
 * causal_inject - hostile stamps on the wire, for causal's tests: TCP
 * segments whose options the kernel's own TCP would never write, from a
 * connection of its own on a packet socket, and UDP datagrams whose surplus
 * areas are crafted, on raw sockets.
 *
 *   causal_inject tcp IFNAME SRC DST DST_MAC PORT [-n ROUNDS] [-w MS] [-s OPTHEX]...
 *	Opens a connection to DST:PORT posing as SRC, an address the local
 *	kernel does not own (so that it drops the server's replies instead of
 *	resetting the connection); then sends one data segment of 32 bytes
 *	per -s, with the TCP options given in hex (padded with NOPs), ROUNDS
 *	times over, each after the previous one was acknowledged (and MS
 *	milliseconds more with -w).  Prints how many were acknowledged.
 *
 *   causal_inject tcp-storm IFNAME SRC DST DST_MAC PORT COUNT [SEED]
 *	The same connection, then COUNT segments, each of a hostile kind
 *	drawn at random (malformed, truncated, oversized, duplicated,
 *	foreign, forged, valid), in acknowledged batches.
 *
 *   causal_inject udp-storm NETNS PORT COUNT SEED SRC DST [SRC6 DST6]
 *	Run in the receiver's network namespace: binds PORT there, then
 *	sends COUNT datagrams of hostile kinds from namespace NETNS (IPv4,
 *	and IPv6 too when given), in batches, reading each batch before the
 *	next so that none waits long enough to lose its stamp.
 *
 * The storms print, for each kind, how many were sent (and resent or
 * received), then "expect STAT MIN MAX" for each of the receiver's
 * counters: what the module must have counted.  The server needs a
 * neighbour entry for SRC.  IPv4 or IPv6, as SRC is.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <uapi/linux/causal_wire.h>

#include "rnd.h"

#define PAYLOAD 32
#define MAX_SEGS 64
#define TCP_BATCH 16
#define UDP_BATCH 32
#define FORGED_STAMP (1ULL << 62)

struct conn {
	int fd, ifindex;
	bool v6;
	uint8_t smac[6], dmac[6];
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
};

/* What a kind of stamp must make the receiver count, per packet. */
struct kind {
	const char *name;
	int malformed, foreign, stamps, forged;
	long sent, resent, received;
};

static void die(const char *what)
{
	fprintf(stderr, "causal_inject: %s: %s\n", what, strerror(errno));
	exit(1);
}


/* A number in [lo, hi]. */
static unsigned int rnd_in(unsigned int lo, unsigned int hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* The TCP or UDP pseudo-header's sum. */
static uint32_t pseudo_sum(bool v6, const uint8_t *saddr, const uint8_t *daddr,
			   uint8_t proto, size_t len)
{
	uint8_t p[40] = {};

	if (v6) {
		memcpy(p, saddr, 16);
		memcpy(p + 16, daddr, 16);
		p[34] = len >> 8;
		p[35] = len & 0xff;
		p[39] = proto;
		return csum_add(0, p, 40);
	}
	memcpy(p, saddr, 4);
	memcpy(p + 4, daddr, 4);
	p[9] = proto;
	p[10] = len >> 8;
	p[11] = len & 0xff;
	return csum_add(0, p, 12);
}

/*
 * An IP header for @len bytes of protocol @proto at @ip; returns its
 * length.  (IPv4 with its checksum: packet sockets send frames as they are.)
 */
static size_t ip_header(uint8_t *ip, bool v6, const uint8_t *saddr,
			const uint8_t *daddr, uint8_t proto, size_t len)
{
	if (v6) {
		ip[0] = 0x60;
		ip[4] = len >> 8;
		ip[5] = len & 0xff;
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, saddr, 16);
		memcpy(ip + 24, daddr, 16);
		return 40;
	}
	ip[0] = 0x45;
	ip[2] = (20 + len) >> 8;
	ip[3] = (20 + len) & 0xff;
	ip[6] = 0x40;	/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, saddr, 4);
	memcpy(ip + 16, daddr, 4);
	*(uint16_t *)(ip + 10) = csum_fold(csum_add(0, ip, 20));
	return 20;
}

static bool parse_addr(const char *s, bool *v6, uint8_t *addr)
{
	*v6 = strchr(s, ':');
	return inet_pton(*v6 ? AF_INET6 : AF_INET, s, addr) == 1;
}

/* --- TCP ------------------------------------------------------------------ */

/* Ethernet + IP + TCP with @opts (already padded) and @len payload bytes. */
static void send_seg(struct conn *c, uint32_t seq, uint8_t flags, const uint8_t *opts,
		     size_t olen, const uint8_t *payload, size_t len)
{
	uint8_t frame[1600] = {}, *ip = frame + 14, *tcp;
	size_t iphl, tcplen = 20 + olen + len;

	memcpy(frame, c->dmac, 6);
	memcpy(frame + 6, c->smac, 6);
	frame[12] = c->v6 ? 0x86 : 0x08;
	frame[13] = c->v6 ? 0xdd : 0x00;
	iphl = ip_header(ip, c->v6, c->saddr, c->daddr, IPPROTO_TCP, tcplen);
	tcp = ip + iphl;
	*(uint16_t *)tcp = htons(c->sport);
	*(uint16_t *)(tcp + 2) = htons(c->dport);
	*(uint32_t *)(tcp + 4) = htonl(seq);
	*(uint32_t *)(tcp + 8) = htonl(c->ack);
	tcp[12] = ((20 + olen) / 4) << 4;
	tcp[13] = flags;
	*(uint16_t *)(tcp + 14) = htons(65535);
	memcpy(tcp + 20, opts, olen);
	if (len)
		memcpy(tcp + 20 + olen, payload, len);
	*(uint16_t *)(tcp + 16) =
		csum_fold(csum_add(pseudo_sum(c->v6, c->saddr, c->daddr, IPPROTO_TCP, tcplen),
				   tcp, tcplen));
	if (send(c->fd, frame, 14 + iphl + tcplen, 0) < 0)
		die("send");
}

/*
 * Wait up to @ms for a segment of the connection; returns its flags and
 * sets seq and ack, or -1 on timeout.
 */
static int recv_seg(struct conn *c, int ms, uint32_t *seq, uint32_t *ack)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	double end = now() + ms / 1e3;
	uint8_t frame[2048], *ip, *tcp;
	ssize_t n;

	for (;;) {
		int left = (end - now()) * 1e3;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		n = recv(c->fd, frame, sizeof(frame), 0);
		if (n < 14 + 20 + 20)
			continue;
		ip = frame + 14;
		if (c->v6) {
			if (frame[12] != 0x86 || frame[13] != 0xdd || ip[6] != IPPROTO_TCP ||
			    memcmp(ip + 8, c->daddr, 16) || memcmp(ip + 24, c->saddr, 16))
				continue;
			tcp = ip + 40;
		} else {
			if (frame[12] != 0x08 || frame[13] != 0 || ip[9] != IPPROTO_TCP ||
			    memcmp(ip + 12, c->daddr, 4) || memcmp(ip + 16, c->saddr, 4))
				continue;
			tcp = ip + (ip[0] & 0xf) * 4;
		}
		if (ntohs(*(uint16_t *)tcp) != c->dport ||
		    ntohs(*(uint16_t *)(tcp + 2)) != c->sport)
			continue;
		*seq = ntohl(*(uint32_t *)(tcp + 4));
		*ack = ntohl(*(uint32_t *)(tcp + 8));
		return tcp[13];
	}
}

static void parse_mac(const char *s, uint8_t *mac)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
		   &mac[3], &mac[4], &mac[5]) != 6) {
		fprintf(stderr, "causal_inject: bad MAC %s\n", s);
		exit(2);
	}
}

/* Connect to DST:PORT from SRC on IFNAME (argv[0..4]). */
static void tcp_open(struct conn *c, char **argv)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0x78 };	/* MSS 1400 */
	struct sockaddr_ll sll = {};
	struct ifreq ifr = {};
	uint32_t seq, ack;
	int i, flags, one = 1;
	bool v6;

	if (!parse_addr(argv[1], &c->v6, c->saddr) || !parse_addr(argv[2], &v6, c->daddr) ||
	    v6 != c->v6) {
		fprintf(stderr, "causal_inject: bad addresses %s %s\n", argv[1], argv[2]);
		exit(2);
	}
	parse_mac(argv[3], c->dmac);
	c->dport = atoi(argv[4]);
	c->sport = 20000 + rnd() % 20000;
	c->seq = rnd();

	c->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (c->fd < 0)
		die("packet socket");
	/* its own frames are of no interest, and would fill its buffer */
	setsockopt(c->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[0]);
	if (ioctl(c->fd, SIOCGIFHWADDR, &ifr))
		die(argv[0]);
	memcpy(c->smac, ifr.ifr_hwaddr.sa_data, 6);
	c->ifindex = if_nametoindex(argv[0]);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = c->ifindex;
	if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");

	for (i = 0; i < 20; i++) {
		send_seg(c, c->seq, 0x02, mss, sizeof(mss), NULL, 0);
		flags = recv_seg(c, 500, &seq, &ack);
		if (flags >= 0 && (flags & 0x12) == 0x12 && ack == c->seq + 1)
			break;
	}
	if (i == 20) {
		fprintf(stderr, "causal_inject: no SYN-ACK from %s port %d\n", argv[2], c->dport);
		exit(1);
	}
	c->seq++;
	c->ack = seq + 1;
	send_seg(c, c->seq, 0x10, NULL, 0, NULL, 0);
}

/* Hex to bytes, padded with NOPs to a multiple of 4; returns the length. */
static size_t parse_opts(const char *hex, uint8_t *out)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < 40) {
		if (!isxdigit(hex[0]) || !isxdigit(hex[1]) ||
		    sscanf(hex, "%2hhx", &out[n]) != 1) {
			fprintf(stderr, "causal_inject: bad hex: %s\n", hex);
			exit(2);
		}
		n++;
		hex += 2;
	}
	while (n % 4)
		out[n++] = 1;
	return n;
}

static int cmd_tcp(int argc, char **argv)
{
	const char *segs[MAX_SEGS];
	int nsegs = 0, rounds = 1, wait_ms = 0, acked = 0, sent = 0, i, r, flags;
	uint8_t payload[PAYLOAD], opts[40];
	struct conn c = {};
	uint32_t seq, ack;

	if (argc < 5) {
		fprintf(stderr, "usage: causal_inject tcp IFNAME SRC DST DST_MAC PORT [-n ROUNDS] [-w MS] [-s OPTHEX]...\n");
		return 2;
	}
	for (i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			wait_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc && nsegs < MAX_SEGS)
			segs[nsegs++] = argv[++i];
		else
			return 2;
	}
	tcp_open(&c, argv);

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nsegs; i++) {
			size_t olen = parse_opts(segs[i], opts);
			uint32_t end = c.seq + PAYLOAD;
			int tries;

			if (sent && wait_ms)
				usleep(wait_ms * 1000);
			memset(payload, 'a' + sent % 26, sizeof(payload));
			for (tries = 0; tries < 5; tries++) {
				send_seg(&c, c.seq, 0x18, opts, olen, payload, PAYLOAD);
				while ((flags = recv_seg(&c, 400, &seq, &ack)) >= 0)
					if ((flags & 0x10) && (int32_t)(ack - end) >= 0)
						break;
				if (flags >= 0)
					break;
			}
			sent++;
			acked += tries < 5;
			c.seq = end;
		}
	}
	printf("%d of %d segments acknowledged\n", acked, sent);
	return acked == sent ? 0 : 1;
}

/* Options being built: up to 40 bytes. */
struct opts {
	uint8_t b[40];
	int n;
};

static void opt_nops(struct opts *o, int n)
{
	while (n-- > 0 && o->n < 40)
		o->b[o->n++] = 1;
}

static void opt_pad(struct opts *o)
{
	while (o->n % 4)
		o->b[o->n++] = 1;
}

/*
 * A stamp payload of @plen bytes: flags, stamp, event number, node id, then
 * random bytes for whatever length is asked.
 */
static void stamp_pay(uint8_t *pay, int plen, uint8_t flags, uint64_t stamp)
{
	uint8_t full[CAUSAL_UDP_PAY_MAX];

	rnd_bytes(full, sizeof(full));
	full[0] = flags;
	if (plen == CAUSAL_PAY_SCALAR_CLOCK)
		causal_wire_putn(full + CAUSAL_PAY_STAMP, stamp, CAUSAL_PAY_CLOCK_BITS / 8);
	else
		causal_wire_put64(full + CAUSAL_PAY_STAMP, stamp);
	memcpy(pay, full, plen);
}

/*
 * An experimental option at @p: @kind, length, ExID @exid, then @plen bytes
 * of stamp payload (TCP and UDP options have the same header); returns its
 * length.
 */
static_assert(CAUSAL_UDPOPT_HDR == CAUSAL_TCPOPT_HDR, "one option header for both");

static int put_exp(uint8_t *p, uint8_t kind, uint16_t exid, uint8_t flags,
		   uint64_t stamp, int plen)
{
	p[0] = kind;
	p[1] = CAUSAL_TCPOPT_HDR + plen;
	p[2] = exid >> 8;
	p[3] = exid & 0xff;
	stamp_pay(p + CAUSAL_TCPOPT_HDR, plen, flags, stamp);
	return CAUSAL_TCPOPT_HDR + plen;
}

static void opt_exp(struct opts *o, uint8_t kind, uint16_t exid, uint8_t flags,
		    uint64_t stamp, int plen)
{
	o->n += put_exp(o->b + o->n, kind, exid, flags, stamp, plen);
}

/* A scalar payload's length: for TCP (@tcp) the clock form too. */
static int scalar_len(bool tcp)
{
	static const int forms[] = { CAUSAL_PAY_SCALAR_FULL, CAUSAL_PAY_SCALAR_KEYED,
				     CAUSAL_PAY_SCALAR_SHORT, CAUSAL_PAY_SCALAR_CLOCK };

	return forms[rnd() % (tcp ? 4 : 3)];
}

/*
 * A length no payload form has, for a scalar (or, with @vector, a vector),
 * in TCP (at most @max bytes) or, with @max CAUSAL_UDP_PAY_MAX, in UDP.
 */
static int bad_len(bool vector, int max)
{
	uint8_t flags = vector ? CAUSAL_TCPOPT_F_VECTOR : 0;
	int l;

	do
		l = rnd_in(1, max);
	while (max == CAUSAL_UDP_PAY_MAX ? causal_pay_valid(&flags, l, max) :
	       causal_tcp_pay_valid(&flags, l));
	return l;
}

static uint16_t other_exid(void)
{
	uint16_t e;

	do
		e = rnd();
	while (e == CAUSAL_TCPOPT_EXID);
	return e;
}

/* A plausible stamp: far below any guard. */
static uint64_t plausible(void)
{
	return rnd_in(1, 1 << 30);
}

enum {
	T_VALID, T_FORGED, T_FOREIGN_AND_OURS, T_LENGTH, T_OVERSIZED, T_TRUNCATED,
	T_CUT, T_TINY, T_TWICE, T_VERSION, T_FOREIGN, T_OTHER_KIND, T_KINDS
};

static struct kind tcp_kinds[T_KINDS] = {
	[T_VALID]		= { "valid", .stamps = 1 },
	[T_FORGED]		= { "forged", .stamps = 1, .forged = 1 },
	[T_FOREIGN_AND_OURS]	= { "foreign-and-ours", .foreign = 1, .stamps = 1 },
	[T_LENGTH]		= { "bad-length", .malformed = 1 },
	[T_OVERSIZED]		= { "oversized", .malformed = 1 },
	[T_TRUNCATED]		= { "truncated", .malformed = 1, .foreign = 1 },
	[T_CUT]			= { "cut-short" },	/* TCP reads no further */
	[T_TINY]		= { "tiny", .malformed = 1 },
	[T_TWICE]		= { "duplicated", .malformed = 1 },
	[T_VERSION]		= { "version", .malformed = 1 },
	[T_FOREIGN]		= { "foreign", .foreign = 1 },
	[T_OTHER_KIND]		= { "other-kind" },
};

/* The options of a segment of kind @k, padded. */
static void tcp_build(struct opts *o, int k)
{
	int l, at;

	o->n = 0;
	opt_nops(o, rnd() % 4);
	switch (k) {
	case T_VALID:
		opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0, plausible(),
			scalar_len(true));
		break;
	case T_FORGED:
		opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0,
			FORGED_STAMP | rnd() >> 8, CAUSAL_PAY_SCALAR_FULL);
		break;
	case T_FOREIGN_AND_OURS:
		if (rnd() & 1) {
			opt_exp(o, CAUSAL_TCPOPT_KIND, other_exid(), 0, 0, rnd_in(0, 8));
			opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0, plausible(),
				CAUSAL_PAY_SCALAR_SHORT);
		} else {
			opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0, plausible(),
				CAUSAL_PAY_SCALAR_SHORT);
			opt_exp(o, CAUSAL_TCPOPT_KIND, other_exid(), 0, 0, rnd_in(0, 8));
		}
		break;
	case T_LENGTH:
		l = rnd() & 1;
		opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID,
			l ? CAUSAL_TCPOPT_F_VECTOR : 0, plausible(),
			bad_len(l, 40 - CAUSAL_TCPOPT_HDR - o->n));
		break;
	case T_OVERSIZED:
		/* longer than any payload, and still inside the header */
		o->n = 0;
		opt_nops(o, rnd() & 1);
		opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0, plausible(),
			40 - CAUSAL_TCPOPT_HDR - o->n);
		break;
	case T_TRUNCATED:
		/*
		 * Last, its length past the end of the header, after an
		 * option TCP does not know (else TCP stops reading options
		 * before any it does not know, and never hands the segment
		 * to causal: T_CUT), and starting in the header's last 17
		 * bytes (from 6.12 on, TCP itself drops a segment with an
		 * option running past the header when more than an MD5
		 * option's length is left: tcp_inbound_hash()).
		 */
		opt_exp(o, CAUSAL_TCPOPT_KIND, other_exid(), 0, 0, rnd_in(0, 8));
		opt_nops(o, rnd_in(0, 8));
		/* fall through */
	case T_CUT:
		at = o->n;
		if (rnd() & 1) {
			opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0, plausible(),
				rnd_in(1, 10));
			opt_pad(o);
			o->b[at + 1] = o->n - at + rnd_in(1, 40);
		} else {
			/* a length below 2: TCP's "silly option" */
			o->b[o->n++] = CAUSAL_TCPOPT_KIND;
			o->b[o->n++] = rnd() % 2;
			opt_pad(o);
		}
		return;
	case T_TINY:
		/* lengths 2 and 3: no room for the ExID */
		l = rnd_in(2, 3);
		o->b[o->n++] = CAUSAL_TCPOPT_KIND;
		o->b[o->n++] = l;
		opt_nops(o, l - 2);
		break;
	case T_TWICE:
		opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0, plausible(),
			CAUSAL_PAY_SCALAR_SHORT);
		opt_nops(o, rnd() % 2);
		opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID, 0, plausible(),
			CAUSAL_PAY_SCALAR_SHORT);
		break;
	case T_VERSION:
		opt_exp(o, CAUSAL_TCPOPT_KIND, CAUSAL_TCPOPT_EXID,
			rnd_in(1, 3) << CAUSAL_TCPOPT_F_VERSION_SHIFT, plausible(),
			CAUSAL_PAY_SCALAR_KEYED);
		break;
	case T_FOREIGN:
		opt_exp(o, CAUSAL_TCPOPT_KIND, other_exid(), 0, 0, rnd_in(0, 30 - o->n));
		break;
	case T_OTHER_KIND:
		/* causal's ExID, under the other experimental kind */
		opt_exp(o, CAUSAL_TCPOPT_KIND + 1, CAUSAL_TCPOPT_EXID, 0, plausible(),
			CAUSAL_PAY_SCALAR_FULL);
		break;
	}
	opt_pad(o);
}

/* One segment in flight: where it starts, its kind and options. */
struct seg {
	uint32_t seq;
	int kind;
	struct opts o;
};

static void print_expect(const char *stat, long lo, long hi)
{
	printf("expect %s %ld %ld\n", stat, lo, hi);
}

static int cmd_tcp_storm(int argc, char **argv)
{
	struct seg batch[TCP_BATCH];
	struct opts last = {};
	uint8_t payload[PAYLOAD];
	long count, sent = 0, resent = 0, m[2] = {}, f[2] = {}, s[2] = {}, g[2] = {};
	struct conn c = {};
	double t0;
	int i, k, n, tries, flags;
	uint32_t seq, ack, end;

	if (argc < 6) {
		fprintf(stderr, "usage: causal_inject tcp-storm IFNAME SRC DST DST_MAC PORT COUNT [SEED]\n");
		return 2;
	}
	count = atol(argv[5]);
	tcp_open(&c, argv);
	t0 = now();
	while (sent < count) {
		n = count - sent < TCP_BATCH ? count - sent : TCP_BATCH;
		for (i = 0; i < n; i++) {
			batch[i].seq = c.seq + i * PAYLOAD;
			batch[i].kind = rnd() % T_KINDS;
			/*
			 * Options unlike the last segment's: TCP merges
			 * segments that queue behind a busy socket when
			 * their headers are the same (tcp_add_backlog()),
			 * and causal then sees one.
			 */
			do
				tcp_build(&batch[i].o, batch[i].kind);
			while (batch[i].o.n == last.n && !memcmp(batch[i].o.b, last.b, last.n));
			last = batch[i].o;
			tcp_kinds[batch[i].kind].sent++;
			rnd_bytes(payload, sizeof(payload));
			send_seg(&c, batch[i].seq, 0x18, batch[i].o.b, batch[i].o.n,
				 payload, PAYLOAD);
		}
		end = c.seq + n * PAYLOAD;
		for (tries = 0;; tries++) {
			ack = c.seq;
			while ((flags = recv_seg(&c, 300, &seq, &ack)) >= 0)
				if ((flags & 0x10) && (int32_t)(ack - end) >= 0)
					break;
			if (flags >= 0)
				break;
			if (tries == 10) {
				for (i = 0; i < n - 1; i++)
					if ((int32_t)(batch[i].seq + PAYLOAD - ack) > 0)
						break;
				fprintf(stderr, "causal_inject: segment %ld (%s) not acknowledged\n",
					sent + i, tcp_kinds[batch[i].kind].name);
				return 1;
			}
			/* again, from the first not acknowledged */
			for (i = 0; i < n; i++) {
				if ((int32_t)(batch[i].seq + PAYLOAD - ack) <= 0)
					continue;
				tcp_kinds[batch[i].kind].resent++;
				resent++;
				rnd_bytes(payload, sizeof(payload));
				send_seg(&c, batch[i].seq, 0x18, batch[i].o.b, batch[i].o.n,
					 payload, PAYLOAD);
			}
		}
		c.seq = end;
		sent += n;
	}
	printf("# tcp-storm: %ld segments, %ld resent, in %.1f s\n", sent, resent, now() - t0);
	for (k = 0; k < T_KINDS; k++) {
		struct kind *t = &tcp_kinds[k];

		printf("kind %s sent %ld resent %ld\n", t->name, t->sent, t->resent);
		/* a segment resent may have been received twice (out of order) */
		m[0] += t->malformed * t->sent;
		m[1] += t->malformed * (t->sent + t->resent);
		f[0] += t->foreign * t->sent;
		f[1] += t->foreign * (t->sent + t->resent);
		s[0] += t->stamps * t->sent;
		s[1] += t->stamps * (t->sent + t->resent);
		/* forged: once per receive that holds any forged bytes */
		g[0] += t->forged && t->sent;
		g[1] += t->forged * (t->sent + t->resent);
	}
	print_expect("malformed_in", m[0], m[1]);
	print_expect("foreign_in", f[0], f[1]);
	print_expect("stamps_in", s[0], s[1]);
	print_expect("forged_in", g[0], g[1]);
	return 0;
}

/* --- UDP ------------------------------------------------------------------ */

enum {
	U_VALID, U_FORGED, U_NONE, U_OCS, U_OCS_ZERO, U_PAD, U_PAST, U_TINY, U_TWICE,
	U_VERSION, U_LENGTH, U_HUGE, U_FOREIGN, U_OTHER_KIND, U_NOISE, U_KINDS,
	U_END = 0xff
};

static struct kind udp_kinds[U_KINDS] = {
	[U_VALID]	= { "valid", .stamps = 1 },
	[U_FORGED]	= { "forged", .forged = 1 },
	[U_NONE]	= { "none" },
	[U_OCS]		= { "bad-checksum", .malformed = 1 },
	[U_OCS_ZERO]	= { "zero-checksum", .malformed = 1 },
	[U_PAD]		= { "bad-pad", .malformed = 1 },
	[U_PAST]	= { "truncated", .malformed = 1 },
	[U_TINY]	= { "tiny", .malformed = 1 },
	[U_TWICE]	= { "duplicated", .malformed = 1 },
	[U_VERSION]	= { "version", .malformed = 1 },
	[U_LENGTH]	= { "bad-length", .malformed = 1 },
	[U_HUGE]	= { "oversized", .malformed = 1 },
	[U_FOREIGN]	= { "foreign", .foreign = 1 },
	[U_OTHER_KIND]	= { "other-kind", .foreign = 1 },
	[U_NOISE]	= { "noise" },	/* counted as causal_udp_parse() finds */
};

/* Options of a surplus area, after its OCS. */
struct area {
	uint8_t b[1400];
	int n;
};

static void area_exp(struct area *a, uint16_t exid, uint8_t flags, uint64_t stamp, int plen)
{
	a->n += put_exp(a->b + a->n, CAUSAL_UDPOPT_EXP, exid, flags, stamp, plen);
}

/*
 * The options of a datagram of kind @k into @a; returns what to do with
 * the checksum: 0 right, 1 wrong, 2 zero, 3 right but a non-zero pad byte.
 */
static int udp_build(struct area *a, int k)
{
	int l, i;

	a->n = 0;
	while (rnd() % 4 == 0)
		a->b[a->n++] = CAUSAL_UDPOPT_NOP;
	switch (k) {
	case U_VALID:
	case U_OCS:
	case U_OCS_ZERO:
	case U_PAD:
		area_exp(a, CAUSAL_TCPOPT_EXID, 0, plausible(), scalar_len(false));
		return k == U_OCS ? 1 : k == U_OCS_ZERO ? 2 : k == U_PAD ? 3 : 0;
	case U_FORGED:
		area_exp(a, CAUSAL_TCPOPT_EXID, 0, FORGED_STAMP | rnd() >> 8,
			 CAUSAL_PAY_SCALAR_FULL);
		break;
	case U_PAST:
		i = a->n;
		area_exp(a, CAUSAL_TCPOPT_EXID, 0, plausible(), scalar_len(false));
		a->b[i + 1] = a->n - i + rnd_in(1, 60);
		break;
	case U_TINY:
		a->b[a->n++] = CAUSAL_UDPOPT_EXP;
		a->b[a->n++] = rnd() % 2;
		break;
	case U_TWICE:
		area_exp(a, CAUSAL_TCPOPT_EXID, 0, plausible(), scalar_len(false));
		area_exp(a, CAUSAL_TCPOPT_EXID, 0, plausible(), scalar_len(false));
		break;
	case U_VERSION:
		area_exp(a, CAUSAL_TCPOPT_EXID, rnd_in(1, 3) << CAUSAL_TCPOPT_F_VERSION_SHIFT,
			 plausible(), scalar_len(false));
		break;
	case U_LENGTH:
		l = rnd() & 1;
		area_exp(a, CAUSAL_TCPOPT_EXID, l ? CAUSAL_TCPOPT_F_VECTOR : 0, plausible(),
			 bad_len(l, CAUSAL_UDP_PAY_MAX));
		break;
	case U_HUGE:
		/* more than any area causal writes, well formed */
		while (a->n < CAUSAL_UDP_TRAILER_MAX + 64)
			area_exp(a, other_exid(), 0, 0, rnd_in(0, 200));
		break;
	case U_FOREIGN:
		area_exp(a, other_exid(), 0, 0, rnd_in(0, 40));
		break;
	case U_OTHER_KIND:
		/* a known option, or an unknown one */
		l = rnd_in(2, 40);
		a->b[a->n] = rnd_in(2, 126);
		a->b[a->n + 1] = l;
		rnd_bytes(a->b + a->n + 2, l - 2);
		a->n += l;
		if (rnd() & 1)
			area_exp(a, other_exid(), 0, 0, rnd_in(0, 20));
		break;
	case U_NOISE:
		l = rnd_in(1, 120);
		rnd_bytes(a->b + a->n, l);
		/* of ours now and then, at random places */
		for (i = a->n; i + 4 <= a->n + l; i += rnd_in(1, 30)) {
			if (rnd() % 3)
				continue;
			a->b[i] = CAUSAL_UDPOPT_EXP;
			a->b[i + 2] = CAUSAL_TCPOPT_EXID >> 8;
			a->b[i + 3] = CAUSAL_TCPOPT_EXID & 0xff;
		}
		a->n += l;
		return rnd() % 8 == 0;
	case U_NONE:
		a->n = 0;
		break;
	}
	return 0;
}

/*
 * The surplus area for options @a after @dlen bytes of UDP data, into @out:
 * pad byte, OCS, options.  Returns its length.
 */
static int udp_area(uint8_t *out, const struct area *a, int dlen, int ocs_how)
{
	int odd = (8 + dlen) & 1, len = odd + 2 + a->n;
	uint16_t ocs;

	if (!a->n)
		return 0;
	out[0] = 0;
	out[odd] = 0;
	out[odd + 1] = 0;
	memcpy(out + odd + 2, a->b, a->n);
	ocs = ~causal_udp_ocs_sum(out + odd, len - odd, len);
	if (!ocs)
		ocs = 0xffff;
	if (ocs_how == 1)
		ocs ^= rnd_in(1, 0xfffe);
	if (ocs_how == 2)
		ocs = 0;
	out[odd] = ocs >> 8;
	out[odd + 1] = ocs & 0xff;
	if (ocs_how == 3) {
		if (!odd) {
			/* the pad byte needs an odd start: one data byte more */
			return -1;
		}
		out[0] = rnd_in(1, 255);
	}
	return len;
}

/* The kind a noise area amounts to, as the module's parser reads it. */
static int noise_counts(struct kind *t, const uint8_t *area, int len, int dlen)
{
	const __u8 *pay;
	__u32 plen;

	if (len > CAUSAL_UDP_TRAILER_MAX + 64)
		return t->malformed++, 0;
	switch (causal_udp_parse(area, len, (8 + dlen) & 1, &pay, &plen)) {
	case CAUSAL_UDP_MALFORMED:
		t->malformed++;
		return 0;
	case CAUSAL_UDP_FOREIGN:
		t->foreign++;
		return 0;
	case CAUSAL_UDP_OURS:
		return -1;
	default:
		return 0;
	}
}

struct udp_out {
	int fd;
	bool v6;
	uint8_t saddr[16], daddr[16];
	struct sockaddr_storage to;
	socklen_t tolen;
};

/* One datagram of @dlen bytes of @data and area @area, from @o. */
static void udp_send(struct udp_out *o, uint16_t port, const uint8_t *data, int dlen,
		     const uint8_t *area, int alen)
{
	uint8_t pkt[1500] = {}, *udp;
	size_t iphl, ulen = 8 + dlen;
	uint16_t sum;

	iphl = ip_header(pkt, o->v6, o->saddr, o->daddr, IPPROTO_UDP, ulen + alen);
	udp = pkt + iphl;
	*(uint16_t *)udp = htons(40000 + rnd() % 20000);
	*(uint16_t *)(udp + 2) = htons(port);
	*(uint16_t *)(udp + 4) = htons(ulen);
	memcpy(udp + 8, data, dlen);
	/* the UDP checksum covers the UDP length only */
	sum = csum_fold(csum_add(pseudo_sum(o->v6, o->saddr, o->daddr, IPPROTO_UDP, ulen),
				 udp, ulen));
	*(uint16_t *)(udp + 6) = sum ? sum : 0xffff;
	memcpy(udp + ulen, area, alen);
	if (sendto(o->fd, pkt, iphl + ulen + alen, 0, (struct sockaddr *)&o->to, o->tolen) < 0)
		die("sendto");
}

static void udp_out_open(struct udp_out *o, const char *src, const char *dst)
{
	bool v6;

	if (!parse_addr(src, &o->v6, o->saddr) || !parse_addr(dst, &v6, o->daddr) ||
	    v6 != o->v6) {
		fprintf(stderr, "causal_inject: bad addresses %s %s\n", src, dst);
		exit(2);
	}
	memset(&o->to, 0, sizeof(o->to));
	if (o->v6) {
		struct sockaddr_in6 *s6 = (void *)&o->to;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, o->daddr, 16);
		o->tolen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&o->to;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, o->daddr, 4);
		o->tolen = sizeof(*s4);
	}
	/* IPPROTO_RAW: the header is ours, in both families */
	o->fd = socket(o->v6 ? AF_INET6 : AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (o->fd < 0)
		die("raw socket");
}

/* Read what has come to @fd within @ms, tallying by kind; returns how many. */
static long udp_drain(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t buf[2048];
	long n = 0;
	ssize_t len;

	while (poll(&p, 1, ms) > 0) {
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 1)
			continue;
		if (buf[0] < U_KINDS)
			udp_kinds[buf[0]].received++;
		n++;
		ms = 0;
	}
	return n;
}

static int cmd_udp_storm(int argc, char **argv)
{
	long count, sent = 0, received = 0, inflight, m = 0, f = 0, s = 0, g = 0;
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	int sink, ns, zero = 0, size = 8 << 20, k, dlen, alen, how, nout, i;
	struct kind noise = {};
	struct udp_out out[2];
	uint8_t data[64], area[1500];
	struct area a;
	char path[256];
	uint16_t port;
	double t0;

	if (argc != 6 && argc != 8) {
		fprintf(stderr, "usage: causal_inject udp-storm NETNS PORT COUNT SEED SRC DST [SRC6 DST6]\n");
		return 2;
	}
	port = atoi(argv[1]);
	count = atol(argv[2]);

	/* the receiver, here */
	sink = socket(AF_INET6, SOCK_DGRAM, 0);
	if (sink < 0)
		die("socket");
	setsockopt(sink, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(sink, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	sin6.sin6_port = htons(port);
	if (bind(sink, (struct sockaddr *)&sin6, sizeof(sin6)))
		die("bind");

	/* the senders, in the other namespace */
	snprintf(path, sizeof(path), "/run/netns/%s", argv[0]);
	ns = open(path, O_RDONLY);
	if (ns < 0 || setns(ns, CLONE_NEWNET))
		die(path);
	nout = argc == 8 ? 2 : 1;
	for (i = 0; i < nout; i++)
		udp_out_open(&out[i], argv[4 + 2 * i], argv[5 + 2 * i]);

	t0 = now();
	while (sent < count) {
		for (inflight = 0; inflight < UDP_BATCH && sent < count; inflight++, sent++) {
			k = rnd() % U_KINDS;
			do {
				how = udp_build(&a, k);
				dlen = rnd_in(1, 40);
				data[0] = k;
				rnd_bytes(data + 1, dlen - 1);
				alen = udp_area(area, &a, dlen, how);
				if (alen < 0) {
					dlen++;
					data[dlen - 1] = 0;
					alen = udp_area(area, &a, dlen, how);
				}
			} while (k == U_NOISE && noise_counts(&noise, area, alen, dlen) < 0);
			udp_kinds[k].sent++;
			udp_send(&out[sent % nout], port, data, dlen, area, alen);
		}
		for (i = 0; i < 20 && inflight > 0; i++) {
			long n = udp_drain(sink, 100);

			inflight -= n;
			received += n;
		}
	}
	received += udp_drain(sink, 500);
	printf("# udp-storm: %ld datagrams sent, %ld received, in %.1f s\n", sent, received,
	       now() - t0);
	for (k = 0; k < U_KINDS; k++) {
		struct kind *t = &udp_kinds[k];

		printf("kind %s sent %ld received %ld\n", t->name, t->sent, t->received);
		/* malformed and foreign areas are counted on arrival... */
		m += t->malformed * t->sent;
		f += t->foreign * t->sent;
		/* ...stamps and forged ones when the application reads them */
		s += t->stamps * t->received;
		g += t->forged * t->received;
	}
	m += noise.malformed;
	f += noise.foreign;
	printf("# noise: %d malformed, %d foreign\n", noise.malformed, noise.foreign);
	print_expect("malformed_in", m, m);
	print_expect("foreign_in", f, f);
	print_expect("stamps_in", s, s);
	print_expect("forged_in", g, g);
	return received == sent ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *seed = NULL;

	if (!strcmp(cmd, "tcp-storm") && argc > 8)
		seed = argv[8];
	else if (!strcmp(cmd, "udp-storm") && argc > 5)
		seed = argv[5];
	rnd_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL) << 16 ^ getpid();
	if (!rnd_state)
		rnd_state = 1;
	if (seed || strcmp(cmd, "tcp"))
		printf("# seed %llu\n", (unsigned long long)rnd_state);

	if (!strcmp(cmd, "tcp"))
		return cmd_tcp(argc - 2, argv + 2);
	if (!strcmp(cmd, "tcp-storm"))
		return cmd_tcp_storm(argc - 2, argv + 2);
	if (!strcmp(cmd, "udp-storm"))
		return cmd_udp_storm(argc - 2, argv + 2);
	fprintf(stderr, "usage: causal_inject tcp|tcp-storm|udp-storm ... (see its source)\n");
	return 2;
}
