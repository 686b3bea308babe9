#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the benchmarks that run inside a guest (scripts/bench.sh boots
# it).  Prints tables on stdout and writes one JSON object per run to
# $CAUSAL_RESULTS/bench.json.
#
# First what stamping costs (scripts/bench/overhead.sh), then the oracle at
# a larger size than make check runs it: 8 nodes of 2 threads, 40 messages
# per thread, TCP, UDP and both, thread and socket scope.  It prints how many
# pairs of operations were checked and how many answers were exact, unknown
# or wrong.  CAUSAL_SEED=N replays.

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib.sh"
. "$top/selftests/star.sh"

res=${CAUSAL_RESULTS:-/tmp/causal-results}
json=$res/bench.json
SEED=${CAUSAL_SEED:-$(( ($(date +%s) ^ $$) % 100000 + 1 ))}
NODES=${CAUSAL_BENCH_NODES:-8}
THREADS=${CAUSAL_BENCH_THREADS:-2}
MSGS=${CAUSAL_BENCH_MSGS:-40}
bad=0

mkdir -p "$res"
: > "$json"
insmod "$KO" || exit 1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# what stamping costs: off and on, side by side (needs nothing attached)
. "$top/scripts/bench/overhead.sh"

# CAUSAL_BENCH_PARTS: tcp other memory (overhead.sh) oracle
[[ " ${CAUSAL_BENCH_PARTS:-oracle} " = *" oracle "* ]] || exit $bad

"$CAUSALCTL" attach > /dev/null || exit 1

echo "# $(uname -r): the oracle, $NODES nodes x $THREADS threads, $MSGS messages each, seed $SEED"
printf '%-7s %-7s %7s %10s %10s %10s %10s %10s %6s %6s %6s %5s\n' traffic scope ops pairs \
	exact unknown "unk-order" "by-vectors" "f-hb" "f-conc" "f-eq" secs
for run in "tcp thread" "tcp socket" "udp thread" "udp socket" "mixed thread" "mixed socket"; do
	set -- $run
	proto=$1 scope=$2
	T=$(mktemp -d /tmp/causal-bench.XXXXXX)
	t0=$(date +%s)
	oracle_run 4 "$scope" 16 "$NODES" "$THREADS" "$MSGS" 0 "$proto" "$SEED" > "$T/verdict"
	rc=$?
	secs=$(($(date +%s) - t0))
	line=$(grep ' operations ' "$T/verdict")
	# what the vectors alone prove, without the events' participants
	alone=$(sed -n 's/^# by the vectors alone: \([0-9]*\) exact.*/\1/p' "$T/verdict")
	# of the unknown, how many pairs are ordered (the rest are concurrent)
	unk_ord=$(sed -n 's/.* unknown (\([0-9]*\) of them ordered).*/\1/p' <<< "$line")
	if [ -n "$alone" ] && [ -n "$unk_ord" ] && [[ $line =~ ([0-9]+)\ operations.*\ ([0-9]+)\ pairs.*:\ ([0-9]+)\ exact,\ ([0-9]+)\ unknown.*errors:\ ([0-9]+)\ false\ happened-before,\ ([0-9]+)\ false\ concurrent,\ ([0-9]+)\ false\ equal ]]; then
		m=("${BASH_REMATCH[@]}")
		printf '%-7s %-7s %7s %10s %10s %10s %10s %10s %6s %6s %6s %5s\n' "$proto" "$scope" \
			"${m[1]}" "${m[2]}" "${m[3]}" "${m[4]}" "$unk_ord" "$alone" "${m[5]}" "${m[6]}" \
			"${m[7]}" "$secs"
		printf '{"kernel":"%s","bench":"oracle","traffic":"%s","scope":"%s","nodes":%d,"threads":%d,"messages":%d,"seed":%d,"operations":%d,"pairs":%d,"exact":%d,"unknown":%d,"unknown_ordered":%d,"exact_by_vectors":%d,"false_before":%d,"false_concurrent":%d,"false_equal":%d,"seconds":%d}\n' \
			"$(uname -r)" "$proto" "$scope" "$NODES" "$THREADS" "$MSGS" "$SEED" \
			"${m[1]}" "${m[2]}" "${m[3]}" "${m[4]}" "$unk_ord" "$alone" "${m[5]}" "${m[6]}" \
			"${m[7]}" "$secs" >> "$json"
		[ $((m[5] + m[6] + m[7])) = 0 ] || bad=1
	else
		printf '%-7s %-7s  failed: %s\n' "$proto" "$scope" "$(tail -1 "$T/verdict")"
		bad=1
	fi
	[ $rc = 0 ] || bad=1
	ns_cleanup
	rm -rf "$T"
done
"$CAUSALCTL" detach
busywait 60000 rmmod causal 2> /dev/null || echo "# the module stayed in use"
exit $bad
