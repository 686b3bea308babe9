/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_LOG_H
#define _CAUSALCTL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Event logs (Documentation/log.rst) read into flat arrays: one struct per
 * event, strings interned once, the "from" stamps and vectors of all events
 * in two shared arrays that events index.
 */

enum ev_type { EV_CONNECT, EV_ACCEPT, EV_SEND, EV_RECV, EV_CLOSE, EV_PROBE, EV_NTYPES };
enum ev_proto { PROTO_NONE, PROTO_TCP, PROTO_UDP };

/* Members an event has (struct log_event.has), in log.rst's order. */
enum {
	HAS_TIME = 1 << 0,
	HAS_PID = 1 << 1,
	HAS_TID = 1 << 2,
	HAS_CGROUP = 1 << 3,
	HAS_COOKIE = 1 << 4,
	HAS_BYTES = 1 << 5,
	HAS_SEQ = 1 << 6,
	HAS_CLOCK = 1 << 7,
	HAS_PARTICIPANT = 1 << 8,
	HAS_VECTOR = 1 << 9,
	HAS_LOSSY = 1 << 10,	/* "lossy": true */
	HAS_FROM = 1 << 11,
	HAS_UNSTAMPED = 1 << 12, /* "unstamped": true */
};

/* A string that is absent. */
#define STR_NONE 0

struct log_event {
	uint64_t node, id, time, cgroup, cookie, seq, clock, participant, tstart;
	uint64_t bytes;
	uint32_t pid, tid;
	uint32_t comm, src, dst, probe;	/* interned strings */
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

struct log_file {
	const char *path;
	char *host;
	const char *label;	/* --label, or host */
	uint64_t node, start, end;
	uint64_t lost;		/* events lost, from "lost" lines and the trailer */
	uint64_t trailer_events;
	uint32_t nevents;
	bool filtered, trailer;
};

struct log_set {
	struct log_file *logs;
	size_t nlogs;
	struct log_event *ev;
	size_t n, cap;
	struct log_stamp *from;
	size_t nfrom, cap_from;
	struct log_ventry *vec;
	size_t nvec, cap_vec;
	/* interned strings: id i is at strings + str_off[i] */
	char *strings;
	size_t str_len, str_cap;
	uint32_t *str_off;
	uint32_t nstr, cap_str;
	uint32_t *str_slot;
	uint32_t str_mask;
};

extern const char *const ev_type_names[EV_NTYPES];
extern const char *const ev_proto_names[3];

int log_read(struct log_set *ls, const char *path);
void log_free(struct log_set *ls);
const char *log_str(const struct log_set *ls, uint32_t id);
uint32_t log_intern(struct log_set *ls, const char *s, size_t len);
int log_parse_hex(const char *s, uint64_t *v);
int log_set_labels(struct log_set *ls, char **labels, int nlabels);
const char *log_label(const struct log_set *ls, const struct log_event *e);

/* A hash of two 64-bit words, for the tables of log.c, graph.c and why.c. */
static inline uint64_t hash2(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

/*
 * An open-addressing table of event (or other object) indices: the caller
 * knows what an index's key is, so a slot costs four bytes.
 */
#define HT_EMPTY UINT32_MAX

struct htab {
	uint32_t *slot;
	uint32_t mask, count;
};

typedef bool (*ht_match_fn)(const void *ctx, uint32_t v, const void *key);

int ht_init(struct htab *h, size_t expect);
void ht_free(struct htab *h);
uint32_t *ht_find(const struct htab *h, uint64_t hash, ht_match_fn match, const void *ctx,
		  const void *key);

#endif /* _CAUSALCTL_LOG_H */
