#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# overhead.sh - what stamping costs, in the guest, in one run, between two
# namespaces joined by veth, with causal's programs detached (off) and
# attached (on), alternating off, on, off, on... CAUSAL_BENCH_REPS times;
# each ratio is the median of the on runs over the median of the off runs:
#
#   - TCP bulk throughput (iperf3), for each clock;
#   - UDP datagram rate, 64-byte datagrams (iperf3 -u), Lamport;
#   - HTTP: nginx serving a small file to wrk, requests per second and p99
#     latency, Lamport.
#
# While on, the kernel's own BPF statistics (kernel.bpf_stats_enabled) give
# the cost of each program per call.  Sourced by scripts/bench/guest.sh
# after lib.sh: prints tables, appends JSON objects to $json, sets bad=1 on
# failure.
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

# udp_rate - one iperf3 -u run from a to b, datagrams received per second
udp_rate() {
	in_ns b iperf3 -s -D -1 > /dev/null 2>&1
	busywait 5000 listening b 5201 || return 1
	in_ns a iperf3 -u -b 0 -l 64 -c 10.78.0.2 -t "$SECS" -J 2> /dev/null |
		jq '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds | floor'
}

# http - one wrk run against nginx on b: "REQUESTS_PER_S P99_US"
http() {
	in_ns a wrk -t1 -c8 -d"${SECS}s" --latency http://10.78.0.2:8080/small.txt 2> /dev/null |
		awk '/Requests\/sec:/ { r = int($2) }
		     $1 == "99%" { v = $2; u = 1
			if (v ~ /us$/) u = 1; else if (v ~ /ms$/) u = 1000; else if (v ~ /s$/) u = 1000000
			sub(/[a-z]+$/, "", v); p = int(v * u) }
		     END { print r, p }'
}

# off_on MEASURE - alternate MEASURE off and on REPS times, its outputs
# (a line of numbers each) into OFFL and ONL
off_on() {
	local i o n

	OFFL=() ONL=()
	for ((i = 0; i < REPS; i++)); do
		o=$($1)
		"$CAUSALCTL" attach > /dev/null || return 1
		n=$($1)
		"$CAUSALCTL" detach
		[ -n "$o" ] && [ -n "$n" ] || return 1
		OFFL+=("$o") ONL+=("$n")
	done
}

# pick FIELD - OFF and ON: the medians of field FIELD of OFFL and ONL;
# OFFS and ONS: all of them, comma-separated
pick() {
	local offs ons

	offs=$(printf '%s\n' "${OFFL[@]}" | awk -v f="$1" '{ print $f }')
	ons=$(printf '%s\n' "${ONL[@]}" | awk -v f="$1" '{ print $f }')
	OFF=$(median $offs)
	ON=$(median $ons)
	OFFS=$(echo $offs | tr ' ' ,)
	ONS=$(echo $ons | tr ' ' ,)
	[ "$OFF" -gt 0 ] 2> /dev/null
}

# report NAME UNIT - a table line and a JSON object for OFF and ON
report() {
	local ratio

	ratio=$(awk -v a="$ON" -v b="$OFF" 'BEGIN { printf "%.3f", a / b }')
	printf '%-16s %12s %12s %7s\n' "$1" "$OFF" "$ON" "$ratio"
	printf '{"kernel":"%s","bench":"%s","unit":"%s","off":[%s],"on":[%s],"ratio":%s}\n' \
		"$(uname -r)" "$1" "$2" "$OFFS" "$ONS" "$ratio" >> "$json"
}

overhead_other() {
	local www=$1

	echo "# $(uname -r): Lamport clocks, ${SECS}s runs, $REPS of each, off/on alternating"
	printf '%-16s %12s %12s %7s\n' bench off on ratio
	in_ns a "$CAUSALCTL" clock set lamport && in_ns b "$CAUSALCTL" clock set lamport ||
		return 1
	off_on udp_rate && pick 1 && report udp_datagrams_s datagrams/s || return 1
	mkdir -p "$www/www" && printf 'small\n' > "$www/www/small.txt"
	cat > "$www/nginx.conf" <<-EOF
		daemon on;
		master_process off;
		pid $www/nginx.pid;
		error_log $www/error.log;
		events { worker_connections 256; }
		http {
			access_log off;
			client_body_temp_path $www/body;
			proxy_temp_path $www/proxy;
			fastcgi_temp_path $www/fastcgi;
			uwsgi_temp_path $www/uwsgi;
			scgi_temp_path $www/scgi;
			server { listen 10.78.0.2:8080; root $www/www; }
		}
	EOF
	in_ns b nginx -c "$www/nginx.conf" -p "$www" -e "$www/error.log" || return 1
	busywait 10000 listening b 8080 || return 1
	off_on http || return 1
	pick 1 && report http_requests_s requests/s || return 1
	pick 2 && report http_p99_us us || return 1
	kill "$(cat "$www/nginx.pid")"
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

overhead_dir=$(mktemp -d /tmp/causal-overhead.XXXXXX)
if ! overhead_tcp_bulk; then
	echo "# TCP bulk overhead: failed"
	bad=1
elif ! overhead_other "$overhead_dir"; then
	echo "# UDP and HTTP overhead: failed"
	bad=1
fi
"$CAUSALCTL" detach 2> /dev/null
pkill -x iperf3
pkill -x nginx
ns_cleanup
rm -rf "$overhead_dir"
