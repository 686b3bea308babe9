// SPDX-License-Identifier: GPL-2.0
/*
 * causal_soak - soak up the CPU time nobody else wants, and count it: a
 * SCHED_IDLE loop of iterations that each execute the same instructions.
 * make bench runs it beside a workload offered at a fixed rate: under
 * QEMU's instruction counting an iteration is a fixed number of
 * instructions, so the iterations it did not get, against a run alone, are
 * the CPU time the workload took (netperf's CPU "looper", made exact).
 *
 *   causal_soak        until SIGTERM or SIGINT; then prints
 *                      "ITERATIONS SECONDS" (CLOCK_MONOTONIC)
 */

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stopping;

static void stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sched_param p = { 0 };
	struct sigaction sa = { .sa_handler = stop };
	unsigned long long n = 0;
	double t0;
	int i;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: causal_soak (until SIGTERM)\n");
		return 2;
	}
	if (sched_setscheduler(0, SCHED_IDLE, &p)) {
		fprintf(stderr, "causal_soak: SCHED_IDLE: %s\n", strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("soaking\n");
	fflush(stdout);
	t0 = now();
	while (!stopping) {
		for (i = 0; i < 1000; i++)
			__asm__ __volatile__("" ::: "memory");
		n++;
	}
	printf("%llu %.6f\n", n, now() - t0);
	return 0;
}
