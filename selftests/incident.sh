#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An incident, end to end, with real programs: curl asks an nginx reverse
# proxy, which asks a Python http.server backend.  Each node is traced with
# causalctl trace; the three logs are merged by causalctl order, and
# causalctl why must answer as the workload's own structure says.
#
#   client (curl)          proxy (nginx)                 backend (python3)
#   10.75.1.2  ---------- 10.75.1.1 :80  10.75.2.1 ---------- 10.75.2.2 :8080
#   node c1                node 01                        node b1
#
# Known causality: curl sends its 3 requests on one connection, in one
# thread, each after the previous response; nginx relays each to the
# backend and its answer back.  Before the client starts, a health check
# (another curl, on the backend's node) asks the backend directly: it has
# no causal path to or from the client's first request.

. "$(dirname "$0")/lib.sh"

CHECK="/usr/bin/python3 $TOP/selftests/order_check.py"
SCHEMA=$TOP/selftests/otlp-trace.schema.json

nodes() {
	ns_create c p b || return 1
	veth_pair p c 10.75.1
	veth_pair p b 10.75.2
	in_ns c ip route add default via 10.75.1.1
	in_ns b ip route add default via 10.75.2.1
	in_ns c "$CAUSALCTL" node set 00000000000000c1 &&
		in_ns p "$CAUSALCTL" node set 0000000000000001 &&
		in_ns b "$CAUSALCTL" node set 00000000000000b1
}

servers() {
	mkdir -p "$T/www" "$T/nginx" || return 1
	printf 'alpha\n' > "$T/www/a.txt"
	printf 'bravo\n' > "$T/www/b.txt"
	printf 'charlie\n' > "$T/www/c.txt"
	printf 'ok\n' > "$T/www/health"
	# not through in_ns: $! must be the server's pid, for the cleanup
	ip netns exec "$NS_PREFIX-b" /usr/bin/python3 -m http.server 8080 --bind 10.75.2.2 \
		--directory "$T/www" > "$T/backend.out" 2>&1 &
	defer kill $!
	cat > "$T/nginx/nginx.conf" <<-EOF
		daemon off;
		master_process off;
		pid $T/nginx/nginx.pid;
		error_log $T/nginx/error.log;
		events { worker_connections 64; }
		http {
			access_log off;
			client_body_temp_path $T/nginx/body;
			proxy_temp_path $T/nginx/proxy;
			fastcgi_temp_path $T/nginx/fastcgi;
			uwsgi_temp_path $T/nginx/uwsgi;
			scgi_temp_path $T/nginx/scgi;
			server {
				listen 10.75.1.1:80;
				location / {
					proxy_pass http://10.75.2.2:8080;
					proxy_http_version 1.1;
				}
			}
		}
	EOF
	ip netns exec "$NS_PREFIX-p" nginx -c "$T/nginx/nginx.conf" -p "$T/nginx" \
		-e "$T/nginx/error.log" > "$T/nginx/out" 2>&1 &
	defer kill $!
	busywait 20000 listening b 8080 && busywait 20000 listening p 80
}

# trace_start NODE LABEL [OPTION...] - trace the node into $T/NODE.log (a
# label other than the node's name: $T/LABEL.log) until trace_stop
trace_start() {
	local f=$1

	case $1:$2 in
	c:client | p:proxy | b:backend) ;;
	*) f=$2 ;;
	esac
	ip netns exec "$NS_PREFIX-$1" "$CAUSALCTL" trace -o "$T/$f.log" --label "$2" "${@:3}" \
		2> "$T/$f.err" &
	TRACERS+=($!)
	defer kill $!
	busywait 10000 has "$T/$f.err" "Ctrl-C stops"
}

trace_stop() {
	kill -INT "${TRACERS[@]}"
	wait "${TRACERS[@]}"
}

# run_in CGROUP NODE COMMAND... - COMMAND on NODE, as a process of CGROUP
run_in() {
	local cg=$1 n=$2

	shift 2
	sh -c 'echo $$ > "$1/cgroup.procs" && shift 2 && exec ip netns exec "$0" "$@"' \
		"$NS_PREFIX-$n" "$cg" x "$@"
}

# containers - cgroups named as Docker's and as a pod's under the kubelet
# with containerd: CG1 (container ID1), CG2 (container ID2 of pod UID)
containers() {
	local root=/sys/fs/cgroup pod

	ID1=$(printf '%064x' $(( ($$ << 20) + 1 )))
	ID2=$(printf 'c0ffee%058x' $$)
	UID_=$(printf '%08x-4b5a-6978-8796-a5b4c3d2e1f0' $$)
	pod="kubepods-burstable-pod${UID_//-/_}.slice"
	CG1=/causal-test-$$.slice/docker-$ID1.scope
	CG2=/kubepods-$$.slice/kubepods-burstable.slice/$pod/cri-containerd-$ID2.scope
	mkdir -p "$root$CG1" "$root$CG2" || return 1
	defer rmdir "$root$CG2" "$root${CG2%/*}" "$root${CG2%/*/*}" "$root/kubepods-$$.slice" \
		"$root$CG1" "$root/causal-test-$$.slice"
	# and a unit name two cgroups answer to
	mkdir "$root/causal-test-$$.slice/twice-$$.service" "$root/kubepods-$$.slice/twice-$$.service" ||
		return 1
	defer rmdir "$root/causal-test-$$.slice/twice-$$.service" \
		"$root/kubepods-$$.slice/twice-$$.service"
}

# names LOG - the distinct cgroup names of LOG's events
names() {
	jq -rs '[.[] | select(.type) | "\(.cgroup_path) \(.runtime) \(.container) \(.pod // "-") \(.unit)"] |
		unique | join(",")' "$1"
}

# why_is A B ANSWER - causalctl why answers ANSWER for A and B over the logs
why_is() {
	local out

	out=$("$CAUSALCTL" -j why "$1" "$2" "${LOGS[@]}")
	log "why $1 $2: $(jq -r .answer <<< "$out")"
	check_eq "why $1 $2" "$3" "$(jq -r .answer <<< "$out")"
	WHY=$out
}

three_tier() {
	local i n hosts

	require_command nginx
	require_command curl
	load_module && attach || fail "attach"
	nodes || fail "topology"
	tmpdir || fail "tmpdir"
	servers || fail "servers: $(cat "$T/backend.out" "$T/nginx/error.log" 2> /dev/null)"
	containers || fail "cgroups"
	TRACERS=()
	trace_start c client && trace_start p proxy && trace_start b backend || fail "tracers"
	# and the client's container, the health check's pod, by name
	trace_start c container --cgroup "${ID1:0:12}" && trace_start b pod --cgroup "$UID_" ||
		fail "tracers by cgroup name"

	run_in "/sys/fs/cgroup$CG2" b curl -sf http://10.75.2.2:8080/health > "$T/health" ||
		fail "health check"
	run_in "/sys/fs/cgroup$CG1" c curl -sf http://10.75.1.1/a.txt http://10.75.1.1/b.txt \
		http://10.75.1.1/c.txt > "$T/client" || fail "client: $(cat "$T/nginx/error.log")"
	check_eq "the client's answers" "alpha bravo charlie" "$(xargs < "$T/client")"
	sleep 1
	trace_stop || fail "a tracer failed: $(cat "$T"/*.err)"
	for i in c p b; do
		log "$i: $(tail -1 "$T/$i.log")"
	done
	LOGS=("$T/c.log" "$T/p.log" "$T/b.log")

	# the client's events name its container, the health check's its pod;
	# a trace by the container's id or the pod's UID has theirs alone
	check_eq "the client's cgroup" "$CG1 docker $ID1 - docker-$ID1.scope" "$(names "$T/c.log")"
	check_eq "the container's trace" "$(jq -c 'select(.type)' "$T/c.log")" \
		"$(jq -c 'select(.type)' "$T/container.log")"
	check_eq "the pod's trace" "$CG2 containerd $ID2 $UID_ cri-containerd-$ID2.scope" \
		"$(names "$T/pod.log")"
	check "the pod's events" test "$(jq -s '[.[] | select(.type)] | length' "$T/pod.log")" -ge 3
	ip netns exec "$NS_PREFIX-c" "$CAUSALCTL" trace --cgroup no-such-container -d 1 \
		-o "$T/none.log" 2> "$T/none.err" && fail "an unknown cgroup name was taken"
	grep -q "no cgroup, container, pod or unit" "$T/none.err" ||
		fail "no reason: $(cat "$T/none.err")"
	ip netns exec "$NS_PREFIX-c" "$CAUSALCTL" trace --cgroup "twice-$$.service" -d 1 \
		-o "$T/twice.log" 2> "$T/twice.err" && fail "a name two cgroups answer to was taken"
	grep -q "2 cgroups answer to it" "$T/twice.err" || fail "no reason: $(cat "$T/twice.err")"

	"$CAUSALCTL" order "${LOGS[@]}" > "$T/order" 2> "$T/reports" || fail "order: $(cat "$T/reports")"
	sed 's/^/  /' "$T/order"
	check_eq "no reports on complete logs" "" "$(cat "$T/reports")"
	hosts=$(awk '{ sub(/:.*/, "", $2); print $2 }' "$T/order" | sort -u | xargs)
	check_eq "every node in the order" "backend client proxy" "$hosts"

	# a request reaches the backend through the proxy: the shortest chain
	# leaves the client, passes the proxy, reaches the backend
	why_is "host=client,type=send#1" "host=backend,comm=python3,type=recv#2" before
	check_eq "evidence passes the proxy" "client proxy backend" \
		"$(jq -r '[.path[].event | sub(":.*"; "")] |
			reduce .[] as $h ([]; if .[-1] == $h then . else . + [$h] end) |
			join(" ")' <<< "$WHY")"
	for i in 1 2 3; do
		# the backend's answer (headers, then body: two sends; the health
		# check's come first) reaches curl
		why_is "host=backend,comm=python3,type=send#$((2 * i + 2))" \
			"host=client,type=recv#$i" before
	done
	# each request after the previous answer
	why_is "host=client,type=recv#1" "host=backend,comm=python3,type=recv#3" before
	why_is "host=client,type=recv#2" "host=backend,comm=python3,type=recv#4" before
	# and the other way round
	why_is "host=backend,comm=python3,type=recv#2" "host=client,type=send#1" after
	# the health check and the client never met
	why_is "host=backend,comm=curl,type=send#1" "host=client,type=send#1" concurrent
	why_is "host=client,type=connect#1" "host=backend,comm=curl,type=recv#1" concurrent

	# TCP receives (scalar clocks) name at most the send a peer's node id
	# came with: order joins them to every send whose bytes they read, and
	# every such send's clock is below its receive's (the Lamport
	# condition, with the clocks the wire carried)
	"$CAUSALCTL" -j order "${LOGS[@]}" > "$T/order.json" 2> /dev/null || fail "order -j"
	check "TCP receives joined to their sends" test "$(jq -s '[.[] |
		select(.type == "recv" and .proto == "tcp" and (.from | length) > 0)] |
		length' "$T/order.json")" -ge 8
	check_eq "each joined send's clock below its receive's" "" "$(jq -rs '
		(map(select(.type == "send")) | map({key: "\(.node):\(.id)", value: .clock}) |
		 from_entries) as $s |
		.[] | select(.type == "recv" and .from) | . as $r | .from[] |
		select(($s["\(.node):\(.id32)"] // -1) >= $r.clock or
		       $s["\(.node):\(.id32)"] == null) |
		"\(.node):\(.id32) -> \($r.node):\($r.id)"' "$T/order.json")"

	# exports, read by their consumers
	"$CAUSALCTL" order --dot "$T/x.dot" --perfetto "$T/x.json" --otlp "$T/x.otlp" \
		--shiviz "$T/x.shiviz" "${LOGS[@]}" > /dev/null 2>&1 || fail "order with exports"
	dot -Tsvg "$T/x.dot" > "$T/x.svg" || fail "dot"
	n=$(cat "${LOGS[@]}" | grep -c '"type":')
	$CHECK perfetto "$T/x.json" "$n" || fail "perfetto"
	$CHECK otlp "$T/x.otlp" "$SCHEMA" "$n" || fail "otlp"
	check_eq "OTLP: the pod's names" "$ID2 containerd $UID_" "$(jq -r '
		[.resourceSpans[].scopeSpans[].spans[].attributes |
		 map({key, value: .value.stringValue}) | from_entries |
		 select(.["k8s.pod.uid"]) |
		 "\(.["container.id"]) \(.["container.runtime.name"]) \(.["k8s.pod.uid"])"] |
		unique | join(",")' "$T/x.otlp")"
	check_eq "ShiViz: one event and one clock line per event" $((2 * n)) \
		"$(grep -c . "$T/x.shiviz")"

	# without the backend's log: the proxy's receives from it are reported
	"$CAUSALCTL" order "$T/c.log" "$T/p.log" > /dev/null 2> "$T/missing" ||
		fail "order without the backend"
	cat "$T/missing"
	grep -q "00000000000000b1" "$T/missing" || fail "the missing node is not named"
}

run_test "three tiers: curl, nginx, http.server traced, merged, why" three_tier
exit_tests
