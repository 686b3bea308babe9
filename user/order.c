// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl order: merge the logs of many nodes into one happened-before
 * graph (Documentation/analysis.rst), report what it lacks or contradicts,
 * print a causally consistent total order and export the graph.
 */

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causalctl.h"
#include "export.h"
#include "graph.h"
#include "merge.h"
#include "num.h"
#include "otlp_http.h"
#include "print.h"

struct order_opts {
	bool vc, in_memory;
	uint64_t window;
	const char *shiviz, *perfetto, *dot, *otlp, *otlp_proto;
	/* --otlp-url and its options */
	struct otlp_http http;
	const char *url, *headers[OTLP_HEADERS_MAX];
	int nheaders;
	bool json_bodies;
	long batch;
};

/* The senders of @e (message and connect edges in), as " <- HOST:ID,...". */
static void print_senders(const struct graph *g, uint32_t e)
{
	const char *sep = " <- ";
	char name[96];
	uint32_t k;

	for (k = g->in_off[e]; k < g->in_off[e + 1]; k++) {
		if (g->in_kind[k] != EDGE_MESSAGE && g->in_kind[k] != EDGE_CONNECT)
			continue;
		graph_event_name(g, g->in[k], name, sizeof(name));
		printf("%s%s", sep, name);
		sep = ",";
	}
}

static void print_event_text(const struct graph *g, uint32_t e, const uint32_t *vc)
{
	const struct log_set *ls = g->ls;
	const struct log_event *ev = &ls->ev[e];
	char line[512];

	event_summary(g, e, line, sizeof(line));
	printf("%8u %s", g->pos[e] + 1, line);
	if (ev->type == EV_RECV || ev->type == EV_ACCEPT)
		print_senders(g, e);
	if (vc) {
		struct json j;

		json_init(&j, stdout, false);
		fputs(" vc=", stdout);
		vc_json(&j, g, vc);
	}
	putchar('\n');
}

static void print_event_json(const struct graph *g, struct json *j, uint32_t e,
			     const uint32_t *vc)
{
	json_open(j, '{');
	json_key(j, "pos");
	json_u64(j, g->pos[e] + 1);
	schema_write(j, g->ls, &g->ls->ev[e]);
	if (vc) {
		json_key(j, "vc");
		vc_json(j, g, vc);
	}
	json_close(j, '}');
	fputc('\n', j->out);
}

static int print_one(void *arg, uint32_t e, const uint32_t *vc)
{
	const struct graph *g = arg;
	struct json *j = print_json();

	if (j)
		print_event_json(g, j, e, vc);
	else
		print_event_text(g, e, vc);
	return 0;
}

/* Say what became of the spans posted to a collector: nonzero if some were lost. */
static int say_posted(struct otlp_http *h, int err)
{
	fprintf(stderr, "causalctl: order: %s: %" PRIu64 " spans delivered in %" PRIu64
		" requests (%" PRIu64 " retries)", h->url, h->spans_sent, h->requests,
		h->retries);
	if (h->spans_rejected)
		fprintf(stderr, ", %" PRIu64 " refused by the collector", h->spans_rejected);
	if (h->spans_lost)
		fprintf(stderr, ", %" PRIu64 " lost: %s", h->spans_lost, h->last_error);
	fputc('\n', stderr);
	return err || h->spans_lost || h->spans_rejected;
}

/* Post the graph's spans to a collector, and say what became of them. */
static int post_otlp(const struct graph *g, struct otlp_http *h, long batch)
{
	return say_posted(h, export_otlp_post(g, h, batch));
}

static int exports(const struct graph *g, struct order_opts *o)
{
	int err = 0;

	if (o->shiviz)
		err |= export_to(g, o->shiviz, export_shiviz);
	if (o->perfetto)
		err |= export_to(g, o->perfetto, export_perfetto);
	if (o->dot)
		err |= export_to(g, o->dot, export_dot);
	if (o->otlp)
		err |= export_to(g, o->otlp, export_otlp);
	if (o->otlp_proto)
		err |= export_to(g, o->otlp_proto, export_otlp_proto);
	if (o->url)
		err |= post_otlp(g, &o->http, o->batch);
	return err;
}

/**
 * read_logs() - read the logs named by @argv and apply --label options
 * @ls: the set to read into
 * @argc: how many logs
 * @argv: their paths
 * @labels: the --label values
 * @nlabels: how many
 *
 * Return: 0, or the exit status to return (the error said).
 */
int read_logs(struct log_set *ls, int argc, char **argv, char **labels, int nlabels)
{
	int i;

	for (i = 0; i < argc; i++)
		if (log_read(ls, argv[i]))
			return EXIT_FAIL;
	if (log_set_labels(ls, labels, nlabels))
		return EXIT_USAGE;
	return 0;
}

/**
 * add_label() - note one --label NODE=NAME option
 * @cmd: the command, for usage errors
 * @arg: NODE=NAME
 * @labels: the array to add to, one slot per argument of the command
 * @n: how many it holds
 *
 * Return: 0, or EXIT_USAGE after saying why.
 */
int add_label(const char *cmd, char *arg, char **labels, int *n)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		return usage_error(cmd, "invalid label: %s (use NODE=NAME)", arg);
	labels[(*n)++] = arg;
	return 0;
}

int order_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "shiviz", required_argument, NULL, 's' },
		{ "perfetto", required_argument, NULL, 'P' },
		{ "dot", required_argument, NULL, 'd' },
		{ "otlp", required_argument, NULL, 'o' },
		{ "otlp-proto", required_argument, NULL, 'O' },
		{ "otlp-url", required_argument, NULL, 'u' },
		{ "otlp-header", required_argument, NULL, 'H' },
		{ "otlp-json", no_argument, NULL, 'J' },
		{ "otlp-batch", required_argument, NULL, 'b' },
		{ "vc", no_argument, NULL, 'c' },
		{ "in-memory", no_argument, NULL, 'm' },
		{ "window", required_argument, NULL, 'w' },
		{}
	};
	struct order_opts o = {};
	struct log_set ls = {};
	struct graph g;
	char **labels;
	int opt, nlabels = 0, ret;

	labels = calloc(argc, sizeof(*labels));
	if (!labels)
		return EXIT_FAIL;
	optind = 0;	/* main() parsed its own options with getopt */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (add_label("order", optarg, labels, &nlabels))
				goto usage;
			break;
		case 's':
			o.shiviz = optarg;
			break;
		case 'P':
			o.perfetto = optarg;
			break;
		case 'd':
			o.dot = optarg;
			break;
		case 'o':
			o.otlp = optarg;
			break;
		case 'O':
			o.otlp_proto = optarg;
			break;
		case 'u':
			o.url = optarg;
			break;
		case 'H':
			if (o.nheaders == OTLP_HEADERS_MAX) {
				usage_error("order", "at most %d --otlp-header", OTLP_HEADERS_MAX);
				goto usage;
			}
			o.headers[o.nheaders++] = optarg;
			break;
		case 'J':
			o.json_bodies = true;
			break;
		case 'b': {
			uint64_t v;

			if (arg_u64("order", "otlp-batch", optarg, 1, 100000, &v))
				goto usage;
			o.batch = v;
			break;
		}
		case 'c':
			o.vc = true;
			break;
		case 'm':
			o.in_memory = true;
			break;
		case 'w':
			if (arg_u64("order", "window", optarg, MERGE_WINDOW_MIN, UINT32_MAX,
				    &o.window))
				goto usage;
			break;
		default:
			usage_error("order", "invalid option");
			goto usage;
		}
	}
	if (optind >= argc) {
		usage_error("order", "order takes one or more logs");
		goto usage;
	}
	if ((o.nheaders || o.json_bodies || o.batch) && !o.url) {
		usage_error("order", "--otlp-header, --otlp-json and --otlp-batch go with --otlp-url");
		goto usage;
	}
	if (o.url) {
		int i;

		if (otlp_http_init(&o.http, o.url)) {
			fprintf(stderr, "causalctl: order: no memory for an OTLP exporter\n");
			ret = EXIT_FAIL;
			goto out;
		}
		for (i = 0; i < o.nheaders; i++) {
			if (otlp_http_header(&o.http, o.headers[i])) {
				usage_error("order", "invalid --otlp-header %s: KEY=VALUE",
					    o.headers[i]);
				goto usage;
			}
		}
		o.http.json = o.json_bodies;
	}
	if (o.window && (o.in_memory || o.vc || o.shiviz || o.perfetto || o.dot || o.otlp ||
			 o.otlp_proto)) {
		usage_error("order", "--window goes with the order alone, which the logs stream");
		goto usage;
	}
	if (!o.batch)
		o.batch = 512;
	/* the exports and --vc need the whole graph; the order alone does not */
	if (!o.in_memory && !o.vc && !o.shiviz && !o.perfetto && !o.dot && !o.otlp &&
	    !o.otlp_proto) {
		size_t window = o.window ? o.window : MERGE_WINDOW;

		if (o.url) {
			ret = export_otlp_stream(argv + optind, argc - optind, labels, nlabels,
						 window, &o.http, o.batch);
			if (ret != MERGE_IN_MEMORY && ret != EXIT_USAGE &&
			    say_posted(&o.http, ret))
				ret = EXIT_FAIL;
		} else {
			ret = merge_order(argv + optind, argc - optind, labels, nlabels, window);
		}
		if (ret != MERGE_IN_MEMORY)
			goto out;
	}
	ret = read_logs(&ls, argc - optind, argv + optind, labels, nlabels);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	if (graph_build(&g, &ls, print_json() ? REPORTS_JSON : REPORTS_TEXT))
		goto out;
	if (g.inconsistent) {
		fprintf(stderr, "causalctl: the logs are inconsistent: no order\n");
		goto out_graph;
	}
	if (o.vc) {
		if (graph_vc_walk(&g, print_one, &g))
			goto out_graph;
	} else {
		uint32_t i;

		for (i = 0; i < g.n; i++)
			print_one(&g, g.order[i], NULL);
	}
	fflush(stdout);
	ret = exports(&g, &o) ? EXIT_FAIL : 0;
out_graph:
	graph_free(&g);
out:
	log_free(&ls);
	free(labels);
	otlp_http_free(&o.http);
	return ret;
usage:
	free(labels);
	otlp_http_free(&o.http);
	return EXIT_USAGE;
}
