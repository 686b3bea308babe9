/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parts of causal's BPF side, attached alone for benchmarks (make bench's
 * ablations), so that each percent of its cost can be put on a part.
 * causalctl attach sets one in the programs' read-only data when
 * $CAUSAL_ABLATE names it; an ablated attachment keeps no true clock.
 *
 *  CAUSAL_ABLATE_OPTION  causal_sockops alone, writing one constant
 *                        option on every segment with payload: what the
 *                        option costs TCP (room, writing, the bytes on the
 *                        wire, the peer skipping it), with nothing else.
 *  CAUSAL_ABLATE_HOOKS   every program, but no option reserved, written
 *                        or parsed: what the send, receive and socket
 *                        hooks and the module's clocks cost.
 *  CAUSAL_ABLATE_EMPTY   every program, the UDP ones returning at once:
 *                        what the points UDP is hooked at cost by
 *                        themselves (trampolines, programs that do
 *                        nothing), the floor of causal's UDP with those
 *                        hooks.
 *  CAUSAL_ABLATE_WIRE    every program, the UDP ones calling the module's
 *                        wire-only kfuncs (causal_udp_send_wire(),
 *                        causal_udp_recv_wire()): the calls admitted and a
 *                        constant stamp appended, checked and taken, but
 *                        no state, clock, event or counter: what carrying a
 *                        stamp costs UDP by itself.
 */
#ifndef _CAUSAL_ABLATE_H
#define _CAUSAL_ABLATE_H

enum causal_ablate {
	CAUSAL_ABLATE_NONE,
	CAUSAL_ABLATE_OPTION,
	CAUSAL_ABLATE_HOOKS,
	CAUSAL_ABLATE_EMPTY,
	CAUSAL_ABLATE_WIRE,
};

#endif /* _CAUSAL_ABLATE_H */
