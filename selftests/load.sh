#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load: CAUSAL_LOAD_CONNS concurrent connections (default 10000), stamped,
# exchanging requests and responses on both vCPUs: two clients in a, two
# servers in b, each pinned to a CPU of its own.
#
#   +----------------------------+   veth   +----------------------------+
#   | ns a 10.78.0.1             |----------| ns b 10.78.0.2             |
#   | 2 x causal_rr client       |          | 2 x causal_rr server       |
#   | sockets-max: 60% of conns  |          | sockets-max: default       |
#   +----------------------------+          +----------------------------+
#
# a's socket cap holds: it tracks exactly that many sockets and counts the
# rest untracked, whose traffic flows unstamped; b tracks every socket.
# causal's memory stays bounded by what it tracks, every socket it tracked
# is gone once the connections close, and the kernel log has no lockup,
# stall or hung task (the watchdogs are on).

. "$(dirname "$0")/lib.sh"

RR=$BUILD/selftests/causal_rr
CONNS=${CAUSAL_LOAD_CONNS:-10000}
# seconds of traffic at least once every connection is up, and until each
# client made a transaction per connection
SECS=${CAUSAL_LOAD_SECONDS:-5}
CAP=$((CONNS * 6 / 10))
# Every TCP socket of the attached cgroup carries a 1 KiB record and its
# storage header, tracked or not; generously:
RECORD_MAX=1536

# slab_of CACHE... - active objects and kB of these slab caches, summed
slab_of() {
	awk -v names=" $* " 'index(names, " " $1 " ") { n += $2; kb += $2 * $4 / 1024 }
			     END { print n + 0, int(kb) }' /proc/slabinfo
}

# tcp_trouble NODE - the node's TCP counters of losses, timeouts, aborts and
# overflows that are not zero (why a connection failed)
tcp_trouble() {
	in_ns "$1" nstat -asz 2> /dev/null |
		awk '$1 ~ /Timeout|Abort|Overflow|Drop|Retrans|Cookies|Fail|Loss|Reset/ && $2 > 0 {
			printf "%s=%s ", $1, $2 }'
}

# backlog_drops - packets the CPUs' input backlogs dropped, all namespaces
# (the second column of /proc/net/softnet_stat, hexadecimal, per CPU)
backlog_drops() {
	local n=0 line
	local -a f

	while read -r line; do
		read -ra f <<< "$line"
		n=$((n + 16#${f[1]}))
	done < /proc/net/softnet_stat
	echo "$n"
}

# tracked_at_most NODE N
tracked_at_most() {
	[ "$(stat_of "$1" sockets)" -le "$2" ]
}

# tracked_at_least NODE N
tracked_at_least() {
	[ "$(stat_of "$1" sockets)" -ge "$2" ]
}

# transactions_at_least PID FILE N - the client PID has made N transactions:
# asked (SIGUSR1), it writes its count so far to FILE as a line of its own
transactions_at_least() {
	local line=

	kill -USR1 "$1" || return 1
	[ -r "$2" ] && line=$(tail -n 1 "$2")
	[ "${line%% *}" -ge "$3" ] 2> /dev/null
}

connections_on_both_cpus() {
	local per=$((CONNS / 2)) i pids=() servers=() s0 s1 r0 r1 tracked untracked rc objs kb
	local backlog drops slack

	require_command taskset
	[ "$(nproc)" -ge 2 ] || skip "one CPU"
	load_module && attach || fail "attach"
	ns_create a b && veth_pair a b 10.78.0 || fail "topology"
	tmpdir || fail "tmpdir"
	ulimit -n $((CONNS + 1000)) || fail "ulimit"
	# TCP gives up a connect after 6 SYNs (63 s) and a half-open one after 5
	# SYN-ACKs: a server slowed by guests sharing the host's cores may
	# take longer to accept them all.  Patience is what is tested here.
	in_ns a sysctl -qw net.ipv4.tcp_syn_retries=12 || fail "sysctl"
	in_ns b sysctl -qw net.ipv4.tcp_synack_retries=12 || fail "sysctl"
	# veth hands every segment to the receiving CPU's input backlog, which
	# holds netdev_max_backlog (1000): retransmissions of thousands of
	# connections whose timers fire together overflow it, and what it
	# drops makes the next round of them (TCP's timeouts by the ten
	# thousand, connections aborted).  Room for a segment of each:
	backlog=$(sysctl -n net.core.netdev_max_backlog) || fail "sysctl"
	sysctl -qw net.core.netdev_max_backlog=$((2 * CONNS)) || fail "sysctl"
	defer sysctl -qw net.core.netdev_max_backlog="$backlog"
	drops=$(backlog_drops)
	check "cap" in_ns a "$CAUSALCTL" node set sockets-max $CAP
	for i in 0 1; do
		taskset -c $i ip netns exec "$NS_PREFIX-b" "$RR" server $((7801 + i)) \
			> /dev/null 2>&1 &
		servers+=($!)
		defer kill $!
		busywait 5000 listening b $((7801 + i)) || fail "server $i"
	done
	s0=($(slab_of causal_sock causal_sock_last))
	r0=($(slab_of kmalloc-cg-1k kmalloc-cg-192))
	# the kernel log is never cleared: the suite checks all of it at the end
	echo "causal-test mark load.sh $$" > /dev/kmsg
	for i in 0 1; do
		# until told to stop; 64 transactions at most every 20 ms: all
		# connections at once would overflow veth's ring and lose
		# segments by the thousand (TCP then aborts some, ETIMEDOUT,
		# under a loaded host), which tests TCP, not causal
		taskset -c $i ip netns exec "$NS_PREFIX-a" "$RR" client 10.78.0.2 \
			$((7801 + i)) $per 64 3600 20 > "$T/client$i" 2>&1 &
		pids+=($!)
		defer kill ${pids[i]}
	done
	# every connection open and accepted, requests flowing: b tracks a
	# socket once its server accepted it
	busywait 180000 tracked_at_least b "$CONNS" ||
		fail "b tracks $(stat_of b sockets) sockets, want $CONNS"
	tracked=$(stat_of a sockets)
	untracked=$(stat_of a sockets_untracked)
	s1=($(slab_of causal_sock causal_sock_last))
	r1=($(slab_of kmalloc-cg-1k kmalloc-cg-192))
	objs=$((s1[0] - s0[0])) kb=$((r1[1] - r0[1]))
	log "a tracks $tracked sockets, $untracked untracked; b tracks $(stat_of b sockets)," \
	    "$(stat_of b sockets_untracked) untracked"
	log "causal_sock: $objs objects more, $((s1[1] - s0[1])) kB;" \
	    "records: $kb kB more, $((kb * 1024 / (2 * CONNS))) B per socket"
	nap "$SECS"
	# paced as it is, a client makes 3,200 transactions a second on an
	# idle host, and far fewer beside other guests: wait for them
	for i in 0 1; do
		busywait 60000 transactions_at_least "${pids[i]}" "$T/client$i" "$per" ||
			fail "client $i: $(tail -n 1 "$T/client$i") transactions, want $per"
	done
	for i in 0 1; do
		kill -TERM "${pids[i]}"
		wait "${pids[i]}"
		rc=$?
		[ $rc = 0 ] || fail "client $i (status $rc): $(cat "$T/client$i");" \
			"TCP's counters of what went wrong: a: $(tcp_trouble a); b: $(tcp_trouble b);" \
			"input backlogs dropped $(($(backlog_drops) - drops))"
		log "client $i: $(tail -n 1 "$T/client$i") (transactions, seconds, per second, all)"
	done
	check_eq "a's tracked sockets, at the cap" "$CAP" "$tracked"
	check_eq "b's untracked sockets" 0 "$(stat_of b sockets_untracked)"
	[ "$untracked" -ge $((CONNS - CAP)) ] || fail "untracked: $untracked, want >= $((CONNS - CAP))"
	[ "$(stat_of b stamps_in)" -gt 0 ] || fail "nothing stamped"
	# the module's state is bounded by the caps (SLUB counts the objects
	# of slabs in use by CPUs as active: a slab and a partial one a CPU
	# of slack)...
	slack=$(awk -v cpus="$(nproc)" '$1 == "causal_sock" { print 2 * cpus * $5 }' /proc/slabinfo)
	[ $objs -le $((CAP + CONNS + ${slack:-64})) ] ||
		fail "$objs causal_sock objects for $((CAP + CONNS)) tracked sockets"
	# ...and the records by the sockets
	[ $kb -le $((2 * CONNS * RECORD_MAX / 1024)) ] ||
		fail "records: $kb kB for $((2 * CONNS)) sockets"
	# all closed: nothing tracked remains
	busywait 30000 tracked_at_most a 0 ||
		fail "a still tracks $(stat_of a sockets) sockets"
	# b's side goes with its servers: a reset from a that a full backlog
	# dropped leaves b's socket open, as TCP would
	kill "${servers[@]}"
	busywait 30000 tracked_at_most b 0 ||
		fail "b still tracks $(stat_of b sockets) sockets"
	if dmesg | sed -n "/causal-test mark load.sh $$/,\$p" |
		grep -E 'soft lockup|hard LOCKUP|hung_task|blocked for more than|rcu.*stall'; then
		fail "a watchdog fired"
	fi
}

log "$CONNS connections, $SECS s of traffic once all are up"
run_test "connections_on_both_cpus ($CONNS)" connections_on_both_cpus
exit_tests
