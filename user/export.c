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

/**
 * event_summary() - one line on an event: "HOST:ID TYPE COMM[TID] PROTO
 * SRC->DST NB", the parts it has
 * @g: the graph
 * @e: the event
 * @buf: for the line
 * @len: its size
 */
void event_summary(const struct graph *g, uint32_t e, char *buf, size_t len)
{
	const struct log_set *ls = g->ls;
	const struct log_event *ev = &ls->ev[e];
	size_t n;

	graph_event_name(g, e, buf, len);
	n = strlen(buf);
	n += snprintf(buf + n, len - n, " %s %s[%u]", ev_type_names[ev->type],
		      log_str(ls, ev->comm), ev->tid);
	if (ev->proto && n < len)
		n += snprintf(buf + n, len - n, " %s %s->%s", ev_proto_names[ev->proto],
			      log_str(ls, ev->src), log_str(ls, ev->dst));
	if ((ev->has & HAS_BYTES) && n < len)
		n += snprintf(buf + n, len - n, " %" PRIu64 "B", ev->bytes);
	if (ev->probe && n < len)
		snprintf(buf + n, len - n, " %s", log_str(ls, ev->probe));
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

/* --- OTLP/HTTP JSON ----------------------------------------------------------- */

/* Span ids: 16 hex digits from (node, id), never all zero. */
static void span_id(char buf[17], const struct log_event *ev)
{
	uint64_t h = hash2(ev->node, ev->id);

	snprintf(buf, 17, "%016" PRIx64, h ? h : 1);
}

static void otlp_attr(struct json *j, const char *key, const char *type, const char *value)
{
	json_open(j, '{');
	json_key(j, "key");
	json_string(j, key);
	json_key(j, "value");
	json_open(j, '{');
	json_key(j, type);
	json_string(j, value);
	json_close(j, '}');
	json_close(j, '}');
}

static void otlp_int(struct json *j, const char *key, uint64_t v)
{
	char buf[24];

	/* int64 is a string in OTLP JSON */
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	otlp_attr(j, key, "intValue", buf);
}

/* The cgroup's path and what it names, by OpenTelemetry's conventions. */
static void otlp_cgroup(struct json *j, const char *path)
{
	struct cg_names n;

	cg_names_of(path, &n);
	otlp_attr(j, "causal.cgroup.path", "stringValue", path);
	if (n.runtime) {
		otlp_attr(j, "container.id", "stringValue", n.container);
		otlp_attr(j, "container.runtime.name", "stringValue", n.runtime);
	}
	if (n.pod[0])
		otlp_attr(j, "k8s.pod.uid", "stringValue", n.pod);
	if (n.unit[0])
		otlp_attr(j, "causal.systemd.unit", "stringValue", n.unit);
}

static void otlp_span_attrs(struct json *j, const struct log_set *ls, const struct log_event *ev)
{
	json_key(j, "attributes");
	json_open(j, '[');
	otlp_int(j, "causal.id", ev->id);
	otlp_attr(j, "causal.type", "stringValue", ev_type_names[ev->type]);
	if (ev->has & HAS_PID)
		otlp_int(j, "process.pid", ev->pid);
	if (ev->has & HAS_TID)
		otlp_int(j, "thread.id", ev->tid);
	if (ev->comm)
		otlp_attr(j, "process.command", "stringValue", log_str(ls, ev->comm));
	if (ev->cgpath)
		otlp_cgroup(j, log_str(ls, ev->cgpath));
	if (ev->proto)
		otlp_attr(j, "network.transport", "stringValue", ev_proto_names[ev->proto]);
	if (ev->src)
		otlp_attr(j, "causal.src", "stringValue", log_str(ls, ev->src));
	if (ev->dst)
		otlp_attr(j, "causal.dst", "stringValue", log_str(ls, ev->dst));
	if (ev->has & HAS_BYTES)
		otlp_int(j, "causal.bytes", ev->bytes);
	if (ev->has & HAS_COOKIE)
		otlp_int(j, "causal.cookie", ev->cookie);
	json_close(j, ']');
}

/* SEND -> PRODUCER (4), RECV -> CONSUMER (5), others INTERNAL (1) */
static uint64_t span_kind(const struct log_event *ev)
{
	return ev->type == EV_SEND ? 4 : ev->type == EV_RECV ? 5 : 1;
}

static void otlp_span(struct json *j, const struct graph *g, uint32_t e, const char *trace)
{
	const struct log_set *ls = g->ls;
	const struct log_event *ev = &ls->ev[e];
	char id[17], name[128], t[24];
	uint32_t k;

	json_open(j, '{');
	json_key(j, "traceId");
	json_string(j, trace);
	span_id(id, ev);
	json_key(j, "spanId");
	json_string(j, id);
	/* the parent is the previous event of the thread */
	for (k = g->in_off[e]; k < g->in_off[e + 1]; k++) {
		if (g->in_kind[k] != EDGE_PROGRAM)
			continue;
		span_id(id, &ls->ev[g->in[k]]);
		json_key(j, "parentSpanId");
		json_string(j, id);
	}
	snprintf(name, sizeof(name), "%s %s", ev_type_names[ev->type], log_str(ls, ev->comm));
	json_key(j, "name");
	json_string(j, name);
	json_key(j, "kind");
	json_u64(j, span_kind(ev));
	snprintf(t, sizeof(t), "%" PRIu64, ev->time);
	json_key(j, "startTimeUnixNano");
	json_string(j, t);
	json_key(j, "endTimeUnixNano");
	json_string(j, t);
	otlp_span_attrs(j, ls, ev);
	json_key(j, "links");
	json_open(j, '[');
	for (k = g->in_off[e]; k < g->in_off[e + 1]; k++) {
		if (g->in_kind[k] != EDGE_MESSAGE && g->in_kind[k] != EDGE_CONNECT)
			continue;
		json_open(j, '{');
		json_key(j, "traceId");
		json_string(j, trace);
		span_id(id, &ls->ev[g->in[k]]);
		json_key(j, "spanId");
		json_string(j, id);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

/* One trace for the whole merge: its id from the nodes and starts of the logs. */
static void trace_id(char buf[33], const struct log_set *ls)
{
	uint64_t a = 0x636175736c, b = 0;
	size_t i;

	for (i = 0; i < ls->nlogs; i++) {
		a = hash2(a, ls->logs[i].node);
		b = hash2(b ^ a, ls->logs[i].start);
	}
	snprintf(buf, 33, "%016" PRIx64 "%016" PRIx64, a, b | 1);
}

static void otlp_resource(struct json *j, const struct graph *g, const struct by_chain *b,
			  size_t l, const char *trace)
{
	const struct log_file *f = &g->ls->logs[l];
	char node[17];
	uint32_t c, i;

	json_open(j, '{');
	json_key(j, "resource");
	json_open(j, '{');
	json_key(j, "attributes");
	json_open(j, '[');
	otlp_attr(j, "service.name", "stringValue", f->label);
	snprintf(node, sizeof(node), "%016" PRIx64, f->node);
	otlp_attr(j, "causal.node", "stringValue", node);
	otlp_attr(j, "host.name", "stringValue", f->host);
	json_close(j, ']');
	json_close(j, '}');
	json_key(j, "scopeSpans");
	json_open(j, '[');
	json_open(j, '{');
	json_key(j, "scope");
	json_open(j, '{');
	json_key(j, "name");
	json_string(j, "causalctl");
	json_key(j, "version");
	json_string(j, CAUSAL_RELEASE);
	json_close(j, '}');
	json_key(j, "spans");
	json_open(j, '[');
	for (c = 0; c < g->nchains; c++)
		for (i = b->off[c]; g->chains[c].log == l && i < b->off[c + 1]; i++)
			otlp_span(j, g, b->seq[i], trace);
	json_close(j, ']');
	json_close(j, '}');
	json_close(j, ']');
	json_close(j, '}');
}

int export_otlp(const struct graph *g, FILE *f)
{
	struct by_chain b;
	struct json j;
	char trace[33];
	size_t l;

	if (by_chain(g, &b))
		return -ENOMEM;
	trace_id(trace, g->ls);
	json_init(&j, f, false);
	json_open(&j, '{');
	json_key(&j, "resourceSpans");
	json_open(&j, '[');
	for (l = 0; l < g->ls->nlogs; l++)
		otlp_resource(&j, g, &b, l, trace);
	json_close(&j, ']');
	json_close(&j, '}');
	fputc('\n', f);
	by_chain_free(&b);
	return 0;
}
