// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl - inspect and control causal, the kernel's logical clocks for
 * sockets.  One file per subcommand; this one is the table and the options.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <causal/version.h>

#include "causalctl.h"
#include "print.h"

static int help_main(int argc, char **argv);

int verbose;

static const struct command commands[] = {
	{ "status", status_main, "", "show the module, this node and what is attached" },
	{ "node", node_main, "[ show | set ID | set sockets-max N | set vector-width N | set max-jump N | set max-drift MS ]",
	  "show or set this node's identity, socket cap, vector width and forged-stamp guards" },
	{ "clock", clock_main, "[ show | set lamport|hlc|vector ]", "show or set this node's clock" },
	{ "scope", scope_main, "[ show | set socket|thread|process ]",
	  "show or set what clocks flow through" },
	{ "attach", attach_main, "[ --cgroup PATH ]",
	  "attach causal's BPF programs (to the root cgroup by default)" },
	{ "detach", detach_main, "", "detach them" },
	{ "sockets", sockets_main, "[ --port N ] [ --pid N ] [ --node ID ]",
	  "list sockets with their clocks" },
	{ "compare", compare_main, "COOKIE|@FILE COOKIE|@FILE",
	  "what two sockets' clocks prove of their order (@FILE: one saved by -j sockets)" },
	{ "monitor", monitor_main, "[ --count N ] [ --duration S ]",
	  "print this node's events as they happen" },
	{ "trace", trace_main,
	  "[ -o FILE ] [ -p PID | -c CMD ] [ --cgroup PATH ] [ --port N ] [ --duration S ] [ --label NAME ]\n           "
	  "[ --probe kprobe:FUNC | tracepoint:CATEGORY:NAME | uprobe:BINARY:SYMBOL ]...",
	  "record this node's events to a log for an incident" },
	{ "order", order_main,
	  "[ --label NODE=NAME ]... [ --vc ] [ --shiviz FILE ] [ --perfetto FILE ] [ --dot FILE ] "
	  "[ --otlp FILE ] LOG...",
	  "merge logs of many nodes: a causal total order, reports, exports" },
	{ "why", why_main, "[ --label NODE=NAME ]... A B LOG...",
	  "whether event A happened before B, with evidence (A, B: NODE:ID or key=value,...[#N])" },
	{ "help", help_main, "", "show this help" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: causalctl [OPTIONS] COMMAND [ARGS]\n"
		"       causalctl COMMAND help\n\n"
		"Options:\n"
		"  -j, --json     print JSON\n"
		"  -p, --pretty   indent JSON\n"
		"  -v, --verbose  say more (twice: libbpf's debug output too)\n"
		"  -V, --version  print the version and exit\n"
		"  -h, --help     print this help and exit\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n  %-8s   %s\n", commands[i].name,
			commands[i].args, "", commands[i].help);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/**
 * command_help() - print the grammar of one command on stdout
 * @name: the command
 *
 * Return: 0, for the command to return.
 */
int command_help(const char *name)
{
	const struct command *c = find_command(name);

	printf("Usage: causalctl %s %s\n  %s\n", c->name, c->args, c->help);
	return 0;
}

/**
 * usage_error() - report a usage error of @cmd on stderr
 * @cmd: the command, or NULL for causalctl itself
 * @fmt: what is wrong
 *
 * Return: EXIT_USAGE, for the command to return.
 */
int usage_error(const char *cmd, const char *fmt, ...)
{
	const struct command *c = cmd ? find_command(cmd) : NULL;
	va_list ap;

	fputs("causalctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "Usage: causalctl %s %s\n", c->name, c->args);
	return EXIT_USAGE;
}

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static int help_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = false, pretty = false;
	const struct command *cmd;
	int opt;

	while ((opt = getopt_long(argc, argv, "+jpvVh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("causalctl %s\n", CAUSAL_RELEASE);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "causalctl: invalid command: %s\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	print_init(json || pretty, pretty);
	return cmd->fn(argc - optind, argv + optind);
}
