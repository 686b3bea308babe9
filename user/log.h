/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_LOG_H
#define _CAUSALCTL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "htab.h"
#include "schema.h"

/*
 * Event logs (Documentation/log.rst) read into flat arrays: one struct per
 * event, strings interned once, the "from" stamps and vectors of all events
 * in two shared arrays that events index.
 */

struct log_file {
	const char *path;
	char *host;
	const char *label;	/* --label, or host */
	uint64_t node, start, end;
	uint64_t lost;		/* events lost, from "lost" lines and the trailer */
	uint64_t trailer_events;
	uint32_t nevents;
	bool filtered, trailer;
	bool vector;		/* the header's clock is "vector" */
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

/* A log read an event at a time (struct log_set keeps what log_read() would). */
struct log_reader {
	struct log_set *ls;
	uint16_t log;		/* its index in ls->logs */
	int fd;
	char *buf;
	size_t cap, len, pos;
	unsigned long lineno;
	bool header, eof;
};

int log_reader_open(struct log_reader *r, struct log_set *ls, const char *path);
int log_reader_next(struct log_reader *r);
void log_reader_close(struct log_reader *r);
int log_read(struct log_set *ls, const char *path);
void log_free(struct log_set *ls);
const char *log_str(const struct log_set *ls, uint32_t id);
uint32_t log_intern(struct log_set *ls, const char *s, size_t len);
int log_add_stamp(struct log_set *ls, const struct log_stamp *s);
int log_add_ventry(struct log_set *ls, const struct log_ventry *v);
void log_clear(struct log_set *ls);
int log_set_labels(struct log_set *ls, char **labels, int nlabels);
const char *log_label(const struct log_set *ls, const struct log_event *e);

#endif /* _CAUSALCTL_LOG_H */
