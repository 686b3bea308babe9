// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl sockets: the sockets of this node that causal keeps clocks for.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <causal/vclock.h>
#include <uapi/linux/causal.h>

#include "causalctl.h"
#include "nl.h"
#include "num.h"
#include "print.h"
#include "snapshot.h"

struct sock_info {
	uint64_t cookie;
	uint16_t family;
	uint8_t local[16], remote[16];
	uint16_t lport, rport;
	uint8_t state, protocol;
	uint32_t pid;
	char comm[32];
	uint64_t clock, last_send, last_recv, remote_node, remote_stamp;
	bool has_stat[CAUSAL_A_STATS_MAX + 1];
	uint64_t stat[CAUSAL_A_STATS_MAX + 1];
	int has_vector;
	struct vec_buf vec;
};

struct sock_list {
	struct sock_info *v;
	size_t n, cap;
	struct cnl *nl;
};

static const char *const tcp_states[] = {
	"unknown", "established", "syn-sent", "syn-recv", "fin-wait1",
	"fin-wait2", "time-wait", "close", "close-wait", "last-ack", "listen",
	"closing", "new-syn-recv",
};

static uint64_t get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static void get_addr(uint8_t *dst, struct nlattr *a)
{
	if (a && nla_len(a) <= 16)
		memcpy(dst, nla_data(a), nla_len(a));
}

static int parse_sock(struct nlattr **tb, void *arg)
{
	struct sock_list *l = arg;
	struct sock_info *s;

	if (!tb[CAUSAL_A_SOCK_COOKIE] || !tb[CAUSAL_A_SOCK_FAMILY])
		return -EPROTO;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct sock_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->cookie = get_u64(tb[CAUSAL_A_SOCK_COOKIE]);
	s->family = nla_get_u16(tb[CAUSAL_A_SOCK_FAMILY]);
	get_addr(s->local, tb[CAUSAL_A_SOCK_ADDR_LOCAL]);
	get_addr(s->remote, tb[CAUSAL_A_SOCK_ADDR_REMOTE]);
	if (tb[CAUSAL_A_SOCK_PORT_LOCAL])
		s->lport = nla_get_u16(tb[CAUSAL_A_SOCK_PORT_LOCAL]);
	if (tb[CAUSAL_A_SOCK_PORT_REMOTE])
		s->rport = nla_get_u16(tb[CAUSAL_A_SOCK_PORT_REMOTE]);
	if (tb[CAUSAL_A_SOCK_TCP_STATE])
		s->state = nla_get_u8(tb[CAUSAL_A_SOCK_TCP_STATE]);
	s->protocol = tb[CAUSAL_A_SOCK_PROTOCOL] ? nla_get_u8(tb[CAUSAL_A_SOCK_PROTOCOL])
						 : IPPROTO_TCP;
	if (tb[CAUSAL_A_SOCK_PID])
		s->pid = nla_get_u32(tb[CAUSAL_A_SOCK_PID]);
	if (tb[CAUSAL_A_SOCK_COMM])
		snprintf(s->comm, sizeof(s->comm), "%s", nla_get_string(tb[CAUSAL_A_SOCK_COMM]));
	s->clock = get_u64(tb[CAUSAL_A_SOCK_CLOCK]);
	s->last_send = get_u64(tb[CAUSAL_A_SOCK_LAST_SEND]);
	s->last_recv = get_u64(tb[CAUSAL_A_SOCK_LAST_RECV]);
	s->remote_node = get_u64(tb[CAUSAL_A_SOCK_REMOTE_NODE]);
	s->remote_stamp = get_u64(tb[CAUSAL_A_SOCK_REMOTE_STAMP]);
	s->has_vector = snapshot_attrs(l->nl, tb, &s->vec);
	if (s->has_vector < 0)
		return s->has_vector;
	if (tb[CAUSAL_A_SOCK_STATS])
		return parse_stats(tb[CAUSAL_A_SOCK_STATS], s->has_stat, s->stat);
	return 0;
}

static void format_endpoint(char *buf, size_t len, uint16_t family,
			    const uint8_t *addr, uint16_t port, char *addr_only,
			    size_t addr_len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	/* IPv4 on a dual-stack socket: show it as IPv4 */
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
		family = AF_INET;
		addr += 12;
	}
	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	snprintf(addr_only, addr_len, "%s", a);
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

/*
 * Text: "vector 3f2a1c:4 9c0112:2 (lossy)", ids cut to 6 hex digits, the
 * entry of the latest event's participant marked with '*'.  JSON: every
 * entry in full.
 */
static void print_vector(const struct sock_info *s)
{
	size_t i;

	print_node_id("vector_id", NULL, s->vec.own);
	print_bool("vector_lossy", NULL, s->vec.v.lossy);
	print_text("  vector");
	print_open_array("vector");
	for (i = 0; i < s->vec.v.len; i++) {
		char id[24];

		snprintf(id, sizeof(id), "%014" PRIx64, (uint64_t)s->vec.v.e[i].id);
		print_open_object(NULL);
		print_text(" %.6s%s:", id, s->vec.v.e[i].id == s->vec.own ? "*" : "");
		print_string("id", NULL, id);
		print_u64("count", "%s", s->vec.v.e[i].n);
		print_close_object();
	}
	print_close_array();
	print_text("%s\n", s->vec.v.lossy ? " (lossy)" : "");
}

static void print_sock(const struct sock_info *s)
{
	char l[64], r[64], la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];
	const char *state = s->state < sizeof(tcp_states) / sizeof(tcp_states[0]) ?
			    tcp_states[s->state] : "unknown";

	format_endpoint(l, sizeof(l), s->family, s->local, s->lport, la, sizeof(la));
	format_endpoint(r, sizeof(r), s->family, s->remote, s->rport, ra, sizeof(ra));

	print_open_object(NULL);
	print_u64("cookie", "cookie %s", s->cookie);
	print_string("protocol", "  %s", s->protocol == IPPROTO_UDP ? "udp" : "tcp");
	print_string("family", NULL, s->family == AF_INET6 ? "inet6" : "inet");
	print_string(NULL, "  %s", l);
	print_string(NULL, " -> %s", r);
	print_string("local", NULL, la);
	print_u64("local_port", NULL, s->lport);
	print_string("remote", NULL, ra);
	print_u64("remote_port", NULL, s->rport);
	/* A UDP socket's state only says whether it is connected. */
	if (s->protocol == IPPROTO_UDP)
		print_string("state", NULL, state);
	else
		print_string("state", "  %s", state);
	if (s->pid) {
		print_u64("pid", "  pid %s", s->pid);
		print_string("comm", " %s", s->comm);
	}
	print_text("\n");
	print_u64("clock", "  clock %s", s->clock);
	if (s->last_send)
		print_u64("last_send", "  last send %s", s->last_send);
	if (s->last_recv)
		print_u64("last_recv", "  last recv %s", s->last_recv);
	if (s->remote_node)
		print_node_id("remote_node", "  peer %s", s->remote_node);
	if (s->remote_stamp)
		print_u64("remote_stamp", " stamp %s", s->remote_stamp);
	print_text("\n");
	if (s->has_vector)
		print_vector(s);
	print_open_object("stats");
	print_stats(s->has_stat, s->stat, "  ");
	print_close_object();
	print_close_object();
}

static bool wanted(const struct sock_info *s, long port, long pid, uint64_t node)
{
	if (port >= 0 && s->lport != port && s->rport != port)
		return false;
	if (pid >= 0 && s->pid != (uint32_t)pid)
		return false;
	return !node || s->remote_node == node;
}

int sockets_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "pid", required_argument, NULL, 'p' },
		{ "node", required_argument, NULL, 'n' },
		{}
	};
	struct cnl nl;
	struct sock_list l = { .nl = &nl };
	long port = -1, pid = -1;
	uint64_t node = 0, v;
	int opt, err, tries;
	size_t i;

	optind = 0;	/* glibc: start afresh after main()'s parsing */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'P':
			if (arg_u64("sockets", "port", optarg, 0, 65535, &v))
				return EXIT_USAGE;
			port = v;
			break;
		case 'p':
			if (arg_u64("sockets", "pid", optarg, 0, INT32_MAX, &v))
				return EXIT_USAGE;
			pid = v;
			break;
		case 'n':
			if (node_id_parse(optarg, &node) < 0)
				return usage_error("sockets", "invalid node id: %s", optarg);
			break;
		default:
			return usage_error("sockets", "invalid option");
		}
	}
	if (optind < argc)
		return usage_error("sockets", "unexpected argument: %s", argv[optind]);

	cnl_connect_or_die(&nl);
	/* A dump that sockets came to or left during is taken again. */
	for (tries = 0; tries < 3; tries++) {
		struct nl_msg *msg = cnl_msg(&nl, CAUSAL_CMD_SOCK_GET, NLM_F_DUMP);

		if (!msg)
			return EXIT_FAIL;
		l.n = 0;
		err = cnl_transact(&nl, msg, CAUSAL_A_SOCK_MAX, parse_sock, &l);
		if (err < 0) {
			cnl_perror(&nl, "listing sockets", err);
			return EXIT_FAIL;
		}
		if (!nl.dump_intr)
			break;
	}
	cnl_close(&nl);
	if (nl.dump_intr)
		fprintf(stderr, "causalctl: sockets kept changing; the list may be inconsistent\n");

	print_open_array(NULL);
	for (i = 0; i < l.n; i++)
		if (wanted(&l.v[i], port, pid, node))
			print_sock(&l.v[i]);
	print_close_array();
	print_end();
	free(l.v);
	return 0;
}
