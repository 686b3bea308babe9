#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What make install gives an operator, on a running kernel: the module in
# /lib/modules (here an overlay on the guest's read-only one) loads by
# itself when causalctl asks for its netlink family, the man page reads, the
# completion loads, and make uninstall takes it all back.  The module tree is
# a scratch one mounted over the guest's (read-only) for the case.  The file layout
# and DKMS are checked on the host (selftests/host/install.sh).

. "$(dirname "$0")/lib.sh"

REL=$(uname -r)
MODS=/lib/modules/$REL

# installed DIR - make install with PREFIX and Wireshark's folder under DIR,
# and /lib/modules/RELEASE made writable: a tmpfs with the kernel's lists of
# built-in modules, so that depmod (seconds natively, most of a minute under
# emulation for the whole tree) scans only what make install put there.  The
# module needs no other module.
installed() {
	local d=$1

	# a kernel built here (make check-debug) was never installed: no tree
	[ -e "$MODS/modules.builtin" ] ||
		skip "no $MODS/modules.builtin: kernel $REL is not installed from a package"
	mkdir -p "$d/prefix" "$d/mods"
	cp "$MODS"/modules.builtin* "$d/mods/" || fail "no modules.builtin in $MODS"
	: > "$d/mods/modules.order"
	mount --bind "$d/mods" "$MODS" || fail "cannot mount over $MODS"
	defer "umount $MODS"
	defer "rmmod causal"
	make -C "$TOP" --no-print-directory install KERNELRELEASE="$REL" PREFIX="$d/prefix" \
		WIRESHARKDIR="$d/wireshark" > "$d/make.log" 2>&1 ||
		{ cat "$d/make.log"; fail "make install failed"; }
	cat "$d/make.log"
}

# unloaded - the module is not loaded: BPF programs of an earlier test may
# hold it for a few grace periods after they were detached
unloaded() {
	! module_loaded || rmmod causal 2> /dev/null
}

installed_module_autoloads_and_docs_are_found() {
	local d out page comp s

	tmpdir && d=$T
	busywait 30000 unloaded || fail "the module stays in use"
	installed "$d"
	check_eq "modprobe finds the installed module" "$MODS/updates/causal.ko" \
		"$(modinfo -n causal)"
	module_loaded && fail "the module is loaded before causalctl ran"
	# as nobody: any user's request for the family loads it
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$d/prefix/sbin/causalctl" -j status) ||
		fail "causalctl status did not load the module"
	check "the module was loaded" module_loaded
	check_eq "status of the loaded module" "$(sed -n 's/^#define CAUSAL_RELEASE "\(.*\)"/\1/p' \
		"$TOP/include/causal/version.h")" "$(echo "$out" | jq -r .version)"
	log "$(grep -m1 causal /proc/modules)"
	page=$(MANPATH=$d/prefix/share/man man -w causalctl) || fail "man finds no causalctl"
	check_eq "the man page found" "$d/prefix/share/man/man8/causalctl.8" "$page"
	MANPATH=$d/prefix/share/man MANWIDTH=80 man causalctl 2> "$d/man.err" > "$d/man.txt"
	check_eq "man's complaints" "" "$(cat "$d/man.err")"
	for s in SYNOPSIS COMMANDS FIELDS "EXIT STATUS" ENVIRONMENT OVERHEAD DEBUGGING EXAMPLES; do
		grep -q "^$s" "$d/man.txt" || fail "the man page has no $s section"
	done
	# bash-completion looks in PREFIX/share through XDG_DATA_DIRS
	comp=$(XDG_DATA_DIRS=$d/prefix/share bash -c '
		. /usr/share/bash-completion/bash_completion
		_completion_loader causalctl
		complete -p causalctl') || fail "bash-completion did not load causalctl's"
	log "$comp"
	[[ $comp == "complete -F "*" causalctl" ]] || fail "no completion function for causalctl"
}

uninstall_takes_it_all_back() {
	local d left

	tmpdir && d=$T
	busywait 30000 unloaded || fail "the module stays in use"
	installed "$d"
	make -C "$TOP" --no-print-directory uninstall KERNELRELEASE="$REL" PREFIX="$d/prefix" \
		WIRESHARKDIR="$d/wireshark" > "$d/make.log" 2>&1 ||
		{ cat "$d/make.log"; fail "make uninstall failed"; }
	modinfo -n causal > /dev/null 2>&1 && fail "modprobe still finds causal"
	left=$(find "$d/prefix" "$d/wireshark" "$d/mods" -type f 2> /dev/null | grep -v '/modules\.')
	check_eq "files left" "" "$left"
	"$CAUSALCTL" status > "$d/out" 2>&1 && fail "causalctl found a module to load"
	cat "$d/out"
	grep -q "module" "$d/out" || fail "causalctl's error does not mention the module"
}

run_test installed_module_autoloads_and_docs_are_found installed_module_autoloads_and_docs_are_found
run_test uninstall_takes_it_all_back uninstall_takes_it_all_back
exit_tests
