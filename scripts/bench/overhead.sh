#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# overhead.sh - what stamping costs, in the guest, between two namespaces
# joined by veth.  scripts/bench.sh boots the guest counting instructions
# (scripts/vm/run -I): its clock is the instructions its one CPU executed,
# so a rate in the guest's time is work per instruction, the same from run
# to run within a fraction of a percent, whatever else the host does.
#
# Each workload runs in four modes: off (nothing attached), option (the
# sock_ops program alone writes one constant option: the option's cost to
# TCP), hooks (every program, no option: the hooks' and clocks' cost) and
# full; CAUSAL_ABLATE picks the part (include/causal/ablate.h).  First a
# warm-up run of each mode, not counted; then CAUSAL_BENCH_REPS rounds of
# the four, the order turned each round.  Then one more full run with
# kernel.bpf_stats_enabled, not counted either (the statistics cost time):
# how often each program ran, per unit of work, and its cost per call.
#
# Workloads (CAUSAL_BENCH_PARTS picks groups: tcp other memory):
#   tcp     streams of 128 B, 1 KiB, 16 KiB and 128 KiB writes (iperf3 -l),
#           the last for each clock; segments per write and the receiver's
#           header-prediction hits (TCPHPHits) per write, from nstat
#   other   request/response (selftests/causal_rr.c, 32 connections,
#           1 B and 1 KiB); UDP 64 B and 1 KiB offered at a fixed rate
#           below saturation; GRO at a fixed offered rate; nginx and wrk,
#           with and without keep-alive
#   memory  kernel memory per tracked socket, for each clock
#
# What is measured at a fixed rate (UDP, GRO) is CPU time per unit of
# work, not a rate: selftests/causal_soak soaks up, at SCHED_IDLE, what
# the workload leaves, and the iterations it did not get against a run
# alone are the instructions the workload took.  Drops are reported.
#
# Every run is one JSON object appended to $json (kind "run"): its value
# (higher is better), the host's wall-clock milliseconds it took (read
# through the results share, whose files the host stamps) and its extras.
# scripts/bench/report.py makes the tables, the ratios and the picture.
# Sourced by scripts/bench/guest.sh after lib.sh; sets bad=1 on failure.

REPS=${CAUSAL_BENCH_REPS:-3}
RR=$BUILD/selftests/causal_rr
SOAK=$BUILD/selftests/causal_soak
SECS=${CAUSAL_BENCH_SECS:-2}
MODES=(off option hooks full)
# offered rates: a fifth or less of what the guest takes when flooded
UDP_RATE=${CAUSAL_BENCH_UDP_RATE:-8000}		# datagrams per second
GRO_RATE=${CAUSAL_BENCH_GRO_RATE:-200M}		# bits per second

# wall_ms - the host's clock, in ms: a file written to the results share
# gets the host's time as its mtime (the guest's clock counts instructions)
wall_ms() {
	local t

	echo > "$res/.wall" && t=$(stat -c %.3Y "$res/.wall") || return 1
	echo "${t/./}"
}

# counters NODE COUNTER... - the node's counters (nstat's names), absolute
counters() {
	local n=$1 c

	shift
	for c in "$@"; do
		in_ns "$n" nstat -asz "$c" 2> /dev/null | awk -v c="$c" '$1 == c { v = $2 } END { printf "%d ", v }'
	done
}

# iperf_server - an iperf3 server in b for one client
iperf_server() {
	in_ns b iperf3 -s -D -1 > /dev/null 2>&1
	busywait 5000 listening b 5201
}

# run_stream SIZE - one TCP stream of SIZE-byte writes from a to b: prints
# "MBIT_S SEGMENTS_PER_WRITE HPHITS_PER_WRITE"
run_stream() {
	local size=$1 o0 o1 h0 h1 j

	iperf_server || return 1
	o0=$(counters a TcpOutSegs)
	h0=$(counters b TcpExtTCPHPHits)
	j=$(in_ns a iperf3 -c 10.78.0.2 -t "$SECS" -l "$size" -J 2> /dev/null) || return 1
	o1=$(counters a TcpOutSegs)
	h1=$(counters b TcpExtTCPHPHits)
	jq -r --argjson size "$size" --argjson segs $((o1 - o0)) --argjson hits $((h1 - h0)) '
		(.end.sum_sent.bytes / $size) as $writes |
		"\(.end.sum_received.bits_per_second / 1e6) \($segs / $writes) \($hits / $writes)"' \
		<<< "$j"
}

# run_rr SIZE - 32 connections from a to b, SIZE-byte requests and
# responses: transactions per second
run_rr() {
	in_ns a "$RR" client 10.78.0.2 7000 32 "$1" "$SECS" | awk '{ print $3 }'
}

# soaked COMMAND... - run COMMAND beside the soaker; prints the CPU
# nanoseconds COMMAND's work took (the soaker's missing iterations at the
# rate of a run alone, SOAK_RATE), then COMMAND's output on the next lines
soaked() {
	local pid out rc s

	"$SOAK" > "$res/soak.out" &
	pid=$!
	busywait 5000 has "$res/soak.out" soaking || return 1
	out=$("$@")
	rc=$?
	kill -TERM $pid
	wait $pid
	s=$(tail -n 1 "$res/soak.out")
	awk -v s="$s" -v r="$SOAK_RATE" 'BEGIN { split(s, f, " ")
		cpu = f[2] * 1e9 - f[1] / r * 1e9; printf "%d\n", cpu < 0 ? 0 : cpu }'
	echo "$out"
	return $rc
}

# soak_calibrate - SOAK_RATE: iterations per second of the soaker alone
soak_calibrate() {
	local pid

	"$SOAK" > "$res/soak.out" &
	pid=$!
	busywait 5000 has "$res/soak.out" soaking || return 1
	sleep "$SECS"
	kill -TERM $pid
	wait $pid
	SOAK_RATE=$(tail -n 1 "$res/soak.out" | awk '{ printf "%.3f", $1 / $2 }')
	echo "# soaker alone: $SOAK_RATE iterations/s"
}

# run_udp SIZE - UDP_RATE datagrams/s of SIZE bytes from a to b: prints
# "DATAGRAMS_PER_CPU_SECOND LOST_PERCENT CPU_NS_PER_DATAGRAM"
run_udp() {
	local size=$1 out cpu j

	iperf_server || return 1
	out=$(soaked in_ns a iperf3 -u -b $((UDP_RATE * size * 8)) -l "$size" -c 10.78.0.2 \
		-t "$SECS" -J) || return 1
	cpu=$(head -n 1 <<< "$out")
	j=$(tail -n +2 <<< "$out")
	jq -r --argjson cpu "$cpu" '.end.sum as $s | ($s.packets - $s.lost_packets) as $got |
		"\($got / ($cpu / 1e9)) \($s.lost_percent) \($cpu / $got)"' <<< "$j"
}

# run_gro - a TCP stream offered at GRO_RATE, a's offloads off, GRO on in
# b's veth: prints "MB_PER_CPU_SECOND SEGMENTS_PER_SKB MBIT_S"
run_gro() {
	local out cpu segs skbs mbit

	iperf_server || return 1
	out=$(soaked perf stat -a -x, -o "$res/gro.perf" -e net:napi_gro_receive_entry \
		-e net:netif_receive_skb -- ip netns exec "$NS_PREFIX-a" \
		iperf3 -c 10.78.0.2 -b "$GRO_RATE" -t "$SECS" -J) || return 1
	cpu=$(head -n 1 <<< "$out")
	mbit=$(tail -n +2 <<< "$out" | jq '.end.sum_received.bits_per_second / 1e6')
	segs=$(awk -F, '$3 == "net:napi_gro_receive_entry" { print $1 }' "$res/gro.perf")
	skbs=$(awk -F, '$3 == "net:netif_receive_skb" { print $1 }' "$res/gro.perf")
	[ "${skbs:-0}" -gt 0 ] || return 1
	awk -v c="$cpu" -v m="$mbit" -v g="$segs" -v k="$skbs" -v s="$SECS" \
		'BEGIN { printf "%f %f %f\n", m * s / 8 / (c / 1e9), g / k, m }'
}

# run_http KEEPALIVE - wrk against nginx on b: "REQUESTS_S P99_US"; with
# KEEPALIVE 0 every request on a connection of its own
run_http() {
	local hdr=()

	[ "$1" = 0 ] && hdr=(-H "Connection: close")
	in_ns a wrk -t1 -c8 -d"${SECS}s" --latency "${hdr[@]}" http://10.78.0.2:8080/small.txt \
		2> /dev/null |
		awk '/Requests\/sec:/ { r = $2 }
		     $1 == "99%" { v = $2; u = 1
			if (v ~ /us$/) u = 1; else if (v ~ /ms$/) u = 1000; else if (v ~ /s$/) u = 1000000
			sub(/[a-z]+$/, "", v); p = v * u }
		     END { if (r) print r, p }'
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

# mode MODE - attach as MODE says (off: nothing)
mode() {
	[ -e "$PINS/sockops" ] && { quiet "$CAUSALCTL" detach || return 1; }
	case $1 in
	off) return 0 ;;
	full) quiet "$CAUSALCTL" attach > /dev/null ;;
	*) CAUSAL_ABLATE=$1 quiet "$CAUSALCTL" attach > /dev/null 2>&1 ;;
	esac
}

# record BENCH MODE ROUND FIELDS VALUES UNIT MS - one run as JSON (FIELDS:
# names of VALUES after the first, the value; ROUND 0 is the warm-up)
record() {
	local bench=$1 mode=$2 round=$3 unit=$6 ms=$7 i extra=
	local -a names=($4) vals=($5)

	for ((i = 1; i < ${#vals[@]}; i++)); do
		extra+=",\"${names[i - 1]}\":${vals[i]}"
	done
	printf '{"kind":"run","kernel":"%s","bench":"%s","mode":"%s","round":%d,"unit":"%s","value":%s,"wall_ms":%d%s}\n' \
		"$(uname -r)" "$bench" "$mode" "$round" "$unit" "${vals[0]}" "$ms" "$extra" >> "$json"
}

# ablate BENCH UNIT FIELDS MEASURE... - the four modes of one workload:
# warm-up, CAUSAL_BENCH_REPS rounds, a statistics run; MEASURE prints the
# value and the extras FIELDS names
ablate() {
	local bench=$1 unit=$2 fields=$3 r i m out t0 t1 line
	local -a order

	shift 3
	echo "# $bench:"
	for ((r = 0; r <= REPS; r++)); do
		order=("${MODES[@]}")
		# each round turned by one: no mode always follows the same one
		for ((i = 0; i < r % ${#MODES[@]}; i++)); do
			order=("${order[@]:1}" "${order[0]}")
		done
		for m in "${order[@]}"; do
			mode "$m" || return 1
			# what the last run and the mode change leave to do
			# later (timers of closed connections, RCU callbacks of
			# freed programs) done before this run, not in it: idle
			# time is skipped under instruction counting, so free
			sleep 3
			t0=$(wall_ms)
			out=$("$@") || { echo "#   $m: failed"; return 1; }
			t1=$(wall_ms)
			[ -n "$out" ] || { echo "#   $m: no result"; return 1; }
			record "$bench" "$m" "$r" "$fields" "$out" "$unit" $((t1 - t0))
			printf '#   round %d %-6s %s\n' "$r" "$m" "$out"
		done
	done
	mode full || return 1
	sysctl -qw kernel.bpf_stats_enabled=1
	out=$("$@") || return 1
	bpf_costs "$bench" "${out%% *}"
	sysctl -qw kernel.bpf_stats_enabled=0
	mode off
}

# bpf_costs BENCH VALUE - run_cnt and ns per call of each of causal's
# programs over the statistics run; calls per unit of work from VALUE (a
# rate over SECS seconds)
bpf_costs() {
	bpftool prog show -j | jq -c --arg k "$(uname -r)" --arg w "$1" \
		--argjson units "$(awk -v v="$2" -v s="$SECS" 'BEGIN { printf "%f", v * s }')" '
		.[] | select(.name | startswith("causal_")) | select(.run_cnt // 0 > 0) |
		{kind: "bpf_cost", kernel: $k, bench: $w, program: .name, calls: .run_cnt,
		 calls_per_unit: (.run_cnt / $units),
		 ns_per_call: (.run_time_ns / .run_cnt | floor)}' >> "$json"
}

overhead_tcp() {
	local size clock

	in_ns a "$CAUSALCTL" clock set lamport && in_ns b "$CAUSALCTL" clock set lamport || return 1
	for size in 128 1024 16384; do
		ablate "tcp_stream_$size" Mbit/s "segs_per_write hphits_per_write" \
			run_stream $size || return 1
	done
	for clock in lamport hlc vector; do
		in_ns a "$CAUSALCTL" clock set $clock && in_ns b "$CAUSALCTL" clock set $clock ||
			return 1
		ablate "tcp_bulk_$clock" Mbit/s "segs_per_write hphits_per_write" \
			run_stream 131072 || return 1
	done
	in_ns a "$CAUSALCTL" clock set lamport && in_ns b "$CAUSALCTL" clock set lamport
}

overhead_other() {
	local www=$1 rrpid

	in_ns a "$CAUSALCTL" clock set lamport && in_ns b "$CAUSALCTL" clock set lamport ||
		return 1
	ip netns exec "$NS_PREFIX-b" "$RR" server 7000 > /dev/null 2>&1 &
	rrpid=$!
	busywait 5000 listening b 7000 || return 1
	ablate rr_1B transactions/s "" run_rr 1 || return 1
	ablate rr_1KiB transactions/s "" run_rr 1024 || return 1
	kill $rrpid
	wait $rrpid 2> /dev/null
	soak_calibrate || return 1
	ablate udp_64B datagrams/cpu_s "lost_percent cpu_ns_per_datagram" run_udp 64 || return 1
	ablate udp_1KiB datagrams/cpu_s "lost_percent cpu_ns_per_datagram" run_udp 1024 ||
		return 1
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
	ablate http_keepalive requests/s "p99_us" run_http 1 || return 1
	ablate http_close requests/s "p99_us" run_http 0 || return 1
	kill "$(cat "$www/nginx.pid")"
	# GRO: MSS-sized segments from a, coalesced by GRO in b's veth
	in_ns a ethtool -K veth-b tso off gso off > /dev/null &&
		in_ns b ethtool -K veth-a gro on > /dev/null || return 1
	ablate gro MB/cpu_s "segs_per_skb mbit_s" run_gro || return 1
	in_ns a ethtool -K veth-b tso on gso on > /dev/null
}

# hold N TAG - N connections from a to b, each after one 1-byte transaction,
# held until the client is killed; prints the slab total (kB) while held,
# and keeps /proc/slabinfo of then in $res/slab-TAG
hold() {
	local pid kb

	ip netns exec "$NS_PREFIX-a" "$RR" hold 10.78.0.2 7000 "$1" > "$res/hold.out" 2>&1 &
	pid=$!
	busywait 600000 has "$res/hold.out" ready || { kill $pid; return 1; }
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

# overhead_memory - kernel memory per tracked socket, N connections, each
# clock
overhead_memory() {
	local n=${CAUSAL_BENCH_MEMORY_CONNS:-2000} base off on per rrpid clock

	ulimit -n 65536
	echo "# $(uname -r): kernel memory (slab) with $n open connections a -> b"
	printf '%-8s %12s %12s %14s\n' clock "off kB" "on kB" "B/socket"
	ip netns exec "$NS_PREFIX-b" "$RR" server 7000 > /dev/null 2>&1 &
	rrpid=$!
	busywait 5000 listening b 7000 || return 1
	for clock in lamport hlc vector; do
		in_ns a "$CAUSALCTL" clock set $clock && in_ns b "$CAUSALCTL" clock set $clock ||
			return 1
		mode off
		base=$(slab_now)
		off=$(hold "$n" off) || return 1
		off=$((off - base))
		mode full || return 1
		base=$(slab_now)
		on=$(hold "$n" on) || return 1
		on=$((on - base))
		mode off
		per=$(( (on - off) * 1024 / (2 * n) ))
		printf '%-8s %12s %12s %14s\n' $clock $off $on $per
		printf '{"kind":"memory","kernel":"%s","clock":"%s","connections":%d,"sockets":%d,"off_kb":%d,"on_kb":%d,"bytes_per_socket":%d}\n' \
			"$(uname -r)" $clock "$n" $((2 * n)) $off $on $per >> "$json"
	done
	# where it went, with the last clock: caches that grew, on minus off
	echo "# slab caches, on minus off, bytes per socket ($((2 * n)) sockets, vector):"
	awk -v socks=$((2 * n)) 'FNR == NR { if ($1 !~ /^#|^slabinfo/) off[$1] = $2 * $4; next }
		$1 !~ /^#|^slabinfo/ { d = ($2 * $4 - off[$1]) / socks
			if (d >= 4) printf "  %-24s %6d B (objects of %d B)\n", $1, d, $4 }' \
		"$res/slab-off" "$res/slab-on" | sort -k2 -nr
	in_ns a "$CAUSALCTL" clock set lamport && in_ns b "$CAUSALCTL" clock set lamport
	kill $rrpid
	wait $rrpid 2> /dev/null
	return 0
}

overhead_dir=$(mktemp -d /tmp/causal-overhead.XXXXXX)
ns_create a b && veth_pair a b 10.78.0 || bad=1
# each run on its own: TCP would start a connection with what the last one
# to the same address learnt (its congestion window, ssthresh, RTT)
for n in a b; do
	in_ns $n sysctl -qw net.ipv4.tcp_no_metrics_save=1 || bad=1
done
# CAUSAL_BENCH_PARTS picks some of: tcp other memory (and guest.sh's oracle)
for part in ${CAUSAL_BENCH_PARTS:-tcp other memory}; do
	[ $bad = 0 ] || break
	case $part in
	tcp)	overhead_tcp || { echo "# TCP streams: failed"; bad=1; } ;;
	other)	overhead_other "$overhead_dir" ||
			{ echo "# request/response, UDP, HTTP and GRO: failed"; bad=1; } ;;
	memory)	overhead_memory || { echo "# memory per socket: failed"; bad=1; } ;;
	esac
	mode off
done
pkill -x iperf3
pkill -x nginx
pkill -x causal_rr
ns_cleanup
rm -rf "$overhead_dir"
