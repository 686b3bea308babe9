#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - make bench: boot a guest per kernel and run scripts/bench/guest.sh
# in it, then scripts/bench/order.sh on the host.  Usage: bench.sh RELEASE...
# Results: build/bench/RELEASE/bench.json, build/bench/bench.json (all
# kernels), build/bench/overhead.svg, build/bench/order.json and the tables
# on stdout (scripts/bench/report.py); the exit status is non-zero if a run
# failed, an answer was wrong or the off runs of a workload spread by more
# than 1%.
#
# The guests count instructions (scripts/vm/run -I: QEMU's -icount, one
# vCPU): their clock is the instructions they executed, so the ratios are
# of work per instruction, repeatable within a fraction of a percent
# whatever else the host runs.  CAUSAL_BENCH_ICOUNT=0 boots them as make
# check does (wall-clock time, two vCPUs), as make bench once did.

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
out=$build/bench
bad=0

# Without instruction counting, one host thread runs both vCPUs: with a
# thread each, attaching and detaching (which patch the entries of the
# hooked functions) now and then left a vCPU running a stale copy of a
# patched entry, and the guest died of an int3 oops in the middle of a later
# run.  QEMU_ACCEL=tcg,thread=multi overrides.
export QEMU_ACCEL=${QEMU_ACCEL:-tcg,thread=single}
icount=-I
# a guest's whole run: 30 minutes on some two-core hosts, over 60 on others
timeout=${CAUSAL_BENCH_TIMEOUT:-7200}
[ "${CAUSAL_BENCH_ICOUNT:-1}" = 0 ] && icount=

# Counted guests run side by side, one per core: their results do not
# depend on what else runs, only how long they take.  Uncounted ones run
# one after the other.
mkdir -p "$out"
pids=()
[ -n "$icount" ] && [ "$(nproc)" -ge "$#" ] &&
	echo "# $# guests side by side (30 to 70 minutes): logs in $out/RELEASE/bench.log"
for rel in "$@"; do
	mkdir -p "$out/$rel"
	if [ -n "$icount" ] && [ "$(nproc)" -ge "$#" ]; then
		"$top/scripts/vm/run" -c $icount -k "$rel" -t "$timeout" -r "$out/$rel" \
			"$top/scripts/bench/guest.sh" > "$out/$rel/bench.log" 2>&1 &
		pids+=($!)
	else
		"$top/scripts/vm/run" -c $icount -k "$rel" -t "$timeout" -r "$out/$rel" \
			"$top/scripts/bench/guest.sh" 2>&1 | tee "$out/$rel/bench.log"
		[ "${PIPESTATUS[0]}" = 0 ] || bad=1
	fi
done
for pid in "${pids[@]}"; do
	wait "$pid" || bad=1
done
if [ ${#pids[@]} -gt 0 ]; then
	for rel in "$@"; do
		cat "$out/$rel/bench.log"
	done
fi
for rel in "$@"; do
	cat "$out/$rel/bench.json"
done > "$out/bench.json" 2> /dev/null
echo "# results: $out/bench.json"
if grep -q '"kind":"run"' "$out/bench.json" 2> /dev/null; then
	"$top/scripts/bench/report.py" "$out/bench.json" "$out/overhead.svg" || bad=1
fi
# offline: causalctl order on the host, at growing sizes
"$top/scripts/bench/order.sh" "$out/order.json" || bad=1
# what the live OTLP stream costs the reader of the events
"$top/scripts/bench/otlp.sh" "$out/otlp.json" || bad=1
exit $bad
