// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl why: whether event A happened before event B, with the shortest
 * chain of events as evidence; or B before A; or that they are concurrent;
 * or that the logs cannot tell, naming the receives to blame
 * (Documentation/analysis.rst).  Breadth-first searches: linear in the
 * graph.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "causalctl.h"
#include "export.h"
#include "graph.h"
#include "merge.h"
#include "num.h"
#include "print.h"
#include "why.h"

/* Bits of the marks of the four searches. */
enum { DESC_A = 1, DESC_B = 2, ANC_A = 4, ANC_B = 8 };

#define WHY_LIST 10

struct why {
	const struct graph *g;
	uint8_t *mark;
	uint32_t *parent;	/* of the forward searches, for the evidence */
	uint8_t *kind;		/* the kind of edge from the parent */
	uint32_t *queue;
	struct json *j;
};

/*
 * Mark with @bit what @from reaches (@forward) or what reaches it; stop at
 * @to if it is reached (then parent[] leads back to @from).
 */
static bool search(struct why *w, uint32_t from, uint32_t to, bool forward, uint8_t bit)
{
	const struct graph *g = w->g;
	const uint32_t *off = forward ? g->out_off : g->in_off;
	const uint32_t *adj = forward ? g->out : g->in;
	const uint8_t *kind = forward ? g->out_kind : g->in_kind;
	uint32_t head = 0, tail = 0, k;

	w->mark[from] |= bit;
	w->queue[tail++] = from;
	while (head < tail) {
		uint32_t e = w->queue[head++];

		for (k = off[e]; k < off[e + 1]; k++) {
			uint32_t s = adj[k];

			if (w->mark[s] & bit)
				continue;
			w->mark[s] |= bit;
			w->parent[s] = e;
			w->kind[s] = kind[k];
			if (s == to)
				return true;
			w->queue[tail++] = s;
		}
	}
	return false;
}

/* One event of an answer: as a line of text, or an object of an array. */
static void describe(struct why *w, uint32_t e, const char *tag, const char *note)
{
	char line[512];

	if (w->j) {
		json_open(w->j, '{');
		graph_event_name(w->g, e, line, sizeof(line));
		json_key(w->j, "event");
		json_string(w->j, line);
		if (tag) {
			json_key(w->j, "edge");
			json_string(w->j, tag);
		}
		if (note) {
			json_key(w->j, "why");
			json_string(w->j, note);
		}
		schema_write(w->j, w->g->ls, &w->g->ls->ev[e]);
		json_close(w->j, '}');
		return;
	}
	event_summary(w->g, e, line, sizeof(line));
	printf("  %-8s %s%s%s\n", tag ? tag : "", line, note ? ": " : "", note ? note : "");
}

/* The evidence: the path parent[] found from @from to @to, each hop with its edge. */
static void print_path(struct why *w, uint32_t from, uint32_t to)
{
	uint32_t n = 0, e, *path = w->queue;	/* the queue is free now */

	for (e = to; e != from; e = w->parent[e])
		path[n++] = e;
	if (w->j) {
		json_key(w->j, "path");
		json_open(w->j, '[');
	} else {
		printf("evidence (%u %s):\n", n, n == 1 ? "edge" : "edges");
	}
	describe(w, from, NULL, NULL);
	while (n--)
		describe(w, path[n], edge_names[w->kind[path[n]]], NULL);
	if (w->j)
		json_close(w->j, ']');
}

/*
 * Receives that may let a hidden path from A reach B: entries that reach B
 * but not A, when an exit is reached from A but not from B (a hidden path
 * through either of those would close a cycle).
 */
static uint32_t hidden_path(struct why *w, uint8_t desc_a, uint8_t desc_b, uint8_t anc_a,
			    uint8_t anc_b, uint32_t *exit)
{
	const struct graph *g = w->g;
	uint32_t e, entries = 0;

	*exit = HT_EMPTY;
	for (e = 0; e < g->n && *exit == HT_EMPTY; e++)
		if ((g->flags[e] & GF_EXIT) && (w->mark[e] & (desc_a | desc_b)) == desc_a)
			*exit = e;
	if (*exit == HT_EMPTY)
		return 0;
	for (e = 0; e < g->n; e++)
		if ((g->flags[e] & GF_ENTRY) && (w->mark[e] & (anc_a | anc_b)) == anc_b)
			w->queue[entries++] = e;
	return entries;
}

static void print_unknown(struct why *w, uint32_t exit, uint32_t entries)
{
	char note[256];
	uint32_t i;

	if (w->j) {
		json_key(w->j, "exit");
		describe(w, exit, NULL, NULL);
		json_key(w->j, "receives");
		json_open(w->j, '[');
	} else {
		printf("unknown: no path in the logs, but one may pass through events they lack\n");
		printf("a path may leave the logs after:\n");
		describe(w, exit, NULL, NULL);
		printf("and come back through %u %s in no log, e.g.:\n", entries,
		       entries == 1 ? "receive whose send is" : "receives whose sends are");
	}
	for (i = 0; i < entries && i < WHY_LIST; i++) {
		graph_why_entry(w->g, w->queue[i], note, sizeof(note));
		describe(w, w->queue[i], NULL, note);
	}
	if (w->j)
		json_close(w->j, ']');
}

/* The answer; returns the exit status. */
static int answer(struct why *w, uint32_t a, uint32_t b)
{
	const char *result;
	uint32_t exit, entries = 0;
	char na[96], nb[96];
	int ret = 0;

	graph_event_name(w->g, a, na, sizeof(na));
	graph_event_name(w->g, b, nb, sizeof(nb));
	if (w->j) {
		json_open(w->j, '{');
		json_key(w->j, "a");
		json_string(w->j, na);
		json_key(w->j, "b");
		json_string(w->j, nb);
	}
	if (a == b) {
		result = "same";
		if (!w->j)
			printf("same: %s and %s are the same event\n", na, nb);
	} else if (search(w, a, b, true, DESC_A)) {
		result = "before";
		if (!w->j)
			printf("before: %s happened before %s\n", na, nb);
	} else if (search(w, b, a, true, DESC_B)) {
		result = "after";
		if (!w->j)
			printf("after: %s happened before %s\n", nb, na);
	} else {
		search(w, a, HT_EMPTY, false, ANC_A);
		search(w, b, HT_EMPTY, false, ANC_B);
		entries = hidden_path(w, DESC_A, DESC_B, ANC_A, ANC_B, &exit);
		if (!entries)
			entries = hidden_path(w, DESC_B, DESC_A, ANC_B, ANC_A, &exit);
		result = entries ? "unknown" : "concurrent";
		ret = entries ? EXIT_FAIL : 0;
		if (!w->j && !entries)
			printf("concurrent: neither happened before the other\n");
	}
	if (w->j) {
		json_key(w->j, "answer");
		json_string(w->j, result);
	}
	if (!strcmp(result, "before"))
		print_path(w, a, b);
	else if (!strcmp(result, "after"))
		print_path(w, b, a);
	else if (entries)
		print_unknown(w, exit, entries);
	if (w->j) {
		json_close(w->j, '}');
		fputc('\n', stdout);
	}
	return ret;
}

/* --- naming events ------------------------------------------------------------ */

/* The log whose host, label or node id (hex) is @s, or NULL. */
const struct log_file *why_log_named(const struct log_set *ls, const char *s)
{
	uint64_t node;
	size_t i;

	for (i = 0; i < ls->nlogs; i++)
		if (!strcmp(ls->logs[i].label, s) || !strcmp(ls->logs[i].host, s))
			return &ls->logs[i];
	if (parse_hex(s, &node))
		return NULL;
	for (i = 0; i < ls->nlogs; i++)
		if (ls->logs[i].node == node)
			return &ls->logs[i];
	return NULL;
}

/* The port of "ADDR:PORT" or "[ADDR]:PORT", or -1. */
static long port_of(const char *addr)
{
	const char *c = strrchr(addr, ':');
	uint64_t p;

	return c && !parse_u64(c + 1, 0, 65535, &p) ? (long)p : -1;
}

static const char *const filter_keys[] = {
	"type", "comm", "pid", "tid", "proto", "port", "bytes", "host",
};

/* Whether @ev passes key=value; -EINVAL if the key is not one of filter_keys. */
static int filter_one(const struct log_set *ls, const struct log_event *ev, const char *key,
		      const char *value)
{
	uint64_t v;
	bool num = !parse_u64(value, 0, UINT64_MAX, &v);

	if (!strcmp(key, "type"))
		return !strcmp(ev_type_names[ev->type], value);
	if (!strcmp(key, "comm"))
		return !strcmp(log_str(ls, ev->comm), value);
	if (!strcmp(key, "proto"))
		return !strcmp(ev_proto_names[ev->proto], value);
	if (!strcmp(key, "host"))
		return !strcmp(ls->logs[ev->log].label, value) ||
		       !strcmp(ls->logs[ev->log].host, value);
	if (!strcmp(key, "pid"))
		return num && (ev->has & HAS_PID) && ev->pid == v;
	if (!strcmp(key, "tid"))
		return num && (ev->has & HAS_TID) && ev->tid == v;
	if (!strcmp(key, "bytes"))
		return num && (ev->has & HAS_BYTES) && ev->bytes == v;
	if (!strcmp(key, "port"))
		return num && ((ev->src && port_of(log_str(ls, ev->src)) == (long)v) ||
			       (ev->dst && port_of(log_str(ls, ev->dst)) == (long)v));
	return -EINVAL;
}

/**
 * why_filter() - check the keys of a filter "k=v,k=v"; whether an event passes it
 * @ls: the logs of @ev
 * @ev: the event, or NULL to check the keys only
 * @filter: the filter
 *
 * Return: 1 (it passes), 0 (not), -EINVAL (a key is not known), -ENOMEM.
 */
int why_filter(const struct log_set *ls, const struct log_event *ev, const char *filter)
{
	char *save = NULL, *p, *copy = strdup(filter);
	int ok = 1, r;

	if (!copy)
		return -ENOMEM;
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(p, '=');
		size_t i;

		if (!eq) {
			ok = -EINVAL;
			break;
		}
		*eq = 0;
		if (!ev) {
			for (i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++)
				if (!strcmp(filter_keys[i], p))
					break;
			if (i == sizeof(filter_keys) / sizeof(filter_keys[0])) {
				ok = -EINVAL;
				break;
			}
			continue;
		}
		r = filter_one(ls, ev, p, eq + 1);
		if (r <= 0) {
			ok = r;
			break;
		}
	}
	free(copy);
	return ok;
}

/**
 * why_spec_parse() - what an event argument says: NODE:ID, or the N-th event
 * in the causal order that passes a filter k=v[,k=v...][#N]
 * @arg: the argument (cut at its '#' or ':')
 * @sp: what it says
 *
 * Return: 0, or EXIT_USAGE after saying what is wrong.
 */
int why_spec_parse(char *arg, struct why_spec *sp)
{
	char *colon, *hash;

	*sp = (struct why_spec){ .arg = arg, .nth = 1 };
	if (strchr(arg, '=')) {
		hash = strrchr(arg, '#');
		if (hash) {
			if (parse_u64(hash + 1, 1, UINT64_MAX, &sp->nth))
				return usage_error("why", "invalid match number in %s", arg);
			*hash = 0;
			sp->counted = true;
		}
		if (why_filter(NULL, NULL, arg) < 0)
			return usage_error("why", "invalid filter: %s (keys: %s)", arg,
					   "type, comm, pid, tid, proto, port, bytes, host");
		sp->filter = arg;
		return 0;
	}
	colon = strrchr(arg, ':');
	if (!colon || parse_u64(colon + 1, 0, UINT64_MAX, &sp->id))
		return usage_error("why", "invalid event: %s (use NODE:ID or key=value,...[#N])",
				   arg);
	*colon = 0;
	sp->name = arg;
	return 0;
}

/* The node of a NODE:ID argument in @ls: 0, or EXIT_FAIL after saying so. */
int why_spec_node(const struct log_set *ls, struct why_spec *sp)
{
	const struct log_file *f = why_log_named(ls, sp->name);

	if (!f) {
		fprintf(stderr, "causalctl: %s: no log of that node\n", sp->name);
		return EXIT_FAIL;
	}
	sp->node = f->node;
	return 0;
}

/* That no event is what @sp names: EXIT_FAIL, after saying so. */
int why_spec_none(const struct why_spec *sp, uint64_t seen)
{
	if (sp->filter)
		fprintf(stderr, "causalctl: no event matches %s%s (%" PRIu64 " do)\n", sp->filter,
			sp->counted ? " as often as asked" : "", seen);
	else
		fprintf(stderr, "causalctl: %s:%" PRIu64 ": no such event in the logs\n", sp->name,
			sp->id);
	return EXIT_FAIL;
}

/* The event @arg names in the graph: 0, or the exit status after saying why not. */
static int resolve(const struct graph *g, char *arg, uint32_t *e)
{
	struct why_spec sp;
	uint64_t seen = 0;
	uint32_t i;
	int ret;

	ret = why_spec_parse(arg, &sp);
	if (ret)
		return ret;
	if (sp.filter) {
		for (i = 0; i < g->n; i++) {
			if (why_filter(g->ls, &g->ls->ev[g->order[i]], sp.filter) > 0 &&
			    ++seen == sp.nth) {
				*e = g->order[i];
				return 0;
			}
		}
		return why_spec_none(&sp, seen);
	}
	ret = why_spec_node(g->ls, &sp);
	if (ret)
		return ret;
	*e = graph_find(g, sp.node, sp.id);
	return *e == HT_EMPTY ? why_spec_none(&sp, 0) : 0;
}

/**
 * why_graph_answer() - answer for events @a and @b of the whole graph @g
 * @g: the graph
 * @a: an event
 * @b: another (or the same)
 *
 * Return: the exit status.
 */
int why_graph_answer(const struct graph *g, uint32_t a, uint32_t b)
{
	struct why w = { .g = g, .j = print_json() };
	int ret = EXIT_FAIL;

	w.mark = calloc(g->n + 1, 1);
	w.parent = malloc((g->n + 1) * sizeof(*w.parent));
	w.kind = malloc(g->n + 1);
	w.queue = malloc((g->n + 1) * sizeof(*w.queue));
	if (w.mark && w.parent && w.kind && w.queue)
		ret = answer(&w, a, b);
	else
		fprintf(stderr, "causalctl: out of memory\n");
	free(w.mark);
	free(w.parent);
	free(w.kind);
	free(w.queue);
	return ret;
}

/* Whether the logs are too large for the whole graph: more than half the memory free. */
static bool too_large(char **paths, int n)
{
	uint64_t bytes = 0, avail = 0;
	char line[256];
	struct stat sb;
	FILE *f;
	int i;

	for (i = 0; i < n; i++)
		if (!stat(paths[i], &sb))
			bytes += sb.st_size;
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &avail) == 1)
			break;
	fclose(f);
	/* the graph takes about 1.1 times the logs' size */
	return avail && bytes + bytes / 8 > avail * 1024 / 2;
}

int why_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "in-memory", no_argument, NULL, 'm' },
		{ "stream", no_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{}
	};
	bool in_memory = false, stream = false;
	struct log_set ls = {};
	uint64_t window = 0;
	struct graph g;
	uint32_t a, b;
	char **labels;
	int opt, nlabels = 0, ret;

	labels = calloc(argc, sizeof(*labels));
	if (!labels)
		return EXIT_FAIL;
	optind = 0;	/* main() parsed its own options with getopt */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (add_label("why", optarg, labels, &nlabels))
				goto usage;
			break;
		case 'm':
			in_memory = true;
			break;
		case 's':
			stream = true;
			break;
		case 'w':
			if (arg_u64("why", "window", optarg, MERGE_WINDOW_MIN, UINT32_MAX, &window))
				goto usage;
			break;
		default:
			usage_error("why", "invalid option");
			goto usage;
		}
	}
	if (argc - optind < 3) {
		usage_error("why", "why takes two events and one or more logs");
		goto usage;
	}
	if (in_memory && (stream || window)) {
		usage_error("why", "--in-memory goes with neither --stream nor --window");
		goto usage;
	}
	if (!in_memory && (stream || window || too_large(argv + optind + 2, argc - optind - 2))) {
		ret = why_stream(argv[optind], argv[optind + 1], argv + optind + 2,
				 argc - optind - 2, labels, nlabels,
				 window ? window : MERGE_WINDOW);
		if (ret != MERGE_IN_MEMORY)
			goto out;
	}
	ret = read_logs(&ls, argc - optind - 2, argv + optind + 2, labels, nlabels);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	if (graph_build(&g, &ls, REPORTS_TEXT))
		goto out;
	if (g.inconsistent) {
		fprintf(stderr, "causalctl: the logs are inconsistent: no answer\n");
		goto out_graph;
	}
	ret = resolve(&g, argv[optind], &a);
	if (!ret)
		ret = resolve(&g, argv[optind + 1], &b);
	if (!ret)
		ret = why_graph_answer(&g, a, b);
out_graph:
	graph_free(&g);
out:
	log_free(&ls);
	free(labels);
	return ret;
usage:
	free(labels);
	return EXIT_USAGE;
}
