/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_TRACEPOINT_H
#define _CAUSAL_TRACEPOINT_H

/**
 * struct causal_tp - a kernel tracepoint causal hooks
 * @name: the tracepoint, e.g. "tcp_destroy_sock"
 * @probe: the function; its arguments are the tracepoint's, after a void *
 * @tp: found by causal_tracepoints_register()
 */
struct causal_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

int causal_tracepoints_register(struct causal_tp *tps, unsigned int n);
void causal_tracepoints_unregister(struct causal_tp *tps, unsigned int n);

#endif /* _CAUSAL_TRACEPOINT_H */
