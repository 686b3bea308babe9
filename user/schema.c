// SPDX-License-Identifier: GPL-2.0
/*
 * The members of an event, in one table (schema.h): what each is called,
 * what kind of value it has, which bit of struct log_event.has says it is
 * there and where it is kept.  schema_read() reads a member of a log line
 * as the table says, schema_write() writes the members of an event in the
 * table's order; selftests/host/schema.sh checks the table against
 * Documentation/log.rst.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgname.h"
#include "log.h"
#include "num.h"
#include "schema.h"

const char *const ev_type_names[EV_NTYPES] = {
	[EV_CONNECT] = "connect", [EV_ACCEPT] = "accept", [EV_SEND] = "send",
	[EV_RECV] = "recv", [EV_CLOSE] = "close", [EV_PROBE] = "probe",
};

const char *const ev_proto_names[PROTO_NTYPES] = {
	[PROTO_NONE] = "", [PROTO_TCP] = "tcp", [PROTO_UDP] = "udp",
};

enum member_kind {
	M_NODE,		/* u64 as 16 hex digits (a node id, a stream) */
	M_PARTICIPANT,	/* u64 as 14 hex digits */
	M_U64,
	M_U32,
	M_TYPE,		/* u8, a name of ev_type_names */
	M_PROTO,	/* u8, a name of ev_proto_names, absent when PROTO_NONE */
	M_STR,		/* u32, an interned string, absent when STR_NONE */
	M_VECTOR,	/* {"PARTICIPANT":COUNT,...}: log_event.vector and nvector */
	M_LOSSY,	/* a bool written whenever the vector is */
	M_FROM,		/* [stamp,...]: log_event.from and nfrom */
	M_TRUE,		/* true, or absent */
	/* read from the cgroup's path (cgname.c), when it says: never read */
	M_CG_CONTAINER,
	M_CG_RUNTIME,
	M_CG_POD,
	M_CG_UNIT,
};

struct member {
	const char *key;
	enum member_kind kind;
	uint16_t has;	/* its bit of log_event.has; 0: the kind says */
	size_t off;
};

#define M(key, kind, has, field) { key, kind, has, offsetof(struct log_event, field) }

/* In the order of Documentation/log.rst; node, id, type first (SEEN_*). */
static const struct member members[] = {
	M("node", M_NODE, 0, node),
	M("id", M_U64, 0, id),
	M("type", M_TYPE, 0, type),
	M("time", M_U64, HAS_TIME, time),
	M("pid", M_U32, HAS_PID, pid),
	M("tid", M_U32, HAS_TID, tid),
	M("tstart", M_U64, HAS_TSTART, tstart),
	M("comm", M_STR, 0, comm),
	M("cgroup", M_U64, HAS_CGROUP, cgroup),
	M("cgroup_path", M_STR, 0, cgpath),
	M("container", M_CG_CONTAINER, 0, cgpath),
	M("runtime", M_CG_RUNTIME, 0, cgpath),
	M("pod", M_CG_POD, 0, cgpath),
	M("unit", M_CG_UNIT, 0, cgpath),
	M("proto", M_PROTO, 0, proto),
	M("src", M_STR, 0, src),
	M("dst", M_STR, 0, dst),
	M("cookie", M_U64, HAS_COOKIE, cookie),
	M("bytes", M_U64, HAS_BYTES, bytes),
	M("seq", M_U64, HAS_SEQ, seq),
	M("stream", M_NODE, HAS_STREAM, stream),
	M("clock", M_U64, HAS_CLOCK, clock),
	M("participant", M_PARTICIPANT, HAS_PARTICIPANT, participant),
	M("vector", M_VECTOR, HAS_VECTOR, vector),
	M("lossy", M_LOSSY, HAS_LOSSY, has),
	M("from", M_FROM, HAS_FROM, from),
	M("unstamped", M_TRUE, HAS_UNSTAMPED, has),
	M("inexact", M_TRUE, HAS_INEXACT, has),
	M("probe", M_STR, 0, probe),
};

#define NMEMBERS (sizeof(members) / sizeof(members[0]))

/* The i-th member's key, in the table's order; NULL past the last. */
const char *schema_key(unsigned int i)
{
	return i < NMEMBERS ? members[i].key : NULL;
}

/* The member called @key: by its first letter, then its length. */
static const struct member *member_of(const char *key, size_t n)
{
	static int8_t first[26][10];
	static uint8_t len[NMEMBERS];
	static bool ready;
	unsigned int i, c;
	int8_t *b;

	if (!ready) {
		memset(first, -1, sizeof(first));
		for (i = 0; i < NMEMBERS; i++) {
			b = first[members[i].key[0] - 'a'];
			while (*b >= 0)
				b++;
			*b = i;
			len[i] = strlen(members[i].key);
		}
		ready = true;
	}
	c = (unsigned char)key[0] - 'a';
	if (c >= 26)
		return NULL;
	if (key[n])
		n = strlen(key);
	for (b = first[c]; *b >= 0; b++) {
		const char *k = members[*b].key;
		size_t i;

		if (len[*b] != n)
			continue;
		for (i = 1; i < n && k[i] == key[i]; i++)
			;
		if (i == n)
			return &members[*b];
	}
	return NULL;
}

static int read_str(struct jr *c, struct log_set *ls, uint32_t *id)
{
	char buf[4096];
	const char *s;
	size_t len;

	if (jr_string_ref(c, &s, &len, buf, sizeof(buf)))
		return -EINVAL;
	if (len >= sizeof(buf) - 4)
		return jr_fail(c, "\"%s\" is too long", c->member);
	*id = log_intern(ls, s, len);
	return *id == STR_NONE ? jr_fail(c, "out of memory") : 0;
}

struct stamp_read {
	struct log_stamp s;
	bool who, n;
};

static int stamp_member(struct jr *c, const char *key, void *arg)
{
	struct stamp_read *st = arg;

	if ((key[0] == 'n' && !strcmp(key, "node")) ||
	    (key[0] == 'p' && !strcmp(key, "participant"))) {
		st->s.vector = key[0] == 'p';
		st->who = true;
		return jr_hex(c, &st->s.who);
	}
	if (!strcmp(key, "id32") || !strcmp(key, "count")) {
		st->n = true;
		return jr_u64(c, &st->s.n);
	}
	return jr_skip(c, 1);
}

struct from_read {
	struct log_set *ls;
	struct log_event *e;
};

/* One stamp of "from". */
static int from_element(struct jr *c, void *arg)
{
	struct from_read *fr = arg;
	struct stamp_read st = {};

	if (jr_object(c, stamp_member, &st))
		return -EINVAL;
	if (!st.who || !st.n)
		return jr_fail(c, "a stamp of \"from\" lacks node/id32 or participant/count");
	if (!st.s.vector)
		st.s.n &= UINT32_MAX;
	if (log_add_stamp(fr->ls, &st.s))
		return jr_fail(c, "out of memory");
	if (++fr->e->nfrom == UINT16_MAX)
		return jr_fail(c, "\"from\" is too long");
	return 0;
}

struct vector_read {
	struct log_set *ls;
	struct log_event *e;
};

static int vector_member(struct jr *c, const char *key, void *arg)
{
	struct vector_read *vr = arg;
	struct log_ventry v;

	if (parse_hex(key, &v.participant))
		return jr_fail(c, "\"vector\" has a key that is not a participant id: %s", key);
	if (jr_u64(c, &v.count))
		return -EINVAL;
	if (log_add_ventry(vr->ls, &v))
		return jr_fail(c, "out of memory");
	if (++vr->e->nvector == UINT16_MAX)
		return jr_fail(c, "\"vector\" is too long");
	return 0;
}

/* The value of member @m of an event, as the table says. */
static int read_member(struct jr *c, const struct member *m, struct log_set *ls,
		       struct log_event *e, uint32_t *seen)
{
	void *p;
	bool b;
	int ret;

	p = (char *)e + m->off;
	switch (m->kind) {
	case M_NODE:
	case M_PARTICIPANT:
		ret = jr_hex(c, p);
		break;
	case M_U64:
		ret = jr_u64(c, p);
		break;
	case M_U32:
		ret = jr_u32(c, p);
		break;
	case M_TYPE:
		ret = jr_enum(c, ev_type_names, EV_NTYPES, p);
		break;
	case M_PROTO:
		ret = jr_enum(c, ev_proto_names, PROTO_NTYPES, p);
		break;
	case M_STR:
		ret = read_str(c, ls, p);
		break;
	case M_VECTOR:
		e->vector = ls->nvec;
		e->nvector = 0;
		ret = jr_object(c, vector_member, &(struct vector_read){ ls, e });
		break;
	case M_FROM:
		e->from = ls->nfrom;
		e->nfrom = 0;
		ret = jr_array(c, from_element, &(struct from_read){ ls, e });
		break;
	case M_LOSSY:
	case M_TRUE:
		ret = jr_bool(c, &b);
		if (!ret && !b)
			return 0;
		break;
	default:
		return jr_skip(c, 1);
	}
	if (ret)
		return ret;
	e->has |= m->has;
	if (m - members < 3)
		*seen |= 1u << (m - members);
	return 0;
}

/**
 * schema_read() - read the value of an event's member, as the table says
 * @c: the cursor, on the value
 * @key: the member's name
 * @ls: where strings, stamps and vector entries go
 * @e: the event
 * @seen: SEEN_NODE, SEEN_ID and SEEN_TYPE are set as those come
 *
 * Return: 0, 1 when @key is no member of an event (the value is left for
 * the caller), or -EINVAL with the error in @c.
 */
int schema_read(struct jr *c, const char *key, struct log_set *ls, struct log_event *e,
		uint32_t *seen)
{
	const struct member *m = member_of(key, c->keylen);

	return m ? read_member(c, m, ls, e, seen) : 1;
}

/**
 * schema_read_line() - read a whole event line as the one writer writes it
 * @c: the cursor, on the line's object
 * @ls: where strings, stamps and vector entries go
 * @e: the event
 * @seen: as for schema_read()
 *
 * Fast: members in the table's order, no spaces, no escapes in their names,
 * each name compared once.  Anything else (another writer, a header, a
 * mistake) is left to the general reader, which says what is wrong.
 *
 * Return: 0 (read; the cursor after the object), or 1 (not such a line:
 * the caller reads it again, forgetting what this added to @ls).
 */
int schema_read_line(struct jr *c, struct log_set *ls, struct log_event *e, uint32_t *seen)
{
	static uint8_t len[NMEMBERS];
	static bool ready;
	unsigned int i = 0;
	const char *k;
	size_t n;

	if (!ready) {
		for (i = 0; i < NMEMBERS; i++)
			len[i] = strlen(members[i].key);
		ready = true;
		i = 0;
	}
	if (c->p == c->end || *c->p != '{')
		return 1;
	c->p++;
	do {
		if (c->end - c->p < 3 || *c->p != '"')
			return 1;
		k = ++c->p;
		/* the next member the line has, in the table's order */
		for (; i < NMEMBERS; i++) {
			const char *m = members[i].key;

			n = len[i];
			if ((size_t)(c->end - k) > n + 1 && k[n] == '"' && k[n + 1] == ':') {
				size_t j;

				for (j = 0; j < n && m[j] == k[j]; j++)
					;
				if (j == n)
					break;
			}
		}
		if (i == NMEMBERS)
			return 1;
		c->p = k + n + 2;
		c->keylen = n;
		c->member = members[i].key;
		if (read_member(c, &members[i], ls, e, seen))
			return 1;
		i++;
	} while (c->p < c->end && *c->p == ',' && c->p++);
	if (c->p == c->end || *c->p != '}')
		return 1;
	c->p++;
	return 0;
}

static void write_vector(struct json *j, const struct log_set *ls, const struct log_event *e)
{
	char key[24];
	uint32_t k;

	json_open(j, '{');
	for (k = 0; k < e->nvector; k++) {
		const struct log_ventry *v = &ls->vec[e->vector + k];

		snprintf(key, sizeof(key), "%014" PRIx64, v->participant);
		json_member_u64(j, key, v->count);
	}
	json_close(j, '}');
}

static void write_from(struct json *j, const struct log_set *ls, const struct log_event *e)
{
	uint32_t k;

	json_open(j, '[');
	for (k = 0; k < e->nfrom; k++) {
		const struct log_stamp *s = &ls->from[e->from + k];

		json_open(j, '{');
		if (s->vector)
			json_member_hex(j, "participant", s->who, 14);
		else
			json_member_hex(j, "node", s->who, 16);
		json_member_u64(j, s->vector ? "count" : "id32", s->n);
		json_close(j, '}');
	}
	json_close(j, ']');
}

/* What member @m, one of the cgroup's names, says in @n; NULL: nothing. */
static const char *cg_member(const struct member *m, const struct cg_names *n)
{
	const char *v;

	switch (m->kind) {
	case M_CG_CONTAINER:
		v = n->container;
		break;
	case M_CG_RUNTIME:
		v = n->runtime;
		break;
	case M_CG_POD:
		v = n->pod;
		break;
	case M_CG_UNIT:
		v = n->unit;
		break;
	default:
		return NULL;
	}
	return v && *v ? v : NULL;
}

/* Whether @e has member @m. */
static bool present(const struct member *m, const struct log_event *e)
{
	const void *p = (const char *)e + m->off;

	switch (m->kind) {
	case M_PROTO:
		return *(const uint8_t *)p != PROTO_NONE && *(const uint8_t *)p < PROTO_NTYPES;
	case M_STR:
		return *(const uint32_t *)p != STR_NONE;
	case M_LOSSY:
		return e->has & HAS_VECTOR;
	default:
		return !m->has || (e->has & m->has);
	}
}

/**
 * schema_write() - the members of an event, in the table's order, inside
 * an open object: the one writer of event lines
 * @j: the writer
 * @ls: the strings, stamps and vector entries of @e
 * @e: the event
 */
void schema_write(struct json *j, const struct log_set *ls, const struct log_event *e)
{
	const struct member *m;
	struct cg_names cn;
	const char *v;
	const void *p;

	if (e->cgpath != STR_NONE)
		cg_names_of(log_str(ls, e->cgpath), &cn);
	for (m = members; m < members + NMEMBERS; m++) {
		/* the cgroup's names, last in enum member_kind, from its path */
		if (m->kind >= M_CG_CONTAINER) {
			v = e->cgpath != STR_NONE ? cg_member(m, &cn) : NULL;
			if (v) {
				json_key(j, m->key);
				json_string(j, v);
			}
			continue;
		}
		if (!present(m, e))
			continue;
		p = (const char *)e + m->off;
		json_key(j, m->key);
		switch (m->kind) {
		case M_NODE:
			json_hex(j, *(const uint64_t *)p, 16);
			break;
		case M_PARTICIPANT:
			json_hex(j, *(const uint64_t *)p, 14);
			break;
		case M_U64:
			json_u64(j, *(const uint64_t *)p);
			break;
		case M_U32:
			json_u64(j, *(const uint32_t *)p);
			break;
		case M_TYPE:
			json_string(j, ev_type_names[*(const uint8_t *)p % EV_NTYPES]);
			break;
		case M_PROTO:
			json_string(j, ev_proto_names[*(const uint8_t *)p]);
			break;
		case M_STR:
			json_string(j, log_str(ls, *(const uint32_t *)p));
			break;
		case M_VECTOR:
			write_vector(j, ls, e);
			break;
		case M_FROM:
			write_from(j, ls, e);
			break;
		case M_LOSSY:
		case M_TRUE:
			json_bool(j, e->has & m->has);
			break;
		default:
			break;
		}
	}
}
