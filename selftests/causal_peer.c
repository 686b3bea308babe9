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
 *
 * CAUSAL_PEER_PATH=P takes messages in and out of the kernel another way
 * than send() and recv(), on every connection of client and server:
 *
 *   sendfile   sendfile() from a memfd out; recv() in
 *   splice     write to a pipe, splice() to the socket; splice() from the
 *              socket to a pipe, read() in
 *   zerocopy   send(MSG_ZEROCOPY), completions reaped; recv() in
 *   uring      io_uring IORING_OP_SEND and IORING_OP_RECV
 *   uring_zc   io_uring IORING_OP_SEND_ZC and IORING_OP_RECV
 *   tls        kernel TLS (AES-GCM-128, a fixed key) both ways
 *   tfo        the client's first message in its SYN (TCP Fast Open,
 *              no cookie), send() and recv() after
 *   zcrecv     getsockopt(TCP_ZEROCOPY_RECEIVE) in (on a mapping of the
 *              socket, its copy buffer for what does not fill pages)
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <linux/errqueue.h>
#include <linux/tcp.h>
#include <linux/tls.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <uapi/linux/causal.h>

#include "genl.h"

#define MSG_SIZE 64

static int nl_fd;
static uint16_t nl_family;
static uint64_t node_id;

enum path { P_SEND, P_SENDFILE, P_SPLICE, P_ZEROCOPY, P_URING, P_URING_ZC, P_TLS,
	    P_TFO, P_ZCRECV };

static const char *const path_names[] = {
	[P_SEND] = "send", [P_SENDFILE] = "sendfile", [P_SPLICE] = "splice",
	[P_ZEROCOPY] = "zerocopy", [P_URING] = "uring", [P_URING_ZC] = "uring_zc",
	[P_TLS] = "tls", [P_TFO] = "tfo", [P_ZCRECV] = "zcrecv",
};

static enum path path;
static struct io_uring ring;
static int pipe_fd[2] = { -1, -1 }, file_fd = -1;
/* tfo: where the client's first message goes, in its SYN */
static struct sockaddr_storage tfo_addr;
static socklen_t tfo_addr_len;
static int tfo_fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "causal_peer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_path(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(path_names) / sizeof(path_names[0]); i++)
		if (!strcmp(name, path_names[i]))
			break;
	if (i == sizeof(path_names) / sizeof(path_names[0])) {
		fprintf(stderr, "causal_peer: unknown path %s\n", name);
		exit(2);
	}
	path = i;
	if ((path == P_URING || path == P_URING_ZC) && (errno = -io_uring_queue_init(8, &ring, 0)))
		die("io_uring_queue_init");
	if ((path == P_SPLICE && pipe(pipe_fd)) ||
	    (path == P_SENDFILE && (file_fd = memfd_create("causal_peer", 0)) < 0))
		die("pipe/memfd");
}

/* One io_uring operation; a zero-copy send's notification reaped too. */
static ssize_t uring_run(int fd, void *buf, size_t len, int op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	struct io_uring_cqe *cqe;
	bool more = false;
	ssize_t res = -EIO;

	if (op == IORING_OP_SEND)
		io_uring_prep_send(sqe, fd, buf, len, 0);
	else if (op == IORING_OP_SEND_ZC)
		io_uring_prep_send_zc(sqe, fd, buf, len, 0, 0);
	else
		io_uring_prep_recv(sqe, fd, buf, len, 0);
	if ((errno = -io_uring_submit(&ring)) > 0)
		die("io_uring_submit");
	do {
		if ((errno = -io_uring_wait_cqe(&ring, &cqe)))
			die("io_uring_wait_cqe");
		if (cqe->flags & IORING_CQE_F_NOTIF) {
			more = false;
		} else {
			res = cqe->res;
			more = cqe->flags & IORING_CQE_F_MORE;
		}
		io_uring_cqe_seen(&ring, cqe);
	} while (more);
	if (res < 0) {
		errno = -res;
		res = -1;
	}
	return res;
}

/* Reap MSG_ZEROCOPY completions, so that they do not pile up. */
static void zerocopy_reap(int fd)
{
	char control[128];
	struct msghdr msg = { .msg_control = control, .msg_controllen = sizeof(control) };

	while (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0)
		msg.msg_controllen = sizeof(control);
}

/* Send all of @buf the path's way. */
static void path_send(int fd, const char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;
	off_t off;

	while (done < len) {
		switch (path) {
		case P_SENDFILE:
			off = done;
			if (pwrite(file_fd, buf, len, 0) != (ssize_t)len)
				die("pwrite");
			n = sendfile(fd, file_fd, &off, len - done);
			break;
		case P_SPLICE:
			if (write(pipe_fd[1], buf + done, len - done) != (ssize_t)(len - done))
				die("write pipe");
			n = splice(pipe_fd[0], NULL, fd, NULL, len - done, 0);
			if (n >= 0 && n != (ssize_t)(len - done)) {
				errno = EMSGSIZE;	/* the pipe would keep the rest */
				n = -1;
			}
			break;
		case P_ZEROCOPY:
			n = send(fd, buf + done, len - done, MSG_ZEROCOPY);
			zerocopy_reap(fd);
			break;
		case P_URING:
		case P_URING_ZC:
			n = uring_run(fd, (char *)buf + done, len - done,
				      path == P_URING ? IORING_OP_SEND : IORING_OP_SEND_ZC);
			break;
		default:
			if (fd == tfo_fd) {
				n = sendto(fd, buf + done, len - done, MSG_FASTOPEN,
					   (struct sockaddr *)&tfo_addr, tfo_addr_len);
				tfo_fd = -1;
			} else {
				n = send(fd, buf + done, len - done, 0);
			}
		}
		if (n <= 0)
			die("send");
		done += n;
	}
}

/* Take a read's worth through TCP_ZEROCOPY_RECEIVE, up to @len bytes. */
static ssize_t zc_recv(int fd, char *buf, size_t len)
{
	static void *map;
	const size_t map_len = 1 << 20;
	struct tcp_zerocopy_receive zc;
	socklen_t zlen = sizeof(zc);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (!map) {
		map = mmap(NULL, map_len, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			die("mmap socket");
	}
	if (poll(&p, 1, -1) < 0)
		die("poll");
	memset(&zc, 0, sizeof(zc));
	zc.address = (uintptr_t)map;
	zc.length = len & ~4095UL;
	zc.copybuf_address = (uintptr_t)buf;
	zc.copybuf_len = len;
	if (getsockopt(fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &zlen))
		return -1;
	if (zc.err) {
		errno = -zc.err;
		return -1;
	}
	if (zc.length) {
		memcpy(buf, map, zc.length);
		madvise(map, zc.length, MADV_DONTNEED);
	}
	return zc.length + (zc.copybuf_len > 0 ? zc.copybuf_len : 0);
}

/* Fill all of @buf the path's way; 0 at the end of the stream. */
static ssize_t path_recv(int fd, char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		switch (path) {
		case P_SPLICE:
			n = splice(fd, NULL, pipe_fd[1], NULL, len - done, 0);
			if (n > 0 && read(pipe_fd[0], buf + done, n) != n)
				die("read pipe");
			break;
		case P_URING:
		case P_URING_ZC:
			n = uring_run(fd, buf + done, len - done, IORING_OP_RECV);
			break;
		case P_ZCRECV:
			n = zc_recv(fd, buf + done, len - done);
			break;
		default:
			n = recv(fd, buf + done, len - done, 0);
		}
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* Kernel TLS both ways, from a key both ends know. */
static void tls_on(int fd)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_2_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	memset(ci.key, 0x5a, sizeof(ci.key));
	memset(ci.iv, 0x3c, sizeof(ci.iv));
	memset(ci.salt, 0x7e, sizeof(ci.salt));
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(fd, SOL_TLS, TLS_TX, &ci, sizeof(ci)) ||
	    setsockopt(fd, SOL_TLS, TLS_RX, &ci, sizeof(ci)))
		die("kernel TLS");
}

/* What a connection needs before its first message. */
static int path_conn(int fd)
{
	int one = 1;

	if (path == P_TLS)
		tls_on(fd);
	if (path == P_ZEROCOPY && setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
		die("SO_ZEROCOPY");
	return fd;
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
	uint64_t after = wall_ns(), clock;
	int attr = !strcmp(op, "send") ? CAUSAL_A_SOCK_LAST_SEND : CAUSAL_A_SOCK_LAST_RECV;

	/*
	 * A connection the module keeps in 64 bytes shows its last events
	 * only while its node counts per socket; its clock is its last
	 * event's, this one's, as nothing else happens on it meanwhile.
	 */
	clock = sock_attr(fd, attr) ?: sock_attr(fd, CAUSAL_A_SOCK_CLOCK);
	printf("{\"tag\":\"%s\",\"dir\":\"%s\",\"op\":\"%s\",\"msg\":%d,\"clock\":%" PRIu64
	       ",\"node\":\"%016" PRIx64 "\",\"wall_before\":%" PRIu64 ",\"wall_after\":%" PRIu64
	       "}\n", tag, dir, op, msg, clock, node_id, before, after);
	fflush(stdout);
}

static void send_msg(int fd, const char *tag, const char *dir, int i)
{
	char buf[MSG_SIZE] = {};
	uint64_t before = wall_ns();

	snprintf(buf, sizeof(buf), "%s %s %d", tag, dir, i);
	path_send(fd, buf, sizeof(buf));
	record(fd, tag, dir, "send", i, before);
}

static void recv_msg(int fd, const char *tag, const char *dir, int i)
{
	char buf[MSG_SIZE], want[MSG_SIZE] = {};
	uint64_t before = wall_ns();
	ssize_t n = path_recv(fd, buf, sizeof(buf));

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

/*
 * A socket of @family connected to @sa, or, for tfo, not yet: its first
 * send carries the address (and the message rides in the SYN).
 */
static int connect_sa(int family, const struct sockaddr *sa, socklen_t len)
{
	int one = 1, fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (path == P_TFO) {
		if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, &one, sizeof(one)))
			die("TCP_FASTOPEN_NO_COOKIE");
		memcpy(&tfo_addr, sa, len);
		tfo_addr_len = len;
		tfo_fd = fd;
		return fd;
	}
	if (!connect(fd, sa, len))
		return path_conn(fd);
	close(fd);
	return -1;
}

static int connect_to(const char *addr, int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
			fd = connect_sa(AF_INET, (struct sockaddr *)&a4, sizeof(a4));
		} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
			fd = connect_sa(AF_INET6, (struct sockaddr *)&a6, sizeof(a6));
		} else {
			fprintf(stderr, "causal_peer: bad address %s\n", addr);
			exit(2);
		}
		if (fd >= 0)
			return fd;
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
	if (path == P_TFO &&
	    (setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &one, sizeof(one)) ||
	     setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, &one, sizeof(one))))
		die("TCP_FASTOPEN");
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1))
		die("bind/listen");
	fprintf(stderr, "causal_peer: listening on %d\n", port);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(lfd);
	return path_conn(fd);
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
	if (getenv("CAUSAL_PEER_PATH"))
		set_path(getenv("CAUSAL_PEER_PATH"));

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
