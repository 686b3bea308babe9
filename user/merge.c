// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl order in bounded memory: the logs merged as they are read
 * (Documentation/analysis.rst, "Merging in bounded memory").
 *
 * A node numbers its events as they happen, so each node's events in id
 * order are already in a causal order: one stream per node, its logs merged
 * by id with a small window for lines written out of order.  The merge
 * prints, of the streams' first events, the one with the smallest wall time
 * whose causes are all printed: a receive waits for the sends it names, a
 * TCP receive without names for the bytes it read, an accept for its
 * connect.  What is held is what waits: the streams' windows, the sends
 * whose bytes a receive may still read, the connects, and a bit per
 * printed send.
 *
 * A wait ends when the event comes, or when the logs show it never will:
 * its node has no log, its node's stream passed its id, or that stream
 * ended.  When every stream waits, the merge reads ahead (up to --window
 * events) to tell a cycle (inconsistent logs) from an event no log has;
 * what the window cannot tell is decided as missing, and if the event then
 * comes after all, the merge says so and fails.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causalctl.h"
#include "export.h"
#include "graph.h"
#include "merge.h"
#include "print.h"

/*
 * Lines a log is read ahead, at first: the lines it may be out of id order
 * (a probe's hit is written up to a tick late).  A log found further out of
 * order is read further ahead from then on.
 */
#define REORDER 256
/* Lines read at once per log when every stream waits. */
#define READ_AHEAD 4096
/* Ids from here on may share their low 32 bits with another: --in-memory. */
#define ID_LIMIT ((1ULL << 32) - (1ULL << 20))
/* Ids a page of the bitmap of printed sends covers. */
#define PAGE_IDS (1U << 15)

/* --- what the merge holds ----------------------------------------------------- */

/* An event read and not yet printed. */
struct sev {
	struct log_event ev;
	struct log_stamp *st;	/* its ev.nfrom stamps: in[], or allocated */
	struct log_stamp in[2];
	uint32_t stcap;		/* room in st */
	struct log_ventry *vec;	/* its ev.nvector vector entries, or NULL */
	uint64_t seq;		/* read order: ties of wall time */
	uint32_t reader;
	bool forced;		/* what it waits for is decided missing */
};

struct mreader {
	struct log_reader r;
	uint32_t stream;
	uint32_t buffered;	/* its events not yet printed */
	uint32_t ahead;		/* how many it keeps read ahead */
	bool eof;
};

enum { S_IDLE, S_READY, S_BLOCKED, S_DONE };

/* Streams that wait on one (by their index). */
struct wlist {
	uint32_t *v, n, cap;
};

/* An event of a stream's ring, with its key. */
struct slot {
	uint64_t id, seq;
	struct sev *e;
};

/* The events of one node, in id order. */
struct nstream {
	uint64_t node;
	uint16_t log;		/* its first log: the label of its events */
	struct slot *q;		/* a ring, sorted by (id, seq) */
	uint32_t head, n, cap;
	uint32_t *readers, nreaders;
	uint64_t last_id;	/* the last printed */
	struct log_event last;
	bool printed;
	uint64_t **sent;	/* a bit per printed send, by id */
	size_t npages;
	int state;
	int target;		/* blocked: the stream it waits on, or -1 (any) */
	uint64_t until;		/* ... for an id of it past this one */
	struct sev *checked;	/* ready: the head found ready */
	uint64_t time, seq;	/* ready: its (time, seq) */
	struct wlist waiters;	/* the streams that wait on it */
	struct wlist *listed;	/* blocked: the list it is on */
};

/* A printed connect, by its addresses (interned strings). */
struct conn {
	uint64_t node, id;
	uint32_t count;		/* connects read with these addresses */
};

/* A send whose bytes a receive may still read. */
struct bsend {
	uint64_t off, bytes, node, id;
};

/* One direction of a TCP connection, by the stream both ends name. */
struct bstream {
	uint64_t snode, s_last, s_front;
	uint64_t rnode, r_last;
	struct bsend *q;
	uint32_t qhead, qn, qcap;
	bool sender, multi, receiver;
};

struct missing_node {
	uint64_t node;		/* or participant */
	bool vector;
	struct report r;
};

struct merge {
	struct log_set *ls;
	int reports;		/* REPORTS_* */
	size_t window;
	bool print;		/* print each event in the order */
	merge_event_fn fn;	/* and hand it on */
	void *arg;
	struct mreader *rd;
	uint32_t nrd;
	struct nstream *st;
	uint32_t nst, nalloc;	/* streams made, room for */
	uint32_t *ready, nready;	/* streams, by their head's (time, seq) */
	uint64_t seq, buffered, pos;
	struct u64map by_node, conns, bstreams, gaveup;
	struct conn *conn;
	uint32_t nconn, capconn;
	struct bstream *bs;
	uint32_t nbs, capbs;
	struct missing_node *miss;
	uint32_t nmiss, capmiss;
	struct report dup, conflict, ambiguous, accepts, late;
	uint32_t nblocked;
	struct wlist any;	/* the streams that wait on any */
	struct sev *free;	/* events to use again */
};

static int grow_array(void **p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, (size_t)c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/* Events are taken from and given back to the merge's list of free ones. */
static struct sev *sev_alloc(struct merge *m)
{
	struct sev *e = m->free;

	if (!e)
		return malloc(sizeof(*e));
	m->free = *(struct sev **)e;
	return e;
}

static void sev_free(struct merge *m, struct sev *e)
{
	if (e->st != e->in)
		free(e->st);
	free(e->vec);
	*(struct sev **)e = m->free;
	m->free = e;
}

static void sevs_release(struct merge *m)
{
	struct sev *e;

	while ((e = m->free)) {
		m->free = *(struct sev **)e;
		free(e);
	}
}

/* --- names and reports -------------------------------------------------------- */

static const char *node_label(const struct merge *m, uint64_t node)
{
	uint32_t s = u64map_get(&m->by_node, node);

	return s == U64MAP_NONE ? NULL : m->ls->logs[m->st[s].log].label;
}

static void name_of(const struct merge *m, const struct log_event *ev, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%" PRIu64, log_label(m->ls, ev), ev->id);
}

static void report_event(const struct merge *m, struct report *r, const struct log_event *ev)
{
	char name[REPORT_NAME_LEN];

	name_of(m, ev, name, sizeof(name));
	report_name(r, name);
}

static int note_missing(struct merge *m, const struct log_stamp *st,
			const struct log_event *ev)
{
	uint64_t node = st->who;
	uint32_t i;

	for (i = 0; i < m->nmiss; i++)
		if (m->miss[i].node == node && m->miss[i].vector == st->vector)
			break;
	if (i == m->nmiss) {
		if (grow_array((void **)&m->miss, &m->capmiss, m->nmiss + 1, sizeof(*m->miss)))
			return -ENOMEM;
		m->miss[i].node = node;
		m->miss[i].vector = st->vector;
		report_init(&m->miss[i].r, "missing");
		m->miss[i].r.has_node = !st->vector;
		m->miss[i].r.node = node;
		m->nmiss++;
	}
	report_event(m, &m->miss[i].r, ev);
	return 0;
}

/* --- the bitmap of printed sends ---------------------------------------------- */

static bool was_sent(const struct nstream *s, uint64_t id)
{
	uint64_t p = id / PAGE_IDS, b = id % PAGE_IDS;

	return p < s->npages && s->sent[p] && (s->sent[p][b / 64] >> (b % 64)) & 1;
}

static int mark_sent(struct nstream *s, uint64_t id)
{
	uint64_t p = id / PAGE_IDS, b = id % PAGE_IDS;

	if (p >= s->npages) {
		size_t n = p + 1 > 2 * s->npages ? p + 1 : 2 * s->npages;
		uint64_t **q = realloc(s->sent, n * sizeof(*q));

		if (!q)
			return -ENOMEM;
		memset(q + s->npages, 0, (n - s->npages) * sizeof(*q));
		s->sent = q;
		s->npages = n;
	}
	if (!s->sent[p]) {
		s->sent[p] = calloc(PAGE_IDS / 64, sizeof(uint64_t));
		if (!s->sent[p])
			return -ENOMEM;
	}
	s->sent[p][b / 64] |= 1ULL << (b % 64);
	return 0;
}

/* --- a stream's events, by id --------------------------------------------------- */

static bool slot_less(const struct slot *a, const struct slot *b)
{
	return a->id < b->id || (a->id == b->id && a->seq < b->seq);
}

/* The i-th event of stream @s in id order. */
static struct sev *nth(const struct nstream *s, uint32_t i)
{
	return s->q[(s->head + i) & (s->cap - 1)].e;
}

static struct sev *first(const struct nstream *s)
{
	return s->q[s->head].e;
}

/*
 * Add @e to the ring of @s: at its end, but for the lines written late.
 * Return: how many it went before, or -ENOMEM.
 */
static int ring_add(struct nstream *s, struct sev *e)
{
	struct slot x = { e->ev.id, e->seq, e };
	uint32_t mask, i;

	if (s->n == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 64;
		struct slot *q = malloc(cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		for (i = 0; i < s->n; i++)
			q[i] = s->q[(s->head + i) & (s->cap - 1)];
		free(s->q);
		s->q = q;
		s->cap = cap;
		s->head = 0;
	}
	mask = s->cap - 1;
	for (i = s->n; i && slot_less(&x, &s->q[(s->head + i - 1) & mask]); i--)
		s->q[(s->head + i) & mask] = s->q[(s->head + i - 1) & mask];
	s->q[(s->head + i) & mask] = x;
	s->n++;
	return s->n - 1 - i;
}

static struct sev *ring_take(struct nstream *s)
{
	struct sev *e = s->q[s->head].e;

	s->head = (s->head + 1) & (s->cap - 1);
	s->n--;
	return e;
}

/* Read one more event of reader @ri into its stream: 1, 0 at its end, or < 0. */
static int read_one(struct merge *m, uint32_t ri)
{
	struct mreader *r = &m->rd[ri];
	struct log_set *ls = m->ls;
	struct sev *e;
	int ret, late;

	if (r->eof)
		return 0;
	ret = log_reader_next(&r->r);
	if (ret <= 0) {
		r->eof = true;
		return ret;
	}
	e = sev_alloc(m);
	if (!e)
		goto oom;
	e->ev = ls->ev[--ls->n];
	e->st = e->in;
	e->seq = m->seq++;
	e->reader = ri;
	e->forced = false;
	e->vec = NULL;
	e->stcap = 2;
	if (e->ev.nfrom > 2) {
		e->stcap = e->ev.nfrom;
		e->st = malloc(e->ev.nfrom * sizeof(*e->st));
		if (!e->st) {
			e->st = e->in;
			sev_free(m, e);
			goto oom;
		}
	}
	memcpy(e->st, ls->from + e->ev.from, e->ev.nfrom * sizeof(*e->st));
	if (e->ev.nvector) {
		e->vec = malloc(e->ev.nvector * sizeof(*e->vec));
		if (!e->vec) {
			sev_free(m, e);
			goto oom;
		}
		memcpy(e->vec, ls->vec + e->ev.vector, e->ev.nvector * sizeof(*e->vec));
	}
	ls->nfrom = 0;
	ls->nvec = 0;
	if (e->ev.id >= ID_LIMIT) {
		fprintf(stderr, "causalctl: %s:%lu: id %" PRIu64 " past 2^32: %s\n",
			ls->logs[r->r.log].path, r->r.lineno, e->ev.id,
			"order these logs with --in-memory");
		sev_free(m, e);
		return -ERANGE;
	}
	late = ring_add(&m->st[r->stream], e);
	if (late < 0) {
		sev_free(m, e);
		goto oom;
	}
	/* a line this late: read this log further ahead, twice as far */
	if ((uint32_t)late > r->ahead / 4 && r->ahead < m->window)
		r->ahead = 4 * (size_t)late < m->window ? 4 * (uint32_t)late : m->window;
	r->buffered++;
	m->buffered++;
	return 1;
oom:
	fprintf(stderr, "causalctl: out of memory\n");
	return -ENOMEM;
}

/* Keep the lines reader @ri reads ahead read. */
static int fill(struct merge *m, uint32_t ri)
{
	int ret = 0;

	while (m->rd[ri].buffered < m->rd[ri].ahead && (ret = read_one(m, ri)) > 0)
		;
	return ret < 0 ? ret : 0;
}

/* Has the stream of node @s passed id @x, all its logs read beyond it? */
static bool passed(const struct merge *m, const struct nstream *s, uint64_t x)
{
	uint32_t i;

	if (s->printed && s->last_id >= x)
		return true;
	if (s->n && first(s)->ev.id > x)
		return true;
	for (i = 0; i < s->nreaders; i++) {
		const struct mreader *r = &m->rd[s->readers[i]];

		if (!r->eof)
			return false;
	}
	return !s->n || first(s)->ev.id > x;
}

/* --- what an event waits for ---------------------------------------------------- */

static bool joinable(const struct sev *e)
{
	const uint16_t need = HAS_STREAM | HAS_SEQ | HAS_BYTES;
	uint32_t k;

	if (e->ev.proto != PROTO_TCP || (e->ev.has & need) != need || !e->ev.bytes)
		return false;
	if (e->ev.type == EV_SEND)
		return true;
	if (e->ev.type != EV_RECV)
		return false;
	for (k = 0; k < e->ev.nfrom; k++)
		if (e->st[k].vector)
			return false;
	return true;
}

static uint64_t unwrap(bool any, uint64_t last, const struct log_event *ev)
{
	uint64_t off = (uint32_t)(ev->seq - (ev->stream >> 32));

	return any ? last + (int32_t)((uint32_t)off - (uint32_t)last) : off;
}

static struct bstream *bstream_of(struct merge *m, uint64_t stream, bool create)
{
	uint32_t i = u64map_get(&m->bstreams, stream);

	if (i != U64MAP_NONE)
		return &m->bs[i];
	if (!create)
		return NULL;
	if (grow_array((void **)&m->bs, &m->capbs, m->nbs + 1, sizeof(*m->bs)) ||
	    u64map_put(&m->bstreams, stream, m->nbs))
		return NULL;
	memset(&m->bs[m->nbs], 0, sizeof(*m->bs));
	return &m->bs[m->nbs++];
}

static uint64_t conn_key(uint32_t src, uint32_t dst)
{
	return (uint64_t)src << 32 | dst;
}

/* The stream of the send scalar stamp @st names, if printed; else U64MAP_NONE. */
static uint32_t printed_send(const struct merge *m, const struct log_stamp *st)
{
	uint32_t s;

	if (st->vector)
		return U64MAP_NONE;
	s = u64map_get(&m->by_node, st->who);
	return s != U64MAP_NONE && was_sent(&m->st[s], st->n) ? s : U64MAP_NONE;
}

enum { WAIT = -1 };

/*
 * Can @e be printed?  0 if so (or if what it waits for is decided
 * missing), else WAIT with *target the stream that must move (-1: any).
 */
static int check(struct merge *m, const struct sev *e, int *target, uint64_t *until)
{
	const struct log_event *ev = &e->ev;
	uint32_t k, s;

	if (e->forced)
		return 0;
	if (ev->type == EV_RECV) {
		for (k = 0; k < ev->nfrom; k++) {
			const struct log_stamp *st = &e->st[k];

			if (st->vector || printed_send(m, st) != U64MAP_NONE)
				continue;
			s = u64map_get(&m->by_node, st->who);
			if (s == U64MAP_NONE || passed(m, &m->st[s], st->n))
				continue;
			*target = s;
			*until = st->n;
			return WAIT;
		}
		if (joinable(e)) {
			struct bstream *b = bstream_of(m, ev->stream, false);
			uint64_t end;

			if (!b || !b->sender) {
				*target = -1;
				return WAIT;
			}
			if (b->multi)
				return 0;
			end = unwrap(b->receiver && b->rnode == ev->node, b->r_last, ev) +
			      ev->bytes;
			s = u64map_get(&m->by_node, b->snode);
			if (b->s_front >= end || m->st[s].state == S_DONE)
				return 0;
			*target = s;
			return WAIT;
		}
		return 0;
	}
	if (ev->type == EV_ACCEPT && ev->proto == PROTO_TCP && ev->src && ev->dst) {
		if (u64map_get(&m->conns, conn_key(ev->dst, ev->src)) != U64MAP_NONE)
			return 0;
		*target = -1;
		return WAIT;
	}
	return 0;
}

/* Does the stream @s hold (read, not printed) what @e waits for? */
static bool holds(const struct merge *m, const struct nstream *s, const struct sev *e)
{
	const struct log_event *ev = &e->ev;
	uint32_t i, k;

	for (i = 0; i < s->n; i++) {
		const struct log_event *x = &nth(s, i)->ev;

		if (ev->type == EV_ACCEPT) {
			if (x->type == EV_CONNECT && x->src == ev->dst && x->dst == ev->src)
				return true;
			continue;
		}
		if (x->type != EV_SEND)
			continue;
		for (k = 0; k < ev->nfrom; k++)
			if (!e->st[k].vector && e->st[k].who == x->node &&
			    e->st[k].n == (x->id & UINT32_MAX))
				return true;
		if (joinable(e) && (x->has & HAS_STREAM) && x->stream == ev->stream)
			return true;
	}
	(void)m;
	return false;
}

/* --- printing ------------------------------------------------------------------ */

/* Add the stamp (node, id32) to @e's, once. */
static int add_stamp(struct sev *e, uint64_t node, uint64_t id)
{
	struct log_stamp *p;
	uint32_t k;

	for (k = 0; k < e->ev.nfrom; k++)
		if (!e->st[k].vector && e->st[k].who == node && e->st[k].n == (id & UINT32_MAX))
			return 0;
	if (e->ev.nfrom == UINT16_MAX - 1)
		return 0;
	if (e->ev.nfrom == e->stcap) {
		p = malloc(2 * e->stcap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		memcpy(p, e->st, e->ev.nfrom * sizeof(*p));
		if (e->st != e->in)
			free(e->st);
		e->st = p;
		e->stcap *= 2;
	}
	e->st[e->ev.nfrom++] = (struct log_stamp){ node, id & UINT32_MAX, false };
	return 0;
}

/* The sends a TCP receive without names read, from its stream's bytes. */
static int join_bytes(struct merge *m, struct sev *e)
{
	struct bstream *b = bstream_of(m, e->ev.stream, true);
	uint64_t off, end;
	uint32_t i;

	if (!b)
		return -ENOMEM;
	off = unwrap(b->receiver && b->rnode == e->ev.node, b->r_last, &e->ev);
	if (!b->receiver) {
		b->receiver = true;
		b->rnode = e->ev.node;
	}
	if (b->rnode == e->ev.node)
		b->r_last = off;
	end = off + e->ev.bytes;
	if (b->multi || !b->sender)
		return 0;
	e->ev.has |= HAS_FROM;
	for (i = b->qhead; i < b->qn; i++) {
		struct bsend *x = &b->q[i];

		if (x->off >= end)
			break;
		if (x->off + x->bytes > off && add_stamp(e, x->node, x->id))
			return -ENOMEM;
	}
	/* what this receive read to its end no later receive reads */
	while (b->qhead < b->qn && b->q[b->qhead].off + b->q[b->qhead].bytes <= end)
		b->qhead++;
	if (b->qhead == b->qn) {
		b->qhead = 0;
		b->qn = 0;
	}
	return 0;
}

/* A send's bytes, for the receives that will read them. */
static int sent_bytes(struct merge *m, const struct sev *e)
{
	struct bstream *b = bstream_of(m, e->ev.stream, true);
	uint64_t off;

	if (!b)
		return -ENOMEM;
	if (b->sender && b->snode != e->ev.node) {
		b->multi = true;	/* two nodes send on it: it names no connection */
		return 0;
	}
	off = unwrap(b->sender, b->s_last, &e->ev);
	b->sender = true;
	b->snode = e->ev.node;
	b->s_last = off;
	if (off + e->ev.bytes > b->s_front)
		b->s_front = off + e->ev.bytes;
	if (b->qhead && b->qn == b->qcap) {
		memmove(b->q, b->q + b->qhead, (b->qn - b->qhead) * sizeof(*b->q));
		b->qn -= b->qhead;
		b->qhead = 0;
	}
	if (grow_array((void **)&b->q, &b->qcap, b->qn + 1, sizeof(*b->q)))
		return -ENOMEM;
	b->q[b->qn++] = (struct bsend){ off, e->ev.bytes, e->ev.node, e->ev.id };
	return 0;
}

/*
 * Before @e is printed: the sends a TCP receive read, by its bytes; what it
 * names that no log has, reported.  Return: 0, or -ENOMEM.
 */
static int edges_in(struct merge *m, struct sev *e)
{
	struct log_event *ev = &e->ev;
	uint32_t k;

	if (ev->type == EV_RECV) {
		if (joinable(e) && join_bytes(m, e))
			return -ENOMEM;
		for (k = 0; k < ev->nfrom; k++) {
			const struct log_stamp *st = &e->st[k];

			/* vector stamps: not matched here (vector logs go to graph.c) */
			if (printed_send(m, st) != U64MAP_NONE)
				continue;
			if (note_missing(m, st, ev))
				return -ENOMEM;
			if (st->vector)
				continue;
			if (e->forced && u64map_put(&m->gaveup, hash2(st->who, st->n), 1))
				return -ENOMEM;
		}
		return 0;
	}
	if (ev->type == EV_ACCEPT && ev->proto == PROTO_TCP && ev->src && ev->dst) {
		uint32_t c = u64map_get(&m->conns, conn_key(ev->dst, ev->src));

		if (c == U64MAP_NONE) {
			report_event(m, &m->accepts, ev);
			return u64map_put(&m->gaveup, hash2(conn_key(ev->dst, ev->src), 0), 1);
		}
		if (m->conn[c].count > 1)
			report_event(m, &m->ambiguous, ev);
	}
	return 0;
}

/* Text: " <- HOST:ID,..." the sends and connect of @e that are printed. */
static void print_senders(struct merge *m, const struct sev *e)
{
	const struct log_event *ev = &e->ev;
	const char *sep = " <- ";
	uint32_t k, s;

	if (ev->type == EV_RECV) {
		for (k = 0; k < ev->nfrom; k++) {
			s = printed_send(m, &e->st[k]);
			if (s == U64MAP_NONE)
				continue;
			printf("%s%s:%" PRIu64, sep, m->ls->logs[m->st[s].log].label, e->st[k].n);
			sep = ",";
		}
	} else if (ev->type == EV_ACCEPT && ev->proto == PROTO_TCP && ev->src && ev->dst) {
		uint32_t c = u64map_get(&m->conns, conn_key(ev->dst, ev->src));

		if (c != U64MAP_NONE && m->conn[c].count == 1)
			printf("%s%s:%" PRIu64, sep, node_label(m, m->conn[c].node),
			       m->conn[c].id);
	}
}

/* What printing @e tells later events: a send, a connect. */
static int after_print(struct merge *m, struct nstream *s, const struct sev *e)
{
	const struct log_event *ev = &e->ev;

	if (ev->type == EV_SEND) {
		if (mark_sent(s, ev->id))
			return -ENOMEM;
		if (m->gaveup.count &&
		    u64map_get(&m->gaveup, hash2(ev->node, ev->id & UINT32_MAX)) != U64MAP_NONE)
			report_event(m, &m->late, ev);
		if (joinable(e))
			return sent_bytes(m, e);
	} else if (ev->type == EV_CONNECT && ev->proto == PROTO_TCP && ev->src && ev->dst) {
		uint64_t key = conn_key(ev->src, ev->dst);
		uint32_t c = u64map_get(&m->conns, key);

		if (m->gaveup.count && u64map_get(&m->gaveup, hash2(key, 0)) != U64MAP_NONE)
			report_event(m, &m->late, ev);
		if (c != U64MAP_NONE) {
			m->conn[c] = (struct conn){ ev->node, ev->id, m->conn[c].count + 1 };
			return 0;
		}
		if (grow_array((void **)&m->conn, &m->capconn, m->nconn + 1, sizeof(*m->conn)) ||
		    u64map_put(&m->conns, key, m->nconn))
			return -ENOMEM;
		m->conn[m->nconn++] = (struct conn){ ev->node, ev->id, 1 };
	}
	return 0;
}

/* "%8llu ": a position, as order prints it. Return: its length. */
static size_t pos_text(uint64_t pos, char *buf)
{
	char t[21];
	int i = sizeof(t), n;

	do {
		t[--i] = '0' + pos % 10;
		pos /= 10;
	} while (pos);
	n = sizeof(t) - i;
	memset(buf, ' ', n < 8 ? 8 - n : 0);
	memcpy(buf + (n < 8 ? 8 - n : 0), t + i, n);
	n = n < 8 ? 8 : n;
	buf[n] = ' ';
	return n + 1;
}

static int print_event(struct merge *m, struct sev *e)
{
	struct log_set *ls = m->ls;
	struct json *j = print_json();
	char line[512];
	size_t n;
	int i;

	if (j) {
		/* the event and its stamps where schema_write() finds them */
		ls->n = 0;
		ls->nfrom = 0;
		ls->nvec = 0;
		for (i = 0; i < e->ev.nfrom; i++)
			if (log_add_stamp(ls, &e->st[i]))
				return -ENOMEM;
		for (i = 0; i < e->ev.nvector; i++)
			if (log_add_ventry(ls, &e->vec[i]))
				return -ENOMEM;
		e->ev.from = 0;
		e->ev.vector = 0;
		json_open(j, '{');
		json_key(j, "pos");
		json_u64(j, m->pos);
		schema_write(j, ls, &e->ev);
		json_close(j, '}');
		fputc('\n', j->out);
		ls->nfrom = 0;
		ls->nvec = 0;
		return 0;
	}
	n = pos_text(m->pos, line);
	n += event_line(ls, &e->ev, line + n, sizeof(line) - n);
	fwrite(line, 1, n, stdout);
	print_senders(m, e);
	putchar('\n');
	return 0;
}

static bool same_event(const struct log_event *a, const struct log_event *b)
{
	return a->type == b->type && a->tid == b->tid && a->pid == b->pid &&
	       a->time == b->time && a->cookie == b->cookie && a->bytes == b->bytes &&
	       a->proto == b->proto && a->src == b->src && a->dst == b->dst &&
	       a->nfrom == b->nfrom && a->clock == b->clock;
}

/* --- choosing what to print ------------------------------------------------------- */

static bool ready_less(const struct merge *m, uint32_t a, uint32_t b)
{
	const struct nstream *x = &m->st[a], *y = &m->st[b];

	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void ready_push(struct merge *m, uint32_t s)
{
	uint32_t i;

	m->st[s].checked = first(&m->st[s]);
	m->st[s].time = m->st[s].checked->ev.time;
	m->st[s].seq = m->st[s].checked->seq;
	for (i = m->nready++; i && ready_less(m, s, m->ready[(i - 1) / 2]); i = (i - 1) / 2)
		m->ready[i] = m->ready[(i - 1) / 2];
	m->ready[i] = s;
}

static uint32_t ready_pop(struct merge *m)
{
	uint32_t top = m->ready[0], x = m->ready[--m->nready], i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= m->nready)
			break;
		if (c + 1 < m->nready && ready_less(m, m->ready[c + 1], m->ready[c]))
			c++;
		if (!ready_less(m, m->ready[c], x))
			break;
		m->ready[i] = m->ready[c];
		i = c;
	}
	if (m->nready)
		m->ready[i] = x;
	return top;
}

static void set_state(struct merge *m, struct nstream *n, int state)
{
	m->nblocked += (state == S_BLOCKED) - (n->state == S_BLOCKED);
	n->state = state;
}

/*
 * Drop from list @l (of stream @s, or -1) the streams no longer on it: a
 * stream is on one list at most, so lists of twice the streams never fill.
 */
static void wlist_compact(struct merge *m, struct wlist *l, int s)
{
	uint32_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		const struct nstream *x = &m->st[l->v[i]];

		if (x->state == S_BLOCKED && x->target == s && x->listed == l)
			l->v[kept++] = l->v[i];
	}
	l->n = kept;
}

/* Place stream @s by its head: ready, blocked or done. */
static void place(struct merge *m, uint32_t s)
{
	struct nstream *n = &m->st[s];
	uint64_t until = 0;
	int target;

	if (!n->n) {
		set_state(m, n, S_DONE);
		return;
	}
	if (check(m, first(n), &target, &until) == WAIT) {
		struct wlist *l = target < 0 ? &m->any : &m->st[target].waiters;

		set_state(m, n, S_BLOCKED);
		n->target = target;
		n->until = until;
		if (n->listed != l) {
			if (l->n == l->cap)
				wlist_compact(m, l, target);
			l->v[l->n++] = s;
			n->listed = l;
		}
		return;
	}
	set_state(m, n, S_READY);
	ready_push(m, s);
}

/* Place again the streams of list @l (of stream @s, or -1) that may wait no more. */
static void wake_list(struct merge *m, struct wlist *l, int s)
{
	const struct nstream *w = s < 0 ? NULL : &m->st[s];
	uint32_t n = l->n, i, kept = 0;

	for (i = 0; i < n; i++) {
		uint32_t k = l->v[i];
		struct nstream *x = &m->st[k];

		if (x->state != S_BLOCKED || x->target != s || x->listed != l)
			continue;	/* placed since: no longer on this list */
		if (w && w->state != S_DONE && w->printed && w->last_id < x->until &&
		    !(w->n && first(w)->ev.id > x->until)) {
			l->v[kept++] = k;
			continue;
		}
		x->listed = NULL;
		place(m, k);
	}
	/* what place() added behind them */
	memmove(l->v + kept, l->v + n, (l->n - n) * sizeof(*l->v));
	l->n = kept + l->n - n;
}

/*
 * Streams that may wait no more, placed again: those that wait on @s and
 * an id it passed (or it ended), and with @any, those that wait on any.
 */
static void wake(struct merge *m, uint32_t s, bool any)
{
	if (m->st[s].waiters.n)
		wake_list(m, &m->st[s].waiters, s);
	if (any && m->any.n)
		wake_list(m, &m->any, -1);
}

/* Print the head of stream @s. Return: 0, 1 when the logs are inconsistent, or < 0. */
static int emit(struct merge *m, uint32_t s)
{
	struct nstream *n = &m->st[s];
	struct sev *e = ring_take(n);
	struct mreader *r = &m->rd[e->reader];
	int err;

	/* the stream's next event, read lines ago: in the cache by its turn */
	if (n->n)
		__builtin_prefetch(first(n));

	r->buffered--;
	m->buffered--;
	err = fill(m, e->reader);
	if (err)
		goto out;
	if (n->printed && e->ev.id == n->last_id) {
		if (same_event(&n->last, &e->ev)) {
			report_event(m, &m->dup, &e->ev);
		} else {
			report_event(m, &m->conflict, &e->ev);
			err = 1;
		}
		goto out;
	}
	if (n->printed && e->ev.id < n->last_id) {
		fprintf(stderr, "causalctl: %s: event %" PRIu64 " %s: %s\n",
			m->ls->logs[m->rd[e->reader].r.log].path, e->ev.id,
			"came after later ones were ordered (out of id order, too far)",
			"order this log with --in-memory");
		err = -EINVAL;
		goto out;
	}
	err = edges_in(m, e);
	if (err)
		goto out;
	m->pos++;
	if (m->print)
		err = print_event(m, e);
	if (!err && m->fn) {
		struct merge_event me = { m->ls, &e->ev, e->st, m->pos, m };

		err = m->fn(m->arg, &me);
	}
	if (err)
		goto out;
	n->printed = true;
	n->last_id = e->ev.id;
	n->last = e->ev;
	err = after_print(m, n, e);
out:
	sev_free(m, e);
	return err;
}

/*
 * Every stream waits.  Read ahead to tell what it waits for; decide what
 * the window cannot tell as missing; or find a cycle.
 * Return: 0 (something changed), 1 (a cycle: reported), or < 0.
 */
static int unstick(struct merge *m)
{
	bool absent = false, more = false;
	uint32_t i, k, s;
	int *holder, err;

	holder = malloc(m->nst * sizeof(*holder));
	if (!holder)
		return -ENOMEM;
	for (i = 0; i < m->nst; i++) {
		struct nstream *n = &m->st[i];

		holder[i] = -1;
		if (n->state != S_BLOCKED)
			continue;
		if (n->target >= 0 && holds(m, &m->st[n->target], first(n))) {
			holder[i] = n->target;
		} else if (n->target < 0) {
			for (k = 0; k < m->nst && holder[i] < 0; k++)
				if (holds(m, &m->st[k], first(n)))
					holder[i] = k;
		}
		absent |= holder[i] < 0;
	}
	if (absent) {
		for (i = 0; i < m->nrd && m->buffered < m->window; i++) {
			for (k = 0; k < READ_AHEAD && m->buffered < m->window; k++) {
				err = read_one(m, i);
				if (err < 0)
					goto out;
				if (!err)
					break;
				more = true;
			}
		}
		for (i = 0; i < m->nst; i++) {
			if (m->st[i].state != S_BLOCKED)
				continue;
			if (!more && holder[i] < 0)
				first(&m->st[i])->forced = true;
			place(m, i);
		}
		err = 0;
		goto out;
	}
	/* all wait on events the logs hold: follow the waits around */
	for (s = 0; m->st[s].state != S_BLOCKED; s++)
		;
	for (k = 0; k < m->nst; k++)
		s = holder[s];
	{
		struct report r;
		uint32_t start = s;

		report_init(&r, "cycle");
		do {
			report_event(m, &r, &first(&m->st[s])->ev);
			s = holder[s];
		} while (s != start);
		if (r.count == 1)
			report_event(m, &r, &first(&m->st[s])->ev);
		report_say(m->reports, &r, "inconsistent logs: a cycle of %u events, %s", r.count,
			   "each waits for a send of the next one's node (listed in that order)");
	}
	err = 1;
out:
	free(holder);
	return err;
}

/* --- setting up and the end ------------------------------------------------------ */

/* Could a log name a send by id32 that another matches too? (ids past 2^32) */
static bool ids_past_limit(const char *path)
{
	char buf[65536], *p;
	struct stat sb;
	ssize_t got;
	off_t at;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return false;
	}
	at = sb.st_size > (off_t)sizeof(buf) - 1 ? sb.st_size - (off_t)sizeof(buf) + 1 : 0;
	got = pread(fileno(f), buf, sizeof(buf) - 1, at);
	fclose(f);
	if (got <= 0)
		return false;
	buf[got] = 0;
	for (p = buf; (p = strstr(p, "\"id\":")); p += 5)
		if (strtoull(p + 5, NULL, 10) >= ID_LIMIT)
			return true;
	return false;
}

static void say_reports(struct merge *m)
{
	const struct log_set *ls = m->ls;
	uint32_t i;

	if (m->dup.count)
		report_say(m->reports, &m->dup, "%u duplicate events, dropped", m->dup.count);
	if (m->conflict.count)
		report_say(m->reports, &m->conflict,
			   "inconsistent logs: %u events differ from another with their node and id",
			   m->conflict.count);
	for (i = 0; i < m->nmiss; i++)
		report_missing(m->reports, &m->miss[i].r, ls, m->miss[i].node, m->miss[i].vector);
	report_unmatched(m->reports, &m->ambiguous, &m->accepts);
	if (m->late.count)
		report_say(m->reports, &m->late,
			   "%u sends or connects came after a receive or accept that names them %s %zu %s",
			   m->late.count, "was ordered, beyond the --window of", m->window,
			   "events: the order is wrong there");
	log_reports(ls, m->reports);
}

static void merge_free(struct merge *m)
{
	uint32_t i;
	size_t p;

	for (i = 0; i < m->nrd; i++)
		log_reader_close(&m->rd[i].r);
	for (i = 0; i < m->nst; i++) {
		struct nstream *n = &m->st[i];

		while (n->n)
			sev_free(m, ring_take(n));
		free(n->q);
		free(n->readers);
		for (p = 0; p < n->npages; p++)
			free(n->sent[p]);
		free(n->sent);
	}
	for (i = 0; i < m->nalloc; i++)
		free(m->st[i].waiters.v);
	free(m->any.v);
	for (i = 0; i < m->nbs; i++)
		free(m->bs[i].q);
	free(m->bs);
	free(m->rd);
	free(m->st);
	free(m->ready);
	free(m->conn);
	free(m->miss);
	u64map_free(&m->by_node);
	u64map_free(&m->conns);
	u64map_free(&m->bstreams);
	u64map_free(&m->gaveup);
	sevs_release(m);
}

static int open_logs(struct merge *m, char **paths, int n, char **labels, int nlabels,
		     bool *labels_bad)
{
	struct log_set *ls = m->ls;
	int i, err;

	m->rd = calloc(n, sizeof(*m->rd));
	m->st = calloc(n, sizeof(*m->st));
	m->ready = calloc(n, sizeof(*m->ready));
	m->any.v = calloc(2 * n, sizeof(*m->any.v));
	if (!m->rd || !m->st || !m->ready || !m->any.v)
		return -ENOMEM;
	m->any.cap = 2 * n;
	m->nalloc = n;
	for (i = 0; i < n; i++) {
		m->st[i].waiters.v = calloc(2 * n, sizeof(*m->st[i].waiters.v));
		if (!m->st[i].waiters.v)
			return -ENOMEM;
		m->st[i].waiters.cap = 2 * n;
	}
	for (i = 0; i < n; i++) {
		struct mreader *r = &m->rd[m->nrd];
		uint64_t node;
		uint32_t s;

		err = log_reader_open(&r->r, ls, paths[i]);
		if (err)
			return err;
		m->nrd++;
		r->ahead = REORDER;
		node = ls->logs[r->r.log].node;
		s = u64map_get(&m->by_node, node);
		if (s == U64MAP_NONE) {
			s = m->nst++;
			m->st[s].node = node;
			m->st[s].log = r->r.log;
			if (u64map_put(&m->by_node, node, s))
				return -ENOMEM;
		}
		m->st[s].readers = realloc(m->st[s].readers,
					   (m->st[s].nreaders + 1) * sizeof(uint32_t));
		if (!m->st[s].readers)
			return -ENOMEM;
		m->st[s].readers[m->st[s].nreaders++] = m->nrd - 1;
		r->stream = s;
	}
	if (log_set_labels(ls, labels, nlabels)) {
		*labels_bad = true;
		return -EINVAL;
	}
	return 0;
}

/**
 * merge_run() - the events of logs in a causal order, as they are read
 * @paths: the logs
 * @n: how many
 * @labels: --label options
 * @nlabels: how many
 * @o: the window; what to do with each event (print it as order does, by
 *     default); where reports go
 *
 * Reports what the logs lack or contradict, as graph_build() does.  Not
 * when their ids pass 2^32 (a stamp may name two sends, which only the
 * whole logs tell), nor when their clocks are vectors (vector stamps are
 * matched by graph.c alone): then it does nothing.
 *
 * Return: 0, the exit status (the error said), or MERGE_IN_MEMORY.
 */
int merge_run(char **paths, int n, char **labels, int nlabels, const struct merge_opts *o)
{
	struct log_set ls = {};
	struct merge m = { .ls = &ls, .reports = o->reports, .window = o->window,
			   .print = o->print, .fn = o->fn, .arg = o->arg };
	bool labels_bad = false;
	uint32_t i;
	int err;

	report_init(&m.dup, "duplicate");
	report_init(&m.conflict, "conflict");
	report_init(&m.ambiguous, "ambiguous");
	report_init(&m.accepts, "missing");
	report_init(&m.late, "window");
	err = open_logs(&m, paths, n, labels, nlabels, &labels_bad);
	if (err)
		goto out;
	/* what only the whole logs tell: --in-memory */
	for (i = 0; i < ls.nlogs; i++) {
		if (ls.logs[i].vector || ids_past_limit(ls.logs[i].path)) {
			merge_free(&m);
			log_free(&ls);
			return MERGE_IN_MEMORY;
		}
	}
	for (i = 0; i < m.nrd && !err; i++)
		err = fill(&m, i);
	if (err)
		goto out;
	for (i = 0; i < m.nst; i++)
		place(&m, i);
	for (;;) {
		uint32_t s;

		if (!m.nready) {
			if (!m.nblocked)
				break;
			err = unstick(&m);
			if (err)
				break;
			continue;
		}
		s = ready_pop(&m);
		if (first(&m.st[s]) != m.st[s].checked) {
			/* a line read since came before the head: look again */
			place(&m, s);
			continue;
		}
		err = emit(&m, s);
		if (err == MERGE_STOP) {
			err = 0;
			goto out;
		}
		if (err)
			break;
		place(&m, s);
		if (m.nblocked)
			wake(&m, s, m.st[s].last.type == EV_SEND ||
			     m.st[s].last.type == EV_CONNECT);
	}
	fflush(stdout);
	if (err < 0)
		goto out;
	say_reports(&m);
	if (err > 0 || m.conflict.count) {
		fprintf(stderr, "causalctl: the logs are inconsistent: the order stops at event %"
			PRIu64 "\n", m.pos);
		err = 1;
	} else if (m.late.count) {
		err = 1;
	} else if (m.fn) {
		struct merge_event end = { .ls = &ls };

		err = m.fn(m.arg, &end);
		if (err == MERGE_STOP)
			err = 0;
		goto out;
	}
out:
	if (err == -ENOMEM)
		fprintf(stderr, "causalctl: out of memory\n");
	merge_free(&m);
	log_free(&ls);
	if (err == -EINVAL && labels_bad)
		return EXIT_USAGE;
	if (err == EXIT_USAGE)
		return err;
	return err ? EXIT_FAIL : 0;
}

/* causalctl order's output, as the logs are read: see merge_run(). */
int merge_order(char **paths, int n, char **labels, int nlabels, size_t window)
{
	struct merge_opts o = { window, true, NULL, NULL,
				print_json() ? REPORTS_JSON : REPORTS_TEXT };

	return merge_run(paths, n, labels, nlabels, &o);
}

/* Is the send stamp @k of event @me names in the order (printed before it)? */
bool merge_stamp_printed(const struct merge_event *me, uint32_t k)
{
	return printed_send(me->m, &me->st[k]) != U64MAP_NONE;
}

/* The one connect of accept @me in the order: true, its (node, id) in @node, @id. */
bool merge_connect_of(const struct merge_event *me, uint64_t *node, uint64_t *id)
{
	const struct log_event *ev = me->ev;
	const struct merge *m = me->m;
	uint32_t c;

	if (ev->type != EV_ACCEPT || ev->proto != PROTO_TCP || !ev->src || !ev->dst)
		return false;
	c = u64map_get(&m->conns, conn_key(ev->dst, ev->src));
	if (c == U64MAP_NONE || m->conn[c].count != 1)
		return false;
	*node = m->conn[c].node;
	*id = m->conn[c].id;
	return true;
}
