// SPDX-License-Identifier: GPL-2.0
/*
 * causal_rr - a TCP request/response load: many connections, each sending a
 * request of SIZE bytes and waiting for a response of the same size before
 * the next one.  One thread, epoll, on both sides.
 *
 *   causal_rr server PORT
 *   causal_rr client ADDR PORT CONNS SIZE SECONDS [PAUSE_MS [OMIT]]
 *   causal_rr hold ADDR PORT CONNS
 *
 * The server answers every complete request with SIZE bytes (it learns SIZE
 * from the first byte of each connection's first request: the client sends
 * it as a header on connect).  The client prints "TRANSACTIONS SECONDS
 * TRANSACTIONS_PER_SECOND ALL" and exits non-zero on any error, so that a
 * benchmark never reports a rate from a broken run.  PAUSE_MS paces it: a
 * pause after each round of events, for traffic that flows without taking
 * a CPU.  OMIT seconds of traffic come first, not counted but in ALL (with
 * thousands of connections, the first round of requests all leave at once
 * and the server accepts what it has not yet: not the steady state).
 * SIGTERM ends a client early, as if its time were up; SIGUSR1 makes it
 * print the same line for the time so far, and go on.
 *
 * hold opens CONNS connections, makes one 1-byte transaction on each, prints
 * "ready" and keeps them open until killed.  Connections of both end with a
 * reset, so that no TIME_WAIT socket outlives them (memory measurements).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE	65536
#define MAX_CONNS	65536

struct conn {
	int fd;
	uint32_t size;		/* request and response size */
	uint32_t done;		/* bytes of the current message moved so far */
	int sending;		/* client: sending the request (else reading) */
	int have_size;		/* server: read the 4-byte size header */
	uint8_t hdr[4];
	uint32_t hdr_done;
};

static uint8_t buf[MAX_SIZE];
static volatile sig_atomic_t stopping, reporting;

static void stop(int sig)
{
	stopping = 1;
}

static void report(int sig)
{
	reporting = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "causal_rr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
}

static void ep_add(int ep, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl");
}

static void ep_mod(int ep, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev))
		die("epoll_ctl");
}

/* Server side of one readable connection: 0 to keep it, -1 to drop it. */
static int serve(struct conn *c)
{
	ssize_t n;

	if (!c->have_size) {
		n = read(c->fd, c->hdr + c->hdr_done, 4 - c->hdr_done);
		if (n <= 0)
			return n < 0 && errno == EAGAIN ? 0 : -1;
		c->hdr_done += n;
		if (c->hdr_done < 4)
			return 0;
		memcpy(&c->size, c->hdr, 4);
		c->size = ntohl(c->size);
		if (!c->size || c->size > MAX_SIZE)
			return -1;
		c->have_size = 1;
	}
	for (;;) {
		n = read(c->fd, buf, c->size - c->done);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (n == 0)
			return -1;
		c->done += n;
		if (c->done < c->size)
			continue;
		c->done = 0;
		/* responses are small: one write, blocking if it must */
		if (write(c->fd, buf, c->size) != (ssize_t)c->size)
			return -1;
	}
}

static void __attribute__((noreturn)) server(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct epoll_event evs[64];
	int ls, ep, one = 1, i, n;
	struct conn lc = { 0 };

	ls = socket(AF_INET6, SOCK_STREAM, 0);
	if (ls < 0)
		die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4096))
		die("bind/listen");
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	lc.fd = ls;
	ep_add(ep, ls, EPOLLIN, &lc);
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == &lc) {
				int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);

				if (fd < 0)
					continue;
				nodelay(fd);
				c = calloc(1, sizeof(*c));
				if (!c)
					die("calloc");
				c->fd = fd;
				ep_add(ep, fd, EPOLLIN, c);
				continue;
			}
			if (serve(c)) {
				close(c->fd);
				free(c);
			}
		}
	}
}

static void report_line(unsigned long long total, double secs, unsigned long long omitted)
{
	printf("%llu %.3f %.0f %llu\n", total, secs, secs > 0 ? total / secs : 0, total + omitted);
}

/* Client side: move the connection on; returns transactions completed. */
static int step(int ep, struct conn *c)
{
	int done = 0;
	ssize_t n;

	for (;;) {
		if (c->sending) {
			n = write(c->fd, buf, c->size - c->done);
			if (n < 0 && errno == EAGAIN) {
				ep_mod(ep, c->fd, EPOLLOUT, c);
				return done;
			}
			if (n <= 0)
				die("write");
			c->done += n;
			if (c->done < c->size)
				continue;
			c->done = 0;
			c->sending = 0;
			ep_mod(ep, c->fd, EPOLLIN, c);
		}
		n = read(c->fd, buf, c->size - c->done);
		if (n < 0 && errno == EAGAIN)
			return done;
		if (n <= 0) {
			errno = n ? errno : ECONNRESET;
			die("read");
		}
		c->done += n;
		if (c->done < c->size)
			continue;
		c->done = 0;
		c->sending = 1;
		done++;
	}
}

/* A connection to @addr, @port that announced @size: its socket. */
static int dial(const char *addr, int port, uint32_t size)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int v4 = inet_pton(AF_INET, addr, &a4.sin_addr) == 1;
	uint32_t hdr = htonl(size);
	int fd;

	if (!v4 && inet_pton(AF_INET6, addr, &a6.sin6_addr) != 1) {
		fprintf(stderr, "causal_rr: bad address %s\n", addr);
		exit(2);
	}
	fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (v4 ? connect(fd, (struct sockaddr *)&a4, sizeof(a4)) :
		 connect(fd, (struct sockaddr *)&a6, sizeof(a6)))
		die("connect");
	nodelay(fd);
	if (write(fd, &hdr, 4) != 4)
		die("write");
	return fd;
}

static int check_args(int conns, int size, double secs)
{
	if (conns < 1 || conns > MAX_CONNS || size < 1 || size > MAX_SIZE || secs <= 0) {
		fprintf(stderr, "causal_rr: CONNS 1..%d, SIZE 1..%d, SECONDS > 0\n",
			MAX_CONNS, MAX_SIZE);
		return -1;
	}
	return 0;
}

/* Make close() end the connection with a reset: no TIME_WAIT left behind. */
static void reset_on_close(int fd)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)))
		die("SO_LINGER");
}

static int hold(const char *addr, int port, int conns)
{
	uint8_t b = 'h';
	int i, fd;

	if (check_args(conns, 1, 1))
		return 2;
	for (i = 0; i < conns; i++) {
		fd = dial(addr, port, 1);
		if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1)
			die("transaction");
		reset_on_close(fd);
	}
	printf("ready %d\n", conns);
	fflush(stdout);
	for (;;)
		pause();
}

static int client(const char *addr, int port, int conns, int size, double secs, int pause_ms,
		  double omit)
{
	struct epoll_event evs[64];
	unsigned long long total = 0, omitted = 0;
	struct conn *cs;
	double t0, t1;
	int ep, i, n, counting = omit <= 0;

	if (check_args(conns, size, secs))
		return 2;
	if (omit < 0) {
		fprintf(stderr, "causal_rr: OMIT >= 0\n");
		return 2;
	}
	cs = calloc(conns, sizeof(*cs));
	ep = epoll_create1(0);
	if (!cs || ep < 0)
		die("setup");
	memset(buf, 'r', sizeof(buf));
	signal(SIGTERM, stop);
	signal(SIGUSR1, report);
	for (i = 0; i < conns; i++) {
		struct conn *c = &cs[i];

		c->fd = dial(addr, port, size);
		c->size = size;
		c->sending = 1;
		if (fcntl(c->fd, F_SETFL, O_NONBLOCK))
			die("fcntl");
		ep_add(ep, c->fd, EPOLLOUT, c);
	}
	t0 = now();
	do {
		n = epoll_wait(ep, evs, 64, 100);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++)
			total += step(ep, evs[i].data.ptr);
		if (pause_ms)
			usleep(pause_ms * 1000);
		t1 = now();
		if (!counting && t1 - t0 >= omit) {
			counting = 1;
			omitted = total;
			total = 0;
			t0 = t1;
		}
		if (reporting) {
			reporting = 0;
			report_line(total, t1 - t0, omitted);
			fflush(stdout);
		}
	} while (!(counting && t1 - t0 >= secs) && !stopping);
	for (i = 0; i < conns; i++) {
		reset_on_close(cs[i].fd);
		close(cs[i].fd);
	}
	report_line(total, t1 - t0, omitted);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		server(atoi(argv[2]));
	if (argc >= 7 && argc <= 9 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
			      atof(argv[6]), argc >= 8 ? atoi(argv[7]) : 0,
			      argc == 9 ? atof(argv[8]) : 0);
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return hold(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: causal_rr server PORT\n"
		"       causal_rr client ADDR PORT CONNS SIZE SECONDS [PAUSE_MS [OMIT]]\n"
		"       causal_rr hold ADDR PORT CONNS\n");
	return 2;
}
