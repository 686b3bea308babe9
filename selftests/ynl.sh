#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The spec is the contract: the kernel's own generic netlink client
# (tools/net/ynl/cli.py from linux-source), given nothing but
# Documentation/netlink/specs/causal.yaml (checked against the kernel's
# genetlink schema), drives the family, and what it decodes must be what
# causalctl, written against the generated uAPI header, says.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/star.sh"

KSRC=$BUILD/src/linux-source-$("$TOP/scripts/ksrc.sh" --newest)
SPEC=$TOP/Documentation/netlink/specs/causal.yaml
PEER=$BUILD/selftests/causal_peer

# The kernel's ynl CLI on causal's spec, JSON out.  Validating the spec
# against the schema takes seconds under emulation: the first case does it.
# the kernel's CLI, its spec read by PyYAML's C loader (selftests/ynl_cli.py)
YNL=(/usr/bin/python3 "$TOP/selftests/ynl_cli.py" "$KSRC/tools/net/ynl/cli.py" --spec "$SPEC"
     --output-json)
SCHEMA=(--schema "$KSRC/Documentation/netlink/genetlink.yaml")

# ynl ARGS... - YNL without validating the spec; ynl_in NODE ARGS... in a node
ynl() {
	"${YNL[@]}" --no-schema "$@"
}

ynl_in() {
	local n=$1
	shift

	in_ns "$n" "${YNL[@]}" --no-schema "$@"
}

# lines_at_least FILE N - FILE has N whole lines or more (for busywait)
lines_at_least() {
	local lines

	[ -r "$1" ] || return 1
	mapfile lines < "$1"
	[ ${#lines[@]} -ge "$2" ] && [[ ${lines[-1]} == *$'\n' ]]
}

need_ynl() {
	[ -f "$KSRC/tools/net/ynl/cli.py" ] || skip "no tools/net/ynl in $KSRC"
	load_module
}

status_reads_as_causalctl_says() {
	local y c i cf yf
	local names=(version "clock, by its enum name" scope sockets-max vector-width max-drift
		     socket-counters stats.sends)

	need_ynl
	y=$("${YNL[@]}" "${SCHEMA[@]}" --do status-get) || fail "status-get"
	log "$y"
	c=$("$CAUSALCTL" -j status) || fail "causalctl status"
	# the members of both, in the order of names, one jq each
	mapfile -t cf < <(jq -r '.version, .clock, .scope, .sockets_max, .vector_width,
				 .max_drift_ms, (.socket_counters | if . then 1 else 0 end),
				 .stats.sends' <<< "$c")
	mapfile -t yf < <(jq -r '.version, .clock, .scope, ."sockets-max", ."vector-width",
				 ."max-drift", ."socket-counters", .stats.sends' <<< "$y")
	for i in "${!names[@]}"; do
		check_eq "${names[i]}" "${cf[i]:-none from causalctl}" "${yf[i]:-none from ynl}"
	done
	# the node id exactly (jq would round 64 bits through a double)
	check_eq "node id" "$(jq -r .node_id <<< "$c")" \
		"$(printf '%016x' "$(json_num "$y" node-id)")"
}

node_set_changes_or_says_why_not() {
	local out

	need_ynl
	ns_create n || fail "namespace"
	ynl_in n --do node-set --json '{"clock": "hlc", "scope": "socket", "node-id": 4660}' \
		> /dev/null || fail "node-set"
	check_eq "clock set by name" hlc "$(in_ns n "$CAUSALCTL" clock)"
	check_eq "scope set by name" socket "$(in_ns n "$CAUSALCTL" scope)"
	check_eq "node id set" 0000000000001234 "$(in_ns n "$CAUSALCTL" node)"

	# refused, each with its errno and extended ACK; nothing changes (the
	# handler's own checks, the policy's, the permission)
	out=$(ynl_in n --do node-set --json '{"clock": "vector", "sockets-max": 2000000}') &&
		fail "sockets-max over the limit accepted"
	echo "$out"
	[[ $out == *"Numerical result out of range"* ]] || fail "not ERANGE"
	[[ $out == *"'msg': 'sockets-max is at most 1048576'"* ]] || fail "no extended ACK message"
	[[ $out == *"'bad-attr': '.sockets-max'"* ]] || fail "the extended ACK names no attribute"
	out=$(ynl_in n --do node-set --json '{"vector-width": 65}') && fail "width 65 accepted"
	echo "$out"
	[[ $out == *"Numerical result out of range"*"'max-value': 64"* ]] ||
		fail "width: not ERANGE, or the policy's range is not reported"
	out=$(in_ns n setpriv --reuid=65534 --regid=65534 --clear-groups \
		"${YNL[@]}" --no-schema --do node-set --json '{"clock": "lamport"}') &&
		fail "nobody changed the node"
	echo "$out"
	[[ $out == *"Operation not permitted"*"CAP_NET_ADMIN"* ]] || fail "nobody: not EPERM"
	check_eq "clock after the refusals" hlc "$(in_ns n "$CAUSALCTL" clock)"
	check_eq "width after the refusals" "$(json_num "$("$CAUSALCTL" -j status)" vector_width)" \
		"$(json_num "$(in_ns n "$CAUSALCTL" -j status)" vector_width)"
}

# subscribed NODE - a generic netlink socket of NODE has joined a group
# (/proc/net/netlink shows the first 32 groups; causal's is among them
# unless dozens of families came before it)
subscribed() {
	in_ns "$1" awk 'NR > 1 && $2 == 16 && $4 != "00000000" { n++ } END { exit !n }' \
		/proc/net/netlink
}

sockets_compare_and_events_decode() {
	local cs ys up down c y got want listeners monitor ids out

	need_ynl
	attach || fail "attach"
	star 3 || fail "topology"
	vector_nodes 3 thread 16 || fail "vector clocks"
	tmpdir || fail "tmpdir"
	# o1's events, as ynl and causalctl hear them: ynl listens first and
	# stops last (it reads what it heard after its sleep, which SIGUSR1 ends
	# once causalctl has heard the exchange, or at most 20 s, SLOW times as
	# long on a slow kernel);
	# what both heard is compared, over the ids causalctl heard
	ynl_in o1 --subscribe events --sleep $((20 * SLOW)) > "$T/ntf" 2> "$T/ntf.err" &
	listeners=$!
	busywait 15000 subscribed o1 || log "ynl's subscription not seen; going on"
	# not through in_ns: $! must be causalctl's pid, not a subshell's
	ip netns exec "$NS_PREFIX-o1" "$CAUSALCTL" -j monitor > "$T/mon" 2> "$T/mon.err" &
	monitor=$!
	busywait 5000 has "$T/mon.err" listening || fail "causalctl monitor: $(cat "$T/mon.err")"
	CAUSAL_PEER_HOLD=600 in_ns o2 "$PEER" server 7001 bc 3 > "$T/c" &
	CAUSAL_PEER_HOLD=600 in_ns o1 "$PEER" server 7000 ab 3 10.77.0.3 7001 bc > "$T/b" &
	CAUSAL_PEER_HOLD=600 in_ns o0 "$PEER" client 10.77.0.2 7000 ab 3 > "$T/a" &
	busywait 20000 lines_are "$T/a" 6 || fail "no exchange"

	cs=$(in_ns o1 "$CAUSALCTL" -j sockets)
	ys=$(ynl_in o1 --dump sock-get) || fail "sock-get dump"
	check_eq "cookies dumped, each with its clock" \
		"$(jq -c '[.[] | [.cookie, .clock]] | sort' <<< "$cs")" \
		"$(jq -c '[.[] | [.cookie, .clock]] | sort' <<< "$ys")"
	up=$(jq -r '.[] | select(.local_port == 7000) | .cookie' <<< "$cs" | head -n 1)
	down=$(jq -r '.[] | select(.remote_port == 7001) | .cookie' <<< "$cs" | head -n 1)
	[ -n "$up" ] && [ -n "$down" ] || fail "no relay sockets on o1"
	y=$(ynl_in o1 --do sock-get --json "{\"cookie\": $up}") || fail "sock-get $up"
	check_eq "clock of $up" "$(jq -r ".[] | select(.cookie == $up) | .clock" <<< "$cs")" \
		"$(jq -r .clock <<< "$y")"
	check_eq "port of $up" 7000 "$(jq -r '."port-local"' <<< "$y")"
	check_eq "vector entries of $up" \
		"$(jq -c ".[] | select(.cookie == $up) | [.vector[].count]" <<< "$cs")" \
		"$(jq -c '[.vector[].count]' <<< "$y")"
	check_eq "compare, by its enum name" \
		"$(in_ns o1 "$CAUSALCTL" -j compare "$up" "$down" | jq -r .order)" \
		"$(ynl_in o1 --do compare --json "{\"cookie-a\": $up, \"cookie-b\": $down}" |
			jq -r .order)"
	out=$(ynl_in o1 --do compare --json "{\"cookie-a\": $up, \"cookie-b\": 12345}") &&
		fail "compare with an unknown cookie succeeded"
	echo "$out"
	[[ $out == *"No such file or directory"* ]] || fail "unknown cookie: not ENOENT"

	# the relay's 12 events (3 requests and answers each way) and the rest
	busywait 20000 lines_at_least "$T/mon" 12 ||
		fail "causalctl heard $(wc -l < "$T/mon") events"
	kill -INT $monitor
	wait $monitor
	# the exchange is over: ynl's sleep may end (its notifications are queued)
	pkill -USR1 -f "ynl_cli.py .*--subscribe events" || log "ynl's listener already gone"
	wait $listeners
	[ -s "$T/ntf.err" ] && { cat "$T/ntf.err"; fail "ynl failed to listen"; }
	# ynl prints the notifications as one JSON list at the end
	want=$(jq -c '[.id, .type, .tid]' "$T/mon" | sort)
	got=$(jq -c --argjson lo "$(jq -s 'map(.id) | min' "$T/mon")" \
		--argjson hi "$(jq -s 'map(.id) | max' "$T/mon")" \
		'.[] | select(.name == "event") | .msg | select(.id >= $lo and .id <= $hi) |
		 [.id, .type, .tid]' "$T/ntf" | sort)
	log "$(echo "$want" | wc -l) events heard by causalctl, $(echo "$got" | wc -l) by ynl"
	[ "$(echo "$want" | wc -l)" -ge 12 ] || fail "too few events"
	check_eq "events, by id, type name and thread" "$want" "$got"
	ids=$(/usr/bin/python3 -c 'import json, sys
print(" ".join("%016x" % n for n in sorted({m["msg"]["node-id"] for m in json.load(sys.stdin)})))' \
		< "$T/ntf")
	check_eq "the node of the notifications" "$(in_ns o1 "$CAUSALCTL" node)" "$ids"
}

run_test status_reads_as_causalctl_says status_reads_as_causalctl_says
run_test node_set_changes_or_says_why_not node_set_changes_or_says_why_not
run_test sockets_compare_and_events_decode sockets_compare_and_events_decode
exit_tests
