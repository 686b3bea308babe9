#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# order.sh - how fast causalctl order merges and orders logs, on the host:
# logs of 64 hosts (selftests/order_gen.py) at each size, ordered on one
# core (taskset -c 0), wall time and peak RSS from /usr/bin/time -v; each
# size as order streams it (the default) and, up to 10M events, with
# --in-memory (the whole graph, as the exports and why need), for the ratio.
#
# Usage: order.sh [OUT.json]   (default build/bench/order.json)
# CAUSAL_BENCH_SIZES picks the sizes; by default 10k, 100k, 1M, 10M, and
# 100M when the disk has room for its logs (23 GB; generating them takes
# about half an hour, once).  --in-memory at 10M needs 6 GB available.
# Generated logs are kept under build/bench/order-logs-N and reused.

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
out=${1:-$build/bench/order.json}
causalctl=$top/user/causalctl
hosts=64
mkdir -p "$(dirname "$out")" "$build/bench"
[ -x /usr/bin/time ] || { echo "order.sh: needs /usr/bin/time" >&2; exit 1; }

avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
free_gb=$(df -P -BG "$build/bench" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
if [ -n "$CAUSAL_BENCH_SIZES" ]; then
	sizes=$CAUSAL_BENCH_SIZES
else
	sizes="10000 100000 1000000 10000000"
	if [ -f "$build/bench/order-logs-100000000/.complete" ] || [ "${free_gb:-0}" -ge 30 ]; then
		sizes="$sizes 100000000"
	else
		echo "# 100M events skipped: ${free_gb:-?} GB free on $build/bench, 30 needed"
	fi
fi

# run N MODE [ARGS...] - order the logs of size N, a line on stdout and in $out
first=1
run() {
	local n=$1 mode=$2 logs=$build/bench/order-logs-$1 secs rss
	shift 2
	/usr/bin/time -v -o "$logs/time" taskset -c 0 "$causalctl" order "$@" "$logs"/*.log \
		> /dev/null 2> "$logs/err" || { cat "$logs/err" >&2; return 1; }
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$logs/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$logs/time")
	awk -v n="$n" -v m="$mode" -v s="$secs" -v r="$rss" 'BEGIN {
		printf "%10d %-9s %9.2f %12.0f %9.1f %11.1f\n", n, m, s, n / (s > 0 ? s : 0.01),
			r / 1024, r * 1024 / n }'
	[ $first = 1 ] || echo "," >> "$out"
	first=0
	awk -v n="$n" -v h=$hosts -v m="$mode" -v s="$secs" -v r="$rss" 'BEGIN {
		printf "{\"bench\":\"order\",\"mode\":\"%s\",\"events\":%d,\"hosts\":%d,", m, n, h
		printf "\"seconds\":%.3f,\"events_per_second\":%.0f,", s, n / (s > 0 ? s : 0.01)
		printf "\"peak_rss_kb\":%d,\"bytes_per_event\":%.1f}\n", r, r * 1024 / n }' >> "$out"
}

printf '%10s %-9s %9s %12s %9s %11s\n' events mode seconds events/s "RSS MB" bytes/event
echo "[" > "$out"
bad=0
for n in $sizes; do
	logs=$build/bench/order-logs-$n
	if [ ! -f "$logs/.complete" ]; then
		rm -rf "$logs"
		[ "$n" -ge 100000000 ] && echo "# generating the logs of $n events, once (about half an hour)"
		/usr/bin/python3 "$top/selftests/order_gen.py" --hosts $hosts --threads 4 \
			--events "$n" --seed 1 --no-truth --stream --out "$logs" || exit 1
		touch "$logs/.complete"
	fi
	# warm the page cache (as far as it holds them), then measure
	cat "$logs"/*.log > /dev/null
	run "$n" stream || bad=1
	if [ "$n" -le 10000000 ]; then
		if [ "$n" -lt 10000000 ] || [ "${avail:-0}" -ge 6144 ]; then
			run "$n" in-memory --in-memory || bad=1
		else
			echo "# $n events --in-memory skipped: ${avail:-?} MB available, 6144 needed"
		fi
	fi
done
echo "]" >> "$out"
echo "# results: $out"
exit $bad
