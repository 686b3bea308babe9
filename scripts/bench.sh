#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - make bench: boot a guest per kernel and run scripts/bench/guest.sh
# in it, then scripts/bench/order.sh on the host.  Usage: bench.sh RELEASE...
# Results: build/bench/RELEASE/bench.json, build/bench/order.json and the
# tables on stdout; the exit status is non-zero if a run failed or
# an answer was wrong.

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
out=$build/bench
bad=0

# One host thread runs both vCPUs: with a thread each, attaching and
# detaching (which patch the entries of the hooked functions) now and then
# left a vCPU running a stale copy of a patched entry, and the guest died of
# an int3 oops in the middle of a later run.  Ratios measure CPU cost either
# way; QEMU_ACCEL=tcg,thread=multi overrides.
export QEMU_ACCEL=${QEMU_ACCEL:-tcg,thread=single}

mkdir -p "$out"
for rel in "$@"; do
	"$top/scripts/vm/run" -c -k "$rel" -t 1800 -r "$out/$rel" "$top/scripts/bench/guest.sh" ||
		bad=1
done
cat "$out"/*/bench.json > "$out/bench.json" 2> /dev/null
echo "# results: $out/bench.json"
# offline: causalctl order on the host, at growing sizes
"$top/scripts/bench/order.sh" "$out/order.json" || bad=1
exit $bad
