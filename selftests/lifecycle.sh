#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's life, over and over while traffic flows: load, attach, new
# connections stamped, detach, unload, CAUSAL_LIFECYCLE_CYCLES times
# (default 12), while connections opened before the first load stay open,
# and some busy, throughout.
#
#   +-----------------------+   veth   +----------------------+
#   | ns a 10.77.0.1        |----------| ns b 10.77.0.2       |
#   | causal_rr clients     |          | causal_rr server     |
#   +-----------------------+          +----------------------+
#
# In each cycle the programs hold the module (rmmod is refused, saying it
# is in use), connections opened in it are stamped, some exchange requests
# while the programs detach and the module goes, others stay open past the
# unload.  Nothing may leak: the module's references drop to zero so that it
# unloads, no BPF program, map or link stays behind, and the kernel's slab
# memory does not grow with the cycles.  Each cycle waits for the tasks-RCU
# grace periods of a dozen trampolines going away: seconds under TCG, which
# is why make check runs this in a guest of its own.

. "$(dirname "$0")/lib.sh"

RR=$BUILD/selftests/causal_rr
CYCLES=${CAUSAL_LIFECYCLE_CYCLES:-12}
# Cycles before memory is first measured: kernel threads and caches grow
# to what the churn needs, then stay.
WARMUP=$((CYCLES >= 40 ? 10 : CYCLES >= 10 ? 5 : 1))
# Growth allowed over the measured cycles, in kB, of the caches the BPF
# records of sockets come from (their noise is tens of kB; the records of
# a cycle's two dozen sockets left behind would take megabytes), and of all
# slab memory (the noise of processes, files and sockets coming and going
# is some hundreds of kB; a leak of 12 kB a cycle would show).  kmemleak,
# in make check-debug, finds smaller ones.
RECORDS_SLACK_KB=128
SLAB_SLACK_KB=1024

# spawn NODE COMMAND... - COMMAND in NODE's namespace, in the background, as
# the process $! names (ip netns exec execs it)
spawn() {
	local n=$1
	shift

	ip netns exec "$NS_PREFIX-$n" "$@" &
}

bpf_objects() {
	echo "$(bpftool prog show | grep -c '^[0-9]*:') progs," \
	     "$(bpftool map show | grep -c '^[0-9]*:') maps," \
	     "$(bpftool link show | grep -c '^[0-9]*:') links"
}

# unreferenced - nothing holds the module (read without a process: it is
# polled for seconds each cycle)
unreferenced() {
	local refs

	read -r refs < /sys/module/causal/refcnt && [ "$refs" = 0 ]
}

# ready FILE - a hold process wrote that its connections are up
ready() {
	local line

	read -r line < "$1" && [[ $line == ready* ]]
}

# slab FILE - the kernel's slab memory in kB, once RCU has freed what it
# holds and caches are dropped; the bytes of each cache into FILE
slab() {
	sleep 1
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo | sort > "$1"
	awk '/^Slab:/ { print $2 }' /proc/meminfo
}

# cycle N - one life of the module; prints why it failed, if it did
cycle() {
	local n=$1 out client hold rc refs

	insmod "$KO" || { echo "insmod"; return 1; }
	"$CAUSALCTL" attach > /dev/null || { echo "attach"; return 1; }
	read -r refs < /sys/module/causal/refcnt
	[ "$refs" -gt 0 ] || { echo "attached programs hold no reference"; return 1; }
	out=$(rmmod causal 2>&1) && { echo "rmmod succeeded while attached"; return 1; }
	case $out in
	*"in use"*) ;;
	*) echo "rmmod while attached said: $out"; return 1 ;;
	esac
	spawn a "$RR" client 10.77.0.2 7701 4 16 1 10 > "$T/client" 2>&1
	client=$!
	spawn a "$RR" hold 10.77.0.2 7701 8 > "$T/hold" 2>&1
	hold=$!
	busywait 10000 ready "$T/hold" || { echo "hold: $(cat "$T/hold")"; return 1; }
	# (no jq here: each cycle counts, and jq takes long to start)
	out=$(in_ns b "$CAUSALCTL" -j status)
	[[ $out =~ \"stamps_in\":\ *([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] ||
		{ echo "nothing stamped: $out"; return 1; }
	"$CAUSALCTL" detach > /dev/null || { echo "detach"; return 1; }
	# the programs let go of the module once RCU is done with them
	busywait 20000 unreferenced ||
		{ echo "$(cat /sys/module/causal/refcnt) references $((20 * SLOW)) s after detach"; return 1; }
	out=$(rmmod causal 2>&1) || { echo "rmmod after detach: $out"; return 1; }
	wait $client
	rc=$?
	[ $rc = 0 ] || { echo "client (status $rc): $(cat "$T/client")"; return 1; }
	# tracked sockets the module has forgotten close without it
	kill $hold
	wait $hold 2> /dev/null
	[ $n -gt 1 ] || echo "$refs references while attached"
	return 0
}

load_attach_unload_cycles() {
	local i start base_bpf slab0 slab1 why busy hold grew records

	require_command jq
	require_command bpftool
	unload_module || fail "the module is held before the test"
	ns_create a b && veth_pair a b 10.77.0 || fail "topology"
	tmpdir || fail "tmpdir"
	ulimit -n 4096
	spawn b "$RR" server 7701 > /dev/null 2>&1
	defer kill $!
	busywait 5000 listening b 7701 || fail "server"
	# busy from before the first load to after the last unload
	spawn a "$RR" client 10.77.0.2 7701 8 64 100000 50 > "$T/busy" 2>&1
	busy=$!
	defer kill $busy
	spawn a "$RR" hold 10.77.0.2 7701 200 > "$T/held" 2>&1
	hold=$!
	defer kill $hold
	busywait 60000 ready "$T/held" || fail "held connections: $(cat "$T/held")"

	base_bpf=$(bpf_objects)
	start=$(date +%s)
	for ((i = 1; i <= CYCLES; i++)); do
		why=$(cycle $i) || fail "cycle $i: $why"
		[ -n "$why" ] && log "$why"
		[ $i = $WARMUP ] && slab0=$(slab "$T/slab0")
		kill -0 $busy 2> /dev/null || fail "the busy client stopped: $(cat "$T/busy")"
	done
	slab1=$(slab "$T/slab1")
	log "$CYCLES cycles in $(($(date +%s) - start)) s; slab $slab0 kB after cycle $WARMUP, $slab1 kB after the last"
	check_eq "BPF objects after the cycles" "$base_bpf" "$(bpf_objects)"
	check "held connections still open" kill -0 $hold
	grew=$((slab1 - slab0))
	records=$(join "$T/slab0" "$T/slab1" |
		  awk '$1 ~ /^kmalloc-cg-(1k|192)$/ { b += $3 - $2 } END { print int(b / 1024) }')
	log "slab grew by $grew kB, the caches of BPF records by $records kB;" \
	    "caches that grew by more than 8 kB:"
	join "$T/slab0" "$T/slab1" |
		awk '$3 - $2 > 8192 { printf "#   %s %d kB\n", $1, ($3 - $2) / 1024 }'
	[ "$records" -le $RECORDS_SLACK_KB ] ||
		fail "BPF records grew by $records kB over $((CYCLES - WARMUP)) cycles"
	[ $grew -le $SLAB_SLACK_KB ] ||
		fail "slab grew by $grew kB over $((CYCLES - WARMUP)) cycles"
	# and the module still loads and works
	load_module || fail "insmod after the cycles"
	check "status after the cycles" "$CAUSALCTL" status > /dev/null
}

run_test "load_attach_unload_cycles ($CYCLES)" load_attach_unload_cycles
exit_tests
