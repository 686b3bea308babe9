// SPDX-License-Identifier: GPL-2.0
/*
 * The events group: subscribe to it, decode its messages, and write events
 * as the lines of Documentation/log.rst (JSON) or as text.
 *
 * The socket is read with plain recv() rather than libnl's loop, so that an
 * overrun (ENOBUFS: the kernel had to drop events for this listener) is seen
 * and counted instead of being an error.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <uapi/linux/causal.h>

#include "causalctl.h"
#include "events.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * Room for bursts: the kernel drops what does not fit, never waits.
 * $CAUSAL_RCVBUF overrides it (bytes).
 */
#define EVENT_RCVBUF (16 << 20)
#define EVENT_BUF (1 << 20)

static int family_id;

/**
 * event_source_open() - subscribe to the events group of the caller's node
 * @src: out
 * @cmd: the command, for error messages
 *
 * Exits when the module is not loaded (cnl_connect_or_die()).
 *
 * Return: 0, or -1 after saying why on stderr.
 */
int event_source_open(struct event_source *src, const char *cmd)
{
	const char *env = getenv("CAUSAL_RCVBUF");
	int grp, size = env && atoi(env) > 0 ? atoi(env) : EVENT_RCVBUF, err, one = 1;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct cnl nl;

	memset(src, 0, sizeof(*src));
	src->fd = -1;
	cnl_connect_or_die(&nl);
	family_id = nl.family;
	grp = genl_ctrl_resolve_grp(nl.sk, CAUSAL_FAMILY_NAME, CAUSAL_MCGRP_EVENTS);
	cnl_close(&nl);
	if (grp < 0) {
		fprintf(stderr, "causalctl: %s: the causal module has no events group: load a newer one\n",
			cmd);
		return -1;
	}
	src->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (src->fd < 0 || bind(src->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "causalctl: %s: netlink socket: %s\n", cmd, strerror(errno));
		goto fail;
	}
	/* so that the kernel counts what it could not deliver (events-dropped) */
	setsockopt(src->fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
	if (setsockopt(src->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(src->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(src->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp))) {
		err = errno;
		if (err == EPERM)
			fprintf(stderr, "causalctl: %s: listening to events needs CAP_NET_ADMIN in the user namespace of this network namespace\n",
				cmd);
		else
			fprintf(stderr, "causalctl: %s: joining the events group: %s\n", cmd,
				strerror(err));
		goto fail;
	}
	src->group = grp;
	src->len = EVENT_BUF;
	src->buf = malloc(src->len);
	if (!src->buf) {
		fprintf(stderr, "causalctl: %s: out of memory\n", cmd);
		goto fail;
	}
	return 0;

fail:
	event_source_close(src);
	return -1;
}

void event_source_close(struct event_source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	free(src->buf);
	memset(src, 0, sizeof(*src));
	src->fd = -1;
}

static uint64_t get_u64(struct nlattr *a, bool *have)
{
	if (!a)
		return 0;
	if (have)
		*have = true;
	return nla_get_u64(a);
}

static uint32_t get_u32(struct nlattr *a, bool *have)
{
	if (!a)
		return 0;
	if (have)
		*have = true;
	return nla_get_u32(a);
}

static int parse_keys(struct event *e, struct nlattr *head, int len)
{
	struct nlattr *a, *k[CAUSAL_A_KEY_MAX + 1];
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		struct event_key *key;

		if (nla_type(a) != CAUSAL_A_EVENT_FROM)
			continue;
		if (nla_parse_nested(k, CAUSAL_A_KEY_MAX, a, NULL) < 0)
			return -EPROTO;
		if (e->nfrom == EVENT_FROM_MAX)
			continue;
		key = &e->from[e->nfrom];
		if (k[CAUSAL_A_KEY_PARTICIPANT] && k[CAUSAL_A_KEY_COUNT]) {
			key->vector = true;
			key->id = nla_get_u64(k[CAUSAL_A_KEY_PARTICIPANT]);
			key->n = nla_get_u32(k[CAUSAL_A_KEY_COUNT]);
		} else if (k[CAUSAL_A_KEY_NODE_ID] && k[CAUSAL_A_KEY_ID32]) {
			key->id = nla_get_u64(k[CAUSAL_A_KEY_NODE_ID]);
			key->n = nla_get_u32(k[CAUSAL_A_KEY_ID32]);
		} else {
			return -EPROTO;
		}
		e->nfrom++;
	}
	return 0;
}

static void get_addr(uint8_t *out, struct nlattr *a)
{
	int len = a ? nla_len(a) : 0;

	memset(out, 0, 16);
	if (len == 4 || len == 16)
		memcpy(out, nla_data(a), len);
}

/* One event message into @e: 0, or -EPROTO when it lacks what every event has. */
static int parse_event(struct nlmsghdr *nlh, struct event *e)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nlattr *head = (struct nlattr *)((char *)g + GENL_HDRLEN);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	struct nlattr *tb[CAUSAL_A_EVENT_MAX + 1];

	if (len < 0 || nla_parse(tb, CAUSAL_A_EVENT_MAX, head, len, NULL) < 0 ||
	    !tb[CAUSAL_A_EVENT_NODE_ID] || !tb[CAUSAL_A_EVENT_ID] || !tb[CAUSAL_A_EVENT_TYPE])
		return -EPROTO;
	memset(e, 0, offsetof(struct event, vec));
	e->node = nla_get_u64(tb[CAUSAL_A_EVENT_NODE_ID]);
	e->id = nla_get_u64(tb[CAUSAL_A_EVENT_ID]);
	e->type = nla_get_u8(tb[CAUSAL_A_EVENT_TYPE]);
	e->time = get_u64(tb[CAUSAL_A_EVENT_TIME], NULL);
	e->pid = get_u32(tb[CAUSAL_A_EVENT_PID], &e->has_task);
	e->tid = get_u32(tb[CAUSAL_A_EVENT_TID], NULL);
	e->tstart = get_u64(tb[CAUSAL_A_EVENT_TASK_START], NULL);
	if (tb[CAUSAL_A_EVENT_COMM])
		snprintf(e->comm, sizeof(e->comm), "%s", nla_get_string(tb[CAUSAL_A_EVENT_COMM]));
	e->cgroup = get_u64(tb[CAUSAL_A_EVENT_CGROUP], &e->has_cgroup);
	e->cookie = get_u64(tb[CAUSAL_A_EVENT_COOKIE], &e->has_cookie);
	e->clock = get_u64(tb[CAUSAL_A_EVENT_CLOCK], &e->has_clock);
	e->bytes = get_u32(tb[CAUSAL_A_EVENT_BYTES], &e->has_bytes);
	e->seq = get_u32(tb[CAUSAL_A_EVENT_SEQ], &e->has_seq);
	e->probe_id = get_u32(tb[CAUSAL_A_EVENT_PROBE_ID], &e->has_probe);
	e->participant = get_u64(tb[CAUSAL_A_EVENT_VECTOR_ID], &e->has_participant);
	if (tb[CAUSAL_A_EVENT_PROTOCOL])
		e->proto = nla_get_u8(tb[CAUSAL_A_EVENT_PROTOCOL]);
	if (tb[CAUSAL_A_EVENT_FAMILY]) {
		e->has_addr = true;
		e->family = nla_get_u16(tb[CAUSAL_A_EVENT_FAMILY]);
		get_addr(e->saddr, tb[CAUSAL_A_EVENT_ADDR_LOCAL]);
		get_addr(e->daddr, tb[CAUSAL_A_EVENT_ADDR_REMOTE]);
		e->sport = tb[CAUSAL_A_EVENT_PORT_LOCAL] ?
			   nla_get_u16(tb[CAUSAL_A_EVENT_PORT_LOCAL]) : 0;
		e->dport = tb[CAUSAL_A_EVENT_PORT_REMOTE] ?
			   nla_get_u16(tb[CAUSAL_A_EVENT_PORT_REMOTE]) : 0;
	}
	e->unstamped = !!tb[CAUSAL_A_EVENT_UNSTAMPED];
	e->inexact = !!tb[CAUSAL_A_EVENT_INEXACT];
	if (parse_keys(e, head, len))
		return -EPROTO;
	if (e->has_participant) {
		memset(&e->vec, 0, sizeof(e->vec.v));
		e->vec.v.width = CAUSAL_VEC_WIDTH_MAX;
		if (snapshot_vents(head, len, CAUSAL_A_EVENT_VECTOR, &e->vec.v))
			return -EPROTO;
		e->vec.v.lossy = !!tb[CAUSAL_A_EVENT_VECTOR_LOSSY];
		e->has_vec = true;
	}
	return 0;
}

/**
 * event_source_read() - wait for messages and hand each event to @fn
 * @src: the subscription
 * @fn: called for each event
 * @arg: its argument
 *
 * Return: the number of events handled (0 after an overrun, counted in
 * @src->overruns), or -errno (-EINTR when a signal came first), or what @fn
 * returned when negative.
 */
int event_source_read(struct event_source *src, event_fn fn, void *arg)
{
	struct event e;
	struct nlmsghdr *nlh;
	ssize_t n;
	int done = 0, err;

	n = recv(src->fd, src->buf, src->len, 0);
	if (n < 0) {
		if (errno == ENOBUFS) {
			src->overruns++;
			return 0;
		}
		return -errno;
	}
	for (nlh = (struct nlmsghdr *)src->buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
		if (nlh->nlmsg_type != family_id ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
		    ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd != CAUSAL_CMD_EVENT)
			continue;
		if (parse_event(nlh, &e) < 0)
			return -EPROTO;
		err = fn(&e, arg);
		if (err < 0)
			return err;
		done++;
	}
	return done;
}

/* Have the module deliver the probe hits it holds; false if it cannot. */
static bool probes_flush(void)
{
	struct nl_msg *msg;
	struct cnl nl;
	int err;

	if (cnl_open(&nl))
		return false;
	msg = cnl_msg(&nl, CAUSAL_CMD_PROBES_FLUSH, 0);
	err = msg ? cnl_transact(&nl, msg, CAUSAL_A_STATUS_MAX, NULL, NULL) : -ENOMEM;
	cnl_close(&nl);
	return !err;
}

/**
 * event_source_finish() - hand @fn every event queued for @src, and no more
 * @src: the subscription
 * @flush: first have the module deliver the probe hits it still holds
 *	(they otherwise reach listeners at the next tick)
 * @fn: called for each event
 * @arg: its argument
 *
 * Leaves the events group, so that nothing more is queued, then reads what
 * is: however fast events come, it ends, and the events of the moment it
 * was called are all handed over or, if the socket's buffer overran,
 * counted in @src->overruns.
 *
 * Return: 0, or -errno, or what @fn returned when negative.
 */
int event_source_finish(struct event_source *src, bool flush, event_fn fn, void *arg)
{
	int n, flags;

	if (flush && !probes_flush())
		fprintf(stderr, "causalctl: the module could not deliver its last probe hits: some may be missing\n");
	if (setsockopt(src->fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &src->group,
		       sizeof(src->group)))
		return -errno;
	flags = fcntl(src->fd, F_GETFL);
	if (flags < 0 || fcntl(src->fd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	do {
		n = event_source_read(src, fn, arg);
	} while (n >= 0 || n == -EINTR);
	return n == -EAGAIN ? 0 : n;
}

static const char *const type_names[] = {
	[CAUSAL_EVENT_TYPE_CONNECT] = "connect",
	[CAUSAL_EVENT_TYPE_ACCEPT] = "accept",
	[CAUSAL_EVENT_TYPE_SEND] = "send",
	[CAUSAL_EVENT_TYPE_RECV] = "recv",
	[CAUSAL_EVENT_TYPE_CLOSE] = "close",
	[CAUSAL_EVENT_TYPE_PROBE] = "probe",
};

const char *event_type_name(uint8_t type)
{
	if (type < sizeof(type_names) / sizeof(type_names[0]) && type_names[type])
		return type_names[type];
	return "unknown";
}

/*
 * "ADDR:PORT" for IPv4, "[ADDR]:PORT" for IPv6; an IPv4-mapped address (a
 * dual-stack socket talking IPv4) as IPv4, as its peer sees it.
 */
void event_addr(char *buf, size_t len, uint16_t family, const uint8_t *addr, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
		family = AF_INET;
		addr += 12;
	}
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_TCP ? "tcp" : NULL;
}

static void json_hex(struct json *j, const char *key, uint64_t v, int digits)
{
	char buf[17];

	snprintf(buf, sizeof(buf), "%0*" PRIx64, digits, v);
	json_key(j, key);
	json_string(j, buf);
}

static void json_u64_key(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

static void json_true(struct json *j, const char *key, bool v)
{
	if (!v)
		return;
	json_key(j, key);
	json_bool(j, true);
}

/**
 * event_json() - an event as one line of a log (Documentation/log.rst)
 * @j: the writer, at the top level
 * @e: the event
 * @probe: the name of its probe point, or NULL
 */
void event_json(struct json *j, const struct event *e, const char *probe)
{
	char buf[64];
	int i;

	json_open(j, '{');
	json_hex(j, "node", e->node, 16);
	json_u64_key(j, "id", e->id);
	json_key(j, "type");
	json_string(j, event_type_name(e->type));
	json_u64_key(j, "time", e->time);
	if (e->has_task) {
		json_u64_key(j, "pid", e->pid);
		json_u64_key(j, "tid", e->tid);
		json_u64_key(j, "tstart", e->tstart);
		json_key(j, "comm");
		json_string(j, e->comm);
	}
	if (e->has_cgroup)
		json_u64_key(j, "cgroup", e->cgroup);
	if (proto_name(e->proto)) {
		json_key(j, "proto");
		json_string(j, proto_name(e->proto));
	}
	if (e->has_addr) {
		event_addr(buf, sizeof(buf), e->family, e->saddr, e->sport);
		json_key(j, "src");
		json_string(j, buf);
		event_addr(buf, sizeof(buf), e->family, e->daddr, e->dport);
		json_key(j, "dst");
		json_string(j, buf);
	}
	if (e->has_cookie)
		json_u64_key(j, "cookie", e->cookie);
	if (e->has_bytes)
		json_u64_key(j, "bytes", e->bytes);
	if (e->has_seq)
		json_u64_key(j, "seq", e->seq);
	if (e->has_clock)
		json_u64_key(j, "clock", e->clock);
	if (e->has_vec) {
		json_hex(j, "participant", e->participant, 14);
		json_key(j, "vector");
		json_open(j, '{');
		for (i = 0; i < e->vec.v.len; i++) {
			snprintf(buf, sizeof(buf), "%014" PRIx64, (uint64_t)e->vec.v.e[i].id);
			json_u64_key(j, buf, e->vec.v.e[i].n);
		}
		json_close(j, '}');
		json_key(j, "lossy");
		json_bool(j, e->vec.v.lossy);
	}
	if (e->nfrom) {
		json_key(j, "from");
		json_open(j, '[');
		for (i = 0; i < e->nfrom; i++) {
			json_open(j, '{');
			if (e->from[i].vector) {
				json_hex(j, "participant", e->from[i].id, 14);
				json_u64_key(j, "count", e->from[i].n);
			} else {
				json_hex(j, "node", e->from[i].id, 16);
				json_u64_key(j, "id32", e->from[i].n);
			}
			json_close(j, '}');
		}
		json_close(j, ']');
	}
	json_true(j, "unstamped", e->unstamped);
	json_true(j, "inexact", e->inexact);
	if (e->has_probe && probe) {
		json_key(j, "probe");
		json_string(j, probe);
	}
	json_close(j, '}');
	json_end(j);
}

/*
 * event_text() - an event as one line of text:
 *   ID TYPE COMM[PID/TID] PROTO LOCAL -> REMOTE BYTES clock C [from NODE:ID ...]
 */
void event_text(FILE *out, const struct event *e, const char *probe)
{
	char local[64], remote[64];
	int i;

	fprintf(out, "%" PRIu64 " %-7s", e->id, event_type_name(e->type));
	if (e->has_task)
		fprintf(out, " %s[%u/%u]", e->comm, e->pid, e->tid);
	if (proto_name(e->proto))
		fprintf(out, " %s", proto_name(e->proto));
	if (e->has_addr) {
		event_addr(local, sizeof(local), e->family, e->saddr, e->sport);
		event_addr(remote, sizeof(remote), e->family, e->daddr, e->dport);
		fprintf(out, " %s %s %s", local,
			e->type == CAUSAL_EVENT_TYPE_RECV || e->type == CAUSAL_EVENT_TYPE_ACCEPT ?
			"<-" : "->", remote);
	}
	if (e->has_bytes)
		fprintf(out, " %u B", e->bytes);
	if (probe)
		fprintf(out, " %s", probe);
	if (e->has_clock)
		fprintf(out, " clock %" PRIu64, e->clock);
	if (e->has_vec && e->vec.v.lossy)
		fprintf(out, " (lossy)");
	for (i = 0; i < e->nfrom; i++)
		fprintf(out, i ? " %0*" PRIx64 ":%u" : " from %0*" PRIx64 ":%u",
			e->from[i].vector ? 14 : 16, e->from[i].id, e->from[i].n);
	if (e->unstamped)
		fprintf(out, " unstamped");
	if (e->inexact)
		fprintf(out, " inexact");
	fputc('\n', out);
	fflush(out);
}

/* The wall clock, nanoseconds since the Unix epoch. */
uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

volatile sig_atomic_t events_stop;

static void on_signal(int sig)
{
	events_stop = sig;
}

/**
 * events_catch_signals() - make SIGINT, SIGTERM and SIGALRM stop a listener
 *
 * They set events_stop and interrupt a waiting event_source_read() (-EINTR).
 */
void events_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int sigs[] = { SIGINT, SIGTERM, SIGALRM, SIGHUP }, i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, NULL);
}

/**
 * node_counter() - one of the node's counters
 * @attr: its attribute in the stats set
 *
 * Return: its value, or 0 when it cannot be read.
 */
uint64_t node_counter(int attr)
{
	struct node_status s;
	struct cnl nl;

	if (cnl_open(&nl))
		return 0;
	if (node_status_get(&nl, &s) < 0)
		memset(&s, 0, sizeof(s));
	cnl_close(&nl);
	return s.stat[attr];
}

/**
 * events_dropped() - the node's events-dropped counter
 *
 * Return: its value, or 0 when it cannot be read.
 */
uint64_t events_dropped(void)
{
	return node_counter(CAUSAL_A_STATS_EVENTS_DROPPED);
}
