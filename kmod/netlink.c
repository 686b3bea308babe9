// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "causal".  Policies and the ops table are
 * generated from Documentation/netlink/specs/causal.yaml (netlink-gen.c);
 * this file holds the handlers.
 */

#include <net/genetlink.h>
#include <causal/version.h>

#include "netlink-gen.h"
#include "net.h"
#include "netlink.h"

/* enum causal_stat -> attribute of the stats set */
static const u16 causal_stat_attr[CAUSAL_STAT_NR] = {
	[CAUSAL_STAT_SOCKETS_UNTRACKED]	= CAUSAL_A_STATS_SOCKETS_UNTRACKED,
	[CAUSAL_STAT_STAMPS_OUT]	= CAUSAL_A_STATS_STAMPS_OUT,
	[CAUSAL_STAT_STAMPS_IN]		= CAUSAL_A_STATS_STAMPS_IN,
	[CAUSAL_STAT_UNSTAMPED_IN]	= CAUSAL_A_STATS_UNSTAMPED_IN,
	[CAUSAL_STAT_MALFORMED_IN]	= CAUSAL_A_STATS_MALFORMED_IN,
};

static int causal_put_stats(struct sk_buff *skb, const struct causal_net *cn)
{
	u64 sum[CAUSAL_STAT_NR];
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, CAUSAL_A_STATUS_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, CAUSAL_A_STATS_SOCKETS,
			      atomic_read(&cn->sockets), CAUSAL_A_STATS_PAD))
		goto cancel;
	causal_stats_read(cn, sum);
	for (i = 0; i < CAUSAL_STAT_NR; i++)
		if (nla_put_u64_64bit(skb, causal_stat_attr[i], sum[i],
				      CAUSAL_A_STATS_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int causal_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct causal_net *cn = causal_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &causal_nl_family, 0,
				CAUSAL_CMD_STATUS_GET);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, CAUSAL_A_STATUS_VERSION, CAUSAL_RELEASE) ||
	    nla_put_u64_64bit(msg, CAUSAL_A_STATUS_NODE_ID,
			      READ_ONCE(cn->node_id), CAUSAL_A_STATUS_PAD) ||
	    nla_put_u32(msg, CAUSAL_A_STATUS_CLOCK, READ_ONCE(cn->clock)) ||
	    causal_put_stats(msg, cn))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int causal_nl_node_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct causal_net *cn = causal_net(net);
	struct nlattr **attrs = info->attrs;

	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "changing a node needs CAP_NET_ADMIN in the user namespace of its network namespace");
		return -EPERM;
	}
	if (!attrs[CAUSAL_A_STATUS_NODE_ID] && !attrs[CAUSAL_A_STATUS_CLOCK]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give node-id or clock");
		return -EINVAL;
	}
	if (attrs[CAUSAL_A_STATUS_NODE_ID])
		WRITE_ONCE(cn->node_id, nla_get_u64(attrs[CAUSAL_A_STATUS_NODE_ID]));
	if (attrs[CAUSAL_A_STATUS_CLOCK])
		WRITE_ONCE(cn->clock, nla_get_u32(attrs[CAUSAL_A_STATUS_CLOCK]));
	return 0;
}

int causal_netlink_init(void)
{
	return genl_register_family(&causal_nl_family);
}

void causal_netlink_exit(void)
{
	genl_unregister_family(&causal_nl_family);
}
