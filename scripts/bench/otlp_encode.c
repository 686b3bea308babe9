// SPDX-License-Identifier: GPL-2.0
/*
 * otlp_encode URL LOG ROUNDS [json] - what the live OTLP stream costs the
 * reader of the events (trace --otlp, monitor --otlp): the events of LOG,
 * ROUNDS times over (numbered on), through otlp_live_event() as the reader
 * hands them, timed; the sender posts to URL meanwhile (a refused port
 * costs it nothing).  Prints "EVENTS SECONDS".  Linked with causalctl's
 * objects but its main (scripts/bench/otlp.sh).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causalctl.h"
#include "events.h"
#include "log.h"
#include "otlp_live.h"

/* what causalctl.c, left out, gives the other objects */
int verbose;

int command_help(const char *name)
{
	(void)name;
	return 0;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	fprintf(stderr, "otlp_encode: %s: %s\n", cmd, fmt);
	return EXIT_USAGE;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct otlp_live_opts o = {};
	struct node_status s = { .node_id = 0xaa };
	struct log_set ls = {};
	struct otlp_live *l;
	struct event e = {};
	long r, rounds;
	double t0, t;
	size_t i;

	if (argc < 4)
		return usage_error("usage", "otlp_encode URL LOG ROUNDS [json]");
	o.url = argv[1];
	o.json = argc > 4 && !strcmp(argv[4], "json");
	rounds = atol(argv[3]);
	if (log_read(&ls, argv[2]) || otlp_live_check(&o, "otlp_encode"))
		return EXIT_FAIL;
	o.queue = 1 << 24;	/* nothing dropped: every span encoded */
	l = otlp_live_start(&o, "otlp_encode", &s, NULL);
	if (!l)
		return EXIT_FAIL;
	e.ls = &ls;
	t0 = now();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < ls.n; i++) {
			e.ev = ls.ev[i];
			e.ev.id += (uint64_t)r * ls.n;
			otlp_live_event(l, &e, NULL);
			if (!(i & 1023))
				otlp_live_tick(l);
		}
	}
	t = now() - t0;
	printf("%zu %.6f\n", ls.n * rounds, t);
	fflush(stdout);
	otlp_live_stop(l);
	log_free(&ls);
	return 0;
}
