/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * tcp_walk.h - the walk over a TCP segment's options that finds causal's,
 * one definition for the module (where sock_ops calls it: Linux 6.8+) and
 * for the sock_ops program (where it cannot: Linux 6.1).
 *
 * The program keeps the walk's variables in map memory (the connection's
 * record) and defines CAUSAL_WALK() to load them afresh at each use, so
 * that the verifier knows nothing of their values and checks the loop once
 * instead of once per way through it; the module keeps them on its stack.
 */
#ifndef _CAUSAL_TCP_WALK_H
#define _CAUSAL_TCP_WALK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include <uapi/linux/causal_wire.h>

/* The options of a TCP header: at most 40 bytes. */
#define CAUSAL_TCP_MAX_OPTS	40

/**
 * struct causal_tcp_opts - a segment's options, read into 64 bytes (what
 *	sock_ops hands the module: causal_tcp_ops_parse())
 * @b: the options from their start; the walk reads them masked to 64 bytes
 */
struct causal_tcp_opts {
	__u8 b[64];
};

/**
 * struct causal_walk - where the walk is, and what it found
 * @w_off: offset of the next option
 * @w_found: causal's options seen
 * @w_bad: malformed ones, and a second causal option
 * @w_foreign: kind 253 options of other experiments
 * @w_ours: offset of causal's option, valid when @w_len is not 0
 * @w_len: its length, 0 for none
 */
struct causal_walk {
	__u8 w_off, w_found, w_bad, w_foreign, w_ours, w_len;
};

#ifndef CAUSAL_WALK
#define CAUSAL_WALK(w, field) ((w)->w_##field)
#endif

/**
 * causal_walk_opts() - find causal's option among a segment's options
 * @w: the walk's state, out
 * @buf: the options, read into a 64-byte buffer
 * @optlen: how many of its bytes are options (at most 40)
 *
 * Counts malformed options, options running past the header and a second
 * causal option in @w->w_bad, other experiments' in @w->w_foreign.
 */
static __always_inline void causal_walk_opts(struct causal_walk *w, const __u8 *buf,
					     __u32 optlen)
{
	__u32 i, off;
	__u8 kind, l;

	CAUSAL_WALK(w, off) = 0;
	CAUSAL_WALK(w, found) = 0;
	CAUSAL_WALK(w, bad) = 0;
	CAUSAL_WALK(w, foreign) = 0;
	CAUSAL_WALK(w, len) = 0;
	for (i = 0; i < CAUSAL_TCP_MAX_OPTS; i++) {
		off = CAUSAL_WALK(w, off);
		if (off >= optlen)
			break;
		kind = buf[off & 63];
		if (kind == 0)
			break;
		if (kind == 1) {
			CAUSAL_WALK(w, off) = off + 1;
			continue;
		}
		l = off + 1 < optlen ? buf[(off + 1) & 63] : 0;
		if (l < 2 || off + l > optlen) {
			/* runs past the header: the rest cannot be read */
			if (kind == CAUSAL_TCPOPT_KIND)
				CAUSAL_WALK(w, bad)++;
			break;
		}
		if (kind == CAUSAL_TCPOPT_KIND) {
			if (l < 4) {
				CAUSAL_WALK(w, bad)++;
			} else if ((buf[(off + 2) & 63] << 8 | buf[(off + 3) & 63]) !=
				   CAUSAL_TCPOPT_EXID) {
				CAUSAL_WALK(w, foreign)++;
			} else if (CAUSAL_WALK(w, found)++) {
				CAUSAL_WALK(w, bad)++;		/* a second one */
			} else if (l <= CAUSAL_TCPOPT_HDR ||
				   l > CAUSAL_TCPOPT_HDR + CAUSAL_PAY_MAX) {
				CAUSAL_WALK(w, bad)++;
			} else {
				CAUSAL_WALK(w, ours) = off;
				CAUSAL_WALK(w, len) = l;
			}
		}
		CAUSAL_WALK(w, off) = off + l;
	}
}

#endif /* _CAUSAL_TCP_WALK_H */
