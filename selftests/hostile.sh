#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile packets in bulk.  selftests/causal_inject.c sends TCP segments and
# UDP datagrams whose stamps are valid, forged, malformed (bad lengths and
# checksums, unknown versions, truncated, oversized, duplicated), foreign or
# random, each kind drawn at random (CAUSAL_SEED), and says what the
# receiving node must have counted; the node's counters must say the same.
#
#   +------------------+  10.76.0.0/24   +-------------------+
#   | a (.1)           |-----------------| (.2)            b |
#   | causal_inject    |  fd00:10:76:0:: | sink, counters    |
#   +------------------+                 +-------------------+
#
# CAUSAL_HOSTILE_COUNT packets of each protocol (default 25000); the suite
# then checks the kernel log for oops, BUG and WARN.

. "$(dirname "$0")/lib.sh"

INJECT=$BUILD/selftests/causal_inject
PEER=$BUILD/selftests/causal_peer
COUNT=${CAUSAL_HOSTILE_COUNT:-25000}
SEED=${CAUSAL_SEED:-$RANDOM}

nodes() {
	load_module && attach || return 1
	ns_create a b && veth_pair a b 10.76.0
}

# counted BEFORE_FILE OUT_FILE - for each "expect STAT MIN MAX" line of
# causal_inject's output, "STAT MIN MAX GROWTH": how much b's counter grew
# since BEFORE
counted() {
	in_ns b "$CAUSALCTL" -j status > "$T/now" || return 1
	jq -r -n --slurpfile a "$1" --slurpfile b "$T/now" --rawfile e "$2" '
		$e | split("\n")[] | select(startswith("expect ")) | split(" ") as $f |
		"\($f[1]) \($f[2]) \($f[3]) \($b[0].stats[$f[1]] - $a[0].stats[$f[1]])"'
}

# counters_match BEFORE_FILE OUT_FILE - every expectation holds
counters_match() {
	counted "$1" "$2" > "$T/counted"
	awk '$4 < $2 || $4 > $3 { bad = 1 } END { exit bad }' "$T/counted"
}

# show_counters - what was expected and what was counted, last time
show_counters() {
	awk '{ printf "# %s: expected %s..%s, counted %s\n", $1, $2, $3, $4 }' "$T/counted"
}

# What a node still does right after a storm: a connection of its own,
# stamped and merged, and a node id read back.
still_right() {
	local before

	before=$(stat_of a stamps_in)
	in_ns b "$PEER" server 7602 ab 3 > "$T/server" 2>&1 &
	busywait 5000 listening b 7602 || { echo "server: $(cat "$T/server")"; return 1; }
	in_ns a "$PEER" client 10.76.0.2 7602 ab 3 > "$T/client" 2>&1 ||
		{ echo "client: $(cat "$T/client"); server: $(cat "$T/server")"; return 1; }
	[ "$(stat_of a stamps_in)" -gt "$before" ] ||
		{ echo "a's stamps_in stays at $before"; return 1; }
	[ "$(in_ns b "$CAUSALCTL" node)" = "$(in_ns b "$CAUSALCTL" -j status | jq -r .node_id)" ] ||
		{ echo "b's node id differs between node and status"; return 1; }
}

tcp_segments_counted_by_kind() {
	local mac

	require_command jq
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	# causal_inject poses as 10.76.0.9, which a does not own
	mac=$(in_ns a cat /sys/class/net/veth-b/address)
	in_ns b ip neigh replace 10.76.0.9 lladdr "$mac" dev veth-a nud permanent || fail "neighbour"
	in_ns b "$PEER" sink 7601 > /dev/null &
	busywait 10000 listening b 7601 || fail "sink"
	in_ns b "$CAUSALCTL" -j status > "$T/before"
	in_ns a "$INJECT" tcp-storm veth-b 10.76.0.9 10.76.0.2 \
		"$(in_ns b cat /sys/class/net/veth-a/address)" 7601 "$COUNT" "$SEED" > "$T/out" 2>&1
	local rc=$?
	sed 's/^/# /' "$T/out"
	[ $rc = 0 ] || fail "causal_inject: $(tail -n 1 "$T/out")"
	# the sink's reads move the last counts to the node
	busywait 10000 counters_match "$T/before" "$T/out" || {
		show_counters
		fail "b's counters differ from what was sent"
	}
	show_counters
	still_right || fail "b is not right after the storm"
}

udp_datagrams_counted_by_kind() {
	require_command jq
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b "$CAUSALCTL" -j status > "$T/before"
	in_ns b "$INJECT" udp-storm "$NS_PREFIX-a" 7603 "$COUNT" "$SEED" \
		10.76.0.1 10.76.0.2 fd00:10:76:0::1 fd00:10:76:0::2 > "$T/out" 2>&1
	local rc=$?
	sed 's/^/# /' "$T/out"
	[ $rc = 0 ] || fail "causal_inject: $(tail -n 1 "$T/out")"
	counters_match "$T/before" "$T/out" || {
		show_counters
		fail "b's counters differ from what was sent"
	}
	show_counters
	still_right || fail "b is not right after the storm"
}

log "seed $SEED, $COUNT packets of each protocol"
run_test "tcp_segments_counted_by_kind ($COUNT)" tcp_segments_counted_by_kind
run_test "udp_datagrams_counted_by_kind ($COUNT)" udp_datagrams_counted_by_kind
exit_tests
