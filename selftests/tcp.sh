#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Clocks stamped on TCP: causal attached, nodes that are namespaces joined by
# veth, real connections between causal_peer processes that log the clock the
# module recorded for each of their sends and receives (selftests/clockcheck.py
# checks them against the causality of the exchange).
#
#   +------------+  10.71.0.0/24  +------------+  10.72.0.0/24  +------------+
#   | a  (.1)    |----------------| (.2)  b (.1)|---------------| (.2)   c   |
#   +------------+ fd00:10:71:0:: +------------+ fd00:10:72:0:: +------------+

. "$(dirname "$0")/lib.sh"
# one attachment for every case (lib.sh: attach)
SHARE_ATTACH=1

PEER=$BUILD/selftests/causal_peer
INJECT="$BUILD/selftests/causal_inject tcp"
CHECK=$TOP/selftests/clockcheck.py
N=20

nodes() {
	ns_create a b c || return 1
	veth_pair a b 10.71.0 && veth_pair b c 10.72.0
}

# addr NODE: b's address on the a-b link, c's on the b-c link, per family
addr_b() {
	[ "$1" = 6 ] && echo fd00:10:71:0::2 || echo 10.71.0.2
}

addr_c() {
	[ "$1" = 6 ] && echo fd00:10:72:0::2 || echo 10.72.0.2
}

request_response() {
	local fam=$1

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b "$PEER" server 7000 ab $N > "$T/b" &
	in_ns a "$PEER" client "$(addr_b "$fam")" 7000 ab $N > "$T/a" || fail "client"
	wait $! || fail "server"
	check "every send before its receive" python3 "$CHECK" "$T/a" "$T/b"
	check_eq "b's stamps in" $N "$(stat_of b stamps_in)"
	check_eq "a's receives unstamped" 0 \
		"$(stat_of a unstamped_in)"
}

relay_chain() {
	local scope=$1 fam=$2 first_up first_down

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	check "scope" in_ns b "$CAUSALCTL" scope set "$scope"
	in_ns c "$PEER" server 7001 bc $N > "$T/c" &
	in_ns b "$PEER" server 7000 ab $N "$(addr_c "$fam")" 7001 bc > "$T/b" &
	in_ns a "$PEER" client "$(addr_b "$fam")" 7000 ab $N > "$T/a" || fail "client"
	wait || fail "relay or server"
	check "clocks respect causality ($scope scope)" \
		python3 "$CHECK" --scope "$scope" "$T/a" "$T/b" "$T/c"
	first_down=$(jq -s 'map(select(.tag == "ab" and .op == "recv"))[0].clock' "$T/b")
	first_up=$(jq -s 'map(select(.tag == "bc" and .op == "send"))[0].clock' "$T/b")
	log "b received request 0 at $first_down, sent it on at $first_up"
	if [ "$scope" = thread ]; then
		# the thread carries a's clock from one socket to the other
		[ "$first_up" -gt "$first_down" ] || fail "chain broken in thread scope"
	else
		# a socket's clock moves only with its own events: the first
		# send of b's upstream socket is its first tick
		check_eq "first upstream send in socket scope" 1 "$first_up"
	fi
}

hlc_bounds() {
	local n

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	for n in a b; do
		check "clock set hlc" in_ns $n "$CAUSALCTL" clock set hlc
	done
	in_ns b "$PEER" server 7000 ab $N > "$T/b" &
	in_ns a "$PEER" client 10.71.0.2 7000 ab $N > "$T/a" || fail "client"
	wait $! || fail "server"
	check "hybrid logical clock rules" python3 "$CHECK" --clock hlc "$T/a" "$T/b"
}

peer_without_causal() {
	local s

	load_module && attach_cgroup || fail "attach to a cgroup"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	# b's server runs in the cgroup, with causal; a's client without.
	# (ip netns exec mounts its own /sys: join the cgroup before entering)
	sh -c "echo \$\$ > $CG/cgroup.procs && exec ip netns exec $NS_PREFIX-b $PEER server 7000 ab $N" \
		> "$T/b" &
	in_ns a "$PEER" client 10.71.0.2 7000 ab $N > "$T/a" || fail "client (payload intact?)"
	wait $! || fail "server"
	s=$(jq -s 'map(select(.op == "recv"))[-1].clock' "$T/b")
	[ "$s" -gt 0 ] || fail "b's socket not tracked"
	check_eq "a tracks nothing" 0 "$(stat_of a sockets)"
	check_eq "b's unstamped receives" $N \
		"$(stat_of b unstamped_in)"
	check_eq "b's stamps in" 0 "$(stat_of b stamps_in)"
}

# held_exchange - a's client and b's server exchange 3 messages, then keep
# the connection open until killed
# When the last ACK of the handshake is lost, the client's first request
# completes it: TCP does not parse that segment's options in SYN_RECV and
# hands it to sock_ops with the passive-established callback instead.  b
# drops a's pure ACKs to the port (IPv4 with timestamps: 52 bytes, ACK
# alone), so that every connection opens that way.
first_data_completes_the_handshake() {
	local dropped

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b tc qdisc add dev veth-a ingress || skip "no ingress qdisc (sch_ingress)"
	in_ns b tc filter add dev veth-a ingress protocol ip prio 1 u32 \
		match u8 6 0xff at 9 match u16 52 0xffff at 2 \
		match u16 7005 0xffff at 22 match u8 0x10 0xff at 33 action drop ||
		skip "no u32 filter with a drop action (cls_u32, act_gact)"
	in_ns b "$PEER" server 7005 ab 3 > "$T/b" &
	in_ns a "$PEER" client 10.71.0.2 7005 ab 3 > "$T/a" || fail "client"
	wait $! || fail "server"
	dropped=$(in_ns b tc -s filter show dev veth-a ingress |
		  sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n 1)
	log "pure ACKs dropped: ${dropped:-none}"
	[ "${dropped:-0}" -ge 1 ] || fail "no ACK was dropped: the case shows nothing"
	check "every send before its receive" python3 "$CHECK" "$T/a" "$T/b"
	check_eq "b's receives unstamped" 0 "$(stat_of b unstamped_in)"
	check_eq "b's stamps in" 3 "$(stat_of b stamps_in)"
}

held_exchange() {
	CAUSAL_PEER_HOLD=600 in_ns b "$PEER" server 7000 ab 3 > "$T/b" &
	CAUSAL_PEER_HOLD=600 in_ns a "$PEER" client 10.71.0.2 7000 ab 3 > "$T/a" &
	busywait 20000 lines_are "$T/a" 6
}

sockets_lists_connections() {
	local f nb out

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	# a's sockets count their traffic, b's only their anomalies
	check "socket-counters on" in_ns a "$CAUSALCTL" node set socket-counters on
	check_eq "a counts per socket" true "$(in_ns a "$CAUSALCTL" -j status | jq .socket_counters)"
	check_eq "b does not" false "$(in_ns b "$CAUSALCTL" -j status | jq .socket_counters)"
	held_exchange || fail "no exchange"
	in_ns a "$CAUSALCTL" sockets
	in_ns b "$CAUSALCTL" sockets | tee "$T/b.sockets"
	# the fields, one per line, from one jq
	mapfile -t f < <(in_ns a "$CAUSALCTL" -j sockets --port 7000 |
			 jq -r '.[0] | .remote, .remote_port, .state, .comm, .remote_node,
				.stats.sends, .stats.receives, .clock, .last_recv')
	nb=$(in_ns b "$CAUSALCTL" node)
	check_eq "remote" 10.71.0.2 "${f[0]}"
	check_eq "remote port" 7000 "${f[1]}"
	check_eq "state" established "${f[2]}"
	check_eq "comm" causal_peer "${f[3]}"
	check_eq "peer node" "$nb" "${f[4]}"
	check_eq "sends" 3 "${f[5]}"
	check_eq "receives" 3 "${f[6]}"
	check_eq "b's socket: anomalies, no traffic" "0 null null" \
		"$(in_ns b "$CAUSALCTL" -j sockets |
		   jq -r '.[0].stats | "\(.unstamped_in) \(.sends) \(.stamps_in)"')"
	grep -q "events:" "$T/b.sockets" && fail "b's socket lists traffic it does not count"
	check "b's socket lists its anomalies" grep -q "receives: 0 unstamped" "$T/b.sockets"
	out=$(in_ns a "$CAUSALCTL" node set socket-counters maybe 2>&1) &&
		fail "socket-counters maybe was taken"
	[[ $out == *"invalid socket-counters: maybe (use on/off)"* ]] ||
		fail "the error does not say what socket-counters takes: $out"
	check_eq "last receive is the clock" "${f[7]}" "${f[8]}"
	check_eq "log agrees" "$(jq -s '.[-1].clock' "$T/a")" "${f[8]}"
	check_eq "--node filter" 1 "$(in_ns a "$CAUSALCTL" -j sockets --node "$nb" | jq length)"
	check_eq "--node other" 0 "$(in_ns a "$CAUSALCTL" -j sockets --node 1 | jq length)"
	check_eq "--port other" 0 "$(in_ns a "$CAUSALCTL" -j sockets --port 1 | jq length)"
	check_eq "b sees only its own" 1 "$(in_ns b "$CAUSALCTL" -j sockets | jq length)"
}

cap_leaves_new_sockets_unstamped() {
	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	check "cap" in_ns a "$CAUSALCTL" node set sockets-max 0
	in_ns b "$PEER" server 7000 ab 5 > "$T/b" &
	in_ns a "$PEER" client 10.71.0.2 7000 ab 5 > "$T/a" || fail "client"
	wait $! || fail "server"
	check_eq "a's sockets" 0 "$(stat_of a sockets)"
	[ "$(stat_of a sockets_untracked)" -ge 1 ] ||
		fail "untracked not counted"
	check_eq "b's unstamped receives" 5 \
		"$(stat_of b unstamped_in)"
}

gro_coalesces_stamped_segments() {
	local bytes=4000000 got pkts skbs

	require_command ethtool
	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	# a segments in software, b's veth merges with GRO (NAPI)
	check "tso off" in_ns a ethtool -K veth-b tso off gso off
	check "gro on" in_ns b ethtool -K veth-a gro on
	in_ns b "$PEER" sink 7002 > "$T/sink" &
	in_ns a "$PEER" source 10.71.0.2 7002 $bytes || fail "source"
	wait $! || fail "sink"
	got=$(cat "$T/sink")
	check_eq "bytes" $bytes "$got"
	pkts=$(in_ns b cat /sys/class/net/veth-a/statistics/rx_packets)
	skbs=$(stat_of b stamps_in)
	log "b: $pkts packets on the wire, $skbs stamped skbs after GRO:" \
		"$(awk -v p="$pkts" -v s="$skbs" 'BEGIN { printf "%.1f", p / s }') segments per skb"
	[ "$skbs" -gt 0 ] || fail "nothing stamped"
	[ $((pkts * 10 / skbs)) -ge 15 ] || fail "GRO did not coalesce stamped segments"
}

# Sends end no segment with a scalar clock: 400 writes of 100 bytes, corked,
# leave in a few full segments (with a forced boundary per send they would
# take 400), each carrying the clock of the last send before it; the
# receiver's clock passes the sender's last send of bytes.
small_writes_share_segments() {
	local segs last

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	in_ns b "$PEER" sink 7011 > "$T/sink" &
	busywait 5000 listening b 7011 || fail "sink"
	# once all is acknowledged, an empty send: the module collects what
	# sock_ops counted at the socket's next call
	# not through in_ns: $! must be python's pid; it holds the connection
	# until the case is over ($T/done)
	ip netns exec "$NS_PREFIX-a" /usr/bin/python3 -c '
import os, socket, struct, sys, time
s = socket.create_connection(("10.71.0.2", 7011))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
for i in range(400):
    s.send(b"x" * 100)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
while struct.unpack_from("I", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104), 24)[0]:
    time.sleep(0.05)
s.send(b"")
print("sent", flush=True)
for i in range(12000):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.05)' "$T/done" > "$T/src" &
	defer kill $!
	busywait 20000 has "$T/src" sent || fail "source"
	busywait 20000 stat_is a sends 401 || fail "sends: $(stat_of a sends)"
	busywait 20000 stat_at_least b stamps_in 1 || fail "nothing stamped arrived"
	segs=$(stat_of a stamps_out)
	log "400 sends of 100 bytes: $segs stamped segments"
	[ "$segs" -ge 1 ] && [ "$segs" -le 40 ] || fail "$segs segments for 400 small sends"
	check_eq "no segment unstamped" 0 "$(stat_of a nospace_out)"
	busywait 20000 stat_at_least b receives 1 || fail "no receive"
	# the last send with bytes: the one before the empty send
	last=$(($(sock_field a 7011 last_send) - 1))
	busywait 20000 clock_past b 7011 "$last" ||
		fail "b's clock $(sock_field b 7011 clock), a's last send with bytes $last"
	touch "$T/done"
}

# clock_past NODE PORT C - the clock of the node's socket on PORT is past C
clock_past() {
	local c

	c=$(sock_field "$1" "$2" clock) && [ "$c" -gt "$3" ]
}

# opt_full STAMP NODE [FLAGS] - causal's full option, in hex
opt_full() {
	printf 'fd19ca5a%02x%016x%08x%016x' "${3:-0}" "$1" 1 "$2"
}

opt_short() {
	printf 'fd0dca5a%02x%016x' "${3:-0}" "$1"
}

# inject_setup - a sink on b port 7003, and what causal_inject in a needs to
# pose as 10.71.0.9 to it
inject_setup() {
	local mac

	mac=$(in_ns a cat /sys/class/net/veth-b/address)
	in_ns b ip neigh replace 10.71.0.9 lladdr "$mac" dev veth-a nud permanent || return 1
	B_MAC=$(in_ns b cat /sys/class/net/veth-a/address)
	in_ns b "$PEER" sink 7003 > /dev/null &
	busywait 10000 listening b 7003
}

stat_at_least() {
	[ "$(stat_of "$1" "$2")" -ge "$3" ]
}

stats_reach() {
	local s

	s=$(in_ns b "$CAUSALCTL" -j status) || return 1
	[ "$(json_stat "$s" stamps_in)" = "$1" ] && [ "$(json_stat "$s" malformed_in)" = "$2" ] &&
		[ "$(json_stat "$s" foreign_in)" = "$3" ]
}

hostile_options_are_ignored_and_counted() {
	local f

	load_module && attach || fail "attach"
	nodes || fail "topology"
	inject_setup || fail "inject setup"
	# valid; wrong length; another ExID then ours cut off by the header's
	# end; another ExID; two of ours; unknown version; length 2
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7003 -n 2 \
		-s "$(opt_full 1000 0xabc)" \
		-s "fd0fca5a00$(printf '%020x' 7)" \
		-s "fd041234fd15ca5a00000000" \
		-s "fd151234$(printf '%034x' 9)" \
		-s "$(opt_short 5)$(opt_short 6)" \
		-s "$(opt_full 1000 0xabc 0xc0)" \
		-s "fd02" || fail "segments not acknowledged"
	busywait 10000 stats_reach 2 10 4 ||
		fail "counted: stamps $(stat_of b stamps_in), malformed $(stat_of b malformed_in), foreign $(stat_of b foreign_in); want 2, 10, 4"
	mapfile -t f < <(in_ns b "$CAUSALCTL" -j sockets --port 7003 |
			 jq -r '.[0] | .remote_stamp, .remote_node, .clock, .stats.unstamped_in')
	check_eq "merged stamp" 1000 "${f[0]}"
	check_eq "peer node" 0000000000000abc "${f[1]}"
	[ "${f[2]}" -gt 1000 ] || fail "clock not past the stamp"
	[ "${f[3]}" -ge 1 ] || fail "unstamped bytes not counted"
}

# vec_entry NODE PORT ID - the count of participant ID in the vector of the
# socket on PORT
vec_entry() {
	in_ns "$1" "$CAUSALCTL" -j sockets --port "$2" |
		jq -r --arg id "$3" '[.[0].vector[] | select(.id == $id)][0].count'
}

vec_entry_is() {
	[ "$(vec_entry "$1" "$2" "$3")" = "$4" ]
}

# vector_sink SCOPE - b a node with vector clocks in SCOPE, and inject_setup
vector_sink() {
	load_module && attach || fail "attach"
	nodes || fail "topology"
	in_ns b "$CAUSALCTL" clock set vector > /dev/null &&
		in_ns b "$CAUSALCTL" scope set "$1" > /dev/null || fail "vector clocks"
	inject_setup || fail "inject setup"
}

# sink_socket - the JSON of b's socket on 7003, its vector logged
sink_socket() {
	local j

	j=$(in_ns b "$CAUSALCTL" -j sockets --port 7003 | jq '.[0]')
	log "$(jq -c '{vector, vector_lossy, stats}' <<< "$j")" >&2
	echo "$j"
}

# Compact vector stamps from a hostile peer: a participant named with an
# index, then by it; an entry of neither id nor index (malformed, counted
# when its bytes are read); an index never given, and one of the
# receiver's it never gave (lost: the clock turns lossy); the index given
# again to another participant (not believed: the named entry counts, the
# index keeps its first participant).
hostile_compact_vectors_counted() {
	local j

	vector_sink socket
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7003 \
		-s "fd0eca5a4283$(printf '%014x' 0xabcdef)05" \
		-s "fd07ca5a420306" \
		-s "fd07ca5a420001" \
		-s "fd07ca5a420901" \
		-s "fd07ca5a424901" \
		-s "fd0eca5a4283$(printf '%014x' 0x111)01" \
		-s "fd07ca5a420307" || fail "segments not acknowledged"
	# the last segment's entry: every byte before it was read
	busywait 10000 vec_entry_is b 7003 00000000abcdef 7 ||
		fail "entry by index, after its naming: $(vec_entry b 7003 00000000abcdef), not 7"
	j=$(sink_socket)
	check_eq "the entry that named an index again" 1 "$(vec_entry b 7003 00000000000111)"
	check_eq "vector lossy" true "$(jq -r .vector_lossy <<< "$j")"
	check_eq "malformed counted" 1 "$(stat_of b malformed_in)"
	check_eq "stamps counted" 7 "$(stat_of b stamps_in)"
	[ "$(stat_of b lossy_in)" -ge 1 ] || fail "lost entries not counted"
}

# Compact stamps of an injected peer: an incomplete one whose only entry,
# count 5, names participant ID with index 1; a whole one, index 1 at 6
# and participant ID named with index 2 at 3 (args: ID)
stamp_incomplete() {
	printf 'fd0eca5a4681%014x05' "$1"
}

stamp_whole() {
	printf 'fd10ca5a52010682%014x03' "$1"
}

# A clock made lossy (an incomplete stamp, a malformed one, an index never
# given) is exact again once a stamp with the sender's whole clock, exact,
# comes with the last bytes it reads: in socket scope the socket's, in
# thread scope the socket's and the reading thread's, which owed only this
# connection.  (args: scope)
whole_stamp_heals() {
	local j

	vector_sink "$1"
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7003 \
		-s "$(stamp_incomplete 0x111)" \
		-s "fd07ca5a420001" \
		-s "fd07ca5a420901" \
		-s "$(stamp_whole 0x222)" || fail "segments not acknowledged"
	busywait 10000 vec_entry_is b 7003 00000000000222 3 ||
		fail "the whole stamp not merged: $(vec_entry b 7003 00000000000222)"
	j=$(sink_socket)
	check_eq "entry of the incomplete stamp, raised by the whole one" 6 \
		"$(vec_entry b 7003 00000000000111)"
	check_eq "vector lossy" false "$(jq -r .vector_lossy <<< "$j")"
	check_eq "malformed counted" 1 "$(stat_of b malformed_in)"
}

# Debts are by connection: one thread reads a lossy stamp on one connection,
# then a lossy and a whole one on another: the whole stamp pays only its own
# connection, and the thread's clock (and the socket's that merged it) stays
# lossy; once the first connection's whole stamp is read too, the clock is
# exact again (selftests/debt_sink.py; vector-heals counts it).
debts_are_paid_by_connection() {
	local sink="/usr/bin/python3 $TOP/selftests/debt_sink.py"

	vector_sink thread
	tmpdir || fail "tmpdir"
	in_ns b $sink 7005 7006 "$T" > "$T/sink" &
	busywait 10000 listening b 7005 && busywait 10000 listening b 7006 || fail "sink"
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7006 \
		-s "$(stamp_incomplete 0x333)" -s "$(stamp_whole 0x444)" ||
		fail "segments not acknowledged"
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7005 \
		-s "$(stamp_incomplete 0x111)" -s "$(stamp_whole 0x222)" ||
		fail "segments not acknowledged"
	busywait 60000 lines_are "$T/sink" 1 || fail "the first reads"
	check_eq "whole stamp merged" 3 "$(vec_entry b 7005 00000000000222)"
	check_eq "lossy: the thread owes the other connection" true \
		"$(in_ns b "$CAUSALCTL" -j sockets --port 7005 | jq -r '.[0].vector_lossy')"
	check_eq "nothing healed yet" 0 "$(stat_of b vector_heals)"
	touch "$T/go"
	busywait 60000 lines_are "$T/sink" 2 || fail "the last read"
	check_eq "the other connection's whole stamp merged" 3 "$(vec_entry b 7006 00000000000444)"
	check_eq "exact once both are paid" false \
		"$(in_ns b "$CAUSALCTL" -j sockets --port 7006 | jq -r '.[0].vector_lossy')"
	check_eq "healed" 1 "$(stat_of b vector_heals)"
}

# A stamp far ahead (2^62 against the default max-jump of 2^48) is not
# merged and is counted; the next, plausible one is merged.
forged_stamps_are_not_merged() {
	local c

	load_module && attach || fail "attach"
	nodes || fail "topology"
	inject_setup || fail "inject setup"
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7003 -w 1000 \
		-s "$(opt_full $((1 << 62)) 0xabc)" -s "$(opt_full 5000 0xabc)" ||
		fail "segments not acknowledged"
	busywait 10000 stat_at_least b receives 2 || fail "not received"
	check_eq "forged counted" 1 "$(stat_of b forged_in)"
	check_eq "the plausible stamp merged" 5000 "$(sock_field b 7003 remote_stamp)"
	c=$(sock_field b 7003 clock)
	[ "$c" -gt 5000 ] && [ "$c" -lt 1000000 ] || fail "clock $c"
	[ "$(stat_of b unstamped_in)" -ge 1 ] || fail "the forged receive not unstamped"
}

# A forged clock form does not stick: sock_ops keeps the largest clock it
# parsed, and a forged one would stay the largest; the module forgets it,
# and the plausible clocks that follow are merged.
forged_clocks_do_not_stick() {
	load_module && attach || fail "attach"
	nodes || fail "topology"
	inject_setup || fail "inject setup"
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7003 -w 1000 \
		-s "$(printf 'fd0cca5a00%014x' $((1 << 54)))" \
		-s "$(printf 'fd0cca5a00%014x' 5000)" -s "$(printf 'fd0cca5a00%014x' 6000)" ||
		fail "segments not acknowledged"
	busywait 10000 stat_at_least b forged_in 1 || fail "the forged clock not counted"
	busywait 10000 sock_field_is b 7003 remote_stamp 6000 ||
		fail "merged $(sock_field b 7003 remote_stamp), not the last plausible clock 6000"
}

# sock_field_is NODE PORT FIELD VALUE - for busywait
sock_field_is() {
	[ "$(sock_field "$1" "$2" "$3")" = "$4" ]
}

hlc_counter_steps_then_resets() {
	local future c1 c2

	load_module && attach || fail "attach"
	nodes || fail "topology"
	check "clock set hlc" in_ns b "$CAUSALCTL" clock set hlc
	# the last receive's clock, which a socket keeps while its node counts per socket
	check "socket-counters on" in_ns b "$CAUSALCTL" node set socket-counters on
	inject_setup || fail "inject setup"
	# a peer 10 s ahead of b's wall clock (more on a slow kernel: still
	# ahead when the segment arrives, however loaded the host), its
	# counter at 5
	future=$(python3 -c 'import sys, time
ns = time.time_ns() + int(sys.argv[1]) * 10**9
s, r = divmod(ns, 10**9)
print(((s << 32 | (r << 32) // 10**9) & ~0xffff) | 5)' $((10 * SLOW)))
	# then, once the wall clock has passed it, an old stamp
	in_ns a $INJECT veth-b 10.71.0.9 10.71.0.2 "$B_MAC" 7003 -w $((12000 * SLOW)) \
		-s "$(opt_full "$future" 0xabc)" -s "$(opt_full 1 0xabc)" &
	busywait $((20000 * SLOW)) stat_at_least b receives 1 || fail "not received"
	c1=$(sock_field b 7003 last_recv)
	check_eq "receive takes the remote's time and counter + 1" $((future + 1)) "$c1"
	busywait $((40000 * SLOW)) stat_at_least b receives 2 || fail "second not received"
	c2=$(sock_field b 7003 last_recv)
	wait $! || fail "segments not acknowledged"
	log "future $future, then $c1, then $c2"
	[ "$c2" -gt "$future" ] || fail "clock went back"
	check_eq "logical part after wall time passed" 0 $((c2 & 0xffff))
}

unload_with_live_tracked_sockets() {
	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	held_exchange || fail "no exchange"
	check_eq "a's tracked sockets" 1 "$(stat_of a sockets)"
	if rmmod causal 2> /dev/null; then
		fail "module unloaded under attached programs"
	fi
	check "detach" "$CAUSALCTL" detach
	DEFERRED=()
	check_eq "attached after detach" null "$("$CAUSALCTL" -j status | jq .attached)"
	# the programs go once RCU is done with them; the sockets stay open
	check "rmmod after detach, sockets open" busywait 5000 rmmod causal
	pkill -x causal_peer
	wait 2> /dev/null
	check "insmod" insmod "$KO"
}

for fam in 4 6; do
	run_test "request_response_ipv$fam" request_response $fam
	run_test "relay_chain_thread_scope_ipv$fam" relay_chain thread $fam
done
run_test relay_chain_socket_scope relay_chain socket 4
run_test hlc_bounds hlc_bounds
run_test first_data_completes_the_handshake first_data_completes_the_handshake
run_test peer_without_causal peer_without_causal
run_test sockets_lists_connections sockets_lists_connections
run_test cap_leaves_new_sockets_unstamped cap_leaves_new_sockets_unstamped
run_test gro_coalesces_stamped_segments gro_coalesces_stamped_segments
run_test small_writes_share_segments small_writes_share_segments
run_test hostile_options_are_ignored_and_counted hostile_options_are_ignored_and_counted
run_test hostile_compact_vectors_counted hostile_compact_vectors_counted
run_test "whole_stamp_heals (socket scope)" whole_stamp_heals socket
run_test "whole_stamp_heals (thread scope)" whole_stamp_heals thread
run_test debts_are_paid_by_connection debts_are_paid_by_connection
run_test forged_stamps_are_not_merged forged_stamps_are_not_merged
run_test forged_clocks_do_not_stick forged_clocks_do_not_stick
run_test hlc_counter_steps_then_resets hlc_counter_steps_then_resets
run_test unload_with_live_tracked_sockets unload_with_live_tracked_sockets
exit_tests
