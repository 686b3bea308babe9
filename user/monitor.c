// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl monitor: print the events of this node as they happen, one line
 * each (-j: one JSON object each, as in a log; Documentation/log.rst), until
 * interrupted, --count events or --duration seconds.  Lost events are
 * reported on stderr and, with -j, as {"lost":N,"time":T} lines.
 */

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causalctl.h"
#include "events.h"
#include "nl.h"
#include "num.h"
#include "otlp_live.h"
#include "print.h"

struct monitor {
	struct json *json;
	unsigned long count, max;
	struct otlp_live *live;
};

static int on_event(const struct event *e, void *arg)
{
	struct monitor *m = arg;

	/* its own (the posts of --otlp) are not the node's to show */
	if ((e->ev.has & HAS_PID) && e->ev.pid == (uint32_t)getpid())
		return 0;
	if (m->json)
		event_json(m->json, e, NULL);
	else
		event_text(stdout, e, NULL);
	if (m->live)
		otlp_live_event(m->live, e, NULL);
	if (m->max && ++m->count >= m->max)
		return -ECANCELED;
	return 0;
}

/**
 * report_lost() - say that events were lost, after an overrun
 * @cmd: the command
 * @json: the -j writer or a log's, or NULL
 * @dropped: in/out: the node's events-dropped counter when last looked at
 *
 * Return: how many the node dropped since (at least 1).
 */
uint64_t report_lost(const char *cmd, struct json *json, uint64_t *dropped)
{
	uint64_t now = events_dropped(), n = now > *dropped ? now - *dropped : 1;

	*dropped = now;
	if (json) {
		json_open(json, '{');
		json_key(json, "lost");
		json_u64(json, n);
		json_key(json, "time");
		json_u64(json, wall_ns());
		json_close(json, '}');
		json_end(json);
	}
	fprintf(stderr, "causalctl: %s: %" PRIu64 " events lost: the receive buffer overran\n",
		cmd, n);
	return n;
}

int monitor_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		OTLP_LIVE_OPTIONS,
		{}
	};
	struct monitor m = { .json = print_json() };
	struct otlp_live_opts otlp = {};
	struct event_source src;
	struct node_status s;
	uint64_t dropped;
	long duration = 0;
	int opt, n, ret = 0;
	struct cnl nl;
	uint64_t v;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "n:d:", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (arg_u64("monitor", "count", optarg, 1, ULONG_MAX, &v))
				return EXIT_USAGE;
			m.max = v;
			break;
		case 'd':
			if (arg_u64("monitor", "duration", optarg, 1, UINT32_MAX, &v))
				return EXIT_USAGE;
			duration = v;
			break;
		default:
			n = otlp_live_opt(&otlp, "monitor", opt, optarg);
			if (n)
				return n == 1 ? usage_error("monitor", "invalid option") : n;
		}
	}
	if (optind < argc)
		return usage_error("monitor", "unexpected argument: %s", argv[optind]);
	n = otlp_live_check(&otlp, "monitor");
	if (n)
		return n;

	if (otlp.url) {
		cnl_connect_or_die(&nl);
		n = node_status_get(&nl, &s);
		cnl_close(&nl);
		if (n < 0)
			return EXIT_FAIL;
	}
	if (event_source_open(&src, "monitor"))
		return EXIT_FAIL;
	if (otlp.url) {
		m.live = otlp_live_start(&otlp, "monitor", &s, NULL);
		if (!m.live) {
			event_source_close(&src);
			return EXIT_FAIL;
		}
	}
	dropped = events_dropped();
	events_catch_signals();
	fprintf(stderr, "causalctl: monitor: listening to the events of this node\n");
	if (duration)
		alarm(duration);
	while (!events_stop) {
		struct pollfd p = { .fd = src.fd, .events = POLLIN };

		/* a stream posts what waited, events or not */
		n = m.live ? poll(&p, 1, 1000) : 1;
		if (n < 0)
			n = -errno;
		else if (n > 0)
			n = event_source_read(&src, on_event, &m);
		if (n == -ECANCELED || n == -EINTR)
			break;
		if (n < 0) {
			fprintf(stderr, "causalctl: monitor: reading events: %s\n", strerror(-n));
			ret = EXIT_FAIL;
			break;
		}
		if (src.overruns) {
			report_lost("monitor", m.json, &dropped);
			src.overruns = 0;
		}
		if (m.live)
			otlp_live_tick(m.live);
	}
	fflush(stdout);
	if (m.live && otlp_live_stop(m.live))
		ret = EXIT_FAIL;
	event_source_close(&src);
	return ret;
}
