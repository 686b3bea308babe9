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

# star N - namespaces o0 .. oN-1, each with eth0 on bridge br0 in sw (in
# batches: n + 3 processes, not 7n)
star() {
	local n=$1 i nodes=()

	for ((i = 0; i < n; i++)); do
		nodes+=("o$i")
	done
	ns_add sw "${nodes[@]}" || return 1
	for ((i = 0; i < n; i++)); do
		echo "link add p$i netns $NS_PREFIX-sw type veth peer name eth0 netns $NS_PREFIX-o$i"
	done | ip -b - || return 1
	{
		echo "link add br0 type bridge"
		echo "link set br0 up"
		for ((i = 0; i < n; i++)); do
			echo "link set p$i master br0 up"
		done
	} | ns_batch sw || return 1
	for ((i = 0; i < n; i++)); do
		ns_batch "o$i" <<- EOF || return 1
			link set lo up
			addr add 10.77.0.$((i + 1))/24 dev eth0
			addr add fd00:77::$((i + 1))/64 dev eth0 nodad
			link set eth0 up
		EOF
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

# stat_sum N KEY... - counters summed over o0 .. oN-1, the sums on one
# line (one status read per node)
stat_sum() {
	local n=$1 i j s v
	local -a sums=()

	shift
	for ((i = 0; i < n; i++)); do
		s=$(in_ns "o$i" "$CAUSALCTL" -j status) || return 1
		for ((j = 1; j <= $#; j++)); do
			v=$(json_stat "$s" "${!j}") || return 1
			sums[j]=$((${sums[j]:-0} + v))
		done
	done
	echo "${sums[*]}"
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
