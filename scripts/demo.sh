#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what causal does, shown in a test guest (make demo runs this).

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
export PATH=$top/user:$PATH

say() {
	printf '\n\033[1m== %s\033[0m\n' "$*"
}

run() {
	printf '$ %s\n' "$*"
	"$@"
}

cleanup() {
	ip netns del a 2> /dev/null
	ip netns del b 2> /dev/null
}
trap cleanup EXIT

say "A guest running Linux $(uname -r); load the module"
run insmod "$build/$(uname -r)/kmod/causal.ko" || exit 1

say "Each network namespace is a node with its own identity and clock"
run causalctl status

say "The same as JSON, for scripts"
run causalctl -p status

say "Two more nodes: namespaces a and b joined by veth"
ip netns add a
ip netns add b
ip link add veth-b netns a type veth peer name veth-a netns b
run ip netns exec a causalctl node
run ip netns exec b causalctl node

say "Node settings are per namespace: give a a fixed id and a hybrid logical clock"
run ip netns exec a causalctl node set 0a
run ip netns exec a causalctl clock set hlc
run ip netns exec a causalctl status
run ip netns exec b causalctl clock

say "Bad input is refused with the reason"
run ip netns exec a causalctl clock set wallclock
run ip netns exec a setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-net_admin causalctl node set 1

say "Unload"
cleanup
run rmmod causal
run causalctl status
exit 0
