/* SPDX-License-Identifier: GPL-2.0 */
/*
 * genl.h - raw generic netlink for causal's selftests: no library between the
 * test and the bytes the kernel sees, so malformed requests can be built.
 */
#ifndef _CAUSAL_SELFTEST_GENL_H
#define _CAUSAL_SELFTEST_GENL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define GENL_BUF 16384

struct genl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[GENL_BUF];
	};
};

/**
 * struct genl_reply - what the kernel answered to one request
 * @error: 0 or -errno from the final ACK
 * @extack: NLMSGERR_ATTR_MSG, or ""
 * @has_offs: NLMSGERR_ATTR_OFFS present
 * @offs: its value: offset of the blamed attribute in the request
 * @data: first data message (reply), if any
 * @data_len: its length, 0 if none
 * @msgs: number of data messages
 */
struct genl_reply {
	int error;
	char extack[256];
	bool has_offs;
	uint32_t offs;
	char data[GENL_BUF];
	int data_len;
	int msgs;
};

static inline struct nlattr *genl_attr_next(struct nlattr *a)
{
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

static inline void *genl_attr_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline bool genl_attr_ok(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= rem;
}

#define genl_for_each_attr(a, head, len, rem)				\
	for ((a) = (struct nlattr *)(head), (rem) = (len);		\
	     genl_attr_ok((a), (rem));					\
	     (rem) -= NLA_ALIGN((a)->nla_len), (a) = genl_attr_next(a))

static inline void genl_msg_init(struct genl_msg *m, uint16_t family, uint8_t cmd,
				 uint16_t flags, uint8_t version)
{
	struct genlmsghdr *g;

	memset(m, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = version;
}

/* Append an attribute; returns its offset in the message. */
static inline uint32_t genl_put(struct genl_msg *m, uint16_t type, const void *data,
				uint16_t len)
{
	uint32_t off = NLMSG_ALIGN(m->nlh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(genl_attr_data(a), data, len);
	m->nlh.nlmsg_len = off + NLA_ALIGN(a->nla_len);
	return off;
}

static inline void genl_parse_error(struct genl_reply *r, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	uint32_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;
	int rem;

	r->error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	genl_for_each_attr(a, (char *)nlh + off, (int)nlh->nlmsg_len - (int)off, rem) {
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(r->extack, sizeof(r->extack), "%s",
				 (char *)genl_attr_data(a));
		if (a->nla_type == NLMSGERR_ATTR_OFFS) {
			r->has_offs = true;
			r->offs = *(uint32_t *)genl_attr_data(a);
		}
	}
}

/**
 * genl_transact() - send @m on @fd and read until its ACK or error
 *
 * Return: 0 when the exchange completed (the verdict is in @r->error), or
 * -errno when the socket failed.
 */
static inline int genl_transact(int fd, struct genl_msg *m, struct genl_reply *r)
{
	static uint32_t seq = 1;
	char buf[GENL_BUF];

	memset(r, 0, sizeof(*r));
	m->nlh.nlmsg_seq = seq++;
	if (send(fd, m->buf, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		int len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (len < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != m->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				genl_parse_error(r, nlh);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				r->error = *(int *)NLMSG_DATA(nlh);
				return 0;
			}
			if (!r->msgs++) {
				r->data_len = nlh->nlmsg_len;
				memcpy(r->data, nlh, nlh->nlmsg_len);
			}
		}
	}
}

/* The attributes of the reply's first message. */
static inline struct nlattr *genl_reply_attrs(struct genl_reply *r, int *len)
{
	*len = r->data_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (struct nlattr *)(r->data + NLMSG_HDRLEN + GENL_HDRLEN);
}

/**
 * genl_open() - a generic netlink socket with extended ACKs, and the id of
 * family @name
 *
 * Return: the socket, or -errno (-ENOENT: no such family).
 */
static inline int genl_open(const char *name, uint16_t *family)
{
	struct genl_reply r;
	struct genl_msg m;
	struct nlattr *a;
	int fd, one = 1, len, rem;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	genl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
	genl_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (genl_transact(fd, &m, &r) < 0 || r.error) {
		close(fd);
		return r.error ? r.error : -EIO;
	}
	genl_for_each_attr(a, genl_reply_attrs(&r, &len), len, rem) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID) {
			*family = *(uint16_t *)genl_attr_data(a);
			return fd;
		}
	}
	close(fd);
	return -ENOENT;
}

#endif /* _CAUSAL_SELFTEST_GENL_H */
