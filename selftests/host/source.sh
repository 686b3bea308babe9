#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks of the source tree, run on the host: kernel style, and netlink code
# that matches its YAML spec.

. "$(dirname "$0")/../lib.sh"

ksrc=$BUILD/src/linux-source-$("$TOP/scripts/ksrc.sh" --newest)

kernel_code_is_checkpatch_clean() {
	local files

	[ -f "$ksrc/scripts/checkpatch.pl" ] || skip "no checkpatch.pl in $ksrc"
	# netlink-gen.[ch] are the kernel's generator's output, as in-tree.
	files=$(cd "$TOP" && ls kmod/*.[ch] include/causal/*.h | grep -v netlink-gen)
	(cd "$TOP" && perl "$ksrc/scripts/checkpatch.pl" --no-tree --strict --terse \
		--show-types -f $files) || fail "checkpatch found problems"
}

netlink_code_matches_the_spec() {
	[ -d "$ksrc/tools/net/ynl" ] || skip "no tools/net/ynl in $ksrc"
	/usr/bin/python3 "$TOP/scripts/ynl-gen.py" --ynl "$ksrc/tools/net/ynl" --check ||
		fail "generated netlink code is stale: run make regen"
}

run_test kernel_code_is_checkpatch_clean kernel_code_is_checkpatch_clean
run_test netlink_code_matches_the_spec netlink_code_matches_the_spec
exit_tests
