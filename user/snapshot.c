// SPDX-License-Identifier: GPL-2.0
/*
 * Vector clocks of sockets, from the module (sock-get) or from a snapshot:
 * a socket as "causalctl -j sockets" printed it, saved to a file on any
 * host.  compare uses them to order sockets of different nodes.
 *
 * The reader accepts RFC 8259 JSON: a socket object, or an array holding
 * exactly one, and looks only at "vector" and "vector_lossy".
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/linux/causal.h>

#include "causalctl.h"
#include "nl.h"
#include "snapshot.h"

struct reader {
	const char *p, *end;
	const char *err;
};

static void ws(struct reader *r)
{
	while (r->p < r->end && strchr(" \t\r\n", *r->p))
		r->p++;
}

static int fail(struct reader *r, const char *why)
{
	if (!r->err)
		r->err = why;
	return -1;
}

static int eat(struct reader *r, char c)
{
	ws(r);
	if (r->p >= r->end || *r->p != c)
		return -1;
	r->p++;
	return 0;
}

/* A string into @out (escapes other than \" and \\ are kept as they are). */
static int string(struct reader *r, char *out, size_t len)
{
	size_t n = 0;

	if (eat(r, '"'))
		return fail(r, "a string was expected");
	while (r->p < r->end && *r->p != '"') {
		if (*r->p == '\\' && r->p + 1 < r->end)
			r->p++;
		if (n + 1 < len)
			out[n++] = *r->p;
		r->p++;
	}
	if (r->p >= r->end)
		return fail(r, "a string does not end");
	r->p++;
	out[n] = '\0';
	return 0;
}

static int number(struct reader *r, uint64_t *v)
{
	char *end;

	ws(r);
	errno = 0;
	*v = strtoull(r->p, &end, 10);
	if (end == r->p || errno || *r->p == '-')
		return fail(r, "a count was expected");
	r->p = end;
	return 0;
}

static int value(struct reader *r, int depth);

/* Skip an object or array, whatever it holds. */
static int compound(struct reader *r, char open, char close, int depth)
{
	char key[64];

	if (eat(r, open))
		return -1;
	if (!eat(r, close))
		return 0;
	do {
		if (open == '{' && (string(r, key, sizeof(key)) || eat(r, ':')))
			return fail(r, "a key was expected");
		if (value(r, depth + 1))
			return -1;
	} while (!eat(r, ','));
	return eat(r, close) ? fail(r, "a ',' or an end was expected") : 0;
}

static int value(struct reader *r, int depth)
{
	char s[256];

	if (depth > 32)
		return fail(r, "nested too deep");
	ws(r);
	if (r->p >= r->end)
		return fail(r, "the document ends early");
	switch (*r->p) {
	case '{':
		return compound(r, '{', '}', depth);
	case '[':
		return compound(r, '[', ']', depth);
	case '"':
		return string(r, s, sizeof(s));
	}
	while (r->p < r->end && !strchr(",]} \t\r\n", *r->p))
		r->p++;
	return 0;
}

/* One entry: {"id": "hex", "count": N} */
static int entry(struct reader *r, struct causal_vec *v)
{
	uint64_t id = 0, count = 0;
	bool have_id = false, have_count = false;
	char key[32], hex[32], *end;

	if (eat(r, '{'))
		return fail(r, "a vector entry must be an object");
	do {
		if (string(r, key, sizeof(key)) || eat(r, ':'))
			return fail(r, "a key was expected");
		if (!strcmp(key, "id")) {
			if (string(r, hex, sizeof(hex)))
				return -1;
			id = strtoull(hex, &end, 16);
			if (!*hex || *end || !id || id > CAUSAL_VEC_ID_MASK)
				return fail(r, "a participant id is not 1 to 14 hex digits");
			have_id = true;
		} else if (!strcmp(key, "count")) {
			if (number(r, &count) || count > CAUSAL_VEC_COUNT_MAX)
				return fail(r, "a count is out of range");
			have_count = true;
		} else if (value(r, 1)) {
			return -1;
		}
	} while (!eat(r, ','));
	if (eat(r, '}') || !have_id || !have_count)
		return fail(r, "a vector entry needs an id and a count");
	if (causal_vec_get(v, id))
		return fail(r, "a participant appears twice");
	if (causal_vec_raise(v, id, count) < 0)
		return fail(r, "the vector has too many entries");
	return 0;
}

/* A socket object: its "vector" and "vector_lossy". */
static int socket_obj(struct reader *r, struct causal_vec *v)
{
	bool have_vector = false, lossy = false;
	char key[64];

	if (eat(r, '{'))
		return fail(r, "a socket object was expected");
	if (!eat(r, '}'))
		return fail(r, "the socket has no vector clock (was its node's clock vector?)");
	do {
		if (string(r, key, sizeof(key)) || eat(r, ':'))
			return fail(r, "a key was expected");
		if (!strcmp(key, "vector")) {
			have_vector = true;
			if (eat(r, '['))
				return fail(r, "\"vector\" must be an array");
			if (!eat(r, ']'))
				continue;
			do {
				if (entry(r, v))
					return -1;
			} while (!eat(r, ','));
			if (eat(r, ']'))
				return fail(r, "a ',' or ']' was expected in \"vector\"");
		} else if (!strcmp(key, "vector_lossy")) {
			ws(r);
			if (r->end - r->p >= 4 && !strncmp(r->p, "true", 4))
				lossy = true;
			else if (r->end - r->p < 5 || strncmp(r->p, "false", 5))
				return fail(r, "\"vector_lossy\" must be true or false");
			r->p += lossy ? 4 : 5;
		} else if (value(r, 1)) {
			return -1;
		}
	} while (!eat(r, ','));
	if (eat(r, '}'))
		return fail(r, "a ',' or '}' was expected");
	if (!have_vector)
		return fail(r, "the socket has no vector clock (was its node's clock vector?)");
	v->lossy = lossy;
	return 0;
}

/**
 * snapshot_read() - the vector clock of a socket saved as JSON
 * @path: the file
 * @v: out, with room for CAUSAL_VEC_WIDTH_MAX entries
 *
 * Return: 0, or -1 after saying what is wrong on stderr.
 */
int snapshot_read(const char *path, struct causal_vec *v)
{
	struct reader r = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "causalctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(1 << 20);
	if (buf)
		len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	if (!buf || len == 1 << 20) {
		fprintf(stderr, "causalctl: %s: %s\n", path,
			buf ? "larger than 1 MiB" : strerror(ENOMEM));
		free(buf);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	v->width = CAUSAL_VEC_WIDTH_MAX;
	r.p = buf;
	r.end = buf + len;
	if (!eat(&r, '[')) {
		ret = socket_obj(&r, v);
		if (!ret && eat(&r, ']'))
			ret = fail(&r, "the file holds more than one socket; save one (jq '.[0]')");
	} else {
		ret = socket_obj(&r, v);
	}
	ws(&r);
	if (!ret && r.p != r.end)
		ret = fail(&r, "something follows the socket");
	if (ret)
		fprintf(stderr, "causalctl: %s: %s\n", path, r.err ? r.err : "not JSON");
	free(buf);
	return ret ? -1 : 0;
}

/**
 * snapshot_attrs() - the vector clock in a sock-get reply being handled
 * @nl: the connection, with the reply's attributes (multi-attrs)
 * @tb: the reply's parsed attributes
 * @v: out, with room for CAUSAL_VEC_WIDTH_MAX entries
 *
 * Return: 1 with the clock in @v, 0 when the socket has none, -EPROTO for a
 * malformed entry.
 */
int snapshot_attrs(const struct cnl *nl, struct nlattr **tb, struct causal_vec *v)
{
	memset(v, 0, sizeof(*v));
	v->width = CAUSAL_VEC_WIDTH_MAX;
	if (!tb[CAUSAL_A_SOCK_VECTOR_ID])
		return 0;
	if (snapshot_vents(nl->attrs, nl->attrlen, CAUSAL_A_SOCK_VECTOR, v) < 0)
		return -EPROTO;
	v->lossy = !!tb[CAUSAL_A_SOCK_VECTOR_LOSSY];
	return 1;
}

/**
 * snapshot_vents() - raise @v by the entries among a message's attributes
 * @head: the attributes
 * @len: their length
 * @attr: the multi-attr whose every instance is one entry (a vent set)
 * @v: the clock, with room for CAUSAL_VEC_WIDTH_MAX entries
 *
 * Return: 0, or -EPROTO for a malformed entry.
 */
int snapshot_vents(struct nlattr *head, int len, int attr, struct causal_vec *v)
{
	struct nlattr *a, *e[CAUSAL_A_VENT_MAX + 1];
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != attr)
			continue;
		if (nla_parse_nested(e, CAUSAL_A_VENT_MAX, a, NULL) < 0 ||
		    !e[CAUSAL_A_VENT_ID] || !e[CAUSAL_A_VENT_COUNT])
			return -EPROTO;
		causal_vec_raise(v, nla_get_u64(e[CAUSAL_A_VENT_ID]),
				 nla_get_u32(e[CAUSAL_A_VENT_COUNT]));
	}
	return 0;
}

struct sock_vec {
	struct causal_vec *v;
	const struct cnl *nl;
	bool found;
};

static int parse_sock_vec(struct nlattr **tb, void *arg)
{
	struct sock_vec *sv = arg;
	int ret = snapshot_attrs(sv->nl, tb, sv->v);

	sv->found = ret > 0;
	return ret < 0 ? ret : 0;
}

/**
 * snapshot_socket() - the vector clock of a socket of this node, now
 * @nl: a connection to the family
 * @cookie: the socket's cookie
 * @v: out, with room for CAUSAL_VEC_WIDTH_MAX entries
 *
 * Return: 0, or -1 after saying what is wrong on stderr.
 */
int snapshot_socket(struct cnl *nl, uint64_t cookie, struct causal_vec *v)
{
	struct sock_vec sv = { .v = v, .nl = nl };
	struct nl_msg *msg = cnl_msg(nl, CAUSAL_CMD_SOCK_GET, 0);
	int err;

	if (!msg || nla_put_u64(msg, CAUSAL_A_SOCK_COOKIE, cookie) < 0) {
		fprintf(stderr, "causalctl: out of memory\n");
		return -1;
	}
	err = cnl_transact(nl, msg, CAUSAL_A_SOCK_MAX, parse_sock_vec, &sv);
	if (err < 0) {
		cnl_perror(nl, "reading the socket", err);
		return -1;
	}
	if (!sv.found) {
		fprintf(stderr, "causalctl: socket %" PRIu64 " has no vector clock (is its node's clock vector?)\n",
			cookie);
		return -1;
	}
	return 0;
}
