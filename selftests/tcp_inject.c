// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_inject - a minimal TCP client on a packet socket, to send segments
 * whose options the kernel's own TCP would never write: causal's hostile
 * input tests.
 *
 *   tcp_inject IFNAME SRC DST DST_MAC PORT [-n ROUNDS] [-w MS] [-s OPTHEX]...
 *
 * It takes SRC, an address the local kernel does not own (so that it drops
 * the server's replies instead of resetting the connection), opens a
 * connection to DST:PORT, then sends one data segment of 32 bytes per -s,
 * with the TCP options given in hex (padded with NOPs), ROUNDS times over,
 * each after the previous one was acknowledged (and MS milliseconds more
 * with -w).  IPv4 or IPv6, as SRC is.
 * The server needs a neighbour entry for SRC.  Prints how many segments
 * were acknowledged.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define PAYLOAD 32
#define MAX_SEGS 64

struct conn {
	int fd, ifindex;
	bool v6;
	uint8_t smac[6], dmac[6];
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
};

static void die(const char *what)
{
	fprintf(stderr, "tcp_inject: %s: %s\n", what, strerror(errno));
	exit(1);
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

/* Ethernet + IP + TCP with @opts (already padded) and @len payload bytes. */
static void send_seg(struct conn *c, uint8_t flags, const uint8_t *opts, size_t olen,
		     const uint8_t *payload, size_t len)
{
	uint8_t frame[1600] = {}, *ip = frame + 14, *tcp;
	size_t iphl = c->v6 ? 40 : 20, tcplen = 20 + olen + len;
	uint32_t sum;
	uint8_t pseudo[40];

	memcpy(frame, c->dmac, 6);
	memcpy(frame + 6, c->smac, 6);
	frame[12] = c->v6 ? 0x86 : 0x08;
	frame[13] = c->v6 ? 0xdd : 0x00;
	if (c->v6) {
		ip[0] = 0x60;
		ip[4] = tcplen >> 8;
		ip[5] = tcplen & 0xff;
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, c->saddr, 16);
		memcpy(ip + 24, c->daddr, 16);
	} else {
		ip[0] = 0x45;
		ip[2] = (iphl + tcplen) >> 8;
		ip[3] = (iphl + tcplen) & 0xff;
		ip[6] = 0x40;	/* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, c->saddr, 4);
		memcpy(ip + 16, c->daddr, 4);
		*(uint16_t *)(ip + 10) = csum_fold(csum_add(0, ip, 20));
	}
	tcp = ip + iphl;
	*(uint16_t *)tcp = htons(c->sport);
	*(uint16_t *)(tcp + 2) = htons(c->dport);
	*(uint32_t *)(tcp + 4) = htonl(c->seq);
	*(uint32_t *)(tcp + 8) = htonl(c->ack);
	tcp[12] = ((20 + olen) / 4) << 4;
	tcp[13] = flags;
	*(uint16_t *)(tcp + 14) = htons(65535);
	memcpy(tcp + 20, opts, olen);
	memcpy(tcp + 20 + olen, payload, len);

	/* pseudo-header */
	if (c->v6) {
		memset(pseudo, 0, sizeof(pseudo));
		memcpy(pseudo, c->saddr, 16);
		memcpy(pseudo + 16, c->daddr, 16);
		pseudo[34] = tcplen >> 8;
		pseudo[35] = tcplen & 0xff;
		pseudo[39] = IPPROTO_TCP;
		sum = csum_add(0, pseudo, 40);
	} else {
		memcpy(pseudo, c->saddr, 4);
		memcpy(pseudo + 4, c->daddr, 4);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_TCP;
		pseudo[10] = tcplen >> 8;
		pseudo[11] = tcplen & 0xff;
		sum = csum_add(0, pseudo, 12);
	}
	*(uint16_t *)(tcp + 16) = csum_fold(csum_add(sum, tcp, tcplen));
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
	uint8_t frame[2048], *ip, *tcp;
	struct timespec t0, t;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		int left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
				      (t.tv_nsec - t0.tv_nsec) / 1000000);

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

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex to bytes, padded with NOPs to a multiple of 4; returns the length. */
static size_t parse_opts(const char *hex, uint8_t *out)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < 40) {
		int hi = hexval(hex[0]), lo = hexval(hex[1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr, "tcp_inject: bad hex: %s\n", hex);
			exit(2);
		}
		out[n++] = hi << 4 | lo;
		hex += 2;
	}
	while (n % 4)
		out[n++] = 1;
	return n;
}

static void parse_mac(const char *s, uint8_t *mac)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
		   &mac[3], &mac[4], &mac[5]) != 6) {
		fprintf(stderr, "tcp_inject: bad MAC %s\n", s);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0x78 };	/* MSS 1400 */
	const char *segs[MAX_SEGS];
	struct sockaddr_ll sll = {};
	struct conn c = {};
	struct ifreq ifr = {};
	int nsegs = 0, rounds = 1, wait_ms = 0, acked = 0, sent = 0, i, r, flags;
	uint8_t payload[PAYLOAD], opts[40];
	uint32_t seq, ack;

	if (argc < 6) {
		fprintf(stderr, "usage: tcp_inject IFNAME SRC DST DST_MAC PORT [-n ROUNDS] [-w MS] [-s OPTHEX]...\n");
		return 2;
	}
	for (i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			wait_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc && nsegs < MAX_SEGS)
			segs[nsegs++] = argv[++i];
		else
			return 2;
	}
	c.v6 = strchr(argv[2], ':');
	if (inet_pton(c.v6 ? AF_INET6 : AF_INET, argv[2], c.saddr) != 1 ||
	    inet_pton(c.v6 ? AF_INET6 : AF_INET, argv[3], c.daddr) != 1) {
		fprintf(stderr, "tcp_inject: bad address\n");
		return 2;
	}
	parse_mac(argv[4], c.dmac);
	c.dport = atoi(argv[5]);
	srandom(getpid());
	c.sport = 20000 + random() % 20000;
	c.seq = random();

	c.fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (c.fd < 0)
		die("packet socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(c.fd, SIOCGIFHWADDR, &ifr))
		die(argv[1]);
	memcpy(c.smac, ifr.ifr_hwaddr.sa_data, 6);
	c.ifindex = if_nametoindex(argv[1]);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = c.ifindex;
	if (bind(c.fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");

	/* handshake */
	for (i = 0; i < 20; i++) {
		send_seg(&c, 0x02, mss, sizeof(mss), NULL, 0);
		flags = recv_seg(&c, 500, &seq, &ack);
		if (flags >= 0 && (flags & 0x12) == 0x12 && ack == c.seq + 1)
			break;
	}
	if (i == 20) {
		fprintf(stderr, "tcp_inject: no SYN-ACK from %s port %d\n", argv[3], c.dport);
		return 1;
	}
	c.seq++;
	c.ack = seq + 1;
	send_seg(&c, 0x10, NULL, 0, NULL, 0);

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nsegs; i++) {
			size_t olen = parse_opts(segs[i], opts);
			uint32_t end = c.seq + PAYLOAD;
			int tries;

			if (sent && wait_ms)
				usleep(wait_ms * 1000);
			memset(payload, 'a' + sent % 26, sizeof(payload));
			for (tries = 0; tries < 5; tries++) {
				send_seg(&c, 0x18, opts, olen, payload, PAYLOAD);
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
