/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_OTLP_LIVE_H
#define _CAUSALCTL_OTLP_LIVE_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "events.h"
#include "otlp_http.h"

/*
 * Events streamed as spans to an OTLP/HTTP collector while trace or monitor
 * runs (Documentation/analysis.rst, "Live").  The reader of the events
 * only encodes them into requests; a thread of its own posts the requests,
 * behind a bounded queue: when the collector is slower than the events, or
 * away, requests that do not fit are dropped and counted, and the reader
 * never waits.
 */

/* getopt_long codes of the options, above any character */
enum {
	OPT_OTLP = 0x100,
	OPT_OTLP_HEADER,
	OPT_OTLP_JSON,
	OPT_OTLP_BATCH,
	OPT_OTLP_QUEUE,
};

#define OTLP_LIVE_OPTIONS \
	{ "otlp", required_argument, NULL, OPT_OTLP }, \
	{ "otlp-header", required_argument, NULL, OPT_OTLP_HEADER }, \
	{ "otlp-json", no_argument, NULL, OPT_OTLP_JSON }, \
	{ "otlp-batch", required_argument, NULL, OPT_OTLP_BATCH }, \
	{ "otlp-queue", required_argument, NULL, OPT_OTLP_QUEUE }

struct otlp_live_opts {
	const char *url;
	const char *headers[OTLP_HEADERS_MAX];
	int nheaders;
	bool json;
	size_t batch;		/* spans a request, at most */
	size_t queue;		/* spans waiting to be posted, at most */
};

struct otlp_live;
struct node_status;

int otlp_live_opt(struct otlp_live_opts *o, const char *cmd, int opt, const char *arg);
int otlp_live_check(struct otlp_live_opts *o, const char *cmd);
struct otlp_live *otlp_live_start(const struct otlp_live_opts *o, const char *cmd,
				  const struct node_status *s, const char *label);
void otlp_live_event(struct otlp_live *l, const struct event *e, const char *probe);
void otlp_live_tick(struct otlp_live *l);
int otlp_live_stop(struct otlp_live *l);

#endif /* _CAUSALCTL_OTLP_LIVE_H */
