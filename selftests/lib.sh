#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - helpers for causal's shell selftests, run inside a test guest.
#
# A test script sources this file, calls run_test for each case and ends with
# exit_tests.  Output is TAP: "ok N name", "not ok N name", "ok N name # SKIP
# why"; details go to stdout as "# " comments.

TOP=${CAUSAL_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${CAUSAL_BUILD:-$TOP/build}
CAUSALCTL=$TOP/user/causalctl
KO=$BUILD/$(uname -r)/kmod/causal.ko

# How much slower than Debian's kernels this one runs (make check-debug
# says): busywait, and tests that race the wall clock, give it that much
# more time.
SLOW=${CAUSAL_TEST_SLOW:-1}
BUSYWAIT_FLOOR_MS=${CAUSAL_BUSYWAIT_FLOOR_MS:-120000}

ksft_n=0
ksft_fail=0
ksft_skip_rc=4
# Namespaces of this script, removed on exit: unique per run.
NS_PREFIX=causal-$$
declare -a NS_CREATED=()
# Commands to run when the current case ends, last first (see defer).
declare -a DEFERRED=()

echo "TAP version 13"

# log MSG... - a comment in the TAP stream
log() {
	echo "# $*"
}

# run_test NAME FUNCTION [ARGS...] - run one case in a subshell; its status
# decides: 0 ok, $ksft_skip_rc skipped (the last line of its output says why).
run_test() {
	local name=$1 out rc start
	shift

	# CAUSAL_TEST_FILTER=REGEX runs only the matching cases (development)
	[[ -z ${CAUSAL_TEST_FILTER:-} || $name =~ $CAUSAL_TEST_FILTER ]] || return 0
	ksft_n=$((ksft_n + 1))
	start=${EPOCHREALTIME//[.,]/}
	out=$( (trap case_cleanup EXIT; "$@") 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	start=$((${EPOCHREALTIME//[.,]/} - start))
	printf '# %s: %d.%d s\n' "$name" $((start / 1000000)) $((start / 100000 % 10))
	if [ $rc = 0 ]; then
		echo "ok $ksft_n $name"
	elif [ $rc = $ksft_skip_rc ]; then
		echo "ok $ksft_n $name # SKIP $(printf '%s\n' "$out" | tail -n 1)"
	else
		echo "not ok $ksft_n $name"
		ksft_fail=$((ksft_fail + 1))
	fi
}

exit_tests() {
	shared_detach
	echo "1..$ksft_n"
	[ $ksft_fail = 0 ]
	exit
}

# fail MSG... - end the current case as failed, saying why
fail() {
	echo "FAIL: $*"
	exit 1
}

# skip MSG... - end the current case as skipped, saying why
skip() {
	echo "$*"
	exit $ksft_skip_rc
}

# check DESCRIPTION COMMAND... - fail the case unless COMMAND succeeds
check() {
	local what=$1
	shift

	"$@" || fail "$what (command: $*)"
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# check_ne DESCRIPTION UNEXPECTED ACTUAL
check_ne() {
	[ "$2" != "$3" ] || fail "$1: both are '$3'"
}

require_command() {
	command -v "$1" > /dev/null || skip "$1 is not installed"
}

module_loaded() {
	[ -d /sys/module/causal ]
}

load_module() {
	module_loaded || insmod "$KO"
}

unload_module() {
	! module_loaded || rmmod causal
}

# lines_are FILE N - FILE has N lines (for busywait)
lines_are() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -eq "$2" ]
}

# nap SECONDS - sleep without a process: polling loops run often, and under
# emulation every fork costs milliseconds of CPU
nap() {
	if [ -z "${NAP_FD:-}" ]; then
		local fifo

		fifo=$(mktemp -u /tmp/causal-nap.XXXXXX) && mkfifo "$fifo" &&
			exec {NAP_FD}<> "$fifo" && rm -f "$fifo" || { sleep "$1"; return; }
	fi
	read -r -t "$1" -u "$NAP_FD"
	return 0
}

# busywait TIMEOUT_MS COMMAND... - poll until COMMAND succeeds (the clock
# read without a process too).  What is awaited is an event, never a time:
# TIMEOUT_MS is how long it takes on an idle machine, and the bound is
# generous beyond it (BUSYWAIT_FLOOR_MS, two minutes; SLOW times as long on
# a slow kernel), since guests share the host's cores with each other and
# a step of a second may take twenty
busywait() {
	local now=${EPOCHREALTIME//[.,]/} deadline bound=$1

	[ "$bound" -ge "$BUSYWAIT_FLOOR_MS" ] || bound=$BUSYWAIT_FLOOR_MS
	deadline=$((now / 1000 + bound * SLOW))
	shift
	until "$@"; do
		now=${EPOCHREALTIME//[.,]/}
		[ $((now / 1000)) -lt "$deadline" ] || return 1
		nap 0.05
	done
}

# ns_create NAME... - network namespaces $NS_PREFIX-NAME with lo up
ns_create() {
	local n

	for n in "$@"; do
		ip netns add "$NS_PREFIX-$n" || return 1
		NS_CREATED+=("$NS_PREFIX-$n")
		ip -n "$NS_PREFIX-$n" link set lo up
	done
}

# in_ns NAME COMMAND... - run COMMAND in namespace NAME
in_ns() {
	local n=$1
	shift

	ip netns exec "$NS_PREFIX-$n" "$@"
}

# veth_pair A B SUBNET - join namespaces A and B by veth: in A the device is
# veth-B with SUBNET.1/24 (and fd00:SUBNET-as-hex::1/64), in B veth-A with .2
veth_pair() {
	local a=$1 b=$2 net=$3 v6

	v6=fd00:$(echo "$net" | tr . :)
	ip link add "veth-$b" netns "$NS_PREFIX-$a" type veth peer name "veth-$a" \
		netns "$NS_PREFIX-$b" || return 1
	ip -n "$NS_PREFIX-$a" addr add "$net.1/24" dev "veth-$b"
	ip -n "$NS_PREFIX-$b" addr add "$net.2/24" dev "veth-$a"
	ip -n "$NS_PREFIX-$a" -6 addr add "$v6::1/64" dev "veth-$b" nodad
	ip -n "$NS_PREFIX-$b" -6 addr add "$v6::2/64" dev "veth-$a" nodad
	ip -n "$NS_PREFIX-$a" link set "veth-$b" up
	ip -n "$NS_PREFIX-$b" link set "veth-$a" up
}

# defer COMMAND... - run COMMAND when the case ends, pass or fail
defer() {
	DEFERRED+=("$*")
}

ns_cleanup() {
	local n

	for n in "${NS_CREATED[@]}"; do
		ip netns del "$n" 2> /dev/null
	done
	NS_CREATED=()
}

# run_deferred - what defer asked for, last first
run_deferred() {
	local i

	for ((i = ${#DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${DEFERRED[i]}" > /dev/null 2>&1
	done
	DEFERRED=()
}

# case_cleanup - when a case ends.  HOST_TEST=1 (tests on the build
# machine): only what the case deferred, nothing of the guest's
case_cleanup() {
	run_deferred
	[ "${HOST_TEST:-0}" = 1 ] && return
	# Background jobs of the case (peers left by a failure or held open)
	# go too, with the programs they started under ip netns exec.
	kill $(jobs -p) 2> /dev/null
	pkill -x causal_peer 2> /dev/null
	pkill -f selftests/udp_tool.py 2> /dev/null
	ns_cleanup
}
trap case_cleanup EXIT

# Where causalctl pins what it attaches
PINS=${CAUSAL_BPFFS:-/sys/fs/bpf/causal}

# attach [ARGS] - attach causal's programs for the rest of the case.  In a
# program that sets SHARE_ATTACH=1, a plain attach (root cgroup) stays for
# its next cases too, and goes in exit_tests: attaching verifies some twenty
# BPF programs, most of a second of CPU under emulation.  Its cases must not
# depend on what earlier ones did to the attachment; nodes are namespaces,
# made afresh by each case.
attach() {
	if [ $# = 0 ] && [ "${SHARE_ATTACH:-0}" = 1 ]; then
		[ -e "$PINS/sockops" ] && return 0
		"$CAUSALCTL" attach > /dev/null
		return
	fi
	shared_detach
	"$CAUSALCTL" attach "$@" > /dev/null || return 1
	defer "$CAUSALCTL" detach
}

# shared_detach - detach what a SHARE_ATTACH program left attached
shared_detach() {
	[ "${SHARE_ATTACH:-0}" = 1 ] && [ -e "$PINS/sockops" ] || return 0
	"$CAUSALCTL" detach > /dev/null
}

# attach_cgroup - attach to a fresh cgroup of its own, set CG to its path;
# a process joins it with "echo PID > $CG/cgroup.procs"
attach_cgroup() {
	CG=/sys/fs/cgroup/causal-test-$$
	mkdir "$CG" || return 1
	defer rmdir "$CG"
	attach --cgroup "$CG"
}

# listening NODE PORT - a TCP socket of the node listens on PORT
listening() {
	in_ns "$1" ss -Hltn "sport = :$2" | grep -q LISTEN
}

# tmpdir - set T to a directory for the case's files, removed when it ends
tmpdir() {
	T=$(mktemp -d /tmp/causal-test.XXXXXX) || return 1
	defer rm -rf "$T"
}
