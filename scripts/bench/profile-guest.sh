#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# profile-guest.sh - the guest's half of make profile (scripts/profile.sh):
# UDP datagrams of CAUSAL_PROFILE_SIZE bytes (default 64) from a to b at
# 8,000 a second, as make bench offers them, for 3 seconds in each mode:
# off, full, empty (causal's UDP programs attached and returning at once)
# and wire (carrying a constant stamp, no clock: include/causal/ablate.h).
# Each window lies between two markers (build/bench/mark), which the
# plugin answers with a snapshot of its counts; $CAUSAL_RESULTS/windows
# names them ("MODE DATAGRAMS", in order) and kallsyms the addresses (as
# /proc/kallsyms has them after each window).

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib.sh"

res=${CAUSAL_RESULTS:-/tmp/causal-results}
MARK=$BUILD/bench/mark
SIZE=${CAUSAL_PROFILE_SIZE:-64}
RATE=8000

# datagrams NODE - how many the node's UDP received, from /proc/net/snmp
datagrams() {
	in_ns "$1" awk '$1 == "Udp:" && $2 != "InDatagrams" { print $2; exit }' /proc/net/snmp
}

# window MODE - a warm-up second, then 3 seconds watched
window() {
	local n0 n1

	in_ns b iperf3 -s -D -1 > /dev/null 2>&1 && busywait 5000 listening b 5201 || return 1
	in_ns a iperf3 -u -b $((RATE * SIZE * 8)) -l "$SIZE" -c 10.78.0.2 -t 1 > /dev/null || return 1
	in_ns b iperf3 -s -D -1 > /dev/null 2>&1 && busywait 5000 listening b 5201 || return 1
	n0=$(datagrams b)
	"$MARK"
	in_ns a iperf3 -u -b $((RATE * SIZE * 8)) -l "$SIZE" -c 10.78.0.2 -t 3 > /dev/null
	"$MARK"
	n1=$(datagrams b)
	echo "$1 $((n1 - n0))" >> "$res/windows"
	# the names of the addresses, the programs attached now among them
	cat /proc/kallsyms >> "$res/kallsyms"
}

: > "$res/windows"
: > "$res/kallsyms"
insmod "$KO" || exit 1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
ns_create a b && veth_pair a b 10.78.0 || exit 1
window off || exit 1
"$CAUSALCTL" attach > /dev/null || exit 1
window full || exit 1
"$CAUSALCTL" detach && CAUSAL_ABLATE=empty "$CAUSALCTL" attach > /dev/null 2>&1 || exit 1
window empty || exit 1
"$CAUSALCTL" detach && CAUSAL_ABLATE=wire "$CAUSALCTL" attach > /dev/null 2>&1 || exit 1
window wire || exit 1
"$CAUSALCTL" detach
ns_cleanup
