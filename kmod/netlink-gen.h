/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/causal.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_CAUSAL_GEN_H
#define _LINUX_CAUSAL_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/causal.h>

int causal_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info);
int causal_nl_node_set_doit(struct sk_buff *skb, struct genl_info *info);
int causal_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info);
int causal_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int causal_nl_compare_doit(struct sk_buff *skb, struct genl_info *info);
int causal_nl_probes_flush_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	CAUSAL_NLGRP_EVENTS,
};

extern struct genl_family causal_nl_family;

#endif /* _LINUX_CAUSAL_GEN_H */
