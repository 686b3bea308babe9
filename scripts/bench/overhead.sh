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
# full; UDP's in two more, empty (its programs attached and returning at
# once: the floor of its hooks) and wire (its programs carrying a constant
# stamp, no clock: the floor of its stamps); CAUSAL_ABLATE picks the part
# (include/causal/ablate.h).  After the
# counted rounds, one more full run of each workload with
# kernel.bpf_stats_enabled, not counted (the statistics cost time): how
# often each program ran, per unit of work, and its cost per call.
#
# Workloads (CAUSAL_BENCH_PARTS picks groups: tcp other memory;
# CAUSAL_BENCH_ONLY, a shell pattern, workloads by name):
#   tcp     streams of 128 B, 1 KiB and 16 KiB writes (iperf3 -l, 256 KiB
#           socket buffers) and of 128 KiB writes (buffers autotuned),
#           the last for each clock; segments per write and the receiver's
#           header-prediction hits (TCPHPHits) per write, from nstat
#   other   request/response (selftests/causal_rr.c, 32 connections,
#           1 B and 1 KiB, and 10,000 connections, 1 B: the tables and
#           caches under pressure); UDP 64 B and 1 KiB offered at a fixed rate
#           below saturation; GRO at a fixed offered rate; nginx and wrk,
#           with and without keep-alive
#   memory  kernel memory per tracked socket, for each clock
#
# What is measured at a fixed rate (UDP, GRO) is CPU time per unit of
# work, not a rate: over a window in the middle of the load, the time the
# guest's tasks ran (rq_cpu_time of /proc/schedstat: under instruction
# counting, the instructions they executed; idle time is not in it) over
# the receiver's counters of the same window.  Drops are reported.
#
# The runs go mode by mode, not workload by workload (attaching costs a
# guest more time than a run): a warm-up round of off and full, not
# counted, then CAUSAL_BENCH_REPS rounds of the modes, their order
# turned each round, every workload in each.
#
# Every run is one JSON object appended to $json (kind "run"): its value
# (higher is better), the host's wall-clock milliseconds it took (read
# through the results share, whose files the host stamps) and its extras.
# scripts/bench/report.py makes the tables, the ratios and the picture.
# Sourced by scripts/bench/guest.sh after lib.sh; sets bad=1 on failure.

REPS=${CAUSAL_BENCH_REPS:-2}
RR=$BUILD/selftests/causal_rr
SECS=${CAUSAL_BENCH_SECS:-1}
MODES=(off option hooks empty wire full)
RR_MANY=${CAUSAL_BENCH_RR_CONNS:-10000}
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

# snapshot PID KEY... - SNAP: the CPU time the guest's tasks have run, in
# ns (rq_cpu_time of each CPU in /proc/schedstat: interrupts that came
# while a CPU was idle are not in it); the CPU time the guest has spent
# not idle (/proc/timer_list: the time now less each CPU's idle and
# iowait sleep; the idle loop's own instructions are in it); then each
# KEY ("Udp:InDatagrams", "IpExt:InOctets") of the network namespace of
# PID.  Read by the shell, without starting a process: it runs inside a
# window.
snapshot() {
	local pid=$1 i f
	local -a l hdr val
	local -A v

	shift
	SNAP=(0 0)
	mapfile -t l < /proc/schedstat
	for f in "${l[@]}"; do
		[[ $f == cpu[0-9]* ]] || continue
		read -ra val <<< "$f"
		SNAP[0]=$((SNAP[0] + val[7]))
	done
	mapfile -t l < /proc/timer_list
	for f in "${l[@]}"; do
		[[ $f == "now at "* || $f == *.i*_sleeptime* ]] || continue
		read -ra val <<< "$f"
		if [ "${val[0]}" = now ]; then
			SNAP[1]=$((SNAP[1] + val[2]))
		else
			SNAP[1]=$((SNAP[1] - val[-2]))
		fi
	done
	mapfile -t l < "/proc/$pid/net/snmp"
	mapfile -t -O ${#l[@]} l < "/proc/$pid/net/netstat"
	for ((i = 0; i + 1 < ${#l[@]}; i += 2)); do
		read -ra hdr <<< "${l[i]}"
		read -ra val <<< "${l[i + 1]}"
		for ((f = 1; f < ${#hdr[@]}; f++)); do
			v[${hdr[0]}${hdr[f]}]=${val[f]}
		done
	done
	for f; do
		SNAP+=("${v[$f]:-0}")
	done
}

# windowed KEYS MIN SECONDS COMMAND... - run COMMAND, a load offered at a
# fixed rate for SECONDS + 2, and watch SECONDS of it in its steady state,
# from half a second after the first of KEYS grew by MIN in b (not from
# COMMAND's start: starting a process reads the results share, whose waits
# move the guest's clock by what the host takes): prints "TASK_NS BUSY_NS
# SECONDS DELTA..." (the tasks' CPU time and the time not idle, as
# snapshot says, the window's length and the growth of each of KEYS), then
# COMMAND's output
windowed() {
	local -a keys a b
	local min=$2 secs=$3 out=$overhead_dir/window.out pid t0 t1 i line first

	read -ra keys <<< "$1"
	shift 3
	snapshot "$RRPID" "${keys[0]}"
	first=${SNAP[2]}
	"$@" > "$out" &
	pid=$!
	for ((i = 0; i < 1200; i++)); do
		nap 0.05
		snapshot "$RRPID" "${keys[0]}"
		[ $((SNAP[2] - first)) -ge "$min" ] && break
		kill -0 $pid 2> /dev/null || break
	done
	nap 0.5
	t0=$EPOCHREALTIME
	snapshot "$RRPID" "${keys[@]}"
	a=("${SNAP[@]}")
	nap "$secs"
	snapshot "$RRPID" "${keys[@]}"
	b=("${SNAP[@]}")
	t1=$EPOCHREALTIME
	wait $pid || return 1
	[ $((a[2] - first)) -ge "$min" ] || return 1
	line="$((b[0] - a[0])) $((b[1] - a[1])) $(awk -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.6f", b - a }')"
	for ((i = 2; i < ${#a[@]}; i++)); do
		line+=" $((b[i] - a[i]))"
	done
	echo "$line"
	cat "$out"
}

# iperf_server - an iperf3 server in b for one client
iperf_server() {
	in_ns b iperf3 -s -D -1 > /dev/null 2>&1
	busywait 5000 listening b 5201
}

# run_stream SIZE [BUFFER] - one TCP stream of SIZE-byte writes from a
# to b: prints "MBIT_S SEGMENTS_PER_WRITE HPHITS_PER_WRITE", the rate after
# a first second not counted (-O 1: the receiver's buffer is still growing
# then, and its rate varies from run to run by several percent).  BUFFER
# fixes both ends' socket buffers (iperf3 -w, no autotuning): with small
# writes on one CPU, whether the receiver keeps up (a segment per skb) or
# its window fills (the sender then sends 24 segments an skb, 1.7 times the
# rate) is settled by the buffers autotuning grows, differently from run to
# run (6.12, 1 KiB, off: 410 or 690 Mbit/s); with 256 KiB it keeps up,
# every run
run_stream() {
	local size=$1 o0 o1 h0 h1 j
	local -a buf=()

	[ -n "${2:-}" ] && buf=(-w "$2")
	iperf_server || return 1
	o0=$(counters a TcpOutSegs)
	h0=$(counters b TcpExtTCPHPHits)
	j=$(in_ns a iperf3 -c 10.78.0.2 -O 1 -t "$SECS" -l "$size" "${buf[@]}" -J 2> /dev/null) ||
		return 1
	o1=$(counters a TcpOutSegs)
	h1=$(counters b TcpExtTCPHPHits)
	# the counters count the uncounted second too: so do these writes
	jq -r --argjson size "$size" --argjson segs $((o1 - o0)) --argjson hits $((h1 - h0)) '
		([.intervals[].sum.bytes] | add / $size) as $writes |
		"\(.end.sum_received.bits_per_second / 1e6) \($segs / $writes) \($hits / $writes)"' \
		<<< "$j"
}

# run_rr CONNS SIZE [SECONDS OMIT] - CONNS connections from a to b,
# SIZE-byte requests and responses for SECONDS (default SECS) after OMIT
# not counted: prints "TRANSACTIONS_S TRANSACTIONS" (the connections made
# first; the second, every transaction the run made, OMIT's too)
run_rr() {
	in_ns a "$RR" client 10.78.0.2 7000 "$1" "$2" "${3:-$SECS}" 0 "${4:-0}" |
		awk '{ print $3, $4 }'
}

# run_udp SIZE - UDP_RATE datagrams/s of SIZE bytes from a to b: prints
# "DATAGRAMS_PER_CPU_SECOND LOST_PERCENT CPU_NS_PER_DATAGRAM", CPU time
# being the tasks': sending and receiving run in them (counting the time
# not idle as well, the idle loop's entries and exits between datagrams
# spread off runs by 1.1% on 6.1), over a window of 2 * SECS (with SECS,
# 64-byte datagrams' off runs spread by 0.93% on 6.1)
run_udp() {
	local size=$1 out w

	iperf_server || return 1
	out=$(windowed Udp:InDatagrams 100 $((2 * SECS)) in_ns a iperf3 -u \
		-b $((UDP_RATE * size * 8)) -l "$size" -c 10.78.0.2 -t $((2 * SECS + 2)) -J) ||
		return 1
	read -ra w <<< "$out"
	[ "${w[3]}" -gt 0 ] || return 1
	tail -n +2 <<< "$out" | jq -r --argjson cpu "${w[0]}" --argjson n "${w[3]}" '
		"\($n / ($cpu / 1e9)) \(.end.sum.lost_percent) \($cpu / $n)"'
}

# run_gro - a TCP stream offered at GRO_RATE, a's offloads off, GRO on in
# b's veth: prints "MB_PER_CPU_SECOND SEGMENTS_PER_SKB MBIT_S" (IP counts
# a GRO skb once in InReceives, and each of its segments by ECN codepoint).
# CPU time is the time not idle: the receiver's delayed ACKs leave from a
# timer, often on the idle task, and the sender takes them there, work the
# tasks' time does not hold.  Watched six times as long as the rest, in
# rounds of its own (alone).
run_gro() {
	local out w rc=0

	iperf_server || return 1
	in_ns a ethtool -K veth-b tso off gso off > /dev/null &&
		in_ns b ethtool -K veth-a gro on > /dev/null || return 1
	out=$(windowed "IpExt:InOctets Ip:InReceives IpExt:InNoECTPkts IpExt:InECT1Pkts
			IpExt:InECT0Pkts IpExt:InCEPkts" 1000000 $((6 * SECS)) \
		in_ns a iperf3 -c 10.78.0.2 -b "$GRO_RATE" -t $((6 * SECS + 2)) -J) || rc=1
	in_ns a ethtool -K veth-b tso on gso on > /dev/null
	in_ns b ethtool -K veth-a gro off > /dev/null
	read -ra w <<< "$out"
	[ $rc = 0 ] && [ "${w[4]:-0}" -gt 0 ] || return 1
	awk -v c="${w[1]}" -v s="${w[2]}" -v o="${w[3]}" -v k="${w[4]}" \
		-v g="$((w[5] + w[6] + w[7] + w[8]))" \
		'BEGIN { printf "%f %f %f\n", o / 1e6 / (c / 1e9), g / k, o * 8 / 1e6 / s }'
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

# use_clock CLOCK - both nodes keep CLOCK (set only when it changes)
use_clock() {
	[ "$1" = "${CLOCK:-}" ] && return 0
	in_ns a "$CAUSALCTL" clock set "$1" && in_ns b "$CAUSALCTL" clock set "$1" || return 1
	CLOCK=$1
}

# record BENCH MODE ROUND FIELDS VALUES UNIT MS - one run as JSON (FIELDS:
# names of VALUES after the first, the value; ROUND 0 is the warm-up)
record() {
	local bench=$1 mode=$2 round=$3 unit=$6 ms=$7 i extra=
	local -a names vals

	read -ra names <<< "$4"
	read -ra vals <<< "$5"
	for ((i = 1; i < ${#vals[@]}; i++)); do
		extra+=",\"${names[i - 1]}\":${vals[i]}"
	done
	printf '{"kind":"run","kernel":"%s","bench":"%s","mode":"%s","round":%d,"unit":"%s","value":%s,"wall_ms":%d%s}\n' \
		"$(uname -r)" "$bench" "$mode" "$round" "$unit" "${vals[0]}" "$ms" "$extra" >> "$json"
}

# bpf_costs BENCH UNITS PER BEFORE - what each of causal's programs ran
# since BEFORE (bpftool prog show -j): calls, ns per call, and calls per
# unit of work (UNITS of them in the run, PER names one)
bpf_costs() {
	bpftool prog show -j | jq -c --arg k "$(uname -r)" --arg w "$1" --arg per "$3" \
		--slurpfile b "$4" --argjson units "$2" '
		($b[0] | map({key: (.id | tostring), value: .}) | from_entries) as $before |
		.[] | select(.name | startswith("causal_")) |
		{name, n: ((.run_cnt // 0) - ($before[.id | tostring].run_cnt // 0)),
		 t: ((.run_time_ns // 0) - ($before[.id | tostring].run_time_ns // 0))} |
		select(.n > 0) |
		{kind: "bpf_cost", kernel: $k, bench: $w, program: .name, calls: .n, per: $per,
		 calls_per_unit: (if $units > 0 then .n / $units else null end),
		 ns_per_call: (.t / .n | floor)}' >> "$json"
}

# add BENCH UNIT FIELDS CLOCK PER COMMAND... - a workload: COMMAND prints
# the value (higher is better) and the extras FIELDS names, with CLOCK set.
# PER, "NAME:EXPR", is its unit of work for the statistics run and how
# many there were, an awk expression of v (the value), x (the first extra),
# s (SECS), d (b's UDP datagrams received) and g (b's IP segments
# received).
add() {
	local bench=$1 unit=$2 fields=$3 clock=$4 per=$5

	shift 5
	# shellcheck disable=SC2053 # a pattern
	[[ $bench == ${CAUSAL_BENCH_ONLY:-*} ]] || return 0
	WORKLOADS+=("$bench|$unit|$fields|$clock|$per|$*")
}

# alone BENCH UNIT FIELDS CLOCK PER COMMAND... - a workload as add makes
# it, run in rounds of its own after the others: what they leave behind
# (slabs half full, sockets being freed) changes how much work GRO does per
# byte by up to 4% from run to run (seen on 6.1: the same mode 133.4 and
# 138.6 MB per CPU second in one boot), and so its off runs by more than
# 1%; after runs of itself only, by 0.6-0.7%
alone() {
	local -a saved=("${WORKLOADS[@]}")

	WORKLOADS=()
	add "$@"
	ALONE+=("${WORKLOADS[@]}")
	WORKLOADS=("${saved[@]}")
}

# one WORKLOAD MODE ROUND - run one workload as add made it; with ROUND
# "stats", the statistics run
one() {
	local bench unit fields clock per cmd out t0 t1 units
	local -a argv vals a b

	IFS='|' read -r bench unit fields clock per cmd <<< "$1"
	# empty and wire: the floors of UDP's hooks and of its stamps
	# (include/causal/ablate.h), UDP only
	[[ ($2 = empty || $2 = wire) && $bench != udp_* ]] && return 0
	read -ra argv <<< "$cmd"
	use_clock "$clock" || return 1
	# what the last run and the mode change leave to do later (timers of
	# closed connections, RCU callbacks of freed programs) done before
	# this run, not in it: idle time is skipped under instruction
	# counting, so free.  The last runs' TIME_WAIT sockets would expire
	# a minute later, in whichever run is then under way (thousands after
	# the 10,000 connections and nginx without keep-alive, about 2% of a
	# GRO run's CPU time): gone now.
	in_ns a ss -K state time-wait > /dev/null 2>&1
	in_ns b ss -K state time-wait > /dev/null 2>&1
	sleep 3
	if [ "$3" = stats ]; then
		bpftool prog show -j > "$overhead_dir/bpf.json"
		snapshot "$RRPID" Udp:InDatagrams IpExt:InNoECTPkts
		a=("${SNAP[@]}")
		sysctl -qw kernel.bpf_stats_enabled=1
		out=$("${argv[@]}")
		sysctl -qw kernel.bpf_stats_enabled=0
		snapshot "$RRPID" Udp:InDatagrams IpExt:InNoECTPkts
		b=("${SNAP[@]}")
		[ -n "$out" ] || { echo "# $bench, statistics run: failed"; return 1; }
		read -ra vals <<< "$out"
		units=$(awk -v v="${vals[0]}" -v x="${vals[1]:-0}" -v s="$SECS" \
			-v d=$((b[2] - a[2])) -v g=$((b[3] - a[3])) "BEGIN { printf \"%f\", ${per#*:} }")
		bpf_costs "$bench" "$units" "${per%%:*}" "$overhead_dir/bpf.json"
		return
	fi
	t0=$(wall_ms)
	out=$("${argv[@]}") || { echo "# round $3 $2 $bench: failed"; return 1; }
	t1=$(wall_ms)
	[ -n "$out" ] || { echo "# round $3 $2 $bench: no result"; return 1; }
	record "$bench" "$2" "$3" "$fields" "$out" "$unit" $((t1 - t0))
	printf '# round %d %-6s %-16s %s\n' "$3" "$2" "$bench" "$out"
}

# rounds WORKLOAD... - the warm-up round, CAUSAL_BENCH_REPS rounds of the
# modes (each round's order turned by one: no mode always follows the
# same one), then the statistics runs
rounds() {
	local r i m w
	local -a order

	for ((r = 0; r <= REPS; r++)); do
		order=("${MODES[@]}")
		for ((i = 0; i < r % ${#MODES[@]}; i++)); do
			order=("${order[@]:1}" "${order[0]}")
		done
		[ $r = 0 ] && order=(off full)
		for m in "${order[@]}"; do
			mode "$m" || return 1
			for w; do
				one "$w" "$m" $r || return 1
			done
		done
	done
	mode full || return 1
	for w; do
		one "$w" full stats || return 1
	done
	mode off
}

workloads_tcp() {
	local size clock

	for size in 128 1024 16384; do
		add "tcp_stream_$size" Mbit/s "segs_per_write hphits_per_write" lamport \
			"segment:g" run_stream $size 256K
	done
	for clock in lamport hlc vector; do
		add "tcp_bulk_$clock" Mbit/s "segs_per_write hphits_per_write" $clock \
			"segment:g" run_stream 131072
	done
}

workloads_other() {
	local www=$overhead_dir

	add rr_1B transactions/s transactions lamport transaction:x run_rr 32 1
	add rr_1KiB transactions/s transactions lamport transaction:x run_rr 32 1024
	# the first second of 10,000 connections is not their steady state:
	# every request leaves at once and b accepts what it has not yet
	# (counted, 17.5k transactions per second off on 6.12, spread 1.6%
	# over three runs; the next two seconds 25.2k, spread 0.1%)
	add rr_10k transactions/s transactions lamport transaction:x run_rr "$RR_MANY" 1 \
		$((2 * SECS)) 1
	add udp_64B datagrams/cpu_s "lost_percent cpu_ns_per_datagram" lamport "datagram:d" \
		run_udp 64
	add udp_1KiB datagrams/cpu_s "lost_percent cpu_ns_per_datagram" lamport "datagram:d" \
		run_udp 1024
	mkdir -p "$www/www" && printf 'small\n' > "$www/www/small.txt"
	cat > "$www/nginx.conf" <<-EOF2
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
	EOF2
	in_ns b nginx -c "$www/nginx.conf" -p "$www" -e "$www/error.log" || return 1
	busywait 10000 listening b 8080 || return 1
	add http_keepalive requests/s "p99_us" lamport "request:v * s" run_http 1
	add http_close requests/s "p99_us" lamport "request:v * s" run_http 0
	alone gro MB/cpu_s "segs_per_skb mbit_s" lamport "segment:g" run_gro
}

# hold N TAG - N connections from a to b, each after one 1-byte transaction,
# held until the client is killed; prints the slab total (kB) while held,
# and keeps /proc/slabinfo of then in $res/slab-TAG
hold() {
	local pid kb

	# emptied here, not by the child's redirection, which may come after
	# the wait below read the last hold's "ready"
	: > "$res/hold.out"
	ip netns exec "$NS_PREFIX-a" "$RR" hold 10.78.0.2 7000 "$1" >> "$res/hold.out" 2>&1 &
	pid=$!
	busywait 600000 has "$res/hold.out" "ready $1" || { kill $pid; return 1; }
	sleep 1
	kb=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
	cp /proc/slabinfo "$res/slab-$2"
	kill $pid
	wait $pid 2> /dev/null
	echo "$kb"
}

# open_sockets - TCP sockets of a and b that are neither listening nor in
# TIME_WAIT (a minisock): those a hold leaves while they close
open_sockets() {
	local n

	for n in a b; do
		in_ns $n ss -Htn state established state syn-sent state syn-recv \
			state fin-wait-1 state fin-wait-2 state close-wait state last-ack \
			state closing
	done | wc -l
}

# tcp_allocated - TCP sockets the kernel has allocated, all namespaces: those
# of a hold that reset its connections stay until the server closes them,
# which ss no longer lists (closed sockets are in no table)
tcp_allocated() {
	awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "alloc") print $(i + 1) }' \
		/proc/net/sockstat
}

# sockets_gone - no socket of a hold is left, open or closed
sockets_gone() {
	[ "$(open_sockets)" -eq 0 ] && [ "$(tcp_allocated)" -le "$TCP_IDLE" ]
}

# slab_now - the slab total in kB, once the sockets of the last hold are
# gone (closing 20,000 of them takes seconds under emulation: the client's
# and then, as the server gets to them, the server's) and RCU freed them
slab_now() {
	busywait 600000 sockets_gone || return 1
	sleep 2
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# caches OFF ON SOCKETS - the slab caches that grew from OFF to ON
# (slabinfo files), in bytes per socket, largest first: "name bytes" lines
caches() {
	awk -v socks="$3" 'FNR == NR { if ($1 !~ /^#|^slabinfo/) off[$1] = $2 * $4; next }
		$1 !~ /^#|^slabinfo/ { d = ($2 * $4 - off[$1]) / socks
			if (d >= 4) printf "%s %d %d\n", $1, d, $4 }' "$1" "$2" | sort -k2 -nr
}

# merged_with_causal - the caches SLUB merged causal's into (same object
# size and flags: causal_sock shares cred_jar's slabs on Linux 6.1), which
# /proc/slabinfo lists under the first one's name only
merged_with_causal() {
	local d t n

	for d in /sys/kernel/slab/causal_sock*; do
		[ -L "$d" ] || continue
		t=$(readlink -f "$d")
		for n in /sys/kernel/slab/*; do
			[ -L "$n" ] && [ "$(readlink -f "$n")" = "$t" ] && echo "${n##*/}"
		done
	done | sort -u | tr '\n' ' '
}

# overhead_memory - kernel memory per tracked socket, for each number of
# connections in CAUSAL_BENCH_MEMORY_CONNS (1000 10000) and each clock; and
# where it goes, by slab cache
overhead_memory() {
	local sizes=${CAUSAL_BENCH_MEMORY_CONNS:-1000 10000} n base off on per clock json_caches \
		c bytes obj list own merged

	# the sockets there are with no hold: the server's, and what else runs
	TCP_IDLE=$(tcp_allocated)
	merged=" $(merged_with_causal)"
	[ "$merged" = " " ] || echo "# $(uname -r): caches that share slabs with causal's:$merged"
	for n in $sizes; do
		echo "# $(uname -r): kernel memory (slab) with $n open connections a -> b"
		printf '%-8s %12s %12s %10s %8s   %s\n' clock "off kB" "on kB" "B/socket" \
			"causal's" "slab caches that grew, B/socket"
		for clock in lamport hlc vector; do
			use_clock $clock || return 1
			mode off
			base=$(slab_now) || return 1
			off=$(hold "$n" off) || return 1
			off=$((off - base))
			mode full || return 1
			base=$(slab_now) || return 1
			on=$(hold "$n" on) || return 1
			on=$((on - base))
			mode off
			# a hold of thousands of sockets takes megabytes: less is
			# a reading of something else
			[ "$off" -gt "$n" ] && [ "$on" -gt "$n" ] || {
				echo "# $clock, $n connections: slab grew $off kB off, $on kB on: no reading"
				return 1
			}
			per=$(( (on - off) * 1024 / (2 * n) ))
			list=
			json_caches=
			own=0
			while read -r c bytes obj; do
				list+="${list:+, }$c $bytes"
				json_caches+="${json_caches:+,}\"$c\":{\"bytes_per_socket\":$bytes,\"object\":$obj}"
				# radix_tree_node: the nodes' socket tables (xarrays)
				[[ $c = causal_sock* || $c = kmalloc-cg-* || $c = radix_tree_node ||
				   $merged = *" $c "* ]] &&
					own=$((own + bytes))
			done < <(caches "$res/slab-off" "$res/slab-on" $((2 * n)))
			printf '%-8s %12s %12s %10s %8s   %s\n' $clock $off $on $per $own "$list"
			printf '{"kind":"memory","kernel":"%s","clock":"%s","connections":%d,"sockets":%d,"off_kb":%d,"on_kb":%d,"bytes_per_socket":%d,"own_bytes_per_socket":%d,"caches":{%s}}\n' \
				"$(uname -r)" $clock "$n" $((2 * n)) $off $on $per $own "$json_caches" >> "$json"
		done
	done
	return 0
}

overhead_dir=$(mktemp -d /tmp/causal-overhead.XXXXXX)
WORKLOADS=()
ALONE=()
CLOCK=
ulimit -n 65536
ns_create a b && veth_pair a b 10.78.0 || bad=1
# each run on its own: TCP would start a connection with what the last one
# to the same address learnt (its congestion window, ssthresh, RTT)
for n in a b; do
	in_ns $n sysctl -qw net.ipv4.tcp_no_metrics_save=1 || bad=1
done
# the request/response server, and the process whose /proc/PID/net shows b
ip netns exec "$NS_PREFIX-b" "$RR" server 7000 > /dev/null 2>&1 &
RRPID=$!
busywait 5000 listening b 7000 || bad=1
# CAUSAL_BENCH_PARTS picks some of: tcp other memory (and guest.sh's oracle)
parts=" ${CAUSAL_BENCH_PARTS:-tcp other memory} "
[[ $bad = 0 && $parts = *" tcp "* ]] && workloads_tcp
if [[ $bad = 0 && $parts = *" other "* ]]; then
	workloads_other || { echo "# nginx did not start"; bad=1; }
fi
if [ $bad = 0 ] && [ ${#WORKLOADS[@]} -gt 0 ]; then
	rounds "${WORKLOADS[@]}" || { echo "# the overhead runs failed"; bad=1; }
fi
if [ $bad = 0 ] && [ ${#ALONE[@]} -gt 0 ]; then
	rounds "${ALONE[@]}" || { echo "# the overhead runs failed"; bad=1; }
fi
if [[ $bad = 0 && $parts = *" memory "* ]]; then
	overhead_memory || { echo "# memory per socket: failed"; bad=1; }
fi
mode off
use_clock lamport
[ -f "$overhead_dir/nginx.pid" ] && kill "$(cat "$overhead_dir/nginx.pid")"
pkill -x iperf3
kill $RRPID
wait $RRPID 2> /dev/null
ns_cleanup
rm -rf "$overhead_dir"
