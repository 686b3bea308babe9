// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/causal.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/causal.h>

/* CAUSAL_CMD_NODE_SET - do */
static const struct nla_policy causal_node_set_nl_policy[CAUSAL_A_STATUS_SOCKET_COUNTERS + 1] = {
	[CAUSAL_A_STATUS_NODE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[CAUSAL_A_STATUS_CLOCK] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[CAUSAL_A_STATUS_SCOPE] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[CAUSAL_A_STATUS_SOCKETS_MAX] = { .type = NLA_U32, },
	[CAUSAL_A_STATUS_VECTOR_WIDTH] = NLA_POLICY_RANGE(NLA_U32, 1, 64),
	[CAUSAL_A_STATUS_MAX_JUMP] = { .type = NLA_U64, },
	[CAUSAL_A_STATUS_MAX_DRIFT] = { .type = NLA_U32, },
	[CAUSAL_A_STATUS_CONTEXTS_MAX] = { .type = NLA_U32, },
	[CAUSAL_A_STATUS_SOCKET_COUNTERS] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* CAUSAL_CMD_SOCK_GET - do */
static const struct nla_policy causal_sock_get_nl_policy[CAUSAL_A_SOCK_COOKIE + 1] = {
	[CAUSAL_A_SOCK_COOKIE] = { .type = NLA_U64, },
};

/* CAUSAL_CMD_COMPARE - do */
static const struct nla_policy causal_compare_nl_policy[CAUSAL_A_COMPARE_COOKIE_B + 1] = {
	[CAUSAL_A_COMPARE_COOKIE_A] = { .type = NLA_U64, },
	[CAUSAL_A_COMPARE_COOKIE_B] = { .type = NLA_U64, },
};

/* Ops table for causal */
static const struct genl_ops causal_nl_ops[] = {
	{
		.cmd	= CAUSAL_CMD_STATUS_GET,
		.doit	= causal_nl_status_get_doit,
	},
	{
		.cmd		= CAUSAL_CMD_NODE_SET,
		.doit		= causal_nl_node_set_doit,
		.policy		= causal_node_set_nl_policy,
		.maxattr	= CAUSAL_A_STATUS_SOCKET_COUNTERS,
	},
	{
		.cmd		= CAUSAL_CMD_SOCK_GET,
		.doit		= causal_nl_sock_get_doit,
		.dumpit		= causal_nl_sock_get_dumpit,
		.policy		= causal_sock_get_nl_policy,
		.maxattr	= CAUSAL_A_SOCK_COOKIE,
	},
	{
		.cmd		= CAUSAL_CMD_COMPARE,
		.doit		= causal_nl_compare_doit,
		.policy		= causal_compare_nl_policy,
		.maxattr	= CAUSAL_A_COMPARE_COOKIE_B,
	},
	{
		.cmd	= CAUSAL_CMD_PROBES_FLUSH,
		.doit	= causal_nl_probes_flush_doit,
	},
};

static const struct genl_multicast_group causal_nl_mcgrps[] = {
	[CAUSAL_NLGRP_EVENTS] = { .name = "events", .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

struct genl_family causal_nl_family __ro_after_init = {
	.name		= CAUSAL_FAMILY_NAME,
	.version	= CAUSAL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= causal_nl_ops,
	.n_ops		= ARRAY_SIZE(causal_nl_ops),
	.mcgrps		= causal_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(causal_nl_mcgrps),
};
