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
per_test_timeout=${CAUSAL_TEST_TIMEOUT:-300}

# In order; module.sh first, as it loads and unloads the module itself.
tests=(
	module.sh
	status.sh
	netlink_test
	tcp.sh
	udp.sh
	vector.sh
	events.sh
	incident.sh
	fuzz.sh
)
# CAUSAL_TEST_PROGRAMS="udp.sh tcp.sh" runs only those (development)
[ -n "${CAUSAL_TEST_PROGRAMS:-}" ] && read -ra tests <<< "$CAUSAL_TEST_PROGRAMS"

mkdir -p "$res/logs"
: > "$res/tap"

emit() {
	printf '%s\n' "$1" | tee -a "$res/tap"
}

run_one() {
	local t=$1 log=$res/logs/$1.log rc seen=0 failed=0 line

	case $t in
	*.sh) cmd=(bash "$top/selftests/$t") ;;
	*) cmd=("$build/selftests/$t") ;;
	esac
	[ "$t" = module.sh ] || [ -d /sys/module/causal ] || insmod "$ko"

	timeout -k 5 "$per_test_timeout" "${cmd[@]}" > "$log" 2>&1
	rc=$?
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
		emit "not ok - $t: finished within ${per_test_timeout}s"
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
