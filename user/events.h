/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_EVENTS_H
#define _CAUSALCTL_EVENTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "log.h"

/**
 * struct event - an event from the module: as a log keeps it, and what the
 * module says that a log does not keep
 * @ev: the event (schema.h), its strings, stamps and vector in @ls
 * @ls: a set that holds this one event, until the next is read
 * @probe_id: the probe point of a probe event (@has_probe)
 * @sport: the socket's local port (@has_addr)
 * @dport: its remote port
 * @has_probe: a probe event
 * @has_addr: with addresses
 */
struct event {
	struct log_event ev;
	struct log_set *ls;
	uint32_t probe_id;
	uint16_t sport, dport;
	bool has_probe, has_addr;
};

/**
 * struct event_source - a subscription to the events group
 * @fd: the netlink socket
 * @buf: receive buffer
 * @len: its size
 * @overruns: times the kernel said the socket's buffer overran (ENOBUFS)
 * @group: the events group's id
 * @ls: where the event being handled is decoded
 */
struct event_source {
	int fd;
	char *buf;
	size_t len;
	uint64_t overruns;
	int group;
	struct log_set ls;
};

/* Called for each event; a negative return stops event_source_read(). */
typedef int (*event_fn)(const struct event *e, void *arg);

int event_source_open(struct event_source *src, const char *cmd);
void event_source_close(struct event_source *src);
int event_source_read(struct event_source *src, event_fn fn, void *arg);
int event_source_finish(struct event_source *src, bool flush, event_fn fn, void *arg);

void event_json(struct json *j, const struct event *e, const char *probe);
void event_text(FILE *out, const struct event *e, const char *probe);
uint64_t wall_ns(void);

extern volatile sig_atomic_t events_stop;
void events_catch_signals(void);
uint64_t node_counter(int attr);
uint64_t events_dropped(void);
uint64_t report_lost(const char *cmd, struct json *json, uint64_t *dropped);

#endif /* _CAUSALCTL_EVENTS_H */
