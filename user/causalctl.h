/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_H
#define _CAUSALCTL_H

#include <stdbool.h>
#include <stdint.h>

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
bool is_help(const char *arg);
int command_help(const char *name);

int status_main(int argc, char **argv);
int node_main(int argc, char **argv);
int clock_main(int argc, char **argv);
int scope_main(int argc, char **argv);
int attach_main(int argc, char **argv);
int detach_main(int argc, char **argv);
int sockets_main(int argc, char **argv);
int compare_main(int argc, char **argv);
int order_main(int argc, char **argv);
int why_main(int argc, char **argv);
void print_attachment(void);
void print_stats(const bool *have, const uint64_t *v, const char *indent);

int node_id_parse(const char *s, uint64_t *id);
struct nlattr;
int parse_stats(struct nlattr *nest, bool *have, uint64_t *v);

#endif /* _CAUSALCTL_H */
