// SPDX-License-Identifier: GPL-2.0
/*
 * causal_peer - a TCP client, server or relay for causal's tests that logs,
 * after every send and every receive, the clock the module recorded for it
 * (sock-get on the socket's cookie).  One JSON object per line:
 *
 *   {"tag":"ab","dir":"req","op":"send","msg":3,"clock":41,"node":"…",
 *    "wall_before":…,"wall_after":…}
 *
 * tag names the connection, dir says request or response, so a checker can
 * pair each send with the receive of the same message.  wall_before/after
 * bracket the event with CLOCK_REALTIME, for HLC bounds.
 *
 *   causal_peer client ADDR PORT TAG COUNT
 *   causal_peer server PORT TAG COUNT [RELAY_ADDR RELAY_PORT RELAY_TAG]
 *   causal_peer source ADDR PORT BYTES     (bulk, 64 KiB writes; no log)
 *   causal_peer sink PORT                  (reads until EOF, prints bytes)
 *
 * ADDR is IPv4 or IPv6.  Messages are MSG_SIZE bytes; each is one send.  A
 * socket causal does not track logs clock 0.  CAUSAL_PEER_HOLD=S keeps the
 * connection open S seconds after the exchange.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uapi/linux/causal.h>

#include "genl.h"

#define MSG_SIZE 64

static int nl_fd;
static uint16_t nl_family;
static uint64_t node_id;

static void die(const char *what)
{
	fprintf(stderr, "causal_peer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The u64 attribute @type of the module's record of socket @fd. */
static uint64_t sock_attr(int fd, int type)
{
	socklen_t len = sizeof(uint64_t);
	struct genl_reply r;
	struct genl_msg m;
	struct nlattr *a;
	uint64_t cookie, v = 0;
	int alen, rem;

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len))
		die("SO_COOKIE");
	genl_msg_init(&m, nl_family, CAUSAL_CMD_SOCK_GET, 0, CAUSAL_FAMILY_VERSION);
	genl_put(&m, CAUSAL_A_SOCK_COOKIE, &cookie, sizeof(cookie));
	if (genl_transact(nl_fd, &m, &r))
		die("sock-get");
	if (r.error == -ENOENT)
		return 0;	/* not tracked: outside the attached cgroup, or at the cap */
	if (r.error) {
		fprintf(stderr, "causal_peer: sock-get %" PRIu64 ": %s (%s)\n", cookie,
			strerror(-r.error), r.extack);
		exit(1);
	}
	genl_for_each_attr(a, genl_reply_attrs(&r, &alen), alen, rem)
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			memcpy(&v, genl_attr_data(a), sizeof(v));
	return v;
}

static void status_node(void)
{
	struct genl_reply r;
	struct genl_msg m;
	struct nlattr *a;
	int alen, rem;

	genl_msg_init(&m, nl_family, CAUSAL_CMD_STATUS_GET, 0, CAUSAL_FAMILY_VERSION);
	if (genl_transact(nl_fd, &m, &r) || r.error)
		die("status-get");
	genl_for_each_attr(a, genl_reply_attrs(&r, &alen), alen, rem)
		if ((a->nla_type & NLA_TYPE_MASK) == CAUSAL_A_STATUS_NODE_ID)
			memcpy(&node_id, genl_attr_data(a), sizeof(node_id));
}

static void record(int fd, const char *tag, const char *dir, const char *op,
		   int msg, uint64_t before)
{
	uint64_t after = wall_ns();
	int attr = !strcmp(op, "send") ? CAUSAL_A_SOCK_LAST_SEND : CAUSAL_A_SOCK_LAST_RECV;

	printf("{\"tag\":\"%s\",\"dir\":\"%s\",\"op\":\"%s\",\"msg\":%d,\"clock\":%" PRIu64
	       ",\"node\":\"%016" PRIx64 "\",\"wall_before\":%" PRIu64 ",\"wall_after\":%" PRIu64
	       "}\n", tag, dir, op, msg, sock_attr(fd, attr), node_id, before, after);
	fflush(stdout);
}

static void send_msg(int fd, const char *tag, const char *dir, int i)
{
	char buf[MSG_SIZE] = {};
	uint64_t before = wall_ns();

	snprintf(buf, sizeof(buf), "%s %s %d", tag, dir, i);
	if (send(fd, buf, sizeof(buf), 0) != sizeof(buf))
		die("send");
	record(fd, tag, dir, "send", i, before);
}

static void recv_msg(int fd, const char *tag, const char *dir, int i)
{
	char buf[MSG_SIZE], want[MSG_SIZE] = {};
	uint64_t before = wall_ns();
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_WAITALL);

	if (n != sizeof(buf)) {
		errno = n < 0 ? errno : EPIPE;
		die("recv");
	}
	record(fd, tag, dir, "recv", i, before);
	/* The payload must arrive as sent, stamped or not. */
	snprintf(want, sizeof(want), "%s %s %d", tag, dir, i);
	if (memcmp(buf, want, sizeof(buf))) {
		fprintf(stderr, "causal_peer: message %d on %s: payload corrupted\n", i, tag);
		exit(1);
	}
}

static int connect_to(const char *addr, int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
			fd = socket(AF_INET, SOCK_STREAM, 0);
			if (!connect(fd, (struct sockaddr *)&a4, sizeof(a4)))
				return fd;
		} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
			fd = socket(AF_INET6, SOCK_STREAM, 0);
			if (!connect(fd, (struct sockaddr *)&a6, sizeof(a6)))
				return fd;
		} else {
			fprintf(stderr, "causal_peer: bad address %s\n", addr);
			exit(2);
		}
		close(fd);
		usleep(50000);	/* the server may not listen yet */
	}
	die("connect");
	return -1;
}

static int accept_one(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int one = 1, lfd, fd;

	lfd = socket(AF_INET6, SOCK_STREAM, 0);	/* dual stack: v4-mapped too */
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1))
		die("bind/listen");
	fprintf(stderr, "causal_peer: listening on %d\n", port);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(lfd);
	return fd;
}

int main(int argc, char **argv)
{
	int i, count, fd, up = -1;

	nl_fd = genl_open(CAUSAL_FAMILY_NAME, &nl_family);
	if (nl_fd < 0) {
		errno = -nl_fd;
		die("causal family");
	}
	status_node();

	if (argc == 6 && !strcmp(argv[1], "client")) {
		count = atoi(argv[5]);
		fd = connect_to(argv[2], atoi(argv[3]));
		for (i = 0; i < count; i++) {
			send_msg(fd, argv[4], "req", i);
			recv_msg(fd, argv[4], "rsp", i);
		}
	} else if ((argc == 5 || argc == 8) && !strcmp(argv[1], "server")) {
		count = atoi(argv[4]);
		fd = accept_one(atoi(argv[2]));
		for (i = 0; i < count; i++) {
			recv_msg(fd, argv[3], "req", i);
			if (argc == 8) {
				if (up < 0)
					up = connect_to(argv[5], atoi(argv[6]));
				send_msg(up, argv[7], "req", i);
				recv_msg(up, argv[7], "rsp", i);
			}
			send_msg(fd, argv[3], "rsp", i);
		}
	} else if (argc == 5 && !strcmp(argv[1], "source")) {
		static char chunk[65536];
		long long left = atoll(argv[4]);

		fd = connect_to(argv[2], atoi(argv[3]));
		memset(chunk, 'x', sizeof(chunk));
		while (left > 0) {
			ssize_t n = send(fd, chunk, left < (long long)sizeof(chunk) ?
					 (size_t)left : sizeof(chunk), 0);

			if (n <= 0)
				die("send");
			left -= n;
		}
	} else if (argc == 3 && !strcmp(argv[1], "sink")) {
		static char chunk[65536];
		long long total = 0;
		ssize_t n;

		fd = accept_one(atoi(argv[2]));
		while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
			total += n;
		printf("%lld\n", total);
		return 0;
	} else {
		fprintf(stderr, "usage: causal_peer client ADDR PORT TAG COUNT\n"
			"       causal_peer server PORT TAG COUNT [RELAY_ADDR RELAY_PORT RELAY_TAG]\n"
			"       causal_peer source ADDR PORT BYTES\n"
			"       causal_peer sink PORT\n");
		return 2;
	}
	if (getenv("CAUSAL_PEER_HOLD"))
		sleep(atoi(getenv("CAUSAL_PEER_HOLD")));
	/* Let the last segments be acknowledged before the socket goes. */
	shutdown(fd, SHUT_WR);
	while (recv(fd, &i, sizeof(i), 0) > 0)
		;
	return 0;
}
