#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# OTLP exports against the OpenTelemetry project's own definitions: the
# protobuf export of a merge (order --otlp-proto) is decoded with the
# message definitions OpenTelemetry's JavaScript exporters were built with
# (@opentelemetry/otlp-transformer's protobufjs root, from the npm registry,
# kept in build/npm) and must say, span by span, what the OTLP/JSON export
# of the same logs says.

. "$(dirname "$0")/../lib.sh"

HOST_TEST=1
NPM_DIR=$BUILD/npm
OTLP_NPM=$NPM_DIR/node_modules
DECODE=$TOP/selftests/otlp/decode.js
ID=3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899

# the definitions, fetched once (make selftests does)
definitions() {
	require_command node
	require_command npm
	local why

	why=$("$TOP/selftests/otlp/fetch.sh" "$NPM_DIR" 2>&1) || skip "$why"
}

# Four hosts' logs, one with its events in a Docker container's cgroup:
# every span and link decodes and equals its JSON twin.
protobuf_says_what_json_says() {
	local n got

	definitions || fail "npm"
	tmpdir || return
	/usr/bin/python3 "$TOP/selftests/order_gen.py" --hosts 4 --threads 2 --events 2000 \
		--seed 7 --out "$T/logs" > /dev/null || fail "order_gen"
	sed -i "s|\"comm\":\"\\([^\"]*\\)\",|&\"cgroup_path\":\"/system.slice/docker-$ID.scope\",|" \
		"$T/logs/h1.log"
	n=$(cat "$T"/logs/h*.log | grep -c '"type":')
	"$CAUSALCTL" order --otlp "$T/x.json" --otlp-proto "$T/x.pb" "$T"/logs/h*.log \
		> /dev/null 2> "$T/err" || fail "order: $(cat "$T/err")"
	check "the container is named" grep -q "\"container.id\".*$ID" "$T/x.json"
	got=$(NODE_PATH=$NPM_DIR/node_modules node "$DECODE" "$T/x.pb" "$T/x.json" 2> "$T/err") ||
		fail "$(cat "$T/err")"
	log "spans and links: $got"
	check_eq "spans" "$n" "${got% *}"
	[ "${got#* }" -gt 0 ] || fail "no links"
	# and a wrong byte is noticed
	printf '\x7f' | dd of="$T/x.pb" bs=1 seek=40 conv=notrunc 2> /dev/null
	NODE_PATH=$NPM_DIR/node_modules node "$DECODE" "$T/x.pb" "$T/x.json" > /dev/null 2>&1 &&
		fail "a corrupted export passed"
	return 0
}

# logs - four hosts' logs in $T/logs, one with a container; N: their events,
# LINKS: the links of their JSON export
logs() {
	/usr/bin/python3 "$TOP/selftests/order_gen.py" --hosts 4 --threads 2 --events 1000 \
		--seed 11 --out "$T/logs" > /dev/null || return 1
	sed -i "s|\"comm\":\"\([^\"]*\)\",|&\"cgroup_path\":\"/system.slice/docker-$ID.scope\",|" \
		"$T/logs/h2.log"
	N=$(cat "$T"/logs/h*.log | grep -c '"type":')
	"$CAUSALCTL" order --otlp "$T/x.json" "$T"/logs/h*.log > /dev/null 2>&1 || return 1
	LINKS=$(jq '[.resourceSpans[].scopeSpans[].spans[].links | length] | add' "$T/x.json")
	CONTAINERS=$(grep -o '"container.id"' "$T/x.json" | wc -l)
}

# receiver ARGS... - a collector on a free port, at $URL (lib.sh)
receiver() {
	otlp_receiver "$@"
	URL=http://127.0.0.1:$PORT/v1/traces
}

# summary KEY - a count of the receiver's
summary() {
	jq -r ".$1" "$T/summary"
}

# post [OPTION...] - order the logs to $URL; its report in $T/report
post() {
	"$CAUSALCTL" order --otlp-url "$URL" "$@" "$T"/logs/h*.log > /dev/null 2> "$T/report"
}

# Every span and link reaches the collector, decoded by OpenTelemetry's
# definitions, in protobuf (the default) and in JSON, with the headers asked
# for, in requests of at most --otlp-batch spans.
a_collector_gets_every_span() {
	local json

	definitions || fail "npm"
	tmpdir || return
	logs || fail "logs"
	for json in "" --otlp-json; do
		receiver
		post --otlp-batch 100 --otlp-header "Authorization=Bearer s3cret" $json ||
			fail "order $json: $(cat "$T/report")"
		otlp_receiver_stop
		log "$json: $(cat "$T/report")"
		check_eq "spans $json" "$N" "$(summary spans)"
		check_eq "distinct spans $json" "$N" "$(summary distinct)"
		check_eq "links $json" "$LINKS" "$(summary links)"
		check_eq "containers $json" "$CONTAINERS" "$(summary containers)"
		check_eq "authorization $json" "Bearer s3cret" "$(summary headers.authorization)"
		# 4 hosts of about 250 events each, 100 spans a request at most
		[ "$(summary requests)" -ge 10 ] || fail "$(summary requests) requests"
		grep -q "$N spans delivered" "$T/report" || fail "report: $(cat "$T/report")"
		check_eq "content type $json" \
			"$([ -n "$json" ] && echo application/json || echo application/x-protobuf)" \
			"$(jq -r '.contentTypes | keys | join(",")' "$T/summary")"
	done
}

# A collector that is down for a while, then answers 429 with Retry-After,
# gets everything all the same: the exporter retries.
a_collector_that_comes_back_gets_every_span() {
	definitions || fail "npm"
	tmpdir || return
	logs || fail "logs"
	receiver --down 1500 --fail 2 --status 429 --retry-after 1
	post --otlp-batch 100000 || fail "order: $(cat "$T/report")"
	otlp_receiver_stop
	log "$(cat "$T/report")"
	check_eq "spans" "$N" "$(summary spans)"
	check_eq "answered 429" 2 "$(jq -r '.answered["429"]' "$T/summary")"
	grep -Eq "\(([1-9][0-9]*) retries\)" "$T/report" || fail "no retries: $(cat "$T/report")"
}

# One that answers 503 for good: the spans are counted lost, said, and the
# command fails; one that refuses some in a partial success: said too.
what_a_collector_refuses_is_counted() {
	definitions || fail "npm"
	tmpdir || return
	logs || fail "logs"
	receiver --fail 1000000 --status 503 --retry-after 0
	post --otlp-batch 100000 && fail "order succeeded against a 503"
	otlp_receiver_stop
	log "$(cat "$T/report")"
	grep -q "$N lost: HTTP 503" "$T/report" || fail "report: $(cat "$T/report")"
	check_eq "attempts" 24 "$(summary requests)"
	receiver --refuse 5
	post --otlp-batch 100000 && fail "order succeeded though spans were refused"
	otlp_receiver_stop
	log "$(cat "$T/report")"
	grep -q "20 refused by the collector" "$T/report" || fail "report: $(cat "$T/report")"
	"$CAUSALCTL" order --otlp-header Authorization=x "$T"/logs/h0.log > /dev/null 2> "$T/err" &&
		fail "--otlp-header without --otlp-url taken"
	grep -q "go with --otlp-url" "$T/err" || fail "no reason: $(cat "$T/err")"
}

# order --otlp-url reads the logs as a stream; --in-memory builds the
# graph first: the collector gets the same spans, parents and links.
streamed_spans_are_the_graphs() {
	local mode

	definitions || fail "npm"
	tmpdir || return
	/usr/bin/python3 "$TOP/selftests/order_gen.py" --hosts 4 --threads 2 --events 1500 \
		--seed 13 --by-bytes --out "$T/logs" > /dev/null || fail "logs"
	for mode in stream in-memory; do
		receiver --dump "$T/dump.$mode"
		post --otlp-batch 200 $([ $mode = in-memory ] && echo --in-memory) ||
			fail "order ($mode): $(cat "$T/report")"
		otlp_receiver_stop
		jq -c '{node, id, trace, span, parent, links: (.links | sort)}' "$T/dump.$mode" |
			sort > "$T/spans.$mode"
	done
	check_eq "spans" 1500 "$(wc -l < "$T/spans.stream")"
	check "some links" test "$(jq -s '[.[].links | length] | add' "$T/spans.stream")" -gt 100
	check_eq "the same spans, parents and links" "$(cat "$T/spans.in-memory")" \
		"$(cat "$T/spans.stream")"
}

run_test protobuf_says_what_json_says protobuf_says_what_json_says
run_test a_collector_gets_every_span a_collector_gets_every_span
run_test a_collector_that_comes_back_gets_every_span a_collector_that_comes_back_gets_every_span
run_test what_a_collector_refuses_is_counted what_a_collector_refuses_is_counted
run_test streamed_spans_are_the_graphs streamed_spans_are_the_graphs
exit_tests
