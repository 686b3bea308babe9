/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/causal.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_CAUSAL_H
#define _UAPI_LINUX_CAUSAL_H

#define CAUSAL_FAMILY_NAME	"causal"
#define CAUSAL_FAMILY_VERSION	1

/**
 * enum causal_clock - Clock algorithm of a node.
 * @CAUSAL_CLOCK_LAMPORT: Lamport clock, a 64-bit counter.
 * @CAUSAL_CLOCK_HLC: Hybrid logical clock: 48 bits of wall time (seconds since
 *   the Unix epoch in 32.16 fixed point) above a 16-bit logical counter.
 * @CAUSAL_CLOCK_VECTOR: Vector clock: an event count per participant (socket,
 *   thread or process, as the scope says), at most vector-width entries. Tells
 *   "happened before" from "concurrent".
 */
enum causal_clock {
	CAUSAL_CLOCK_LAMPORT = 1,
	CAUSAL_CLOCK_HLC,
	CAUSAL_CLOCK_VECTOR,
};

/**
 * enum causal_order - What two clocks prove of the order of their events.
 * @CAUSAL_ORDER_UNKNOWN: Nothing provable: a clock is not a vector, or lost
 *   entries that the answer depends on.
 * @CAUSAL_ORDER_BEFORE: The first happened before the second.
 * @CAUSAL_ORDER_AFTER: The second happened before the first.
 * @CAUSAL_ORDER_CONCURRENT: Neither happened before the other.
 * @CAUSAL_ORDER_EQUAL: The same point in the causal order.
 */
enum causal_order {
	CAUSAL_ORDER_UNKNOWN,
	CAUSAL_ORDER_BEFORE,
	CAUSAL_ORDER_AFTER,
	CAUSAL_ORDER_CONCURRENT,
	CAUSAL_ORDER_EQUAL,
};

/**
 * enum causal_event_type - What an event of the events group is.
 * @CAUSAL_EVENT_TYPE_CONNECT: A TCP connect started; the SYN is on its way.
 * @CAUSAL_EVENT_TYPE_ACCEPT: A TCP connection was accepted.
 * @CAUSAL_EVENT_TYPE_SEND: An application handed bytes to a socket.
 * @CAUSAL_EVENT_TYPE_RECV: An application took bytes out of a socket.
 * @CAUSAL_EVENT_TYPE_CLOSE: An application closed a socket.
 * @CAUSAL_EVENT_TYPE_PROBE: An operator's probe point was hit.
 */
enum causal_event_type {
	CAUSAL_EVENT_TYPE_CONNECT = 1,
	CAUSAL_EVENT_TYPE_ACCEPT,
	CAUSAL_EVENT_TYPE_SEND,
	CAUSAL_EVENT_TYPE_RECV,
	CAUSAL_EVENT_TYPE_CLOSE,
	CAUSAL_EVENT_TYPE_PROBE,
};

/**
 * enum causal_scope - What an event's clock flows through besides its socket.
 * @CAUSAL_SCOPE_SOCKET: Each socket's clock stands alone.
 * @CAUSAL_SCOPE_THREAD: A receive also raises the clock of the thread that
 *   received; a send starts from the larger of the socket's and the thread's
 *   clock.
 * @CAUSAL_SCOPE_PROCESS: As thread, with one clock shared by all threads of a
 *   process.
 */
enum causal_scope {
	CAUSAL_SCOPE_SOCKET = 1,
	CAUSAL_SCOPE_THREAD,
	CAUSAL_SCOPE_PROCESS,
};

enum {
	CAUSAL_A_STATUS_VERSION = 1,
	CAUSAL_A_STATUS_NODE_ID,
	CAUSAL_A_STATUS_CLOCK,
	CAUSAL_A_STATUS_STATS,
	CAUSAL_A_STATUS_PAD,
	CAUSAL_A_STATUS_SCOPE,
	CAUSAL_A_STATUS_SOCKETS_MAX,
	CAUSAL_A_STATUS_VECTOR_WIDTH,

	__CAUSAL_A_STATUS_MAX,
	CAUSAL_A_STATUS_MAX = (__CAUSAL_A_STATUS_MAX - 1)
};

enum {
	CAUSAL_A_STATS_SOCKETS = 1,
	CAUSAL_A_STATS_SOCKETS_UNTRACKED,
	CAUSAL_A_STATS_STAMPS_OUT,
	CAUSAL_A_STATS_STAMPS_IN,
	CAUSAL_A_STATS_UNSTAMPED_IN,
	CAUSAL_A_STATS_MALFORMED_IN,
	CAUSAL_A_STATS_PAD,
	CAUSAL_A_STATS_NOSPACE_OUT,
	CAUSAL_A_STATS_INEXACT_IN,
	CAUSAL_A_STATS_SENDS,
	CAUSAL_A_STATS_RECEIVES,
	CAUSAL_A_STATS_FOREIGN_IN,
	CAUSAL_A_STATS_VECTOR_INCOMPLETE_OUT,
	CAUSAL_A_STATS_VECTOR_WIDTH_DROPS,
	CAUSAL_A_STATS_LOSSY_IN,
	CAUSAL_A_STATS_EVENTS_DROPPED,

	__CAUSAL_A_STATS_MAX,
	CAUSAL_A_STATS_MAX = (__CAUSAL_A_STATS_MAX - 1)
};

enum {
	CAUSAL_A_SOCK_COOKIE = 1,
	CAUSAL_A_SOCK_FAMILY,
	CAUSAL_A_SOCK_ADDR_LOCAL,
	CAUSAL_A_SOCK_ADDR_REMOTE,
	CAUSAL_A_SOCK_PORT_LOCAL,
	CAUSAL_A_SOCK_PORT_REMOTE,
	CAUSAL_A_SOCK_TCP_STATE,
	CAUSAL_A_SOCK_PID,
	CAUSAL_A_SOCK_COMM,
	CAUSAL_A_SOCK_CLOCK,
	CAUSAL_A_SOCK_LAST_SEND,
	CAUSAL_A_SOCK_LAST_RECV,
	CAUSAL_A_SOCK_REMOTE_NODE,
	CAUSAL_A_SOCK_REMOTE_STAMP,
	CAUSAL_A_SOCK_STATS,
	CAUSAL_A_SOCK_PAD,
	CAUSAL_A_SOCK_VECTOR,
	CAUSAL_A_SOCK_VECTOR_LOSSY,
	CAUSAL_A_SOCK_VECTOR_ID,
	CAUSAL_A_SOCK_PROTOCOL,

	__CAUSAL_A_SOCK_MAX,
	CAUSAL_A_SOCK_MAX = (__CAUSAL_A_SOCK_MAX - 1)
};

enum {
	CAUSAL_A_VENT_ID = 1,
	CAUSAL_A_VENT_COUNT,
	CAUSAL_A_VENT_PAD,

	__CAUSAL_A_VENT_MAX,
	CAUSAL_A_VENT_MAX = (__CAUSAL_A_VENT_MAX - 1)
};

enum {
	CAUSAL_A_EVENT_NODE_ID = 1,
	CAUSAL_A_EVENT_ID,
	CAUSAL_A_EVENT_TYPE,
	CAUSAL_A_EVENT_TIME,
	CAUSAL_A_EVENT_PID,
	CAUSAL_A_EVENT_TID,
	CAUSAL_A_EVENT_COMM,
	CAUSAL_A_EVENT_CGROUP,
	CAUSAL_A_EVENT_PROTOCOL,
	CAUSAL_A_EVENT_FAMILY,
	CAUSAL_A_EVENT_ADDR_LOCAL,
	CAUSAL_A_EVENT_ADDR_REMOTE,
	CAUSAL_A_EVENT_PORT_LOCAL,
	CAUSAL_A_EVENT_PORT_REMOTE,
	CAUSAL_A_EVENT_COOKIE,
	CAUSAL_A_EVENT_BYTES,
	CAUSAL_A_EVENT_SEQ,
	CAUSAL_A_EVENT_CLOCK,
	CAUSAL_A_EVENT_VECTOR,
	CAUSAL_A_EVENT_VECTOR_LOSSY,
	CAUSAL_A_EVENT_VECTOR_ID,
	CAUSAL_A_EVENT_FROM,
	CAUSAL_A_EVENT_UNSTAMPED,
	CAUSAL_A_EVENT_INEXACT,
	CAUSAL_A_EVENT_TASK_START,
	CAUSAL_A_EVENT_PROBE_ID,
	CAUSAL_A_EVENT_PAD,

	__CAUSAL_A_EVENT_MAX,
	CAUSAL_A_EVENT_MAX = (__CAUSAL_A_EVENT_MAX - 1)
};

enum {
	CAUSAL_A_KEY_NODE_ID = 1,
	CAUSAL_A_KEY_ID32,
	CAUSAL_A_KEY_PARTICIPANT,
	CAUSAL_A_KEY_COUNT,
	CAUSAL_A_KEY_PAD,

	__CAUSAL_A_KEY_MAX,
	CAUSAL_A_KEY_MAX = (__CAUSAL_A_KEY_MAX - 1)
};

enum {
	CAUSAL_A_COMPARE_COOKIE_A = 1,
	CAUSAL_A_COMPARE_COOKIE_B,
	CAUSAL_A_COMPARE_ORDER,
	CAUSAL_A_COMPARE_PAD,

	__CAUSAL_A_COMPARE_MAX,
	CAUSAL_A_COMPARE_MAX = (__CAUSAL_A_COMPARE_MAX - 1)
};

enum {
	CAUSAL_CMD_STATUS_GET = 1,
	CAUSAL_CMD_NODE_SET,
	CAUSAL_CMD_SOCK_GET,
	CAUSAL_CMD_COMPARE,
	CAUSAL_CMD_EVENT,

	__CAUSAL_CMD_MAX,
	CAUSAL_CMD_MAX = (__CAUSAL_CMD_MAX - 1)
};

#define CAUSAL_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_CAUSAL_H */
