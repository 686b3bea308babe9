#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every way data enters and leaves a TCP socket: the same request/response
# exchange as tcp.sh, each message taken through another path of the kernel
# (causal_peer's CAUSAL_PEER_PATH: sendfile, splice, MSG_ZEROCOPY, io_uring,
# io_uring zero-copy send, kernel TLS, TCP Fast Open, TCP_ZEROCOPY_RECEIVE).
# For each: every send and receive is an event with its clock, every
# receive after the send it read (clockcheck) and joined to it by
# causalctl order, every segment stamped out arrives stamped, and no
# receive is without a stamp.
#
#   +------------+  10.71.0.0/24  +------------+
#   | a  (.1)    |----------------| (.2)  b    |
#   +------------+                +------------+

. "$(dirname "$0")/lib.sh"
SHARE_ATTACH=1

PEER=$BUILD/selftests/causal_peer
CHECK=$TOP/selftests/clockcheck.py
N=20

# events NODE TYPE - how many events of TYPE the node's monitor wrote
events() {
	grep -c "\"type\":\"$2\"" "$T/mon.$1"
}

# log_of NODE - the node's monitor output as a log causalctl order reads
log_of() {
	local node

	node=$(grep -m1 -o '"node":"[0-9a-f]*"' "$T/mon.$1" | cut -d'"' -f4)
	printf '{"causal_log":1,"host":"%s","node":"%s","clock":"lamport","start":1}\n' \
		"$1" "$node"
	cat "$T/mon.$1"
}

# sends_of NODE - its send events, as node:id
sends_of() {
	jq -r 'select(.type == "send") | "\(.node):\(.id)"' "$T/mon.$1" | xargs
}

# joined_to NODE - the sends its receives took bytes of, as order joined them
joined_to() {
	jq -r --arg n "$(grep -m1 -o '"node":"[0-9a-f]*"' "$T/mon.$1" | cut -d'"' -f4)" \
		'select(.type == "recv" and .node == $n) | (.from // [{}])[] |
		 "\(.node):\(.id32)"' "$T/order" | xargs
}

# retransmitted NODE - TCP segments the node sent again
retransmitted() {
	in_ns "$1" awk '/^Tcp:/ && n++ { print $13 }' /proc/net/snmp
}

# stamps_arrived FROM TO - what FROM stamped arrived at TO: all of it, but
# for segments FROM sent again (a stamped segment that arrives twice counts
# once)
stamps_arrived() {
	local out in

	out=$(stat_of "$1" stamps_out) && in=$(stat_of "$2" stamps_in) || return 1
	[ "$in" -le "$out" ] && [ $((out - in)) -le "$(retransmitted "$1")" ]
}

exchange_through() {
	local path=$1 node

	load_module && attach || fail "attach"
	ns_create a b && veth_pair a b 10.71.0 || fail "topology"
	tmpdir || fail "tmpdir"
	case $path in
	tls)
		modprobe tls 2> /dev/null || skip "no kernel TLS (modprobe tls)"
		;;
	tfo)
		# the client bit and the server bit, in both nodes
		for node in a b; do
			check "tcp_fastopen" in_ns $node sysctl -qw net.ipv4.tcp_fastopen=3
		done
		;;
	esac
	for node in a b; do
		in_ns $node "$CAUSALCTL" -j monitor > "$T/mon.$node" 2> "$T/mon.$node.err" &
		defer kill $!
		busywait 20000 has "$T/mon.$node.err" listening || fail "monitor"
	done
	CAUSAL_PEER_PATH=$path in_ns b "$PEER" server 7000 ab $N > "$T/b" 2> "$T/b.err" &
	busywait 20000 listening b 7000 || fail "server: $(cat "$T/b.err")"
	CAUSAL_PEER_PATH=$path in_ns a "$PEER" client 10.71.0.2 7000 ab $N > "$T/a" ||
		fail "client"
	wait $! || fail "server: $(cat "$T/b.err")"
	check "every send before its receive" python3 "$CHECK" "$T/a" "$T/b"
	for node in a b; do
		check_eq "$node: sends" $N "$(stat_of $node sends)"
		check_eq "$node: receives" $N "$(stat_of $node receives)"
		busywait 20000 has "$T/mon.$node" '"type":"close"' || fail "$node: no close event"
		check_eq "$node: send events" $N "$(events $node send)"
		check_eq "$node: receive events" $N "$(events $node recv)"
		log_of $node > "$T/$node.log"
		[ "$(stat_of $node unstamped_in)" = 0 ] ||
			fail "$node: receives without a stamp:" \
				"$(grep '"unstamped":true' "$T/mon.$node" | cut -c1-600)"
	done
	# each receive joined to the send whose bytes it read
	"$CAUSALCTL" -j order "$T/a.log" "$T/b.log" > "$T/order" 2> "$T/order.err" ||
		fail "order: $(cat "$T/order.err")"
	check_eq "a's receives joined to b's sends" "$(sends_of b)" "$(joined_to a)"
	check_eq "b's receives joined to a's sends" "$(sends_of a)" "$(joined_to b)"
	# the last segments' counts reach the node at the socket's close
	busywait 20000 stamps_arrived a b ||
		fail "a stamped $(stat_of a stamps_out) segments (sent again: $(retransmitted a)), b got $(stat_of b stamps_in)"
	busywait 20000 stamps_arrived b a ||
		fail "b stamped $(stat_of b stamps_out) segments (sent again: $(retransmitted b)), a got $(stat_of a stamps_in)"
	log "$path: $(stat_of b stamps_in) stamped segments a -> b, $(stat_of a stamps_in) b -> a"
	[ "$(stat_of b stamps_in)" -ge $N ] || fail "$N messages, fewer stamped segments"
}

# A read that takes the last bytes and the FIN in one segment: the FIN
# counts in sequence space, not in the bytes, and takes no stamp.
bytes_and_fin_in_one_read() {
	load_module && attach || fail "attach"
	ns_create a b && veth_pair a b 10.71.0 || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b "$PEER" sink 7000 > "$T/sink" &
	busywait 20000 listening b 7000 || fail "sink"
	# corked: the FIN joins the bytes in their segment
	ip netns exec "$NS_PREFIX-a" /usr/bin/python3 -c '
import socket
s = socket.create_connection(("10.71.0.2", 7000))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
s.send(b"x" * 64)
s.shutdown(socket.SHUT_WR)
s.recv(1)' || fail "client"
	wait $! || fail "sink"
	check_eq "bytes" 64 "$(cat "$T/sink")"
	check_eq "b: receives" 1 "$(stat_of b receives)"
	check_eq "b: receives without a stamp" 0 "$(stat_of b unstamped_in)"
	check_eq "b: stamped segments" 1 "$(stat_of b stamps_in)"
}

for path in send sendfile splice zerocopy uring uring_zc tls tfo zcrecv; do
	run_test "exchange_through_$path" exchange_through $path
done
run_test bytes_and_fin_in_one_read bytes_and_fin_in_one_read
exit_tests
