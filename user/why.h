/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_WHY_H
#define _CAUSALCTL_WHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "log.h"

/*
 * causalctl why: on the whole graph (why.c), or on logs larger than memory
 * as they are read (whystream.c).
 */

/* What an event argument says (why_spec_parse()). */
struct why_spec {
	char *arg;
	char *filter;		/* key=value,...: its nth match in the order */
	uint64_t nth;
	bool counted;		/* #N given */
	char *name;		/* or NODE:ID */
	uint64_t node, id;
};

int why_spec_parse(char *arg, struct why_spec *sp);
int why_spec_node(const struct log_set *ls, struct why_spec *sp);
int why_spec_none(const struct why_spec *sp, uint64_t seen);
int why_filter(const struct log_set *ls, const struct log_event *ev, const char *filter);
const struct log_file *why_log_named(const struct log_set *ls, const char *s);
int why_graph_answer(const struct graph *g, uint32_t a, uint32_t b);
int why_stream(char *a, char *b, char **paths, int n, char **labels, int nlabels,
	       size_t window);

#endif /* _CAUSALCTL_WHY_H */
