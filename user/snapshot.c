// SPDX-License-Identifier: GPL-2.0
/*
 * Vector clocks of sockets, from the module (sock-get) or from a snapshot:
 * a socket as "causalctl -j sockets" printed it, saved to a file on any
 * host.  compare uses them to order sockets of different nodes.
 *
 * The reader accepts RFC 8259 JSON (jread.h): a socket object, or an array
 * holding exactly one, and looks only at "vector", "vector_lossy" and
 * "vector_id" (the participant of the socket's latest event, which lets
 * compare prove more; a file without it is compared by its vector alone).
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
	struct vec_buf *vb;
	bool have_vector, lossy;
};

/* A member of a socket object: "vector", "vector_lossy" and "vector_id". */
static int socket_member(struct jr *c, const char *key, void *arg)
{
	struct socket_read *s = arg;

	if (!strcmp(key, "vector")) {
		s->have_vector = true;
		return jr_array(c, vector_element, &s->vb->v);
	}
	if (!strcmp(key, "vector_lossy"))
		return jr_bool(c, &s->lossy);
	if (!strcmp(key, "vector_id")) {
		if (jr_hex(c, &s->vb->own))
			return -EINVAL;
		if (!s->vb->own || s->vb->own > CAUSAL_VEC_ID_MASK)
			return jr_fail(c, "vector_id is not 1 to 14 hex digits");
		return 0;
	}
	return jr_skip(c, 1);
}

static int read_socket(struct jr *c, struct vec_buf *vb)
{
	struct socket_read s = { .vb = vb };

	c->member = "socket";
	if (jr_object(c, socket_member, &s))
		return -EINVAL;
	if (!s.have_vector)
		return jr_fail(c, "the socket has no vector clock (was its node's clock vector?)");
	vb->v.lossy = s.lossy;
	return 0;
}

/**
 * snapshot_read() - the vector clock of a socket saved as JSON
 * @path: the file
 * @vb: out
 *
 * Return: 0, or -1 after saying what is wrong on stderr.
 */
int snapshot_read(const char *path, struct vec_buf *vb)
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
	memset(vb, 0, sizeof(*vb));
	vb->v.width = CAUSAL_VEC_WIDTH_MAX;
	r.p = buf;
	r.end = buf + len;
	if (jr_eat(&r, '[')) {
		ret = read_socket(&r, vb);
		if (!ret && !jr_eat(&r, ']'))
			ret = jr_fail(&r, "the file holds more than one socket; save one (jq '.[0]')");
	} else {
		ret = read_socket(&r, vb);
	}
	/* the participant's own entry is in any vector it ticked */
	if (!ret && vb->own && !causal_vec_get(&vb->v, vb->own))
		ret = jr_fail(&r, "vector_id names no entry of the vector");
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
 * @vb: out: the clock and the participant of its latest event
 *
 * Return: 1 with the clock in @vb, 0 when the socket has none, -EPROTO for
 * a malformed entry.
 */
int snapshot_attrs(const struct cnl *nl, struct nlattr **tb, struct vec_buf *vb)
{
	memset(vb, 0, sizeof(*vb));
	vb->v.width = CAUSAL_VEC_WIDTH_MAX;
	if (!tb[CAUSAL_A_SOCK_VECTOR_ID])
		return 0;
	if (snapshot_vents(nl->attrs, nl->attrlen, CAUSAL_A_SOCK_VECTOR, &vb->v) < 0)
		return -EPROTO;
	vb->v.lossy = !!tb[CAUSAL_A_SOCK_VECTOR_LOSSY];
	vb->own = nla_get_u64(tb[CAUSAL_A_SOCK_VECTOR_ID]);
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
	struct vec_buf *vb;
	const struct cnl *nl;
	bool found;
};

static int parse_sock_vec(struct nlattr **tb, void *arg)
{
	struct sock_vec *sv = arg;
	int ret = snapshot_attrs(sv->nl, tb, sv->vb);

	sv->found = ret > 0;
	return ret < 0 ? ret : 0;
}

/**
 * snapshot_socket() - the vector clock of a socket of this node, now
 * @nl: a connection to the family
 * @cookie: the socket's cookie
 * @vb: out
 *
 * Return: 0, or -1 after saying what is wrong on stderr.
 */
int snapshot_socket(struct cnl *nl, uint64_t cookie, struct vec_buf *vb)
{
	struct sock_vec sv = { .vb = vb, .nl = nl };
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
