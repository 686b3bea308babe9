#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The one event schema (user/schema.c) against its documentation and
# itself: the members Documentation/log.rst lists, in its order, are the
# members causalctl writes, in its order; an event with every member reads
# and writes back unchanged; and order, why and the exports write the line
# the log had.

. "$(dirname "$0")/../lib.sh"

HOST_TEST=1
NODE=00000000000000a1

# the terms of log.rst's "Events" definitions, in order: lines of ``key``, ``key``
documented_members() {
	sed -n '/^Events$/,/^Other lines$/p' "$TOP/Documentation/log.rst" |
		grep -E '^``[a-z0-9_]+``(, ``[a-z0-9_]+``)*$' | grep -o '``[a-z0-9_]*``' | tr -d '`'
}

# a log of one node: its header, then the lines given
log_of() {
	printf '{"causal_log":1,"host":"h","node":"%s","clock":"lamport","start":1}\n' "$NODE"
	printf '%s\n' "$@"
}

# an event with every member (not a plausible one: a receive that is a
# probe hit, with scalar and vector stamps)
EVERY='{"node":"00000000000000a1","id":2,"type":"recv","time":5,"pid":7,"tid":8,'\
'"tstart":9,"comm":"a \"b\"\u00e9","cgroup":3,'\
'"cgroup_path":"/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/'\
'cri-containerd-3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899.scope","container":"3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899",'\
'"runtime":"containerd","pod":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",'\
'"unit":"cri-containerd-3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899.scope","proto":"tcp","src":"10.0.0.2:80",'\
'"dst":"[fd00::1]:4","cookie":4,"bytes":78,"seq":1002,"stream":"0a0b0c0d01020304","clock":17,'\
'"participant":"000000000000a1","vector":{"000000000000a1":3,"000000000000b2":1},'\
'"lossy":true,"from":[{"node":"00000000000000b2","id32":40},'\
'{"participant":"000000000000b2","count":1}],"unstamped":true,"inexact":true,'\
'"probe":"kprobe:tcp_retransmit_skb"}'

# events of order -j, as log lines: the members order adds taken away
ordered_events() {
	"$CAUSALCTL" -j order "$@" 2> /dev/null | jq -c 'select(.pos) | del(.pos)'
}

the_documentation_lists_what_is_written() {
	local doc written

	tmpdir || return
	doc=$(documented_members | paste -sd ' ')
	[ -n "$doc" ] || fail "no members found in Documentation/log.rst"
	log_of "$EVERY" > "$T/a.log"
	written=$(ordered_events "$T/a.log" | jq -r 'keys_unsorted | join(" ")')
	[ "$doc" = "$written" ] ||
		fail "log.rst lists: $doc; causalctl writes: $written"
}

an_event_reads_and_writes_back_unchanged() {
	local got

	tmpdir || return
	log_of "$EVERY" > "$T/a.log"
	got=$(ordered_events "$T/a.log")
	[ "$got" = "$(jq -c . <<< "$EVERY")" ] || fail "wrote back: $got"
}

# members that are absent stay absent, and false flags are not written;
# "lossy" comes with every vector
absent_members_stay_absent() {
	local got

	tmpdir || return
	log_of '{"node":"00000000000000a1","id":1,"type":"close","unstamped":false}' \
		'{"node":"00000000000000a1","id":2,"type":"send","clock":3,"participant":"000000000000a1","vector":{"000000000000a1":3}}' \
		> "$T/a.log"
	got=$(ordered_events "$T/a.log" | paste -sd ' ')
	[ "$got" = '{"node":"00000000000000a1","id":1,"type":"close"} {"node":"00000000000000a1","id":2,"type":"send","clock":3,"participant":"000000000000a1","vector":{"000000000000a1":3},"lossy":false}' ] ||
		fail "wrote: $got"
}

# why and the Perfetto export write the same members as order
every_command_writes_the_same_line() {
	local want got

	tmpdir || return
	log_of '{"node":"00000000000000a1","id":1,"type":"send","clock":1}' "$EVERY" > "$T/a.log"
	want=$(jq -c . <<< "$EVERY")
	got=$("$CAUSALCTL" -j why "$NODE:1" "$NODE:2" "$T/a.log" 2> /dev/null |
		jq -c '.. | objects | select(.type == "recv") | del(.event, .why)')
	[ "$got" = "$want" ] || fail "why wrote: $got"
	"$CAUSALCTL" order --perfetto "$T/p.json" "$T/a.log" > /dev/null 2>&1 ||
		[ -s "$T/p.json" ] || fail "no Perfetto export"
	got=$(jq -c '.traceEvents[] | select(.args.type == "recv") | .args | del(.pos)' "$T/p.json")
	[ "$got" = "$want" ] || fail "the Perfetto export wrote: $got"
}

run_test the_documentation_lists_what_is_written the_documentation_lists_what_is_written
run_test an_event_reads_and_writes_back_unchanged an_event_reads_and_writes_back_unchanged
run_test absent_members_stay_absent absent_members_stay_absent
run_test every_command_writes_the_same_line every_command_writes_the_same_line
exit_tests
