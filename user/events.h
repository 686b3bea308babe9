/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_EVENTS_H
#define _CAUSALCTL_EVENTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "snapshot.h"

/* Sends a TCP receive can name: the module's rx history. */
#define EVENT_FROM_MAX 16

/* One send as a stamp names it (Documentation/log.rst, "from"). */
struct event_key {
	bool vector;
	uint64_t id;	/* node id, or participant */
	uint32_t n;	/* low 32 bits of the event number, or count */
};

/**
 * struct event - one event of the events group, decoded
 *
 * The has_* members say which optional attributes came; see the event
 * attribute set of Documentation/netlink/specs/causal.yaml.
 */
struct event {
	uint64_t node, id, time, cgroup, cookie, clock, participant, tstart;
	uint32_t pid, tid, bytes, seq, probe_id;
	uint8_t type, proto;
	bool has_task, has_cgroup, has_cookie, has_clock, has_bytes, has_seq;
	bool has_participant, has_probe, has_addr, has_vec;
	bool unstamped, inexact;
	char comm[17];
	uint16_t family, sport, dport;
	uint8_t saddr[16], daddr[16];
	int nfrom;
	struct event_key from[EVENT_FROM_MAX];
	struct vec_buf vec;
};

/**
 * struct event_source - a subscription to the events group
 * @fd: the netlink socket
 * @buf: receive buffer
 * @len: its size
 * @overruns: times the kernel said the socket's buffer overran (ENOBUFS)
 * @group: the events group's id
 */
struct event_source {
	int fd;
	char *buf;
	size_t len;
	uint64_t overruns;
	int group;
};

/* Called for each event; a negative return stops event_source_read(). */
typedef int (*event_fn)(const struct event *e, void *arg);

int event_source_open(struct event_source *src, const char *cmd);
void event_source_close(struct event_source *src);
int event_source_read(struct event_source *src, event_fn fn, void *arg);
int event_source_finish(struct event_source *src, bool flush, event_fn fn, void *arg);

const char *event_type_name(uint8_t type);
void event_addr(char *buf, size_t len, uint16_t family, const uint8_t *addr, uint16_t port);
void event_json(struct json *j, const struct event *e, const char *probe);
void event_text(FILE *out, const struct event *e, const char *probe);
uint64_t wall_ns(void);

extern volatile sig_atomic_t events_stop;
void events_catch_signals(void);
uint64_t node_counter(int attr);
uint64_t events_dropped(void);
uint64_t report_lost(const char *cmd, struct json *json, uint64_t *dropped);
long parse_count(const char *s);

#endif /* _CAUSALCTL_EVENTS_H */
