#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Events: what the events group reports (causalctl monitor) and what
# causalctl trace records, for scripted exchanges between two nodes.
#
#   +------------+  10.74.0.0/24   +------------+
#   | a  (.1)    |-----------------| (.2)     b |
#   | node aa    |                 |    node bb |
#   +------------+                 +------------+

. "$(dirname "$0")/lib.sh"
# one attachment for the cases that attach plainly, one after another
# (lib.sh: attach); those that want nothing attached detach it first
SHARE_ATTACH=1

PEER=$BUILD/selftests/causal_peer
TOOL="/usr/bin/python3 $TOP/selftests/udp_tool.py"
GOLDEN=$TOP/selftests/golden

nodes() {
	ns_create a b || return 1
	veth_pair a b 10.74.0
	in_ns a "$CAUSALCTL" node set 00000000000000aa &&
		in_ns b "$CAUSALCTL" node set 00000000000000bb
}

# monitor NODE FILE [ARGS] - monitor -j the node's events into FILE, in the
# background until the case ends (its pid in MONPID), once it listens
monitor() {
	local n=$1 f=$2

	shift 2
	# not through in_ns: $! must be causalctl's pid, not a subshell's
	ip netns exec "$NS_PREFIX-$n" "$CAUSALCTL" -j monitor "$@" > "$f" 2> "$f.err" &
	MONPID=$!
	defer kill $MONPID
	busywait 5000 has "$f.err" listening
}

# in_ns_sys NAME COMMAND... - as in_ns, keeping the host's /sys (and so its
# cgroup2 tree, which causalctl attaches to)
in_ns_sys() {
	local n=$1
	shift

	nsenter --net=/run/netns/"$NS_PREFIX-$n" "$@"
}

# settle FILE N - wait until FILE has N lines
settle() {
	busywait 10000 lines_are "$1" "$2"
}

# normalise [SEND_BASE RECV_BASE PORT] - strip what changes from run to run:
# times, pids, cgroup and socket ids; sequence numbers made relative and
# streams named S; the client's ephemeral port named EPH (members in the
# log's order: jq itself)
normalise() {
	command jq -c --argjson s "$1" --argjson r "$2" --arg p ":$3" '
		del(.time, .pid, .tid, .tstart, .cgroup, .cgroup_path, .container, .runtime, .pod,
		    .unit, .cookie) |
		if .seq then .seq -= (if .type == "send" then $s else $r end) else . end |
		if .stream then .stream = "S" else . end |
		.src |= sub($p + "$"; ":EPH") | .dst |= sub($p + "$"; ":EPH")'
}

# golden_node LOG NAME - the normalised events of a node match golden/NAME
golden_node() {
	local log=$1 name=$2 s r p

	s=$(jq -s '[.[] | select(.type == "send")][0].seq' "$log")
	r=$(jq -s '[.[] | select(.type == "recv")][0].seq' "$log")
	p=$(jq -rs '[.[] | select(.type == "connect" or .type == "accept")][0] |
		if .type == "connect" then .src else .dst end | sub(".*:"; "")' "$log")
	normalise "$s" "$r" "$p" < "$log" > "$T/$name"
	if ! diff -u "$GOLDEN/$name" "$T/$name"; then
		fail "$name differs from $GOLDEN/$name"
	fi
}

# A scripted TCP exchange (3 requests, 3 responses), monitored on both
# nodes: every event and every member, as golden/events-*.jsonl say; and
# the same events as text, one line each.
monitor_golden() {
	local server

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	monitor a "$T/a"
	monitor b "$T/b"
	in_ns a "$CAUSALCTL" monitor --count 8 > "$T/text" 2> "$T/text.err" &
	busywait 5000 has "$T/text.err" listening || fail "text monitor"
	in_ns b "$PEER" server 7400 ab 3 > "$T/peer-b" &
	server=$!
	busywait 5000 listening b 7400 || fail "server"
	in_ns a "$PEER" client 10.74.0.2 7400 ab 3 > "$T/peer-a" || fail "client"
	wait $server
	settle "$T/a" 8 && settle "$T/b" 8 || fail "8 events on each node"
	cat "$T/a" "$T/b" "$T/text"
	golden_node "$T/a" events-a.jsonl
	golden_node "$T/b" events-b.jsonl
	# the ends name each direction's stream alike, and the two differ
	check_eq "a's sends are in the stream of b's receives" \
		"$(jq -r 'select(.type == "send") | .stream' "$T/a" | sort -u)" \
		"$(jq -r 'select(.type == "recv") | .stream' "$T/b" | sort -u)"
	check_eq "b's sends are in the stream of a's receives" \
		"$(jq -r 'select(.type == "send") | .stream' "$T/b" | sort -u)" \
		"$(jq -r 'select(.type == "recv") | .stream' "$T/a" | sort -u)"
	check "one stream each way" test "$(jq -r 'select(.stream) | .stream' "$T/a" |
		sort -u | wc -l)" = 2
	# the kernel names no sends (scalar clocks): order joins each of a's
	# receives to the send of b whose bytes it read
	printf '{"causal_log":1,"host":"%s","node":"%s","clock":"lamport","start":1}\n' \
		a 00000000000000aa > "$T/a.log"
	printf '{"causal_log":1,"host":"%s","node":"%s","clock":"lamport","start":1}\n' \
		b 00000000000000bb > "$T/b.log"
	cat "$T/a" >> "$T/a.log"
	cat "$T/b" >> "$T/b.log"
	check_eq "a's receives joined to b's sends" \
		"$(jq -r 'select(.type == "send") | "\(.node):\(.id)"' "$T/b" | xargs)" \
		"$("$CAUSALCTL" -j order "$T/a.log" "$T/b.log" 2> /dev/null |
		   jq -r 'select(.type == "recv" and .node == "00000000000000aa") |
			  .from[] | "\(.node):\(.id32)"' | xargs)"
	busywait 5000 lines_are "$T/text" 8 || fail "text: 8 lines"
	check_eq "text: ids and types" "$(jq -r '"\(.id) \(.type)"' "$T/a")" \
		"$(awk '{ print $1, $2 }' "$T/text")"
	grep -q "^3 recv    causal_peer\[[0-9]*/[0-9]*\] tcp 10.74.0.1:[0-9]* <- 10.74.0.2:7400 64 B clock 4 from 00000000000000bb:3$" \
		"$T/text" || fail "text line of a receive"
}

# Every receive names its send: the node and event number on the wire
# match the sender's event, for UDP over IPv4 and IPv6, in Lamport and
# vector mode (where the send is named by participant and count).
keys_match() {
	local mode=$1 fam=$2 dst=10.74.0.2 keyq sendq

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	[ "$fam" = 6 ] && dst=fd00:10:74:0::2
	in_ns a "$CAUSALCTL" clock set "$mode" && in_ns b "$CAUSALCTL" clock set "$mode" ||
		fail "clock $mode"
	monitor a "$T/a"
	monitor b "$T/b"
	in_ns b $TOOL echo 7401 5 --hold 600 > "$T/echo" &
	busywait 20000 has "$T/echo" listening || fail "echo server"
	in_ns a $TOOL ping "$dst" 7401 5 --hold 600 > "$T/ping" &
	busywait 20000 has "$T/ping" done || fail "no echo"
	settle "$T/a" 10 && settle "$T/b" 10 || fail "10 events on each node"
	if [ "$mode" = vector ]; then
		keyq='.from[0] | "\(.participant):\(.count)"'
		sendq='"\(.participant):\(.clock)"'
	else
		keyq='.from[0] | "\(.node):\(.id32)"'
		sendq='"\(.node):\(.id % 4294967296)"'
	fi
	check_eq "b's receives name a's sends" \
		"$(jq -r "select(.type == \"send\") | $sendq" "$T/a")" \
		"$(jq -r "select(.type == \"recv\") | $keyq" "$T/b")"
	check_eq "a's receives name b's sends" \
		"$(jq -r "select(.type == \"send\") | $sendq" "$T/b")" \
		"$(jq -r "select(.type == \"recv\") | $keyq" "$T/a")"
	check_eq "datagram sizes" \
		"$(jq -r 'select(.type == "send") | .bytes' "$T/a" | xargs)" \
		"$(jq -r 'select(.type == "recv") | .bytes' "$T/b" | xargs)"
	check_eq "udp" 20 "$(cat "$T/a" "$T/b" | jq -r .proto | grep -c udp)"
	if [ "$mode" = vector ]; then
		check_eq "vector events carry their clock" 20 \
			"$(cat "$T/a" "$T/b" | jq -r 'select(.vector[.participant] == .clock) | 1' |
			   wc -l)"
	fi
}

# programs - how many of causal's BPF programs are loaded (the kernel drops
# the module references they hold later, when RCU is done with them)
programs() {
	bpftool prog show | grep -c " name causal_"
}

no_programs() {
	[ "$(programs)" = 0 ]
}

# trace -c: programs attached for the command's lifetime only; its events
# (it runs a child) and no one else's; a header and a trailer that count them.
trace_command() {
	local log n tracer

	load_module && shared_detach || fail "module"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	log=$T/a.log
	busywait 30000 no_programs || fail "attached before: $(programs) programs"
	in_ns b "$PEER" server 7402 ab 4 > "$T/peer-b" &
	in_ns b "$PEER" server 7403 ab 4 > "$T/other-b" &
	busywait 5000 listening b 7402 && busywait 5000 listening b 7403 || fail "servers"
	in_ns_sys a "$CAUSALCTL" trace -o "$log" --label alpha \
		-c "touch $T/go; sleep 1; $PEER client 10.74.0.2 7402 ab 4 | cat" \
		2> "$T/err" > "$T/out" &
	tracer=$!
	# Another process of a, while it runs: its events stay out of the log.
	busywait 10000 test -e "$T/go" || fail "command not started"
	in_ns a "$PEER" client 10.74.0.2 7403 ab 4 > "$T/other-a" || fail "other client"
	wait $tracer || fail "trace: $(cat "$T/err")"
	cat "$T/err"
	grep -q "programs attached for the trace" "$T/err" || fail "startup line"
	grep -q "wrote 10 events to $log (0 lost)" "$T/err" || fail "summary line"
	head -1 "$log" | jq -e '.causal_log == 1 and .host == "alpha" and
		.node == "00000000000000aa" and .clock == "lamport" and
		.scope == "thread" and (.filter.command | test("causal_peer client"))' \
		> /dev/null || fail "header: $(head -1 "$log")"
	tail -1 "$log" | jq -e '.events == 10 and .lost == 0 and .end > 0' > /dev/null ||
		fail "trailer: $(tail -1 "$log")"
	n=$(sed '1d;$d' "$log" | jq -r 'select(.comm == "causal_peer") | .type' | xargs)
	check_eq "the client's events" \
		"connect send recv send recv send recv send recv close" "$n"
	check_eq "only its port" "" "$(grep ':7403"' "$log")"
	busywait 30000 no_programs || fail "programs left attached: $(programs)"
}

no_probe_programs() {
	! bpftool prog show | grep -q causal_probe
}

# trace --probe: a kernel function, a tracepoint and a function of a
# library, each hit an event of the thread that hit it, in its place in the
# causal order (thread scope: between the thread's neighbouring events).
trace_probes() {
	local libc

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	libc=$(ldd "$PEER" | awk '/libc.so/ { print $3 }')
	[ -n "$libc" ] || fail "no libc for $PEER"
	in_ns b "$PEER" server 7405 ab 2 > "$T/peer-b" &
	busywait 5000 listening b 7405 || fail "server"
	in_ns a "$CAUSALCTL" trace -o "$T/a.log" -c "$PEER client 10.74.0.2 7405 ab 2" \
		--probe kprobe:tcp_v4_connect \
		--probe tracepoint:sock:inet_sock_set_state \
		--probe "uprobe:$libc:connect" 2> "$T/err" > /dev/null ||
		fail "trace: $(cat "$T/err")"
	cat "$T/err"
	head -1 "$T/a.log" | jq -e '.probes | length == 3' > /dev/null ||
		fail "header: $(head -1 "$T/a.log")"
	# probe hits reach the log up to a tick after socket events: by id
	sed '1d;$d' "$T/a.log" | jq -s -c 'sort_by(.id)[] | {id, type, probe, clock, tid}' \
		> "$T/events"
	cat "$T/events"
	# connect(2) enters libc's connect, then tcp_v4_connect, which moves the
	# socket to SYN_SENT; then the connect event, at the thread's clock
	# (connects tick nothing)
	check_eq "probe events, then the connect" \
		"uprobe:$libc:connect kprobe:tcp_v4_connect tracepoint:sock:inet_sock_set_state connect" \
		"$(jq -r '.probe // .type' "$T/events" | head -4 | xargs)"
	check_eq "clocks climb through them" "1 2 3 3" \
		"$(jq -r .clock "$T/events" | head -4 | xargs)"
	# (the thread may handle the SYN-ACK itself: one more tracepoint hit)
	check_eq "the first send ticks past the events before it" true \
		"$(jq -s '(map(.type) | index("send")) as $i |
			.[$i].clock == ([.[:$i][].clock] | max) + 1' "$T/events")"
	check_eq "same thread" 1 "$(sed '1d;$d' "$T/a.log" | jq -r .tid | sort -u | wc -l)"
	in_ns a "$CAUSALCTL" trace --duration 1 --probe kprobe:no_such_function_here \
		2> "$T/bad" && fail "a probe on no function was accepted"
	grep -q "no such kernel function" "$T/bad" || fail "unclear error: $(cat "$T/bad")"
	busywait 30000 no_probe_programs || fail "probe programs left: $(bpftool prog show | grep causal_probe)"
}

# trace until SIGINT (Ctrl-C) or --duration: a complete log either way, and
# nothing left attached; the attached programs of an operator are reused.
trace_stops() {
	local pid

	load_module && shared_detach || fail "module"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	nsenter --net=/run/netns/"$NS_PREFIX-a" "$CAUSALCTL" trace -o "$T/int.log" \
		2> "$T/int.err" &
	pid=$!
	busywait 10000 has "$T/int.err" "Ctrl-C stops" || fail "no startup line"
	kill -INT $pid
	wait $pid || fail "trace exited with $?"
	tail -1 "$T/int.log" | jq -e '.events == 0' > /dev/null || fail "trailer after SIGINT"
	busywait 30000 no_programs || fail "left attached after SIGINT: $(programs)"

	in_ns_sys a "$CAUSALCTL" trace --duration 1 -o "$T/dur.log" 2> "$T/dur.err" ||
		fail "trace --duration"
	tail -1 "$T/dur.log" | jq -e '.end and .events == 0' > /dev/null ||
		fail "trailer after --duration"

	attach || fail "attach"
	in_ns a "$CAUSALCTL" trace --duration 1 -o "$T/att.log" 2> "$T/att.err" ||
		fail "trace with programs attached"
	grep -q "attached for the trace" "$T/att.err" && fail "attached a second time"
	[ "$(programs)" -gt 0 ] || fail "the operator's attachment went"
}

# A listener that cannot keep up loses events, never the kernel: they are
# counted by the node and reported to the listener.
overrun() {
	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	CAUSAL_RCVBUF=4096 monitor a "$T/a"
	kill -STOP $MONPID
	in_ns b "$PEER" server 7404 ab 100 > /dev/null &
	busywait 5000 listening b 7404 || fail "server"
	in_ns a "$PEER" client 10.74.0.2 7404 ab 100 > /dev/null || fail "client"
	kill -CONT $MONPID
	busywait 10000 has "$T/a.err" "events lost" || fail "no loss reported"
	cat "$T/a.err"
	busywait 5000 grep -q '^{"lost":' "$T/a" || fail "no lost line: $(grep -v '"node"' "$T/a")"
	[ "$(stat_of a events_dropped)" -gt 0 ] ||
		fail "events_dropped not counted"
	check_eq "the kernel kept going" 200 \
		"$(in_ns a "$CAUSALCTL" -j status | jq '.stats.sends + .stats.receives')"
}

# Listening needs CAP_NET_ADMIN: others get a clear error.
unprivileged() {
	local err

	load_module || fail "module"
	require_command setpriv
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CAUSALCTL" monitor --count 1 2>&1) && fail "monitor ran unprivileged"
	log "$err"
	[[ $err == *"needs CAP_NET_ADMIN"* ]] || fail "unclear error: $err"
}

OTLP_NPM=$BUILD/npm/node_modules

# collector ARGS... - a third namespace, c, joined to a (10.75.0.2) and b
# (10.76.0.2), with an OTLP receiver (selftests/otlp/receiver.js: the
# OpenTelemetry project's definitions decode what it is sent) on all its
# addresses; its port in PORT, its pid in RECEIVER; the receiver writes its
# counts to $T/summary and its spans to $T/spans when stopped
collector() {
	require_command node
	[ -f "$OTLP_NPM/@opentelemetry/otlp-transformer/build/src/generated/root.js" ] ||
		skip "no OpenTelemetry definitions in $OTLP_NPM (make selftests fetches them from the npm registry)"
	ns_create c && veth_pair a c 10.75.0 && veth_pair b c 10.76.0 || return 1
	receiver "$@"
}

# receiver ARGS... - (another) receiver in c, on all its addresses
receiver() {
	OTLP_RUN="ip netns exec $NS_PREFIX-c" otlp_receiver --host 0.0.0.0 --dump "$T/spans" "$@"
}

udp_listening() {
	[[ $(in_ns "$1" ss -Hlun "sport = :$2") == UNCONN* ]]
}

# the events of a log, one JSON object a line
events_of() {
	sed '1d;$d' "$1" | grep -v '^{"lost"'
}

# trace --otlp on two nodes to one collector, a's in protobuf, b's in JSON:
# it gets one span per event of each log, each span once, with the parent
# and links that the events themselves say (a thread's previous event; the
# sends UDP stamps and a TCP connection's first bytes name), all of them
# spans it got, in the traces they are in; causalctl's own posts are not
# events.
trace_otlp() {
	local n links tb

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	collector || fail "collector"
	in_ns_sys b "$CAUSALCTL" trace -o "$T/b.log" --otlp "http://10.76.0.2:$PORT/v1/traces" \
		--otlp-json -c "$TOOL echo 7410 12 & $PEER server 7411 ab 4; wait" \
		2> "$T/b.err" &
	tb=$!
	busywait 60000 udp_listening b 7410 && busywait 60000 listening b 7411 ||
		fail "servers: $(cat "$T/b.err")"
	in_ns_sys a "$CAUSALCTL" trace -o "$T/a.log" --otlp "http://10.75.0.2:$PORT/v1/traces" \
		--otlp-batch 7 -c "$TOOL ping 10.74.0.2 7410 12 && $PEER client 10.74.0.2 7411 ab 4" \
		2> "$T/a.err" > /dev/null || fail "trace a: $(cat "$T/a.err")"
	wait $tb || fail "trace b: $(cat "$T/b.err")"
	otlp_receiver_stop
	cat "$T/a.err" "$T/b.err"
	for n in a b; do
		events_of "$T/$n.log" | jq -r '.id' | sort -n > "$T/$n.ids"
		jq -r "select(.node == \"00000000000000$n$n\") | .id" "$T/spans" | sort -n \
			> "$T/$n.spans"
		[ -s "$T/$n.ids" ] || fail "no events in $n's log"
		check_eq "$n: a span for each event of the log" "$(cat "$T/$n.ids")" \
			"$(cat "$T/$n.spans")"
		grep -q "$(wc -l < "$T/$n.ids") of $(wc -l < "$T/$n.ids") spans delivered" \
			"$T/$n.err" || fail "$n's report: $(cat "$T/$n.err")"
	done
	check_eq "protobuf and JSON" "application/json,application/x-protobuf" \
		"$(jq -r '.contentTypes | keys | join(",")' "$T/summary")"
	check_eq "each span once" "$(jq -r .distinct "$T/summary")" "$(jq -r .spans "$T/summary")"
	# links: every scalar stamp, and a thread's previous event in another trace
	links=$(cat "$T/a.log" "$T/b.log" | grep '"type"' | jq -s '
		([.[].from // [] | .[] | select(.id32)] | length) +
		([group_by([.node, .tid, .tstart])[] | sort_by(.id) |
		  [range(1; length) as $i |
		   select((.[$i].id / 4096 | floor) != (.[$i - 1].id / 4096 | floor))] |
		  length] | add)')
	check_eq "links" "$links" "$(jq -r .links "$T/summary")"
	[ "$links" -ge 24 ] || fail "only $links links: the UDP stamps name their sends"
	check_eq "every parent and link is a span it got, in its trace" "" \
		"$(jq -s -r '(map({key: (.trace + .span), value: 1}) | from_entries) as $s |
			.[] | . as $x |
			((.links[] | select($s[.[0] + .[1]] | not) | "link \(.) of \($x.id)"),
			 (select(.parent and ($s[$x.trace + .parent] | not)) |
			  "parent of \(.node) \(.id)"))' "$T/spans")"
	check_eq "the parents: a thread's events but its first" \
		"$(cat "$T/a.log" "$T/b.log" | grep '"type"' | jq -s '[group_by([.node, .tid,
			.tstart])[] | length - 1] | add')" \
		"$(jq -s '[.[] | select(.parent)] | length' "$T/spans")"
	grep -q '"comm":"causalctl"' "$T/a.log" "$T/b.log" && fail "causalctl's own events traced"
	return 0
}

# A collector that is down for a while, then answers 429 with Retry-After,
# gets every span all the same; when it answers 503 for good it gets none:
# trace says how many it dropped (the queue was full) and lost, they add up
# to the events, the log has them all and trace fails.  monitor --otlp
# streams too.  (One collector, whose answers signals change: under
# emulation node takes seconds to start.)
trace_otlp_retries() {
	local n n1 lost dropped mon

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	collector --down 2000 --fail 2 --status 429 --retry-after 1 || fail "collector"
	in_ns b $TOOL echo 7412 30 > /dev/null &
	busywait 60000 udp_listening b 7412 || fail "echo"
	in_ns_sys a "$CAUSALCTL" trace -o "$T/a.log" --otlp "http://10.75.0.2:$PORT/v1/traces" \
		-c "$TOOL ping 10.74.0.2 7412 10" 2> "$T/a.err" > /dev/null ||
		fail "trace: $(cat "$T/a.err")"
	cat "$T/a.err"
	n1=$(events_of "$T/a.log" | wc -l)
	grep -q "$n1 of $n1 spans delivered" "$T/a.err" || fail "report: $(cat "$T/a.err")"
	grep -Eq "\(([1-9][0-9]*) retries\)" "$T/a.err" || fail "no retries: $(cat "$T/a.err")"

	kill -USR1 $RECEIVER
	in_ns_sys a "$CAUSALCTL" trace -o "$T/l.log" --otlp-batch 1 --otlp-queue 1 \
		--otlp "http://10.75.0.2:$PORT/v1/traces" \
		-c "$TOOL ping 10.74.0.2 7412 10" 2> "$T/l.err" > /dev/null &&
		fail "trace succeeded though every span was lost"
	cat "$T/l.err"
	n=$(events_of "$T/l.log" | wc -l)
	check_eq "the log has every event" "$n" "$(tail -1 "$T/l.log" | jq .events)"
	[[ $(cat "$T/l.err") =~ ,\ ([0-9]+)\ lost:\ HTTP\ 503 ]] ||
		fail "report: $(cat "$T/l.err")"
	lost=${BASH_REMATCH[1]} dropped=0
	[[ $(cat "$T/l.err") =~ ,\ ([0-9]+)\ dropped\ \(the\ queue\ was\ full\) ]] &&
		dropped=${BASH_REMATCH[1]}
	check_eq "dropped and lost: the events" "$n" "$((dropped + lost))"
	grep -q "0 of $n spans delivered" "$T/l.err" || fail "report: $(cat "$T/l.err")"

	kill -USR2 $RECEIVER
	ip netns exec "$NS_PREFIX-a" "$CAUSALCTL" -j monitor \
		--otlp "http://10.75.0.2:$PORT/v1/traces" > "$T/m" 2> "$T/m.err" &
	mon=$!
	busywait 60000 has "$T/m.err" listening || fail "monitor: $(cat "$T/m.err")"
	in_ns a $TOOL ping 10.74.0.2 7412 10 > /dev/null || fail "ping"
	# the ping's socket closes last
	busywait 60000 has "$T/m" '"type":"close"' || fail "monitor: $(wc -l < "$T/m") events"
	kill -INT $mon
	wait $mon || fail "monitor: $(cat "$T/m.err")"
	cat "$T/m.err"
	otlp_receiver_stop
	check_eq "every span but the 503's: the first trace's and monitor's" \
		"$((n1 + $(wc -l < "$T/m")))" "$(jq -r .spans "$T/summary")"
	check_eq "answered 429" 2 "$(jq -r '.answered["429"]' "$T/summary")"
	[ "$(jq -r '.answered["503"]' "$T/summary")" -ge 6 ] ||
		fail "503s: $(jq -c .answered "$T/summary")"
	"$CAUSALCTL" trace --otlp-json -o "$T/x.log" 2> "$T/err" && fail "--otlp-json alone taken"
	grep -q "go with --otlp" "$T/err" || fail "no reason: $(cat "$T/err")"
	[ -e "$T/x.log" ] && fail "a log written after a usage error"
	return 0
}

run_test "monitor: golden JSON of a TCP exchange" monitor_golden
run_test "keys: UDP, lamport, IPv4" keys_match lamport 4
run_test "keys: UDP, hlc, IPv6" keys_match hlc 6
run_test "keys: UDP, vector, IPv4" keys_match vector 4
run_test "trace -c: the command's events, attached meanwhile" trace_command
run_test "trace: stops on SIGINT and --duration" trace_stops
run_test "trace --probe: kprobe, tracepoint, uprobe in the causal order" trace_probes
run_test "overrun: lost, counted, reported" overrun
run_test "unprivileged: a clear error" unprivileged
run_test "trace --otlp: spans, parents and links to a collector, live" trace_otlp
run_test "trace --otlp: retried, dropped and lost counted; monitor --otlp" trace_otlp_retries
exit_tests
