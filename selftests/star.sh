#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# star.sh - nodes on one bridge, for the oracle (vector.sh, make bench).
# Sourced after lib.sh.
#
#                 +-- o0  10.77.0.1  fd00:77::1
#   sw: br0 ------+-- o1  10.77.0.2  fd00:77::2
#                 +-- ...

ORACLE=$BUILD/selftests/causal_oracle

# star N - namespaces o0 .. oN-1, each with eth0 on bridge br0 in sw
star() {
	local n=$1 i sw=$NS_PREFIX-sw

	ns_create sw || return 1
	ip -n "$sw" link add br0 type bridge && ip -n "$sw" link set br0 up || return 1
	for ((i = 0; i < n; i++)); do
		ns_create "o$i" || return 1
		ip link add "p$i" netns "$sw" type veth peer name eth0 \
			netns "$NS_PREFIX-o$i" || return 1
		ip -n "$sw" link set "p$i" master br0 up
		ip -n "$NS_PREFIX-o$i" addr add "10.77.0.$((i + 1))/24" dev eth0
		ip -n "$NS_PREFIX-o$i" -6 addr add "fd00:77::$((i + 1))/64" dev eth0 nodad
		ip -n "$NS_PREFIX-o$i" link set eth0 up
	done
}

# vector_nodes N SCOPE WIDTH - vector clocks on o0 .. oN-1
vector_nodes() {
	local i

	for ((i = 0; i < $1; i++)); do
		in_ns "o$i" "$CAUSALCTL" clock set vector &&
		in_ns "o$i" "$CAUSALCTL" scope set "$2" &&
		in_ns "o$i" "$CAUSALCTL" node set vector-width "$3" || return 1
	done
}

# stat_sum N KEY - a counter summed over o0 .. oN-1
stat_sum() {
	local i sum=0 v

	for ((i = 0; i < $1; i++)); do
		v=$(in_ns "o$i" "$CAUSALCTL" -j status | jq ".stats.$2")
		sum=$((sum + v))
	done
	echo $sum
}

# oracle_run FAMILY SCOPE WIDTH NODES THREADS MSGS MIN_EXACT_PERCENT PROTO SEED
# - the oracle on fresh nodes; prints the checker's summary, fails on its
# verdict
oracle_run() {
	local fam=$1 scope=$2 width=$3 n=$4 t=$5 m=$6 min=$7 proto=$8 seed=$9 v6= rc

	star "$n" || return 1
	vector_nodes "$n" "$scope" "$width" || return 1
	[ "$fam" = 6 ] && v6=-6
	"$ORACLE" run -n "$n" -t "$t" -m "$m" -s "$seed" $v6 -P "$proto" \
		-N "$NS_PREFIX-o" -o "$T" || return 1
	"$ORACLE" check -S "$scope" -x "$min" "$T" 2>&1
}
