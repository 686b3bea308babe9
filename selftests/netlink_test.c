// SPDX-License-Identifier: GPL-2.0
/*
 * The causal generic netlink family as the kernel serves it: replies carry
 * what the spec says, bad requests are rejected with an extended ACK that
 * says why, and nothing is changed by a rejected request.
 */

#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <uapi/linux/causal.h>

#include "kselftest_harness.h"
#include "genl.h"

FIXTURE(nl) {
	int fd;
	uint16_t family;
};

FIXTURE_SETUP(nl)
{
	self->fd = genl_open(CAUSAL_FAMILY_NAME, &self->family);
	ASSERT_LE(0, self->fd) TH_LOG("family %s: %s (module loaded?)",
				      CAUSAL_FAMILY_NAME, strerror(-self->fd));
}

FIXTURE_TEARDOWN(nl)
{
	close(self->fd);
}

struct status {
	bool seen[CAUSAL_A_STATUS_MAX + 1];
	bool stat_seen[CAUSAL_A_STATS_MAX + 1];
	char version[64];
	uint64_t node_id;
	uint32_t clock;
	uint32_t vector_width;
};

static int get_status(int fd, uint16_t family, struct status *s)
{
	struct nlattr *a, *n;
	struct genl_reply r;
	struct genl_msg m;
	int len, rem, nrem, err;

	memset(s, 0, sizeof(*s));
	genl_msg_init(&m, family, CAUSAL_CMD_STATUS_GET, 0, CAUSAL_FAMILY_VERSION);
	err = genl_transact(fd, &m, &r);
	if (err < 0)
		return err;
	if (r.error)
		return r.error;
	if (r.msgs != 1)
		return -EPROTO;
	genl_for_each_attr(a, genl_reply_attrs(&r, &len), len, rem) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type > CAUSAL_A_STATUS_MAX)
			continue;
		s->seen[type] = true;
		switch (type) {
		case CAUSAL_A_STATUS_VERSION:
			snprintf(s->version, sizeof(s->version), "%s",
				 (char *)genl_attr_data(a));
			break;
		case CAUSAL_A_STATUS_NODE_ID:
			if (a->nla_len != NLA_HDRLEN + 8)
				return -EBADMSG;
			memcpy(&s->node_id, genl_attr_data(a), 8);
			break;
		case CAUSAL_A_STATUS_VECTOR_WIDTH:
			if (a->nla_len != NLA_HDRLEN + 4)
				return -EBADMSG;
			memcpy(&s->vector_width, genl_attr_data(a), 4);
			break;
		case CAUSAL_A_STATUS_CLOCK:
			if (a->nla_len != NLA_HDRLEN + 4)
				return -EBADMSG;
			memcpy(&s->clock, genl_attr_data(a), 4);
			break;
		case CAUSAL_A_STATUS_STATS:
			if (!(a->nla_type & NLA_F_NESTED))
				return -EBADMSG;
			genl_for_each_attr(n, genl_attr_data(a),
					   a->nla_len - NLA_HDRLEN, nrem) {
				if (n->nla_type > CAUSAL_A_STATS_MAX)
					continue;
				if (n->nla_type != CAUSAL_A_STATS_PAD &&
				    n->nla_len != NLA_HDRLEN + 8)
					return -EBADMSG;
				s->stat_seen[n->nla_type] = true;
			}
			break;
		}
	}
	return 0;
}

static int node_set(int fd, uint16_t family, struct genl_reply *r,
		    uint16_t type, const void *data, uint16_t len, uint32_t *off)
{
	struct genl_msg m;
	uint32_t o;

	genl_msg_init(&m, family, CAUSAL_CMD_NODE_SET, 0, CAUSAL_FAMILY_VERSION);
	o = genl_put(&m, type, data, len);
	if (off)
		*off = o;
	return genl_transact(fd, &m, r);
}

TEST_F(nl, status_get_replies_with_every_spec_attribute)
{
	struct status s;
	int i;

	ASSERT_EQ(0, get_status(self->fd, self->family, &s));
	EXPECT_TRUE(s.seen[CAUSAL_A_STATUS_VERSION]);
	EXPECT_TRUE(s.seen[CAUSAL_A_STATUS_NODE_ID]);
	EXPECT_TRUE(s.seen[CAUSAL_A_STATUS_CLOCK]);
	EXPECT_TRUE(s.seen[CAUSAL_A_STATUS_STATS]);
	EXPECT_NE(0, s.node_id);
	EXPECT_GE(s.clock, CAUSAL_CLOCK_LAMPORT);
	EXPECT_LE(s.clock, CAUSAL_CLOCK_VECTOR);
	EXPECT_TRUE(s.seen[CAUSAL_A_STATUS_VECTOR_WIDTH]);
	EXPECT_NE(0U, strlen(s.version));
	for (i = CAUSAL_A_STATS_SOCKETS; i <= CAUSAL_A_STATS_MAX; i++)
		if (i != CAUSAL_A_STATS_PAD)
			EXPECT_TRUE(s.stat_seen[i]) TH_LOG("stats attribute %d missing", i);
}

TEST_F(nl, node_set_changes_node_id_and_clock)
{
	uint64_t id = 0x1122334455667788ULL;
	uint32_t clock = CAUSAL_CLOCK_HLC;
	struct status before, after;
	struct genl_reply r;

	ASSERT_EQ(0, get_status(self->fd, self->family, &before));
	ASSERT_EQ(0, node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_NODE_ID,
			      &id, sizeof(id), NULL));
	ASSERT_EQ(0, r.error) TH_LOG("extack: %s", r.extack);
	ASSERT_EQ(0, node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_CLOCK,
			      &clock, sizeof(clock), NULL));
	ASSERT_EQ(0, r.error) TH_LOG("extack: %s", r.extack);
	ASSERT_EQ(0, get_status(self->fd, self->family, &after));
	EXPECT_EQ(id, after.node_id);
	EXPECT_EQ(CAUSAL_CLOCK_HLC, after.clock);

	/* put things back for the other tests */
	node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_NODE_ID,
		 &before.node_id, 8, NULL);
	node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_CLOCK,
		 &before.clock, 4, NULL);
}

/* Every rejection below must leave the node as it was. */
static void expect_unchanged(struct __test_metadata *_metadata, int fd,
			     uint16_t family, const struct status *before)
{
	struct status now;

	ASSERT_EQ(0, get_status(fd, family, &now));
	EXPECT_EQ(before->node_id, now.node_id);
	EXPECT_EQ(before->clock, now.clock);
	EXPECT_EQ(before->vector_width, now.vector_width);
}

TEST_F(nl, unknown_attribute_is_rejected_with_extack)
{
	struct status before;
	struct genl_reply r;
	uint32_t v = 1, off;

	ASSERT_EQ(0, get_status(self->fd, self->family, &before));
	ASSERT_EQ(0, node_set(self->fd, self->family, &r, 99, &v, sizeof(v), &off));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(0U, strlen(r.extack));
	TH_LOG("extack: %s", r.extack);
	EXPECT_TRUE(r.has_offs);
	EXPECT_EQ(off, r.offs);
	expect_unchanged(_metadata, self->fd, self->family, &before);
}

TEST_F(nl, wrong_type_is_rejected_with_extack)
{
	struct status before;
	struct genl_reply r;
	uint32_t short_id = 7, off;

	ASSERT_EQ(0, get_status(self->fd, self->family, &before));
	/* node-id is a u64; send 4 bytes */
	ASSERT_EQ(0, node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_NODE_ID,
			      &short_id, sizeof(short_id), &off));
	EXPECT_GT(0, r.error);
	EXPECT_NE(0U, strlen(r.extack));
	TH_LOG("extack: %s (%s)", r.extack, strerror(-r.error));
	EXPECT_TRUE(r.has_offs);
	EXPECT_EQ(off, r.offs);
	expect_unchanged(_metadata, self->fd, self->family, &before);
}

TEST_F(nl, out_of_range_values_are_rejected_with_extack)
{
	uint64_t zero = 0;
	uint32_t clock = 77;
	struct status before;
	struct genl_reply r;

	ASSERT_EQ(0, get_status(self->fd, self->family, &before));
	ASSERT_EQ(0, node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_CLOCK,
			      &clock, sizeof(clock), NULL));
	EXPECT_EQ(-ERANGE, r.error);
	EXPECT_NE(0U, strlen(r.extack));
	TH_LOG("clock 77: %s", r.extack);
	ASSERT_EQ(0, node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_NODE_ID,
			      &zero, sizeof(zero), NULL));
	EXPECT_EQ(-ERANGE, r.error);
	EXPECT_NE(0U, strlen(r.extack));
	TH_LOG("node id 0: %s", r.extack);
	expect_unchanged(_metadata, self->fd, self->family, &before);
}

TEST_F(nl, empty_node_set_says_what_is_missing)
{
	struct genl_reply r;
	struct genl_msg m;

	genl_msg_init(&m, self->family, CAUSAL_CMD_NODE_SET, 0, CAUSAL_FAMILY_VERSION);
	ASSERT_EQ(0, genl_transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(NULL, strstr(r.extack, "nothing to set"));
}

TEST_F(nl, unknown_command_is_rejected)
{
	struct genl_reply r;
	struct genl_msg m;

	genl_msg_init(&m, self->family, 200, 0, CAUSAL_FAMILY_VERSION);
	ASSERT_EQ(0, genl_transact(self->fd, &m, &r));
	EXPECT_EQ(-EOPNOTSUPP, r.error);
}

TEST_F(nl, sock_get_names_what_is_wrong)
{
	uint64_t cookie = 0xfffffffffffffULL;
	struct genl_reply r;
	struct genl_msg m;
	uint32_t off;

	/* no cookie */
	genl_msg_init(&m, self->family, CAUSAL_CMD_SOCK_GET, 0, CAUSAL_FAMILY_VERSION);
	ASSERT_EQ(0, genl_transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(NULL, strstr(r.extack, "cookie"));
	TH_LOG("no cookie: %s", r.extack);
	/* a cookie no tracked socket has */
	genl_msg_init(&m, self->family, CAUSAL_CMD_SOCK_GET, 0, CAUSAL_FAMILY_VERSION);
	off = genl_put(&m, CAUSAL_A_SOCK_COOKIE, &cookie, sizeof(cookie));
	ASSERT_EQ(0, genl_transact(self->fd, &m, &r));
	EXPECT_EQ(-ENOENT, r.error);
	EXPECT_NE(NULL, strstr(r.extack, "cookie"));
	EXPECT_TRUE(r.has_offs);
	EXPECT_EQ(off, r.offs);
}

TEST_F(nl, sock_dump_of_a_quiet_node_is_empty_and_complete)
{
	struct genl_reply r;
	struct genl_msg m;

	genl_msg_init(&m, self->family, CAUSAL_CMD_SOCK_GET, NLM_F_DUMP,
		      CAUSAL_FAMILY_VERSION);
	ASSERT_EQ(0, genl_transact(self->fd, &m, &r));
	EXPECT_EQ(0, r.error);
	EXPECT_EQ(0, r.msgs);
}

TEST_F(nl, sockets_max_above_the_limit_is_refused)
{
	uint32_t max = 1048577;
	struct genl_reply r;

	ASSERT_EQ(0, node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_SOCKETS_MAX,
			      &max, sizeof(max), NULL));
	EXPECT_EQ(-ERANGE, r.error);
	EXPECT_NE(NULL, strstr(r.extack, "1048576"));
}

TEST_F(nl, vector_width_outside_1_to_64_is_refused)
{
	uint32_t w[] = { 0, 65 };
	struct status before;
	struct genl_reply r;
	uint32_t off;
	int i;

	ASSERT_EQ(0, get_status(self->fd, self->family, &before));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_VECTOR_WIDTH,
				      &w[i], sizeof(w[i]), &off));
		EXPECT_EQ(-ERANGE, r.error);
		EXPECT_NE(0U, strlen(r.extack));
		EXPECT_TRUE(r.has_offs);
		EXPECT_EQ(off, r.offs);
		TH_LOG("vector-width %u: %s", w[i], r.extack);
	}
	expect_unchanged(_metadata, self->fd, self->family, &before);
}

TEST_F(nl, compare_names_what_is_wrong)
{
	uint64_t cookie = 0xfffffffffffffULL;
	struct genl_reply r;
	struct genl_msg m;
	uint32_t off;

	/* one cookie only */
	genl_msg_init(&m, self->family, CAUSAL_CMD_COMPARE, 0, CAUSAL_FAMILY_VERSION);
	genl_put(&m, CAUSAL_A_COMPARE_COOKIE_A, &cookie, sizeof(cookie));
	ASSERT_EQ(0, genl_transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(0U, strlen(r.extack));
	TH_LOG("one cookie: %s", r.extack);
	/* cookies no tracked socket has: the first is blamed */
	genl_msg_init(&m, self->family, CAUSAL_CMD_COMPARE, 0, CAUSAL_FAMILY_VERSION);
	off = genl_put(&m, CAUSAL_A_COMPARE_COOKIE_A, &cookie, sizeof(cookie));
	genl_put(&m, CAUSAL_A_COMPARE_COOKIE_B, &cookie, sizeof(cookie));
	ASSERT_EQ(0, genl_transact(self->fd, &m, &r));
	EXPECT_EQ(-ENOENT, r.error);
	EXPECT_NE(NULL, strstr(r.extack, "cookie"));
	EXPECT_TRUE(r.has_offs);
	EXPECT_EQ(off, r.offs);
}

TEST_F(nl, node_set_without_cap_net_admin_is_refused)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t id = 42;
	struct genl_reply r;
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (syscall(SYS_capget, &hdr, data))
			_exit(2);
		data[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
		if (syscall(SYS_capset, &hdr, data))
			_exit(3);
		if (node_set(self->fd, self->family, &r, CAUSAL_A_STATUS_NODE_ID,
			     &id, sizeof(id), NULL))
			_exit(4);
		if (r.error != -EPERM)
			_exit(5);
		_exit(strstr(r.extack, "CAP_NET_ADMIN") ? 0 : 6);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child step %d failed",
						  WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
