#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Vector clocks.  The oracle (selftests/causal_oracle): nodes that are
# namespaces on one bridge (selftests/star.sh) run a random workload over
# TCP, UDP or both that logs its own happened-before relation and causal's
# vector clock after every operation; every pair of operations is checked.
# Then the loss paths on purpose (width, option space), and compare and the
# socket listing on a relay chain.
#
# CAUSAL_SEED=N replays a run (the seed is printed in every case).

. "$(dirname "$0")/lib.sh"
# one attachment for every case (lib.sh: attach)
SHARE_ATTACH=1
. "$(dirname "$0")/star.sh"

PEER=$BUILD/selftests/causal_peer
SEED=${CAUSAL_SEED:-$(( ($(date +%s) ^ $$) % 100000 + 1 ))}

# oracle FAMILY SCOPE WIDTH NODES THREADS MSGS MIN_EXACT_PERCENT [tcp|udp|mixed]
oracle() {
	local rc

	load_module && attach || fail "attach"
	tmpdir || fail "tmpdir"
	oracle_run "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-tcp}" "$SEED" > "$T/verdict"
	rc=$?
	ORACLE_OUT=$(cat "$T/verdict")
	log "$ORACLE_OUT"
	[ $rc = 0 ] || fail "the oracle disagrees, or its workload failed (seed $SEED)"
}

# oracle_case ...: the oracle as above.  compare, which knows whose events
# it compares, answers at least what the vectors alone prove; and more once
# some participant has two lossy operations (the first before the second,
# which the vectors alone never say of a lossy clock): certainly when there
# are more lossy operations than four per thread.
oracle_case() {
	local lossy inc drops ops own alone

	oracle "$@"
	read -r lossy inc drops < <(stat_sum "$4" lossy_in vector_incomplete_out \
				    vector_width_drops)
	log "lossy receives $lossy, incomplete sends $inc, entries over width $drops"
	[[ $(grep ' operations ' <<< "$ORACLE_OUT") =~ \(([0-9]+)\ lossy\).*:\ ([0-9]+)\ exact ]] ||
		fail "no verdict"
	ops=${BASH_REMATCH[1]} own=${BASH_REMATCH[2]}
	[[ $ORACLE_OUT =~ alone:\ ([0-9]+)\ exact ]] || fail "no verdict by the vectors alone"
	alone=${BASH_REMATCH[1]}
	[ "$own" -ge "$alone" ] ||
		fail "compare proved less than the vectors alone ($own, $alone exact)"
	[ "$ops" -le $((4 * $4 * $5)) ] || [ "$own" -gt "$alone" ] ||
		fail "$ops lossy operations, and compare proved no more than the vectors alone"
}

# Two entries cannot hold four nodes of two threads: entries are dropped,
# clocks turn lossy, and nothing false is said.
width_overflow() {
	oracle 4 thread 2 4 2 8 0
	local drops
	drops=$(stat_sum 4 vector_width_drops)
	log "entries over width: $drops"
	[ "$drops" -gt 0 ] || fail "no entry dropped at width 2"
	[[ $ORACLE_OUT =~ \(([0-9]+)\ lossy\) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] ||
		fail "no lossy clock at width 2"
}

# Six nodes' threads: their clocks outgrow the room they start with (4
# entries) and grow, under the width: no entry is dropped.
room_growth() {
	oracle 4 thread 16 6 1 10 0 udp
	local drops
	drops=$(stat_sum 6 vector_width_drops)
	log "entries over width: $drops"
	check_eq "entries dropped under the width" 0 "$drops"
	[[ $ORACLE_OUT =~ \(([0-9]+)\ lossy\) ]] || fail "no verdict"
}

# Six nodes of two threads: stamps need more entries than an option
# holds; they are sent incomplete, and nothing false is said.
option_space_overflow() {
	oracle 4 thread 64 6 2 5 0
	local inc lossy
	read -r inc lossy < <(stat_sum 6 vector_incomplete_out lossy_in)
	log "incomplete sends: $inc, lossy receives: $lossy"
	[ "$inc" -gt 0 ] || fail "no incomplete stamp"
}

# a -> b (relay) -> c: what b's two sockets prove of each other, and a's
# socket of b's downstream one (args: scope, b's answer, entries, a's answer)
compare_relay() {
	local scope=$1 want=$2 up down got j

	load_module && attach || fail "attach"
	star 3 || fail "topology"
	vector_nodes 3 "$scope" 16 || fail "vector clocks"
	tmpdir || fail "tmpdir"
	CAUSAL_PEER_HOLD=600 in_ns o2 "$PEER" server 7001 bc 3 > "$T/c" &
	CAUSAL_PEER_HOLD=600 in_ns o1 "$PEER" server 7000 ab 3 10.77.0.3 7001 bc > "$T/b" &
	CAUSAL_PEER_HOLD=600 in_ns o0 "$PEER" client 10.77.0.2 7000 ab 3 > "$T/a" &
	busywait 20000 lines_are "$T/a" 6 || fail "no exchange"
	in_ns o1 "$CAUSALCTL" sockets
	up=$(in_ns o1 "$CAUSALCTL" -j sockets --port 7000 | jq -r '.[0].cookie')
	down=$(in_ns o1 "$CAUSALCTL" -j sockets --port 7001 | jq -r '.[0].cookie')
	got=$(in_ns o1 "$CAUSALCTL" -j compare "$up" "$down" | jq -r .order)
	check_eq "upstream vs downstream ($scope scope)" "$want" "$got"
	check_eq "a socket against itself" equal \
		"$(in_ns o1 "$CAUSALCTL" -j compare "$up" "$up" | jq -r .order)"
	j=$(in_ns o1 "$CAUSALCTL" -j sockets --port 7000 | jq '.[0]')
	check_eq "vector exact" false "$(jq -r .vector_lossy <<< "$j")"
	# thread scope: a's and b's threads (and c's, through the reply);
	# socket scope: a's socket and b's upstream one
	check_eq "vector entries" "$3" "$(jq -r '.vector | length' <<< "$j")"
	# the entry of the latest event's participant (socket or thread) is
	# the socket's clock
	check_eq "own entry is the clock" "$(jq -r .clock <<< "$j")" \
		"$(jq -r '.vector_id as $id | [.vector[] | select("00" + .id == $id)][0].count' \
			<<< "$j")"
	# across nodes, from sockets saved as JSON: a's socket read the last
	# reply after b's downstream socket read it from c
	in_ns o0 "$CAUSALCTL" -j sockets --port 7000 | jq '.[0]' > "$T/a.json"
	in_ns o1 "$CAUSALCTL" -j sockets --port 7001 > "$T/down.json"
	got=$("$CAUSALCTL" -j compare "@$T/a.json" "@$T/down.json" | jq -r .order)
	check_eq "a's socket vs b's downstream, saved ($scope scope)" "$4" "$got"
	got=$(in_ns o1 "$CAUSALCTL" -j compare "$up" "@$T/down.json" | jq -r .order)
	check_eq "a cookie against a saved socket" "$want" "$got"
	if in_ns o1 "$CAUSALCTL" compare "$up" 12345 2> "$T/err"; then
		fail "compare with an unknown socket succeeded"
	fi
	check "unknown socket named" grep -q "no socket with this cookie" "$T/err"
}

compare_needs_vectors() {
	load_module && attach || fail "attach"
	star 2 || fail "topology"
	tmpdir || fail "tmpdir"
	CAUSAL_PEER_HOLD=600 in_ns o1 "$PEER" server 7000 ab 3 > "$T/b" &
	CAUSAL_PEER_HOLD=600 in_ns o0 "$PEER" client 10.77.0.2 7000 ab 3 > "$T/a" &
	busywait 20000 lines_are "$T/a" 6 || fail "no exchange"
	local c
	c=$(in_ns o0 "$CAUSALCTL" -j sockets | jq -r '.[0].cookie')
	if in_ns o0 "$CAUSALCTL" compare "$c" "$c" 2> "$T/err"; then
		fail "compare of Lamport clocks succeeded"
	fi
	check "error says why" grep -q "no vector clock" "$T/err"
	check_eq "width out of range" 2 \
		"$(in_ns o0 "$CAUSALCTL" node set vector-width 65 2> /dev/null; echo $?)"
}

# A receiver whose history folded away the stamp that named an index meets
# the index later by itself: its answer asks (vector-asks), the sender tells
# all again (vector-retells), and the receiver's clock gets the entry it
# could not read before (selftests/ask_peer.py).
lost_naming_asked_again() {
	local ask="/usr/bin/python3 $TOP/selftests/ask_peer.py" cid want got

	load_module && attach || fail "attach"
	star 3 || fail "topology"
	vector_nodes 3 thread 16 || fail "vector clocks"
	tmpdir || fail "tmpdir"
	in_ns o2 $ask c 7001 > "$T/c" &
	in_ns o1 $ask b 7000 "$T" > "$T/b" &
	in_ns o0 $ask a 10.77.0.2 7000 10.77.0.3 7001 "$T" > "$T/a" &
	busywait 60000 lines_are "$T/b" 1 || fail "no exchange"
	busywait 60000 lines_are "$T/a" 1 || fail "a did not finish"
	check_eq "b asked" 1 "$(stat_of o1 vector_asks)"
	check_eq "a told all again" 1 "$(stat_of o0 vector_retells)"
	# c's thread, as c's socket names its last event's participant
	cid=$(in_ns o2 "$CAUSALCTL" -j sockets --port 7001 | jq -r '.[0].vector_id[2:]')
	want=$(in_ns o0 "$CAUSALCTL" -j sockets --port 7000 |
	       jq -r --arg id "$cid" '[.[0].vector[] | select(.id == $id)][0].count')
	got=$(in_ns o1 "$CAUSALCTL" -j sockets --port 7000 |
	      jq -r --arg id "$cid" '[.[0].vector[] | select(.id == $id)][0].count')
	log "c's participant $cid: $want at a, $got at b"
	[ "$want" != null ] && [ "$want" -ge 2 ] || fail "a has no entry of c: $want"
	check_eq "b's entry of c, told again" "$want" "$got"
}

log "seed $SEED"
# Two participants: every stamp fits the option; all answers exact.
run_test oracle_tcp_ipv4_two_nodes oracle_case 4 thread 16 2 1 20 95
# Socket scope: stamps carry one or two entries; all answers exact.
run_test oracle_tcp_ipv6_socket_scope oracle_case 6 socket 16 3 2 10 95
# Thread scope: threads carry what they learn on one connection to the
# others, and stamps overflow the option, so clocks turn lossy; nothing false
# may be said.  Two nodes of two threads leave enough exact answers to catch
# an entry that a stamp should have carried and did not.
run_test oracle_tcp_ipv4_thread_scope oracle_case 4 thread 16 2 2 15 1
# UDP: datagrams carry whole vectors (up to 22 entries): seven nodes of two
# threads, 14 participants, stay exact; mixed traffic.
run_test oracle_udp_ipv4_thread_scope oracle_case 4 thread 16 7 2 5 95 udp
run_test oracle_udp_ipv6_socket_scope oracle_case 6 socket 16 3 2 10 95 udp
run_test oracle_mixed_ipv4_socket_scope oracle_case 4 socket 16 3 2 10 95 mixed
run_test oracle_mixed_ipv6_thread_scope oracle_case 6 thread 16 3 2 10 1 mixed
run_test oracle_width_overflow width_overflow
run_test oracle_option_space_overflow option_space_overflow
run_test oracle_room_growth room_growth
run_test compare_relay_thread_scope compare_relay thread after 3 after
run_test compare_relay_socket_scope compare_relay socket concurrent 2 concurrent
run_test compare_needs_vector_clocks compare_needs_vectors
run_test lost_naming_asked_again lost_naming_asked_again
exit_tests
