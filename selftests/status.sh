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
		(.sockets_max == 65536) and (.vector_width == 16) and
		(.max_jump == 281474976710656) and (.max_drift_ms == 300000) and
		(.stats | keys == ["events_dropped", "foreign_in", "forged_in", "inexact_in", "lossy_in",
				  "malformed_in", "nospace_out", "receives", "sends",
				  "sockets", "sockets_untracked", "stamps_in",
				  "stamps_out", "unstamped_in", "vector_incomplete_out",
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

run_test status_text_names_version_node_clock status_text_names_version_node_clock
run_test status_json_has_the_spec_fields status_json_has_the_spec_fields
run_test namespaces_are_distinct_nodes namespaces_are_distinct_nodes
run_test node_set_changes_only_its_namespace node_set_changes_only_its_namespace
run_test bad_arguments_name_the_problem bad_arguments_name_the_problem
run_test unprivileged_node_set_is_refused_with_reason unprivileged_node_set_is_refused_with_reason
exit_tests
