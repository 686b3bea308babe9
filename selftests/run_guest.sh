#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_guest.sh - run causal's selftests inside a test guest (scripts/vm/run).
#
# Every test program prints TAP; this flattens them into one line per case,
# "ok - PROGRAM: CASE" or "not ok - ..." (with "# SKIP why" when skipped), on
# stdout and in $CAUSAL_RESULTS/tap, and keeps each program's whole output in
# $CAUSAL_RESULTS/logs/PROGRAM.log.  The module is loaded before each program that
# needs it and must unload at the end.

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
res=${CAUSAL_RESULTS:-/tmp/causal-results}
ko=$build/$(uname -r)/kmod/causal.ko
# a bound for hangs, not a deadline: guests share the host's cores
per_test_timeout=${CAUSAL_TEST_TIMEOUT:-900}

# In order; module.sh first, as it loads and unloads the module itself.
tests=(
	module.sh
	status.sh
	netlink_test
	ynl.sh
	tcp.sh
	paths.sh
	udp.sh
	vector.sh
	events.sh
	probe.sh
	safety.sh
	incident.sh
	fuzz.sh
	hostile.sh
	wireshark.sh
	load.sh
	install.sh
	lifecycle.sh
)
# CAUSAL_TEST_PROGRAMS="udp.sh tcp.sh" runs only those, CAUSAL_TEST_EXCLUDE
# all but those (make check runs the lifecycle test in a guest of its own)
[ -n "${CAUSAL_TEST_PROGRAMS:-}" ] && read -ra tests <<< "$CAUSAL_TEST_PROGRAMS"
for t in ${CAUSAL_TEST_EXCLUDE:-}; do
	for i in "${!tests[@]}"; do
		[ "${tests[i]}" = "$t" ] && unset "tests[i]"
	done
done

# the tests' jq (lib.sh)
command -v gojq > /dev/null && export CAUSAL_TEST_JQ=gojq

mkdir -p "$res/logs"
: > "$res/tap"
: > "$res/times"

emit() {
	printf '%s\n' "$1" | tee -a "$res/tap"
}

# cpu_ticks - busy time of all CPUs since boot, in clock ticks
cpu_ticks() {
	local cpu user nice system idle iowait irq softirq steal

	read -r cpu user nice system idle iowait irq softirq steal _ < /proc/stat
	echo $((user + nice + system + irq + softirq + steal))
}

# leftovers - what a program killed on its timeout left: its pins, its
# namespaces, its peers, which would fail the programs after it
leftovers() {
	[ -e /sys/fs/bpf/causal/sockops ] && "$top/user/causalctl" detach 2> /dev/null
	ip -all netns delete 2> /dev/null
	pkill -x causal_peer
	pkill -f 'selftests/(udp_tool|churn).py'
}

run_one() {
	local t=$1 log=$res/logs/$1.log rc seen=0 failed=0 line limit start cpu

	case $t in
	*.sh) cmd=(bash "$top/selftests/$t") ;;
	*) cmd=("$build/selftests/$t") ;;
	esac
	[ "$t" = module.sh ] || [ -d /sys/module/causal ] || insmod "$ko"

	limit=$per_test_timeout
	# a hundred module lives, each seconds of RCU grace periods
	[ "$t" = lifecycle.sh ] && limit=$((per_test_timeout * 4))
	start=${EPOCHREALTIME//[.,]/} cpu=$(cpu_ticks)
	timeout -k 5 "$limit" "${cmd[@]}" > "$log" 2>&1
	rc=$?
	# what the program took: wall time, and CPU time of the guest's CPUs
	# (under emulation, what the host's cores give the guest)
	printf '# %s: %d s, %d s of CPU\n' "$t" $(((${EPOCHREALTIME//[.,]/} - start) / 1000000)) \
		$((($(cpu_ticks) - cpu) / $(getconf CLK_TCK))) >> "$res/times"
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ (.*)$ ]]; then
			seen=$((seen + 1))
			if [ -n "${BASH_REMATCH[1]}" ]; then
				failed=$((failed + 1))
				emit "not ok - $t: ${BASH_REMATCH[2]}"
			else
				emit "ok - $t: ${BASH_REMATCH[2]}"
			fi
		fi
	done < "$log"
	if [ $rc = 124 ]; then
		emit "not ok - $t: finished within ${limit}s"
		leftovers
	elif [ $rc != 0 ] && [ $failed = 0 ]; then
		emit "not ok - $t: exited with status $rc"
	elif [ $seen = 0 ]; then
		emit "ok - $t"
	fi
}

for t in "${tests[@]}"; do
	run_one "$t"
done

# Detached programs let go of the module once RCU is done with them.
unload() {
	local i

	for i in $(seq 300); do
		rmmod causal 2> /dev/null && return 0
		sleep 0.1
	done
	rmmod causal
}

if [ -d /sys/module/causal ] && ! unload; then
	emit "not ok - suite: module unloads after the tests"
else
	emit "ok - suite: module unloads after the tests"
fi

# A kernel with kmemleak (make check-debug): what leaked, now that the
# module is gone.  Reports go to the log, where check.sh finds them too.
kmemleak=/sys/kernel/debug/kmemleak
[ -d /sys/kernel/debug/tracing ] || mount -t debugfs none /sys/kernel/debug 2> /dev/null
if [ -e $kmemleak ]; then
	echo scan > $kmemleak
	sleep 5
	echo scan > $kmemleak
	cat $kmemleak > "$res/logs/kmemleak.log"
	if [ -s "$res/logs/kmemleak.log" ]; then
		emit "not ok - suite: kmemleak finds no leak ($(grep -c '^unreferenced object' "$res/logs/kmemleak.log") objects: logs/kmemleak.log)"
	else
		emit "ok - suite: kmemleak finds no leak"
	fi
fi
