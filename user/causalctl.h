/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_H
#define _CAUSALCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <uapi/linux/causal.h>

/* Exit statuses: documented in causalctl(8). */
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/**
 * struct command - one subcommand of causalctl
 * @name: what the user types
 * @fn: runs it with argv[0] = @name
 * @args: its grammar, for usage
 * @help: one line on what it does
 */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

extern int verbose;

int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int command_help(const char *name);

int status_main(int argc, char **argv);
int node_main(int argc, char **argv);
int clock_main(int argc, char **argv);
int scope_main(int argc, char **argv);
int attach_main(int argc, char **argv);
int detach_main(int argc, char **argv);
int sockets_main(int argc, char **argv);
int compare_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int trace_main(int argc, char **argv);
int order_main(int argc, char **argv);
int why_main(int argc, char **argv);
void print_attachment(void);
void print_stats(const bool *have, const uint64_t *v, const char *indent);

#define CGROUP_ROOT "/sys/fs/cgroup"

struct bpf_program;
struct bpf_link;
struct causal;

/*
 * One BPF program of causal's: its pin's name, whether it attaches to the
 * cgroup, its link.
 */
struct pin {
	const char *name;
	struct bpf_program *prog;
	bool cgroup;
	struct bpf_link *link;
};

#define ATTACH_PROGS 20

/**
 * struct attachment - causal's BPF programs, loaded and attached
 * @skel: the skeleton
 * @pins: each program and its link
 * @cg_fd: the cgroup they are attached to
 */
struct attachment {
	struct causal *skel;
	struct pin pins[ATTACH_PROGS];
	int cg_fd;
};

int attachment_open(struct attachment *a, const char *cgroup, const char *cmd);
void attachment_close(struct attachment *a);
bool attach_pinned(void);
bool attach_loaded(void);

int node_id_parse(const char *s, uint64_t *id);

/* What status-get says of the caller's node. */
struct node_status {
	char version[32];
	uint64_t node_id;
	uint32_t clock;
	uint32_t scope;
	uint32_t sockets_max;
	uint32_t contexts_max;
	uint32_t vector_width;
	uint64_t max_jump;
	uint32_t max_drift;
	bool socket_counters;
	bool has_stat[CAUSAL_A_STATS_MAX + 1];
	uint64_t stat[CAUSAL_A_STATS_MAX + 1];
};

struct cnl;
int node_status_get(struct cnl *nl, struct node_status *s);
const char *clock_name(uint32_t clock);
const char *scope_name(uint32_t scope);
struct nlattr;
int parse_stats(struct nlattr *nest, bool *have, uint64_t *v);

#endif /* _CAUSALCTL_H */
