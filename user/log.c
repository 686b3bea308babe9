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

#include "log.h"

const char *const ev_type_names[EV_NTYPES] = {
	[EV_CONNECT] = "connect", [EV_ACCEPT] = "accept", [EV_SEND] = "send",
	[EV_RECV] = "recv", [EV_CLOSE] = "close", [EV_PROBE] = "probe",
};

const char *const ev_proto_names[3] = {
	[PROTO_NONE] = "", [PROTO_TCP] = "tcp", [PROTO_UDP] = "udp",
};

#define LOG_VERSION 1
#define MAX_DEPTH 64

/* --- hash table of indices ------------------------------------------------- */

int ht_init(struct htab *h, size_t expect)
{
	size_t size = 16;

	while (size < 2 * expect)
		size *= 2;
	h->slot = malloc(size * sizeof(*h->slot));
	if (!h->slot)
		return -ENOMEM;
	memset(h->slot, 0xff, size * sizeof(*h->slot));
	h->mask = size - 1;
	h->count = 0;
	return 0;
}

void ht_free(struct htab *h)
{
	free(h->slot);
	h->slot = NULL;
}

/**
 * ht_find() - the slot of a key: the one holding it, or the empty one where
 * it goes (the caller stores the index there and counts it)
 * @h: the table, sized by ht_init() for what it will hold
 * @hash: the key's hash
 * @match: whether index @v has the key
 * @ctx: for @match
 * @key: for @match
 *
 * Return: the slot.
 */
uint32_t *ht_find(const struct htab *h, uint64_t hash, ht_match_fn match, const void *ctx,
		  const void *key)
{
	uint32_t i = hash & h->mask;

	while (h->slot[i] != HT_EMPTY && !match(ctx, h->slot[i], key))
		i = (i + 1) & h->mask;
	return &h->slot[i];
}

/* --- interned strings ------------------------------------------------------ */

struct str_key {
	const char *s;
	size_t len;
};

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return hash2(h, 0);
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

/* --- the JSON of one line -------------------------------------------------- */

struct cursor {
	const char *p, *end;
	const char *member;	/* the member being read, for errors */
	char err[160];
};

static int fail(struct cursor *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct cursor *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0])
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
		c->p++;
}

static bool eat(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int read_u4(struct cursor *c, unsigned int *u)
{
	int i, d;

	if (c->end - c->p < 4)
		return fail(c, "bad \\u escape in a string");
	for (*u = 0, i = 0; i < 4; i++) {
		d = hexval(c->p[i]);
		if (d < 0)
			return fail(c, "bad \\u escape in a string");
		*u = *u << 4 | d;
	}
	c->p += 4;
	return 0;
}

static size_t put_utf8(char *out, unsigned int u)
{
	if (u < 0x80) {
		out[0] = u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = 0xc0 | u >> 6;
		out[1] = 0x80 | (u & 0x3f);
		return 2;
	}
	if (u < 0x10000) {
		out[0] = 0xe0 | u >> 12;
		out[1] = 0x80 | (u >> 6 & 0x3f);
		out[2] = 0x80 | (u & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | u >> 18;
	out[1] = 0x80 | (u >> 12 & 0x3f);
	out[2] = 0x80 | (u >> 6 & 0x3f);
	out[3] = 0x80 | (u & 0x3f);
	return 4;
}

static int read_escape(struct cursor *c, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned int u, lo;
	const char *e;

	if (c->p >= c->end)
		return fail(c, "unterminated string");
	e = strchr(from, *c->p);
	if (e && *c->p) {
		c->p++;
		out[(*n)++] = to[e - from];
		return 0;
	}
	if (*c->p++ != 'u')
		return fail(c, "bad escape in a string");
	if (read_u4(c, &u))
		return -EINVAL;
	if (u >= 0xd800 && u < 0xdc00) {
		if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
			return fail(c, "lone surrogate in a string");
		c->p += 2;
		if (read_u4(c, &lo) || lo < 0xdc00 || lo >= 0xe000)
			return fail(c, "lone surrogate in a string");
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (!u)
		return fail(c, "NUL in a string");
	*n += put_utf8(out + *n, u);
	return 0;
}

/*
 * A string into @out (NUL-terminated, at most @cap - 1 bytes), escapes
 * decoded; @out may be NULL to skip it.
 */
static int read_string(struct cursor *c, char *out, size_t cap, size_t *len)
{
	size_t n = 0;

	if (!eat(c, '"'))
		return fail(c, "\"%s\" is not a string", c->member);
	for (;;) {
		const char *q = c->p;

		while (q < c->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		if (out) {
			if (n + (q - c->p) + 5 > cap)
				return fail(c, "\"%s\" is too long", c->member);
			memcpy(out + n, c->p, q - c->p);
		}
		n += q - c->p;
		c->p = q;
		if (q >= c->end)
			return fail(c, "unterminated string");
		if (*q == '"')
			break;
		if (*q != '\\')
			return fail(c, "control character in a string");
		c->p++;
		if (out) {
			if (read_escape(c, out, &n))
				return -EINVAL;
		} else {
			char scratch[8];
			size_t k = 0;

			if (read_escape(c, scratch, &k))
				return -EINVAL;
		}
	}
	c->p++;
	if (out)
		out[n] = 0;
	if (len)
		*len = n;
	return 0;
}

static int read_u64(struct cursor *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start;

	skip_ws(c);
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned int d = *c->p++ - '0';

		if (x > (UINT64_MAX - d) / 10)
			return fail(c, "\"%s\" is too large", c->member);
		x = x * 10 + d;
	}
	if (c->p == start || (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E')))
		return fail(c, "\"%s\" is not a number", c->member);
	*v = x;
	return 0;
}

/**
 * log_parse_hex() - a 64-bit id in hexadecimal, 1 to 16 digits
 * @s: the text
 * @v: the id
 *
 * Return: 0, or -EINVAL.
 */
int log_parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0, d;

	for (; *s; s++, n++) {
		d = hexval(*s);
		if (d < 0 || n == 16)
			return -EINVAL;
		x = x << 4 | d;
	}
	*v = x;
	return n ? 0 : -EINVAL;
}

static int read_hex(struct cursor *c, uint64_t *v)
{
	char buf[24];

	if (read_string(c, buf, sizeof(buf), NULL))
		return -EINVAL;
	if (log_parse_hex(buf, v))
		return fail(c, "\"%s\" is not a hexadecimal id", c->member);
	return 0;
}

static int read_bool(struct cursor *c, bool *v)
{
	skip_ws(c);
	if (c->end - c->p >= 4 && !memcmp(c->p, "true", 4)) {
		c->p += 4;
		*v = true;
		return 0;
	}
	if (c->end - c->p >= 5 && !memcmp(c->p, "false", 5)) {
		c->p += 5;
		*v = false;
		return 0;
	}
	return fail(c, "\"%s\" is not true or false", c->member);
}

static int skip_value(struct cursor *c, int depth);

/* Members of an object, each handed to @member with the cursor on its value. */
static int read_object(struct cursor *c, int (*member)(struct cursor *c, const char *key,
						       void *arg), void *arg)
{
	char key[64];
	const char *outer = c->member;

	if (!eat(c, '{'))
		return fail(c, "\"%s\" is not an object", outer);
	if (eat(c, '}'))
		return 0;
	do {
		c->member = "member name";
		if (read_string(c, key, sizeof(key), NULL))
			return -EINVAL;
		if (!eat(c, ':'))
			return fail(c, "no ':' after \"%s\"", key);
		c->member = key;
		if (member(c, key, arg))
			return -EINVAL;
	} while (eat(c, ','));
	c->member = outer;
	if (!eat(c, '}'))
		return fail(c, "expected ',' or '}' in an object");
	return 0;
}

static int skip_member(struct cursor *c, const char *key, void *arg)
{
	(void)key;
	return skip_value(c, *(int *)arg);
}

static int skip_value(struct cursor *c, int depth)
{
	uint64_t u;
	bool b;

	if (depth > MAX_DEPTH)
		return fail(c, "nested too deep");
	skip_ws(c);
	if (c->p >= c->end)
		return fail(c, "\"%s\" has no value", c->member);
	switch (*c->p) {
	case '"':
		return read_string(c, NULL, 0, NULL);
	case '{':
		depth++;
		return read_object(c, skip_member, &depth);
	case '[':
		c->p++;
		if (eat(c, ']'))
			return 0;
		do {
			if (skip_value(c, depth + 1))
				return -EINVAL;
		} while (eat(c, ','));
		return eat(c, ']') ? 0 : fail(c, "expected ',' or ']' in an array");
	case 't':
	case 'f':
		return read_bool(c, &b);
	case 'n':
		if (c->end - c->p >= 4 && !memcmp(c->p, "null", 4)) {
			c->p += 4;
			return 0;
		}
		break;
	case '-':
		c->p++;
		/* fall through */
	default:
		if (!read_u64(c, &u)) {
			/* fractions and exponents of members we do not know */
			while (c->p < c->end && strchr("0123456789.eE+-", *c->p))
				c->p++;
			return 0;
		}
		c->err[0] = 0;
	}
	return fail(c, "bad value of \"%s\"", c->member);
}

/* --- lines ------------------------------------------------------------------ */

enum line_kind { LINE_EVENT, LINE_HEADER, LINE_LOST, LINE_TRAILER };

/* What one line said; has_* say which members it had. */
struct line {
	struct log_set *ls;
	struct log_event ev;
	bool has_node, has_id, has_type, has_version, has_lost, has_end, has_events;
	bool filtered;
	uint64_t version, lost, end, events, start;
	char host[256];
};

static int intern_member(struct cursor *c, struct log_set *ls, uint32_t *id)
{
	char buf[4096];
	size_t len;

	if (read_string(c, buf, sizeof(buf), &len))
		return -EINVAL;
	*id = log_intern(ls, buf, len);
	return *id == STR_NONE ? fail(c, "out of memory") : 0;
}

struct stamp_read {
	struct log_stamp s;
	bool who, n;
};

static int stamp_member(struct cursor *c, const char *key, void *arg)
{
	struct stamp_read *st = arg;

	if (!strcmp(key, "node") || !strcmp(key, "participant")) {
		st->s.vector = key[0] == 'p';
		st->who = true;
		return read_hex(c, &st->s.who);
	}
	if (!strcmp(key, "id32") || !strcmp(key, "count")) {
		st->n = true;
		return read_u64(c, &st->s.n);
	}
	return skip_value(c, 1);
}

static int read_from(struct cursor *c, struct line *l)
{
	struct log_set *ls = l->ls;

	l->ev.from = ls->nfrom;
	if (!eat(c, '['))
		return fail(c, "\"from\" is not an array");
	if (eat(c, ']'))
		return 0;
	do {
		struct stamp_read st = {};

		c->member = "from";
		if (read_object(c, stamp_member, &st))
			return -EINVAL;
		if (!st.who || !st.n)
			return fail(c, "a stamp of \"from\" lacks node/id32 or participant/count");
		if (grow((void **)&ls->from, &ls->cap_from, ls->nfrom + 1, sizeof(*ls->from)))
			return fail(c, "out of memory");
		if (!st.s.vector)
			st.s.n &= UINT32_MAX;
		ls->from[ls->nfrom++] = st.s;
		if (++l->ev.nfrom == UINT16_MAX)
			return fail(c, "\"from\" is too long");
	} while (eat(c, ','));
	c->member = "from";
	return eat(c, ']') ? 0 : fail(c, "expected ',' or ']' in \"from\"");
}

static int vector_member(struct cursor *c, const char *key, void *arg)
{
	struct line *l = arg;
	struct log_set *ls = l->ls;
	struct log_ventry v;

	if (log_parse_hex(key, &v.participant))
		return fail(c, "\"vector\" has a key that is not a participant id: %s", key);
	if (read_u64(c, &v.count))
		return -EINVAL;
	if (grow((void **)&ls->vec, &ls->cap_vec, ls->nvec + 1, sizeof(*ls->vec)))
		return fail(c, "out of memory");
	ls->vec[ls->nvec++] = v;
	if (++l->ev.nvector == UINT16_MAX)
		return fail(c, "\"vector\" is too long");
	return 0;
}

static int filter_member(struct cursor *c, const char *key, void *arg)
{
	(void)key;
	*(bool *)arg = true;
	return skip_value(c, 2);
}

static int read_u32(struct cursor *c, uint32_t *v)
{
	uint64_t x;

	if (read_u64(c, &x))
		return -EINVAL;
	if (x > UINT32_MAX)
		return fail(c, "\"%s\" is too large", c->member);
	*v = x;
	return 0;
}

static int read_enum(struct cursor *c, const char *const *names, int n, uint8_t *v)
{
	char buf[32];
	int i;

	if (read_string(c, buf, sizeof(buf), NULL))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (names[i][0] && !strcmp(buf, names[i])) {
			*v = i;
			return 0;
		}
	}
	return fail(c, "\"%s\" has an unknown value: %s", c->member, buf);
}

/* Members of events (and of the other lines): what to do with each. */
static int line_member(struct cursor *c, const char *key, void *arg)
{
	struct line *l = arg;
	struct log_event *e = &l->ev;
	bool b;

	switch (key[0]) {
	case 'b':
		if (!strcmp(key, "bytes")) {
			e->has |= HAS_BYTES;
			return read_u64(c, &e->bytes);
		}
		break;
	case 'c':
		if (!strcmp(key, "comm"))
			return intern_member(c, l->ls, &e->comm);
		if (!strcmp(key, "cookie")) {
			e->has |= HAS_COOKIE;
			return read_u64(c, &e->cookie);
		}
		if (!strcmp(key, "clock")) {
			/* the header's clock is a name, an event's a number */
			skip_ws(c);
			if (c->p < c->end && *c->p == '"')
				return read_string(c, NULL, 0, NULL);
			e->has |= HAS_CLOCK;
			return read_u64(c, &e->clock);
		}
		if (!strcmp(key, "cgroup")) {
			e->has |= HAS_CGROUP;
			return read_u64(c, &e->cgroup);
		}
		if (!strcmp(key, "causal_log")) {
			l->has_version = true;
			return read_u64(c, &l->version);
		}
		break;
	case 'd':
		if (!strcmp(key, "dst"))
			return intern_member(c, l->ls, &e->dst);
		break;
	case 'e':
		if (!strcmp(key, "end")) {
			l->has_end = true;
			return read_u64(c, &l->end);
		}
		if (!strcmp(key, "events")) {
			l->has_events = true;
			return read_u64(c, &l->events);
		}
		break;
	case 'f':
		if (!strcmp(key, "from")) {
			e->has |= HAS_FROM;
			return read_from(c, l);
		}
		if (!strcmp(key, "filter"))
			return read_object(c, filter_member, &l->filtered);
		break;
	case 'h':
		if (!strcmp(key, "host"))
			return read_string(c, l->host, sizeof(l->host), NULL);
		break;
	case 'i':
		if (!strcmp(key, "id")) {
			l->has_id = true;
			return read_u64(c, &e->id);
		}
		break;
	case 'l':
		if (!strcmp(key, "lost")) {
			l->has_lost = true;
			return read_u64(c, &l->lost);
		}
		if (!strcmp(key, "lossy")) {
			if (read_bool(c, &b))
				return -EINVAL;
			e->has |= b ? HAS_LOSSY : 0;
			return 0;
		}
		break;
	case 'n':
		if (!strcmp(key, "node")) {
			l->has_node = true;
			return read_hex(c, &e->node);
		}
		break;
	case 'p':
		if (!strcmp(key, "pid")) {
			e->has |= HAS_PID;
			return read_u32(c, &e->pid);
		}
		if (!strcmp(key, "proto"))
			return read_enum(c, ev_proto_names, 3, &e->proto);
		if (!strcmp(key, "participant")) {
			e->has |= HAS_PARTICIPANT;
			return read_hex(c, &e->participant);
		}
		if (!strcmp(key, "probe"))
			return intern_member(c, l->ls, &e->probe);
		break;
	case 's':
		if (!strcmp(key, "src"))
			return intern_member(c, l->ls, &e->src);
		if (!strcmp(key, "seq")) {
			e->has |= HAS_SEQ;
			return read_u64(c, &e->seq);
		}
		if (!strcmp(key, "start"))
			return read_u64(c, &l->start);
		break;
	case 't':
		if (!strcmp(key, "type")) {
			l->has_type = true;
			return read_enum(c, ev_type_names, EV_NTYPES, &e->type);
		}
		if (!strcmp(key, "tid")) {
			e->has |= HAS_TID;
			return read_u32(c, &e->tid);
		}
		if (!strcmp(key, "tstart"))
			return read_u64(c, &e->tstart);
		if (!strcmp(key, "time")) {
			e->has |= HAS_TIME;
			return read_u64(c, &e->time);
		}
		break;
	case 'u':
		if (!strcmp(key, "unstamped")) {
			if (read_bool(c, &b))
				return -EINVAL;
			e->has |= b ? HAS_UNSTAMPED : 0;
			return 0;
		}
		break;
	case 'v':
		if (!strcmp(key, "vector")) {
			e->has |= HAS_VECTOR;
			e->vector = l->ls->nvec;
			return read_object(c, vector_member, l);
		}
		break;
	}
	return skip_value(c, 1);
}

static int classify(struct cursor *c, const struct line *l, enum line_kind *kind)
{
	if (l->has_version) {
		*kind = LINE_HEADER;
		return 0;
	}
	if (l->has_end) {
		*kind = LINE_TRAILER;
		return 0;
	}
	if (l->has_lost && !l->has_type) {
		*kind = LINE_LOST;
		return 0;
	}
	*kind = LINE_EVENT;
	if (!l->has_node)
		return fail(c, "event without \"node\"");
	if (!l->has_id)
		return fail(c, "event without \"id\"");
	if (!l->has_type)
		return fail(c, "event without \"type\"");
	return 0;
}

struct reader {
	struct log_set *ls;
	struct log_file *f;
	unsigned long lineno;
	bool header;
};

static int add_event(struct reader *r, struct cursor *c, struct line *l)
{
	struct log_set *ls = r->ls;

	if (l->ev.node != r->f->node)
		return fail(c, "\"node\" is not the header's");
	if (ls->n >= UINT32_MAX - 1)
		return fail(c, "too many events");
	if (grow((void **)&ls->ev, &ls->cap, ls->n + 1, sizeof(*ls->ev)))
		return fail(c, "out of memory");
	l->ev.log = r->f - ls->logs;
	ls->ev[ls->n++] = l->ev;
	r->f->nevents++;
	return 0;
}

static int read_line(struct reader *r, const char *p, const char *end)
{
	struct cursor c = { .p = p, .end = end, .member = "line" };
	struct line l = { .ls = r->ls };
	struct log_file *f = r->f;
	enum line_kind kind;

	skip_ws(&c);
	if (c.p == end)
		return 0;	/* blank */
	if (read_object(&c, line_member, &l))
		goto err;
	skip_ws(&c);
	if (c.p != end) {
		fail(&c, "text after the object");
		goto err;
	}
	if (classify(&c, &l, &kind))
		goto err;
	if (!r->header && kind != LINE_HEADER) {
		fail(&c, "not a causal log: the first line is not its header");
		goto err;
	}
	switch (kind) {
	case LINE_HEADER:
		if (r->header) {
			fail(&c, "a second header");
			goto err;
		}
		if (l.version != LOG_VERSION) {
			fail(&c, "causal_log version %llu is not known (this reader knows %d)",
			     (unsigned long long)l.version, LOG_VERSION);
			goto err;
		}
		if (!l.has_node) {
			fail(&c, "header without \"node\"");
			goto err;
		}
		r->header = true;
		f->node = l.ev.node;
		f->start = l.start;
		f->filtered = l.filtered;
		f->host = strdup(l.host[0] ? l.host : "");
		if (!f->host) {
			fail(&c, "out of memory");
			goto err;
		}
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
			fail(&c, "an event after the trailer");
			goto err;
		}
		if (!add_event(r, &c, &l))
			return 0;
		break;
	}
err:
	fprintf(stderr, "causalctl: %s:%lu: %s\n", f->path, r->lineno, c.err);
	return -EINVAL;
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
	size_t cap = 1 << 20, len = 0, nlogs = ls->nlogs;
	struct reader r = { .ls = ls };
	char *buf = NULL;
	int fd, err = 0;
	ssize_t got;

	if (ls->nlogs >= UINT16_MAX) {
		fprintf(stderr, "causalctl: %s: too many logs\n", path);
		return -E2BIG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "causalctl: %s: %s\n", path, strerror(errno));
		return err;
	}
	if (grow((void **)&ls->logs, &nlogs, ls->nlogs + 1, sizeof(*ls->logs)))
		goto oom;
	r.f = &ls->logs[ls->nlogs++];
	*r.f = (struct log_file){ .path = path };
	buf = malloc(cap);
	if (!buf)
		goto oom;
	for (;;) {
		char *p = buf, *nl;

		got = read(fd, buf + len, cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			fprintf(stderr, "causalctl: %s: %s\n", path, strerror(errno));
			goto out;
		}
		len += got;
		while ((nl = memchr(p, '\n', buf + len - p))) {
			r.lineno++;
			err = read_line(&r, p, nl);
			if (err)
				goto out;
			p = nl + 1;
		}
		if (!got) {
			if (p < buf + len) {
				r.lineno++;
				err = read_line(&r, p, buf + len);
				if (err)
					goto out;
			}
			break;
		}
		len -= p - buf;
		memmove(buf, p, len);
		if (len == cap) {
			char *b = realloc(buf, 2 * cap);

			if (!b)
				goto oom;
			buf = b;
			cap *= 2;
		}
	}
	if (!r.header) {
		fprintf(stderr, "causalctl: %s: empty: not a causal log\n", path);
		err = -EINVAL;
	}
	r.f->label = r.f->host;
out:
	free(buf);
	close(fd);
	return err;
oom:
	fprintf(stderr, "causalctl: %s: out of memory\n", path);
	err = -ENOMEM;
	goto out;
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
		hex = log_parse_hex(labels[i], &node);
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
