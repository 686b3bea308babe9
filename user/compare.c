// SPDX-License-Identifier: GPL-2.0
/*
 * causalctl compare: what the clocks of two sockets prove of the order of
 * their latest events.  A socket is a cookie (of this node), or @FILE: a
 * socket saved with "causalctl -j sockets" on any node.  Two cookies are
 * compared by the module; anything else here, by the same code
 * (include/causal/vclock.h).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/linux/causal.h>

#include "causalctl.h"
#include "nl.h"
#include "num.h"
#include "print.h"
#include "snapshot.h"

static const char *const order_names[] = {
	[CAUSAL_ORDER_UNKNOWN] = "unknown",
	[CAUSAL_ORDER_BEFORE] = "before",
	[CAUSAL_ORDER_AFTER] = "after",
	[CAUSAL_ORDER_CONCURRENT] = "concurrent",
	[CAUSAL_ORDER_EQUAL] = "equal",
};

static const char *const order_text[] = {
	[CAUSAL_ORDER_UNKNOWN] = "unknown: the clocks prove no order (not vectors, or lossy)",
	[CAUSAL_ORDER_BEFORE] = "before: the first happened before the second",
	[CAUSAL_ORDER_AFTER] = "after: the second happened before the first",
	[CAUSAL_ORDER_CONCURRENT] = "concurrent: neither happened before the other",
	[CAUSAL_ORDER_EQUAL] = "equal: the same point in the causal order",
};

static int parse_order(struct nlattr **tb, void *arg)
{
	uint32_t *order = arg;

	if (!tb[CAUSAL_A_COMPARE_ORDER])
		return -EPROTO;
	*order = nla_get_u32(tb[CAUSAL_A_COMPARE_ORDER]);
	return *order <= CAUSAL_ORDER_EQUAL ? 0 : -EPROTO;
}

static void print_order(uint32_t order)
{
	print_open_object(NULL);
	print_string("order", NULL, order_names[order]);
	print_text("%s\n", order_text[order]);
	print_close_object();
	print_end();
}

/* Side @arg of a comparison in @v: a snapshot file, or a socket now. */
static int side(struct cnl *nl, bool *connected, const char *arg, uint64_t cookie,
		struct vec_buf *vb)
{
	if (arg[0] == '@')
		return snapshot_read(arg + 1, vb);
	if (!*connected) {
		cnl_connect_or_die(nl);
		*connected = true;
	}
	return snapshot_socket(nl, cookie, vb);
}

int compare_main(int argc, char **argv)
{
	struct vec_buf va, vb;
	bool connected = false;
	uint64_t a = 0, b = 0;
	uint32_t order;
	struct nl_msg *msg;
	struct cnl nl;
	int err;

	if (argc != 3)
		return usage_error("compare", "compare takes two sockets: cookies or @FILE");
	if (argv[1][0] != '@' && parse_u64(argv[1], 0, UINT64_MAX, &a) < 0)
		return usage_error("compare", "invalid socket cookie: %s", argv[1]);
	if (argv[2][0] != '@' && parse_u64(argv[2], 0, UINT64_MAX, &b) < 0)
		return usage_error("compare", "invalid socket cookie: %s", argv[2]);

	if (argv[1][0] == '@' || argv[2][0] == '@') {
		if (side(&nl, &connected, argv[1], a, &va) ||
		    side(&nl, &connected, argv[2], b, &vb))
			return EXIT_FAIL;
		if (connected)
			cnl_close(&nl);
		print_order(causal_vec_order_own(&va.v, va.own, &vb.v, vb.own));
		return 0;
	}

	cnl_connect_or_die(&nl);
	msg = cnl_msg(&nl, CAUSAL_CMD_COMPARE, 0);
	if (!msg || nla_put_u64(msg, CAUSAL_A_COMPARE_COOKIE_A, a) < 0 ||
	    nla_put_u64(msg, CAUSAL_A_COMPARE_COOKIE_B, b) < 0) {
		fprintf(stderr, "causalctl: out of memory\n");
		return EXIT_FAIL;
	}
	err = cnl_transact(&nl, msg, CAUSAL_A_COMPARE_MAX, parse_order, &order);
	if (err < 0) {
		cnl_perror(&nl, "comparing the sockets", err);
		return EXIT_FAIL;
	}
	cnl_close(&nl);
	print_order(order);
	return 0;
}
