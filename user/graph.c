// SPDX-License-Identifier: GPL-2.0
/*
 * The happened-before graph of merged logs: duplicates dropped, edges found
 * by hashing (events by node and id, sends by stamp, connects by address),
 * a total order by Kahn's algorithm that breaks ties by wall time, and
 * offline vector clocks over threads computed along it with only the live
 * ones in memory.  What the logs lack is reported, never guessed.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "streamjoin.h"

const char *const edge_names[4] = {
	[EDGE_PROGRAM] = "program", [EDGE_SOCKET] = "socket",
	[EDGE_MESSAGE] = "message", [EDGE_CONNECT] = "connect",
};

/* --- reports --------------------------------------------------------------- */

/* "HOST:ID", the name of an event in reports and answers */
void graph_event_name(const struct graph *g, uint32_t e, char *buf, size_t len)
{
	const struct log_event *ev = &g->ls->ev[e];

	snprintf(buf, len, "%s:%" PRIu64, log_label(g->ls, ev), ev->id);
}

void report_init(struct report *r, const char *kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
}

/* Count one more case of @r, naming its event while there is room. */
static void report_add(struct report *r, const struct graph *g, uint32_t e)
{
	if (r->count++ < REPORT_EVENTS)
		graph_event_name(g, e, r->names[r->nnames++], REPORT_NAME_LEN);
}

/* Count one more case of @r, named @name while there is room. */
void report_name(struct report *r, const char *name)
{
	if (r->count++ < REPORT_EVENTS)
		snprintf(r->names[r->nnames++], REPORT_NAME_LEN, "%s", name);
}

/**
 * report_say() - say what @r found, as @out says: on stderr, and with
 * REPORTS_JSON as a JSON object on stdout; nothing with REPORTS_NONE
 * @out: REPORTS_*
 * @r: the report, its events named
 * @fmt: what it found
 */
void report_say(int out, struct report *r, const char *fmt, ...)
{
	size_t len;
	va_list ap;
	int i;

	if (out == REPORTS_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < r->nnames; i++) {
		len = strlen(r->msg);
		snprintf(r->msg + len, sizeof(r->msg) - len, "%s%s", i ? ", " : ": ",
			 r->names[i]);
	}
	if (r->count > (uint32_t)r->nnames) {
		len = strlen(r->msg);
		snprintf(r->msg + len, sizeof(r->msg) - len, ", ...");
	}
	fprintf(stderr, "causalctl: %s\n", r->msg);
	if (out == REPORTS_JSON) {
		struct json j;
		char hex[24];

		json_init(&j, stdout, false);
		json_open(&j, '{');
		json_key(&j, "report");
		json_string(&j, r->kind);
		json_key(&j, "message");
		json_string(&j, r->msg);
		if (r->has_node) {
			snprintf(hex, sizeof(hex), "%016" PRIx64, r->node);
			json_key(&j, "node");
			json_string(&j, hex);
		}
		if (r->count) {
			json_key(&j, "count");
			json_u64(&j, r->count);
			json_key(&j, "events");
			json_open(&j, '[');
			for (i = 0; i < r->nnames; i++)
				json_string(&j, r->names[i]);
			json_close(&j, ']');
		}
		json_close(&j, '}');
		fputc('\n', stdout);
	}
}

/* --- events by key ----------------------------------------------------------- */

/* A key of two parts (and a third, 0 unless it names a thread). */
struct key2 {
	uint64_t a, b, c;
};

static bool id_match(const void *ctx, uint32_t v, const void *key)
{
	const struct log_event *e = (const struct log_event *)ctx + v;
	const struct key2 *k = key;

	return e->node == k->a && e->id == k->b;
}

static uint32_t *id_slot(const struct htab *h, const struct log_event *ev, uint64_t node,
			 uint64_t id)
{
	struct key2 k = { node, id, 0 };

	return ht_find(h, hash2(node, id), id_match, ev, &k);
}

/**
 * graph_find() - the event (node, id)
 * @g: the graph
 * @node: its node
 * @id: its id
 *
 * Return: its index, or HT_EMPTY.
 */
uint32_t graph_find(const struct graph *g, uint64_t node, uint64_t id)
{
	return *id_slot(&g->by_id, g->ls->ev, node, id);
}

static bool same_event(const struct log_event *a, const struct log_event *b)
{
	return a->type == b->type && a->tid == b->tid && a->pid == b->pid &&
	       a->time == b->time && a->cookie == b->cookie && a->bytes == b->bytes &&
	       a->proto == b->proto && a->src == b->src && a->dst == b->dst &&
	       a->nfrom == b->nfrom && a->clock == b->clock;
}

/* Index the events by (node, id); drop duplicates, report them and conflicts. */
static int index_events(struct graph *g)
{
	struct log_set *ls = g->ls;
	struct report dup, conflict;
	uint32_t i, n = 0, *slot;
	bool *drop;

	drop = calloc(ls->n ? ls->n : 1, sizeof(*drop));
	if (!drop || ht_init(&g->by_id, ls->n))
		goto oom;
	report_init(&dup, "duplicate");
	report_init(&conflict, "conflict");
	for (i = 0; i < ls->n; i++) {
		slot = id_slot(&g->by_id, ls->ev, ls->ev[i].node, ls->ev[i].id);
		if (*slot == HT_EMPTY) {
			*slot = i;
			continue;
		}
		drop[i] = true;
		report_add(same_event(&ls->ev[*slot], &ls->ev[i]) ? &dup : &conflict, g, i);
	}
	if (dup.count)
		report_say(g->reports, &dup, "%u duplicate events, dropped", dup.count);
	if (conflict.count) {
		report_say(g->reports, &conflict,
			   "inconsistent logs: %u events differ from another with their node and id",
			   conflict.count);
		g->inconsistent = true;
	}
	if (dup.count || conflict.count) {
		for (i = 0; i < ls->n; i++)
			if (!drop[i])
				ls->ev[n++] = ls->ev[i];
		ls->n = n;
		ht_free(&g->by_id);
		if (ht_init(&g->by_id, n))
			goto oom;
		for (i = 0; i < n; i++)
			*id_slot(&g->by_id, ls->ev, ls->ev[i].node, ls->ev[i].id) = i;
	}
	free(drop);
	g->n = ls->n;
	return 0;
oom:
	free(drop);
	return -ENOMEM;
}

/* --- chains: threads and TCP sockets ---------------------------------------- */

struct groups {
	struct key2 *key;	/* the key of each group */
	uint32_t n, cap;
	uint32_t *of;		/* the group of each event, or HT_EMPTY */
	uint32_t *seq, *off;	/* events of group k: seq[off[k] .. off[k + 1]), by id */
};

static bool group_match(const void *ctx, uint32_t v, const void *key)
{
	const struct key2 *a = &((const struct groups *)ctx)->key[v], *b = key;

	return a->a == b->a && a->b == b->b && a->c == b->c;
}

static int by_id(const void *a, const void *b, void *arg)
{
	const struct log_event *ev = arg;
	uint64_t x = ev[*(const uint32_t *)a].id, y = ev[*(const uint32_t *)b].id;

	return x < y ? -1 : x > y;
}

static void free_groups(struct groups *gr)
{
	free(gr->key);
	free(gr->of);
	free(gr->seq);
	free(gr->off);
}

/*
 * Group the events that @key gives a key to (it returns false for others),
 * each group in id order.
 */
static int make_groups(const struct graph *g, struct groups *gr,
		       bool (*key)(const struct log_event *e, struct key2 *k))
{
	const struct log_event *ev = g->ls->ev;
	struct htab h;
	uint32_t i, k, *slot;
	struct key2 kk;

	memset(gr, 0, sizeof(*gr));
	gr->of = malloc((g->n + 1) * sizeof(*gr->of));
	gr->seq = malloc((g->n + 1) * sizeof(*gr->seq));
	if (!gr->of || !gr->seq || ht_init(&h, g->n))
		return -ENOMEM;
	for (i = 0; i < g->n; i++) {
		gr->of[i] = HT_EMPTY;
		if (!key(&ev[i], &kk))
			continue;
		slot = ht_find(&h, hash2(kk.a, kk.b ^ kk.c), group_match, gr, &kk);
		if (*slot == HT_EMPTY) {
			if (gr->n == gr->cap) {
				struct key2 *p;

				gr->cap = gr->cap ? 2 * gr->cap : 256;
				p = realloc(gr->key, gr->cap * sizeof(*p));
				if (!p)
					goto oom;
				gr->key = p;
			}
			gr->key[gr->n] = kk;
			*slot = gr->n++;
		}
		gr->of[i] = *slot;
	}
	ht_free(&h);
	gr->off = calloc(gr->n + 2, sizeof(*gr->off));
	if (!gr->off)
		return -ENOMEM;
	for (i = 0; i < g->n; i++)
		if (gr->of[i] != HT_EMPTY)
			gr->off[gr->of[i] + 2]++;
	for (k = 0; k < gr->n; k++)
		gr->off[k + 2] += gr->off[k + 1];
	for (i = 0; i < g->n; i++)
		if (gr->of[i] != HT_EMPTY)
			gr->seq[gr->off[gr->of[i] + 1]++] = i;
	/* logs are mostly in id order already: sort only what is not */
	for (k = 0; k < gr->n; k++) {
		for (i = gr->off[k] + 1; i < gr->off[k + 1]; i++) {
			if (ev[gr->seq[i - 1]].id > ev[gr->seq[i]].id) {
				qsort_r(gr->seq + gr->off[k], gr->off[k + 1] - gr->off[k],
					sizeof(*gr->seq), by_id, (void *)ev);
				break;
			}
		}
	}
	return 0;
oom:
	ht_free(&h);
	return -ENOMEM;
}

/* A thread: its node, id and start (the kernel reuses thread ids). */
static bool thread_key(const struct log_event *e, struct key2 *k)
{
	k->a = e->node;
	k->b = e->tid;
	k->c = e->tstart;
	return true;
}

static bool socket_key(const struct log_event *e, struct key2 *k)
{
	k->a = e->node;
	k->b = e->cookie;
	k->c = 0;
	return e->proto == PROTO_TCP && (e->has & HAS_COOKIE);
}

/* --- edges ----------------------------------------------------------------- */

struct edges {
	uint32_t *from, *to;
	uint8_t *kind;
	size_t n, cap;
};

static int edge_add(struct edges *E, uint32_t a, uint32_t b, enum edge_kind k)
{
	if (E->n == E->cap) {
		size_t cap = E->cap ? 2 * E->cap : 1024;
		uint32_t *f = realloc(E->from, cap * sizeof(*f)), *t;
		uint8_t *kk;

		if (!f)
			return -ENOMEM;
		E->from = f;
		t = realloc(E->to, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		E->to = t;
		kk = realloc(E->kind, cap);
		if (!kk)
			return -ENOMEM;
		E->kind = kk;
		E->cap = cap;
	}
	E->from[E->n] = a;
	E->to[E->n] = b;
	E->kind[E->n++] = k;
	return 0;
}

static int chain_edges(const struct groups *gr, struct edges *E, enum edge_kind k,
		       const uint32_t *prog_next)
{
	uint32_t c, i, a, b;

	for (c = 0; c < gr->n; c++) {
		for (i = gr->off[c] + 1; i < gr->off[c + 1]; i++) {
			a = gr->seq[i - 1];
			b = gr->seq[i];
			/* one edge when a thread uses a socket twice in a row */
			if (prog_next && prog_next[a] == b)
				continue;
			if (edge_add(E, a, b, k))
				return -ENOMEM;
		}
	}
	return 0;
}

/* Compressed adjacency: @off[i] .. @off[i + 1] in @adj, from (@src, @dst) pairs. */
static int compress(uint32_t n, const struct edges *E, const uint32_t *src, const uint32_t *dst,
		    uint32_t **off, uint32_t **adj, uint8_t **kind)
{
	size_t i;

	*off = calloc(n + 2, sizeof(**off));
	*adj = malloc((E->n + 1) * sizeof(**adj));
	*kind = malloc(E->n + 1);
	if (!*off || !*adj || !*kind)
		return -ENOMEM;
	for (i = 0; i < E->n; i++)
		(*off)[src[i] + 2]++;
	for (i = 0; i < n; i++)
		(*off)[i + 2] += (*off)[i + 1];
	for (i = 0; i < E->n; i++) {
		uint32_t at = (*off)[src[i] + 1]++;

		(*adj)[at] = dst[i];
		(*kind)[at] = E->kind[i];
	}
	return 0;
}

/* --- messages and connections ------------------------------------------------ */

static bool scalar_match(const void *ctx, uint32_t v, const void *key)
{
	const struct log_event *e = (const struct log_event *)ctx + v;
	const struct key2 *k = key;

	return e->node == k->a && (e->id & UINT32_MAX) == k->b;
}

static bool vector_match(const void *ctx, uint32_t v, const void *key)
{
	const struct log_event *e = (const struct log_event *)ctx + v;
	const struct key2 *k = key;

	return e->participant == k->a && e->clock == k->b;
}

static bool connect_match(const void *ctx, uint32_t v, const void *key)
{
	const struct log_event *e = (const struct log_event *)ctx + v;
	const struct key2 *k = key;

	return e->src == k->a && e->dst == k->b;
}

struct matcher {
	struct htab scalar, vector, connects;
	uint8_t *ambiguous;	/* per event: 1 scalar key, 2 vector key, 4 address */
};

static uint32_t *stamp_slot(struct matcher *m, const struct log_event *ev,
			    const struct log_stamp *s)
{
	struct key2 k = { s->who, s->n, 0 };

	if (s->vector)
		return ht_find(&m->vector, hash2(k.a, k.b), vector_match, ev, &k);
	return ht_find(&m->scalar, hash2(k.a, k.b), scalar_match, ev, &k);
}

static uint32_t *connect_slot(struct matcher *m, const struct log_event *ev, uint32_t src,
			      uint32_t dst)
{
	struct key2 k = { src, dst, 0 };

	return ht_find(&m->connects, hash2(k.a, k.b), connect_match, ev, &k);
}

static bool is_connect(const struct log_event *e)
{
	return e->type == EV_CONNECT && e->proto == PROTO_TCP && e->src && e->dst;
}

static bool vector_send(const struct log_event *e)
{
	return e->type == EV_SEND && (e->has & HAS_PARTICIPANT) && (e->has & HAS_CLOCK);
}

/* Index sends by their stamps and connects by their addresses. */
static int index_sends(struct graph *g, struct matcher *m)
{
	const struct log_event *ev = g->ls->ev;
	uint32_t i, sends = 0, vsends = 0, connects = 0, *slot;
	struct log_stamp s;

	for (i = 0; i < g->n; i++) {
		sends += ev[i].type == EV_SEND;
		vsends += vector_send(&ev[i]);
		connects += is_connect(&ev[i]);
	}
	m->ambiguous = calloc(g->n + 1, 1);
	if (!m->ambiguous || ht_init(&m->scalar, sends) || ht_init(&m->vector, vsends) ||
	    ht_init(&m->connects, connects))
		return -ENOMEM;
	for (i = 0; i < g->n; i++) {
		const struct log_event *e = &ev[i];
		uint8_t bit = 1;

		if (e->type == EV_SEND) {
			s = (struct log_stamp){ e->node, e->id & UINT32_MAX, false };
			slot = stamp_slot(m, ev, &s);
		} else if (is_connect(e)) {
			slot = connect_slot(m, ev, e->src, e->dst);
			bit = 4;
		} else {
			continue;
		}
		if (*slot == HT_EMPTY)
			*slot = i;
		else
			m->ambiguous[*slot] |= bit;
		if (vector_send(e)) {
			s = (struct log_stamp){ e->participant, e->clock, true };
			slot = stamp_slot(m, ev, &s);
			if (*slot == HT_EMPTY)
				*slot = i;
			else
				m->ambiguous[*slot] |= 2;
		}
	}
	return 0;
}

/* Sends a receive names but no log holds, by node (or participant). */
struct missing {
	uint64_t who;
	bool vector;
	struct report r;
};

struct missing_set {
	struct missing *v;
	size_t n, cap;
	struct report ambiguous, accepts;
};

static int note_missing(const struct graph *g, struct missing_set *ms, const struct log_stamp *s,
			uint32_t e)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (ms->v[i].who == s->who && ms->v[i].vector == s->vector)
			break;
	if (i == ms->n) {
		if (ms->n == ms->cap) {
			size_t cap = ms->cap ? 2 * ms->cap : 8;
			struct missing *p = realloc(ms->v, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			ms->v = p;
			ms->cap = cap;
		}
		ms->v[i].who = s->who;
		ms->v[i].vector = s->vector;
		report_init(&ms->v[i].r, "missing");
		ms->v[i].r.has_node = !s->vector;
		ms->v[i].r.node = s->who;
		ms->n++;
	}
	report_add(&ms->v[i].r, g, e);
	return 0;
}

static const struct log_file *log_of_node(const struct log_set *ls, uint64_t node)
{
	size_t i;

	for (i = 0; i < ls->nlogs; i++)
		if (ls->logs[i].node == node)
			return &ls->logs[i];
	return NULL;
}

/* Why a send of @node is in no log: what the logs can tell. */
const char *missing_reason(const struct log_set *ls, uint64_t node)
{
	const struct log_file *f = log_of_node(ls, node);

	if (!f)
		return "it has no log (missing host or filtered log)";
	if (f->filtered)
		return "its log is filtered";
	if (!f->trailer)
		return "its log was cut short";
	if (f->lost)
		return "its log lost events";
	return "its log does not have them (sent before the trace started?)";
}

/**
 * report_missing() - say that receives name sends of @who that no log has
 * @out: REPORTS_*
 * @r: the receives, named
 * @ls: the logs
 * @who: the node (or, @vector, the participant) of the sends
 * @vector: the stamps are vector stamps
 */
void report_missing(int out, struct report *r, const struct log_set *ls, uint64_t who,
		    bool vector)
{
	const char *what = r->count == 1 ? "receive names" : "receives name";

	if (vector)
		report_say(out, r, "%u %s sends of participant %014" PRIx64 " that no log has",
			   r->count, what, who);
	else
		report_say(out, r, "%u %s sends of node %016" PRIx64 " that no log has: %s",
			   r->count, what, who, missing_reason(ls, who));
}

/**
 * report_unmatched() - say which receives or accepts match several sends or
 * connects, and which accepts none
 * @out: REPORTS_*
 * @ambiguous: the receives and accepts that match several
 * @accepts: the accepts that match none
 */
void report_unmatched(int out, struct report *ambiguous, struct report *accepts)
{
	if (ambiguous->count)
		report_say(out, ambiguous,
			   "%u receives or accepts match more than one send or connect (no edge made)",
			   ambiguous->count);
	if (accepts->count)
		report_say(out, accepts, "%u accepts have no connect in the logs", accepts->count);
}

static void emit_missing(const struct graph *g, struct missing_set *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		report_missing(g->reports, &ms->v[i].r, g->ls, ms->v[i].who, ms->v[i].vector);
	report_unmatched(g->reports, &ms->ambiguous, &ms->accepts);
	free(ms->v);
}

/* Message edges into receive @i; flags what the logs do not explain. */
static int receive_edges(struct graph *g, struct matcher *m, struct missing_set *ms,
			 struct edges *E, uint32_t i, uint8_t *received)
{
	const struct log_set *ls = g->ls;
	const struct log_event *e = &ls->ev[i];
	uint32_t k, *slot;

	if (!(e->has & HAS_FROM) || !e->nfrom || (e->has & HAS_UNSTAMPED))
		g->flags[i] |= GF_ENTRY;
	for (k = 0; k < e->nfrom; k++) {
		const struct log_stamp *s = &ls->from[e->from + k];

		slot = stamp_slot(m, ls->ev, s);
		if (*slot == HT_EMPTY) {
			g->flags[i] |= GF_ENTRY;
			if (note_missing(g, ms, s, i))
				return -ENOMEM;
		} else if (m->ambiguous[*slot] & (s->vector ? 2 : 1)) {
			g->flags[i] |= GF_ENTRY | GF_AMBIGUOUS;
			report_add(&ms->ambiguous, g, i);
		} else {
			received[*slot] = 1;
			if (edge_add(E, *slot, i, EDGE_MESSAGE))
				return -ENOMEM;
		}
	}
	return 0;
}

static int accept_edge(struct graph *g, struct matcher *m, struct missing_set *ms,
		       struct edges *E, uint32_t i, uint8_t *received)
{
	const struct log_event *e = &g->ls->ev[i];
	uint32_t *slot;

	if (e->proto != PROTO_TCP || !e->src || !e->dst)
		return 0;
	slot = connect_slot(m, g->ls->ev, e->dst, e->src);
	if (*slot == HT_EMPTY) {
		g->flags[i] |= GF_ENTRY;
		report_add(&ms->accepts, g, i);
		return 0;
	}
	if (m->ambiguous[*slot] & 4) {
		g->flags[i] |= GF_ENTRY | GF_AMBIGUOUS;
		report_add(&ms->ambiguous, g, i);
		return 0;
	}
	received[*slot] = 1;
	return edge_add(E, *slot, i, EDGE_CONNECT);
}

static int message_edges(struct graph *g, struct edges *E, uint8_t *received)
{
	struct matcher m = {};
	struct missing_set ms = {};
	uint32_t i;
	int err;

	report_init(&ms.ambiguous, "ambiguous");
	report_init(&ms.accepts, "missing");
	err = index_sends(g, &m);
	for (i = 0; !err && i < g->n; i++) {
		if (g->ls->ev[i].type == EV_RECV)
			err = receive_edges(g, &m, &ms, E, i, received);
		else if (g->ls->ev[i].type == EV_ACCEPT)
			err = accept_edge(g, &m, &ms, E, i, received);
	}
	if (!err)
		emit_missing(g, &ms);
	else
		free(ms.v);
	ht_free(&m.scalar);
	ht_free(&m.vector);
	ht_free(&m.connects);
	free(m.ambiguous);
	return err;
}

/*
 * Sends and connects no log received are where a path may leave the logs.
 * A TCP send before a received one of its socket was received too (FIFO).
 */
static void flag_exits(struct graph *g, const struct groups *sockets, const uint8_t *received)
{
	const struct log_event *ev = g->ls->ev;
	uint32_t c, i;
	bool later;

	for (i = 0; i < g->n; i++)
		if ((ev[i].type == EV_SEND || ev[i].type == EV_CONNECT) && !received[i])
			g->flags[i] |= GF_EXIT;
	for (c = 0; c < sockets->n; c++) {
		later = false;
		for (i = sockets->off[c + 1]; i-- > sockets->off[c];) {
			uint32_t e = sockets->seq[i];

			if (ev[e].type != EV_SEND)
				continue;
			if (received[e])
				later = true;
			else if (later)
				g->flags[e] &= ~GF_EXIT;
		}
	}
}

/* Is log @f incomplete: cut short, lossy or filtered? */
static bool log_partial(const struct log_file *f)
{
	return !f->trailer || f->trailer_events != f->nevents || f->lost || f->filtered;
}

/**
 * log_reports() - report the logs that lack events
 * @ls: the logs, read
 * @out: REPORTS_*
 */
void log_reports(const struct log_set *ls, int out)
{
	struct report r;
	size_t k;

	for (k = 0; k < ls->nlogs; k++) {
		const struct log_file *f = &ls->logs[k];

		if (!f->trailer) {
			report_init(&r, "cut");
			report_say(out, &r, "%s: no trailer: the log was cut short (incomplete)",
				   f->path);
		} else if (f->trailer_events != f->nevents) {
			report_init(&r, "cut");
			report_say(out, &r, "%s: the trailer counts %" PRIu64
				   " events, the log has %u (incomplete)",
				   f->path, f->trailer_events, f->nevents);
		}
		if (f->lost) {
			report_init(&r, "lost");
			report_say(out, &r, "%s: %" PRIu64 " events lost (incomplete)", f->path,
				   f->lost);
		}
		if (f->filtered) {
			report_init(&r, "filtered");
			report_say(out, &r, "%s: filtered: it lacks events of its node", f->path);
		}
	}
}

/* Logs that lack events: reported; any of their events may lead in or out. */
static void check_logs(struct graph *g)
{
	const struct log_set *ls = g->ls;
	uint32_t i;

	log_reports(ls, g->reports);
	for (i = 0; i < g->n; i++)
		if (log_partial(&ls->logs[ls->ev[i].log]))
			g->flags[i] |= GF_EXIT | GF_ENTRY | GF_PARTIAL;
}

/* --- the total order ---------------------------------------------------------- */

struct heap_item {
	uint64_t time;
	uint32_t e;
};

static bool heap_less(const struct heap_item *a, const struct heap_item *b)
{
	return a->time < b->time || (a->time == b->time && a->e < b->e);
}

static void heap_push(struct heap_item *h, uint32_t *n, struct heap_item x)
{
	uint32_t i = (*n)++;

	while (i && heap_less(&x, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

static uint32_t heap_pop(struct heap_item *h, uint32_t *n)
{
	uint32_t top = h[0].e, i = 0, c;
	struct heap_item x = h[--(*n)];

	for (;;) {
		c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && heap_less(&h[c + 1], &h[c]))
			c++;
		if (!heap_less(&h[c], &x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
	return top;
}

/* Name the events of a cycle among those Kahn's algorithm could not place. */
static void report_cycle(struct graph *g, const uint32_t *indeg)
{
	uint32_t *seen = g->pos, e, i, start, step = 0;
	struct report r;

	for (e = 0; indeg[e] == 0; e++)
		;
	/* walk back along unplaced predecessors until one repeats */
	while (seen[e] == HT_EMPTY) {
		seen[e] = step++;
		for (i = g->in_off[e]; indeg[g->in[i]] == 0; i++)
			;
		e = g->in[i];
	}
	start = e;
	report_init(&r, "cycle");
	do {
		report_add(&r, g, e);
		for (i = g->in_off[e]; indeg[g->in[i]] == 0; i++)
			;
		e = g->in[i];
	} while (e != start && r.count < 1000000);
	report_say(g->reports, &r, "inconsistent logs: a cycle of %u events, %s", r.count,
		   "each happened before the next (listed backwards)");
	g->inconsistent = true;
}

static int total_order(struct graph *g)
{
	const struct log_event *ev = g->ls->ev;
	struct heap_item *heap;
	uint32_t *indeg, i, k, n = 0, placed = 0;

	heap = malloc((g->n + 1) * sizeof(*heap));
	indeg = malloc((g->n + 1) * sizeof(*indeg));
	g->order = malloc((g->n + 1) * sizeof(*g->order));
	g->pos = malloc((g->n + 1) * sizeof(*g->pos));
	if (!heap || !indeg || !g->order || !g->pos) {
		free(heap);
		free(indeg);
		return -ENOMEM;
	}
	for (i = 0; i < g->n; i++) {
		indeg[i] = g->in_off[i + 1] - g->in_off[i];
		g->pos[i] = HT_EMPTY;
		if (!indeg[i])
			heap_push(heap, &n, (struct heap_item){ ev[i].time, i });
	}
	while (n) {
		uint32_t e = heap_pop(heap, &n);

		g->pos[e] = placed;
		g->order[placed++] = e;
		for (k = g->out_off[e]; k < g->out_off[e + 1]; k++) {
			uint32_t s = g->out[k];

			if (!--indeg[s])
				heap_push(heap, &n, (struct heap_item){ ev[s].time, s });
		}
	}
	free(heap);
	if (placed < g->n)
		report_cycle(g, indeg);
	free(indeg);
	return 0;
}

/* --- building it all -------------------------------------------------------- */

/**
 * graph_build() - merge logs into the happened-before graph and order it
 * @g: the graph
 * @ls: the logs (duplicate events are dropped from them)
 * @reports: REPORTS_*: where reports go
 *
 * Reports what the logs lack and what contradicts on stderr.
 *
 * Return: 0, or -ENOMEM.  @g->inconsistent says whether the logs contradict
 * each other (then @g->order is incomplete).
 */
int graph_build(struct graph *g, struct log_set *ls, int reports)
{
	struct groups threads = {}, sockets = {};
	uint32_t *prog_next = NULL, i, c;
	uint8_t *received = NULL;
	struct edges E = {};
	int err = -ENOMEM;

	memset(g, 0, sizeof(*g));
	g->ls = ls;
	g->reports = reports;
	if (stream_join(ls) || index_events(g))
		goto out;
	g->flags = calloc(g->n + 1, 1);
	received = calloc(g->n + 1, 1);
	prog_next = malloc((g->n + 1) * sizeof(*prog_next));
	if (!g->flags || !received || !prog_next)
		goto out;
	if (make_groups(g, &threads, thread_key) || make_groups(g, &sockets, socket_key))
		goto out;
	for (i = 0; i < g->n; i++)
		prog_next[i] = HT_EMPTY;
	for (c = 0; c < threads.n; c++)
		for (i = threads.off[c] + 1; i < threads.off[c + 1]; i++)
			prog_next[threads.seq[i - 1]] = threads.seq[i];
	if (chain_edges(&threads, &E, EDGE_PROGRAM, NULL) ||
	    chain_edges(&sockets, &E, EDGE_SOCKET, prog_next) ||
	    message_edges(g, &E, received))
		goto out;
	flag_exits(g, &sockets, received);
	check_logs(g);

	/* threads are the chains of vector clocks */
	g->chains = malloc((threads.n + 1) * sizeof(*g->chains));
	if (!g->chains)
		goto out;
	g->nchains = threads.n;
	for (c = 0; c < threads.n; c++) {
		uint32_t first = threads.seq[threads.off[c]];

		g->chains[c] = (struct chain){ ls->ev[first].node, ls->ev[first].tid,
					       ls->ev[first].log };
	}
	g->chain = threads.of;
	threads.of = NULL;

	if (compress(g->n, &E, E.from, E.to, &g->out_off, &g->out, &g->out_kind) ||
	    compress(g->n, &E, E.to, E.from, &g->in_off, &g->in, &g->in_kind))
		goto out;
	free(E.from);
	free(E.to);
	free(E.kind);
	E = (struct edges){};
	err = total_order(g);
out:
	free_groups(&threads);
	free_groups(&sockets);
	free(E.from);
	free(E.to);
	free(E.kind);
	free(prog_next);
	free(received);
	if (err == -ENOMEM)
		fprintf(stderr, "causalctl: out of memory\n");
	return err;
}

void graph_free(struct graph *g)
{
	free(g->out_off);
	free(g->out);
	free(g->out_kind);
	free(g->in_off);
	free(g->in);
	free(g->in_kind);
	free(g->flags);
	free(g->chain);
	free(g->chains);
	free(g->order);
	free(g->pos);
	ht_free(&g->by_id);
}

/* "LABEL/TID": a chain's name, without spaces (ShiViz splits on them). */
int graph_chain_name(const struct graph *g, uint32_t c, char *buf, size_t len)
{
	const struct chain *ch = &g->chains[c];
	char *p;
	int n;

	n = snprintf(buf, len, "%s/%u", g->ls->logs[ch->log].label, ch->tid);
	for (p = buf; *p; p++)
		if (*p == ' ' || *p == '\t')
			*p = '_';
	return n;
}

/**
 * graph_why_entry() - why a path may come into the logs at event @e
 * @g: the graph
 * @e: an event flagged GF_ENTRY
 * @buf: for the answer
 * @len: its size
 *
 * Return: the length of the answer.
 */
int graph_why_entry(const struct graph *g, uint32_t e, char *buf, size_t len)
{
	const struct log_set *ls = g->ls;
	const struct log_event *ev = &ls->ev[e];
	uint32_t k;

	if (g->flags[e] & GF_PARTIAL)
		return snprintf(buf, len, "its log %s is incomplete", ls->logs[ev->log].path);
	if (g->flags[e] & GF_AMBIGUOUS)
		return snprintf(buf, len, "its stamp matches several events");
	if (ev->type == EV_ACCEPT)
		return snprintf(buf, len, "its connect is in no log");
	if (!ev->nfrom || (ev->has & HAS_UNSTAMPED))
		return snprintf(buf, len, "bytes came without a stamp");
	for (k = 0; k < ev->nfrom; k++) {
		const struct log_stamp *s = &ls->from[ev->from + k];

		if (s->vector)
			return snprintf(buf, len, "send %014" PRIx64 "#%" PRIu64 " is in no log",
					s->who, s->n);
		if (graph_find(g, s->who, s->n) == HT_EMPTY)
			return snprintf(buf, len, "send %016" PRIx64 ":%" PRIu64 " is in no log",
					s->who, s->n);
	}
	return snprintf(buf, len, "a send it names is in no log");
}
