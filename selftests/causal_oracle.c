// SPDX-License-Identifier: GPL-2.0
/*
 * causal_oracle - a randomized workload that knows its own causality, and
 * the checker that holds causal's vector clocks to it.
 *
 *   causal_oracle run [-n NODES] [-t THREADS] [-m MSGS] [-s SEED] [-6]
 *                     [-P tcp|udp|mixed] [-p PORT] -N NSPREFIX -o DIR
 *   causal_oracle check [-S socket|thread] [-x MIN_EXACT_PERCENT] DIR
 *
 * run: NODES processes, each in network namespace NSPREFIX<i> (reached at
 * 10.77.0.<i+1> or fd00:77::<i+1>), each with THREADS threads.  Over TCP,
 * every thread connects to every other node and accepted connections are
 * dealt out to the threads; over UDP, every thread has a socket of its own
 * (port PORT+1+thread) and sends datagrams to any other thread.  Each thread
 * sends MSGS messages of its own to random destinations, reads whatever
 * arrives (TCP in random-sized pieces), and relays messages that still have
 * hops left to one or two random destinations.  Some TCP sends are
 * preceded by an empty one, an event whose stamp never leaves.
 * After every send and receive it asks causal for the socket's vector clock
 * (sock-get) and logs the operation, its clock, and the messages whose bytes
 * it read: the ground truth.  The run ends when every thread has sent its
 * messages and none is in flight.
 *
 * check: rebuilds happened-before from the logs (program order per thread,
 * or per socket with -S socket, plus message edges), closes it transitively,
 * and compares it with what compare answers from the logged clocks and their
 * participants (causal_vec_order_own()) over every pair of operations, and
 * with what the vectors alone prove (causal_vec_order()).  A
 * "before"/"after" that is false, a "concurrent" or "equal" that is false:
 * errors.  "unknown" (lossy clocks) is counted.
 * Exit status 1 on any error or when fewer pairs than MIN_EXACT_PERCENT
 * were answered exactly.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <causal/vclock.h>
#include <uapi/linux/causal.h>

#include "genl.h"

#define MAX_NODES	8
#define MAX_THREADS	4
#define MAX_FDS		(MAX_NODES * MAX_THREADS * 2)
#define MSG_LEN		32
#define MSG_MAGIC	0xCA5A0123u
#define MAX_EDGES	8

struct msg {
	uint32_t magic;
	uint16_t node, thread;
	uint32_t op;		/* index of the send among the sender's operations */
	uint32_t hops;		/* relays left */
	uint8_t pad[16];
};

/* One operation: its kind, socket, clock, and the messages it read. */
struct op {
	char kind;			/* 's' send, 'r' receive */
	int sock;			/* index among the thread's sockets */
	int nedges;
	struct { uint16_t node, thread; uint32_t op; } edge[MAX_EDGES];
	struct causal_vec v;
	struct causal_vent e[CAUSAL_VEC_WIDTH_MAX];
	uint64_t own;			/* the participant of the socket's latest event */
};

struct shared {
	atomic_int listening;		/* nodes listening */
	atomic_int connected;		/* nodes with all connections made */
	atomic_int inflight;		/* messages sent and not read whole */
	atomic_int busy;		/* threads still sending their own */
	atomic_int failed;
};

static struct shared *sh;

/* Wait until @ctr reaches @n (or something failed). */
static void barrier_wait(atomic_int *ctr, int n)
{
	atomic_fetch_add(ctr, 1);
	while (atomic_load(ctr) < n && !atomic_load(&sh->failed))
		usleep(1000);
}
static int nodes = 3, threads = 2, msgs = 20, port = 7100, ipv6;
static bool use_tcp = true, use_udp;
static unsigned int seed = 1;
static const char *nsprefix, *outdir;

struct conn {
	int fd;
	uint64_t cookie;
	uint64_t rx;			/* stream bytes received */
	uint8_t cur[MSG_LEN];		/* the message being received */
	int pending[MSG_LEN];		/* receive ops that read part of it */
	int npending;
};

struct worker {
	int node, thread;
	unsigned int rnd;
	struct conn conn[MAX_FDS];
	int nconn;		/* TCP connections, then the UDP socket if any */
	int udp;		/* index of the UDP socket in conn, or -1 */
	int ndest;		/* destinations: TCP connections, then UDP peers */
	struct op *ops;
	int nops, cap;
	int nl_fd;
	uint16_t family;
};

#define fail(...) do {							\
	fprintf(stderr, "causal_oracle: " __VA_ARGS__);			\
	atomic_store(&sh->failed, 1);					\
} while (0)

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return rand_r(&w->rnd) % n;
}

/* The socket's vector clock, from sock-get. */
static int get_vector(struct worker *w, struct conn *c, struct op *o)
{
	struct nlattr *a, *b;
	struct genl_reply r;
	struct genl_msg m;
	int alen, rem, blen, brem;

	o->v.width = CAUSAL_VEC_WIDTH_MAX;
	o->v.len = 0;
	o->v.lossy = 0;
	o->own = 0;
	genl_msg_init(&m, w->family, CAUSAL_CMD_SOCK_GET, 0, CAUSAL_FAMILY_VERSION);
	genl_put(&m, CAUSAL_A_SOCK_COOKIE, &c->cookie, sizeof(c->cookie));
	if (genl_transact(w->nl_fd, &m, &r) || r.error) {
		fail("sock-get: %s\n", r.extack[0] ? r.extack : strerror(-r.error));
		return -1;
	}
	genl_for_each_attr(a, genl_reply_attrs(&r, &alen), alen, rem) {
		uint64_t id = 0;
		uint32_t n = 0;

		if (a->nla_type == CAUSAL_A_SOCK_VECTOR_LOSSY)
			o->v.lossy = 1;
		if (a->nla_type == CAUSAL_A_SOCK_VECTOR_ID)
			memcpy(&o->own, genl_attr_data(a), 8);
		if ((a->nla_type & NLA_TYPE_MASK) != CAUSAL_A_SOCK_VECTOR)
			continue;
		blen = a->nla_len - NLA_HDRLEN;
		genl_for_each_attr(b, (struct nlattr *)genl_attr_data(a), blen, brem) {
			if (b->nla_type == CAUSAL_A_VENT_ID)
				memcpy(&id, genl_attr_data(b), 8);
			else if (b->nla_type == CAUSAL_A_VENT_COUNT)
				memcpy(&n, genl_attr_data(b), 4);
		}
		if (o->v.len < CAUSAL_VEC_WIDTH_MAX) {
			o->e[o->v.len].id = id;
			o->e[o->v.len].n = n;
			o->v.len++;
		}
	}
	return 0;
}

static struct op *new_op(struct worker *w, char kind, int sock)
{
	struct op *o;

	if (w->nops == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->ops = realloc(w->ops, w->cap * sizeof(*w->ops));
		if (!w->ops) {
			fail("out of memory\n");
			exit(1);
		}
	}
	o = &w->ops[w->nops];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->sock = sock;
	return o;
}

static int node_addr(int node, int port_, struct sockaddr_storage *ss, socklen_t *len);

/* Send a new message to destination @d: a TCP connection or a UDP peer. */
static void send_msg(struct worker *w, int d, uint32_t hops)
{
	struct msg m = {
		.magic = MSG_MAGIC, .node = w->node, .thread = w->thread,
		.op = w->nops, .hops = hops,
	};
	int ci = d < w->udp || w->udp < 0 ? d : w->udp;
	struct conn *c = &w->conn[ci];
	struct op *o = new_op(w, 's', ci);
	struct sockaddr_storage ss;
	socklen_t sl;
	ssize_t n;

	atomic_fetch_add(&sh->inflight, 1);
	if (ci == w->udp) {
		/* UDP peers: every (node, thread) but this one */
		int peer = d - w->udp, pn, pt;

		if (peer >= w->node * threads + w->thread)
			peer++;
		pn = peer / threads;
		pt = peer % threads;
		node_addr(pn, port + 1 + pt, &ss, &sl);
		n = sendto(c->fd, &m, sizeof(m), 0, (void *)&ss, sl);
	} else {
		/*
		 * Now and then an empty send first: an event that puts no
		 * bytes on the wire, so its stamp never leaves.
		 */
		if (!rnd(w, 5) && send(c->fd, &m, 0, 0) < 0)
			fail("empty send: %s\n", strerror(errno));
		n = send(c->fd, &m, sizeof(m), 0);
	}
	if (n != sizeof(m)) {
		fail("node %d thread %d: send: %s\n", w->node, w->thread, strerror(errno));
		return;
	}
	get_vector(w, c, o);
	w->nops++;
}

/* A message arrived whole: relay it if it has hops left. */
static void deliver(struct worker *w, const struct msg *m)
{
	int i, fan;

	if (m->magic != MSG_MAGIC) {
		fail("node %d thread %d: garbled message\n", w->node, w->thread);
		return;
	}
	if (m->hops && w->ndest) {
		fan = 1 + rnd(w, 2);
		for (i = 0; i < fan; i++)
			send_msg(w, rnd(w, w->ndest), m->hops - 1);
	}
	atomic_fetch_sub(&sh->inflight, 1);
}

/* A datagram: one whole message, one operation.  Return: bytes, or <= 0. */
static ssize_t recv_datagram(struct worker *w, int ci)
{
	struct conn *c = &w->conn[ci];
	struct msg m;
	struct op *o;
	ssize_t got;

	got = recv(c->fd, &m, sizeof(m), MSG_DONTWAIT);
	if (got < 0) {
		if (errno != EAGAIN)
			fail("recv: %s\n", strerror(errno));
		return got;
	}
	if (got != sizeof(m)) {
		fail("node %d thread %d: datagram of %zd bytes\n", w->node, w->thread, got);
		return -1;
	}
	o = new_op(w, 'r', ci);
	get_vector(w, c, o);
	o->edge[0].node = m.node;
	o->edge[0].thread = m.thread;
	o->edge[0].op = m.op;
	o->nedges = 1;
	w->nops++;
	deliver(w, &m);
	return got;
}

/* Some bytes of a stream, one operation.  Return: bytes, or <= 0. */
static ssize_t recv_some(struct worker *w, int ci)
{
	struct conn *c = &w->conn[ci];
	uint8_t buf[4 * MSG_LEN];
	size_t want = 1 + rnd(w, sizeof(buf));
	ssize_t got, i;
	struct op *o;
	int opi = w->nops, k;

	got = recv(c->fd, buf, want, MSG_DONTWAIT);
	if (got <= 0) {
		if (got < 0 && errno != EAGAIN)
			fail("recv: %s\n", strerror(errno));
		return got;
	}
	o = new_op(w, 'r', ci);
	get_vector(w, c, o);
	w->nops++;
	for (i = 0; i < got; i++) {
		size_t off = c->rx++ % MSG_LEN;

		if (off == 0)
			c->npending = 0;
		if (!c->npending || c->pending[c->npending - 1] != opi) {
			c->pending[c->npending++] = opi;
		}
		c->cur[off] = buf[i];
		if (off == MSG_LEN - 1) {
			struct msg m;

			memcpy(&m, c->cur, sizeof(m));
			for (k = 0; k < c->npending; k++) {
				struct op *r = &w->ops[c->pending[k]];

				if (r->nedges == MAX_EDGES) {
					fail("too many messages in one read\n");
					return -1;
				}
				r->edge[r->nedges].node = m.node;
				r->edge[r->nedges].thread = m.thread;
				r->edge[r->nedges].op = m.op;
				r->nedges++;
			}
			deliver(w, &m);
		}
	}
	return got;
}

static void conn_add(struct worker *w, int fd)
{
	struct conn *c = &w->conn[w->nconn++];
	socklen_t len = sizeof(c->cookie);

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c->cookie, &len))
		fail("SO_COOKIE: %s\n", strerror(errno));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd[MAX_FDS];
	int own = msgs, i, done = 0, idle = 0, busy;

	w->nl_fd = genl_open(CAUSAL_FAMILY_NAME, &w->family);
	if (w->nl_fd < 0) {
		fail("no causal genetlink family\n");
		return NULL;
	}
	while (!atomic_load(&sh->failed)) {
		if (own && rnd(w, 4) == 0) {
			send_msg(w, rnd(w, w->ndest), rnd(w, 4));
			if (!--own) {
				atomic_fetch_sub(&sh->busy, 1);
				done = 1;
			}
		}
		for (i = 0; i < w->nconn; i++) {
			pfd[i].fd = w->conn[i].fd;
			pfd[i].events = POLLIN;
		}
		busy = poll(pfd, w->nconn, 2);
		if (busy < 0)
			break;
		for (i = 0; i < w->nconn; i++)
			if (pfd[i].revents & POLLIN) {
				/* drain it, as an event loop would */
				if (i == w->udp)
					while (recv_datagram(w, i) > 0)
						;
				else
					while (recv_some(w, i) > 0)
						;
			}
		if (done && !atomic_load(&sh->busy) && !atomic_load(&sh->inflight))
			break;
		/* A datagram may be lost: give up waiting after 3 s of quiet. */
		idle = busy ? 0 : idle + 1;
		if (done && !atomic_load(&sh->busy) && idle > 1500)
			break;
	}
	if (!done)
		atomic_fetch_sub(&sh->busy, 1);
	return NULL;
}

static int node_addr(int node, int port_, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (ipv6) {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port_);
		s6->sin6_addr.s6_addr[0] = 0xfd;
		s6->sin6_addr.s6_addr[2] = 0x00;
		s6->sin6_addr.s6_addr[3] = 0x77;
		s6->sin6_addr.s6_addr[15] = node + 1;
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port_);
		s4->sin_addr.s_addr = htonl(0x0a4d0001 + node);
		*len = sizeof(*s4);
	}
	return 0;
}

static int write_log(struct worker *w)
{
	char path[512];
	FILE *f;
	int i, k;

	snprintf(path, sizeof(path), "%s/%d.%d.log", outdir, w->node, w->thread);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (i = 0; i < w->nops; i++) {
		struct op *o = &w->ops[i];

		fprintf(f, "%c %d %d %" PRIx64 " %d", o->kind, o->sock, o->v.lossy, o->own,
			o->v.len);
		for (k = 0; k < o->v.len; k++)
			fprintf(f, " %" PRIx64 ":%u", (uint64_t)o->e[k].id, o->e[k].n);
		fprintf(f, " | %d", o->nedges);
		for (k = 0; k < o->nedges; k++)
			fprintf(f, " %u.%u.%u", o->edge[k].node, o->edge[k].thread, o->edge[k].op);
		fputc('\n', f);
	}
	return fclose(f);
}

static int node_main(int node)
{
	struct worker w[MAX_THREADS] = {};
	pthread_t tid[MAX_THREADS];
	struct sockaddr_storage ss;
	socklen_t sl;
	char path[256];
	int lfd, fd, i, j, nsfd, one = 1, incoming;

	snprintf(path, sizeof(path), "/run/netns/%s%d", nsprefix, node);
	nsfd = open(path, O_RDONLY);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
		fail("setns %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(nsfd);
	node_addr(node, port, &ss, &sl);
	lfd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (void *)&ss, sl) || listen(lfd, 128)) {
		fail("node %d: listen: %s\n", node, strerror(errno));
		return 1;
	}
	for (i = 0; i < threads; i++) {
		w[i].node = node;
		w[i].thread = i;
		w[i].rnd = seed * 7919 + node * 131 + i;
		w[i].udp = -1;
	}
	/* Everyone listens before anyone connects. */
	barrier_wait(&sh->listening, nodes);
	for (i = 0; use_tcp && i < threads; i++) {
		for (j = 0; j < nodes; j++) {
			if (j == node)
				continue;
			node_addr(j, port, &ss, &sl);
			fd = socket(ss.ss_family, SOCK_STREAM, 0);
			if (fd < 0 || connect(fd, (void *)&ss, sl)) {
				fail("node %d: connect to %d: %s\n", node, j, strerror(errno));
				return 1;
			}
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			conn_add(&w[i], fd);
		}
	}
	incoming = use_tcp ? (nodes - 1) * threads : 0;
	for (i = 0; i < incoming; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			fail("node %d: accept: %s\n", node, strerror(errno));
			return 1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		conn_add(&w[rand_r(&w[0].rnd) % threads], fd);
	}
	for (i = 0; i < threads; i++) {
		w[i].ndest = w[i].nconn;
		if (!use_udp)
			continue;
		node_addr(node, port + 1 + i, &ss, &sl);
		fd = socket(ss.ss_family, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (void *)&ss, sl)) {
			fail("node %d: UDP socket: %s\n", node, strerror(errno));
			return 1;
		}
		w[i].udp = w[i].nconn;
		conn_add(&w[i], fd);
		w[i].ndest += nodes * threads - 1;
	}
	/* Everyone connected before anyone sends. */
	barrier_wait(&sh->connected, nodes);
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker_main, &w[i]);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < threads; i++)
		if (write_log(&w[i]))
			fail("writing the log of thread %d: %s\n", i, strerror(errno));
	return atomic_load(&sh->failed);
}

static int run(void)
{
	pid_t pid[MAX_NODES];
	int i, status, bad = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	atomic_store(&sh->busy, nodes * threads);
	printf("# seed %u: %d nodes, %d threads each, %d messages per thread, %s, IPv%d\n",
	       seed, nodes, threads, msgs,
	       use_tcp && use_udp ? "TCP and UDP" : use_tcp ? "TCP" : "UDP", ipv6 ? 6 : 4);
	fflush(stdout);
	for (i = 0; i < nodes; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(node_main(i));
	}
	for (i = 0; i < nodes; i++)
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	return bad || atomic_load(&sh->failed);
}

/* --- check ------------------------------------------------------------- */

struct cop {
	struct op o;
	int node, thread, idx;
	int sockkey;			/* node, thread, socket: the socket's unit */
	uint64_t *pred;			/* bitset of operations before it */
	int state;			/* 0 new, 1 in progress, 2 done */
};

static struct cop *cops;
static int ncops, words;
static int first[MAX_NODES][MAX_THREADS], count[MAX_NODES][MAX_THREADS];
static int per_socket;

static int find(int node, int thread, int idx)
{
	if (node >= MAX_NODES || thread >= MAX_THREADS || idx >= count[node][thread])
		return -1;
	return first[node][thread] + idx;
}

static void add_pred(struct cop *c, int p)
{
	int k;

	c->pred[p / 64] |= 1ULL << (p % 64);
	for (k = 0; k < words; k++)
		c->pred[k] |= cops[p].pred[k];
}

static int closure(int i)
{
	struct cop *c = &cops[i];
	int j, k, p;

	if (c->state == 2)
		return 0;
	if (c->state == 1) {
		fprintf(stderr, "causal_oracle: the logs have a cycle\n");
		return -1;
	}
	c->state = 1;
	/* program order: the previous operation of the thread (on the socket) */
	for (j = i - 1; j >= first[c->node][c->thread]; j--) {
		if (per_socket && cops[j].o.sock != c->o.sock)
			continue;
		if (closure(j))
			return -1;
		add_pred(c, j);
		break;
	}
	for (k = 0; k < c->o.nedges; k++) {
		p = find(c->o.edge[k].node, c->o.edge[k].thread, c->o.edge[k].op);
		if (p < 0 || cops[p].o.kind != 's') {
			fprintf(stderr, "causal_oracle: a receive of an unknown send\n");
			return -1;
		}
		if (closure(p))
			return -1;
		add_pred(c, p);
	}
	c->state = 2;
	return 0;
}

static int load(const char *dir)
{
	char path[512], line[8192];
	int node, thread, cap = 0;

	for (node = 0; node < MAX_NODES; node++) {
		for (thread = 0; thread < MAX_THREADS; thread++) {
			FILE *f;

			snprintf(path, sizeof(path), "%s/%d.%d.log", dir, node, thread);
			f = fopen(path, "r");
			first[node][thread] = ncops;
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f)) {
				struct cop *c;
				char *p = line;
				int n, k, lossy, len, ne;
				uint64_t own;

				if (ncops == cap) {
					cap = cap ? 2 * cap : 1024;
					cops = realloc(cops, cap * sizeof(*cops));
					if (!cops)
						return -1;
				}
				c = &cops[ncops];
				memset(c, 0, sizeof(*c));
				c->node = node;
				c->thread = thread;
				c->idx = ncops - first[node][thread];
				if (sscanf(p, "%c %d %d %" SCNx64 " %d%n", &c->o.kind, &c->o.sock,
					   &lossy, &own, &len, &n) != 5 || len > CAUSAL_VEC_WIDTH_MAX)
					goto bad;
				p += n;
				c->o.own = own;
				c->o.v.width = CAUSAL_VEC_WIDTH_MAX;
				c->o.v.len = len;
				c->o.v.lossy = lossy;
				for (k = 0; k < len; k++) {
					uint64_t id;

					if (sscanf(p, " %" SCNx64 ":%u%n", &id, &c->o.e[k].n, &n) != 2)
						goto bad;
					c->o.e[k].id = id;
					p += n;
				}
				if (sscanf(p, " | %d%n", &ne, &n) != 1 || ne > MAX_EDGES)
					goto bad;
				p += n;
				c->o.nedges = ne;
				for (k = 0; k < ne; k++) {
					unsigned int a, b, d;

					if (sscanf(p, " %u.%u.%u%n", &a, &b, &d, &n) != 3)
						goto bad;
					c->o.edge[k].node = a;
					c->o.edge[k].thread = b;
					c->o.edge[k].op = d;
					p += n;
				}
				ncops++;
				count[node][thread]++;
				continue;
bad:
				fprintf(stderr, "causal_oracle: %s: bad line: %s", path, line);
				fclose(f);
				return -1;
			}
			fclose(f);
		}
	}
	return 0;
}

static bool before(int i, int j)
{
	return cops[j].pred[i / 64] >> (i % 64) & 1;
}

/* How one rule's answers fared against the truth. */
struct tally {
	long exact, unknown, unknown_ordered, false_hb, false_conc, false_eq;
};

/*
 * Score answer @o for operations @i and @j, whose truth is @ab (i before j)
 * and @ba; say what was wrong about the first few errors (@rule names the
 * rule).  Return: whether @o was wrong.
 */
static bool score(struct tally *t, enum causal_order o, int i, int j, bool ab, bool ba,
		  const char *rule)
{
	bool wrong;

	switch (o) {
	case CAUSAL_ORDER_BEFORE:
		wrong = !ab;
		t->false_hb += wrong;
		break;
	case CAUSAL_ORDER_AFTER:
		wrong = !ba;
		t->false_hb += wrong;
		break;
	case CAUSAL_ORDER_CONCURRENT:
		wrong = ab || ba;
		t->false_conc += wrong;
		break;
	case CAUSAL_ORDER_EQUAL:
		wrong = true;
		t->false_eq++;
		break;
	default:
		wrong = false;
		t->unknown++;
		t->unknown_ordered += ab || ba;
		break;
	}
	if (o != CAUSAL_ORDER_UNKNOWN && !wrong)
		t->exact++;
	if (wrong && t->false_hb + t->false_conc + t->false_eq <= 5)
		fprintf(stderr, "causal_oracle: %d.%d.%d %c vs %d.%d.%d %c: %s says %d, truth %s\n",
			cops[i].node, cops[i].thread, cops[i].idx, cops[i].o.kind,
			cops[j].node, cops[j].thread, cops[j].idx, cops[j].o.kind, rule, o,
			ab ? "before" : ba ? "after" : "concurrent");
	return wrong;
}

static long errors(const struct tally *t)
{
	return t->false_hb + t->false_conc + t->false_eq;
}

/*
 * Every pair is answered as compare answers it (causal_vec_order_own(), the
 * participants of the operations' events known) and, to compare, by the
 * vectors alone (causal_vec_order()).  The first is the verdict; both must
 * be free of errors.
 */
static int check(const char *dir, double min_exact)
{
	struct tally own = {}, alone = {};
	long pairs = 0, ordered = 0, lossy_ops = 0;
	int i, j;

	if (load(dir))
		return 1;
	if (!ncops) {
		fprintf(stderr, "causal_oracle: no operations in %s\n", dir);
		return 1;
	}
	words = (ncops + 63) / 64;
	for (i = 0; i < ncops; i++) {
		cops[i].pred = calloc(words, sizeof(uint64_t));
		if (!cops[i].pred)
			return 1;
	}
	for (i = 0; i < ncops; i++)
		if (closure(i))
			return 1;
	for (i = 0; i < ncops; i++) {
		lossy_ops += cops[i].o.v.lossy;
		for (j = i + 1; j < ncops; j++) {
			const struct op *a = &cops[i].o, *b = &cops[j].o;
			bool ab = before(i, j), ba = before(j, i);

			pairs++;
			ordered += ab || ba;
			score(&own, causal_vec_order_own(&a->v, a->own, &b->v, b->own), i, j, ab, ba,
			      "compare");
			score(&alone, causal_vec_order(&a->v, &b->v), i, j, ab, ba, "the vectors alone");
		}
	}
	printf("# %d operations (%ld lossy), %ld pairs (%ld ordered): %ld exact, %ld unknown (%ld of them ordered); errors: %ld false happened-before, %ld false concurrent, %ld false equal\n",
	       ncops, lossy_ops, pairs, ordered, own.exact, own.unknown, own.unknown_ordered,
	       own.false_hb, own.false_conc, own.false_eq);
	printf("# by the vectors alone: %ld exact, %ld unknown; errors: %ld false happened-before, %ld false concurrent, %ld false equal\n",
	       alone.exact, alone.unknown, alone.false_hb, alone.false_conc, alone.false_eq);
	if (errors(&own) || errors(&alone))
		return 1;
	if (100.0 * own.exact < min_exact * pairs) {
		fprintf(stderr, "causal_oracle: only %.1f%% of pairs exact, %.1f%% wanted\n",
			100.0 * own.exact / pairs, min_exact);
		return 1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: causal_oracle run [-n NODES] [-t THREADS] [-m MSGS] [-s SEED] [-6] [-P tcp|udp|mixed]\n"
		"                         [-p PORT] -N NSPREFIX -o DIR\n"
		"       causal_oracle check [-S socket|thread] [-x MIN_EXACT_PERCENT] DIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	double min_exact = 0;
	int opt;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "check")) {
		optind = 2;
		while ((opt = getopt(argc, argv, "S:x:")) != -1) {
			if (opt == 'S')
				per_socket = !strcmp(optarg, "socket");
			else if (opt == 'x')
				min_exact = atof(optarg);
			else
				return usage();
		}
		if (optind != argc - 1)
			return usage();
		return check(argv[optind], min_exact);
	}
	if (strcmp(argv[1], "run"))
		return usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "n:t:m:s:6p:P:N:o:")) != -1) {
		switch (opt) {
		case 'P':
			use_tcp = strcmp(optarg, "udp");
			use_udp = strcmp(optarg, "tcp");
			break;
		case 'n': nodes = atoi(optarg); break;
		case 't': threads = atoi(optarg); break;
		case 'm': msgs = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case '6': ipv6 = 1; break;
		case 'p': port = atoi(optarg); break;
		case 'N': nsprefix = optarg; break;
		case 'o': outdir = optarg; break;
		default: return usage();
		}
	}
	if (!nsprefix || !outdir || nodes < 2 || nodes > MAX_NODES ||
	    threads < 1 || threads > MAX_THREADS || msgs < 1)
		return usage();
	return run();
}
