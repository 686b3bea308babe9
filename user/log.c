// SPDX-License-Identifier: GPL-2.0
/*
 * The reader of event logs (Documentation/log.rst): one pass over each line
 * with a parser that knows the members it wants and skips any other value.
 * Errors name the file, the line and the member.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jread.h"
#include "log.h"
#include "num.h"

#define LOG_VERSION 1

/* --- interned strings ------------------------------------------------------ */

struct str_key {
	const char *s;
	size_t len;
};

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = hash2(h, w);
	}
	w = 0;
	memcpy(&w, s, len);
	return hash2(h, w);
}

static bool str_match(const void *ctx, uint32_t v, const void *key)
{
	const struct log_set *ls = ctx;
	const struct str_key *k = key;
	const char *s = ls->strings + ls->str_off[v];

	return !memcmp(s, k->s, k->len) && !s[k->len];
}

const char *log_str(const struct log_set *ls, uint32_t id)
{
	return id == STR_NONE ? "" : ls->strings + ls->str_off[id];
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int str_rehash(struct log_set *ls)
{
	struct htab h;
	uint32_t i;

	if (ht_init(&h, 2 * (size_t)ls->nstr + 16))
		return -ENOMEM;
	for (i = 1; i < ls->nstr; i++) {
		const char *s = log_str(ls, i);
		struct str_key k = { s, strlen(s) };

		*ht_find(&h, str_hash(s, k.len), str_match, ls, &k) = i;
	}
	free(ls->str_slot);
	ls->str_slot = h.slot;
	ls->str_mask = h.mask;
	return 0;
}

/**
 * log_intern() - the id of a string, the same for equal strings
 * @ls: the set whose strings it joins
 * @s: the string
 * @len: its length
 *
 * Return: the id, or STR_NONE when out of memory.
 */
uint32_t log_intern(struct log_set *ls, const char *s, size_t len)
{
	struct str_key k = { s, len };
	size_t cap = ls->cap_str;
	struct htab h;
	uint32_t *slot;

	if (!ls->nstr) {
		/* id 0 is STR_NONE, the empty string */
		if (grow((void **)&ls->strings, &ls->str_cap, 1, 1))
			return STR_NONE;
		ls->strings[0] = 0;
		ls->str_len = 1;
		ls->nstr = 1;
	}
	if (2 * (ls->nstr + 1) > ls->str_mask + 1 && str_rehash(ls))
		return STR_NONE;
	h = (struct htab){ .slot = ls->str_slot, .mask = ls->str_mask };
	slot = ht_find(&h, str_hash(s, len), str_match, ls, &k);
	if (*slot != HT_EMPTY)
		return *slot;
	if (grow((void **)&ls->str_off, &cap, ls->nstr + 1, sizeof(*ls->str_off)) ||
	    grow((void **)&ls->strings, &ls->str_cap, ls->str_len + len + 1, 1))
		return STR_NONE;
	ls->cap_str = cap;
	memcpy(ls->strings + ls->str_len, s, len);
	ls->strings[ls->str_len + len] = 0;
	ls->str_off[ls->nstr] = ls->str_len;
	ls->str_len += len + 1;
	*slot = ls->nstr;
	return ls->nstr++;
}

/* --- the shared arrays ------------------------------------------------------ */

/* Append a stamp of "from" (of the event being read): 0, or -ENOMEM. */
int log_add_stamp(struct log_set *ls, const struct log_stamp *s)
{
	if (grow((void **)&ls->from, &ls->cap_from, ls->nfrom + 1, sizeof(*ls->from)))
		return -ENOMEM;
	ls->from[ls->nfrom++] = *s;
	return 0;
}

/* Append an entry of a vector (of the event being read): 0, or -ENOMEM. */
int log_add_ventry(struct log_set *ls, const struct log_ventry *v)
{
	if (grow((void **)&ls->vec, &ls->cap_vec, ls->nvec + 1, sizeof(*ls->vec)))
		return -ENOMEM;
	ls->vec[ls->nvec++] = *v;
	return 0;
}

/**
 * log_clear() - forget the events, stamps, vectors and strings of @ls but
 * keep its memory: a set that holds one event at a time (events.c)
 * @ls: the set, without logs
 */
void log_clear(struct log_set *ls)
{
	ls->n = 0;
	ls->nfrom = 0;
	ls->nvec = 0;
	if (ls->str_slot) {
		memset(ls->str_slot, 0xff, (ls->str_mask + 1) * sizeof(*ls->str_slot));
		ls->str_len = 1;
		ls->nstr = 1;
	}
}

/* --- lines ------------------------------------------------------------------ */

enum line_kind { LINE_EVENT, LINE_HEADER, LINE_LOST, LINE_TRAILER };

/* What one line said: its event's members, and the other lines' */
struct line {
	struct log_set *ls;
	struct log_event ev;
	uint32_t seen;		/* SEEN_* */
	bool has_version, has_lost, has_end, has_events;
	bool filtered, vector;
	uint64_t version, lost, end, events, start;
	char host[256];
};

static int filter_member(struct jr *c, const char *key, void *arg)
{
	(void)key;
	*(bool *)arg = true;
	return jr_skip(c, 2);
}

/* Members of the lines that are not events, and of events (schema.c). */
static int line_member(struct jr *c, const char *key, void *arg)
{
	struct line *l = arg;
	int ret;

	if (c->keylen == 5 && !memcmp(key, "clock", 5)) {
		/* the header's clock is a name, an event's a number */
		jr_ws(c);
		if (c->p < c->end && *c->p == '"') {
			char name[64];

			if (jr_string(c, name, sizeof(name), NULL))
				return -EINVAL;
			l->vector = !strcmp(name, "vector");
			return 0;
		}
	}
	/* an event's members first: lines are mostly events */
	ret = schema_read(c, key, l->ls, &l->ev, &l->seen);
	if (ret != 1)
		return ret;
	if (!strcmp(key, "causal_log")) {
		l->has_version = true;
		return jr_u64(c, &l->version);
	} else if (!strcmp(key, "end")) {
		l->has_end = true;
		return jr_u64(c, &l->end);
	} else if (!strcmp(key, "events")) {
		l->has_events = true;
		return jr_u64(c, &l->events);
	} else if (!strcmp(key, "filter")) {
		return jr_object(c, filter_member, &l->filtered);
	} else if (!strcmp(key, "host")) {
		return jr_string(c, l->host, sizeof(l->host), NULL);
	} else if (!strcmp(key, "lost")) {
		l->has_lost = true;
		return jr_u64(c, &l->lost);
	} else if (!strcmp(key, "start")) {
		return jr_u64(c, &l->start);
	}
	return jr_skip(c, 1);
}

static int classify(struct jr *c, const struct line *l, enum line_kind *kind)
{
	if (l->has_version) {
		*kind = LINE_HEADER;
		return 0;
	}
	if (l->has_end) {
		*kind = LINE_TRAILER;
		return 0;
	}
	if (l->has_lost && !(l->seen & SEEN_TYPE)) {
		*kind = LINE_LOST;
		return 0;
	}
	*kind = LINE_EVENT;
	if (!(l->seen & SEEN_NODE))
		return jr_fail(c, "event without \"node\"");
	if (!(l->seen & SEEN_ID))
		return jr_fail(c, "event without \"id\"");
	if (!(l->seen & SEEN_TYPE))
		return jr_fail(c, "event without \"type\"");
	return 0;
}

static int add_event(struct log_reader *r, struct jr *c, struct line *l)
{
	struct log_set *ls = r->ls;
	struct log_file *f = &ls->logs[r->log];

	if (l->ev.node != f->node)
		return jr_fail(c, "\"node\" is not the header's");
	if (ls->n >= UINT32_MAX - 1)
		return jr_fail(c, "too many events");
	if (grow((void **)&ls->ev, &ls->cap, ls->n + 1, sizeof(*ls->ev)))
		return jr_fail(c, "out of memory");
	l->ev.log = r->log;
	ls->ev[ls->n++] = l->ev;
	f->nevents++;
	return 0;
}

/* One line: 1 if it was an event (added to the set), 0 if not, or -EINVAL. */
static int read_line(struct log_reader *r, const char *p, const char *end)
{
	struct jr c = { .p = p, .end = end, .member = "line" };
	struct line l = { .ls = r->ls };
	struct log_file *f = &r->ls->logs[r->log];
	enum line_kind kind;
	size_t nfrom, nvec;

	jr_ws(&c);
	if (c.p == end)
		return 0;	/* blank */
	nfrom = r->ls->nfrom;
	nvec = r->ls->nvec;
	if (schema_read_line(&c, r->ls, &l.ev, &l.seen)) {
		/* not as the writer writes events: the general reader */
		c = (struct jr){ .p = p, .end = end, .member = "line" };
		l = (struct line){ .ls = r->ls };
		r->ls->nfrom = nfrom;
		r->ls->nvec = nvec;
		jr_ws(&c);
		if (jr_object(&c, line_member, &l))
			goto err;
	}
	jr_ws(&c);
	if (c.p != end) {
		jr_fail(&c, "text after the object");
		goto err;
	}
	if (classify(&c, &l, &kind))
		goto err;
	if (!r->header && kind != LINE_HEADER) {
		jr_fail(&c, "not a causal log: the first line is not its header");
		goto err;
	}
	switch (kind) {
	case LINE_HEADER:
		if (r->header) {
			jr_fail(&c, "a second header");
			goto err;
		}
		if (l.version != LOG_VERSION) {
			jr_fail(&c, "causal_log version %llu is not known (this reader knows %d)",
			     (unsigned long long)l.version, LOG_VERSION);
			goto err;
		}
		if (!(l.seen & SEEN_NODE)) {
			jr_fail(&c, "header without \"node\"");
			goto err;
		}
		r->header = true;
		f->node = l.ev.node;
		f->start = l.start;
		f->filtered = l.filtered;
		f->vector = l.vector;
		f->host = strdup(l.host[0] ? l.host : "");
		if (!f->host) {
			jr_fail(&c, "out of memory");
			goto err;
		}
		f->label = f->host;
		return 0;
	case LINE_LOST:
		f->lost += l.lost;
		return 0;
	case LINE_TRAILER:
		f->trailer = true;
		f->end = l.end;
		f->trailer_events = l.events;
		if (l.has_lost && l.lost > f->lost)
			f->lost = l.lost;
		return 0;
	case LINE_EVENT:
		if (f->trailer) {
			jr_fail(&c, "an event after the trailer");
			goto err;
		}
		if (!add_event(r, &c, &l))
			return 1;
		break;
	}
err:
	fprintf(stderr, "causalctl: %s:%lu: %s\n", f->path, r->lineno, c.err);
	return -EINVAL;
}

#define LINES_END 2

/* One line: as read_line(), or LINES_END at the end of the log. */
static int next_line(struct log_reader *r)
{
	const char *path = r->ls->logs[r->log].path;
	ssize_t got;
	char *nl;
	int ret;

	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		if (nl || (r->eof && r->pos < r->len)) {
			const char *p = r->buf + r->pos;
			const char *end = nl ? nl : r->buf + r->len;

			r->pos = end - r->buf + !!nl;
			r->lineno++;
			return read_line(r, p, end);
		}
		if (r->eof)
			return LINES_END;
		r->len -= r->pos;
		memmove(r->buf, r->buf + r->pos, r->len);
		r->pos = 0;
		if (r->len == r->cap) {
			char *b = realloc(r->buf, 2 * r->cap);

			if (!b) {
				fprintf(stderr, "causalctl: %s: out of memory\n", path);
				return -ENOMEM;
			}
			r->buf = b;
			r->cap *= 2;
		}
		got = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			fprintf(stderr, "causalctl: %s: %s\n", path, strerror(errno));
			return ret;
		}
		r->len += got;
		r->eof = !got;
	}
}

/**
 * log_reader_next() - read lines of a log until one is an event
 * @r: the reader
 *
 * The event is added to the reader's set (ls->ev[ls->n - 1], its stamps at
 * the end of ls->from); lost and trailer lines update its struct log_file.
 * Errors are printed on stderr, naming FILE:LINE.
 *
 * Return: 1 (an event), 0 (the end of the log), or a negative errno.
 */
int log_reader_next(struct log_reader *r)
{
	int ret;

	while (!(ret = next_line(r)))
		;
	return ret == LINES_END ? 0 : ret;
}

/**
 * log_reader_open() - open a log and read its header
 * @r: the reader
 * @ls: the set the log joins (its struct log_file, its events as they are read)
 * @path: the file
 *
 * Errors are printed on stderr, naming FILE:LINE.
 *
 * Return: 0, or a negative errno (then @r needs no closing).
 */
int log_reader_open(struct log_reader *r, struct log_set *ls, const char *path)
{
	size_t nlogs = ls->nlogs;
	int err;

	*r = (struct log_reader){ .ls = ls, .fd = -1 };
	if (ls->nlogs >= UINT16_MAX) {
		fprintf(stderr, "causalctl: %s: too many logs\n", path);
		return -E2BIG;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		err = -errno;
		fprintf(stderr, "causalctl: %s: %s\n", path, strerror(errno));
		return err;
	}
	r->cap = 1 << 16;
	r->buf = malloc(r->cap);
	if (!r->buf || grow((void **)&ls->logs, &nlogs, ls->nlogs + 1, sizeof(*ls->logs))) {
		fprintf(stderr, "causalctl: %s: out of memory\n", path);
		log_reader_close(r);
		return -ENOMEM;
	}
	r->log = ls->nlogs++;
	ls->logs[r->log] = (struct log_file){ .path = path };
	/* the header, and nothing more */
	while (!r->header) {
		err = next_line(r);
		if (err < 0) {
			log_reader_close(r);
			return err;
		}
		if (err == LINES_END) {
			fprintf(stderr, "causalctl: %s: empty: not a causal log\n", path);
			log_reader_close(r);
			return -EINVAL;
		}
	}
	return 0;
}

void log_reader_close(struct log_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/**
 * log_read() - read one log into @ls
 * @ls: the set of logs
 * @path: the file
 *
 * Errors are printed on stderr, naming FILE:LINE.
 *
 * Return: 0, or a negative errno.
 */
int log_read(struct log_set *ls, const char *path)
{
	struct log_reader r;
	int err;

	err = log_reader_open(&r, ls, path);
	if (err)
		return err;
	while ((err = log_reader_next(&r)) > 0)
		;
	log_reader_close(&r);
	return err;
}

/**
 * log_set_labels() - apply --label NODE=NAME options to the logs of @ls
 * @ls: the logs
 * @labels: the NODE=NAME strings (NODE a node id in hex, or a host name)
 * @nlabels: how many
 *
 * Return: 0, or -EINVAL after saying which label names no log.
 */
int log_set_labels(struct log_set *ls, char **labels, int nlabels)
{
	int i;

	for (i = 0; i < nlabels; i++) {
		char *eq = strchr(labels[i], '=');
		bool found = false;
		uint64_t node;
		size_t j;
		int hex;

		*eq = 0;
		hex = parse_hex(labels[i], &node);
		for (j = 0; j < ls->nlogs; j++) {
			if ((!hex && ls->logs[j].node == node) ||
			    !strcmp(ls->logs[j].host, labels[i])) {
				ls->logs[j].label = eq + 1;
				found = true;
			}
		}
		*eq = '=';
		if (!found) {
			fprintf(stderr, "causalctl: --label %s: no log of that node\n", labels[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* The label of the node of @e: --label, or its log's host. */
const char *log_label(const struct log_set *ls, const struct log_event *e)
{
	return ls->logs[e->log].label;
}

void log_free(struct log_set *ls)
{
	size_t i;

	for (i = 0; i < ls->nlogs; i++)
		free(ls->logs[i].host);
	free(ls->logs);
	free(ls->ev);
	free(ls->from);
	free(ls->vec);
	free(ls->strings);
	free(ls->str_off);
	free(ls->str_slot);
	*ls = (struct log_set){};
}
