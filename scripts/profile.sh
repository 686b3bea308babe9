#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# profile.sh - make profile: where causal's instructions go.  Boots a guest
# per kernel that counts instructions (scripts/vm/run -I) with the plugin
# scripts/bench/insnprof.c, runs scripts/bench/profile-guest.sh in it (UDP
# datagrams off, full and with the empty ablation) and prints, per datagram,
# the instructions of each kernel function (and of user space) that differ
# between the modes (scripts/bench/profile.py).  Usage: profile.sh
# RELEASE...  Results under build/profile/RELEASE.
#
# Exact counts, the same from run to run but for what the scheduler and
# timers do differently; what they cannot show is what an instruction costs
# (cache misses, atomics, contention).

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
out=$build/profile
bad=0

export QEMU_ACCEL=tcg,thread=single
mkdir -p "$out"
pids=()
for rel in "$@"; do
	rm -rf "${out:?}/$rel"
	mkdir -p "$out/$rel"
	QEMU_PLUGIN="$build/bench/insnprof.so,out=$out/$rel/counts" \
		"$top/scripts/vm/run" -q -I -k "$rel" -t 1800 -r "$out/$rel" \
		"$top/scripts/bench/profile-guest.sh" > "$out/$rel/profile.log" 2>&1 &
	pids+=($!)
	# one guest per core at a time
	[ ${#pids[@]} -lt "$(nproc)" ] || { wait "${pids[0]}" || bad=1; pids=("${pids[@]:1}"); }
done
for pid in "${pids[@]}"; do
	wait "$pid" || bad=1
done
for rel in "$@"; do
	python3 "$top/scripts/bench/profile.py" "$out/$rel" || bad=1
done
exit $bad
