/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_EXPORT_H
#define _CAUSALCTL_EXPORT_H

#include <stdio.h>

#include "graph.h"

/*
 * Exports of a consistent graph for other tools (Documentation/analysis.rst):
 * each writes one file and returns 0 or a negative errno.
 */
int export_shiviz(const struct graph *g, FILE *f);
int export_perfetto(const struct graph *g, FILE *f);
int export_dot(const struct graph *g, FILE *f);
int export_otlp(const struct graph *g, FILE *f);
int export_otlp_proto(const struct graph *g, FILE *f);
struct otlp_http;
int export_otlp_stream(char **paths, int n, char **labels, int nlabels, size_t window,
		       struct otlp_http *h, size_t batch);
int export_otlp_post(const struct graph *g, struct otlp_http *h, size_t batch);

int export_to(const struct graph *g, const char *path, int (*fn)(const struct graph *g, FILE *f));
void vc_json(struct json *j, const struct graph *g, const uint32_t *vc);
size_t event_line(const struct log_set *ls, const struct log_event *ev, char *buf, size_t len);
void event_summary(const struct graph *g, uint32_t e, char *buf, size_t len);

#endif /* _CAUSALCTL_EXPORT_H */
