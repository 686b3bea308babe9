// SPDX-License-Identifier: GPL-2.0
/*
 * Exports of the happened-before graph: ShiViz logs, Chrome JSON traces
 * for ui.perfetto.dev, Graphviz DOT and OTLP/HTTP JSON.  How to open each
 * is in Documentation/analysis.rst.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <causal/version.h>

#include "cgname.h"
#include "export.h"
#include "merge.h"
#include "print.h"
#include "otlp.h"
#include "otlp_http.h"
#include "spans.h"

/* A line being written: at most end - p more characters, then a NUL. */
struct line_out {
	char *p, *end;
};

static void put_n(struct line_out *o, const char *s, size_t n)
{
	if (n > (size_t)(o->end - o->p))
		n = o->end - o->p;
	memcpy(o->p, s, n);
	o->p += n;
}

static void put_s(struct line_out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

static void put_u(struct line_out *o, uint64_t v)
{
	char t[20];
	int i = sizeof(t);

	do {
		t[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put_n(o, t + i, sizeof(t) - i);
}

/**
 * event_line() - one line on an event: "HOST:ID TYPE COMM[TID]
 * RUNTIME:CONTAINER PROTO SRC->DST NB", the parts it has
 * @ls: the logs its strings are in
 * @ev: the event
 * @buf: for the line
 * @len: its size (not 0)
 *
 * Return: the length of the line, cut to fit.
 */
size_t event_line(const struct log_set *ls, const struct log_event *ev, char *buf, size_t len)
{
	struct line_out o = { buf, buf + len - 1 };

	put_s(&o, log_label(ls, ev));
	put_n(&o, ":", 1);
	put_u(&o, ev->id);
	put_n(&o, " ", 1);
	put_s(&o, ev_type_names[ev->type]);
	put_n(&o, " ", 1);
	put_s(&o, log_str(ls, ev->comm));
	put_n(&o, "[", 1);
	put_u(&o, ev->tid);
	put_n(&o, "]", 1);
	if (ev->cgpath) {
		struct cg_names cn;

		cg_names_of(log_str(ls, ev->cgpath), &cn);
		if (cn.runtime) {
			put_n(&o, " ", 1);
			put_s(&o, cn.runtime);
			put_n(&o, ":", 1);
			put_n(&o, cn.container, strnlen(cn.container, 12));
		}
	}
	if (ev->proto) {
		put_n(&o, " ", 1);
		put_s(&o, ev_proto_names[ev->proto]);
		put_n(&o, " ", 1);
		put_s(&o, log_str(ls, ev->src));
		put_n(&o, "->", 2);
		put_s(&o, log_str(ls, ev->dst));
	}
	if (ev->has & HAS_BYTES) {
		put_n(&o, " ", 1);
		put_u(&o, ev->bytes);
		put_n(&o, "B", 1);
	}
	if (ev->probe) {
		put_n(&o, " ", 1);
		put_s(&o, log_str(ls, ev->probe));
	}
	*o.p = 0;
	return o.p - buf;
}

/* event_line() of event @e of the graph @g. */
void event_summary(const struct graph *g, uint32_t e, char *buf, size_t len)
{
	event_line(g->ls, &g->ls->ev[e], buf, len);
}

/* A vector clock over threads as {"LABEL/TID":N,...}, entries that are not 0. */
void vc_json(struct json *j, const struct graph *g, const uint32_t *vc)
{
	char name[128];
	uint32_t c;

	json_open(j, '{');
	for (c = 0; c < g->nchains; c++) {
		if (!vc[c])
			continue;
		graph_chain_name(g, c, name, sizeof(name));
		json_key(j, name);
		json_u64(j, vc[c]);
	}
	json_close(j, '}');
}

/* The events of each chain in order: chain c's are seq[off[c] .. off[c + 1]). */
struct by_chain {
	uint32_t *off, *seq;
};

static int by_chain(const struct graph *g, struct by_chain *b)
{
	uint32_t i, c;

	b->off = calloc(g->nchains + 2, sizeof(*b->off));
	b->seq = malloc((g->n + 1) * sizeof(*b->seq));
	if (!b->off || !b->seq) {
		free(b->off);
		free(b->seq);
		return -ENOMEM;
	}
	for (i = 0; i < g->n; i++)
		b->off[g->chain[i] + 2]++;
	for (c = 0; c < g->nchains; c++)
		b->off[c + 2] += b->off[c + 1];
	for (i = 0; i < g->n; i++)
		b->seq[b->off[g->chain[g->order[i]] + 1]++] = g->order[i];
	return 0;
}

static void by_chain_free(struct by_chain *b)
{
	free(b->off);
	free(b->seq);
}

/**
 * export_to() - write an export to a file
 * @g: the graph
 * @path: the file
 * @fn: the exporter
 *
 * Return: 0, or -1 after saying what failed.
 */
int export_to(const struct graph *g, const char *path, int (*fn)(const struct graph *g, FILE *f))
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f) {
		fprintf(stderr, "causalctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	err = fn(g, f);
	if (ferror(f) && !err)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "causalctl: %s: %s\n", path, strerror(-err));
		return -1;
	}
	return 0;
}

/* --- ShiViz ----------------------------------------------------------------- */

/*
 * ShiViz's default parser, (?<event>.*)\n(?<host>\S*) (?<clock>{.*}): an
 * event's line, then its host (here a thread) and vector clock.
 */
static int shiviz_event(void *arg, uint32_t e, const uint32_t *vc)
{
	const struct graph *g = ((void **)arg)[0];
	FILE *f = ((void **)arg)[1];
	struct json j;
	char line[512];

	event_summary(g, e, line, sizeof(line));
	fprintf(f, "%s\n", line);
	graph_chain_name(g, g->chain[e], line, sizeof(line));
	fprintf(f, "%s ", line);
	json_init(&j, f, false);
	vc_json(&j, g, vc);
	fputc('\n', f);
	return 0;
}

int export_shiviz(const struct graph *g, FILE *f)
{
	void *arg[2] = { (void *)g, f };

	return graph_vc_walk(g, shiviz_event, arg);
}

/* --- Perfetto (Chrome JSON trace) -------------------------------------------------- */

/* A time in microseconds since @t0 (ns), exact to the nanosecond. */
static void json_us(struct json *j, const char *key, uint64_t t, uint64_t t0)
{
	uint64_t d = t > t0 ? t - t0 : 0;

	json_key(j, key);
	/* a number with three decimals: the writer has integers only */
	json_u64(j, d / 1000);
	fprintf(j->out, ".%03" PRIu64, d % 1000);
}

static void json_common(struct json *j, const struct graph *g, uint32_t e, const char *ph,
			const char *name)
{
	const struct log_event *ev = &g->ls->ev[e];

	json_key(j, "ph");
	json_string(j, ph);
	json_key(j, "name");
	json_string(j, name);
	json_key(j, "cat");
	json_string(j, "causal");
	json_key(j, "pid");
	json_u64(j, ev->log + 1);
	json_key(j, "tid");
	json_u64(j, ev->tid);
}

static void perfetto_meta(struct json *j, const char *what, uint64_t pid, const uint32_t *tid,
			  const char *name)
{
	json_open(j, '{');
	json_key(j, "ph");
	json_string(j, "M");
	json_key(j, "name");
	json_string(j, what);
	json_key(j, "pid");
	json_u64(j, pid);
	if (tid) {
		json_key(j, "tid");
		json_u64(j, *tid);
	}
	json_key(j, "args");
	json_open(j, '{');
	json_key(j, "name");
	json_string(j, name);
	json_close(j, '}');
	json_close(j, '}');
}

static void perfetto_flow(struct json *j, const struct graph *g, uint32_t e, const char *ph,
			  uint32_t id, uint64_t t0)
{
	json_open(j, '{');
	json_common(j, g, e, ph, "message");
	json_key(j, "id");
	json_u64(j, id);
	json_us(j, "ts", g->ls->ev[e].time, t0);
	if (ph[0] == 'f') {
		json_key(j, "bp");
		json_string(j, "e");
	}
	json_close(j, '}');
}

static void perfetto_event(struct json *j, const struct graph *g, uint32_t e, uint64_t t0)
{
	const struct log_set *ls = g->ls;
	const struct log_event *ev = &ls->ev[e];
	uint32_t k;

	json_open(j, '{');
	json_common(j, g, e, "X", ev_type_names[ev->type]);
	json_us(j, "ts", ev->time, t0);
	json_key(j, "dur");
	json_u64(j, 1);
	json_key(j, "args");
	json_open(j, '{');
	json_key(j, "pos");
	json_u64(j, g->pos[e] + 1);
	schema_write(j, ls, ev);
	json_close(j, '}');
	json_close(j, '}');
	/* a flow per message: it starts on the send and ends on the receive */
	for (k = g->out_off[e]; k < g->out_off[e + 1]; k++)
		if (g->out_kind[k] == EDGE_MESSAGE || g->out_kind[k] == EDGE_CONNECT)
			perfetto_flow(j, g, e, "s", k + 1, t0);
	for (k = g->in_off[e]; k < g->in_off[e + 1]; k++) {
		uint32_t s = g->in[k], o;

		if (g->in_kind[k] != EDGE_MESSAGE && g->in_kind[k] != EDGE_CONNECT)
			continue;
		/* the id of the flow is the index of the edge out of its send */
		for (o = g->out_off[s]; g->out[o] != e || g->out_kind[o] != g->in_kind[k]; o++)
			;
		perfetto_flow(j, g, e, "f", o + 1, t0);
	}
}

int export_perfetto(const struct graph *g, FILE *f)
{
	const struct log_set *ls = g->ls;
	uint64_t t0 = UINT64_MAX;
	struct by_chain b;
	struct json j;
	char name[160];
	uint32_t i, c;

	if (by_chain(g, &b))
		return -ENOMEM;

	for (i = 0; i < g->n; i++)
		if ((ls->ev[i].has & HAS_TIME) && ls->ev[i].time < t0)
			t0 = ls->ev[i].time;
	if (t0 == UINT64_MAX)
		t0 = 0;
	json_init(&j, f, false);
	json_open(&j, '{');
	json_key(&j, "displayTimeUnit");
	json_string(&j, "ns");
	json_key(&j, "otherData");
	json_open(&j, '{');
	json_key(&j, "generator");
	json_string(&j, "causalctl " CAUSAL_RELEASE);
	json_key(&j, "t0_unix_ns");
	json_u64(&j, t0);
	json_close(&j, '}');
	json_key(&j, "traceEvents");
	json_open(&j, '[');
	for (i = 0; i < ls->nlogs; i++)
		perfetto_meta(&j, "process_name", i + 1, NULL, ls->logs[i].label);
	for (c = 0; c < g->nchains; c++) {
		const struct chain *ch = &g->chains[c];
		uint32_t first = b.seq[b.off[c]];

		snprintf(name, sizeof(name), "%s[%u]", log_str(ls, ls->ev[first].comm), ch->tid);
		perfetto_meta(&j, "thread_name", ch->log + 1, &ch->tid, name);
	}
	for (i = 0; i < g->n; i++)
		perfetto_event(&j, g, g->order[i], t0);
	json_close(&j, ']');
	json_close(&j, '}');
	fputc('\n', f);
	by_chain_free(&b);
	return 0;
}

/* --- Graphviz DOT ------------------------------------------------------------ */

static void dot_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static const char *const dot_edge_style[4] = {
	[EDGE_PROGRAM] = "",
	[EDGE_SOCKET] = " [style=dashed,color=gray40]",
	[EDGE_MESSAGE] = " [color=red,constraint=true]",
	[EDGE_CONNECT] = " [color=blue,style=bold]",
};

int export_dot(const struct graph *g, FILE *f)
{
	const struct log_set *ls = g->ls;
	struct by_chain b;
	uint32_t c, i, k;
	char line[512];
	size_t l;

	if (by_chain(g, &b))
		return -ENOMEM;
	fprintf(f, "digraph causal {\n\tnode [shape=box,fontsize=10];\n");
	for (l = 0; l < ls->nlogs; l++) {
		fprintf(f, "\tsubgraph cluster_%zu {\n\t\tlabel=", l);
		dot_string(f, ls->logs[l].label);
		fprintf(f, ";\n");
		for (c = 0; c < g->nchains; c++) {
			if (g->chains[c].log != l)
				continue;
			fprintf(f, "\t\tsubgraph cluster_%zu_%u {\n\t\t\tlabel=\"tid %u\";\n",
				l, c, g->chains[c].tid);
			/* the thread's events, in order */
			for (i = b.off[c]; i < b.off[c + 1]; i++) {
				uint32_t e = b.seq[i];

				event_summary(g, e, line, sizeof(line));
				fprintf(f, "\t\t\te%u [label=", e);
				dot_string(f, line);
				fprintf(f, "];\n");
			}
			fprintf(f, "\t\t}\n");
		}
		fprintf(f, "\t}\n");
	}
	for (i = 0; i < g->n; i++)
		for (k = g->out_off[i]; k < g->out_off[i + 1]; k++)
			fprintf(f, "\te%u -> e%u%s;\n", i, g->out[k],
				dot_edge_style[g->out_kind[k]]);
	fprintf(f, "}\n");
	by_chain_free(&b);
	return 0;
}

/* --- OTLP: JSON and protobuf --------------------------------------------------- */

struct otlp_links {
	struct otlp_link *l;
	size_t cap;
};

static void export_span(struct otlp *o, const struct graph *g, uint32_t e,
			const uint8_t trace[16], struct otlp_links *links)
{
	const struct log_set *ls = g->ls;
	const struct log_event *ev = &ls->ev[e];
	struct otlp_span s = {};
	uint32_t k, n = g->in_off[e + 1] - g->in_off[e];
	struct cg_names cn;
	char name[128];

	memcpy(s.trace, trace, sizeof(s.trace));
	/* the parent is the previous event of the thread; links, its messages */
	if (n > links->cap) {
		void *p = realloc(links->l, n * sizeof(*links->l));

		if (!p) {
			o->err = -ENOMEM;
			return;
		}
		links->l = p;
		links->cap = n;
	}
	for (k = g->in_off[e]; k < g->in_off[e + 1]; k++) {
		const struct log_event *from = &ls->ev[g->in[k]];

		if (g->in_kind[k] == EDGE_PROGRAM) {
			span_id_of(s.parent, from->node, from->id);
			s.has_parent = true;
		} else if (g->in_kind[k] == EDGE_MESSAGE || g->in_kind[k] == EDGE_CONNECT) {
			memcpy(links->l[s.nlinks].trace, trace, sizeof(s.trace));
			span_id_of(links->l[s.nlinks++].id, from->node, from->id);
		}
	}
	s.links = links->l;
	span_of_event(&s, ls, ev, &cn, name, sizeof(name));
	otlp_span(o, &s);
}

/* One trace for the whole merge: its id from the nodes and starts of the logs. */
static void trace_id(uint8_t id[16], const struct log_set *ls)
{
	uint64_t a = 0x636175736c, b = 0;
	size_t i;
	int k;

	for (i = 0; i < ls->nlogs; i++) {
		a = hash2(a, ls->logs[i].node);
		b = hash2(b ^ a, ls->logs[i].start);
	}
	b |= 1;
	for (k = 7; k >= 0; k--, a >>= 8, b >>= 8) {
		id[k] = a;
		id[8 + k] = b;
	}
}

/*
 * Where a request goes: a file (one request), or a collector, in requests
 * of at most @batch spans each.
 */
struct otlp_sink {
	FILE *f;
	struct otlp_http *http;
	size_t batch;
	enum otlp_format format;
	/* a request to a collector, being written (or, memory short, not) */
	FILE *mem, *null;
	char *buf;
	size_t len, nspans;
	int err;
};

/* Start a request to @s, and in it the resource @attr describes. */
static void sink_begin(struct otlp_sink *s, struct otlp *o, const struct otlp_kv *attr)
{
	FILE *out = s->f;

	if (s->http) {
		s->mem = open_memstream(&s->buf, &s->len);
		if (!s->mem)
			s->err = -ENOMEM;
		out = s->mem ?: s->null;
		s->nspans = 0;
		otlp_begin(o, s->format, out);
	}
	otlp_resource_begin(o, attr, 3, "causalctl", CAUSAL_RELEASE);
}

/* End the resource and, for a collector, the request: post it. */
static void sink_end(struct otlp_sink *s, struct otlp *o)
{
	int err;

	otlp_resource_end(o);
	if (!s->http)
		return;
	err = otlp_end(o);
	if (!s->mem) {
		s->http->spans_lost += s->nspans;
		return;
	}
	if (fclose(s->mem) && !err)
		err = -ENOMEM;
	s->mem = NULL;
	if (err) {
		s->err = err;
		s->http->spans_lost += s->nspans;
	} else if (otlp_http_post(s->http, s->buf, s->len, s->nspans)) {
		s->err = -EIO;
	}
	free(s->buf);
	s->buf = NULL;
}

static int export_otlp_to(const struct graph *g, struct otlp_sink *s)
{
	struct otlp_links links = { NULL, 0 };
	struct otlp_kv res[3];
	struct by_chain b;
	uint8_t trace[16];
	struct otlp o;
	char node[17];
	uint32_t c, i;
	size_t l;
	int err = 0;

	if (by_chain(g, &b))
		return -ENOMEM;
	trace_id(trace, g->ls);
	if (!s->http)
		otlp_begin(&o, s->format, s->f);
	for (l = 0; l < g->ls->nlogs; l++) {
		const struct log_file *lf = &g->ls->logs[l];

		snprintf(node, sizeof(node), "%016" PRIx64, lf->node);
		res[0] = (struct otlp_kv){ .key = "service.name", .str = lf->label };
		res[1] = (struct otlp_kv){ .key = "causal.node", .str = node };
		res[2] = (struct otlp_kv){ .key = "host.name", .str = lf->host };
		sink_begin(s, &o, res);
		for (c = 0; c < g->nchains; c++) {
			for (i = b.off[c]; g->chains[c].log == l && i < b.off[c + 1]; i++) {
				if (s->http && s->nspans == s->batch) {
					sink_end(s, &o);
					sink_begin(s, &o, res);
				}
				export_span(&o, g, b.seq[i], trace, &links);
				s->nspans++;
			}
		}
		sink_end(s, &o);
	}
	if (!s->http)
		err = otlp_end(&o);
	free(links.l);
	by_chain_free(&b);
	return err ? err : s->err;
}

static int export_otlp_as(const struct graph *g, FILE *f, enum otlp_format format)
{
	struct otlp_sink s = { .f = f, .format = format };

	return export_otlp_to(g, &s);
}

/**
 * export_otlp_post() - post the graph's spans to an OTLP/HTTP collector
 * @g: the graph
 * @h: the exporter (its counts say what was delivered and lost)
 * @batch: the most spans a request carries
 *
 * Return: 0, or a negative errno: memory short, requests lost.
 */
int export_otlp_post(const struct graph *g, struct otlp_http *h, size_t batch)
{
	struct otlp_sink s = {
		.http = h, .batch = batch ? batch : 1,
		.format = h->json ? OTLP_JSON : OTLP_PROTO,
	};
	int err;

	s.null = fopen("/dev/null", "w");
	if (!s.null)
		return -errno;
	err = export_otlp_to(g, &s);
	fclose(s.null);
	return err;
}

int export_otlp(const struct graph *g, FILE *f)
{
	return export_otlp_as(g, f, OTLP_JSON);
}

int export_otlp_proto(const struct graph *g, FILE *f)
{
	return export_otlp_as(g, f, OTLP_PROTO);
}

/* --- OTLP to a collector as the logs are read ------------------------------------ */

/* A node's request being written. */
struct otlp_node {
	struct otlp o;
	struct otlp_sink s;
	struct otlp_kv res[3];
	char node[17];
	bool open;
};

struct otlp_stream {
	struct otlp_sink proto;		/* what each node's sink starts as */
	uint8_t trace[16];
	bool started;
	struct u64map ix;		/* node -> nodes[] */
	struct otlp_node *nodes;
	uint32_t n, cap;
	struct kmap threads;		/* a thread's last event: id + 1 */
	struct otlp_links links;
	int err;
};

static struct otlp_node *stream_node(struct otlp_stream *st, const struct merge_event *me)
{
	const struct log_file *lf = &me->ls->logs[me->ev->log];
	uint32_t i = u64map_get(&st->ix, me->ev->node);
	struct otlp_node *nd;

	if (i != U64MAP_NONE)
		return &st->nodes[i];
	if (st->n == st->cap) {
		uint32_t cap = st->cap ? 2 * st->cap : 64;
		struct otlp_node *p = realloc(st->nodes, cap * sizeof(*p));

		if (!p)
			return NULL;
		st->nodes = p;
		st->cap = cap;
	}
	if (u64map_put(&st->ix, me->ev->node, st->n))
		return NULL;
	nd = &st->nodes[st->n++];
	memset(nd, 0, sizeof(*nd));
	nd->s = st->proto;
	snprintf(nd->node, sizeof(nd->node), "%016" PRIx64, lf->node);
	nd->res[0] = (struct otlp_kv){ .key = "service.name", .str = lf->label };
	nd->res[1] = (struct otlp_kv){ .key = "causal.node", .str = nd->node };
	nd->res[2] = (struct otlp_kv){ .key = "host.name", .str = lf->host };
	return nd;
}

/* Post what every node has written, at the end. */
static int stream_flush(struct otlp_stream *st)
{
	uint32_t i;

	for (i = 0; i < st->n; i++) {
		if (st->nodes[i].open)
			sink_end(&st->nodes[i].s, &st->nodes[i].o);
		st->nodes[i].open = false;
		if (st->nodes[i].s.err && !st->err)
			st->err = st->nodes[i].s.err;
	}
	return st->err;
}

/* An event in the order: a span of its node's request (posted when full). */
static int stream_span(void *arg, const struct merge_event *me)
{
	struct otlp_stream *st = arg;
	const struct log_event *ev = me->ev;
	struct otlp_span sp = {};
	struct otlp_node *nd;
	struct cg_names cn;
	uint64_t node, id;
	struct kent *th;
	char name[128];
	uint32_t k;

	if (!ev)
		return stream_flush(st) ? -EIO : 0;
	if (!st->started) {
		trace_id(st->trace, me->ls);
		st->started = true;
	}
	nd = stream_node(st, me);
	th = kmap_get(&st->threads, ev->node, ev->tid, ev->tstart);
	if (nd && th && (size_t)ev->nfrom + 1 > st->links.cap) {
		void *p = realloc(st->links.l, ((size_t)ev->nfrom + 1) * sizeof(*st->links.l));

		if (p) {
			st->links.l = p;
			st->links.cap = (size_t)ev->nfrom + 1;
		}
	}
	if (!nd || !th || (size_t)ev->nfrom + 1 > st->links.cap) {
		fprintf(stderr, "causalctl: out of memory\n");
		return -ENOMEM;
	}
	if (!nd->open) {
		sink_begin(&nd->s, &nd->o, nd->res);
		nd->open = true;
	} else if (nd->s.nspans == nd->s.batch) {
		sink_end(&nd->s, &nd->o);
		sink_begin(&nd->s, &nd->o, nd->res);
	}
	/* the parent is the previous event of the thread; links, its messages */
	memcpy(sp.trace, st->trace, sizeof(sp.trace));
	if (th->val) {
		span_id_of(sp.parent, ev->node, th->val - 1);
		sp.has_parent = true;
	}
	th->val = ev->id + 1;
	for (k = 0; ev->type == EV_RECV && k < ev->nfrom; k++) {
		if (me->st[k].vector || !merge_stamp_printed(me, k))
			continue;
		memcpy(st->links.l[sp.nlinks].trace, st->trace, sizeof(sp.trace));
		span_id_of(st->links.l[sp.nlinks++].id, me->st[k].who, me->st[k].n);
	}
	if (merge_connect_of(me, &node, &id)) {
		memcpy(st->links.l[sp.nlinks].trace, st->trace, sizeof(sp.trace));
		span_id_of(st->links.l[sp.nlinks++].id, node, id);
	}
	sp.links = st->links.l;
	span_of_event(&sp, me->ls, ev, &cn, name, sizeof(name));
	otlp_span(&nd->o, &sp);
	nd->s.nspans++;
	return nd->o.err;
}

/**
 * export_otlp_stream() - order logs as they are read (printing the order)
 * and post their spans to an OTLP/HTTP collector meanwhile
 * @paths: the logs
 * @n: how many
 * @labels: --label options
 * @nlabels: how many
 * @window: as merge_run()'s
 * @h: the exporter (its counts say what was delivered and lost)
 * @batch: the most spans a request carries
 *
 * The spans, their parents and links are export_otlp_post()'s, each node's
 * in requests of its own; memory holds a request per node, not the graph.
 *
 * Return: as merge_run() (EXIT_FAIL when spans could not be posted).
 */
int export_otlp_stream(char **paths, int n, char **labels, int nlabels, size_t window,
		       struct otlp_http *h, size_t batch)
{
	struct otlp_stream st = {
		.proto = { .http = h, .batch = batch ? batch : 1,
			   .format = h->json ? OTLP_JSON : OTLP_PROTO },
	};
	struct merge_opts o = { window, true, stream_span, &st,
				print_json() ? REPORTS_JSON : REPORTS_TEXT };
	uint32_t i;
	int ret;

	st.proto.null = fopen("/dev/null", "w");
	if (!st.proto.null)
		return EXIT_FAILURE;
	ret = merge_run(paths, n, labels, nlabels, &o);
	for (i = 0; i < st.n; i++) {
		struct otlp_node *nd = &st.nodes[i];

		/* stopped midway: what was written is not posted */
		if (nd->open) {
			otlp_resource_end(&nd->o);
			otlp_end(&nd->o);
			h->spans_lost += nd->s.nspans;
		}
		if (nd->s.mem)
			fclose(nd->s.mem);
		free(nd->s.buf);
	}
	fclose(st.proto.null);
	free(st.nodes);
	free(st.links.l);
	u64map_free(&st.ix);
	kmap_free(&st.threads);
	return ret;
}
