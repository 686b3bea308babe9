#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# causalctl status, node and clock, as text and JSON, on nodes that are
# network namespaces joined by veth:
#
#   +---------------+   veth   +---------------+
#   | ns a 10.7.0.1 |----------| ns b 10.7.0.2 |
#   +---------------+          +---------------+

. "$(dirname "$0")/lib.sh"

require_jq() {
	require_command jq
}

status_text_names_version_node_clock() {
	local out

	load_module
	out=$("$CAUSALCTL" status) || fail "status failed"
	printf '%s\n' "$out"
	check_eq "version line" "causal $(cat /sys/module/causal/version)" \
		"$(printf '%s\n' "$out" | head -n 1)"
	printf '%s\n' "$out" | grep -Eq '^node: +[0-9a-f]{16}$' || fail "no node line"
	printf '%s\n' "$out" | grep -Eq '^clock: +lamport, thread scope$' || fail "no clock line"
	printf '%s\n' "$out" | grep -Eq '^sockets: [0-9]+ tracked' || fail "no sockets line"
}

status_json_has_the_spec_fields() {
	local out

	require_jq
	load_module
	out=$("$CAUSALCTL" -j status) || fail "status -j failed"
	printf '%s\n' "$out"
	check_eq "one line of JSON" 1 "$(printf '%s\n' "$out" | wc -l)"
	printf '%s' "$out" | jq -e '
		(.version | type == "string") and
		(.node_id | test("^[0-9a-f]{16}$")) and
		(.clock == "lamport") and (.scope == "thread") and
		(.sockets_max == 65536) and (.contexts_max == 16384) and (.vector_width == 16) and
		(.max_jump == 281474976710656) and (.max_drift_ms == 300000) and
		(.stats | keys == ["calls_refused", "contexts", "contexts_untracked",
				  "events_dropped", "foreign_in", "forged_in", "inexact_in", "lossy_in",
				  "malformed_in", "nospace_out", "probes_dropped", "receives", "sends",
				  "sockets", "sockets_untracked", "stamps_in",
				  "stamps_out", "unstamped_in", "vector_asks",
				  "vector_heals", "vector_incomplete_out", "vector_retells",
				  "vector_width_drops"]) and
		([.stats[] | type == "number"] | all)' > /dev/null ||
		fail "JSON lacks a field or has a wrong type"
	check_eq "JSON version" "$(cat /sys/module/causal/version)" \
		"$(printf '%s' "$out" | jq -r .version)"
	check_eq "text and JSON agree on the node" \
		"$("$CAUSALCTL" node)" "$(printf '%s' "$out" | jq -r .node_id)"
	check_eq "pretty JSON is the same document" \
		"$(printf '%s' "$out" | jq -S .)" "$("$CAUSALCTL" -p status | jq -S .)"
}

namespaces_are_distinct_nodes() {
	local a b init

	load_module
	ns_create a b || fail "ns_create"
	veth_pair a b 10.7.0 || fail "veth"
	check "veth joins a and b" in_ns a ping -c 1 -W 2 10.7.0.2 > /dev/null
	init=$("$CAUSALCTL" node)
	a=$(in_ns a "$CAUSALCTL" node)
	b=$(in_ns b "$CAUSALCTL" node)
	log "init $init a $a b $b"
	check_ne "a and b" "$a" "$b"
	check_ne "a and init" "$a" "$init"
	check_ne "b and init" "$b" "$init"
}

node_set_changes_only_its_namespace() {
	local b

	load_module
	ns_create a b || fail "ns_create"
	b=$(in_ns b "$CAUSALCTL" node)
	check "node set" in_ns a "$CAUSALCTL" node set 0xC0FFEE
	check_eq "a's node" 0000000000c0ffee "$(in_ns a "$CAUSALCTL" node)"
	check_eq "b's node" "$b" "$(in_ns b "$CAUSALCTL" node)"
	check "clock set" in_ns a "$CAUSALCTL" clock set hlc
	check_eq "a's clock" hlc "$(in_ns a "$CAUSALCTL" -j status | jq -r .clock)"
	check_eq "b's clock" lamport "$(in_ns b "$CAUSALCTL" clock)"
}

bad_arguments_name_the_problem() {
	local err rc

	load_module
	err=$("$CAUSALCTL" clock set vector-ish 2>&1)
	rc=$?
	check_eq "exit status" 2 "$rc"
	case $err in
	*"invalid clock: vector-ish (use lamport/hlc/vector)"*) ;;
	*) fail "message: $err" ;;
	esac
	err=$("$CAUSALCTL" node set 12345678901234567 2>&1)
	check_eq "exit status" 2 "$?"
	case $err in
	*"invalid node id"*) ;;
	*) fail "message: $err" ;;
	esac
	err=$("$CAUSALCTL" frobnicate 2>&1)
	check_eq "exit status" 2 "$?"
	case $err in
	*"invalid command: frobnicate"*) ;;
	*) fail "message: $err" ;;
	esac
}

unprivileged_node_set_is_refused_with_reason() {
	local err rc

	require_command setpriv
	load_module
	ns_create a || fail "ns_create"
	err=$(in_ns a setpriv --inh-caps=-all --bounding-set=-net_admin --reuid=65534 \
		--regid=65534 --clear-groups "$CAUSALCTL" node set 1234 2>&1)
	rc=$?
	check_eq "exit status" 1 "$rc"
	case $err in
	*"Operation not permitted"*CAP_NET_ADMIN*) ;;
	*) fail "message: $err" ;;
	esac
	# Reading stays open to everyone.
	check "unprivileged status" in_ns a setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$CAUSALCTL" status > /dev/null
}

# CAP_NET_ADMIN counts in the user namespace that owns the node's network
# namespace: an unprivileged user in user and network namespaces of its own
# may change that node, and only that one.
user_namespace_owns_its_node() {
	local err init

	require_command setpriv
	require_command unshare
	load_module
	init=$("$CAUSALCTL" node)
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true ||
		skip "this kernel does not let unprivileged users make user namespaces"
	# its own user and network namespaces: root there, and the node is its own
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn \
		sh -c '"$1" node set 00000000000000e1 && "$1" node' sh "$CAUSALCTL" 2>&1) ||
		fail "own node: $err"
	check_eq "own node set" 00000000000000e1 "$err"
	# a user namespace alone: the network namespace is still init's
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur \
		"$CAUSALCTL" node set 00000000000000e2 2>&1) && fail "init's node changed from a user namespace"
	case $err in
	*"Operation not permitted"*CAP_NET_ADMIN*) ;;
	*) fail "message: $err" ;;
	esac
	check_eq "init's node untouched" "$init" "$("$CAUSALCTL" node)"
}

# A node sees only its own sockets.
dumps_see_only_their_node() {
	local a b

	require_command jq
	load_module && attach || fail "attach"
	ns_create a b && veth_pair a b 10.7.0 || fail "topology"
	ip netns exec "$NS_PREFIX-b" "$BUILD/selftests/causal_rr" server 7010 > /dev/null 2>&1 &
	defer kill $!
	busywait 5000 listening b 7010 || fail "server"
	tmpdir || fail "tmpdir"
	# three connections, held open
	ip netns exec "$NS_PREFIX-a" "$BUILD/selftests/causal_rr" hold 10.7.0.2 7010 3 \
		> "$T/hold" 2>&1 &
	defer kill $!
	busywait 10000 has "$T/hold" ready || fail "client: $(cat "$T/hold")"
	a=$(in_ns a "$CAUSALCTL" -j sockets)
	b=$(in_ns b "$CAUSALCTL" -j sockets)
	check_eq "a lists its connections" 3 "$(jq length <<< "$a")"
	check_eq "b lists its connections" 3 "$(jq length <<< "$b")"
	check_eq "a's sockets are a's" 0 \
		"$(jq '[.[] | select(.local != "10.7.0.1")] | length' <<< "$a")"
	check_eq "b's sockets are b's" 0 \
		"$(jq '[.[] | select(.local != "10.7.0.2" and .local != "::ffff:10.7.0.2")] | length' <<< "$b")"
	check_eq "init sees none of theirs" 0 \
		"$("$CAUSALCTL" -j sockets | jq '[.[] | select(.local | test("10\\.7\\.0\\."))] | length')"
}

# since_mark - the kernel log after the last "causal-test mark" (the log is
# never cleared: the suite checks all of it at the end)
since_mark() {
	dmesg | sed -n '/causal-test mark/h; /causal-test mark/!H; ${x; p}' | sed 1d
}

# The module's debug messages, through the kernel's dynamic debug: a node
# made, changed and gone, each line naming the node
dynamic_debug_tells_what_a_node_does() {
	local ctl=/sys/kernel/debug/dynamic_debug/control log

	load_module
	[ -w "$ctl" ] || skip "no dynamic debug control (CONFIG_DYNAMIC_DEBUG, debugfs)"
	grep -q '\[causal\]' "$ctl" || fail "the module has no debug call sites"
	echo 'module causal +p' > "$ctl" || fail "cannot switch the module's messages on"
	defer "echo 'module causal -p' > $ctl"
	echo "causal-test mark" > /dev/kmsg
	ns_create d || fail "namespace"
	in_ns d "$CAUSALCTL" node set 0000000000000d0d || fail "node set"
	in_ns d "$CAUSALCTL" clock set hlc || fail "clock set"
	ip netns del "$NS_PREFIX-d"
	NS_CREATED=()
	busywait 5000 sh -c "dmesg | grep -q 'node 0000000000000d0d: its network namespace'" ||
		fail "no message when the namespace went: $(since_mark)"
	log=$(since_mark | grep 'causal: node')
	echo "$log"
	grep -q 'causal: node [0-9a-f]\{16\}: made for network namespace' <<< "$log" ||
		fail "no message for the new node"
	grep -q "causal: node 0000000000000d0d: set by causalctl\[[0-9]*\]: clock hlc, scope" \
		<<< "$log" || fail "no message for the change, or it does not say who and what"
	echo 'module causal -p' > "$ctl"
	echo "causal-test mark" > /dev/kmsg
	ns_create e || fail "namespace"
	in_ns e "$CAUSALCTL" node set 0000000000000e0e || fail "node set"
	check_eq "messages once switched off" "" "$(since_mark | grep 'causal: node')"
}

run_test status_text_names_version_node_clock status_text_names_version_node_clock
run_test status_json_has_the_spec_fields status_json_has_the_spec_fields
run_test namespaces_are_distinct_nodes namespaces_are_distinct_nodes
run_test node_set_changes_only_its_namespace node_set_changes_only_its_namespace
run_test bad_arguments_name_the_problem bad_arguments_name_the_problem
run_test unprivileged_node_set_is_refused_with_reason unprivileged_node_set_is_refused_with_reason
run_test user_namespace_owns_its_node user_namespace_owns_its_node
run_test dumps_see_only_their_node dumps_see_only_their_node
run_test dynamic_debug_tells_what_a_node_does dynamic_debug_tells_what_a_node_does
exit_tests
