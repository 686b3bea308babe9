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
TRANSFORMER=@opentelemetry/otlp-transformer@0.52.0
DECODE=$TOP/selftests/otlp/decode.js
ID=3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899

# the definitions, fetched once
definitions() {
	require_command node
	require_command npm
	[ -f "$NPM_DIR/node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js" ] &&
		return 0
	mkdir -p "$NPM_DIR" || return 1
	npm install --prefix "$NPM_DIR" --no-audit --no-fund --silent "$TRANSFORMER" \
		> "$NPM_DIR/install.log" 2>&1 ||
		skip "npm could not install $TRANSFORMER: $(tail -1 "$NPM_DIR/install.log")"
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

run_test protobuf_says_what_json_says protobuf_says_what_json_says
exit_tests
