/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of a node's clock and scope, as the netlink spec
 * (Documentation/netlink/specs/causal.yaml) gives its enums: shared by the
 * module's debug messages and causalctl.
 */
#ifndef _CAUSAL_NAMES_H
#define _CAUSAL_NAMES_H

#include <uapi/linux/causal.h>

static const char *const causal_clock_names[] = {
	[CAUSAL_CLOCK_LAMPORT] = "lamport",
	[CAUSAL_CLOCK_HLC] = "hlc",
	[CAUSAL_CLOCK_VECTOR] = "vector",
};

static const char *const causal_scope_names[] = {
	[CAUSAL_SCOPE_SOCKET] = "socket",
	[CAUSAL_SCOPE_THREAD] = "thread",
	[CAUSAL_SCOPE_PROCESS] = "process",
};

#endif /* _CAUSAL_NAMES_H */
