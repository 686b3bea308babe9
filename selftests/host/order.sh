#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# causalctl order and why on the host, against the truth: order_gen.py
# simulates hosts exchanging TCP and UDP messages and writes their logs and
# the true happened-before; order_check.py compares what causalctl says with
# it and reads the exports as their consumers do.

. "$(dirname "$0")/../lib.sh"

HOST_TEST=1

PY=/usr/bin/python3
GEN=$TOP/selftests/order_gen.py
CHECK=$TOP/selftests/order_check.py
D=$(mktemp -d /tmp/causal-order.XXXXXX)
trap 'rm -rf "$D"' EXIT

# gen NAME ARGS... - logs of a simulation in $D/NAME
gen() {
	local name=$1
	shift
	$PY "$GEN" --out "$D/$name" "$@"
}

# order_of NAME [ARGS...] - causalctl -j order of $D/NAME into $D/NAME/order.json,
# its stderr into $D/NAME/err; its status is order's
order_of() {
	local name=$1
	shift
	"$CAUSALCTL" -j order "$@" "$D/$name"/*.log > "$D/$name/order.json" 2> "$D/$name/err"
}

# expect_report NAME KIND REGEX - order's reports of $D/NAME have one of
# KIND, on stderr and as JSON, saying REGEX
expect_report() {
	grep -Eq "$3" "$D/$1/err" || fail "no report matching '$3' on stderr: $(cat "$D/$1/err")"
	jq -se --arg k "$2" 'any(.report == $k)' "$D/$1/order.json" > /dev/null ||
		fail "no {\"report\":\"$2\"} object in the JSON output"
}

# Small logs written by hand: web-1 connects to db-1 and asks; db-1 answers
# after a message from ghost, a node without a log, to which web-1 wrote.
small_logs() {
	mkdir -p "$D/small"
	cat > "$D/small/web.log" <<-'EOF'
	{"causal_log":1,"host":"web-1","node":"00000000000000a1","clock":"lamport","scope":"thread","start":1000}
	{"node":"00000000000000a1","id":1,"type":"connect","time":1100,"pid":7,"tid":8,"comm":"curl","proto":"tcp","src":"10.0.0.1:4000","dst":"10.0.0.2:80","cookie":11}
	{"node":"00000000000000a1","id":2,"type":"send","time":1200,"pid":7,"tid":8,"comm":"curl","proto":"tcp","src":"10.0.0.1:4000","dst":"10.0.0.2:80","cookie":11,"bytes":78,"seq":1,"clock":2}
	{"node":"00000000000000a1","id":3,"type":"send","time":1210,"pid":7,"tid":9,"comm":"curl","proto":"udp","src":"10.0.0.1:5000","dst":"10.0.0.3:53","cookie":12,"bytes":30,"clock":3}
	{"node":"00000000000000a1","id":4,"type":"recv","time":1500,"pid":7,"tid":8,"comm":"curl","proto":"tcp","src":"10.0.0.1:4000","dst":"10.0.0.2:80","cookie":11,"bytes":100,"from":[{"node":"00000000000000b2","id32":4}],"future":[1,{"x":null}]}
	{"end":2000,"events":4,"lost":0}
	EOF
	cat > "$D/small/db.log" <<-'EOF'
	{"causal_log":1,"host":"db-1","node":"00000000000000b2","clock":"lamport","scope":"thread","start":1000}
	{"node":"00000000000000b2","id":1,"type":"accept","time":1150,"pid":9,"tid":9,"comm":"nginx","proto":"tcp","src":"10.0.0.2:80","dst":"10.0.0.1:4000","cookie":22}
	{"node":"00000000000000b2","id":2,"type":"recv","time":1250,"pid":9,"tid":9,"comm":"nginx","proto":"tcp","src":"10.0.0.2:80","dst":"10.0.0.1:4000","cookie":22,"bytes":78,"from":[{"node":"00000000000000a1","id32":2}]}
	{"node":"00000000000000b2","id":3,"type":"recv","time":1260,"pid":9,"tid":10,"comm":"nginx","proto":"udp","src":"10.0.0.2:53","dst":"10.0.0.3:53","cookie":23,"bytes":20,"from":[{"node":"00000000000000c3","id32":7}]}
	{"node":"00000000000000b2","id":4,"type":"send","time":1300,"pid":9,"tid":10,"comm":"nginx","proto":"tcp","src":"10.0.0.2:80","dst":"10.0.0.1:4000","cookie":22,"bytes":100}
	{"end":2000,"events":4,"lost":0}
	EOF
}

order_is_a_linear_extension_of_happened_before() {
	gen full --hosts 5 --threads 3 --events 1500 --seed 7 --shuffle || fail "generator"
	order_of full || fail "order failed: $(cat "$D/full/err")"
	check "no report on complete logs" test ! -s "$D/full/err"
	$PY "$CHECK" linear "$D/full/truth.json" "$D/full/order.json" || fail "not a linear extension"
}

why_answers_match_the_truth_on_complete_logs() {
	gen why --hosts 4 --threads 2 --events 600 --seed 3 || fail "generator"
	$PY "$CHECK" why "$D/why/truth.json" "$CAUSALCTL" 400 1 "$D/why"/*.log ||
		fail "a wrong answer"
}

# TCP receives that name no sends, as the kernel writes them for scalar
# clocks, but their stream and sequence numbers (which wrap past 2^32):
# joined by bytes, the order is a linear extension and every why answer is
# the truth's, and each receive names exactly the sends whose bytes it read.
tcp_receives_are_joined_by_bytes() {
	gen bytes --hosts 4 --threads 2 --events 1500 --seed 11 --by-bytes || fail "generator"
	check "receives name no sends" test "$(cat "$D/bytes"/*.log |
		jq -s '[.[] | select(.type == "recv" and .proto == "tcp" and .from)] | length')" = 0
	order_of bytes || fail "order failed: $(cat "$D/bytes/err")"
	check "no report on complete logs" test ! -s "$D/bytes/err"
	$PY "$CHECK" linear "$D/bytes/truth.json" "$D/bytes/order.json" ||
		fail "not a linear extension"
	$PY "$CHECK" why "$D/bytes/truth.json" "$CAUSALCTL" 400 1 "$D/bytes"/*.log ||
		fail "a wrong answer"
	check "a receive cut a send" test "$(jq -s '[.[] | select(.type == "recv" and
		.proto == "tcp") | .from | length] | max' "$D/bytes/order.json")" -ge 2
}

missing_host_is_reported_and_why_never_guesses() {
	gen miss --hosts 4 --threads 2 --events 800 --seed 5 --drop-host 1 || fail "generator"
	order_of miss || fail "order exited with $?"
	expect_report miss missing "node 000000000000a001 .*no log \(missing host or filtered log\)"
	# (the order cannot follow paths through the missing host: why says unknown)
	$PY "$CHECK" why "$D/miss/truth.json" "$CAUSALCTL" 300 2 --unknown-ok "$D/miss"/*.log ||
		fail "a false answer"
}

filtered_log_is_reported_and_why_never_guesses() {
	gen filt --hosts 3 --threads 4 --events 600 --seed 11 --filter-host 2 || fail "generator"
	order_of filt || fail "order exited with $?"
	expect_report filt filtered "h2.log: filtered"
	$PY "$CHECK" why "$D/filt/truth.json" "$CAUSALCTL" 200 3 --unknown-ok "$D/filt"/*.log ||
		fail "a false answer"
}

cut_and_lossy_logs_are_reported() {
	gen cut --hosts 3 --threads 2 --events 400 --seed 13 --cut-host 0 --lost-host 1 ||
		fail "generator"
	order_of cut || fail "order exited with $?"
	expect_report cut cut "h0.log: no trailer: the log was cut short"
	expect_report cut lost "h1.log: 3 events lost"
	$PY "$CHECK" why "$D/cut/truth.json" "$CAUSALCTL" 200 4 --unknown-ok "$D/cut"/*.log ||
		fail "a false answer"
}

duplicate_events_are_dropped_and_reported() {
	gen dup --hosts 3 --threads 2 --events 300 --seed 17 --dup || fail "generator"
	order_of dup || fail "order exited with $?"
	expect_report dup duplicate "1 duplicate events, dropped: h2:[0-9]+"
	$PY "$CHECK" linear "$D/dup/truth.json" "$D/dup/order.json" || fail "not a linear extension"
}

ambiguous_stamps_are_reported() {
	gen amb --hosts 3 --threads 2 --events 300 --seed 19 --ambiguous || fail "generator"
	order_of amb || fail "order exited with $?"
	expect_report amb ambiguous "match more than one send"
}

a_cycle_is_inconsistent_and_named() {
	gen cyc --hosts 3 --threads 2 --events 300 --seed 23 --cycle || fail "generator"
	order_of cyc
	check_eq "order's status on a cycle" 1 $?
	expect_report cyc cycle "inconsistent logs: a cycle of [0-9]+ events.*: h[0-9]:[0-9]+, h"
	"$CAUSALCTL" why h0:1 h1:1 "$D/cyc"/*.log > /dev/null 2>&1
	check_eq "why's status on a cycle" 1 $?
}

text_order_is_as_expected() {
	local got want

	small_logs
	got=$("$CAUSALCTL" order --label db-1=db "$D/small"/*.log 2> "$D/small/err")
	check_eq "status" 0 $?
	want='       1 web-1:1 connect curl[8] tcp 10.0.0.1:4000->10.0.0.2:80
       2 db:1 accept nginx[9] tcp 10.0.0.2:80->10.0.0.1:4000 <- web-1:1
       3 web-1:2 send curl[8] tcp 10.0.0.1:4000->10.0.0.2:80 78B
       4 web-1:3 send curl[9] udp 10.0.0.1:5000->10.0.0.3:53 30B
       5 db:2 recv nginx[9] tcp 10.0.0.2:80->10.0.0.1:4000 78B <- web-1:2
       6 db:3 recv nginx[10] udp 10.0.0.2:53->10.0.0.3:53 20B
       7 db:4 send nginx[10] tcp 10.0.0.2:80->10.0.0.1:4000 100B
       8 web-1:4 recv curl[8] tcp 10.0.0.1:4000->10.0.0.2:80 100B <- db:4'
	check_eq "text order" "$want" "$got"
	grep -q "1 receive names sends of node 00000000000000c3 that no log has: it has no log" \
		"$D/small/err" || fail "missing send not reported: $(cat "$D/small/err")"
	got=$("$CAUSALCTL" order --vc "$D/small"/*.log 2> /dev/null | sed -n 8p)
	check_eq "vector clock" \
		'       8 web-1:4 recv curl[8] tcp 10.0.0.1:4000->10.0.0.2:80 100B <- db-1:4 vc={"db-1/9":2,"db-1/10":2,"web-1/8":3}' \
		"$got"
}

why_gives_the_shortest_evidence() {
	local got want

	small_logs
	got=$("$CAUSALCTL" why web-1:1 00000000000000b2:4 "$D/small"/*.log 2> /dev/null)
	check_eq "status" 0 $?
	want='before: web-1:1 happened before db-1:4
evidence (3 edges):
           web-1:1 connect curl[8] tcp 10.0.0.1:4000->10.0.0.2:80
  program  web-1:2 send curl[8] tcp 10.0.0.1:4000->10.0.0.2:80 78B
  message  db-1:2 recv nginx[9] tcp 10.0.0.2:80->10.0.0.1:4000 78B
  socket   db-1:4 send nginx[10] tcp 10.0.0.2:80->10.0.0.1:4000 100B'
	check_eq "evidence" "$want" "$got"
	got=$("$CAUSALCTL" -j why db-1:4 web-1:1 "$D/small"/*.log 2> /dev/null |
		jq -r '.answer + " " + ([.path[] | .event + "/" + (.edge // "-")] | join(" "))')
	check_eq "JSON answer" \
		"after web-1:1/- web-1:2/program db-1:2/message db-1:4/socket" "$got"
}

why_says_unknown_and_blames_receives() {
	local got

	small_logs
	# web-1:3 went to ghost (no log); db-1:3 came from ghost
	got=$("$CAUSALCTL" -j why web-1:3 db-1:4 "$D/small"/*.log 2> /dev/null)
	check_eq "status" 1 $?
	check_eq "answer" unknown "$(jq -r .answer <<< "$got")"
	check_eq "exit" "web-1:3" "$(jq -r .exit.event <<< "$got")"
	check_eq "receives" "db-1:3" "$(jq -r '.receives[].event' <<< "$got")"
	# no send of web-1 that no log received reaches db-1:2's thread: concurrent
	got=$("$CAUSALCTL" why type=recv,comm=nginx 'comm=curl,tid=9' "$D/small"/*.log 2> /dev/null)
	check_eq "status" 0 $?
	check_eq "answer" "concurrent: neither happened before the other" "$got"
}

why_selects_events_by_filter() {
	local got

	small_logs
	got=$("$CAUSALCTL" -j why 'type=send,port=80#2' host=web-1,type=recv "$D/small"/*.log \
		2> /dev/null | jq -r '.a + " " + .b + " " + .answer')
	check_eq "filters" "db-1:4 web-1:4 before" "$got"
	"$CAUSALCTL" why type=send,colour=red web-1:1 "$D/small"/*.log > /dev/null 2>&1
	check_eq "a bad key is a usage error" 2 $?
	"$CAUSALCTL" why type=close web-1:1 "$D/small"/*.log > /dev/null 2>&1
	check_eq "no match fails" 1 $?
	"$CAUSALCTL" why web-1:99 web-1:1 "$D/small"/*.log > /dev/null 2>&1
	check_eq "no such event fails" 1 $?
}

exports_are_read_by_their_consumers() {
	local n

	gen exp --hosts 4 --threads 2 --events 500 --seed 29 || fail "generator"
	"$CAUSALCTL" order --shiviz "$D/exp/shiviz.log" --perfetto "$D/exp/perfetto.json" \
		--dot "$D/exp/graph.dot" --otlp "$D/exp/otlp.json" "$D/exp"/*.log > /dev/null ||
		fail "order with exports"
	$PY "$CHECK" shiviz "$D/exp/truth.json" "$D/exp/shiviz.log" || fail "ShiViz"
	$PY "$CHECK" perfetto "$D/exp/perfetto.json" 500 || fail "Perfetto"
	$PY "$CHECK" otlp "$D/exp/otlp.json" "$TOP/selftests/otlp-trace.schema.json" 500 ||
		fail "OTLP"
	require_command dot
	dot -Tsvg "$D/exp/graph.dot" > "$D/exp/graph.svg" || fail "dot -Tsvg"
	n=$(grep -c '<g id="node[0-9]*" class="node">' "$D/exp/graph.svg")
	check_eq "nodes in the SVG" 500 "$n"
}

bad_input_is_named_and_fails() {
	local err

	small_logs
	printf '%s\n' '{"causal_log":1,"host":"x","node":"00000000000000d4"}' \
		'{"node":"00000000000000d4","id":"7","type":"send"}' > "$D/small/bad.log"
	err=$("$CAUSALCTL" order "$D/small/bad.log" 2>&1)
	check_eq "status" 1 $?
	check_eq "error" "causalctl: $D/small/bad.log:2: \"id\" is not a number" "$err"
	printf '%s\n' '{"causal_log":1,"node":"00000000000000d4"}' '{"node":"00' > "$D/small/bad.log"
	err=$("$CAUSALCTL" order "$D/small/bad.log" 2>&1)
	check_eq "status" 1 $?
	check_eq "error" "causalctl: $D/small/bad.log:2: unterminated string" "$err"
	printf '%s\n' '{"causal_log":2,"node":"00000000000000d4"}' > "$D/small/bad.log"
	err=$("$CAUSALCTL" order "$D/small/bad.log" 2>&1)
	check_eq "status" 1 $?
	[[ $err == *"causal_log version 2 is not known"* ]] || fail "version: $err"
	err=$("$CAUSALCTL" order "$D/small/none.log" 2>&1)
	check_eq "status" 1 $?
	check_eq "error" "causalctl: $D/small/none.log: No such file or directory" "$err"
	"$CAUSALCTL" order > /dev/null 2>&1
	check_eq "no logs" 2 $?
	"$CAUSALCTL" order --bogus "$D/small/web.log" > /dev/null 2>&1
	check_eq "bad option" 2 $?
	"$CAUSALCTL" order --label nolabel "$D/small/web.log" > /dev/null 2>&1
	check_eq "bad label" 2 $?
	"$CAUSALCTL" why web-1:1 "$D/small/web.log" > /dev/null 2>&1
	check_eq "why without two events" 2 $?
	"$CAUSALCTL" order help | grep -q "Usage: causalctl order" || fail "order help"
}

# edges_of FILE - an order's events and what each names, whatever the positions
edges_of() {
	cut -c10- "$1" | sort
}

# order streams the logs by default; --in-memory holds the whole graph. On
# logs out of id order, joined by bytes, with a host missing, both print
# the same events with the same edges and make the same reports.
streaming_order_is_the_whole_graphs() {
	local name args
	for name in full bytes miss; do
		case $name in
		full) args="--hosts 5 --threads 3 --events 1500 --seed 7 --shuffle" ;;
		bytes) args="--hosts 4 --threads 2 --events 1500 --seed 11 --by-bytes" ;;
		miss) args="--hosts 4 --threads 2 --events 800 --seed 5 --drop-host 1" ;;
		esac
		# shellcheck disable=SC2086
		gen "s$name" $args || fail "generator"
		"$CAUSALCTL" order "$D/s$name"/*.log > "$D/s$name/stream" 2> "$D/s$name/serr" ||
			fail "$name: order failed: $(cat "$D/s$name/serr")"
		"$CAUSALCTL" order --in-memory "$D/s$name"/*.log > "$D/s$name/graph" \
			2> "$D/s$name/gerr" || fail "$name: order --in-memory failed"
		check_eq "$name: events and edges" "$(edges_of "$D/s$name/graph")" \
			"$(edges_of "$D/s$name/stream")"
		check_eq "$name: reports" "$(sed 's/: [^:]*:[0-9]*,.*//' "$D/s$name/gerr" | sort)" \
			"$(sed 's/: [^:]*:[0-9]*,.*//' "$D/s$name/serr" | sort)"
		"$CAUSALCTL" -j order "$D/s$name"/*.log > "$D/s$name/order.json" 2> /dev/null
		[ $name = miss ] ||
			$PY "$CHECK" linear "$D/s$name/truth.json" "$D/s$name/order.json" ||
			fail "$name: not a linear extension"
	done
	check "the missing host is reported" grep -q "node 000000000000a001 .*no log" "$D/smiss/serr"
	# a receive the kernel named three sends for, joined by bytes to four more
	mkdir -p "$D/s7"
	{
		echo '{"causal_log":1,"host":"b","node":"00000000000000b2","start":1}'
		for i in 1 2 3; do
			echo "{\"node\":\"00000000000000b2\",\"id\":$i,\"type\":\"send\",\"time\":10$i,\"tid\":1,\"comm\":\"u\",\"proto\":\"udp\",\"src\":\"10.0.0.2:1\",\"dst\":\"10.0.0.1:1\",\"cookie\":9,\"bytes\":1}"
		done
		for i in 4 5 6 7; do
			echo "{\"node\":\"00000000000000b2\",\"id\":$i,\"type\":\"send\",\"time\":10$i,\"tid\":1,\"comm\":\"t\",\"proto\":\"tcp\",\"src\":\"10.0.0.2:2\",\"dst\":\"10.0.0.1:2\",\"cookie\":8,\"bytes\":10,\"seq\":$(((i - 4) * 10 + 1)),\"stream\":\"0000000100000002\"}"
		done
	} > "$D/s7/b.log"
	{
		echo '{"causal_log":1,"host":"a","node":"00000000000000a1","start":1}'
		echo '{"node":"00000000000000a1","id":1,"type":"recv","time":200,"tid":1,"comm":"r","proto":"tcp","src":"10.0.0.1:2","dst":"10.0.0.2:2","cookie":7,"bytes":40,"seq":1,"stream":"0000000100000002","from":[{"node":"00000000000000b2","id32":1},{"node":"00000000000000b2","id32":2},{"node":"00000000000000b2","id32":3}]}'
	} > "$D/s7/a.log"
	# (under glibc's heap checker: its stamps outgrow the room they came in)
	check_eq "a receive of seven sends" "a:1 recv r[1] tcp 10.0.0.1:2->10.0.0.2:2 40B <- b:1,b:2,b:3,b:4,b:5,b:6,b:7" \
		"$(LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_CHECK_=3 "$CAUSALCTL" order \
		   "$D/s7"/*.log 2> /dev/null | tail -n 1 | cut -c10-)"
}

# far_logs DIR - web-1's first event receives c3's 400th, a send; c3's
# first is an accept whose connect no log has: every stream waits until
# order reads c3 ahead, past what it holds by default
far_logs() {
	local i
	mkdir -p "$1"
	{
		echo '{"causal_log":1,"host":"web-1","node":"00000000000000a1","clock":"lamport","start":1000}'
		echo '{"node":"00000000000000a1","id":1,"type":"recv","time":1100,"pid":7,"tid":8,"comm":"app","proto":"udp","src":"10.0.0.1:53","dst":"10.0.0.3:53","cookie":1,"bytes":10,"from":[{"node":"00000000000000c3","id32":400}]}'
		echo '{"node":"00000000000000a1","id":2,"type":"probe","time":1200,"pid":7,"tid":8,"comm":"app","probe":"uprobe:/bin/app:done"}'
		echo '{"end":9000,"events":2,"lost":0}'
	} > "$1/web.log"
	{
		echo '{"causal_log":1,"host":"c3","node":"00000000000000c3","clock":"lamport","start":900}'
		echo '{"node":"00000000000000c3","id":1,"type":"accept","time":1000,"pid":9,"tid":9,"comm":"srv","proto":"tcp","src":"10.0.0.3:80","dst":"10.9.9.9:5555","cookie":2}'
		for i in $(seq 2 399); do
			echo "{\"node\":\"00000000000000c3\",\"id\":$i,\"type\":\"probe\",\"time\":$((1000 + i)),\"pid\":9,\"tid\":9,\"comm\":\"srv\",\"probe\":\"uprobe:/bin/srv:tick\"}"
		done
		echo '{"node":"00000000000000c3","id":400,"type":"send","time":1500,"pid":9,"tid":9,"comm":"srv","proto":"udp","src":"10.0.0.3:53","dst":"10.0.0.1:53","cookie":3,"bytes":10,"clock":5}'
		echo '{"end":9000,"events":400,"lost":0}'
	} > "$1/c3.log"
}

# late_log FILE LATE... - a node's 3000 probe hits, where hit 1000 * K of
# the K-th LATE is written LATE lines after its place
late_log() {
	$PY - "$@" <<-'EOF'
	import json, sys
	out, late = sys.argv[1], [int(x) for x in sys.argv[2:]]
	ids = list(range(1, 3001))
	for k, n in enumerate(late, 1):
	    i = ids.index(1000 * k)
	    ids.insert(i + n, ids.pop(i))
	with open(out, "w") as f:
	    f.write('{"causal_log":1,"host":"p","node":"00000000000000d4","start":1}\n')
	    for i in ids:
	        f.write(json.dumps({"node": "00000000000000d4", "id": i, "type": "probe",
	                            "time": 1000 + i, "tid": 7, "comm": "app",
	                            "probe": "uprobe:/bin/app:f"}) + "\n")
	    f.write('{"end":9999,"events":3000,"lost":0}\n')
	EOF
}

# A log's lines out of id order are put back in place: a line 200 lines
# late, and once one was, lines 700 late; one further late than the log
# is read ahead is an error that names --in-memory, which orders it.
streaming_puts_late_lines_in_place() {
	late_log "$D/late.log" 200 700 || fail "generator"
	check_eq "ids in order" "$(seq 1 3000 | xargs)" \
		"$("$CAUSALCTL" order "$D/late.log" | awk '{ sub(/.*:/, "", $2); print $2 }' |
		   xargs)"
	late_log "$D/later.log" 1000 || fail "generator"
	"$CAUSALCTL" order "$D/later.log" > /dev/null 2> "$D/later.err"
	check_eq "status, 1000 lines late at once" 1 $?
	check "the error" grep -q "later.log: event 1000 came after later ones .*: order this log with --in-memory" \
		"$D/later.err"
	check_eq "--in-memory" 3000 "$("$CAUSALCTL" order --in-memory "$D/later.log" | wc -l)"
}

# When every stream waits, order reads ahead to tell an event no log has
# (the accept's connect) from one further on (c3:400); with a --window too
# small to reach it, the receive is ordered without it, and when the send
# comes after all, order says where its order is wrong and fails.
streaming_reads_ahead_and_owns_up() {
	local out
	far_logs "$D/far"
	out=$("$CAUSALCTL" order "$D/far"/*.log 2> "$D/far/err")
	check_eq "status" 0 $?
	check "the receive names c3:400" grep -q "web-1:1 recv .* <- c3:400$" <<< "$out"
	check "the receive after the send" test \
		"$(grep -n "web-1:1 recv" <<< "$out" | cut -d: -f1)" -gt \
		"$(grep -n "c3:400 send" <<< "$out" | cut -d: -f1)"
	check_eq "events" 402 "$(wc -l <<< "$out")"
	check "the accept is reported" grep -q "1 accepts have no connect in the logs: c3:1" \
		"$D/far/err"
	out=$("$CAUSALCTL" -j order --window 256 "$D/far"/*.log 2> "$D/far/err")
	check_eq "status with a small window" 1 $?
	check "the late send is named" grep -q \
		"1 sends or connects came after a receive or accept that names them was ordered, beyond the --window of 256 events: the order is wrong there: c3:400" \
		"$D/far/err"
	check "as a report" jq -se 'any(.report == "window")' > /dev/null <<< "$out"
	"$CAUSALCTL" order --window 10 "$D/far"/*.log > /dev/null 2>&1
	check_eq "a window too small is a usage error" 2 $?
	"$CAUSALCTL" order --window 1000 --in-memory "$D/far"/*.log > /dev/null 2>&1
	check_eq "--window with --in-memory is a usage error" 2 $?
}

# why --stream: what why answers as the logs are read, without the graph
# (as it does on logs larger than half the memory): the truth's answers on
# complete logs, and never a false one on logs that lack a host.
why_streams_the_logs() {
	local w=$D/why-stream first last out
	printf '#!/bin/bash\nexec "%s" "$1" why --stream "${@:3}"\n' "$CAUSALCTL" > "$w"
	chmod +x "$w"
	gen wsc --hosts 4 --threads 2 --events 600 --seed 3 || fail "generator"
	$PY "$CHECK" why "$D/wsc/truth.json" "$w" 120 5 "$D/wsc"/*.log || fail "a wrong answer"
	gen wsb --hosts 3 --threads 2 --events 600 --seed 11 --by-bytes || fail "generator"
	$PY "$CHECK" why "$D/wsb/truth.json" "$w" 80 7 "$D/wsb"/*.log ||
		fail "a wrong answer (joined by bytes)"
	gen wsm --hosts 4 --threads 2 --events 800 --seed 5 --drop-host 1 || fail "generator"
	$PY "$CHECK" why "$D/wsm/truth.json" "$w" 80 6 --unknown-ok "$D/wsm"/*.log ||
		fail "a false answer"
	# the first and last events of a thread: more than 256 events apart
	first=$(jq -r 'select(.tid == 1000 and .id) | .id' "$D/wsc/h0.log" | head -n 1)
	last=$(jq -r 'select(.tid == 1000 and .id) | .id' "$D/wsc/h0.log" | tail -n 1)
	out=$("$CAUSALCTL" why --stream --window 256 "h0:$first" "h0:$last" "$D/wsc"/*.log 2>&1)
	check_eq "status" 0 $?
	check "before, evidence not held" grep -q \
		"no evidence shown: more than 256 events lie between them" <<< "$out"
	check "the answer" grep -q "^before: h0:$first happened before h0:$last$" <<< "$out"
	"$CAUSALCTL" why --in-memory --stream h0:1 h0:2 "$D/wsc"/*.log > /dev/null 2>&1
	check_eq "--in-memory with --stream" 2 $?
}

# The kernel reuses thread ids: two threads with one tid but different
# starts are two threads, not one program order.
a_reused_thread_id_is_another_thread() {
	local got

	mkdir -p "$D/reuse"
	cat > "$D/reuse/a.log" <<-'EOF'
	{"causal_log":1,"host":"a","node":"00000000000000a1","clock":"lamport","scope":"thread","start":1000}
	{"node":"00000000000000a1","id":1,"type":"send","time":1100,"pid":5,"tid":5,"tstart":100,"comm":"old","proto":"udp","src":"10.0.0.1:1","dst":"10.0.0.9:9","cookie":1,"bytes":1,"clock":1}
	{"node":"00000000000000a1","id":2,"type":"send","time":1200,"pid":5,"tid":5,"tstart":900,"comm":"new","proto":"udp","src":"10.0.0.1:2","dst":"10.0.0.9:9","cookie":2,"bytes":1,"clock":1}
	{"node":"00000000000000a1","id":3,"type":"send","time":1300,"pid":5,"tid":5,"tstart":900,"comm":"new","proto":"udp","src":"10.0.0.1:2","dst":"10.0.0.9:9","cookie":2,"bytes":1,"clock":2}
	{"end":2000,"events":3,"lost":0}
	EOF
	got=$("$CAUSALCTL" -j why a:1 a:2 "$D/reuse/a.log" | jq -r .answer)
	check_eq "events of two threads with one tid" concurrent "$got"
	got=$("$CAUSALCTL" -j why a:2 a:3 "$D/reuse/a.log" | jq -r .answer)
	check_eq "events of one thread" before "$got"
}

run_test a_reused_thread_id_is_another_thread a_reused_thread_id_is_another_thread
run_test order_is_a_linear_extension_of_happened_before \
	order_is_a_linear_extension_of_happened_before
run_test why_answers_match_the_truth_on_complete_logs why_answers_match_the_truth_on_complete_logs
run_test tcp_receives_are_joined_by_bytes tcp_receives_are_joined_by_bytes
run_test missing_host_is_reported_and_why_never_guesses \
	missing_host_is_reported_and_why_never_guesses
run_test filtered_log_is_reported_and_why_never_guesses \
	filtered_log_is_reported_and_why_never_guesses
run_test cut_and_lossy_logs_are_reported cut_and_lossy_logs_are_reported
run_test duplicate_events_are_dropped_and_reported duplicate_events_are_dropped_and_reported
run_test ambiguous_stamps_are_reported ambiguous_stamps_are_reported
run_test a_cycle_is_inconsistent_and_named a_cycle_is_inconsistent_and_named
run_test text_order_is_as_expected text_order_is_as_expected
run_test why_gives_the_shortest_evidence why_gives_the_shortest_evidence
run_test why_says_unknown_and_blames_receives why_says_unknown_and_blames_receives
run_test why_selects_events_by_filter why_selects_events_by_filter
run_test exports_are_read_by_their_consumers exports_are_read_by_their_consumers
run_test bad_input_is_named_and_fails bad_input_is_named_and_fails
run_test streaming_order_is_the_whole_graphs streaming_order_is_the_whole_graphs
run_test streaming_reads_ahead_and_owns_up streaming_reads_ahead_and_owns_up
run_test why_streams_the_logs why_streams_the_logs
run_test streaming_puts_late_lines_in_place streaming_puts_late_lines_in_place
exit_tests
