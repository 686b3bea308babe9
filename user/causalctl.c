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

/*
 * The grammar of each command, as its help and causalctl(8) show it: a '\n'
 * in @args starts a line that help indents under the first.
 */
static const struct command commands[] = {
	{ "status", status_main, "", "show the module, this node and what is attached" },
	{ "node", node_main,
	  "[ show | set ID | set sockets-max N | set contexts-max N\n"
	  "| set vector-width N | set max-jump N | set max-drift MS\n"
	  "| set socket-counters on|off ]",
	  "show or set this node's identity, socket and thread clock caps, vector width, forged-stamp guards and per-socket counting" },
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
	{ "monitor", monitor_main, "[ --count N ] [ --duration S ]\n"
	  "[ --otlp URL [ --otlp-header KEY=VALUE ]... [ --otlp-json ]\n"
	  "[ --otlp-batch N ] [ --otlp-queue N ] ]",
	  "print this node's events as they happen" },
	{ "trace", trace_main,
	  "[ -o FILE ] [ -p PID | -c CMD ] [ --cgroup PATH ] [ --port N ]\n"
	  "[ --duration S ] [ --label NAME ]\n"
	  "[ --probe kprobe:FUNC | tracepoint:CATEGORY:NAME | uprobe:BINARY:SYMBOL ]...\n"
	  "[ --otlp URL [ --otlp-header KEY=VALUE ]... [ --otlp-json ]\n"
	  "[ --otlp-batch N ] [ --otlp-queue N ] ]",
	  "record this node's events to a log for an incident" },
	{ "order", order_main,
	  "[ --label NODE=NAME ]... [ --in-memory | --window N ] [ --vc ] [ --shiviz FILE ]\n"
	  "[ --perfetto FILE ] [ --dot FILE ] [ --otlp FILE ] [ --otlp-proto FILE ]\n"
	  "[ --otlp-url URL [ --otlp-header KEY=VALUE ]... [ --otlp-json ] [ --otlp-batch N ] ] LOG...",
	  "merge logs of many nodes: a causal total order, reports, exports" },
	{ "why", why_main, "[ --label NODE=NAME ]... [ --in-memory | --stream ] [ --window N ]\n"
	  "A B LOG...",
	  "whether event A happened before B, with evidence (A, B: NODE:ID or key=value,...[#N])" },
	{ "help", help_main, "[ COMMAND ]", "show this help, or one command's" },
};

/*
 * print_grammar() - "@prefix NAME ARGS" and a newline, NAME padded to @width
 * when ARGS follow, the lines of ARGS after the first aligned under it
 */
static void print_grammar(FILE *out, const char *prefix, int width,
			  const struct command *c)
{
	const char *args = c->args, *nl;
	int col;

	if (!*args) {
		fprintf(out, "%s%s\n", prefix, c->name);
		return;
	}
	col = fprintf(out, "%s%-*s ", prefix, width, c->name);
	while ((nl = strchr(args, '\n'))) {
		fprintf(out, "%.*s\n%*s", (int)(nl - args), args, col, "");
		args = nl + 1;
	}
	fprintf(out, "%s\n", args);
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: causalctl [OPTIONS] COMMAND [ARGS]\n"
		"       causalctl COMMAND help\n\n"
		"Options:\n"
		"  -j, --json     print JSON\n"
		"  -p, --pretty   print JSON, indented\n"
		"  -v, --verbose  say more (twice: libbpf's debug output too)\n"
		"  -V, --version  print the version and exit\n"
		"  -h, --help     print this help and exit\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		print_grammar(out, "  ", 8, &commands[i]);
		fprintf(out, "             %s\n", commands[i].help);
	}
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

	print_grammar(stdout, "Usage: causalctl ", 0, c);
	printf("  %s\n", c->help);
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
		print_grammar(stderr, "Usage: causalctl ", 0, c);
	return EXIT_USAGE;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* help [COMMAND]: all commands, or the grammar of one */
static int help_main(int argc, char **argv)
{
	if (argc > 2)
		return usage_error("help", "unexpected argument: %s", argv[2]);
	if (argc > 1) {
		if (!find_command(argv[1]))
			return usage_error(NULL, "unknown command: %s", argv[1]);
		return command_help(argv[1]);
	}
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
	/* "COMMAND help" (or -h, --help) for every command, here */
	if (optind + 1 < argc && is_help(argv[optind + 1]))
		return command_help(cmd->name);
	print_init(json || pretty, pretty);
	return cmd->fn(argc - optind, argv + optind);
}
