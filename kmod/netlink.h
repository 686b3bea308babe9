/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_NETLINK_H
#define _CAUSAL_NETLINK_H

#include <linux/skbuff.h>
#include <causal/vclock.h>

int causal_nl_put_vec(struct sk_buff *skb, int attr, int lossy_attr,
		      const struct causal_vec *v);
int causal_netlink_init(void);
void causal_netlink_exit(void);

#endif /* _CAUSAL_NETLINK_H */
