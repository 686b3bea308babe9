#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What keeps causal safe to leave loaded: its kfuncs refuse wrong callers,
# nothing a task makes outlives it, a node's thread clocks are capped on
# their own, counters stay exact without the socket's lock, and detaching
# frees the module at once.
#
#   +------------------------+   veth   +------------------------+
#   | ns a 10.78.0.1         |----------| ns b 10.78.0.2         |
#   | servers                |          | clients, capped        |
#   +------------------------+          +------------------------+

. "$(dirname "$0")/lib.sh"

ABUSE=$BUILD/selftests/causal_abuse

# py_bg NODE NAME CODE - run Python CODE in NODE's namespace in the
# background, its output in $T/NAME; killed when the case ends
py_bg() {
	printf '%s\n' "$3" > "$T/$2.py"
	defer pkill -f "$T/$2.py"
	in_ns "$1" python3 "$T/$2.py" > "$T/$2" 2>&1 &
}

ECHO_SERVER='
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.78.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else PORT)); s.listen(64)
print("listening", flush=True)
def echo(c):
    while True:
        d = c.recv(64)
        if not d: return
        c.sendall(d)
while True:
    c, _ = s.accept()
    threading.Thread(target=echo, args=(c,), daemon=True).start()
'

# Someone else's programs calling causal's kfuncs from places causal does
# not attach to, with NULL, listening sockets, UDP for TCP, unlocked
# sockets and shared skbs: refused at load (6.12), or every call refused
# and counted (6.1); the kernel log stays clean (checked after the suite).
kfuncs_refuse_wrong_callers() {
	local before after rc

	load_module && attach || fail "attach"
	tmpdir || fail "tmpdir"
	before=$(stat_of - calls_refused)
	"$ABUSE" 9400 > "$T/out" 2>&1
	rc=$?
	sed 's/^/  /' "$T/out"
	[ $rc = 0 ] || fail "causal_abuse exited with $rc"
	after=$(stat_of - calls_refused)
	log "calls refused: $before -> $after"
	if grep -q "every call refused" "$T/out"; then
		[ "$after" -gt "$before" ] || fail "refused calls were not counted"
	fi
}

# A process that exits with stamped sockets open closes them after the
# tracepoint where its clock went: that close must not make a new one.
exiting_processes_leave_no_clock() {
	local base i

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	py_bg a server "${ECHO_SERVER/PORT/7800}"
	busywait 60000 has "$T/server" listening || fail "server"
	base=$(stat_of b contexts)
	log "b's thread clocks before: $base"
	for i in $(seq 10); do
		# bash's /dev/tcp: the socket stays open until the process exits
		in_ns b bash -c 'exec 3<>/dev/tcp/10.78.0.1/7800 && echo hello >&3 &&
			read -r -u 3 line && [ "$line" = hello ]' || fail "client $i"
	done
	busywait 30000 stat_is b contexts "$base" ||
		fail "b's thread clocks: $base before, $(stat_of b contexts) after its clients exited"
	[ "$(stat_of b sends)" -ge 10 ] || fail "the clients' sends were not events"
}

# contexts-max bounds one node's thread clocks; other nodes keep theirs.
contexts_are_capped_per_node() {
	local i n

	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	check "cap" in_ns b "$CAUSALCTL" node set contexts-max 2
	py_bg a server "${ECHO_SERVER/PORT/7801}"
	busywait 60000 has "$T/server" listening || fail "server"
	for i in $(seq 6); do
		in_ns b bash -c 'exec 3<>/dev/tcp/10.78.0.1/7801 && echo hi >&3 &&
			read -r -u 3 line && echo "$line" && exec sleep 600' > "$T/client$i" 2>&1 &
	done
	defer pkill -x -f "sleep 600"
	for i in $(seq 6); do
		busywait 60000 has "$T/client$i" hi || fail "client $i"
	done
	n=$(stat_of b contexts)
	log "b: $n thread clocks, $(stat_of b contexts_untracked) events without one"
	[ "$n" -le 2 ] || fail "b holds $n thread clocks, over its cap of 2"
	[ "$(stat_of b contexts_untracked)" -gt 0 ] || fail "no event counted at the cap"
	check_eq "a's server threads have their clocks: none untracked" 0 "$(stat_of a contexts_untracked)"
	[ "$(stat_of a contexts)" -ge 6 ] || fail "a has $(stat_of a contexts) thread clocks for 6 connections"
}

# Threads sending on one UDP socket, threads receiving on another: no lock
# serialises them, yet every send and every receive is counted, once.
# UDP may drop datagrams (a receive queue overflows under emulation): the
# receiving socket's counters must equal what its threads took out.
udp_counters_exact_under_threads() {
	local out got

	require_command jq
	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	py_bg b rx '
import signal, socket, threading
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("10.78.0.2", 7802)); print("listening", flush=True)
got = [0]; lock = threading.Lock()
def rx():
    while r.recv(64):
        with lock:
            got[0] += 1
ts = [threading.Thread(target=rx) for _ in range(4)]
[t.start() for t in ts]
signal.sigwait([signal.SIGUSR1])
try:
    r.shutdown(socket.SHUT_RD)	# wakes the threads (ENOTCONN, yet done)
except OSError:
    pass
[t.join() for t in ts]
print("received", got[0], flush=True)
import time; time.sleep(600)	# the socket stays, with its counters
'
	busywait 60000 has "$T/rx" listening || fail "receiver"
	for n in a b; do
		in_ns $n "$CAUSALCTL" node set socket-counters on || fail "socket-counters on $n"
	done
	py_bg a tx '
import socket, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.78.0.1", 7803))
def tx():
    for _ in range(200):
        s.sendto(b"u" * 32, ("10.78.0.2", 7802))
ts = [threading.Thread(target=tx) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print("sent", flush=True)
import time; time.sleep(600)
'
	busywait 120000 has "$T/tx" sent || fail "sender: $(cat "$T/tx")"
	pkill -USR1 -f "$T/rx.py" || fail "no receiver to stop"
	busywait 120000 has "$T/rx" received || fail "the receiver did not stop: $(cat "$T/rx")"
	got=$(awk '/^received/ { print $2 }' "$T/rx")
	log "the receiver's threads took $got of 1600 datagrams"
	[ "$got" -gt 0 ] || fail "nothing received"
	out=$(in_ns a "$CAUSALCTL" -j sockets --port 7803)
	check_eq "sends counted on the sending socket" 1600 \
		"$(jq '[.[] | select(.local_port == 7803) | .stats.sends] | add' <<< "$out")"
	out=$(in_ns b "$CAUSALCTL" -j sockets --port 7802)
	check_eq "receives counted on the receiving socket" "$got" \
		"$(jq '[.[] | select(.local_port == 7802) | .stats.receives] | add' <<< "$out")"
	# each receive merged a stamp or is counted without one (a stamp the
	# table of arrivals had to give up: kmod/udp.c)
	check_eq "stamped and unstamped receives on the receiving socket" "$got" \
		"$(jq '[.[] | select(.local_port == 7802) | .stats.stamps_in + .stats.unstamped_in] | add' <<< "$out")"
	# causal's own programs are never refused
	check_eq "calls refused on a" 0 "$(stat_of a calls_refused)"
	check_eq "calls refused on b" 0 "$(stat_of b calls_refused)"
}

# What an operator types when the incident is over.
detach_then_rmmod() {
	local i

	load_module || fail "module"
	tmpdir || fail "tmpdir"
	for i in 1 2 3; do
		"$CAUSALCTL" attach > /dev/null || fail "attach $i"
		# a connection stamped, a probe trace: programs of every kind
		"$CAUSALCTL" trace --duration 1 -o "$T/t.log" --probe tracepoint:sched:sched_switch \
			2> /dev/null || fail "trace $i"
		"$CAUSALCTL" detach 2> "$T/err" || fail "detach $i: $(cat "$T/err")"
		[ -s "$T/err" ] && fail "detach $i said: $(cat "$T/err")"
		rmmod causal 2> "$T/err" || fail "rmmod right after detach ($i): $(cat "$T/err")"
		load_module || fail "reload $i"
	done
}

nodes() {
	ns_create a b && veth_pair a b 10.78.0
}

run_test kfuncs_refuse_wrong_callers kfuncs_refuse_wrong_callers
run_test exiting_processes_leave_no_clock exiting_processes_leave_no_clock
run_test contexts_are_capped_per_node contexts_are_capped_per_node
run_test udp_counters_exact_under_threads udp_counters_exact_under_threads
run_test detach_then_rmmod detach_then_rmmod
exit_tests
