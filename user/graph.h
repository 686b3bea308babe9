/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_GRAPH_H
#define _CAUSALCTL_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "log.h"

/*
 * The happened-before graph of merged logs (Documentation/analysis.rst):
 * events are vertices, edges are program, socket, message and connection
 * order, kept in both directions as compressed adjacency arrays.
 */

enum edge_kind { EDGE_PROGRAM, EDGE_SOCKET, EDGE_MESSAGE, EDGE_CONNECT };

extern const char *const edge_names[4];

/* What may lie outside the logs (struct graph.flags). */
enum {
	/* a path may leave the logs after it (a send no log received, ...) */
	GF_EXIT = 1 << 0,
	/* a path may come into the logs at it (a receive whose send is in no log, ...) */
	GF_ENTRY = 1 << 1,
	/* its log is incomplete: cut short, lossy or filtered */
	GF_PARTIAL = 1 << 2,
	/* a stamp of its "from" or its connection matches several events */
	GF_AMBIGUOUS = 1 << 3,
};

/* A thread: the events of one (node, tid), the chains of vector clocks. */
struct chain {
	uint64_t node;
	uint32_t tid;
	uint16_t log;
};

struct graph {
	struct log_set *ls;
	uint32_t n;
	uint32_t *out_off, *out;	/* successors of i: out[out_off[i] .. out_off[i + 1]) */
	uint32_t *in_off, *in;		/* predecessors, likewise */
	uint8_t *out_kind, *in_kind;
	uint8_t *flags;
	uint32_t *chain;		/* the chain of each event */
	struct chain *chains;
	uint32_t nchains;
	uint32_t *order;		/* events in a causal total order */
	uint32_t *pos;			/* the position of each event in it */
	struct htab by_id;		/* events by (node, id) */
	int reports;			/* REPORTS_*: where reports go */
	bool inconsistent;
};

/* Where reports go: stderr, stderr and stdout as JSON objects, nowhere. */
enum { REPORTS_TEXT, REPORTS_JSON, REPORTS_NONE = -1 };

/* What merging logs found: counted, its first events named. */
#define REPORT_EVENTS 8
#define REPORT_NAME_LEN 96

struct report {
	const char *kind;
	char msg[1024];
	char names[REPORT_EVENTS][REPORT_NAME_LEN];
	int nnames;
	uint32_t count;
	bool has_node;
	uint64_t node;
};

void report_init(struct report *r, const char *kind);
void report_name(struct report *r, const char *name);
void report_say(int out, struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *missing_reason(const struct log_set *ls, uint64_t node);
void log_reports(const struct log_set *ls, int out);
void report_missing(int out, struct report *r, const struct log_set *ls, uint64_t who,
		    bool vector);
void report_unmatched(int out, struct report *ambiguous, struct report *accepts);

int graph_build(struct graph *g, struct log_set *ls, int reports);
void graph_free(struct graph *g);
uint32_t graph_find(const struct graph *g, uint64_t node, uint64_t id);
int graph_chain_name(const struct graph *g, uint32_t c, char *buf, size_t len);
int graph_why_entry(const struct graph *g, uint32_t e, char *buf, size_t len);
void graph_event_name(const struct graph *g, uint32_t e, char *buf, size_t len);

typedef int (*graph_vc_fn)(void *arg, uint32_t e, const uint32_t *vc);
int graph_vc_walk(const struct graph *g, graph_vc_fn fn, void *arg);

/* order.c: the logs and --label options of order and why */
int read_logs(struct log_set *ls, int argc, char **argv, char **labels, int nlabels);
int add_label(const char *cmd, char *arg, char **labels, int *n);

#endif /* _CAUSALCTL_GRAPH_H */
