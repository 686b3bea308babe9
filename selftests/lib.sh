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

# jq 1.6 compiles its library of builtins at every start: 180 million
# instructions, about half a second of a guest's CPU under emulation, and
# the tests start it hundreds of times.  gojq, the same language, starts
# in 9 million; run_guest.sh names it in CAUSAL_TEST_JQ.  It writes an
# object's members sorted and lacks keys_unsorted: what needs jq's order
# runs "command jq".  (Commands run through another, in_ns or xargs, get
# jq itself.)
if [ -n "${CAUSAL_TEST_JQ:-}" ]; then
	jq() {
		"$CAUSAL_TEST_JQ" "$@"
	}
fi

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
	local name=$1 out rc start line
	shift

	# CAUSAL_TEST_FILTER=REGEX runs only the matching cases (development)
	[[ -z ${CAUSAL_TEST_FILTER:-} || $name =~ $CAUSAL_TEST_FILTER ]] || return 0
	ksft_n=$((ksft_n + 1))
	start=${EPOCHREALTIME//[.,]/}
	out=$( (trap case_cleanup EXIT; "$@") 2>&1)
	rc=$?
	# (a loop, not sed: under emulation every process costs a tenth of
	# a second, and there are hundreds of cases)
	if [ -n "$out" ]; then
		while IFS= read -r line; do
			echo "# $line"
		done <<< "$out"
	fi
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

# lines_are FILE N - FILE has N whole lines (for busywait; no process)
lines_are() {
	local lines

	[ -r "$1" ] || return 1
	mapfile lines < "$1"
	[ ${#lines[@]} -eq "$2" ] && [[ $2 = 0 || ${lines[-1]} == *$'\n' ]]
}

# has FILE STRING - a line of FILE holds STRING (for busywait: read by the
# shell, where grep would be a process each poll)
has() {
	local line

	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line == *"$2"* ]] && return 0
	done < "$1"
	return 1
}

# nap SECONDS - sleep without a process: polling loops run often, and under
# emulation every process costs a tenth of a second of CPU.  The timeout of
# a read from a pipe nobody writes to (opened read-write: no end of file),
# made once for the program and its cases.
exec {NAP_FD}<> <(:) || NAP_FD=
nap() {
	if [ -n "$NAP_FD" ]; then
		read -r -t "$1" -u "$NAP_FD"
	else
		sleep "$1"
	fi
	return 0
}

# busywait TIMEOUT_MS COMMAND... - poll until COMMAND succeeds (the clock
# read without a process too).  What is awaited is an event, never a time:
# TIMEOUT_MS is how long it takes on an idle machine, and the bound is
# generous beyond it (BUSYWAIT_FLOOR_MS, two minutes; SLOW times as long on
# a slow kernel), since guests share the host's cores with each other and
# a step of a second may take twenty.  The polls back off, from 50 ms to 2 s
# apart: many a COMMAND is a process or two, whose CPU a long wait would
# otherwise take from what it waits for.
busywait() {
	local now=${EPOCHREALTIME//[.,]/} deadline bound=$1 gap=50 secs

	[ "$bound" -ge "$BUSYWAIT_FLOOR_MS" ] || bound=$BUSYWAIT_FLOOR_MS
	deadline=$((now / 1000 + bound * SLOW))
	shift
	until "$@"; do
		now=${EPOCHREALTIME//[.,]/}
		[ $((now / 1000)) -lt "$deadline" ] || return 1
		printf -v secs '%d.%03d' $((gap / 1000)) $((gap % 1000))
		nap "$secs"
		[ $gap -ge 2000 ] || gap=$((gap * 2 > 2000 ? 2000 : gap * 2))
	done
}

# ns_add NAME... - network namespaces $NS_PREFIX-NAME, lo down, in one
# process (see ns_batch)
ns_add() {
	local n

	for n in "$@"; do
		NS_CREATED+=("$NS_PREFIX-$n")
	done
	printf "netns add $NS_PREFIX-%s\n" "$@" | ip -b -
}

# ns_create NAME... - network namespaces $NS_PREFIX-NAME with lo up
ns_create() {
	local n

	ns_add "$@" || return 1
	for n in "$@"; do
		ip -n "$NS_PREFIX-$n" link set lo up || return 1
	done
}

# ns_batch NAME - the ip commands on stdin (one per line, without "ip"),
# in namespace NAME, by one process: under emulation each process costs a
# tenth of a second, and a topology takes dozens of commands
ns_batch() {
	ip -n "$NS_PREFIX-$1" -b -
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
	local a=$1 b=$2 net=$3 v6=fd00:${3//./:}

	ip link add "veth-$b" netns "$NS_PREFIX-$a" type veth peer name "veth-$a" \
		netns "$NS_PREFIX-$b" || return 1
	ns_batch "$a" <<- EOF || return 1
		addr add $net.1/24 dev veth-$b
		addr add $v6::1/64 dev veth-$b nodad
		link set veth-$b up
	EOF
	ns_batch "$b" <<- EOF
		addr add $net.2/24 dev veth-$a
		addr add $v6::2/64 dev veth-$a nodad
		link set veth-$a up
	EOF
}

# stat_of NODE KEY - the counter KEY of NODE's causal ("-": the initial
# namespace's), read without jq: tests poll counters, and under emulation
# jq costs a fifth of a second to start
stat_of() {
	local out

	if [ "$1" = - ]; then
		out=$("$CAUSALCTL" -j status) || return 1
	else
		out=$(in_ns "$1" "$CAUSALCTL" -j status) || return 1
	fi
	json_stat "$out" "$2"
}

# stat_is NODE KEY VALUE - the counter is VALUE (for busywait)
stat_is() {
	[ "$(stat_of "$1" "$2")" = "$3" ]
}

# sock_field NODE PORT FIELD - a number of the node's one socket to or from
# PORT, read from the text of its JSON: exact, where jq would round 64-bit
# numbers, and no process to parse it.  Fails unless PORT has one socket
# (the first FIELD is the socket's own, not one of its stats or vector).
sock_field() {
	local j

	j=$(in_ns "$1" "$CAUSALCTL" -j sockets --port "$2") || return 1
	[[ $j =~ \"cookie\".*\"cookie\" ]] && return 1
	json_num "$j" "$3"
}

# json_num JSON KEY - the first number named KEY in JSON
json_num() {
	[[ $1 =~ \"$2\":\ *([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# json_stat JSON KEY - the counter KEY in the stats of status JSON
json_stat() {
	json_num "${1#*\"stats\"}" "$2"
}

# defer COMMAND... - run COMMAND when the case ends, pass or fail
defer() {
	DEFERRED+=("$*")
}

ns_cleanup() {
	[ ${#NS_CREATED[@]} -gt 0 ] || return 0
	printf 'netns del %s\n' "${NS_CREATED[@]}" | ip -force -b - > /dev/null 2>&1
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
	# go too, with the programs they started under ip netns exec (one
	# pkill for all: it reads all of /proc).
	local jobs
	jobs=$(jobs -p)
	if [ -n "$jobs" ]; then
		kill $jobs 2> /dev/null
		pkill -f '/selftests/(causal_peer|udp_tool\.py|ask_peer\.py|debt_sink\.py)( |$)' 2> /dev/null
	fi
	ns_cleanup
}
trap case_cleanup EXIT

# Where causalctl pins what it attaches
PINS=${CAUSAL_BPFFS:-/sys/fs/bpf/causal}

# attach [ARGS] - attach causal's programs for the rest of the case.  In a
# program that sets SHARE_ATTACH=1, a plain attach (root cgroup) stays for
# its next cases too, and goes in exit_tests: attaching verifies some twenty
# BPF programs and moves ftrace's records for each trampoline, most of a
# second of CPU under emulation, and detaching moves them back.  Its cases
# must not depend on what earlier ones did to the attachment; nodes are
# namespaces, made afresh by each case.
attach() {
	if [ $# = 0 ] && [ "${SHARE_ATTACH:-0}" = 1 ]; then
		[ -e "$PINS/sockops" ] && [ ! -e "$SHARED_CG" ] && return 0
		shared_detach
		"$CAUSALCTL" attach > /dev/null
		return
	fi
	shared_detach
	"$CAUSALCTL" attach "$@" > /dev/null || return 1
	defer "$CAUSALCTL" detach
}

# Where a SHARE_ATTACH program's shared attachment is attach_cgroup's, not
# the root's: a file, since each case runs in a subshell of the program.
SHARED_CG=/tmp/causal-shared-cgroup-$$

# shared_detach - detach what a SHARE_ATTACH program left attached (and
# remove attach_cgroup's cgroup, if it was that)
shared_detach() {
	local rc=0

	if [ "${SHARE_ATTACH:-0}" = 1 ] && [ -e "$PINS/sockops" ]; then
		"$CAUSALCTL" detach > /dev/null || rc=1
	fi
	if [ -e "$SHARED_CG" ]; then
		rm -f "$SHARED_CG"
		rmdir "/sys/fs/cgroup/causal-test-$$" 2> /dev/null
	fi
	return $rc
}

# attach_cgroup - attach to a cgroup of the program's own, set CG to its
# path; a process joins it with "echo PID > $CG/cgroup.procs".  In a
# SHARE_ATTACH program the attachment is shared like attach's, by the
# cases that follow one another with attach_cgroup.
attach_cgroup() {
	CG=/sys/fs/cgroup/causal-test-$$
	if [ "${SHARE_ATTACH:-0}" = 1 ]; then
		[ -e "$PINS/sockops" ] && [ -e "$SHARED_CG" ] && return 0
		shared_detach
		mkdir -p "$CG" && "$CAUSALCTL" attach --cgroup "$CG" > /dev/null &&
			: > "$SHARED_CG"
		return
	fi
	mkdir "$CG" || return 1
	defer rmdir "$CG"
	attach --cgroup "$CG"
}

# listening NODE PORT - a TCP socket of the node listens on PORT
listening() {
	[[ $(in_ns "$1" ss -Hltn "sport = :$2") == LISTEN* ]]
}

# otlp_receiver ARGS... - the tests' OTLP collector (selftests/otlp/
# receiver.js, which decodes with the OpenTelemetry project's definitions,
# node_modules in $OTLP_NPM), run through $OTLP_RUN (nothing, or "ip netns
# exec NS"): its pid in RECEIVER, its port in PORT; listening when this
# returns, unless ARGS has it --down for a while.  otlp_receiver_stop: its
# counts in $T/summary.
otlp_receiver() {
	rm -f "$T/port" "$T/port.up" "$T/summary"
	$OTLP_RUN env NODE_PATH="$OTLP_NPM" node "$TOP/selftests/otlp/receiver.js" "$T/port" \
		"$T/summary" "$@" 2> "$T/receiver.err" &
	RECEIVER=$!
	defer kill $RECEIVER
	busywait 20000 test -s "$T/port" || fail "no receiver: $(cat "$T/receiver.err")"
	PORT=$(cat "$T/port")
	[[ " $* " = *" --down "* ]] || busywait 20000 test -s "$T/port.up" ||
		fail "the receiver does not listen: $(cat "$T/receiver.err")"
}

otlp_receiver_stop() {
	kill -TERM $RECEIVER
	wait $RECEIVER
	[ -s "$T/summary" ] || fail "the receiver wrote no summary: $(cat "$T/receiver.err")"
}

# tmpdir - set T to a directory for the case's files, removed when it ends
tmpdir() {
	T=$(mktemp -d /tmp/causal-test.XXXXXX) || return 1
	defer rm -rf "$T"
}
