#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads with its BTF and netlink family, unloads cleanly and can be
# loaded again; without it causalctl says so in one line.

. "$(dirname "$0")/lib.sh"

loads_with_btf_and_family() {
	unload_module
	check "insmod" insmod "$KO"
	check "module BTF in sysfs" test -e /sys/kernel/btf/causal
	check "family answers" "$CAUSALCTL" status > /dev/null
	check_eq "module version" "$(modinfo -F version "$KO")" \
		"$(cat /sys/module/causal/version)"
	check_eq "references" 0 "$(cat /sys/module/causal/refcnt)"
}

unloads_and_family_goes() {
	load_module
	check "rmmod" rmmod causal
	check "gone from sysfs" test ! -e /sys/module/causal
	check "BTF gone" test ! -e /sys/kernel/btf/causal
	if "$CAUSALCTL" status > /dev/null 2>&1; then
		fail "status succeeded without the module"
	fi
}

status_without_module_is_one_clear_line() {
	local err rc

	unload_module
	err=$("$CAUSALCTL" status 2>&1 > /dev/null)
	rc=$?
	check_eq "exit status" 1 "$rc"
	check_eq "lines of error" 1 "$(printf '%s\n' "$err" | wc -l)"
	case $err in
	*"module is not loaded"*) ;;
	*) fail "unexpected message: $err" ;;
	esac
}

reload_cycles_are_clean() {
	local i id1 id2

	for i in 1 2 3 4 5; do
		check "insmod $i" insmod "$KO"
		id1=$("$CAUSALCTL" node)
		check "rmmod $i" rmmod causal
	done
	check "insmod" insmod "$KO"
	id2=$("$CAUSALCTL" node)
	# The node id is per namespace and random: a new load makes a new one.
	check_ne "node id after reload" "$id1" "$id2"
}

node_state_survives_namespace_churn() {
	local i

	load_module
	for i in $(seq 20); do
		ns_create "churn$i" || fail "ip netns add"
	done
	ns_cleanup
	check "status after churn" "$CAUSALCTL" status > /dev/null
	check "rmmod with namespaces gone" rmmod causal
	check "insmod" insmod "$KO"
}

run_test loads_with_btf_and_family loads_with_btf_and_family
run_test unloads_and_family_goes unloads_and_family_goes
run_test status_without_module_is_one_clear_line status_without_module_is_one_clear_line
run_test reload_cycles_are_clean reload_cycles_are_clean
run_test node_state_survives_namespace_churn node_state_survives_namespace_churn
exit_tests
