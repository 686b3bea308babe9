#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# causalctl(8) against causalctl itself: the page formats without warnings,
# names the same commands as "causalctl help", gives each command the
# grammar "causalctl COMMAND help" prints (in SYNOPSIS and at the head of the
# command's entry under COMMANDS, word for word once roff markup is made
# plain text), documents every option of that grammar and every global
# option of --help, and carries causalctl's version.
#
# CAUSAL_MANPAGE=FILE checks another page (to see this test fail on one
# broken on purpose).

. "$(dirname "$0")/../lib.sh"

HOST_TEST=1

PY=/usr/bin/python3
MAN=${CAUSAL_MANPAGE:-$TOP/Documentation/causalctl.8}
D=$(mktemp -d /tmp/causal-manpage.XXXXXX)
trap 'rm -rf "$D"' EXIT

# The page as records, one a line, fields separated by tabs, roff markup
# made plain text (fonts dropped, \- a hyphen, \~ a space, spaces squeezed):
#   TH	the .TH arguments
#   SYN	the text of each .SY ... .YS block of SYNOPSIS
#   CMD	NAME	the first .SY ... .YS block of subsection NAME of COMMANDS
#   CMDTAG	NAME	each .TP tag of subsection NAME of COMMANDS
#   OPT	each .TP tag of OPTIONS
MAN_PY=$(cat <<'EOF'
import re
import sys

NAMED = {'aq': "'", 'dq': '"', 'em': '--', 'en': '-', 'mc': 'u',
	 '*m': 'u', 'rs': '\\', 'ti': '~', 'ha': '^', 'lq': '"',
	 'rq': '"', 'oq': "'", 'cq': "'", 'bu': '*', 'co': '(C)'}
ESC = re.compile(r'\\(f\[[^]]*\]|f\(..|f.|\(..|\[[^]]*\]|.)')

def plain(s):
	def one(m):
		e = m.group(1)
		if e[0] == 'f':
			return ''
		if e[0] == '(':
			return NAMED.get(e[1:], '?')
		if e[0] == '[':
			return NAMED.get(e[1:-1], '?')
		return {'-': '-', '~': ' ', ' ': ' ', '0': ' ', 'e': '\\',
			'\\': '\\', '&': '', '|': '', '^': '', 'c': '\x01',
			'.': '.', "'": "'", '`': '`', ':': ''}.get(e, '?')
	return ESC.sub(one, s)

def args(s):
	out, cur, quoted, i, any_ = [], '', False, 0, False
	while i < len(s):
		c = s[i]
		if quoted:
			if c == '"' and s[i + 1:i + 2] == '"':
				cur += '"'
				i += 1
			elif c == '"':
				quoted = False
			else:
				cur += c
		elif c == '"' and not any_:
			quoted, any_ = True, True
		elif c in ' \t':
			if any_:
				out.append(cur)
			cur, any_ = '', False
		else:
			cur += c
			any_ = True
		i += 1
	if any_:
		out.append(cur)
	return out

JOINED = {'BR', 'BI', 'IB', 'IR', 'RB', 'RI'}
SPACED = {'B', 'I', 'SM', 'SB'}

lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
# (kind, text): kind 'text' for words, else the macro's name
items = []
i = 0
while i < len(lines):
	l = re.sub(r'\\".*', '', lines[i])
	i += 1
	if re.match(r"^[.']\s*$", l):
		continue
	m = re.match(r"^[.']\s*(\S+)\s*(.*)$", l)
	if not m:
		items.append(('text', plain(l)))
		continue
	name, rest = m.group(1), m.group(2)
	a = [plain(x) for x in args(rest)]
	if name in JOINED or name in SPACED:
		if not a and i < len(lines):
			a = [plain(lines[i])]
			i += 1
		items.append(('text', ''.join(a) if name in JOINED else ' '.join(a)))
	else:
		items.append((name, ' '.join(a)))

def squeeze(parts):
	s = ' '.join(parts)
	s = re.sub(r'\x01\s*', '', s)
	return re.sub(r'\s+', ' ', s).strip()

sh = ss = None
seen_sy = set()
k = 0
while k < len(items):
	kind, text = items[k]
	k += 1
	if kind == 'TH':
		print('TH\t' + text)
	elif kind == 'SH':
		sh, ss = text, None
	elif kind == 'SS':
		ss = text
	elif kind == 'SY':
		parts = [text]
		while k < len(items) and items[k][0] == 'text':
			parts.append(items[k][1])
			k += 1
		block = squeeze(parts)
		if sh == 'SYNOPSIS':
			print('SYN\t' + block)
		elif sh == 'COMMANDS' and ss and ss not in seen_sy:
			seen_sy.add(ss)
			print('CMD\t%s\t%s' % (ss, block))
	elif kind == 'TP' and k < len(items) and items[k][0] == 'text':
		tag = squeeze([items[k][1]])
		k += 1
		if sh == 'OPTIONS':
			print('OPT\t' + tag)
		elif sh == 'COMMANDS' and ss:
			print('CMDTAG\t%s\t%s' % (ss, tag))
EOF
)

man_records() {
	$PY -c "$MAN_PY" "$1"
}

# The commands "causalctl help" lists, one a line
help_commands() {
	"$CAUSALCTL" help | sed -n '/^Commands:/,$p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'
}

# grammar_of COMMAND - "causalctl COMMAND ARGS" from "causalctl COMMAND
# help": every line but the last (what the command does), spaces squeezed
grammar_of() {
	"$CAUSALCTL" "$1" help | sed '$d' | sed '1s/^Usage: //' | tr -s ' \n' '  ' |
		sed 's/^ *//; s/ *$//'
}

# listed_grammar COMMAND - the command's grammar as "causalctl help" lists
# it: its line and those indented under it (11 spaces: the description is
# at 13), as "causalctl COMMAND ARGS"
listed_grammar() {
	"$CAUSALCTL" help | sed -n '/^Commands:/,$p' | awk -v c="$1" '
		in_c && substr($0, 1, 12) ~ /^           [^ ]$/ { printf " %s", $0; next }
		{ in_c = 0 }
		$0 ~ "^  " c "( |$)" { in_c = 1; printf "causalctl%s", $0 }
		END { print "" }' | tr -s ' ' ' ' | sed 's/ *$//'
}

# same_lines DESCRIPTION EXPECTED ACTUAL - fail unless the two lists agree,
# saying which lines one has and the other lacks
same_lines() {
	[ "$2" = "$3" ] && return 0
	echo "$1 differ (<: only in the first, >: only in the second):"
	diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | grep '^[<>]'
	fail "$1"
}

records() {
	[ -s "$D/records" ] || man_records "$MAN" > "$D/records" ||
		fail "cannot read $MAN"
	cat "$D/records"
}

the_page_formats_without_warnings() {
	local err

	require_command groff
	[ -f "$MAN" ] || fail "no $MAN"
	err=$(groff -man -ww -z "$MAN" 2>&1) || fail "groff failed: $err"
	[ -z "$err" ] || fail "groff -man -ww -z warns: $err"
	require_command man
	err=$(man --warnings -l "$MAN" 2>&1 > /dev/null) || fail "man failed: $err"
	[ -z "$err" ] || fail "man --warnings warns: $err"
}

help_and_the_page_name_the_same_commands() {
	local help page syn

	[ -x "$CAUSALCTL" ] || fail "no $CAUSALCTL: run make user"
	help=$(help_commands | sort)
	[ "$(printf '%s\n' "$help" | wc -l)" -ge 10 ] || fail "causalctl help lists: $help"
	page=$(records | awk -F'\t' '$1 == "CMD" { print $2 }' | sort)
	syn=$(records | awk -F'\t' '$1 == "SYN" { print $2 }' |
		awk '$2 ~ /^[a-z]/ && $2 != "COMMAND" { print $2 }' | sort)
	same_lines "commands of causalctl help and COMMANDS of the page" "$help" "$page"
	same_lines "commands of causalctl help and SYNOPSIS of the page" "$help" "$syn"
}

the_usage_lines_are_in_the_synopsis() {
	local line syn

	syn=$(records | awk -F'\t' '$1 == "SYN" { print $2 }')
	while IFS= read -r line; do
		line=$(printf '%s' "$line" | sed 's/^Usage: //; s/^ *//')
		printf '%s\n' "$syn" | grep -Fxq -- "$line" ||
			fail "'$line' of causalctl --help is not in SYNOPSIS"
	done < <("$CAUSALCTL" --help | sed -n '1,/^$/p' | sed '/^$/d')
	check_eq "causalctl help and --help" "$("$CAUSALCTL" --help)" "$("$CAUSALCTL" help)"
}

each_command_has_its_help_grammar_in_the_page() {
	local c want syn cmd listed n=0

	for c in $(help_commands); do
		want=$(grammar_of "$c")
		[[ $want == "causalctl $c"* ]] || fail "causalctl $c help says: $want"
		syn=$(records | awk -F'\t' -v c="$c" '$1 == "SYN" && $2 ~ "^causalctl " c "( |$)" { print $2 }')
		cmd=$(records | awk -F'\t' -v c="$c" '$1 == "CMD" && $2 == c { print $3 }')
		check_eq "SYNOPSIS of $c" "$want" "$syn"
		check_eq "COMMANDS entry of $c" "$want" "$cmd"
		listed=$(listed_grammar "$c")
		check_eq "$c as causalctl help lists it" "$want" "$listed"
		n=$((n + 1))
	done
	echo "$n commands"
}

each_option_of_a_command_is_documented() {
	local c opt tags

	for c in $(help_commands); do
		tags=$(records | awk -F'\t' -v c="$c" '$1 == "CMDTAG" && $2 == c { print $3 }' |
			tr ' ,' '\n\n')
		for opt in $(grammar_of "$c" | tr ' |[]' '\n\n\n\n' | grep -E '^--?[a-zA-Z]'); do
			printf '%s\n' "$tags" | grep -Fxq -- "$opt" ||
				fail "$opt of causalctl $c has no entry under COMMANDS, $c"
		done
	done
}

the_global_options_are_those_of_options() {
	local help page

	help=$("$CAUSALCTL" --help | sed -n '/^Options:/,/^$/p' |
		sed -n 's/^  \(-[a-zA-Z], --[a-z-]*\).*/\1/p' | sort)
	[ -n "$help" ] || fail "no options in causalctl --help"
	page=$(records | awk -F'\t' '$1 == "OPT" { print $2 }' | sort)
	same_lines "options of causalctl --help and OPTIONS of the page" "$help" "$page"
}

help_lines_end_without_spaces() {
	local c

	for c in "" $(help_commands); do
		if "$CAUSALCTL" $c help | grep -n ' $'; then
			fail "causalctl${c:+ $c} help: lines end with spaces"
		fi
	done
	"$CAUSALCTL" --help | grep -n ' $' && fail "causalctl --help: lines end with spaces"
	return 0
}

the_page_carries_the_version() {
	local v

	v=$("$CAUSALCTL" -V) || fail "causalctl -V"
	records | awk -F'\t' '$1 == "TH" { print $2 }' | grep -Fq -- "causal ${v#causalctl }" ||
		fail ".TH does not say causal ${v#causalctl } ($(records | grep '^TH'))"
}

run_test the_page_formats_without_warnings the_page_formats_without_warnings
run_test help_and_the_page_name_the_same_commands help_and_the_page_name_the_same_commands
run_test the_usage_lines_are_in_the_synopsis the_usage_lines_are_in_the_synopsis
run_test each_command_has_its_help_grammar_in_the_page each_command_has_its_help_grammar_in_the_page
run_test each_option_of_a_command_is_documented each_option_of_a_command_is_documented
run_test the_global_options_are_those_of_options the_global_options_are_those_of_options
run_test help_lines_end_without_spaces help_lines_end_without_spaces
run_test the_page_carries_the_version the_page_carries_the_version
exit_tests
