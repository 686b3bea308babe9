// SPDX-License-Identifier: GPL-2.0
/*
 * Vector clocks of sockets, from the module (sock-get) or from a snapshot:
 * a socket as "causalctl -j sockets" printed it, saved to a file on any
 * host.  compare uses them to order sockets of different nodes.
 *
 * The reader accepts RFC 8259 JSON (jread.h): a socket object, or an array
 * holding exactly one, and looks only at "vector" and "vector_lossy".
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/linux/causal.h>

#include "causalctl.h"
#include "jread.h"
#include "nl.h"
#include "snapshot.h"

struct entry_read {
	uint64_t id, count;
	bool have_id, have_count;
};

/* A member of a vector entry: {"id": "hex", "count": N} */
static int entry_member(struct jr *c, const char *key, void *arg)
{
	struct entry_read *e = arg;

	if (!strcmp(key, "id")) {
		if (jr_hex(c, &e->id))
			return -EINVAL;
		if (!e->id || e->id > CAUSAL_VEC_ID_MASK)
			return jr_fail(c, "a participant id is not 1 to 14 hex digits");
		e->have_id = true;
		return 0;
	}
	if (!strcmp(key, "count")) {
		if (jr_u64(c, &e->count))
			return -EINVAL;
		if (e->count > CAUSAL_VEC_COUNT_MAX)
			return jr_fail(c, "a count is out of range");
		e->have_count = true;
		return 0;
	}
	return jr_skip(c, 2);
}

/* One entry of "vector". */
static int vector_element(struct jr *c, void *arg)
{
	struct causal_vec *v = arg;
	struct entry_read e = {};

	if (jr_object(c, entry_member, &e))
		return -EINVAL;
	if (!e.have_id || !e.have_count)
		return jr_fail(c, "a vector entry needs an id and a count");
	if (causal_vec_get(v, e.id))
		return jr_fail(c, "a participant appears twice");
	if (causal_vec_raise(v, e.id, e.count) < 0)
		return jr_fail(c, "the vector has too many entries");
	return 0;
}

struct socket_read {
	struct causal_vec *v;
	bool have_vector, lossy;
};

/* A member of a socket object: only "vector" and "vector_lossy" matter. */
static int socket_member(struct jr *c, const char *key, void *arg)
{
	struct socket_read *s = arg;

	if (!strcmp(key, "vector")) {
		s->have_vector = true;
		return jr_array(c, vector_element, s->v);
	}
	if (!strcmp(key, "vector_lossy"))
		return jr_bool(c, &s->lossy);
	return jr_skip(c, 1);
}

static int read_socket(struct jr *c, struct causal_vec *v)
{
	struct socket_read s = { .v = v };

	c->member = "socket";
	if (jr_object(c, socket_member, &s))
		return -EINVAL;
	if (!s.have_vector)
		return jr_fail(c, "the socket has no vector clock (was its node's clock vector?)");
	v->lossy = s.lossy;
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
	struct jr r = {};
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
	if (jr_eat(&r, '[')) {
		ret = read_socket(&r, v);
		if (!ret && !jr_eat(&r, ']'))
			ret = jr_fail(&r, "the file holds more than one socket; save one (jq '.[0]')");
	} else {
		ret = read_socket(&r, v);
	}
	jr_ws(&r);
	if (!ret && r.p != r.end)
		ret = jr_fail(&r, "something follows the socket");
	if (ret)
		fprintf(stderr, "causalctl: %s: %s\n", path, r.err);
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
