/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAUSALCTL_NL_H
#define _CAUSALCTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

/**
 * struct cnl - a connection to the causal generic netlink family
 * @sk: libnl socket
 * @family: resolved family id
 * @extack: the kernel's extended ACK message for the last error, or ""
 * @dump_intr: the last dump saw NLM_F_DUMP_INTR: it may be inconsistent
 * @attrs: the attributes of the reply being handled, for multi-attrs
 * @attrlen: their length
 */
struct cnl {
	struct nl_sock *sk;
	int family;
	char extack[256];
	bool dump_intr;
	struct nlattr *attrs;
	int attrlen;
};

/* Called for each reply message with its attributes parsed into @tb. */
typedef int (*cnl_reply_fn)(struct nlattr **tb, void *arg);

int cnl_open(struct cnl *nl);
void cnl_close(struct cnl *nl);
struct nl_msg *cnl_msg(struct cnl *nl, uint8_t cmd, int flags);
int cnl_transact(struct cnl *nl, struct nl_msg *msg, int maxattr,
		 cnl_reply_fn fn, void *arg);
void cnl_perror(const struct cnl *nl, const char *what, int err);
int cnl_connect_or_die(struct cnl *nl);

#endif /* _CAUSALCTL_NL_H */
