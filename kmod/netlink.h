/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSAL_NETLINK_H
#define _CAUSAL_NETLINK_H

int causal_netlink_init(void);
void causal_netlink_exit(void);

#endif /* _CAUSAL_NETLINK_H */
