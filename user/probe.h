/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_PROBE_H
#define _CAUSALCTL_PROBE_H

#include <stdint.h>

struct bpf_link;
struct bpf_program;
struct probe;
struct probe_user;

/**
 * struct trace_probe - one probe point of causalctl trace --probe
 * @spec: as the operator wrote it, which the log names it by
 * @id: the number its events carry (probe-id)
 * @skel: the program that calls the module
 * @user: for a uprobe, the uprobe program it is attached to
 * @prog: the program of @skel that is loaded
 * @link: @prog's link
 * @user_link: the uprobe's link
 * @hits: its events written to the log
 */
struct trace_probe {
	char spec[256];
	uint32_t id;
	uint64_t hits;
	struct probe *skel;
	struct probe_user *user;
	struct bpf_program *prog;
	struct bpf_link *link, *user_link;
};

int trace_probe_load(struct trace_probe *p, const char *spec, uint32_t id);
int trace_probe_link(struct trace_probe *p);
void trace_probe_detach(struct trace_probe *p);

#endif /* _CAUSALCTL_PROBE_H */
