#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile netlink.  selftests/causal_nlfuzz.c sends generated and mutated
# requests (CAUSAL_FUZZ_COUNT, default 20000) to every operation of the
# family from node a, while a's sockets churn, 300 connections stay open
# and other processes dump the sockets of both nodes:
#
#   +-----------------+   veth   +-----------------+
#   | ns a 10.74.0.1  |----------| ns b 10.74.0.2  |
#   | fuzzer, clients |          | server          |
#   +-----------------+          +-----------------+
#
# The module must answer every request and give every rejection a reason,
# and answer correctly afterwards; the suite then checks the kernel log for
# oops, BUG, WARN and lockdep or memory reports.

. "$(dirname "$0")/lib.sh"

FUZZ=$BUILD/selftests/causal_nlfuzz
RR=$BUILD/selftests/causal_rr
COUNT=${CAUSAL_FUZZ_COUNT:-20000}

# forever CMD... - run CMD again and again (a breath apart) in the
# background until the case ends
forever() {
	(while :; do "$@" > /dev/null 2>&1; sleep 0.2; done) &
	defer kill $!
}

stamps_out() {
	stat_of a stamps_out
}

netlink_fuzz() {
	local n out before

	require_command jq
	load_module && attach || fail "attach"
	ns_create a b && veth_pair a b 10.74.0 || fail "topology"
	tmpdir || fail "tmpdir"
	ulimit -n 8192
	ip netns exec "$NS_PREFIX-b" "$RR" server 7400 > /dev/null 2>&1 &
	defer kill $!
	busywait 5000 listening b 7400 || fail "server"
	# dumps of several messages: 300 connections, 600 sockets
	ip netns exec "$NS_PREFIX-a" "$RR" hold 10.74.0.2 7400 300 > "$T/hold" 2>&1 &
	defer kill $!
	busywait 120000 has "$T/hold" ready || fail "connections: $(cat "$T/hold")"
	# sockets come and go while dumps walk them
	forever ip netns exec "$NS_PREFIX-a" "$RR" client 10.74.0.2 7400 4 16 0.2
	for n in a b; do
		forever ip netns exec "$NS_PREFIX-$n" "$CAUSALCTL" -j sockets
	done

	in_ns a "$FUZZ" -n "$COUNT" > "$T/out" 2>&1
	out=$?
	cat "$T/out"
	[ $out = 0 ] || fail "fuzzer: $(tail -n 1 "$T/out")"
	check_eq "every request answered" "$COUNT requests, 0 failures" "$(tail -n 1 "$T/out")"

	# a still answers, and right: settings back, a node id read back, and
	# a connection stamped
	in_ns a "$CAUSALCTL" node set 00000000000000f1 || fail "node set after the fuzz"
	check_eq "node id read back" 00000000000000f1 "$(in_ns a "$CAUSALCTL" node)"
	for n in "node set sockets-max 65536" "node set vector-width 16" \
		 "node set max-jump 281474976710656" "node set max-drift 300000" \
		 "clock set lamport" "scope set thread"; do
		in_ns a "$CAUSALCTL" $n || fail "$n"
	done
	before=$(stamps_out)
	in_ns a "$RR" client 10.74.0.2 7400 1 1 0.5 > /dev/null || fail "client after the fuzz"
	[ "$(stamps_out)" -gt "$before" ] || fail "no stamps sent after the fuzz"
	check_eq "b still answers" "$(in_ns b "$CAUSALCTL" node)" \
		"$(in_ns b "$CAUSALCTL" -j status | jq -r .node_id)"
}

run_test netlink_fuzz netlink_fuzz
exit_tests
