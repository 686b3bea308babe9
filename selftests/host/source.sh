#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks of the source tree, run on the host: kernel style, kernel-doc, and
# netlink code that matches its YAML spec.

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

# kernel-doc from the newest kernel headers: the kernel's own checker
kernel_doc() {
	ls /usr/src/linux-headers-*/scripts/kernel-doc 2> /dev/null | sort -V | tail -n 1
}

every_kernel_function_has_kernel_doc() {
	local kd out

	kd=$(kernel_doc)
	[ -n "$kd" ] || skip "no scripts/kernel-doc in any kernel headers"
	(cd "$TOP" && /usr/bin/python3 selftests/kdoc_check.py -v kmod/*.[ch] include/causal/*.h) ||
		fail "non-static functions without kernel-doc"
	out=$(cd "$TOP" && perl "$kd" -none -Wall kmod/*.[ch] include/causal/*.h 2>&1)
	[ -z "$out" ] || { echo "$out"; fail "kernel-doc warns"; }
}

netlink_code_matches_the_spec() {
	[ -d "$ksrc/tools/net/ynl" ] || skip "no tools/net/ynl in $ksrc"
	/usr/bin/python3 "$TOP/scripts/ynl-gen.py" --ynl "$ksrc/tools/net/ynl" --check ||
		fail "generated netlink code is stale: run make regen"
}

target_kernels_have_the_config_causal_needs() {
	local rel key want got bad=0

	for rel in $("$TOP/scripts/kernels.sh"); do
		[ -f "/boot/config-$rel" ] || skip "no /boot/config-$rel"
		while IFS='=' read -r key want; do
			[[ $key == CONFIG_* ]] || continue
			got=$(sed -n "s/^$key=//p" "/boot/config-$rel")
			# built in is as good as a module, not the other way round
			if [ "$got" != "$want" ] && ! { [ "$want" = m ] && [ "$got" = y ]; }; then
				echo "$rel: $key=${got:-unset}, causal needs $want"
				bad=1
			fi
		done < "$TOP/selftests/config"
	done
	[ $bad = 0 ] || fail "kernel configuration"
}

run_test kernel_code_is_checkpatch_clean kernel_code_is_checkpatch_clean
run_test every_kernel_function_has_kernel_doc every_kernel_function_has_kernel_doc
run_test netlink_code_matches_the_spec netlink_code_matches_the_spec
run_test target_kernels_have_the_config_causal_needs target_kernels_have_the_config_causal_needs
exit_tests
