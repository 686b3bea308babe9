#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Wireshark dissector (scripts/wireshark/causal.lua) against the wire.
# Two nodes exchange TCP and UDP with causal attached, in each clock mode,
# while tcpdump captures the link at b and causalctl monitor records both
# nodes' events; tshark decodes the capture with the dissector, and what it
# reads must be what causal says it sent: the clock, event number and node
# of every send (its participant and vector entries in vector mode), on
# every packet of that send.  Hostile UDP surplus areas (udp_tool.py inject)
# and TCP options of every form (causal_inject) check its verdicts and
# expert information.
#
#   +------------+  10.79.0.0/24   +------------+
#   | a  (.1)    |-----------------| (.2)     b |  tcpdump on b's veth-a
#   +------------+  fd00:10:79:0:: +------------+
#
# One capture serves all cases (each attach, and each start of tshark, takes
# seconds in an emulated guest): the first case makes and decodes it, the
# others check what it holds.  A failed run leaves the capture, the events
# and the decoded fields in $CAUSAL_RESULTS/wireshark (CAUSAL_TEST_KEEP_CAPTURE=1:
# every run).

. "$(dirname "$0")/lib.sh"

PEER=$BUILD/selftests/causal_peer
INJECT="$BUILD/selftests/causal_inject tcp"
TOOL="/usr/bin/python3 $TOP/selftests/udp_tool.py"
CHECK="/usr/bin/python3 $TOP/selftests/wireshark_check.py"
DISSECTOR=$TOP/scripts/wireshark/causal.lua
N=4

# what tshark prints, one column each (wireshark_check.py reads them by name)
FIELDS=(frame.number ip.src ipv6.src tcp.srcport tcp.dstport tcp.seq tcp.len
	udp.srcport udp.dstport causal.verdict causal.form causal.clock causal.event
	causal.node causal.hlc.counter causal.participant causal.entry.participant
	causal.entry.count causal.udpopt.ocs.status causal.ocs.bad causal.malformed
	causal.version.unknown causal.duplicate causal.inexact causal.incomplete
	causal.flags.whole _ws.lua.error _ws.col.Info)

# the capture and what goes with it, for all cases
W=$(mktemp -d /tmp/causal-wireshark.XXXXXX) || exit 1
chmod 755 "$W"

A4=10.79.0.1 B4=10.79.0.2 A6=fd00:10:79::1 B6=fd00:10:79::2

nodes() {
	ns_create a b || return 1
	veth_pair a b 10.79.0
}

# monitor NODE - its events into $W/NODE.events until the case ends
monitor() {
	ip netns exec "$NS_PREFIX-$1" "$CAUSALCTL" -j monitor > "$W/$1.events" \
		2> "$W/$1.events.err" &
	defer kill $!
	busywait 5000 has "$W/$1.events.err" listening
}

# clock MODE - on both nodes
clock() {
	in_ns a "$CAUSALCTL" clock set "$1" && in_ns b "$CAUSALCTL" clock set "$1"
}

# tcp_exchange ADDR PORT - N requests from a, N responses from b
tcp_exchange() {
	in_ns b "$PEER" server "$2" ab $N > /dev/null &
	local server=$!

	busywait 5000 listening b "$2" || return 1
	in_ns a "$PEER" client "$1" "$2" ab $N > /dev/null && wait $server
}

# udp_exchange ADDR PORT - N datagrams from a, each echoed by b
udp_exchange() {
	in_ns b $TOOL echo "$2" $N > "$W/echo.$2" &
	local echo=$!

	busywait 5000 has "$W/echo.$2" listening || return 1
	in_ns a $TOOL ping "$1" "$2" $N > /dev/null && wait $echo
}

sends() {
	[ -f "$W/$1.events" ] && grep -c '"type":"send"' "$W/$1.events"
}

# every_send_logged N - both nodes' monitors have N sends
every_send_logged() {
	[ "$(sends a)" = "$1" ] && [ "$(sends b)" = "$1" ]
}

# The TCP options causal_inject sends to port 7916, one segment each (hex),
# and how each decodes: verdict/form/clock/event/node/participant/experts.
OPT_SEGMENTS=(
	# full, keyed and short scalars; keyed and inexact
	"fd19ca5a00$(printf '%016x%08x%016x' 1000 1 0xabc)"
	"fd11ca5a00$(printf '%016x%08x' 1001 2)"
	"fd0dca5a00$(printf '%016x' 1002)"
	"fd11ca5a01$(printf '%016x%08x' 1003 3)"
	# vectors of earlier senders (version 0): three entries; one, incomplete
	"fd26ca5a02$(printf '%014x%08x' 0xabcdef 7 0x123456 3 0x42 9)"
	"fd10ca5a06$(printf '%014x%08x' 0xabcdef 8)"
	# compact vectors: a participant named with index 3; then by its
	# index, beside one named without an index (count 300, two bytes);
	# an entry of neither id nor index
	"fd0eca5a4283$(printf '%014x' 0xabcdef)07"
	"fd11ca5a42030880$(printf '%014x' 0x42)ac02"
	"fd07ca5a420001"
	# version 1; a length that is no form; another ExID; two of ours;
	# kind 253 without an ExID, alone and next to a valid stamp
	"fd19ca5a40$(printf '%016x%08x%016x' 1004 4 0xabc)"
	"fd0fca5a00$(printf '%020x' 7)"
	"fd081234$(printf '%08x' 5)"
	"fd0dca5a00$(printf '%016x' 1005)fd0dca5a00$(printf '%016x' 1006)"
	"fd02"
	"fd0dca5a00$(printf '%016x' 1007)fd02"
	# the clock form (TCP's scalar)
	"fd0cca5a00$(printf '%014x' 1008)"
)
OPT_DECODED=(
	stamp/full/1000/1/abc/-/-
	stamp/keyed/1001/2/-/-/-
	stamp/short/1002/-/-/-/-
	stamp/keyed/1003/3/-/-/inexact
	stamp/vector/7/-/-/abcdef/-
	stamp/vector/8/-/-/abcdef/incomplete
	stamp/vector/7/-/-/abcdef/-
	stamp/vector/8/-/-/abcdef/-
	malformed/-/-/-/-/-/malformed
	malformed/-/-/-/-/-/version.unknown
	malformed/-/-/-/-/-/malformed
	-/-/-/-/-/-/-
	malformed,malformed/short,short/1005,1006/-/-/-/duplicate
	-/-/-/-/-/-/malformed
	malformed/short/1007/-/-/-/malformed
	stamp/clock/1008/-/-/-/-
)

# TCP and UDP in each clock mode, hostile UDP areas and TCP options of every
# form, captured at b; then tshark decodes the capture with the dissector.
capture() {
	local c dump seg mac opts=()

	for c in tcpdump tshark setpriv; do
		command -v $c > /dev/null || { touch "$W/skipped"; skip "$c is not installed"; }
	done
	load_module && attach || fail "attach"
	nodes || fail "topology"
	# packets as they come (not a buffer's worth at a time), so that none is
	# still in the kernel's buffer when it stops; a buffer of 16 MB, so
	# that none is dropped while a loaded emulator lets tcpdump wait (a
	# run lost 3 of 150 with the default)
	ip netns exec "$NS_PREFIX-b" tcpdump -i veth-a -n -s 0 -U --immediate-mode -B 16384 \
		-Z root \
		-w "$W/wire.pcap" 2> "$W/tcpdump.err" &
	dump=$!
	defer kill $dump
	busywait 10000 has "$W/tcpdump.err" "listening on" || fail "tcpdump: $(cat "$W/tcpdump.err")"
	monitor a && monitor b || fail "monitors"
	in_ns a "$CAUSALCTL" node > "$W/a.node" && in_ns b "$CAUSALCTL" node > "$W/b.node" ||
		fail "node ids"

	tcp_exchange $B4 7901 || fail "TCP, lamport"
	udp_exchange $B4 7911 || fail "UDP, lamport"
	clock hlc || fail "clock hlc"
	tcp_exchange $B6 7902 || fail "TCP, hlc"
	udp_exchange $B6 7912 || fail "UDP, hlc"
	clock vector || fail "clock vector"
	tcp_exchange $B4 7903 || fail "TCP, vector"
	udp_exchange $B4 7913 || fail "UDP, vector, IPv4"
	udp_exchange $B6 7914 || fail "UDP, vector, IPv6"

	in_ns a $TOOL inject $A4 $B4 7915 > "$W/udp.cases" || fail "udp_tool.py inject"
	# causal_inject poses as .9: b needs a neighbour entry for it, and a sink
	mac=$(in_ns a cat /sys/class/net/veth-b/address)
	in_ns b ip neigh replace 10.79.0.9 lladdr "$mac" dev veth-a nud permanent ||
		fail "neighbour"
	in_ns b "$PEER" sink 7916 > /dev/null &
	busywait 10000 listening b 7916 || fail "sink"
	for seg in "${OPT_SEGMENTS[@]}"; do
		opts+=(-s "$seg")
	done
	in_ns a $INJECT veth-b 10.79.0.9 $B4 "$(in_ns b cat /sys/class/net/veth-a/address)" \
		7916 "${opts[@]}" || fail "causal_inject"

	busywait 10000 every_send_logged $((7 * N)) ||
		fail "sends logged: a $(sends a), b $(sends b), want $((7 * N)) each"
	# (a packet missing from the capture fails the cases that want it)
	nap 0.3
	kill -INT $dump
	wait $dump
	cat "$W/tcpdump.err"
	grep -q '^0 packets dropped by kernel' "$W/tcpdump.err" ||
		log "tcpdump dropped packets: the cases that want them fail"

	# tshark as nobody, so that it honours WIRESHARK_PLUGIN_DIR and loads
	# this dissector, not a copy installed in the global plugin folder
	mkdir -p "$W/plugins" "$W/home"
	chmod -R a+rX "$W"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$W/home" WIRESHARK_PLUGIN_DIR="$W/plugins" \
		tshark -n -X lua_script:"$DISSECTOR" -r "$W/wire.pcap" \
		-Y '!icmp && !icmpv6 && (causal || tcp.len > 0 || udp)' \
		-T fields -E header=y -E occurrence=a -E aggregator=, \
		$(printf -- '-e %s ' "${FIELDS[@]}") > "$W/fields" 2> "$W/tshark.err" ||
		fail "tshark: $(cat "$W/tshark.err")"
	[ -s "$W/tshark.err" ] && fail "tshark complains: $(cat "$W/tshark.err")"
	$CHECK decoded "$W/fields" || fail "the dissector failed"
	touch "$W/ok"
}

decoded() {
	[ -f "$W/skipped" ] && skip "no capture"
	[ -f "$W/ok" ] || fail "no capture"
}

# stamps PROTO PORT CLOCK FAMILY - the stamps of both nodes on PORT
stamps() {
	local a=$A4 b=$B4

	decoded
	[ "$4" = 6 ] && a=$A6 b=$B6
	$CHECK stamps "$W/fields" "$1" "$2" "$3" \
		"$(cat "$W/a.node"),$a,$W/a.events" "$(cat "$W/b.node"),$b,$W/b.events" ||
		fail "the wire and the events differ"
}

udp_cases() {
	decoded
	$CHECK udp-cases "$W/fields" 7915 "$W/udp.cases" || fail "hostile areas misread"
}

tcp_forms() {
	decoded
	$CHECK tcp-forms "$W/fields" 10.79.0.9 "${OPT_DECODED[@]}" || fail "options misread"
}

run_test "capture: TCP and UDP in each clock mode, decoded" capture
run_test "tcp, lamport, IPv4: stamps on the wire are the sends" stamps tcp 7901 lamport 4
run_test "tcp, hlc, IPv6: stamps on the wire are the sends" stamps tcp 7902 hlc 6
run_test "tcp, vector, IPv4: stamps on the wire are the sends" stamps tcp 7903 vector 4
run_test "udp, lamport, IPv4: stamps on the wire are the sends" stamps udp 7911 lamport 4
run_test "udp, hlc, IPv6: stamps on the wire are the sends" stamps udp 7912 hlc 6
run_test "udp, vector, IPv4: stamps on the wire are the sends" stamps udp 7913 vector 4
run_test "udp, vector, IPv6: stamps on the wire are the sends" stamps udp 7914 vector 6
run_test "udp: hostile surplus areas read as causal does, bad checksums flagged" udp_cases
run_test "tcp: every form of the option, and malformed ones" tcp_forms
if [ $ksft_fail != 0 ] || [ -n "${CAUSAL_TEST_KEEP_CAPTURE:-}" ]; then
	mkdir -p "${CAUSAL_RESULTS:-/tmp/causal-results}/wireshark" &&
		cp -r "$W"/. "${CAUSAL_RESULTS:-/tmp/causal-results}/wireshark/"
fi
rm -rf "$W"
exit_tests
