#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Clocks stamped on UDP: the stamp rides in the surplus area as a UDP option
# (RFC 9868).  Two nodes joined by veth; selftests/udp_tool.py sends, echoes,
# captures what is on the wire and injects hostile surplus areas.
#
#   +------------+  10.73.0.0/24   +------------+
#   | a  (.1)    |-----------------| (.2)     b |
#   +------------+  fd00:10:73:0:: +------------+

. "$(dirname "$0")/lib.sh"
# one attachment for every case (lib.sh: attach)
SHARE_ATTACH=1

TOOL="/usr/bin/python3 $TOP/selftests/udp_tool.py"
N=10

nodes() {
	ns_create a b || return 1
	veth_pair a b 10.73.0
}

addr_b() {
	[ "$1" = 6 ] && echo fd00:10:73:0::2 || echo 10.73.0.2
}

# udp_sock NODE PORT [FILTER] - the node's UDP socket on PORT, as JSON, or
# what jq's FILTER makes of it (raw strings, one value per line)
udp_sock() {
	in_ns "$1" "$CAUSALCTL" -j sockets --port "$2" |
		jq -r "[.[] | select(.protocol == \"udp\")][0] | ${3:-.}"
}

# N round trips: every datagram stamped, and Lamport clocks that follow the
# exchange exactly (a's send 1, b's receive 2, b's send 3, a's receive 4...).
ping_pong() {
	local fam=$1 a b

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b "$CAUSALCTL" node set socket-counters on || fail "socket-counters on b"
	in_ns b $TOOL echo 7300 $N --hold 600 > "$T/b" &
	busywait 5000 has "$T/b" listening || fail "echo server"
	in_ns a $TOOL ping "$(addr_b "$fam")" 7300 $N --hold 600 > "$T/a" &
	busywait 20000 has "$T/a" done || fail "no echo"
	in_ns a "$CAUSALCTL" sockets
	# the fields, one per line, from one jq per socket
	mapfile -t a < <(udp_sock a 7300 \
			 '.clock, .last_send, .remote_node, .stats.unstamped_in, .protocol')
	mapfile -t b < <(udp_sock b 7300 '.clock, .remote_stamp, .stats.stamps_in, .stats.stamps_out')
	check_eq "a's clock" $((4 * N)) "${a[0]}"
	check_eq "b's clock" $((4 * N - 1)) "${b[0]}"
	check_eq "a's last send" $((4 * N - 3)) "${a[1]}"
	check_eq "b's stamp from a" $((4 * N - 3)) "${b[1]}"
	check_eq "a's peer" "$(in_ns b "$CAUSALCTL" node)" "${a[2]}"
	check_eq "b's stamps in" $N "${b[2]}"
	check_eq "b's stamps out" $N "${b[3]}"
	check_eq "a's unstamped receives" 0 "${a[3]}"
	check_eq "protocol" udp "${a[4]}"
}

# nft_drops NODE - the packets NODE's firewall dropped as conntrack-invalid
nft_drops() {
	in_ns "$1" nft list chain inet causal_fw in | grep -o 'packets [0-9]*' | cut -d' ' -f2
}

# A receiver outside the attached cgroup, behind a firewall that drops what
# conntrack finds invalid (a bad checksum over the whole IP payload among
# it), gets every byte as sent; the wire carries the stamp in a surplus area
# with a valid OCS and UDP checksum.  CSUM offloaded: the sender's skb stays
# CHECKSUM_PARTIAL through veth, as a NIC would finish it (the capture
# does); software: the sender's device cannot, the kernel sums and the
# receiver's conntrack checks.
legacy_receiver() {
	local fam=$1 csum=$2 want_off

	load_module && attach_cgroup || fail "attach to a cgroup"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	if [ "$csum" = software ]; then
		in_ns a ethtool -K veth-b tx off > /dev/null || fail "tx checksum off"
		want_off=0
	else
		want_off=$N
	fi
	in_ns b nft -f - <<- EOF || fail "firewall"
		table inet causal_fw {
			chain in {
				type filter hook input priority 0; policy accept;
				ct state invalid counter drop
			}
		}
	EOF
	# the firewall is live: a datagram with a bad UDP checksum is dropped
	in_ns a $TOOL badsum 10.73.0.1 10.73.0.2 7301 || fail "bad checksum sent"
	busywait 10000 test_gt 0 nft_drops b || fail "the firewall let a bad checksum through"
	in_ns b $TOOL recv 7301 $N > "$T/got" 2> "$T/recv.err" &
	local rpid=$!
	in_ns b $TOOL capture veth-a 7301 $N > "$T/wire" 2> "$T/cap.err" &
	local cpid=$!
	busywait 5000 has "$T/recv.err" listening || fail "receiver"
	busywait 5000 has "$T/cap.err" capturing || fail "capture"
	# the sender joins the cgroup before entering its namespace
	sh -c "echo \$\$ > $CG/cgroup.procs && exec ip netns exec $NS_PREFIX-a $TOOL send $(addr_b "$fam") 7301 $N 42" \
		> "$T/sent" || fail "sender"
	wait $rpid || fail "receiver lost datagrams"
	wait $cpid || { cat "$T/wire"; fail "bad checksum on the wire"; }
	check "every payload byte for byte" cmp "$T/sent" "$T/got"
	cat "$T/wire" | head -3
	check_eq "datagrams with a surplus area" $N "$(grep -c "ocs ok" "$T/wire")"
	check_eq "checksums left to the device" $want_off "$(grep -c "(offloaded)" "$T/wire")"
	check_eq "dropped as invalid: the bad one only" 1 "$(nft_drops b)"
	check_eq "b tracks nothing" 0 "$(stat_of b sockets)"
	check_eq "a's stamps out" $N "$(stat_of a stamps_out)"
}

# Datagrams built in page fragments (corked: MSG_MORE, then the rest) are
# stamped like the others.
paged() {
	local port=7305

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b $TOOL recv $port $N --hold 600 > "$T/got" 2> "$T/recv.err" &
	busywait 5000 has "$T/recv.err" listening || fail "receiver"
	in_ns a $TOOL send 10.73.0.2 $port $N 9 --more > "$T/sent" 2> "$T/send.err" ||
		fail "sender"
	busywait 20000 lines_are "$T/got" $N || fail "receiver lost datagrams"
	check "every byte" cmp "$T/sent" "$T/got"
	check_eq "a's stamps out" $N "$(stat_of a stamps_out)"
	check_eq "a's sends without room" 0 "$(stat_of a nospace_out)"
	check_eq "b's stamps in" $N "$(stat_of b stamps_in)"
	check_eq "b's unstamped receives" 0 "$(stat_of b unstamped_in)"
}

# gso_warm - one GSO send from a to a closed port of b; true once a's
# datagrams go out stamped (its node's hook is in)
gso_warm() {
	in_ns a $TOOL send "$(addr_b "$fam")" 7399 1 1 --gso 1000 > /dev/null 2>&1 &&
		[ "$(stat_of a stamps_out)" -gt 0 ]
}

# GSO sends (UDP_SEGMENT, three datagrams each) are cut at the end of a's
# local output, each datagram stamped with its send's stamp.  The node's
# first asks for the hook and goes unstamped, counted.  With gro, b's
# device and socket take GRO'd datagrams (UDP_GRO): stamped ones are never
# merged, and arrive each with its stamp.
gso() {
	local fam=$1 gro=${2:-} port=7306 s0 u0 o0 e0 last
	local -a recv_gro

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	if [ "$gro" = gro ]; then
		in_ns b ethtool -K veth-a gro on > /dev/null || fail "GRO on"
		recv_gro=(--gro)
	fi
	busywait 60000 gso_warm || fail "a's GSO sends never went stamped"
	[ "$(stat_of a nospace_out)" -ge 1 ] || fail "the first GSO send was not counted unstamped"
	in_ns b $TOOL recv $port $((3 * N)) "${recv_gro[@]}" --hold 600 > "$T/got" \
		2> "$T/recv.err" &
	busywait 5000 has "$T/recv.err" listening || fail "receiver"
	s0=$(stat_of b stamps_in) u0=$(stat_of b unstamped_in)
	o0=$(stat_of a stamps_out) e0=$(stat_of a sends)
	in_ns a $TOOL send "$(addr_b "$fam")" $port $N 2 --gso 1000 --hold 600 > "$T/sent" \
		2> "$T/send.err" &
	busywait 20000 has "$T/send.err" done || fail "sender"
	busywait 20000 lines_are "$T/got" $((3 * N)) || fail "receiver lost datagrams"
	check "every datagram byte for byte" cmp "$T/sent" "$T/got"
	check_eq "a's send events, one a GSO send" $N $(($(stat_of a sends) - e0))
	check_eq "a's stamped datagrams" $((3 * N)) $(($(stat_of a stamps_out) - o0))
	check_eq "b's stamps in" $((3 * N)) $(($(stat_of b stamps_in) - s0))
	check_eq "b's unstamped receives" 0 $(($(stat_of b unstamped_in) - u0))
	last=$(in_ns a "$CAUSALCTL" -j sockets |
	       jq -r '[.[] | select(.protocol == "udp")][0] | .last_send')
	check_eq "b merged a's last send" "$last" "$(udp_socks b $port .remote_stamp)"
}

# udp_socks NODE PORT FILTER - FILTER (jq) of each of the node's UDP sockets
# on PORT, one line each
udp_socks() {
	in_ns "$1" "$CAUSALCTL" -j sockets --port "$2" |
		jq -r ".[] | select(.protocol == \"udp\") | $3"
}

# One datagram, two sockets: the copies of a multicast or broadcast datagram
# each carry the stamp to their socket, which merges it.
fanout() {
	local kind=$1 port=7304 dst r last node
	local -a join send

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b "$CAUSALCTL" node set socket-counters on || fail "socket-counters on b"
	case $kind in
	multicast4)
		dst=239.7.3.4
		join=(--group $dst --on 10.73.0.2)
		ip -n "$NS_PREFIX-a" route add 224.0.0.0/4 dev veth-b || fail "route"
		;;
	multicast6)
		dst=ff02::7304
		join=(--group $dst --on veth-a)
		dst=$dst%veth-b
		;;
	broadcast)
		dst=10.73.0.255
		join=(--broadcast)
		send=(--broadcast)
		;;
	esac
	for r in 1 2; do
		in_ns b $TOOL recv $port $N --reuse "${join[@]}" --hold 600 > "$T/got$r" \
			2> "$T/recv$r.err" &
		busywait 5000 has "$T/recv$r.err" listening || fail "receiver $r"
	done
	# the sender's socket stays for its state to be read
	in_ns a $TOOL send "$dst" $port $N 7 "${send[@]}" --hold 600 > "$T/sent" \
		2> "$T/send.err" &
	busywait 20000 has "$T/send.err" done || fail "sender"
	for r in 1 2; do
		busywait 20000 lines_are "$T/got$r" $N || fail "receiver $r lost datagrams"
		check "receiver $r: every byte" cmp "$T/sent" "$T/got$r"
	done
	in_ns a "$CAUSALCTL" sockets
	in_ns b "$CAUSALCTL" sockets
	last=$(in_ns a "$CAUSALCTL" -j sockets |
	       jq -r '[.[] | select(.protocol == "udp")][0] | .last_send')
	node=$(in_ns a "$CAUSALCTL" node)
	check_eq "a's sends" $N "$(stat_of a stamps_out)"
	check_eq "b's sockets, each with every stamp, the last merged" \
		"$(printf '%s\n' "$N 0 $last $node" "$N 0 $last $node")" \
		"$(udp_socks b $port '"\(.stats.stamps_in) \(.stats.unstamped_in // 0) \(.remote_stamp) \(.remote_node)"')"
}

# Hostile surplus areas: each is counted by kind, the data always delivered.
hostile_trailers() {
	local s n_ours n_foreign n_bad total

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns a $TOOL inject 10.73.0.1 10.73.0.2 7302 > "$T/cases" || fail "inject"
	total=$(wc -l < "$T/cases")
	in_ns b $TOOL recv 7302 "$total" --hold 600 > "$T/got" 2> "$T/recv.err" &
	busywait 5000 has "$T/recv.err" listening || fail "receiver"
	in_ns a $TOOL inject 10.73.0.1 10.73.0.2 7302 > /dev/null || fail "inject"
	busywait 10000 lines_are "$T/got" "$total" || fail "receiver lost datagrams"
	cut -d' ' -f2 "$T/cases" > "$T/want"
	check "every payload intact" cmp "$T/want" "$T/got"
	n_ours=$(grep -c '^ours' "$T/cases")
	n_foreign=$(grep -c '^foreign' "$T/cases")
	n_bad=$(grep -c '^malformed' "$T/cases")
	s=$(in_ns b "$CAUSALCTL" -j status)
	# the cases were sent twice, the first time to a closed port; stamps
	# count when a socket takes them
	check_eq "stamps in" "$n_ours" "$(json_stat "$s" stamps_in)"
	check_eq "foreign" $((2 * n_foreign)) "$(json_stat "$s" foreign_in)"
	check_eq "malformed" $((2 * n_bad)) "$(json_stat "$s" malformed_in)"
	check_eq "unstamped receives" $((total - n_ours)) "$(json_stat "$s" unstamped_in)"
	# the valid stamp (1000) was merged
	local c
	c=$(udp_sock b 7302 .clock)
	[ "$c" -gt 1000 ] 2> /dev/null || fail "stamp 1000 not merged: clock $c"
}

# forge_setup - the nodes, and a receiver on b's port 7303 for forge
forge_setup() {
	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	# not through in_ns: $! must be the receiver's pid
	ip netns exec "$NS_PREFIX-b" $TOOL recv 7303 20 --hold 600 > "$T/got" 2> "$T/recv.err" &
	defer kill $!
	busywait 5000 has "$T/recv.err" listening || fail "receiver"
}

# forge STAMP - one datagram from a to b's port 7303 with that stamp, and
# wait until b's socket has taken it (its receives grow by one)
forge() {
	local before

	before=$(stat_of b receives)
	in_ns a $TOOL forge 10.73.0.1 10.73.0.2 7303 "$1" || return 1
	busywait 10000 test_gt "$before" stat_of b receives
}

# test_gt N CMD... - CMD prints a number above N
test_gt() {
	local n=$1

	shift
	[ "$("$@")" -gt "$n" ] 2> /dev/null
}

# A stamp too far ahead is neither merged nor named, and is counted; the
# guards are settable, and off they let the forger through.
forged_stamps() {
	local c f u

	forge_setup

	# Lamport: 2^62 is far beyond the default max-jump of 2^48
	check_eq "default max-jump" $((1 << 48)) "$(json_num "$(in_ns b "$CAUSALCTL" -j status)" max_jump)"
	u=$(stat_of b unstamped_in)
	forge $((1 << 62)) || fail "forged datagram not received"
	c=$(sock_field b 7303 clock)
	[ "$c" -lt 1000 ] || fail "a forged stamp moved the clock to $c"
	check_eq "forged counted" 1 "$(stat_of b forged_in)"
	check_eq "and taken as unstamped" $((u + 1)) "$(stat_of b unstamped_in)"
	forge 5000 || fail "second datagram"
	c=$(sock_field b 7303 clock)
	[ "$c" -gt 5000 ] || fail "a plausible stamp was not merged: clock $c"
	check_eq "plausible not counted" 1 "$(stat_of b forged_in)"
	# a tighter guard rejects a smaller jump; no guard lets 2^62 through
	in_ns b "$CAUSALCTL" node set max-jump 100 || fail "set max-jump"
	forge $((c + 1000)) || fail "third datagram"
	check_eq "jump of 1000 over 100" 2 "$(stat_of b forged_in)"
	in_ns b "$CAUSALCTL" node set max-jump 0 || fail "set max-jump 0"
	forge $((1 << 62)) || fail "fourth datagram"
	c=$(sock_field b 7303 clock)
	[ "$c" -gt $((1 << 62)) ] || fail "with the guard off the stamp was not merged: $c"
	check_eq "off: not counted" 2 "$(stat_of b forged_in)"

	# HLC: an hour ahead of the wall clock is beyond the default 5 minutes
	in_ns b "$CAUSALCTL" clock set hlc || fail "hlc"
	check_eq "default max-drift" 300000 "$(json_num "$(in_ns b "$CAUSALCTL" -j status)" max_drift_ms)"
	forge hlc+3600 || fail "hlc datagram"
	check_eq "an hour ahead: forged" 3 "$(stat_of b forged_in)"
	forge hlc+60 || fail "hlc datagram 2"
	check_eq "a minute ahead: merged" 3 "$(stat_of b forged_in)"
	c=$(sock_field b 7303 clock)
	[ "$c" -gt $((($(date +%s) + 30) << 32)) ] || fail "HLC stamp a minute ahead not merged: $c"

	# vector: an entry far ahead of the receiver's for that participant
	in_ns b "$CAUSALCTL" clock set vector || fail "vector"
	in_ns b "$CAUSALCTL" node set max-jump 1000000 || fail "max-jump"
	forge vector:abcdef00000001:4000000000 || fail "vector datagram"
	check_eq "vector entry 4e9 ahead: forged" 4 "$(stat_of b forged_in)"
	forge vector:abcdef00000001:10 || fail "vector datagram 2"
	check_eq "entry 10: merged" 4 "$(stat_of b forged_in)"
	f=$(udp_sock b 7303 '[.vector[] | select(.id | startswith("abcdef")) | .count] | max')
	check_eq "the plausible entry" 10 "$f"

	# bad settings are refused with the reason
	in_ns b "$CAUSALCTL" node set max-drift -1 2> "$T/err" && fail "max-drift -1 accepted"
	grep -q "invalid max-drift" "$T/err" || fail "no reason: $(cat "$T/err")"
}

# A Lamport node takes HLC stamps for what they are: a peer in HLC mode, or a
# process whose clock grew under HLC before its node went back to Lamport,
# sends values near the wall clock, far beyond max-jump of a fresh clock.
# Merged while they read as the last year's wall time up to max-drift ahead;
# refused and counted beyond.
hlc_stamps_in_lamport() {
	local now old c

	forge_setup
	forge hlc+3600 || fail "an hour ahead"
	check_eq "an hour ahead: forged" 1 "$(stat_of b forged_in)"
	old=$((($(date +%s) - 400 * 86400) << 32))
	forge $old || fail "400 days old"
	check_eq "older than a year: forged" 2 "$(stat_of b forged_in)"
	now=$(($(date +%s) << 32))
	forge hlc+60 || fail "a minute ahead"
	check_eq "a minute ahead: merged" 2 "$(stat_of b forged_in)"
	c=$(udp_sock b 7303 .clock)
	[ "$c" -gt "$now" ] || fail "the HLC stamp was not merged: clock $c"

	# an HLC node pings a Lamport one, then goes back to Lamport: the
	# echo server's clock has grown to HLC's magnitude, and a fresh
	# process of a takes its stamps
	# (not through in_ns: $! must be the tool's pid, and its output a file's)
	in_ns a "$CAUSALCTL" clock set hlc || fail "a: hlc"
	ip netns exec "$NS_PREFIX-b" $TOOL echo 7300 $((2 * N)) --hold 600 > "$T/b" 2>&1 &
	defer kill $!
	busywait 5000 has "$T/b" listening || fail "echo server"
	ip netns exec "$NS_PREFIX-a" $TOOL ping 10.73.0.2 7300 $N --hold 600 > "$T/a1" 2>&1 &
	defer kill $!
	busywait 20000 has "$T/a1" done || fail "no echo to the HLC node: $(cat "$T/a1")"
	check_eq "b took a's HLC stamps" 2 "$(stat_of b forged_in)"
	in_ns a "$CAUSALCTL" clock set lamport || fail "a: lamport"
	ip netns exec "$NS_PREFIX-a" $TOOL ping 10.73.0.2 7300 $N --hold 600 > "$T/a2" 2>&1 &
	defer kill $!
	busywait 20000 has "$T/a2" done || fail "no echo to the fresh process: $(cat "$T/a2")"
	check_eq "a took b's clock" 0 "$(stat_of a forged_in)"
	check_eq "every echo stamped" 0 "$(stat_of a unstamped_in)"
	check_eq "every ping stamped" 2 "$(stat_of b unstamped_in)"
}

# make bench's wire ablation (CAUSAL_ABLATE=wire, include/causal/ablate.h)
# measures what carrying a stamp costs by itself: every datagram leaves with
# a surplus area whose OCS and checksum are right and arrives whole, and no
# socket gets state, a clock or a counter.
wire_ablation() {
	local port=7306

	load_module || fail "module"
	shared_detach
	CAUSAL_ABLATE=wire "$CAUSALCTL" attach > /dev/null 2>&1 || fail "attach the wire ablation"
	defer "$CAUSALCTL" detach
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b $TOOL recv $port $N > "$T/got" 2> "$T/recv.err" &
	local rpid=$!
	in_ns b $TOOL capture veth-a $port $N > "$T/wire" 2> "$T/cap.err" &
	local cpid=$!
	busywait 5000 has "$T/recv.err" listening || fail "receiver"
	busywait 5000 has "$T/cap.err" capturing || fail "capture"
	in_ns a $TOOL send 10.73.0.2 $port $N 42 > "$T/sent" || fail "sender"
	wait $rpid || fail "receiver lost datagrams"
	wait $cpid || { cat "$T/wire"; fail "bad checksum on the wire"; }
	check "every payload byte for byte" cmp "$T/sent" "$T/got"
	check_eq "datagrams with a surplus area" $N "$(grep -c "ocs ok" "$T/wire")"
	check_eq "a tracks nothing" 0 "$(stat_of a sockets)"
	check_eq "b tracks nothing" 0 "$(stat_of b sockets)"
	check_eq "a counts no stamp" 0 "$(stat_of a stamps_out)"
}

# the cgroup cases in a row: they share one attachment (lib.sh)
for fam in 4 6; do
	for csum in offloaded software; do
		run_test "udp_legacy_receiver_ipv${fam}_$csum" legacy_receiver $fam $csum
	done
done
for fam in 4 6; do
	run_test "udp_ping_pong_ipv$fam" ping_pong $fam
done
run_test udp_paged_datagrams_stamped paged
for fam in 4 6; do
	run_test "udp_gso_sends_stamped_ipv$fam" gso $fam
done
run_test udp_gso_to_a_gro_receiver_stamped gso 4 gro
for kind in multicast4 multicast6 broadcast; do
	run_test "udp_${kind}_two_receivers" fanout $kind
done
run_test udp_hostile_trailers_counted hostile_trailers
run_test udp_forged_stamps_rejected forged_stamps
run_test udp_hlc_stamps_merged_by_lamport hlc_stamps_in_lamport
run_test udp_wire_ablation_stamps_without_clocks wire_ablation
exit_tests
