#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what causal does, shown in a test guest (make demo runs this).

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
peer=$build/selftests/causal_peer
export PATH=$top/user:$PATH
tmp=$(mktemp -d)

say() {
	printf '\n\033[1m== %s\033[0m\n' "$*"
}

run() {
	printf '$ %s\n' "$*"
	"$@"
}

cleanup() {
	pkill -x causal_peer 2> /dev/null
	causalctl detach 2> /dev/null
	for n in client proxy backend; do
		ip netns del $n 2> /dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# chain - one line per request: its hops in causal order, with their clocks
chain() {
	cat "$tmp/client" "$tmp/proxy" "$tmp/backend" | python3 -c '
import json, sys
hops = [("client", "cp", "send", "req"), ("proxy", "cp", "recv", "req"),
        ("proxy", "pb", "send", "req"), ("backend", "pb", "recv", "req"),
        ("backend", "pb", "send", "rsp"), ("proxy", "pb", "recv", "rsp"),
        ("proxy", "cp", "send", "rsp"), ("client", "cp", "recv", "rsp")]
ev = {(e["who"], e["tag"], e["op"], e["dir"], e["msg"]): e["clock"]
      for e in map(json.loads, sys.stdin)}
for m in sorted({k[4] for k in ev}):
    print("request %d: " % m + " -> ".join(
        "%s %s@%d" % (h[0], h[2], ev[h + (m,)]) for h in hops if h + (m,) in ev))'
}

# exchange N - the client sends N requests through the proxy to the backend
# held_exchange - one request through the chain, connections then held open
held_exchange() {
	CAUSAL_PEER_HOLD=30 ip netns exec backend "$peer" server 8001 pb 1 > /dev/null 2>&1 &
	CAUSAL_PEER_HOLD=30 ip netns exec proxy "$peer" server 8000 cp 1 10.0.2.2 8001 pb \
		> /dev/null 2>&1 &
	CAUSAL_PEER_HOLD=30 ip netns exec client "$peer" client 10.0.1.2 8000 cp 1 > "$tmp/held" &
	for _ in $(seq 100); do
		[ "$(wc -l < "$tmp/held")" -ge 2 ] && break
		sleep 0.1
	done
}

# proxy_sockets - up and down: the cookies of the proxy's client and backend
# sockets
proxy_sockets() {
	up=$(ip netns exec proxy causalctl -j sockets --port 8000 | jq -r '.[0].cookie')
	down=$(ip netns exec proxy causalctl -j sockets --port 8001 | jq -r '.[0].cookie')
}

# compare_proxy_sockets sockets|- TEXT - one request held open, the proxy's
# sockets listed (or not), TEXT, and what their vector clocks prove
compare_proxy_sockets() {
	held_exchange
	[ "$1" = sockets ] && run ip netns exec proxy causalctl sockets
	proxy_sockets
	echo "$2"
	run ip netns exec proxy causalctl compare "$up" "$down"
	pkill -x causal_peer
	wait 2> /dev/null
}

exchange() {
	ip netns exec backend "$peer" server 8001 pb "$1" 2> /dev/null |
		sed 's/^{/{"who":"backend",/' > "$tmp/backend" &
	ip netns exec proxy "$peer" server 8000 cp "$1" 10.0.2.2 8001 pb 2> /dev/null |
		sed 's/^{/{"who":"proxy",/' > "$tmp/proxy" &
	ip netns exec client "$peer" client 10.0.1.2 8000 cp "$1" |
		sed 's/^{/{"who":"client",/' > "$tmp/client"
	wait
}

say "A guest running Linux $(uname -r); load the module"
run insmod "$build/$(uname -r)/kmod/causal.ko" || exit 1
run causalctl status

say "Three nodes (network namespaces): client -- proxy -- backend"
ip netns add client
ip netns add proxy
ip netns add backend
ip link add to-proxy netns client type veth peer name to-client netns proxy
ip link add to-backend netns proxy type veth peer name to-proxy netns backend
ip -n client addr add 10.0.1.1/24 dev to-proxy
ip -n proxy addr add 10.0.1.2/24 dev to-client
ip -n proxy addr add 10.0.2.1/24 dev to-backend
ip -n backend addr add 10.0.2.2/24 dev to-proxy
for n in client proxy backend; do
	ip -n $n link set lo up
	for d in $(ip -n $n -br link | awk '$1 != "lo" { sub("@.*", "", $1); print $1 }'); do
		ip -n $n link set "$d" up
	done
	printf '  %-8s node %s\n' $n "$(ip netns exec $n causalctl node)"
done

say "Attach causal's BPF programs (sock_ops on the root cgroup, tracing on send/receive)"
run causalctl attach

say "The client sends 3 requests; the proxy relays each to the backend and the reply back"
echo "Each program logs the clock the module gave each of its sends and receives:"
exchange 3
chain
echo "Every step is later than the one that caused it, across all three nodes:"
echo "the proxy's thread carries the clock from its client socket to its backend socket."

say "What the proxy's node keeps per socket (held open for a moment)"
held_exchange
run ip netns exec proxy causalctl sockets
pkill -x causal_peer
wait 2> /dev/null

say "With the socket scope on the proxy, its sockets keep separate clocks"
run ip netns exec proxy causalctl scope set socket
exchange 2
chain
echo "The proxy's backend socket counts on its own (its sends are @1, @5): the backend's"
echo "clocks no longer follow the client's. The chain is cut at the proxy, as documented."

say "Hybrid logical clocks: the same order, close to wall time"
for n in client proxy backend; do
	ip netns exec $n causalctl clock set hlc
	ip netns exec $n causalctl scope set thread
done
exchange 1
cat "$tmp/client" "$tmp/proxy" "$tmp/backend" | python3 -c '
import json, sys, time
for e in sorted((json.loads(l) for l in sys.stdin), key=lambda e: e["clock"]):
    c = e["clock"]
    wall = time.strftime("%H:%M:%S", time.gmtime(c >> 32)) + ".%06d" % (((c >> 16) & 0xffff) * 1000000 >> 16)
    print("  %-8s %s %s  %d = %s UTC + counter %d" % (e["who"], e["op"], e["dir"], c, wall, c & 0xffff))'


say "Vector clocks: not only earlier or later, but whether one could have caused the other"
for n in client proxy backend; do
	ip netns exec $n causalctl clock set vector
done
compare_proxy_sockets sockets "The proxy's client socket against its backend socket:"
ip netns exec proxy causalctl scope set socket
compare_proxy_sockets - "The same in socket scope, where the proxy's sockets keep apart:"
ip netns exec proxy causalctl scope set thread

say "What the proxy's node counted"
run ip netns exec proxy causalctl status

say "Detach and unload"
run causalctl detach
for _ in $(seq 50); do
	rmmod causal 2> /dev/null && break
	sleep 0.1
done
run causalctl status
exit 0
