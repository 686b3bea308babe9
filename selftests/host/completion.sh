#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/completion/causalctl: what TAB offers, with bash-completion's
# helpers loaded and without them.  Commands, options and keywords come from
# the causalctl built here (user/causalctl, first on PATH); the sockets of a
# node from a stand-in causalctl put before it that answers "-j sockets"
# with two sockets, cookies 5 and 9, and hands everything else to the real
# one.
#
# CAUSAL_COMPLETION=FILE checks another completion script (to see this test
# fail on one broken on purpose).

. "$(dirname "$0")/../lib.sh"

HOST_TEST=1

COMPLETION=${CAUSAL_COMPLETION:-$TOP/scripts/completion/causalctl}
BASH_COMPLETION=/usr/share/bash-completion/bash_completion
D=$(mktemp -d /tmp/causal-completion.XXXXXX)
trap 'rm -rf "$D"' EXIT

# The stand-in: two sockets of a node with its module loaded
mkdir -p "$D/fake" "$D/files/dir"
cat > "$D/fake/causalctl" <<EOF
#!/bin/bash
if [ "\$*" = "-j sockets" ]; then
	echo '[{"cookie":5,"protocol":"tcp","family":"inet","local":"10.0.0.1","local_port":8000,"remote":"10.0.0.2","remote_port":40000,"state":"established","clock":7,"stats":{"sends":1}},{"cookie":9,"protocol":"udp","family":"inet","local":"10.0.0.1","local_port":53,"remote":"0.0.0.0","remote_port":0,"state":"close","clock":3,"stats":{"sends":2}}]'
	exit 0
fi
exec "$CAUSALCTL" "\$@"
EOF
chmod +x "$D/fake/causalctl"
touch "$D/files/web-1.log" "$D/files/db-1.log" "$D/files/snap.json"

REAL_PATH=$(dirname "$CAUSALCTL"):$PATH
FAKE_PATH=$D/fake:$REAL_PATH

# complete_words MODE PATH WORD... - what TAB offers for the words typed (the last
# the one being completed), one a line, sorted, as a new bash with
# bash-completion loaded (MODE bc) or not (MODE plain) and PATH finds it
complete_words() {
	local mode=$1 path=$2
	shift 2

	PATH=$path bash --norc --noprofile -c '
		if [ "$1" = bc ]; then
			. "$2" || exit 1
		fi
		. "$3" || exit 1
		shift 3
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_causalctl
		[ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' complete_words "$mode" "$BASH_COMPLETION" "$COMPLETION" "$@" | sed 's/[ /]*$//' | sort
}

# offers MODE PATH EXPECTED WORD... - TAB offers exactly EXPECTED (words
# separated by spaces, in any order)
offers() {
	local mode=$1 path=$2 want got
	shift 2

	want=$(printf '%s\n' $1 | sort)
	shift
	got=$(complete_words "$mode" "$path" "$@")
	[ "$want" = "$got" ] ||
		fail "$mode: '$*<TAB>' offers '$(echo $got)', not '$(echo $want)'"
}

# modes - the ways to run: with bash-completion when it is installed
modes() {
	[ -f "$BASH_COMPLETION" ] && echo bc
	echo plain
}

# The commands and options causalctl itself lists
help_commands() {
	"$CAUSALCTL" help | sed -n '/^Commands:/,$p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'
}

help_options() {
	"$CAUSALCTL" help | sed -n '/^Options:/,/^$/p' |
		sed -n 's/^  \(-[a-zA-Z]\), \(--[a-z-]*\).*/\1 \2/p'
}

command_options() {
	"$CAUSALCTL" "$1" help | sed '$d' | tr ' |[]' '\n\n\n\n' | grep -E '^--?[a-zA-Z]' | sort -u
}

the_completion_is_bash() {
	[ -x "$CAUSALCTL" ] || fail "no $CAUSALCTL: run make user"
	[ -f "$COMPLETION" ] || fail "no $COMPLETION"
	bash -n "$COMPLETION" || fail "bash -n $COMPLETION"
	grep -q '^complete -F _causalctl causalctl$' "$COMPLETION" ||
		fail "it does not register _causalctl for causalctl"
}

commands_are_those_of_causalctl_help() {
	local m c cmds

	cmds=$(help_commands)
	for c in status node clock scope attach detach sockets compare monitor trace order why help; do
		printf '%s\n' "$cmds" | grep -qx "$c" || fail "causalctl help does not list $c"
	done
	for m in $(modes); do
		offers "$m" "$REAL_PATH" "$cmds" causalctl ''
		offers "$m" "$REAL_PATH" "$(printf '%s\n' $cmds | grep '^s')" causalctl -j s
		offers "$m" "$REAL_PATH" "$(help_options)" causalctl -
		offers "$m" "$REAL_PATH" "$cmds" causalctl help ''
		offers "$m" "$REAL_PATH" "$(printf '%s\n' $cmds | grep '^s')" causalctl help s
		offers "$m" "$REAL_PATH" "" causalctl help trace ''
	done
}

trace_offers_its_options() {
	local m opts

	opts=$(command_options trace)
	for o in -o -p -c --cgroup --port --duration --label --probe; do
		printf '%s\n' "$opts" | grep -qx -- "$o" || fail "causalctl trace help lacks $o"
	done
	for m in $(modes); do
		offers "$m" "$REAL_PATH" "$opts" causalctl trace -
		offers "$m" "$REAL_PATH" "$(printf '%s\n' $opts | grep '^--')" causalctl -v trace \
			-o x.log --
		offers "$m" "$REAL_PATH" "$opts help" causalctl trace ''
		offers "$m" "$REAL_PATH" "kprobe: tracepoint: uprobe:" causalctl trace --probe ''
		offers "$m" "$REAL_PATH" "$(command_options sockets)" causalctl sockets --port 80 -
	done
}

clock_scope_and_node_offer_their_keywords() {
	local m

	for m in $(modes); do
		offers "$m" "$REAL_PATH" "show set help" causalctl clock ''
		offers "$m" "$REAL_PATH" "lamport hlc vector" causalctl clock set ''
		offers "$m" "$REAL_PATH" "hlc" causalctl -j clock set h
		offers "$m" "$REAL_PATH" "socket thread process" causalctl scope set ''
		offers "$m" "$REAL_PATH" "sockets-max contexts-max vector-width max-jump max-drift socket-counters" \
			causalctl node set ''
		offers "$m" "$REAL_PATH" "" causalctl node set max-jump ''
		offers "$m" "$REAL_PATH" "" causalctl clock set lamport ''
	done
}

compare_offers_the_cookies_of_live_sockets() {
	local m

	for m in $(modes); do
		offers "$m" "$FAKE_PATH" "5 9 help" causalctl compare ''
		offers "$m" "$FAKE_PATH" "5 9" causalctl compare 5 ''
		offers "$m" "$FAKE_PATH" "9" causalctl compare @a.json 9
		offers "$m" "$FAKE_PATH" "@$D/files/snap.json" causalctl compare 5 "@$D/files/sn"
		offers "$m" "$FAKE_PATH" "" causalctl compare 5 9 ''
		# without the stand-in: no module here, no sockets
		offers "$m" "$REAL_PATH" "" causalctl compare 5 ''
	done
}

arguments_complete_files_cgroups_and_pids() {
	local m got

	for m in $(modes); do
		offers "$m" "$REAL_PATH" "$D/files/db-1.log $D/files/dir $D/files/snap.json $D/files/web-1.log" \
			causalctl order --vc "$D/files/"
		offers "$m" "$REAL_PATH" "$D/files/web-1.log" causalctl why a b "$D/files/w"
		offers "$m" "$REAL_PATH" "help" causalctl why ''
		offers "$m" "$REAL_PATH" "" causalctl why --label a=b web-1:1 ''
		offers "$m" "$REAL_PATH" "$D/files/snap.json" causalctl trace -o "$D/files/s"
		offers "$m" "$REAL_PATH" "$D/files/snap.json" causalctl order --perfetto "$D/files/s"
		got=$(complete_words "$m" "$REAL_PATH" causalctl trace -p '')
		printf '%s\n' "$got" | grep -qx "$$" || fail "$m: trace -p<TAB> does not offer $$"
		got=$(complete_words "$m" "$REAL_PATH" causalctl sockets --pid "$$")
		printf '%s\n' "$got" | grep -qx "$$" || fail "$m: sockets --pid<TAB> does not offer $$"
		[ -d /sys/fs/cgroup ] || continue
		got=$(complete_words "$m" "$REAL_PATH" causalctl attach --cgroup '')
		[ -n "$got" ] || [ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type d)" ] ||
			fail "$m: attach --cgroup<TAB> offers nothing"
		printf '%s\n' "$got" | grep -qv '^/sys/fs/cgroup/' &&
			fail "$m: attach --cgroup<TAB> offers what is not under /sys/fs/cgroup: $got"
	done
	return 0
}

other_commands_offer_help_and_nothing_else() {
	local m

	for m in $(modes); do
		offers "$m" "$REAL_PATH" "help" causalctl status ''
		offers "$m" "$REAL_PATH" "help" causalctl detach h
		offers "$m" "$REAL_PATH" "" causalctl status help ''
		offers "$m" "$REAL_PATH" "" causalctl no-such-command ''
	done
}

run_test the_completion_is_bash the_completion_is_bash
run_test commands_are_those_of_causalctl_help commands_are_those_of_causalctl_help
run_test trace_offers_its_options trace_offers_its_options
run_test clock_scope_and_node_offer_their_keywords clock_scope_and_node_offer_their_keywords
run_test compare_offers_the_cookies_of_live_sockets compare_offers_the_cookies_of_live_sockets
run_test arguments_complete_files_cgroups_and_pids arguments_complete_files_cgroups_and_pids
run_test other_commands_offer_help_and_nothing_else other_commands_offer_help_and_nothing_else
exit_tests
