#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Clocks stamped on UDP: the stamp rides in the surplus area as a UDP option
# (RFC 9868).  Two nodes joined by veth; selftests/udp_tool.py sends, echoes,
# captures what is on the wire and injects hostile surplus areas.
#
#   +------------+  10.73.0.0/24   +------------+
#   | a  (.1)    |-----------------| (.2)     b |
#   +------------+  fd00:10:73:0:: +------------+

. "$(dirname "$0")/lib.sh"

TOOL="/usr/bin/python3 $TOP/selftests/udp_tool.py"
N=10

nodes() {
	ns_create a b || return 1
	veth_pair a b 10.73.0
}

addr_b() {
	[ "$1" = 6 ] && echo fd00:10:73:0::2 || echo 10.73.0.2
}

# udp_sock NODE PORT - the node's UDP socket on PORT, as JSON
udp_sock() {
	in_ns "$1" "$CAUSALCTL" -j sockets --port "$2" |
		jq '[.[] | select(.protocol == "udp")][0]'
}

# N round trips: every datagram stamped, and Lamport clocks that follow the
# exchange exactly (a's send 1, b's receive 2, b's send 3, a's receive 4...).
ping_pong() {
	local fam=$1 a b

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b $TOOL echo 7300 $N --hold 30 > "$T/b" &
	busywait 5000 grep -q listening "$T/b" || fail "echo server"
	in_ns a $TOOL ping "$(addr_b "$fam")" 7300 $N --hold 30 > "$T/a" &
	busywait 20000 grep -q done "$T/a" || fail "no echo"
	in_ns a "$CAUSALCTL" sockets
	a=$(udp_sock a 7300)
	b=$(udp_sock b 7300)
	check_eq "a's clock" $((4 * N)) "$(jq -r .clock <<< "$a")"
	check_eq "b's clock" $((4 * N - 1)) "$(jq -r .clock <<< "$b")"
	check_eq "a's last send" $((4 * N - 3)) "$(jq -r .last_send <<< "$a")"
	check_eq "b's stamp from a" $((4 * N - 3)) "$(jq -r .remote_stamp <<< "$b")"
	check_eq "a's peer" "$(in_ns b "$CAUSALCTL" node)" "$(jq -r .remote_node <<< "$a")"
	check_eq "b's stamps in" $N "$(jq -r .stats.stamps_in <<< "$b")"
	check_eq "b's stamps out" $N "$(jq -r .stats.stamps_out <<< "$b")"
	check_eq "a's unstamped receives" 0 "$(jq -r .stats.unstamped_in <<< "$a")"
	check_eq "protocol" udp "$(jq -r .protocol <<< "$a")"
}

# A receiver outside the attached cgroup gets every byte as sent, while the
# wire carries the stamp in a surplus area with a valid OCS and UDP checksum.
legacy_receiver() {
	local fam=$1

	load_module && attach_cgroup || fail "attach to a cgroup"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b $TOOL recv 7301 $N > "$T/got" 2> "$T/recv.err" &
	local rpid=$!
	in_ns b $TOOL capture veth-a 7301 $N > "$T/wire" 2> "$T/cap.err" &
	local cpid=$!
	busywait 5000 grep -q listening "$T/recv.err" || fail "receiver"
	busywait 5000 grep -q capturing "$T/cap.err" || fail "capture"
	# the sender joins the cgroup before entering its namespace
	sh -c "echo \$\$ > $CG/cgroup.procs && exec ip netns exec $NS_PREFIX-a $TOOL send $(addr_b "$fam") 7301 $N 42" \
		> "$T/sent" || fail "sender"
	wait $rpid || fail "receiver lost datagrams"
	wait $cpid || { cat "$T/wire"; fail "bad checksum on the wire"; }
	check "every payload byte for byte" cmp "$T/sent" "$T/got"
	cat "$T/wire" | head -3
	check_eq "datagrams with a surplus area" $N "$(grep -c "ocs ok" "$T/wire")"
	check_eq "b tracks nothing" 0 "$(in_ns b "$CAUSALCTL" -j status | jq .stats.sockets)"
	check_eq "a's stamps out" $N "$(in_ns a "$CAUSALCTL" -j status | jq .stats.stamps_out)"
}

# Hostile surplus areas: each is counted by kind, the data always delivered.
hostile_trailers() {
	local s n_ours n_foreign n_bad total

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns a $TOOL inject 10.73.0.1 10.73.0.2 7302 > "$T/cases" || fail "inject"
	total=$(wc -l < "$T/cases")
	in_ns b $TOOL recv 7302 "$total" --hold 30 > "$T/got" 2> "$T/recv.err" &
	busywait 5000 grep -q listening "$T/recv.err" || fail "receiver"
	in_ns a $TOOL inject 10.73.0.1 10.73.0.2 7302 > /dev/null || fail "inject"
	busywait 10000 lines_are "$T/got" "$total" || fail "receiver lost datagrams"
	cut -d' ' -f2 "$T/cases" > "$T/want"
	check "every payload intact" cmp "$T/want" "$T/got"
	n_ours=$(grep -c '^ours' "$T/cases")
	n_foreign=$(grep -c '^foreign' "$T/cases")
	n_bad=$(grep -c '^malformed' "$T/cases")
	s=$(in_ns b "$CAUSALCTL" -j status)
	# the cases were sent twice, the first time to a closed port; stamps
	# count when a socket takes them
	check_eq "stamps in" "$n_ours" "$(jq .stats.stamps_in <<< "$s")"
	check_eq "foreign" $((2 * n_foreign)) "$(jq .stats.foreign_in <<< "$s")"
	check_eq "malformed" $((2 * n_bad)) "$(jq .stats.malformed_in <<< "$s")"
	check_eq "unstamped receives" $((total - n_ours)) "$(jq .stats.unstamped_in <<< "$s")"
	# the valid stamp (1000) was merged
	local c
	c=$(udp_sock b 7302 | jq -r .clock)
	[ "$c" -gt 1000 ] 2> /dev/null || fail "stamp 1000 not merged: clock $c"
}

for fam in 4 6; do
	run_test "udp_ping_pong_ipv$fam" ping_pong $fam
	run_test "udp_legacy_receiver_ipv$fam" legacy_receiver $fam
done
run_test udp_hostile_trailers_counted hostile_trailers
exit_tests
