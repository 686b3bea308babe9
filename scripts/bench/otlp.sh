#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# otlp.sh - what trace --otlp costs the reader of the events, on the host:
# the events of a generated log (selftests/order_gen.py, 4 threads, 100,000
# events) encoded as spans ten times over by the stream's own code
# (scripts/bench/otlp_encode.c), in protobuf and in JSON, on one core
# (taskset -c 0), which the sender thread shares: it posts to a port nobody
# listens on, so what it costs is its attempts, not a collector's answers.
#
# Usage: otlp.sh [OUT.json]   (default build/bench/otlp.json)

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
out=${1:-$build/bench/otlp.json}
bin=$build/bench/otlp_encode
logs=$build/bench/otlp-log
url=http://127.0.0.1:9/v1/traces

[ -x "$bin" ] || { echo "otlp.sh: no $bin (make bench builds it)" >&2; exit 1; }
if [ ! -f "$logs/h0.log" ]; then
	/usr/bin/python3 "$top/selftests/order_gen.py" --hosts 1 --threads 4 --events 100000 \
		--seed 9 --out "$logs" > /dev/null || exit 1
fi
: > "$out"
for enc in protobuf json; do
	read -r n secs < <(taskset -c 0 "$bin" "$url" "$logs/h0.log" 10 $enc 2> /dev/null)
	[ -n "$secs" ] || { echo "otlp.sh: $bin failed" >&2; exit 1; }
	us=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.2f", s * 1e6 / n }')
	echo "# live OTLP, $enc: $us us an event in the reader ($n events in $secs s, one core)"
	printf '{"kind":"otlp","encoding":"%s","events":%s,"seconds":%s,"us_per_event":%s}\n' \
		"$enc" "$n" "$secs" "$us" >> "$out"
done
