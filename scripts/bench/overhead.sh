#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# overhead.sh - what stamping costs, in the guest, in one run, between two
# namespaces joined by veth, with causal's programs detached (off) and
# attached (on), alternating off, on, off, on... CAUSAL_BENCH_REPS times;
# each ratio is the median of the on runs over the median of the off runs:
#
#   - TCP bulk throughput (iperf3), for each clock;
#   - TCP request/response transactions per second (selftests/causal_rr.c,
#     32 connections, 1 byte and 1 KiB), Lamport;
#   - UDP datagram rate, 64-byte datagrams (iperf3 -u), Lamport;
#   - HTTP: nginx serving a small file to wrk, requests per second and p99
#     latency, Lamport;
#   - GRO: TCP segments per skb that GRO hands up (tracepoints
#     net:napi_gro_receive_entry and net:netif_receive_skb) with the
#     sender's segmentation offloads off and GRO on in the receiver's veth;
#   - kernel memory per tracked socket (the slab total with 2 x N sockets of
#     N open connections, on minus off), N = 1000 and 10000.
#
# While on, the kernel's own BPF statistics (kernel.bpf_stats_enabled) give
# the cost of each program per call.  Sourced by scripts/bench/guest.sh
# after lib.sh: prints tables, appends JSON objects to $json, sets bad=1 on
# failure.
#
# Under TCG emulation absolute numbers mean little; ratios measured in one
# run on one kernel are what to read.

REPS=${CAUSAL_BENCH_REPS:-3}
RR=$BUILD/selftests/causal_rr
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

# rr_1, rr_1024 - one causal_rr run from a to b: transactions per second
rr() {
	in_ns a "$RR" client 10.78.0.2 7000 32 "$1" "$SECS" | awk '{ print $3 }'
}
rr_1() { rr 1; }
rr_1024() { rr 1024; }

# gro - one bulk run with GRO counted: "SEGMENTS_PER_SKB_x1000 MBIT_S"
gro() {
	local segs skbs mbps

	in_ns b iperf3 -s -D -1 > /dev/null 2>&1
	busywait 5000 listening b 5201 || return 1
	perf stat -a -x, -o "$res/gro.perf" -e net:napi_gro_receive_entry \
		-e net:netif_receive_skb -- ip netns exec "$NS_PREFIX-a" \
		iperf3 -c 10.78.0.2 -t "$SECS" -J > "$res/gro.json" 2> /dev/null || return 1
	mbps=$(jq '.end.sum_received.bits_per_second / 1000000 | floor' "$res/gro.json")
	segs=$(awk -F, '$3 == "net:napi_gro_receive_entry" { print $1 }' "$res/gro.perf")
	skbs=$(awk -F, '$3 == "net:netif_receive_skb" { print $1 }' "$res/gro.perf")
	[ "${skbs:-0}" -gt 0 ] || return 1
	echo "$((segs * 1000 / skbs)) $mbps"
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

# quiet CMD... - run CMD with the benchmark's servers stopped.  Attaching
# and detaching patch the entries of the hooked functions; under TCG a vCPU
# that enters one of them while it is being patched can meet the patch's
# breakpoint after the patching is over (an int3 oops), which real CPUs
# never do.  Stopped, and after the last run's closes, nothing enters them.
quiet() {
	local rc

	sleep 1
	pkill -STOP -x causal_rr
	pkill -STOP -x nginx
	"$@"
	rc=$?
	pkill -CONT -x causal_rr
	pkill -CONT -x nginx
	return $rc
}

attach() {
	quiet "$CAUSALCTL" attach > /dev/null
}

detach() {
	quiet "$CAUSALCTL" detach
}

# off_on MEASURE [NAME] - alternate MEASURE off and on REPS times, its
# outputs (a line of numbers each) into OFFL and ONL; the programs' costs
# during the first on run go under NAME (default MEASURE)
off_on() {
	local i o n name=${2:-$1}

	OFFL=() ONL=()
	for ((i = 0; i < REPS; i++)); do
		o=$($1)
		attach || return 1
		[ $i = 0 ] && sysctl -qw kernel.bpf_stats_enabled=1
		n=$($1)
		[ $i = 0 ] && bpf_costs "$name" && sysctl -qw kernel.bpf_stats_enabled=0
		detach
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
	local www=$1 rrpid

	echo "# $(uname -r): Lamport clocks, ${SECS}s runs, $REPS of each, off/on alternating"
	printf '%-16s %12s %12s %7s\n' bench off on ratio
	in_ns a "$CAUSALCTL" clock set lamport && in_ns b "$CAUSALCTL" clock set lamport ||
		return 1
	ip netns exec "$NS_PREFIX-b" "$RR" server 7000 > /dev/null 2>&1 &
	rrpid=$!
	busywait 5000 listening b 7000 || return 1
	off_on rr_1 && pick 1 && report rr_1B_trans_s transactions/s || return 1
	off_on rr_1024 && pick 1 && report rr_1KiB_trans_s transactions/s || return 1
	kill $rrpid
	wait $rrpid 2> /dev/null
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
	# GRO: MSS-sized segments from a, coalesced by GRO in b's veth
	in_ns a ethtool -K veth-b tso off gso off > /dev/null &&
		in_ns b ethtool -K veth-a gro on > /dev/null || return 1
	off_on gro || return 1
	pick 1 || return 1
	OFF=$(awk -v v="$OFF" 'BEGIN { printf "%.2f", v / 1000 }')
	ON=$(awk -v v="$ON" 'BEGIN { printf "%.2f", v / 1000 }')
	report gro_segs_per_skb segments/skb || return 1
	pick 2 && report gro_bulk_mbps Mbit/s || return 1
	in_ns a ethtool -K veth-b tso on gso on > /dev/null
	costs_shown
}

# hold N TAG - N connections from a to b, each after one 1-byte transaction,
# held until the client is killed; prints the slab total (kB) while held,
# and keeps /proc/slabinfo of then in $res/slab-TAG
hold() {
	local pid kb

	ip netns exec "$NS_PREFIX-a" "$RR" hold 10.78.0.2 7000 "$1" > "$res/hold.out" 2>&1 &
	pid=$!
	busywait 600000 grep -q ready "$res/hold.out" || { kill $pid; return 1; }
	sleep 1
	kb=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
	cp /proc/slabinfo "$res/slab-$2"
	kill $pid
	wait $pid 2> /dev/null
	echo "$kb"
}

# slab_now - the slab total in kB, after freed sockets are gone
slab_now() {
	sleep 2
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# overhead_memory - kernel memory per tracked socket, N connections
overhead_memory() {
	local n base off on per rrpid

	ulimit -n 65536
	echo "# $(uname -r): kernel memory (slab) with N open connections a -> b, Lamport"
	printf '%-8s %12s %12s %14s\n' conns "off kB" "on kB" "B/socket"
	ip netns exec "$NS_PREFIX-b" "$RR" server 7000 > /dev/null 2>&1 &
	rrpid=$!
	busywait 5000 listening b 7000 || return 1
	for n in 1000 10000; do
		base=$(slab_now)
		off=$(hold $n off) || return 1
		off=$((off - base))
		attach || return 1
		base=$(slab_now)
		on=$(hold $n on) || return 1
		on=$((on - base))
		detach
		per=$(( (on - off) * 1024 / (2 * n) ))
		printf '%-8s %12s %12s %14s\n' $n $off $on $per
		printf '{"kernel":"%s","bench":"memory","connections":%d,"sockets":%d,"off_kb":%d,"on_kb":%d,"bytes_per_socket":%d}\n' \
			"$(uname -r)" $n $((2 * n)) $off $on $per >> "$json"
	done
	# where it went, with the last N: caches that grew, on minus off
	echo "# slab caches, on minus off, bytes per socket ($((2 * n)) sockets):"
	awk -v socks=$((2 * n)) 'FNR == NR { if ($1 !~ /^#|^slabinfo/) off[$1] = $2 * $4; next }
		$1 !~ /^#|^slabinfo/ { d = ($2 * $4 - off[$1]) / socks
			if (d >= 4) printf "  %-24s %6d B (objects of %d B)\n", $1, d, $4 }' \
		"$res/slab-off" "$res/slab-on" | sort -k2 -nr
	kill $rrpid
	wait $rrpid 2> /dev/null
	return 0
}

overhead_tcp_bulk() {
	local clock

	echo "# $(uname -r): TCP bulk, iperf3 a -> b over veth, ${SECS}s runs, $REPS of each, off/on alternating"
	printf '%-16s %12s %12s %7s\n' bench "off Mbit/s" "on Mbit/s" ratio
	# a warm-up pair, not counted: the first runs of a boot were the
	# slowest, and lamport, measured first, paid for it
	bulk > /dev/null && attach && bulk > /dev/null && detach || return 1
	for clock in lamport hlc vector; do
		in_ns a "$CAUSALCTL" clock set $clock && in_ns b "$CAUSALCTL" clock set $clock ||
			return 1
		off_on bulk "tcp_bulk_$clock" && pick 1 && report "tcp_bulk_$clock" Mbit/s ||
			return 1
	done
	pkill -x iperf3
	costs_shown
}

# bpf_costs WORKLOAD - run_time_ns / run_cnt of each of causal's programs
# since the statistics were enabled: a table in $res/bpf_costs-WORKLOAD.txt
bpf_costs() {
	bpftool prog show -j | jq -r '
		.[] | select(.name | startswith("causal_")) | select(.run_cnt // 0 > 0) |
		[.name, .run_cnt, (.run_time_ns / .run_cnt | floor)] | @tsv' |
		awk '{ printf "  %-22s %10s calls %8s ns/call\n", $1, $2, $3 }' > "$res/bpf_costs-$1.txt"
	bpftool prog show -j | jq -c --arg k "$(uname -r)" --arg w "$1" '
		.[] | select(.name | startswith("causal_")) | select(.run_cnt // 0 > 0) |
		{kernel: $k, bench: "bpf_cost", workload: $w, program: .name, calls: .run_cnt,
		 ns_per_call: (.run_time_ns / .run_cnt | floor)}' >> "$json"
}

# costs_shown - print the programs' costs measured during each workload
costs_shown() {
	local f

	for f in "$res"/bpf_costs-*.txt; do
		[ -s "$f" ] || continue
		f=${f##*/bpf_costs-}
		echo "# programs' cost per call during $(uname -r) ${f%.txt} (first on run, kernel.bpf_stats_enabled):"
		cat "$res/bpf_costs-$f"
	done
	rm -f "$res"/bpf_costs-*.txt
}

overhead_dir=$(mktemp -d /tmp/causal-overhead.XXXXXX)
rm -f "$res"/bpf_costs-*.txt
ns_create a b && veth_pair a b 10.78.0 || bad=1
# CAUSAL_BENCH_PARTS picks some of: tcp other memory (and guest.sh's oracle)
for part in ${CAUSAL_BENCH_PARTS:-tcp other memory}; do
	[ $bad = 0 ] || break
	case $part in
	tcp)	overhead_tcp_bulk || { echo "# TCP bulk overhead: failed"; bad=1; } ;;
	other)	overhead_other "$overhead_dir" ||
			{ echo "# request/response, UDP, HTTP and GRO overhead: failed"; bad=1; } ;;
	memory)	overhead_memory || { echo "# memory per socket: failed"; bad=1; } ;;
	esac
	"$CAUSALCTL" detach 2> /dev/null
done
pkill -x iperf3
pkill -x nginx
pkill -x causal_rr
ns_cleanup
rm -rf "$overhead_dir"
