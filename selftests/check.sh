#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - run all of causal's tests: in guests, three per kernel, as many
# at a time as the host has cores, and on the host meanwhile.  Usage:
# check.sh RELEASE...
#
# Prints one TAP stream (host cases, then each kernel's, every case named by
# where it ran) and, last, "N passed, N failed, N skipped".  A guest that hangs
# is killed after CAUSAL_GUEST_TIMEOUT seconds (default 3000) and counts as a
# failure; so does an oops, BUG, WARN or list corruption in its kernel log.
# Logs are kept under build/check (CAUSAL_CHECK_OUT; make check-debug's
# under build/check-debug, so that the two may run at once).

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
out=${CAUSAL_CHECK_OUT:-$build/check}
guest_timeout=${CAUSAL_GUEST_TIMEOUT:-3000}
n=0 pass=0 failed=0 skipped=0

# Lines of a kernel log that fail a run whatever the tests said.
bad_kernel_log='(Oops|BUG:|WARNING:|Kernel panic|general protection fault|list_(add|del) corruption|Call Trace:|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|soft lockup|hard LOCKUP|hung_task|blocked for more than|rcu.*(stall|self-detected)|refcount_t:|stack-protector|unreferenced object|Unable to handle kernel)'

rm -rf "$out"
mkdir -p "$out/host"

# result "ok"|"not ok" NAME [DIRECTIVE]
result() {
	n=$((n + 1))
	case "$1 $3" in
	"ok "*SKIP*) skipped=$((skipped + 1)) ;;
	"ok "*) pass=$((pass + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	echo "$1 $n $2${3:+ $3}"
}

# show_log FILE - the end of a log, as TAP comments
show_log() {
	tail -n 40 "$1" | sed 's/^/#   /'
}

# tap_cases PREFIX LOG - a result for each "ok N name" line of a TAP log;
# sets tap_bad to the number that failed
tap_cases() {
	local prefix=$1 log=$2 line rest dir

	tap_bad=0
	while IFS= read -r line; do
		[[ $line =~ ^(not\ )?ok\ [0-9-]+\ (.*)$ ]] || continue
		rest=${BASH_REMATCH[2]} dir=""
		if [[ $rest =~ ^(.*)\ (#\ SKIP.*)$ ]]; then
			rest=${BASH_REMATCH[1]} dir=${BASH_REMATCH[2]}
		fi
		if [[ $line == not* ]]; then
			result "not ok" "$prefix$rest" "$dir"
			tap_bad=$((tap_bad + 1))
		else
			result "ok" "$prefix$rest" "$dir"
		fi
	done < "$log"
}

run_host() {
	local t name log rc

	for t in "$build"/selftests/host/* "$top"/selftests/host/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t")
		log=$out/host/$name.log
		case $t in
		*.sh) bash "$t" > "$log" 2>&1 ;;
		*) "$t" > "$log" 2>&1 ;;
		esac
		rc=$?
		tap_cases "host: $name: " "$log"
		if [ "$rc" != 0 ] && [ "$tap_bad" = 0 ]; then
			result "not ok" "host: $name: exited with status $rc"
			tap_bad=1
		fi
		[ "$tap_bad" = 0 ] || show_log "$log"
	done
}

# A guest is a job: "RELEASE" runs the suite but for the programs of the
# groups in $apart, "RELEASE/GROUP" runs the programs of GROUP, each group
# in a guest of its own.  A group is NAME:PROGRAM,PROGRAM...  The guests
# run CAUSAL_CHECK_JOBS at a time, the main ones and then the groups', which
# get about the same work (the guests' own "times" say).
# CAUSAL_TEST_PROGRAMS set: one guest per release, those programs only.
apart=${CAUSAL_CHECK_APART-b:vector,fuzz,probe,load,hostile,safety,paths c:udp,events,lifecycle}

# group_programs GROUP - the programs of a group of $apart, "x.sh y.sh"
group_programs() {
	local g

	for g in $apart; do
		[ "${g%%:*}" = "$1" ] || continue
		g=${g#*:}
		echo "${g//,/.sh }.sh"
	done
}

# boot_guest JOB - boot a guest that runs the job's tests; its exit status
# lands in rc.status of its results, $out/RELEASE or $out/RELEASE.GROUP
boot_guest() {
	local job=$1 rel=${1%%/*} res=$out/${1/\//.} rc g

	if [ -z "${CAUSAL_TEST_PROGRAMS:-}" ]; then
		if [ "$job" = "$rel" ]; then
			export CAUSAL_TEST_EXCLUDE=""
			for g in $apart; do
				CAUSAL_TEST_EXCLUDE+="$(group_programs "${g%%:*}") "
			done
		else
			export CAUSAL_TEST_PROGRAMS
			CAUSAL_TEST_PROGRAMS=$(group_programs "${job#*/}")
		fi
	fi
	mkdir -p "$res"
	"$top/scripts/vm/run" -q -k "$rel" -t "$guest_timeout" -r "$res" \
		"$top/selftests/run_guest.sh"
	rc=$?
	# A guest that died of an int3 oops met QEMU's emulation, not causal:
	# with a thread per vCPU, a vCPU can run a stale copy of kernel code
	# patched through a breakpoint (seen at boot, before any module, in
	# sched_clock_cpu).  One more boot, the first one's logs kept apart.
	if [ "$rc" = 125 ] && grep -q 'Oops: int3' "$res/serial.log" 2> /dev/null; then
		rm -rf "$res.int3"
		mv "$res" "$res.int3"
		echo "$job: the guest died of an int3 oops (TCG code patching; logs in $res.int3): booting again"
		"$top/scripts/vm/run" -q -k "$rel" -t "$guest_timeout" -r "$res" \
			"$top/selftests/run_guest.sh"
		rc=$?
	fi
	echo "$rc" > "$res/rc.status"
}

# report_guest JOB - the results of a guest that ran
report_guest() {
	local job=$1 res=$out/${1/\//.} rc t hits

	rc=$(cat "$res/rc.status" 2> /dev/null || echo 125)
	[ -f "$res/times" ] && sed "s|^# |# $job: |" "$res/times"
	[ -f "$res/host-cpu" ] && echo "# $job: the guest took $(cat "$res/host-cpu") s of host CPU"
	if [ -f "$res/tap" ]; then
		tap_cases "$job: " "$res/tap"
		if [ "$tap_bad" != 0 ]; then
			for t in "$res"/logs/*.log; do
				grep -q '^not ok' "$t" 2>/dev/null || continue
				echo "# $(basename "$t"):"
				show_log "$t"
			done
		fi
	fi
	case $rc in
	0) result "ok" "$job: guest ran its tests" ;;
	124) result "not ok" "$job: guest ran its tests (killed after ${guest_timeout}s; serial log $res/serial.log)"
	     show_log "$res/serial.log" ;;
	125) result "not ok" "$job: guest ran its tests (died without a status; serial log $res/serial.log)"
	     show_log "$res/serial.log" ;;
	*) result "not ok" "$job: guest ran its tests (exit status $rc)" ;;
	esac
	hits=$(cat "$res/dmesg" "$res/serial.log" 2>/dev/null | grep -E "$bad_kernel_log" | sort -u)
	if [ -n "$hits" ]; then
		result "not ok" "$job: kernel log has no oops, BUG, WARN or corruption"
		printf '%s\n' "$hits" | head -n 40 | sed 's/^/#   /'
	else
		result "ok" "$job: kernel log has no oops, BUG, WARN or corruption"
	fi
}

start=$(date +%s)
echo "TAP version 13"
# The guests all at once: each is a single-threaded TCG guest (QEMU_ACCEL;
# see Documentation/testing.rst), which keeps at most one host core busy
# and never runs stale copies of code the kernel patched.
export QEMU_ACCEL=${QEMU_ACCEL:-tcg,thread=single}
# Each kernel's guests side by side, the first first: its programs wait
# the most (for a wall clock to pass a time, a listener's fixed sleep),
# which is when the host tests run.
jobs=() groups=""
if [ -z "${CAUSAL_TEST_PROGRAMS:-}" ]; then
	for g in $apart; do
		groups="$groups ${g%%:*}"
	done
fi
for g in "" $groups; do
	for rel in "$@"; do
		jobs+=("$rel${g:+/$g}")
	done
done
# As many guests at a time as the host has cores (CAUSAL_CHECK_JOBS): more
# would not finish sooner, since each keeps a core busy, and the host would
# spend its time switching between them, each coming back to caches the
# others emptied (Documentation/testing.rst, "How long").
guest_jobs=${CAUSAL_CHECK_JOBS:-$(nproc)}
run_guests() {
	local job running=0

	for job in "${jobs[@]}"; do
		if [ "$running" -ge "$guest_jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
		boot_guest "$job" > "$out/${job/\//.}.boot" 2>&1 &
		running=$((running + 1))
	done
	wait
}
for job in "${jobs[@]}"; do
	echo "# $job: a guest ($guest_jobs at a time)"
done
run_guests &
guests=$!
# The host tests meanwhile: the guests leave a core idle now and then (the
# lifecycle ones wait for grace periods).  CAUSAL_CHECK_HOST=0: the guests
# only (make check-debug).
if [ "${CAUSAL_CHECK_HOST:-1}" != 0 ]; then
	echo "# host"
	run_host
	echo "# host tests took $(($(date +%s) - start))s"
fi
wait $guests
for job in "${jobs[@]}"; do
	[ -s "$out/${job/\//.}.boot" ] && sed 's/^/# /' "$out/${job/\//.}.boot"
	report_guest "$job"
done
echo "1..$n"
echo "# make check took $(($(date +%s) - start))s; logs in $out"
echo "$pass passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
