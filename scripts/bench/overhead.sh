#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# overhead.sh - what stamping costs, in the guest, in one run: TCP bulk
# throughput (iperf3 from Debian) between two namespaces joined by veth,
# with causal's programs detached (off) and attached (on), alternating
# off, on, off, on... CAUSAL_BENCH_REPS times for each clock; the ratio is
# the median of the on runs over the median of the off runs.  While on, the
# kernel's own BPF statistics (kernel.bpf_stats_enabled) give the cost of
# each program per call.  Sourced by scripts/bench/guest.sh after lib.sh:
# prints a table, appends JSON objects to $json, sets bad=1 on failure.
#
# Under TCG emulation absolute numbers mean little; ratios measured in one
# run on one kernel are what to read.

REPS=${CAUSAL_BENCH_REPS:-3}
SECS=${CAUSAL_BENCH_SECS:-3}

# median V... - the median of integers
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# bulk - one iperf3 run from a to b (a server for one client each time),
# its throughput in Mbit/s
bulk() {
	in_ns b iperf3 -s -D -1 > /dev/null 2>&1
	busywait 5000 listening b 5201 || return 1
	in_ns a iperf3 -c 10.78.0.2 -t "$SECS" -J 2> /dev/null |
		jq '.end.sum_received.bits_per_second / 1000000 | floor'
}

overhead_tcp_bulk() {
	local clock i off=() on=() mo mn

	ns_create a b || return 1
	veth_pair a b 10.78.0
	echo "# $(uname -r): TCP bulk, iperf3 a -> b over veth, ${SECS}s runs, $REPS of each, off/on alternating"
	printf '%-8s %12s %12s %7s\n' clock "off Mbit/s" "on Mbit/s" ratio
	for clock in lamport hlc vector; do
		off=() on=()
		in_ns a "$CAUSALCTL" clock set $clock && in_ns b "$CAUSALCTL" clock set $clock ||
			return 1
		for ((i = 0; i < REPS; i++)); do
			off+=("$(bulk)")
			"$CAUSALCTL" attach > /dev/null || return 1
			sysctl -qw kernel.bpf_stats_enabled=1
			on+=("$(bulk)")
			[ "$clock" = lamport ] && [ $i = 0 ] && bpf_costs
			sysctl -qw kernel.bpf_stats_enabled=0
			"$CAUSALCTL" detach
		done
		mo=$(median "${off[@]}")
		mn=$(median "${on[@]}")
		[ "$mo" -gt 0 ] 2> /dev/null || return 1
		printf '%-8s %12s %12s %7s\n' $clock "$mo" "$mn" \
			"$(awk -v a="$mn" -v b="$mo" 'BEGIN { printf "%.3f", a / b }')"
		printf '{"kernel":"%s","bench":"tcp_bulk","clock":"%s","seconds":%d,"off_mbps":[%s],"on_mbps":[%s],"ratio":%s}\n' \
			"$(uname -r)" $clock "$SECS" "$(IFS=,; echo "${off[*]}")" \
			"$(IFS=,; echo "${on[*]}")" \
			"$(awk -v a="$mn" -v b="$mo" 'BEGIN { printf "%.4f", a / b }')" >> "$json"
	done
	pkill -x iperf3
	ns_cleanup
	echo "# programs' cost per call (lamport, first on run, from kernel.bpf_stats_enabled):"
	cat "$res/bpf_costs.txt"
}

# bpf_costs - run_time_ns / run_cnt of each of causal's programs, now
bpf_costs() {
	bpftool prog show -j | jq -r --arg k "$(uname -r)" '
		.[] | select(.name | startswith("causal_")) | select(.run_cnt // 0 > 0) |
		[.name, .run_cnt, (.run_time_ns / .run_cnt | floor)] | @tsv' |
		awk '{ printf "  %-22s %10s calls %8s ns/call\n", $1, $2, $3 }' > "$res/bpf_costs.txt"
	bpftool prog show -j | jq -c --arg k "$(uname -r)" '
		.[] | select(.name | startswith("causal_")) | select(.run_cnt // 0 > 0) |
		{kernel: $k, bench: "bpf_cost", program: .name, calls: .run_cnt,
		 ns_per_call: (.run_time_ns / .run_cnt | floor)}' >> "$json"
}

if ! overhead_tcp_bulk; then
	echo "# TCP bulk overhead: failed"
	bad=1
	ns_cleanup
fi
