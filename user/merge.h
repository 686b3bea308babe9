/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_MERGE_H
#define _CAUSALCTL_MERGE_H

#include <stdbool.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* causalctl order as the logs are read, in bounded memory (merge.c). */

#define MERGE_WINDOW (1 << 20)	/* events held at most to read ahead */
#define MERGE_WINDOW_MIN 256	/* the smallest --window */

#define MERGE_IN_MEMORY (-1)	/* these logs need the whole graph */
#define MERGE_STOP 1000		/* from a merge_event_fn: no more events wanted */

struct log_set;
struct log_event;
struct log_stamp;
struct merge;

/* An event in the order, as merge_run() hands it on. */
struct merge_event {
	const struct log_set *ls;	/* the logs: strings, labels; trailers at the end */
	const struct log_event *ev;	/* NULL once the logs have ended */
	const struct log_stamp *st;	/* its ev->nfrom stamps, those joined by bytes too */
	uint64_t pos;			/* its position in the order, from 1 */
	const struct merge *m;
};

bool merge_stamp_printed(const struct merge_event *me, uint32_t k);
bool merge_connect_of(const struct merge_event *me, uint64_t *node, uint64_t *id);

/* 0, MERGE_STOP, or an error that ends the merge (said already). */
typedef int (*merge_event_fn)(void *arg, const struct merge_event *me);

struct merge_opts {
	size_t window;		/* events held at most to read ahead */
	bool print;		/* print the events as order does */
	merge_event_fn fn;	/* and (or) hand them on to this */
	void *arg;
	int reports;		/* REPORTS_* (graph.h) */
};

int merge_run(char **paths, int n, char **labels, int nlabels, const struct merge_opts *o);
int merge_order(char **paths, int n, char **labels, int nlabels, size_t window);

#endif /* _CAUSALCTL_MERGE_H */
