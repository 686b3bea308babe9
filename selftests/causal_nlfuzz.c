// SPDX-License-Identifier: GPL-2.0
/*
 * causal_nlfuzz - generated and mutated requests to every operation of the
 * causal generic netlink family.
 *
 *   causal_nlfuzz [-n COUNT] [-s SEED] [-v]
 *
 * Two requests in three are built from scratch: a command (the family's,
 * and unknown ones), do or dump, then attributes of random types around the
 * command's set (known, unknown, zero), of random lengths and contents
 * (interesting values, strings without their NUL, nests holding more of the
 * same), duplicated, with declared lengths that run past the message or
 * fall short of a header.  The third is a valid request (a socket by its
 * cookie, found by a dump first; a comparison of two sockets; a node-set
 * of each setting) with one to four of its attribute bytes changed, so
 * that the handlers themselves, past the policies, see the damage.  Every request must be answered (a receive timeout
 * catches one that is not), and every rejection of one of the family's
 * commands must carry an extended ACK message: the reasons that are counted
 * apart are the core's EOPNOTSUPP for commands (or do/dump forms) the family
 * does not have.  Prints per-command counts of accepted and rejected
 * requests by errno; exits 1 on any failure.
 */

#include <stdlib.h>
#include <time.h>
#include <sys/time.h>
#include <uapi/linux/causal.h>

#include "genl.h"
#include "rnd.h"

#define NCMD 8		/* 0..5 known and not, 6 and 7 unknown ones */


static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* Highest attribute type of each command's set, to aim around it. */
static int cmd_maxattr(int cmd)
{
	switch (cmd) {
	case CAUSAL_CMD_STATUS_GET:
	case CAUSAL_CMD_NODE_SET:
		return CAUSAL_A_STATUS_MAX;
	case CAUSAL_CMD_SOCK_GET:
		return CAUSAL_A_SOCK_MAX;
	case CAUSAL_CMD_COMPARE:
		return CAUSAL_A_COMPARE_MAX;
	default:
		return CAUSAL_A_EVENT_MAX;
	}
}

/* A value worth trying for an attribute of @len bytes. */
static void fill(uint8_t *p, int len)
{
	static const uint64_t interesting[] = {
		0, 1, 2, 3, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 64, 65,
		1048576, 1048577, 0x7fffffff, 0x80000000, 0xffffffff,
		1ULL << 32, 1ULL << 48, 0x7fffffffffffffffULL, ~0ULL,
	};
	uint64_t v;
	int i;

	switch (below(4)) {
	case 0:
		for (i = 0; i < len; i++)
			p[i] = rnd();
		break;
	case 1:		/* a string, NUL-terminated or not */
		for (i = 0; i < len; i++)
			p[i] = 'a' + below(26);
		if (len && below(2))
			p[len - 1] = 0;
		break;
	default:
		v = interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
		for (i = 0; i < len; i++)
			p[i] = i < 8 ? v >> (8 * i) : 0;
	}
}

/* Append random attributes at @off, up to @room bytes: their total. */
static uint32_t attrs(uint8_t *buf, uint32_t room, int maxattr, int depth)
{
	static const int lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 24, 40 };
	uint32_t off = 0;
	int n = below(7), i;

	for (i = 0; i < n; i++) {
		struct nlattr *a = (struct nlattr *)(buf + off);
		int len = lens[below(sizeof(lens) / sizeof(lens[0]))];
		int type = below(maxattr + 4);

		if (off + NLA_HDRLEN + 64 > room)
			break;
		if (!below(8))
			type |= NLA_F_NESTED;
		a->nla_type = type;
		if (depth < 3 && !below(5)) {
			/* a nest of more of the same */
			a->nla_type |= NLA_F_NESTED;
			len = attrs(buf + off + NLA_HDRLEN, room - off - NLA_HDRLEN - 8,
				    maxattr, depth + 1);
		} else {
			fill(buf + off + NLA_HDRLEN, len);
		}
		a->nla_len = NLA_HDRLEN + len;
		/* lengths that lie: short of a header, or past the end */
		switch (below(16)) {
		case 0:
			a->nla_len = below(NLA_HDRLEN);
			break;
		case 1:
			a->nla_len += 1 + below(64);
			break;
		}
		off += NLA_ALIGN(NLA_HDRLEN + len);
		/* the same attribute again */
		if (!below(6) && off + NLA_ALIGN(NLA_HDRLEN + len) < room) {
			memcpy(buf + off, a, NLA_ALIGN(NLA_HDRLEN + len));
			off += NLA_ALIGN(NLA_HDRLEN + len);
		}
	}
	return off;
}

/* The valid requests that mutations start from. */
#define NTEMPLATES 8
static struct genl_msg templates[NTEMPLATES];

/* A socket's cookie from a dump of the node's sockets; 0 if none. */
static uint64_t some_cookie(int fd, uint16_t family, struct genl_msg *m,
			    struct genl_reply *r)
{
	struct nlattr *a;
	int len, rem;

	genl_msg_init(m, family, CAUSAL_CMD_SOCK_GET, NLM_F_DUMP, CAUSAL_FAMILY_VERSION);
	if (genl_transact(fd, m, r) || r->error || !r->msgs)
		return 0;
	genl_for_each_attr(a, genl_reply_attrs(r, &len), len, rem)
		if (a->nla_type == CAUSAL_A_SOCK_COOKIE)
			return *(uint64_t *)genl_attr_data(a);
	return 0;
}

static void make_templates(int fd, uint16_t family, struct genl_msg *m,
			   struct genl_reply *r)
{
	uint64_t cookie = some_cookie(fd, family, m, r), id = 0xf00d, jump = 1ULL << 48;
	uint32_t u;
	int i;

	for (i = 0; i < NTEMPLATES; i++)
		genl_msg_init(&templates[i], family, CAUSAL_CMD_NODE_SET, 0,
			      CAUSAL_FAMILY_VERSION);
	genl_put(&templates[0], CAUSAL_A_STATUS_NODE_ID, &id, 8);
	u = CAUSAL_CLOCK_HLC;
	genl_put(&templates[1], CAUSAL_A_STATUS_CLOCK, &u, 4);
	u = 1000;
	genl_put(&templates[2], CAUSAL_A_STATUS_SOCKETS_MAX, &u, 4);
	u = 8;
	genl_put(&templates[2], CAUSAL_A_STATUS_VECTOR_WIDTH, &u, 4);
	genl_put(&templates[3], CAUSAL_A_STATUS_MAX_JUMP, &jump, 8);
	u = 1000;
	genl_put(&templates[3], CAUSAL_A_STATUS_MAX_DRIFT, &u, 4);
	genl_msg_init(&templates[4], family, CAUSAL_CMD_SOCK_GET, 0, CAUSAL_FAMILY_VERSION);
	genl_put(&templates[4], CAUSAL_A_SOCK_COOKIE, &cookie, 8);
	genl_msg_init(&templates[5], family, CAUSAL_CMD_COMPARE, 0, CAUSAL_FAMILY_VERSION);
	genl_put(&templates[5], CAUSAL_A_COMPARE_COOKIE_A, &cookie, 8);
	genl_put(&templates[5], CAUSAL_A_COMPARE_COOKIE_B, &cookie, 8);
	genl_msg_init(&templates[6], family, CAUSAL_CMD_SOCK_GET, NLM_F_DUMP,
		      CAUSAL_FAMILY_VERSION);
	genl_msg_init(&templates[7], family, CAUSAL_CMD_STATUS_GET, 0, CAUSAL_FAMILY_VERSION);
	u = CAUSAL_SCOPE_SOCKET;
	genl_put(&templates[0], CAUSAL_A_STATUS_SCOPE, &u, 4);
}

/* A template with one to four of its bytes past the headers changed. */
static void mutate(struct genl_msg *m)
{
	uint32_t start = NLMSG_HDRLEN + GENL_HDRLEN, i, n = 1 + below(4);

	*m = templates[below(NTEMPLATES)];
	if (m->nlh.nlmsg_len <= start)
		return;
	for (i = 0; i < n; i++)
		m->buf[start + below(m->nlh.nlmsg_len - start)] = rnd();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct tally {
	unsigned long ok, rejected, no_extack, core;
	unsigned long by_errno[140];
};

int main(int argc, char **argv)
{
	unsigned long count = 100000, i, failures = 0, mutated = 0;
	double t0;
	struct tally t[NCMD] = {};
	struct timeval tv = { .tv_sec = 10 };
	uint64_t seed = 0;
	bool verbose = false;
	struct genl_reply *r;
	struct genl_msg *m;
	uint16_t family = 0;
	int fd, opt, c, e;

	while ((opt = getopt(argc, argv, "n:s:v")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: causal_nlfuzz [-n COUNT] [-s SEED] [-v]\n");
			return 2;
		}
	}
	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	rnd_state = seed | 1;
	printf("# seed %llu, %lu requests\n", (unsigned long long)seed, count);
	fflush(stdout);

	fd = genl_open(CAUSAL_FAMILY_NAME, &family);
	if (fd < 0) {
		fprintf(stderr, "causal_nlfuzz: family %s: %s\n", CAUSAL_FAMILY_NAME,
			strerror(-fd));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	m = malloc(sizeof(*m));
	r = malloc(sizeof(*r));
	if (!m || !r)
		return 1;

	make_templates(fd, family, m, r);
	t0 = now();
	for (i = 0; i < count; i++) {
		int cmd = below(NCMD), err;
		uint16_t flags = below(3) ? 0 : NLM_F_DUMP;
		uint32_t room = GENL_BUF - NLMSG_HDRLEN - GENL_HDRLEN - 64, len;

		if (cmd == NCMD - 1)
			cmd = 6 + below(250);	/* unknown commands */
		if (!below(3)) {
			mutate(m);
			cmd = ((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->cmd;
			flags = m->nlh.nlmsg_flags & NLM_F_DUMP;
			mutated++;
		} else {
			genl_msg_init(m, family, cmd, flags,
				      below(8) ? CAUSAL_FAMILY_VERSION : rnd());
			len = attrs((uint8_t *)m->buf + m->nlh.nlmsg_len, room,
				    cmd_maxattr(cmd), 0);
			m->nlh.nlmsg_len += len;
		}
		err = genl_transact(fd, m, r);
		c = cmd < NCMD - 1 ? cmd : NCMD - 1;
		if (err) {
			fprintf(stderr, "causal_nlfuzz: request %lu (cmd %d, %u bytes): %s\n",
				i, cmd, m->nlh.nlmsg_len, strerror(-err));
			failures++;
			break;
		}
		if (!r->error) {
			t[c].ok++;
			continue;
		}
		t[c].rejected++;
		e = -r->error;
		t[c].by_errno[e > 0 && e < 140 ? e : 0]++;
		if (r->extack[0])
			continue;
		/* the core's: no such command, or no such form of it */
		if (e == EOPNOTSUPP) {
			t[c].core++;
			continue;
		}
		t[c].no_extack++;
		if (verbose || t[c].no_extack <= 3)
			fprintf(stderr, "causal_nlfuzz: request %lu (cmd %d%s, %u bytes): %s without a message\n",
				i, cmd, flags ? " dump" : "", m->nlh.nlmsg_len,
				strerror(e));
		failures++;
	}

	for (c = 0; c < NCMD; c++) {
		static const char *const names[NCMD] = {
			"cmd 0", "status-get", "node-set", "sock-get", "compare",
			"event", "cmd 6", "unknown",
		};

		printf("%-11s %7lu accepted %7lu rejected (%lu by the core, %lu without a message):",
		       names[c], t[c].ok, t[c].rejected, t[c].core, t[c].no_extack);
		for (e = 0; e < 140; e++)
			if (t[c].by_errno[e])
				printf(" %s %lu", e ? strerrorname_np(e) : "other", t[c].by_errno[e]);
		printf("\n");
	}
	printf("# %lu mutated from valid requests; %.0f requests/s\n", mutated,
	       i / (now() - t0));
	printf("%lu requests, %lu failures\n", i, failures);
	return failures ? 1 : 0;
}
