#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what causal does, shown in a test guest (make demo runs this).
#
# Three hosts, each a network namespace and so a causal node of its own:
#
#   client (curl)  10.0.1.2 ---- 10.0.1.1:80  proxy (nginx)  10.0.2.1 ---- 10.0.2.2:8080  backend
#                                                                          (python3 http.server)
#
# Nothing in them knows about causal.  The demo loads the module, attaches
# its BPF programs, traces every host as an operator would during an
# incident, sends a few requests, and shows what causal saw.  The files it
# writes land in the results share (make demo: build/demo).
#
# Exit status: 0 when every step did what it says, 1 otherwise.

top=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSAL_BUILD:-$top/build}
# the guest's /run/causal is the host's results directory
out=/run/causal
# where make demo put them, as the host sees it (relative to the tree)
shown=$build/demo
shown=${shown#"$top"/}
export PATH=$top/user:$PATH
tmp=$(mktemp -d)
logs=("$out/client.log" "$out/proxy.log" "$out/backend.log")

bold() {
	printf '\033[1m%s\033[0m\n' "$*"
}

say() {
	printf '\n'
	bold "== $*"
}

run() {
	shown "$@"
	"$@"
}

# shown COMMAND... - show COMMAND as it would read on the host
shown() {
	local c="$*"

	c=${c//"${logs[*]}"/"$out/{client,proxy,backend}.log"}
	c=${c//"$top/"/}
	printf '$ %s\n' "${c//$out/$shown}"
}

# on NODE COMMAND... - run COMMAND on a host, showing it
on() {
	local n=$1
	shift

	printf '%s$ %s\n' "$n" "$*"
	ip netns exec "$n" "$@"
}

die() {
	echo "demo: $*" >&2
	[ -s "$tmp/nginx/error.log" ] && sed 's/^/  nginx: /' "$tmp/nginx/error.log" >&2
	exit 1
}

cleanup() {
	kill ${pids:-} ${tracers:-} ${tcpdump:-} 2> /dev/null
	wait 2> /dev/null
	causalctl detach > /dev/null 2>&1
	for n in client proxy backend; do
		ip netns del $n 2> /dev/null
	done
	for _ in $(seq 50); do
		[ -d /sys/module/causal ] || break
		rmmod causal 2> /dev/null && break
		sleep 0.1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for SECONDS COMMAND... - until COMMAND succeeds
wait_for() {
	local n=$(($1 * 10))
	shift

	while ! "$@" > /dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

listening() {
	ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN
}

hosts() {
	local n d

	ip netns add client && ip netns add proxy && ip netns add backend || return 1
	ip link add to-proxy netns client type veth peer name to-client netns proxy &&
	ip link add to-backend netns proxy type veth peer name to-proxy netns backend || return 1
	ip -n client addr add 10.0.1.2/24 dev to-proxy
	ip -n proxy addr add 10.0.1.1/24 dev to-client
	ip -n proxy addr add 10.0.2.1/24 dev to-backend
	ip -n backend addr add 10.0.2.2/24 dev to-proxy
	for n in client proxy backend; do
		for d in $(ip -n $n -br link | awk '{ sub("@.*", "", $1); print $1 }'); do
			ip -n $n link set "$d" up
		done
	done
	ip -n client route add default via 10.0.1.1
	ip -n backend route add default via 10.0.2.1
}

# The backend: Python's http.server, speaking HTTP/1.1 so that the proxy
# keeps its connection open; the proxy: nginx, keeping one idle connection
# to the backend.
servers() {
	mkdir -p "$tmp/www" "$tmp/nginx" || return 1
	printf 'alpha\n' > "$tmp/www/a.txt"
	printf 'bravo\n' > "$tmp/www/b.txt"
	printf 'ok\n' > "$tmp/www/health"
	(cd "$tmp/www" && exec ip netns exec backend /usr/bin/python3 -c '
import http.server as h
h.SimpleHTTPRequestHandler.protocol_version = "HTTP/1.1"
h.SimpleHTTPRequestHandler.log_message = lambda *a: None
h.ThreadingHTTPServer(("10.0.2.2", 8080), h.SimpleHTTPRequestHandler).serve_forever()') \
		> "$tmp/backend.out" 2>&1 &
	pids="$pids $!"
	cat > "$tmp/nginx/nginx.conf" <<-EOF
		daemon off;
		master_process off;
		pid $tmp/nginx/nginx.pid;
		error_log $tmp/nginx/error.log;
		events { worker_connections 64; }
		http {
			access_log off;
			client_body_temp_path $tmp/nginx/body;
			proxy_temp_path $tmp/nginx/proxy;
			fastcgi_temp_path $tmp/nginx/fastcgi;
			uwsgi_temp_path $tmp/nginx/uwsgi;
			scgi_temp_path $tmp/nginx/scgi;
			upstream backend {
				server 10.0.2.2:8080;
				keepalive 1;
			}
			server {
				listen 10.0.1.1:80;
				location / {
					proxy_pass http://backend;
					proxy_http_version 1.1;
					proxy_set_header Connection "";
				}
			}
		}
	EOF
	ip netns exec proxy nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" \
		-e "$tmp/nginx/error.log" > "$tmp/nginx/out" 2>&1 &
	pids="$pids $!"
	wait_for 30 listening backend 8080 && wait_for 30 listening proxy 80
}

# trace NODE - causalctl trace on NODE into $out/NODE.log, until stop_tracing
trace() {
	printf '%s$ causalctl trace -o %s --label %s &\n' "$1" "$shown/$1.log" "$1"
	ip netns exec "$1" causalctl trace -o "$out/$1.log" --label "$1" 2> "$tmp/$1.err" &
	tracers="$tracers $!"
	wait_for 30 grep -q "Ctrl-C stops" "$tmp/$1.err"
}

stop_tracing() {
	kill -INT $tracers
	wait $tracers
}

rm -f "$out"/*.log "$out"/causal.* "$out"/capture.pcap
bold "causal: which event could have caused which, across hosts, from the kernel"
echo "Three hosts talk HTTP: curl asks an nginx reverse proxy, which asks a Python backend."
echo "None of them is changed or restarted for causal; their kernel keeps the clocks."

say "A guest running Linux $(uname -r): load the module"
run insmod "$build/$(uname -r)/kmod/causal.ko" || die "insmod failed"

say "Three hosts (network namespaces, so three causal nodes): client -- proxy -- backend"
hosts || die "could not build the hosts"
for n in client proxy backend; do
	printf '  %-8s node %s\n' $n "$(ip netns exec $n causalctl node)"
done
echo "Each node picked a random 64-bit id; 'causalctl node set ID' chooses one."

say "Attach causal's BPF programs: they stamp a clock on every TCP segment sent"
run causalctl attach || die "attach failed"
servers || die "the servers did not start"
echo "nginx listens on proxy:80, Python's http.server on backend:8080."

say "Trace every host, as an operator would during an incident"
tracers=""
for n in client proxy backend; do
	trace $n || die "trace on $n did not start: $(cat "$tmp/$n.err")"
done
ip netns exec proxy tcpdump -i any -U -s 200 -w "$out/capture.pcap" tcp 2> /dev/null &
tcpdump=$!
pids="$pids $tcpdump"

say "Traffic: a health check on the backend, then curl asks the proxy for two pages"
on backend curl -s http://10.0.2.2:8080/health || die "health check failed"
on client curl -s http://10.0.1.1/a.txt http://10.0.1.1/b.txt || die "curl failed"
sleep 1

say "What the kernel keeps per socket: the proxy's idle connection to the backend, both ends"
on proxy causalctl sockets --port 8080
on backend causalctl sockets --port 8080
echo "'clock' is the socket's Lamport clock; 'peer ... stamp' is the last clock the other end"
echo "sent on it.  Each end is later than what it received: the clocks flowed through nginx."
for n in proxy backend; do
	ip netns exec $n causalctl -j sockets --port 8080 |
		jq -e 'length == 1 and .[0].clock > .[0].remote_stamp' > /dev/null ||
		die "the $n's socket is not later than what it received"
done

stop_tracing || die "a tracer failed"
kill -INT $tcpdump
wait $tcpdump
for n in client proxy backend; do
	tail -n 1 "$out/$n.log" | jq -r --arg n $n '"  \($n): \(.events) events recorded, \(.lost) lost"'
done

say "On the wire: the stamps in the TCP options, as Wireshark shows them with causal's dissector"
echo "(captured on the proxy, both of its links; only segments that carry data)"
shown tshark -X lua_script:scripts/wireshark/causal.lua -r "$out/capture.pcap" \
	-Y "'tcp.len > 0'" -T fields -e ip.src -e ip.dst -e tcp.len -e causal.clock \
	-e causal.event -e causal.node
# as nobody, so that a copy of the dissector installed for Wireshark is not
# loaded a second time
mkdir -p "$tmp/ws/plugins" && cp "$out/capture.pcap" "$tmp/ws/" && chmod -R a+rX "$tmp"
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$tmp/ws" \
	WIRESHARK_PLUGIN_DIR="$tmp/ws/plugins" tshark -n \
	-X lua_script:"$top/scripts/wireshark/causal.lua" -r "$tmp/ws/capture.pcap" \
	-Y 'tcp.len > 0' -T fields -E header=y -e ip.src -e ip.dst -e tcp.len -e causal.clock \
	-e causal.event -e causal.node > "$tmp/wire" 2> "$tmp/wire.err" ||
	die "tshark: $(cat "$tmp/wire.err")"
awk -F '\t' '{ printf "  %-10s %-10s %-8s %-13s %-13s %s\n", $1, $2, $3, $4, $5, $6 }' "$tmp/wire"
awk 'NR > 1 && $4 == "" { bad = 1 } END { exit bad }' "$tmp/wire" ||
	die "a segment with data carries no stamp"
ev=$(awk '$1 == "10.0.2.1" { print $5; exit }' "$tmp/wire")
echo "causal.event is the send's number on its host: the proxy's first request to the backend"
echo "is its event $ev, proxy:$ev in the order below."

say "One causal order of everything the three hosts did (causalctl order)"
echo "A line per event: position, HOST:EVENT, what and who, and after '<-' the send it read."
shown causalctl order "${logs[@]}"
causalctl order "${logs[@]}" > "$tmp/order" 2> "$tmp/reports" || die "order: $(cat "$tmp/reports")"
cat "$tmp/order"
[ -s "$tmp/reports" ] && die "the logs are incomplete: $(cat "$tmp/reports")"

say "Did the client's first request cause what the backend read? (causalctl why)"
first="host=client,type=send#1"
shown causalctl why "'$first'" "'host=backend,comm=python3,type=recv#2'" "${logs[@]}"
causalctl why "$first" "host=backend,comm=python3,type=recv#2" "${logs[@]}" || die "why failed"
echo "The evidence is the chain of events that carried the clock, host to host."
echo
echo "And the health check, against the client's first request?"
shown causalctl why "'host=backend,comm=curl,type=send#1'" "'$first'" "${logs[@]}"
causalctl why "host=backend,comm=curl,type=send#1" "$first" "${logs[@]}"
[ $? = 0 ] || die "why failed"
echo "Wall clocks would put one of them first; causal says that neither could have caused"
echo "the other, and would say 'unknown' if a host without a log could have linked them."

say "The same, for the tools you open it in"
set -- --shiviz "$out/causal.shiviz" --perfetto "$out/causal.perfetto.json" \
	--dot "$out/causal.dot" --otlp "$out/causal.otlp.json" "${logs[@]}"
shown causalctl order "$@"
causalctl order "$@" > /dev/null 2>&1 || die "the exports failed"
dot -Tsvg "$out/causal.dot" > "$out/causal.svg" || die "dot failed"
cat <<-EOF
	  $shown/causal.shiviz        ShiViz: paste it at https://distributedclocks.github.io/shiviz/
	  $shown/causal.perfetto.json Perfetto: open it at https://ui.perfetto.dev
	  $shown/causal.dot, .svg     Graphviz: the happens-before graph
	  $shown/causal.otlp.json     OpenTelemetry (OTLP/JSON): one trace, a span per event
	  $shown/capture.pcap         Wireshark, with the dissector (scripts/wireshark/causal.lua)
	  $shown/{client,proxy,backend}.log   the three traces (Documentation/log.rst)
EOF

say "Detach and unload"
run causalctl detach || die "detach failed"
for _ in $(seq 50); do
	rmmod causal 2> /dev/null && break
	sleep 0.1
done
[ -d /sys/module/causal ] && die "the module did not unload"
echo "Nothing of causal is left in the kernel; the hosts' connections never noticed."
echo
echo "Next: 'man causalctl' (or Documentation/causalctl.8), and README.md for installing."
exit 0
