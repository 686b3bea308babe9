#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# order.sh - how fast causalctl order merges and orders logs, on the host:
# logs of 64 hosts (selftests/order_gen.py) at each size, ordered on one
# core (taskset -c 0), wall time and peak RSS from /usr/bin/time -v.
#
# Usage: order.sh [OUT.json]   (default build/bench/order.json)
# CAUSAL_BENCH_SIZES picks the sizes; by default 10k, 100k, 1M, and 10M when
# the machine has 6 GB available (ordering 10M events takes about 2 GB, and
# generating their logs a few minutes, once).  Generated logs are kept under
# build/bench/order-logs-N and reused.

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
out=${1:-$build/bench/order.json}
avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
if [ -n "$CAUSAL_BENCH_SIZES" ]; then
	sizes=$CAUSAL_BENCH_SIZES
elif [ "${avail:-0}" -ge 6144 ]; then
	sizes="10000 100000 1000000 10000000"
else
	sizes="10000 100000 1000000"
	echo "# 10M events skipped: ${avail:-?} MB available, 6144 needed"
fi
causalctl=$top/user/causalctl
hosts=64

mkdir -p "$(dirname "$out")" "$build/bench"
[ -x /usr/bin/time ] || { echo "order.sh: needs /usr/bin/time" >&2; exit 1; }

printf '%10s %6s %9s %12s %9s %11s\n' events hosts seconds events/s "RSS MB" bytes/event
first=1
echo "[" > "$out"
for n in $sizes; do
	logs=$build/bench/order-logs-$n
	if [ ! -f "$logs/.complete" ]; then
		rm -rf "$logs"
		/usr/bin/python3 "$top/selftests/order_gen.py" --hosts $hosts --threads 4 \
			--events "$n" --seed 1 --no-truth --stream --out "$logs" || exit 1
		touch "$logs/.complete"
	fi
	# warm the page cache, then measure
	cat "$logs"/*.log > /dev/null
	/usr/bin/time -v -o "$logs/time" taskset -c 0 "$causalctl" order "$logs"/*.log \
		> /dev/null 2> "$logs/err" || { cat "$logs/err" >&2; exit 1; }
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$logs/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$logs/time")
	awk -v n="$n" -v h=$hosts -v s="$secs" -v r="$rss" 'BEGIN {
		printf "%10d %6d %9.2f %12.0f %9.1f %11.0f\n", n, h, s, n / (s > 0 ? s : 0.01),
			r / 1024, r * 1024 / n }'
	[ $first = 1 ] || echo "," >> "$out"
	first=0
	awk -v n="$n" -v h=$hosts -v s="$secs" -v r="$rss" 'BEGIN {
		printf "{\"bench\":\"order\",\"events\":%d,\"hosts\":%d,\"seconds\":%.3f,", n, h, s
		printf "\"events_per_second\":%.0f,\"peak_rss_kb\":%d,\"bytes_per_event\":%.0f}\n",
			n / (s > 0 ? s : 0.01), r, r * 1024 / n }' >> "$out"
done
echo "]" >> "$out"
echo "# results: $out"
