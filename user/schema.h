/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_SCHEMA_H
#define _CAUSALCTL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jread.h"
#include "json.h"

/*
 * The one schema of an event (Documentation/log.rst, "Events"): the
 * struct every command keeps an event in, its type and protocol names, and
 * one table of its members, in the order lines have them, that both the
 * log reader and the one writer of event lines follow.  Events from the
 * module (events.c) are decoded into the same struct, so that monitor,
 * trace, order, why and the exports write the same line for the same event.
 */

enum ev_type { EV_CONNECT, EV_ACCEPT, EV_SEND, EV_RECV, EV_CLOSE, EV_PROBE, EV_NTYPES };
enum ev_proto { PROTO_NONE, PROTO_TCP, PROTO_UDP, PROTO_NTYPES };

extern const char *const ev_type_names[EV_NTYPES];
extern const char *const ev_proto_names[PROTO_NTYPES];

/* Optional members an event has (struct log_event.has). */
enum {
	HAS_TIME = 1 << 0,
	HAS_PID = 1 << 1,
	HAS_TID = 1 << 2,
	HAS_TSTART = 1 << 3,
	HAS_CGROUP = 1 << 4,
	HAS_COOKIE = 1 << 5,
	HAS_BYTES = 1 << 6,
	HAS_SEQ = 1 << 7,
	HAS_CLOCK = 1 << 8,
	HAS_PARTICIPANT = 1 << 9,
	HAS_VECTOR = 1 << 10,
	HAS_LOSSY = 1 << 11,	 /* "lossy": true */
	HAS_FROM = 1 << 12,
	HAS_UNSTAMPED = 1 << 13, /* "unstamped": true */
	HAS_INEXACT = 1 << 14,	 /* "inexact": true */
	HAS_STREAM = 1 << 15,
};

/* A string that is absent (struct log_event's interned strings). */
#define STR_NONE 0

/*
 * One event.  Strings are interned in a struct log_set (log.h), and the
 * "from" stamps and vector entries are runs of its shared arrays.
 */
struct log_event {
	uint64_t node, id, time, cgroup, cookie, seq, clock, participant, tstart;
	uint64_t bytes, stream;
	uint32_t pid, tid;
	uint32_t comm, src, dst, probe;	/* interned strings */
	uint32_t cgpath;		/* interned: the cgroup's path */
	uint32_t from;			/* first stamp in log_set.from */
	uint32_t vector;		/* first entry in log_set.vec */
	uint16_t nfrom, nvector;
	uint16_t has;
	uint16_t log;			/* index in log_set.logs */
	uint8_t type, proto;
};

/* A stamp of "from": a send named by node and id32, or participant and count. */
struct log_stamp {
	uint64_t who;	/* node, or participant */
	uint64_t n;	/* id32, or count */
	bool vector;
};

struct log_ventry {
	uint64_t participant, count;
};

struct log_set;

/* Members every event has: their bits in what schema_read() saw. */
enum { SEEN_NODE = 1 << 0, SEEN_ID = 1 << 1, SEEN_TYPE = 1 << 2 };

int schema_read(struct jr *c, const char *key, struct log_set *ls, struct log_event *e,
		uint32_t *seen);
int schema_read_line(struct jr *c, struct log_set *ls, struct log_event *e, uint32_t *seen);
void schema_write(struct json *j, const struct log_set *ls, const struct log_event *e);
const char *schema_key(unsigned int i);

#endif /* _CAUSALCTL_SCHEMA_H */
