#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Probes where an operator may put them in an incident: causalctl trace
# with a dozen hot probe points at once, the scheduler's (sched_switch runs
# with the runqueue lock held and interrupts off), interrupts and softirqs,
# timers, the allocator, the network stack and a library's malloc, while
# TCP and UDP traffic flows and threads come and go (selftests/churn.py).
# The guest survives; trace ends at --duration, and at SIGINT, with a
# complete log; every probe's hits are counted in the trailer, drops too;
# the kernel log stays clean.

. "$(dirname "$0")/lib.sh"

CHURN=$TOP/selftests/churn.py
SHARE_ATTACH=1

# The probe points: hot ones of every kind and context (or $PROBES).
probes() {
	local libc

	if [ -n "${PROBES:-}" ]; then
		printf '%s\n' $PROBES
		return
	fi
	libc=$(ldd /usr/bin/python3 | awk '/libc.so/ { print $3 }')
	printf '%s\n' \
		tracepoint:sched:sched_switch \
		tracepoint:sched:sched_wakeup \
		kprobe:try_to_wake_up \
		tracepoint:sched:sched_process_exit \
		tracepoint:irq:irq_handler_entry \
		tracepoint:irq:softirq_entry \
		tracepoint:timer:hrtimer_start \
		tracepoint:kmem:kmalloc \
		tracepoint:net:netif_receive_skb \
		kprobe:tcp_sendmsg \
		kprobe:udp_sendmsg \
		"uprobe:$libc:malloc"
}

# Probe points that need not fire in a few seconds of a test guest.
MAY_BE_QUIET="tracepoint:irq:irq_handler_entry"

probe_args() {
	local p

	while read -r p; do
		printf -- '--probe\n%s\n' "$p"
	done <<< "$(probes)"
}

start_churn() {
	python3 "$CHURN" "$1" > "$T/churn" 2>&1 &
	CHURN_PID=$!
	defer kill "$CHURN_PID"
	busywait 60000 has "$T/churn" listening || fail "churn.py did not start: $(cat "$T/churn")"
}

# kernel_log_mark - remember where the kernel log is (it is never cleared)
kernel_log_mark() {
	KLOG_MARK=$(dmesg | wc -l)
}

# bad_kernel_log - what the kernel complained of since kernel_log_mark
bad_kernel_log() {
	dmesg | tail -n +$((KLOG_MARK + 1)) |
		grep -E 'BUG:|WARNING:|Oops|Call Trace:|lockdep|soft lockup|hung_task|rcu.*stall'
}

# hits_of LOG PROBE - how many hits of PROBE LOG holds
hits_of() {
	grep -cF "\"probe\":\"$2\"" "$1"
}

# all_hit LOG - every probe that must fire has a hit in LOG (looked for at
# most once a second: the log grows fast, and reading it costs)
all_hit() {
	local p seen

	nap 1
	seen=$(grep -o '"probe":"[^"]*"' "$1" | sort -u | sed 's/^"probe":"//; s/"$//')
	while read -r p; do
		[[ " $MAY_BE_QUIET " == *" $p "* ]] && continue
		[[ $'\n'$seen$'\n' == *$'\n'$p$'\n'* ]] || return 1
	done <<< "$(probes)"
}

# check_log LOG - a whole log: header, events, trailer that counts them,
# every probe's hits counted (and there), drops counted; hits outside a
# thread (interrupts, idle) carry no task and no clock
check_log() {
	local log=$1 n p hits

	n=$(probes | wc -l)
	head -1 "$log" | jq -e --argjson n "$n" '.causal_log == 1 and (.probes | length) == $n' \
		> /dev/null || fail "header: $(head -1 "$log")"
	tail -1 "$log" | jq -e --argjson n "$n" '.end and (.probe_hits | length) == $n and
		(.probes_dropped | type) == "number"' > /dev/null ||
		fail "trailer: $(tail -1 "$log")"
	check_eq "the trailer counts the events" "$(grep -c '"type":' "$log")" \
		"$(tail -1 "$log" | jq .events)"
	while read -r p; do
		hits=$(tail -1 "$log" | jq --arg p "$p" '.probe_hits[$p]')
		check_eq "hits of $p in the trailer and in the log" "$(hits_of "$log" "$p")" "$hits"
		log "$p: $hits hits"
		[[ " $MAY_BE_QUIET " == *" $p "* ]] || [ "$hits" -gt 0 ] || fail "$p: no hit"
	done <<< "$(probes)"
	log "$(tail -1 "$log" | jq .probes_dropped) hits dropped, $(grep -c '^{"lost"' "$log") losses"
	# the scheduler's probe runs in the task switched out, softirqs in none
	grep '"probe":"tracepoint:sched:sched_switch"' "$log" | grep -q '"tid":[1-9]' ||
		fail "no sched_switch hit names its task"
	grep -q '"tid":0,' "$log" && fail "a hit names an idle task (tid 0)"
	n=$(grep '"probe":"tracepoint:irq:softirq_entry"' "$log" | grep -v '"tid":' |
		grep -c '"clock":')
	check_eq "softirq hits outside a task with a clock" 0 "$n"
	return 0
}

# trace --duration with every probe, under churn
probes_everywhere_with_a_duration() {
	local start end args

	require_command jq
	load_module && attach || fail "attach"
	tmpdir || fail "tmpdir"
	kernel_log_mark
	start_churn 9310
	mapfile -t args <<< "$(probe_args)"
	# long enough for the churn to fork and reap a child (every second
	# round of its clients), SLOW times as long on a slow kernel
	start=$(date +%s)
	"$CAUSALCTL" trace --duration $((4 * SLOW)) -o "$T/a.log" "${args[@]}" 2> "$T/err" ||
		fail "trace: $(cat "$T/err")"
	end=$(date +%s)
	cat "$T/err"
	log "trace took $((end - start)) s for --duration $((4 * SLOW))"
	[ $((end - start)) -ge $((4 * SLOW)) ] || fail "ended before its duration"
	kill "$CHURN_PID"
	wait "$CHURN_PID"
	log "churn: $(grep -v listening "$T/churn")"
	grep -q "^exchanges [1-9]" "$T/churn" || fail "no traffic got through"
	grep "^error .* tcp:" "$T/churn" && fail "TCP failed under the probes"
	check_log "$T/a.log"
	bad_kernel_log && fail "the kernel complained"
	return 0
}

# trace until SIGINT, under churn: the same whole log (hot probes of the
# scheduler, softirqs, the allocator and TCP)
probes_until_sigint() {
	local pid args
	local PROBES="tracepoint:sched:sched_switch tracepoint:irq:softirq_entry
		tracepoint:kmem:kmalloc kprobe:tcp_sendmsg"

	require_command jq
	load_module && attach || fail "attach"
	tmpdir || fail "tmpdir"
	kernel_log_mark
	start_churn 9320
	mapfile -t args <<< "$(probe_args)"
	"$CAUSALCTL" trace -o "$T/a.log" "${args[@]}" 2> "$T/err" > /dev/null &
	pid=$!
	busywait 120000 has "$T/err" "Ctrl-C stops" || fail "trace did not start: $(cat "$T/err")"
	# hits of every kind made it to the log: then stop
	busywait 120000 all_hit "$T/a.log" || fail "not every probe's hits reached the log"
	kill -INT "$pid"
	wait "$pid" || fail "trace exited with $?: $(cat "$T/err")"
	check_log "$T/a.log"
	bad_kernel_log && fail "the kernel complained"
	return 0
}

run_test probes_everywhere_with_a_duration probes_everywhere_with_a_duration
run_test probes_until_sigint probes_until_sigint
exit_tests
