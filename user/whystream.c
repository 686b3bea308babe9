// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl why on logs larger than memory (Documentation/analysis.rst,
 * "why as the logs are read"): the merge of merge.c hands each event on in
 * a causal order, and what reaches it is carried forward in bits, never a
 * graph.
 *
 * An event is reached from A if an event before it in its thread or TCP
 * socket is, or a send it received, or the connect of its accept: so a
 * bit per thread, per socket, per printed send and per connect carries
 * "reached from A", "from B" and "from a way in" (a receive whose send no
 * log has) along the order.  B reached from A: A happened before B.  A
 * second pass keeps the events between the two, builds their graph and
 * finds the shortest chain as evidence (every chain from A to B lies
 * between them in any causal order).  Neither: concurrent, unless a path
 * may leave the logs after one (a send no log received, reached from it
 * and not from the other) and come back before the other (which a way in
 * reaches): unknown.  Where the whole graph would name the receives to
 * blame, this says less, never more.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causalctl.h"
#include "export.h"
#include "merge.h"
#include "print.h"
#include "why.h"

/* Bits carried along the order. */
enum {
	R_A = 1 << 0,		/* reached from A */
	R_B = 1 << 1,		/* from B */
	R_IN = 1 << 2,		/* from a way into the logs */
	X_A = 1 << 3,		/* a send reached from A, not B, no receive yet */
	X_B = 1 << 4,		/* ... from B, not A */
	SENT = 1 << 5,		/* a send in the order */
};

#define REACH (R_A | R_B | R_IN)
#define PAGE_IDS (1U << 15)

/* A byte of bits per id (low 32 bits) of a node's sends, in pages. */
struct sends {
	uint8_t **page;
	uint32_t npages;
};

struct wstate {
	struct why_spec a, b;
	bool named;			/* NODE:ID arguments resolved */
	bool have_a, have_b;
	uint64_t seen_a, seen_b;	/* filter matches so far */
	struct log_event ev_a, ev_b;
	uint64_t pos_a, pos_b;
	uint8_t bits_a, bits_b;
	struct kmap threads, sockets;	/* bits by thread, by TCP socket */
	struct u64map node_ix;		/* node -> its struct sends */
	struct sends *sends;
	uint32_t nnodes, capnodes;
	struct u64map conn_ix;		/* (src, dst) -> conn_bits, conn_count */
	uint8_t *conn_bits;
	uint32_t *conn_count;
	uint32_t nconns, capconns;
	uint64_t exits_a, exits_b;	/* sends and connects marked X_A, X_B */
	bool partial_a, partial_b;	/* an event of an incomplete log reached so */
	const struct log_set *ls;	/* while the logs are read */
	char name_a[REPORT_NAME_LEN], name_b[REPORT_NAME_LEN];
	enum { NO_PATH, A_TO_B, B_TO_A } path;	/* found: the evidence to show */
};

static uint8_t *send_byte(struct wstate *w, uint64_t node, uint64_t id32, bool make)
{
	uint32_t i = u64map_get(&w->node_ix, node), p = id32 / PAGE_IDS;
	struct sends *s;

	if (i == U64MAP_NONE) {
		if (!make)
			return NULL;
		if (w->nnodes == w->capnodes) {
			uint32_t cap = w->capnodes ? 2 * w->capnodes : 64;
			struct sends *q = realloc(w->sends, cap * sizeof(*q));

			if (!q)
				return NULL;
			w->sends = q;
			w->capnodes = cap;
		}
		if (u64map_put(&w->node_ix, node, w->nnodes))
			return NULL;
		i = w->nnodes++;
		w->sends[i] = (struct sends){};
	}
	s = &w->sends[i];
	if (p >= s->npages) {
		uint32_t n = p + 1 > 2 * s->npages ? p + 1 : 2 * s->npages;
		uint8_t **q;

		if (!make)
			return NULL;
		q = realloc(s->page, n * sizeof(*q));
		if (!q)
			return NULL;
		memset(q + s->npages, 0, (n - s->npages) * sizeof(*q));
		s->page = q;
		s->npages = n;
	}
	if (!s->page[p]) {
		if (!make)
			return NULL;
		s->page[p] = calloc(PAGE_IDS, 1);
		if (!s->page[p])
			return NULL;
	}
	return &s->page[p][id32 % PAGE_IDS];
}

/* A send or connect is received: no longer a way out of the logs. */
static void received(struct wstate *w, uint8_t *bits)
{
	if (*bits & X_A)
		w->exits_a--;
	if (*bits & X_B)
		w->exits_b--;
	*bits &= ~(X_A | X_B);
}

/* Mark a send or connect with what reaches it, and as a way out if so. */
static void sent(struct wstate *w, uint8_t *bits, uint8_t reach)
{
	received(w, bits);
	*bits = SENT | reach;
	if ((reach & (R_A | R_B)) == R_A) {
		*bits |= X_A;
		w->exits_a++;
	} else if ((reach & (R_A | R_B)) == R_B) {
		*bits |= X_B;
		w->exits_b++;
	}
}

static uint8_t *conn_byte(struct wstate *w, uint32_t src, uint32_t dst, bool make,
			  uint32_t **count)
{
	uint64_t key = (uint64_t)src << 32 | dst;
	uint32_t i = u64map_get(&w->conn_ix, key);

	if (i == U64MAP_NONE) {
		if (!make)
			return NULL;
		if (w->nconns == w->capconns) {
			uint32_t cap = w->capconns ? 2 * w->capconns : 256;
			uint8_t *b = realloc(w->conn_bits, cap);
			uint32_t *c;

			if (!b)
				return NULL;
			w->conn_bits = b;
			c = realloc(w->conn_count, cap * sizeof(*c));
			if (!c)
				return NULL;
			w->conn_count = c;
			w->capconns = cap;
		}
		if (u64map_put(&w->conn_ix, key, w->nconns))
			return NULL;
		i = w->nconns++;
		w->conn_bits[i] = 0;
		w->conn_count[i] = 0;
	}
	*count = &w->conn_count[i];
	return &w->conn_bits[i];
}

/* Is @ev what @sp names (the nth match of a filter: counted in @seen)? */
static bool named(const struct log_set *ls, const struct why_spec *sp,
		  const struct log_event *ev, uint64_t *seen)
{
	if (sp->filter)
		return why_filter(ls, ev, sp->filter) > 0 && ++*seen == sp->nth;
	return ev->node == sp->node && ev->id == sp->id;
}

static bool log_partial(const struct log_file *f)
{
	return !f->trailer || f->trailer_events != f->nevents || f->lost || f->filtered;
}

/* What may come into the logs at @ev: a way in. */
static bool way_in(struct wstate *w, const struct merge_event *me, uint8_t *reach)
{
	const struct log_event *ev = me->ev;
	bool in = false;
	uint32_t k, *count;
	uint8_t *b;

	if (ev->type == EV_RECV) {
		in = !(ev->has & HAS_FROM) || !ev->nfrom || (ev->has & HAS_UNSTAMPED);
		for (k = 0; k < ev->nfrom; k++) {
			const struct log_stamp *st = &me->st[k];

			b = st->vector ? NULL : send_byte(w, st->who, st->n, false);
			if (!b || !(*b & SENT)) {
				in = true;
				continue;
			}
			*reach |= *b & REACH;
			received(w, b);
		}
	} else if (ev->type == EV_ACCEPT && ev->proto == PROTO_TCP && ev->src && ev->dst) {
		b = conn_byte(w, ev->dst, ev->src, false, &count);
		if (!b || *count != 1) {
			in = true;
		} else {
			*reach |= *b & REACH;
			received(w, b);
		}
	}
	return in;
}

static int on_event(struct wstate *w, const struct merge_event *me)
{
	const struct log_event *ev = me->ev;
	const struct log_file *f = &me->ls->logs[ev->log];
	struct kent *th, *so = NULL;
	uint8_t reach = 0, *b;
	uint32_t *count;

	th = kmap_get(&w->threads, ev->node, ev->tid, ev->tstart);
	if (!th)
		return -ENOMEM;
	reach |= th->val;
	if (ev->proto == PROTO_TCP && (ev->has & HAS_COOKIE)) {
		so = kmap_get(&w->sockets, ev->node, ev->cookie, UINT64_MAX);
		if (!so)
			return -ENOMEM;
		reach |= so->val;
	}
	/* filtered logs lack events anywhere; logs cut or lossy are found at their end */
	if (way_in(w, me, &reach) || f->filtered)
		reach |= R_IN;
	if (!w->have_a && named(me->ls, &w->a, ev, &w->seen_a)) {
		w->have_a = true;
		reach |= R_A;
		w->ev_a = *ev;
		w->pos_a = me->pos;
	}
	if (!w->have_b && named(me->ls, &w->b, ev, &w->seen_b)) {
		w->have_b = true;
		reach |= R_B;
		w->ev_b = *ev;
		w->pos_b = me->pos;
	}
	if (w->have_a && ev->node == w->ev_a.node && ev->id == w->ev_a.id)
		w->bits_a = reach;
	if (w->have_b && ev->node == w->ev_b.node && ev->id == w->ev_b.id)
		w->bits_b = reach;
	/* fix the thread's (and socket's) entry again: the table may have moved */
	th = kmap_get(&w->threads, ev->node, ev->tid, ev->tstart);
	th->val |= reach;
	if (so) {
		so = kmap_get(&w->sockets, ev->node, ev->cookie, UINT64_MAX);
		so->val |= reach;
	}
	if (f->filtered) {
		w->partial_a |= (reach & (R_A | R_B)) == R_A;
		w->partial_b |= (reach & (R_A | R_B)) == R_B;
	}
	if (ev->type == EV_SEND) {
		b = send_byte(w, ev->node, ev->id & UINT32_MAX, true);
		if (!b)
			return -ENOMEM;
		sent(w, b, reach & REACH);
	} else if (ev->type == EV_CONNECT && ev->proto == PROTO_TCP && ev->src && ev->dst) {
		b = conn_byte(w, ev->src, ev->dst, true, &count);
		if (!b)
			return -ENOMEM;
		sent(w, b, reach & REACH);
		++*count;
	}
	return 0;
}

static void say_answer(struct wstate *w, const char *answer, const char *text)
{
	struct json *j = print_json();
	const char *na = w->name_a, *nb = w->name_b;

	if (j) {
		json_open(j, '{');
		json_key(j, "a");
		json_string(j, na);
		json_key(j, "b");
		json_string(j, nb);
		json_key(j, "answer");
		json_string(j, answer);
		if (!strcmp(answer, "unknown")) {
			json_key(j, "receives");
			json_open(j, '[');
			json_close(j, ']');
		}
		json_close(j, '}');
		fputc('\n', stdout);
		return;
	}
	printf(text, na, nb);
}

#define UNKNOWN_TEXT \
	"unknown: no path in the logs, but one may pass through events they lack\n" \
	"(%s, %s: a send no log received may lead out, and a receive whose send\n" \
	"is in no log back in; --in-memory names them)\n"

/* The answer without a path: concurrent or unknown.  Return: the exit status. */
static int no_path(struct wstate *w)
{
	bool in_a = w->bits_a & R_IN, in_b = w->bits_b & R_IN;
	bool out_a = w->exits_a || w->partial_a, out_b = w->exits_b || w->partial_b;
	size_t k;

	/* a log found cut or lossy at its end: a way in and out anywhere */
	for (k = 0; k < w->ls->nlogs; k++)
		if (log_partial(&w->ls->logs[k])) {
			in_a = true;
			in_b = true;
			out_a = true;
			out_b = true;
		}
	if ((out_a && in_b) || (out_b && in_a)) {
		say_answer(w, "unknown", UNKNOWN_TEXT);
		return EXIT_FAIL;
	}
	say_answer(w, "concurrent", "concurrent: neither happened before the other%.0s%.0s\n");
	return 0;
}

/* --- the second pass: the events between A and B, their graph, the path ------- */

struct wwin {
	uint64_t from, to;	/* positions */
	size_t cap;		/* the most events to hold */
	struct log_set ls;
	bool over;
};

static uint32_t reintern(struct log_set *to, const struct log_set *from, uint32_t id)
{
	const char *s = log_str(from, id);

	return id == STR_NONE ? STR_NONE : log_intern(to, s, strlen(s));
}

static int copy_logs(struct log_set *to, const struct log_set *from)
{
	size_t i;

	to->logs = calloc(from->nlogs, sizeof(*to->logs));
	if (!to->logs)
		return -ENOMEM;
	for (i = 0; i < from->nlogs; i++) {
		const struct log_file *f = &from->logs[i];
		struct log_file *t = &to->logs[i];

		*t = *f;
		t->host = strdup(f->host);
		if (!t->host)
			return -ENOMEM;
		t->label = f->label == f->host ? t->host : f->label;
		to->nlogs++;
	}
	return 0;
}

static int keep_window(void *arg, const struct merge_event *me)
{
	struct wwin *ww = arg;
	struct log_set *ls = &ww->ls;
	struct log_event ev;
	uint32_t k;

	if (!me->ev || me->pos < ww->from)
		return 0;
	if (!ls->logs && copy_logs(ls, me->ls))
		return -ENOMEM;
	if (ls->n >= ww->cap) {
		ww->over = true;
		return MERGE_STOP;
	}
	ev = *me->ev;
	ev.comm = reintern(ls, me->ls, ev.comm);
	ev.src = reintern(ls, me->ls, ev.src);
	ev.dst = reintern(ls, me->ls, ev.dst);
	ev.probe = reintern(ls, me->ls, ev.probe);
	ev.cgpath = reintern(ls, me->ls, ev.cgpath);
	ev.from = ls->nfrom;
	for (k = 0; k < ev.nfrom; k++)
		if (log_add_stamp(ls, &me->st[k]))
			return -ENOMEM;
	ev.nvector = 0;
	ev.has &= ~HAS_VECTOR;
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 4096;
		struct log_event *p = realloc(ls->ev, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ls->ev = p;
		ls->cap = cap;
	}
	ls->ev[ls->n++] = ev;
	return me->pos >= ww->to ? MERGE_STOP : 0;
}

/* A before B (or B before A, @after): the evidence from the events between. */
static int evidence(struct wstate *w, char **paths, int n, char **labels, int nlabels,
		    size_t window, bool after)
{
	struct wwin ww = { .cap = window };
	struct merge_opts o = { MERGE_WINDOW, false, keep_window, &ww, REPORTS_NONE };
	struct graph g;
	uint32_t a, b;
	int ret;

	ww.from = after ? w->pos_b : w->pos_a;
	ww.to = after ? w->pos_a : w->pos_b;
	ret = merge_run(paths, n, labels, nlabels, &o);
	if (ret)
		goto out;
	if (ww.over) {
		if (after)
			say_answer(w, "after", "after: %2$s happened before %1$s\n");
		else
			say_answer(w, "before", "before: %s happened before %s\n");
		fprintf(stderr, "causalctl: no %s shown: more than %zu events lie between them%s\n",
			"evidence", window, " (--window)");
		goto out;
	}
	ret = EXIT_FAIL;
	if (graph_build(&g, &ww.ls, REPORTS_NONE))
		goto out;
	a = graph_find(&g, w->ev_a.node, w->ev_a.id);
	b = graph_find(&g, w->ev_b.node, w->ev_b.id);
	if (a == HT_EMPTY || b == HT_EMPTY)
		fprintf(stderr, "causalctl: the logs changed while they were read\n");
	else
		ret = why_graph_answer(&g, a, b);
	graph_free(&g);
out:
	log_free(&ww.ls);
	return ret;
}

/* --- the first pass ------------------------------------------------------------ */

static int first_pass(void *arg, const struct merge_event *me)
{
	struct wstate *w = arg;
	int ret;

	if (!w->named) {
		w->named = true;
		if ((!w->a.filter && why_spec_node(me->ls, &w->a)) ||
		    (!w->b.filter && why_spec_node(me->ls, &w->b)))
			return me->ev ? -ECANCELED : EXIT_FAIL;
	}
	if (me->ev) {
		ret = on_event(w, me);
		if (ret == -ENOMEM)
			fprintf(stderr, "causalctl: out of memory\n");
		return ret;
	}
	/* the end of the logs */
	w->ls = me->ls;
	if (w->have_a)
		snprintf(w->name_a, sizeof(w->name_a), "%s:%" PRIu64,
			 log_label(me->ls, &w->ev_a), w->ev_a.id);
	if (w->have_b)
		snprintf(w->name_b, sizeof(w->name_b), "%s:%" PRIu64,
			 log_label(me->ls, &w->ev_b), w->ev_b.id);
	if (!w->have_a)
		return why_spec_none(&w->a, w->seen_a);
	if (!w->have_b)
		return why_spec_none(&w->b, w->seen_b);
	if (w->ev_a.node == w->ev_b.node && w->ev_a.id == w->ev_b.id) {
		say_answer(w, "same", "same: %s and %s are the same event\n");
		return MERGE_STOP;
	}
	if (w->bits_b & R_A)
		w->path = A_TO_B;
	else if (w->bits_a & R_B)
		w->path = B_TO_A;
	else
		return no_path(w) ? EXIT_FAIL : MERGE_STOP;
	return MERGE_STOP;
}

static void wstate_free(struct wstate *w)
{
	uint32_t i, p;

	kmap_free(&w->threads);
	kmap_free(&w->sockets);
	for (i = 0; i < w->nnodes; i++) {
		for (p = 0; p < w->sends[i].npages; p++)
			free(w->sends[i].page[p]);
		free(w->sends[i].page);
	}
	free(w->sends);
	u64map_free(&w->node_ix);
	u64map_free(&w->conn_ix);
	free(w->conn_bits);
	free(w->conn_count);
}

/**
 * why_stream() - causalctl why as the logs are read, in bounded memory
 * @a: the first event argument (NODE:ID or a filter)
 * @b: the second
 * @paths: the logs
 * @n: how many
 * @labels: --label options
 * @nlabels: how many
 * @window: what merge_run() holds to read ahead, and the most events between
 *	    A and B held for the evidence
 *
 * Return: the exit status, or MERGE_IN_MEMORY when the logs need the graph.
 */
int why_stream(char *a, char *b, char **paths, int n, char **labels, int nlabels,
	       size_t window)
{
	struct wstate w = {};
	struct merge_opts o = { window, false, first_pass, &w, REPORTS_TEXT };
	int ret;

	/* copies: the arguments stay whole for the graph, if the logs need it */
	a = strdup(a);
	b = strdup(b);
	if (!a || !b) {
		free(a);
		free(b);
		fprintf(stderr, "causalctl: out of memory\n");
		return EXIT_FAIL;
	}
	ret = why_spec_parse(a, &w.a);
	if (!ret)
		ret = why_spec_parse(b, &w.b);
	if (ret) {
		free(a);
		free(b);
		return ret;
	}
	ret = merge_run(paths, n, labels, nlabels, &o);
	if (!ret && w.path != NO_PATH)
		ret = evidence(&w, paths, n, labels, nlabels, window, w.path == B_TO_A);
	wstate_free(&w);
	free(a);
	free(b);
	return ret;
}
