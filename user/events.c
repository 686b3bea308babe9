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
#include <limits.h>
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
#include "cgname.h"
#include "events.h"
#include "nl.h"
#include "num.h"
#include "snapshot.h"

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
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int grp, size = EVENT_RCVBUF, err, one = 1;
	struct cnl nl;
	uint64_t v;

	if (env && !parse_u64(env, 1, INT_MAX, &v))
		size = v;
	else if (env)
		fprintf(stderr, "causalctl: %s: CAUSAL_RCVBUF=%s is not 1 to %d bytes: using %d\n",
			cmd, env, INT_MAX, EVENT_RCVBUF);
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
	log_free(&src->ls);
	memset(src, 0, sizeof(*src));
	src->fd = -1;
}

/* The stamps of "from" of a receive into the event's set. */
static int parse_from(struct event *e, struct nlattr *head, int len)
{
	struct nlattr *a, *k[CAUSAL_A_KEY_MAX + 1];
	struct log_stamp s;
	int rem;

	e->ev.from = e->ls->nfrom;
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != CAUSAL_A_EVENT_FROM)
			continue;
		if (nla_parse_nested(k, CAUSAL_A_KEY_MAX, a, NULL) < 0)
			return -EPROTO;
		if (k[CAUSAL_A_KEY_PARTICIPANT] && k[CAUSAL_A_KEY_COUNT]) {
			s.vector = true;
			s.who = nla_get_u64(k[CAUSAL_A_KEY_PARTICIPANT]);
			s.n = nla_get_u32(k[CAUSAL_A_KEY_COUNT]);
		} else if (k[CAUSAL_A_KEY_NODE_ID] && k[CAUSAL_A_KEY_ID32]) {
			s.vector = false;
			s.who = nla_get_u64(k[CAUSAL_A_KEY_NODE_ID]);
			s.n = nla_get_u32(k[CAUSAL_A_KEY_ID32]);
		} else {
			return -EPROTO;
		}
		if (e->ev.nfrom == UINT16_MAX - 1 || log_add_stamp(e->ls, &s))
			return -ENOMEM;
		e->ev.nfrom++;
	}
	if (e->ev.nfrom)
		e->ev.has |= HAS_FROM;
	return 0;
}

/* The vector clock of the event's participant into the event's set. */
static int parse_vector(struct event *e, struct nlattr *head, int len, bool lossy)
{
	struct vec_buf vb;
	struct log_ventry v;
	int i;

	memset(&vb.v, 0, sizeof(vb.v));
	vb.v.width = CAUSAL_VEC_WIDTH_MAX;
	if (snapshot_vents(head, len, CAUSAL_A_EVENT_VECTOR, &vb.v))
		return -EPROTO;
	e->ev.vector = e->ls->nvec;
	for (i = 0; i < vb.v.len; i++) {
		v.participant = vb.v.e[i].id;
		v.count = vb.v.e[i].n;
		if (log_add_ventry(e->ls, &v))
			return -ENOMEM;
	}
	e->ev.nvector = vb.v.len;
	e->ev.has |= HAS_VECTOR | (lossy ? HAS_LOSSY : 0);
	return 0;
}

/*
 * "ADDR:PORT" for IPv4, "[ADDR]:PORT" for IPv6; an IPv4-mapped address (a
 * dual-stack socket talking IPv4) as IPv4, as its peer sees it.  Interned
 * in the event's set.
 */
static uint32_t parse_addr(struct event *e, uint16_t family, struct nlattr *a, uint16_t port)
{
	uint8_t addr[16] = {};
	const uint8_t *p = addr;
	char ip[INET6_ADDRSTRLEN], buf[64];
	int n = a ? nla_len(a) : 0;

	if (n == 4 || n == 16)
		memcpy(addr, nla_data(a), n);
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
		family = AF_INET;
		p += 12;
	}
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, p, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	n = snprintf(buf, sizeof(buf), family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
	return log_intern(e->ls, buf, n);
}

static uint64_t has_u64(struct log_event *ev, struct nlattr *a, uint16_t bit)
{
	if (!a)
		return 0;
	ev->has |= bit;
	return nla_get_u64(a);
}

static uint32_t has_u32(struct log_event *ev, struct nlattr *a, uint16_t bit)
{
	if (!a)
		return 0;
	ev->has |= bit;
	return nla_get_u32(a);
}

/* The task, the socket and the addresses of an event. */
static int parse_where(struct event *e, struct nlattr **tb)
{
	struct log_event *ev = &e->ev;
	struct nlattr *comm = tb[CAUSAL_A_EVENT_COMM];
	uint16_t family;
	uint8_t proto;

	if (tb[CAUSAL_A_EVENT_PID]) {
		/* a task's members come together */
		ev->pid = has_u32(ev, tb[CAUSAL_A_EVENT_PID], HAS_PID);
		ev->tid = has_u32(ev, tb[CAUSAL_A_EVENT_TID], 0);
		ev->tstart = has_u64(ev, tb[CAUSAL_A_EVENT_TASK_START], 0);
		ev->has |= HAS_TID | HAS_TSTART;
		ev->comm = log_intern(e->ls, comm ? nla_get_string(comm) : "",
				      comm ? strnlen(nla_get_string(comm), 16) : 0);
	}
	ev->cgroup = has_u64(ev, tb[CAUSAL_A_EVENT_CGROUP], HAS_CGROUP);
	if (ev->has & HAS_CGROUP) {
		const char *path = cg_path_of(ev->cgroup);

		if (path) {
			ev->cgpath = log_intern(e->ls, path, strlen(path));
			if (ev->cgpath == STR_NONE)
				return -ENOMEM;
		}
	}
	proto = tb[CAUSAL_A_EVENT_PROTOCOL] ? nla_get_u8(tb[CAUSAL_A_EVENT_PROTOCOL]) : 0;
	ev->proto = proto == IPPROTO_TCP ? PROTO_TCP : proto == IPPROTO_UDP ? PROTO_UDP :
		    PROTO_NONE;
	if (tb[CAUSAL_A_EVENT_FAMILY]) {
		e->has_addr = true;
		family = nla_get_u16(tb[CAUSAL_A_EVENT_FAMILY]);
		e->sport = tb[CAUSAL_A_EVENT_PORT_LOCAL] ?
			   nla_get_u16(tb[CAUSAL_A_EVENT_PORT_LOCAL]) : 0;
		e->dport = tb[CAUSAL_A_EVENT_PORT_REMOTE] ?
			   nla_get_u16(tb[CAUSAL_A_EVENT_PORT_REMOTE]) : 0;
		ev->src = parse_addr(e, family, tb[CAUSAL_A_EVENT_ADDR_LOCAL], e->sport);
		ev->dst = parse_addr(e, family, tb[CAUSAL_A_EVENT_ADDR_REMOTE], e->dport);
		if (ev->src == STR_NONE || ev->dst == STR_NONE)
			return -ENOMEM;
	}
	ev->cookie = has_u64(ev, tb[CAUSAL_A_EVENT_COOKIE], HAS_COOKIE);
	return (ev->has & HAS_PID) && ev->comm == STR_NONE ? -ENOMEM : 0;
}

/*
 * One event message into @e, in @ls: 0; 1 for an event of a type this
 * causalctl does not know (a newer module's), which no log can hold;
 * -EPROTO when it lacks what every event has; -ENOMEM.
 */
static int parse_event(struct nlmsghdr *nlh, struct log_set *ls, struct event *e)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nlattr *head = (struct nlattr *)((char *)g + GENL_HDRLEN);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, err;
	struct nlattr *tb[CAUSAL_A_EVENT_MAX + 1];
	struct log_event *ev = &e->ev;
	uint8_t type;

	if (len < 0 || nla_parse(tb, CAUSAL_A_EVENT_MAX, head, len, NULL) < 0 ||
	    !tb[CAUSAL_A_EVENT_NODE_ID] || !tb[CAUSAL_A_EVENT_ID] || !tb[CAUSAL_A_EVENT_TYPE])
		return -EPROTO;
	type = nla_get_u8(tb[CAUSAL_A_EVENT_TYPE]);
	if (type < CAUSAL_EVENT_TYPE_CONNECT || type >= CAUSAL_EVENT_TYPE_CONNECT + EV_NTYPES)
		return 1;
	log_clear(ls);
	memset(e, 0, sizeof(*e));
	e->ls = ls;
	ev->node = nla_get_u64(tb[CAUSAL_A_EVENT_NODE_ID]);
	ev->id = nla_get_u64(tb[CAUSAL_A_EVENT_ID]);
	ev->type = type - CAUSAL_EVENT_TYPE_CONNECT;
	ev->time = has_u64(ev, tb[CAUSAL_A_EVENT_TIME], 0);
	ev->has |= HAS_TIME;
	err = parse_where(e, tb);
	if (err)
		return err;
	ev->clock = has_u64(ev, tb[CAUSAL_A_EVENT_CLOCK], HAS_CLOCK);
	ev->bytes = has_u32(ev, tb[CAUSAL_A_EVENT_BYTES], HAS_BYTES);
	ev->seq = has_u32(ev, tb[CAUSAL_A_EVENT_SEQ], HAS_SEQ);
	ev->stream = has_u64(ev, tb[CAUSAL_A_EVENT_STREAM], HAS_STREAM);
	e->has_probe = tb[CAUSAL_A_EVENT_PROBE_ID];
	e->probe_id = e->has_probe ? nla_get_u32(tb[CAUSAL_A_EVENT_PROBE_ID]) : 0;
	if (tb[CAUSAL_A_EVENT_UNSTAMPED])
		ev->has |= HAS_UNSTAMPED;
	if (tb[CAUSAL_A_EVENT_INEXACT])
		ev->has |= HAS_INEXACT;
	err = parse_from(e, head, len);
	if (err)
		return err;
	if (tb[CAUSAL_A_EVENT_VECTOR_ID]) {
		ev->participant = has_u64(ev, tb[CAUSAL_A_EVENT_VECTOR_ID], HAS_PARTICIPANT);
		err = parse_vector(e, head, len, tb[CAUSAL_A_EVENT_VECTOR_LOSSY]);
	}
	return err;
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
		err = parse_event(nlh, &src->ls, &e);
		if (err == 1)
			continue;
		if (err < 0)
			return err;
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

/**
 * event_json() - an event as one line of a log (Documentation/log.rst),
 * written by schema_write() as every command writes events
 * @j: the writer, at the top level
 * @e: the event
 * @probe: the name of its probe point, or NULL
 */
void event_json(struct json *j, const struct event *e, const char *probe)
{
	struct log_event ev = e->ev;

	if (probe)
		ev.probe = log_intern(e->ls, probe, strlen(probe));
	json_open(j, '{');
	schema_write(j, e->ls, &ev);
	json_close(j, '}');
	json_end(j);
}

/*
 * event_text() - an event as one line of text:
 *   ID TYPE COMM[PID/TID] PROTO LOCAL -> REMOTE BYTES clock C [from NODE:ID ...]
 */
void event_text(FILE *out, const struct event *e, const char *probe)
{
	const struct log_event *ev = &e->ev;
	const struct log_set *ls = e->ls;
	uint32_t i;

	fprintf(out, "%" PRIu64 " %-7s", ev->id, ev_type_names[ev->type]);
	if (ev->has & HAS_PID)
		fprintf(out, " %s[%u/%u]", log_str(ls, ev->comm), ev->pid, ev->tid);
	if (ev->cgpath != STR_NONE) {
		struct cg_names n;

		/* a container by its short id, as docker ps and crictl show it */
		cg_names_of(log_str(ls, ev->cgpath), &n);
		if (n.runtime)
			fprintf(out, " %s:%.12s", n.runtime, n.container);
	}
	if (ev->proto != PROTO_NONE)
		fprintf(out, " %s", ev_proto_names[ev->proto]);
	if (e->has_addr)
		fprintf(out, " %s %s %s", log_str(ls, ev->src),
			ev->type == EV_RECV || ev->type == EV_ACCEPT ? "<-" : "->",
			log_str(ls, ev->dst));
	if (ev->has & HAS_BYTES)
		fprintf(out, " %" PRIu64 " B", ev->bytes);
	if (probe)
		fprintf(out, " %s", probe);
	if (ev->has & HAS_CLOCK)
		fprintf(out, " clock %" PRIu64, ev->clock);
	if (ev->has & HAS_LOSSY)
		fprintf(out, " (lossy)");
	for (i = 0; i < ev->nfrom; i++) {
		const struct log_stamp *s = &ls->from[ev->from + i];

		fprintf(out, i ? " %0*" PRIx64 ":%" PRIu64 : " from %0*" PRIx64 ":%" PRIu64,
			s->vector ? 14 : 16, s->who, s->n);
	}
	if (ev->has & HAS_UNSTAMPED)
		fprintf(out, " unstamped");
	if (ev->has & HAS_INEXACT)
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
