// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl status, node and clock: the state of the caller's node.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <causal/names.h>
#include <causal/vclock.h>
#include <uapi/linux/causal.h>

#include "causalctl.h"
#include "nl.h"
#include "num.h"
#include "print.h"

/* Counters in the order and words the text form uses. */
static const struct {
	int attr;
	const char *key;
	const char *fmt;	/* starts a line unless it starts with ',' or ' ' */
} stat_fields[] = {
	{ CAUSAL_A_STATS_SOCKETS, "sockets", "sockets: %s tracked" },
	{ CAUSAL_A_STATS_SOCKETS_UNTRACKED, "sockets_untracked", ", %s untracked at the cap\n" },
	{ CAUSAL_A_STATS_SENDS, "sends", "events:  %s sends" },
	{ CAUSAL_A_STATS_RECEIVES, "receives", ", %s receives\n" },
	{ CAUSAL_A_STATS_STAMPS_OUT, "stamps_out", "stamps:  %s out" },
	{ CAUSAL_A_STATS_NOSPACE_OUT, "nospace_out", " (%s without room)" },
	{ CAUSAL_A_STATS_STAMPS_IN, "stamps_in", ", %s in\n" },
	{ CAUSAL_A_STATS_UNSTAMPED_IN, "unstamped_in", "receives: %s unstamped" },
	{ CAUSAL_A_STATS_INEXACT_IN, "inexact_in", ", %s inexact" },
	{ CAUSAL_A_STATS_FORGED_IN, "forged_in", ", %s forged\n" },
	{ CAUSAL_A_STATS_MALFORMED_IN, "malformed_in", "options: %s malformed" },
	{ CAUSAL_A_STATS_FOREIGN_IN, "foreign_in", ", %s foreign\n" },
	{ CAUSAL_A_STATS_LOSSY_IN, "lossy_in", "vectors: %s lossy receives" },
	{ CAUSAL_A_STATS_VECTOR_INCOMPLETE_OUT, "vector_incomplete_out", ", %s incomplete sends" },
	{ CAUSAL_A_STATS_VECTOR_WIDTH_DROPS, "vector_width_drops", ", %s entries over width\n" },
	{ CAUSAL_A_STATS_VECTOR_ASKS, "vector_asks", "healing: %s asks" },
	{ CAUSAL_A_STATS_VECTOR_RETELLS, "vector_retells", ", %s retells" },
	{ CAUSAL_A_STATS_VECTOR_HEALS, "vector_heals", ", %s clocks healed\n" },
	{ CAUSAL_A_STATS_EVENTS_DROPPED, "events_dropped", "listeners: %s events dropped\n" },
	{ CAUSAL_A_STATS_CONTEXTS, "contexts", "threads: %s clocks" },
	{ CAUSAL_A_STATS_CONTEXTS_UNTRACKED, "contexts_untracked", ", %s events without one at the cap\n" },
	{ CAUSAL_A_STATS_PROBES_DROPPED, "probes_dropped", "probes:  %s hits dropped\n" },
	{ CAUSAL_A_STATS_CALLS_REFUSED, "calls_refused", "kfuncs:  %s calls refused\n" },
};

static bool stat_starts_line(size_t i)
{
	return stat_fields[i].fmt[0] != ',' && stat_fields[i].fmt[0] != ' ';
}

/**
 * print_stats() - counters in the order and words of the text form
 * @have: which attributes of the stats set are present
 * @v: their values
 * @indent: what text lines start with
 *
 * A text line is printed when any of its counters is present, the absent
 * ones as "-" (a socket's traffic that it does not count).
 */
void print_stats(const bool *have, const uint64_t *v, const char *indent)
{
	size_t n = sizeof(stat_fields) / sizeof(stat_fields[0]), i, j;
	bool line = false;

	for (i = 0; i < n; i++) {
		if (stat_starts_line(i)) {
			line = have[stat_fields[i].attr];
			for (j = i + 1; j < n && !stat_starts_line(j); j++)
				line |= have[stat_fields[j].attr];
			if (line)
				print_text("%s", indent);
		}
		if (have[stat_fields[i].attr])
			print_u64(stat_fields[i].key, stat_fields[i].fmt, v[stat_fields[i].attr]);
		else if (line)
			print_text(stat_fields[i].fmt, "-");
	}
}

/* A node setting that takes one of a few named values. */
struct choice {
	const char *cmd;		/* its command, and its JSON key */
	int attr;			/* its attribute in the status set */
	const char *const *names;	/* names by value */
	size_t n;
	const char *hint;		/* the names, for errors */
};

static const struct choice clock_choice = {
	"clock", CAUSAL_A_STATUS_CLOCK, causal_clock_names,
	sizeof(causal_clock_names) / sizeof(causal_clock_names[0]), "lamport/hlc/vector",
};

static const struct choice scope_choice = {
	"scope", CAUSAL_A_STATUS_SCOPE, causal_scope_names,
	sizeof(causal_scope_names) / sizeof(causal_scope_names[0]), "socket/thread/process",
};

static const char *choice_name(const struct choice *c, uint32_t v)
{
	return v < c->n && c->names[v] ? c->names[v] : "unknown";
}

static int choice_parse(const struct choice *c, const char *name, uint32_t *v)
{
	uint32_t i;

	for (i = 0; i < c->n; i++) {
		if (c->names[i] && !strcmp(c->names[i], name)) {
			*v = i;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * parse_stats() - the counters of a stats nest
 * @nest: the nest
 * @have: out: which attributes of the stats set are present
 * @v: out: their values
 *
 * Return: 0, or -EPROTO when the nest does not parse.
 */
int parse_stats(struct nlattr *nest, bool *have, uint64_t *v)
{
	struct nlattr *st[CAUSAL_A_STATS_MAX + 1];
	int i;

	if (nla_parse_nested(st, CAUSAL_A_STATS_MAX, nest, NULL) < 0)
		return -EPROTO;
	for (i = 1; i <= CAUSAL_A_STATS_MAX; i++) {
		if (!st[i] || i == CAUSAL_A_STATS_PAD)
			continue;
		have[i] = true;
		v[i] = nla_get_u64(st[i]);
	}
	return 0;
}

static int parse_status(struct nlattr **tb, void *arg)
{
	struct node_status *s = arg;

	if (!tb[CAUSAL_A_STATUS_VERSION] || !tb[CAUSAL_A_STATUS_NODE_ID] ||
	    !tb[CAUSAL_A_STATUS_CLOCK])
		return -EPROTO;
	snprintf(s->version, sizeof(s->version), "%s",
		 nla_get_string(tb[CAUSAL_A_STATUS_VERSION]));
	s->node_id = nla_get_u64(tb[CAUSAL_A_STATUS_NODE_ID]);
	s->clock = nla_get_u32(tb[CAUSAL_A_STATUS_CLOCK]);
	if (tb[CAUSAL_A_STATUS_SCOPE])
		s->scope = nla_get_u32(tb[CAUSAL_A_STATUS_SCOPE]);
	if (tb[CAUSAL_A_STATUS_SOCKETS_MAX])
		s->sockets_max = nla_get_u32(tb[CAUSAL_A_STATUS_SOCKETS_MAX]);
	if (tb[CAUSAL_A_STATUS_CONTEXTS_MAX])
		s->contexts_max = nla_get_u32(tb[CAUSAL_A_STATUS_CONTEXTS_MAX]);
	if (tb[CAUSAL_A_STATUS_VECTOR_WIDTH])
		s->vector_width = nla_get_u32(tb[CAUSAL_A_STATUS_VECTOR_WIDTH]);
	if (tb[CAUSAL_A_STATUS_MAX_JUMP])
		s->max_jump = nla_get_u64(tb[CAUSAL_A_STATUS_MAX_JUMP]);
	if (tb[CAUSAL_A_STATUS_MAX_DRIFT])
		s->max_drift = nla_get_u32(tb[CAUSAL_A_STATUS_MAX_DRIFT]);
	if (tb[CAUSAL_A_STATUS_SOCKET_COUNTERS])
		s->socket_counters = nla_get_u8(tb[CAUSAL_A_STATUS_SOCKET_COUNTERS]);
	if (tb[CAUSAL_A_STATUS_STATS])
		return parse_stats(tb[CAUSAL_A_STATUS_STATS], s->has_stat, s->stat);
	return 0;
}

/**
 * node_status_get() - the caller's node: identity, settings and counters
 * @nl: connection
 * @s: out
 *
 * Return: 0, or -errno after saying what failed on stderr.
 */
int node_status_get(struct cnl *nl, struct node_status *s)
{
	struct nl_msg *msg = cnl_msg(nl, CAUSAL_CMD_STATUS_GET, 0);
	int err;

	memset(s, 0, sizeof(*s));
	if (!msg)
		return -ENOMEM;
	err = cnl_transact(nl, msg, CAUSAL_A_STATUS_MAX, parse_status, s);
	if (err < 0)
		cnl_perror(nl, "reading the node's status", err);
	return err;
}

int status_main(int argc, char **argv)
{
	struct node_status s;
	struct cnl nl;

	if (argc > 1)
		return usage_error("status", "unexpected argument: %s", argv[1]);

	cnl_connect_or_die(&nl);
	if (node_status_get(&nl, &s) < 0)
		return EXIT_FAIL;
	cnl_close(&nl);

	print_open_object(NULL);
	print_string("version", "causal %s\n", s.version);
	print_node_id("node_id", "node:    %s\n", s.node_id);
	print_string("clock", "clock:   %s", choice_name(&clock_choice, s.clock));
	print_string("scope", ", %s scope\n", choice_name(&scope_choice, s.scope));
	print_u64("sockets_max", "cap:     %s sockets", s.sockets_max);
	print_u64("contexts_max", ", %s thread clocks", s.contexts_max);
	print_u64("vector_width", ", vectors of %s entries\n", s.vector_width);
	print_u64("max_jump", "guard:   stamps at most %s ahead", s.max_jump);
	print_u64("max_drift_ms", ", HLC at most %s ms ahead (0: no limit)\n", s.max_drift);
	print_bool("socket_counters", "counts:  each socket's traffic too\n", s.socket_counters);
	print_attachment();
	print_open_object("stats");
	print_stats(s.has_stat, s.stat, "");
	print_close_object();
	print_close_object();
	print_end();
	return 0;
}

static int node_set(struct cnl *nl, int attr, uint64_t value, const char *what)
{
	struct nl_msg *msg = cnl_msg(nl, CAUSAL_CMD_NODE_SET, 0);
	int err;

	if (!msg)
		return -ENOMEM;
	if (attr == CAUSAL_A_STATUS_NODE_ID || attr == CAUSAL_A_STATUS_MAX_JUMP)
		err = nla_put_u64(msg, attr, value);
	else if (attr == CAUSAL_A_STATUS_SOCKET_COUNTERS)
		err = nla_put_u8(msg, attr, (uint8_t)value);
	else
		err = nla_put_u32(msg, attr, (uint32_t)value);
	if (err < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = cnl_transact(nl, msg, CAUSAL_A_STATUS_MAX, NULL, NULL);
	if (err < 0)
		cnl_perror(nl, what, err);
	return err;
}

/* Return: 0 and *id set, or -EINVAL: 1 to 16 hex digits, optional 0x, not 0. */
int node_id_parse(const char *s, uint64_t *id)
{
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	return parse_hex(s, id) || !*id ? -EINVAL : 0;
}

/* The node's numeric settings. */
static const struct node_number {
	const char *name;
	int attr;
	uint64_t min, max;
} node_numbers[] = {
	{ "sockets-max", CAUSAL_A_STATUS_SOCKETS_MAX, 0, 1048576 },
	{ "contexts-max", CAUSAL_A_STATUS_CONTEXTS_MAX, 0, 1048576 },
	{ "vector-width", CAUSAL_A_STATUS_VECTOR_WIDTH, 1, CAUSAL_VEC_WIDTH_MAX },
	{ "max-jump", CAUSAL_A_STATUS_MAX_JUMP, 0, UINT64_MAX },
	{ "max-drift", CAUSAL_A_STATUS_MAX_DRIFT, 0, UINT32_MAX },
};

int node_main(int argc, char **argv)
{
	struct node_status s;
	struct cnl nl;
	uint64_t id;
	size_t i;

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "show"))) {
		cnl_connect_or_die(&nl);
		if (node_status_get(&nl, &s) < 0)
			return EXIT_FAIL;
		cnl_close(&nl);
		print_open_object(NULL);
		print_node_id("node_id", "%s\n", s.node_id);
		print_close_object();
		print_end();
		return 0;
	}
	if (!strcmp(argv[1], "show"))
		return usage_error("node", "unexpected argument: %s", argv[2]);
	if (strcmp(argv[1], "set"))
		return usage_error("node", "invalid node command: %s (use show/set)", argv[1]);
	if (argc == 4 && !strcmp(argv[2], "socket-counters")) {
		bool on = !strcmp(argv[3], "on");

		if (!on && strcmp(argv[3], "off"))
			return usage_error("node", "invalid socket-counters: %s (use on/off)",
					   argv[3]);
		cnl_connect_or_die(&nl);
		if (node_set(&nl, CAUSAL_A_STATUS_SOCKET_COUNTERS, on,
			     "setting socket-counters") < 0)
			return EXIT_FAIL;
		cnl_close(&nl);
		return 0;
	}
	for (i = 0; argc == 4 && i < sizeof(node_numbers) / sizeof(node_numbers[0]); i++) {
		const struct node_number *nn = &node_numbers[i];
		char what[32];
		uint64_t n;

		if (strcmp(argv[2], nn->name))
			continue;
		if (arg_u64("node", nn->name, argv[3], nn->min, nn->max, &n))
			return EXIT_USAGE;
		cnl_connect_or_die(&nl);
		snprintf(what, sizeof(what), "setting %s", nn->name);
		if (node_set(&nl, nn->attr, n, what) < 0)
			return EXIT_FAIL;
		cnl_close(&nl);
		return 0;
	}
	if (argc != 3)
		return usage_error("node",
				   "node set takes a node id, sockets-max N, contexts-max N, vector-width N, max-jump N, max-drift MS or socket-counters on/off");
	if (node_id_parse(argv[2], &id) < 0)
		return usage_error("node", "invalid node id: %s (use 1 to 16 hex digits, not all zero)",
				   argv[2]);
	cnl_connect_or_die(&nl);
	if (node_set(&nl, CAUSAL_A_STATUS_NODE_ID, id, "setting the node id") < 0)
		return EXIT_FAIL;
	cnl_close(&nl);
	return 0;
}

static int choice_main(const struct choice *c, int argc, char **argv)
{
	struct node_status s;
	struct cnl nl;
	uint32_t v;
	char what[32];

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "show"))) {
		cnl_connect_or_die(&nl);
		if (node_status_get(&nl, &s) < 0)
			return EXIT_FAIL;
		cnl_close(&nl);
		v = c->attr == CAUSAL_A_STATUS_CLOCK ? s.clock : s.scope;
		print_open_object(NULL);
		print_string(c->cmd, "%s\n", choice_name(c, v));
		print_close_object();
		print_end();
		return 0;
	}
	if (strcmp(argv[1], "set"))
		return usage_error(c->cmd, "invalid %s command: %s (use show/set)", c->cmd, argv[1]);
	if (argc != 3)
		return usage_error(c->cmd, "%s set takes one %s name", c->cmd, c->cmd);
	if (choice_parse(c, argv[2], &v) < 0)
		return usage_error(c->cmd, "invalid %s: %s (use %s)", c->cmd, argv[2], c->hint);
	cnl_connect_or_die(&nl);
	snprintf(what, sizeof(what), "setting the %s", c->cmd);
	if (node_set(&nl, c->attr, v, what) < 0)
		return EXIT_FAIL;
	cnl_close(&nl);
	return 0;
}

int clock_main(int argc, char **argv)
{
	return choice_main(&clock_choice, argc, argv);
}

int scope_main(int argc, char **argv)
{
	return choice_main(&scope_choice, argc, argv);
}

const char *clock_name(uint32_t clock)
{
	return choice_name(&clock_choice, clock);
}

const char *scope_name(uint32_t scope)
{
	return choice_name(&scope_choice, scope);
}
