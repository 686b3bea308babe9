#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install, uninstall, dkms-install and dkms-uninstall on the host, into
# scratch trees (DESTDIR, and DKMS's own --sourcetree, --dkmstree and
# --installtree), so that nothing of the machine changes.  Loading what was
# installed, and the module autoloading by its netlink family, is
# selftests/install.sh's, in a guest.

. "$(dirname "$0")/../lib.sh"

HOST_TEST=1

D=$(mktemp -d /tmp/causal-install.XXXXXX)
trap 'rm -rf "$D"' EXIT
KERNELS=$("$TOP/scripts/kernels.sh")
VERSION=$(sed -n 's/^#define CAUSAL_RELEASE "\(.*\)"/\1/p' "$TOP/include/causal/version.h")
USER_FILES="usr/local/sbin/causalctl usr/local/share/man/man8/causalctl.8
usr/local/share/bash-completion/completions/causalctl
usr/lib/$(gcc -print-multiarch)/wireshark/plugins/causal.lua"

# mk TARGET ARGS... - make TARGET in the source tree, output in $D/make.log
mk() {
	make -C "$TOP" --no-print-directory "$@" > "$D/make.log" 2>&1 ||
		{ cat "$D/make.log"; fail "make $* failed"; }
}

# files_under DIR - the regular files under DIR, relative, sorted
files_under() {
	(cd "$1" && find . -type f -printf '%P\n' | sort)
}

install_puts_every_file_in_destdir() {
	local root=$D/root rel f

	for rel in $KERNELS; do
		mk install DESTDIR="$root" KERNELRELEASE="$rel"
		f=$root/lib/modules/$rel/updates/causal.ko
		check "the module for $rel is installed" cmp -s "$f" "$BUILD/$rel/kmod/causal.ko"
		check "depmod ran in DESTDIR for $rel" \
			grep -q '^updates/causal.ko:' "$root/lib/modules/$rel/modules.dep"
		check_eq "vermagic of the installed module" "$rel" \
			"$(modinfo -F vermagic "$f" | cut -d' ' -f1)"
	done
	check "the module aliases its genl family" \
		grep -qx 'alias net-pf-16-proto-16-family-causal causal' \
		"$root/lib/modules/$(echo "$KERNELS" | head -n 1)/modules.alias"
	for f in $USER_FILES; do
		check "$f is installed" test -s "$root/$f"
	done
	check "causalctl is executable" test -x "$root/usr/local/sbin/causalctl"
	check "the installed causalctl runs" "$root/usr/local/sbin/causalctl" --version

	for rel in $KERNELS; do
		mk uninstall DESTDIR="$root" KERNELRELEASE="$rel"
	done
	# what depmod wrote stays, as after the kernel's modules_install
	check_eq "files left after uninstall" "" "$(files_under "$root" | grep -v '/modules\.')"
	for rel in $KERNELS; do
		check "depmod forgot the module for $rel" \
			sh -c "! grep -q causal '$root/lib/modules/$rel/modules.dep'"
	done
}

install_honours_prefix() {
	local root=$D/prefix

	mk install-user DESTDIR="$root" PREFIX=/opt/causal
	check "causalctl under PREFIX" test -x "$root/opt/causal/sbin/causalctl"
	check "man page under PREFIX" test -s "$root/opt/causal/share/man/man8/causalctl.8"
	mk uninstall-user DESTDIR="$root" PREFIX=/opt/causal
	check_eq "files left" "" "$(files_under "$root")"
}

install_refuses_a_kernel_it_did_not_build_for() {
	local out

	out=$(make -C "$TOP" --no-print-directory install DESTDIR="$D/none" \
		KERNELRELEASE=5.10.0-99-amd64 2>&1) && fail "make install succeeded"
	echo "$out"
	[[ $out == *"no causal.ko built for kernel 5.10.0-99-amd64"* ]] ||
		fail "the error does not name the kernel"
	check_eq "files written" "" "$(files_under "$D/none" 2> /dev/null)"
}

dkms_conf_names_the_supported_kernels() {
	local rel want ok

	# shellcheck disable=SC1091
	(. "$TOP/dkms.conf" && check_eq "dkms.conf version" "$VERSION" "$PACKAGE_VERSION") ||
		exit 1
	while read -r rel want; do
		ok=$(. "$TOP/dkms.conf" && [[ $rel =~ $BUILD_EXCLUSIVE_KERNEL ]] && echo yes)
		check_eq "dkms.conf builds for $rel" "${want#no}" "$ok"
	done <<- EOF
		6.1.0-56-amd64 yes
		6.1.0-13-cloud-amd64 yes
		6.12.117+deb12-amd64 yes
		6.12.57+deb13-rt-amd64 yes
		6.10.3-amd64 no
		6.6.13-amd64 no
		6.11.0-1-amd64 no
		5.10.0-30-amd64 no
		16.1.0-1-amd64 no
		6.120.0-1-amd64 no
	EOF
}

# DKMS's flow for the newest kernel: make builds the module for each (the
# same kbuild.sh that dkms.conf runs), and the kernels dkms.conf accepts
# are checked above; a DKMS build is a minute of the host's CPU a kernel
# that the guests of make check need.
dkms_builds_and_removes_the_module() {
	local dk=$D/dkms rel f n
	local dkms="dkms --sourcetree $dk/src --dkmstree $dk/var --installtree $dk/mod"
	local KERNELS

	KERNELS=$("$TOP/scripts/kernels.sh" | tail -n 1)

	command -v dkms > /dev/null || skip "dkms is not installed"
	mkdir -p "$dk/src" "$dk/var"
	for rel in $KERNELS; do
		mkdir -p "$dk/mod/$rel"
	done
	mk dkms-install DKMS="$dkms" DKMS_SRC="$dk/src" DESTDIR="$dk/root" KERNELS="$KERNELS"
	check "the sources are in DKMS's tree" test -f "$dk/src/causal-$VERSION/dkms.conf"
	n=0
	for rel in $KERNELS; do
		f=$(ls "$dk/mod/$rel"/updates/dkms/causal.ko* 2> /dev/null)
		[ -n "$f" ] || fail "DKMS installed nothing for $rel"
		check_eq "vermagic of DKMS's module" "$rel" \
			"$(modinfo -F vermagic "$f" | cut -d' ' -f1)"
		# kfuncs need module BTF: kbuild.sh fails without it, checked again
		case $f in
		*.xz) xz -dc "$f" > "$D/m.ko" ;;
		*.zst) zstd -qdc "$f" > "$D/m.ko" ;;
		*) cp "$f" "$D/m.ko" ;;
		esac
		check "DKMS's module for $rel has BTF" sh -c "readelf -S '$D/m.ko' | grep -q '\.BTF\b'"
		$dkms status -m causal -v "$VERSION" -k "$rel" | grep -q 'installed' ||
			fail "dkms status does not say installed for $rel"
		n=$((n + 1))
	done
	log "DKMS built and installed causal $VERSION for $n kernels"
	check "dkms-install installs causalctl too" test -x "$dk/root/usr/local/sbin/causalctl"

	mk dkms-uninstall DKMS="$dkms" DKMS_SRC="$dk/src" DESTDIR="$dk/root" KERNELS="$KERNELS"
	check_eq "dkms status after dkms-uninstall" "" "$($dkms status -m causal)"
	check_eq "modules left" "" "$(find "$dk/mod" -name 'causal.ko*')"
	check "the sources are gone" test ! -e "$dk/src/causal-$VERSION"
	check_eq "user files left" "" "$(files_under "$dk/root")"
}

run_test install_puts_every_file_in_destdir install_puts_every_file_in_destdir
run_test install_honours_prefix install_honours_prefix
run_test install_refuses_a_kernel_it_did_not_build_for install_refuses_a_kernel_it_did_not_build_for
run_test dkms_conf_names_the_supported_kernels dkms_conf_names_the_supported_kernels
run_test dkms_builds_and_removes_the_module dkms_builds_and_removes_the_module
exit_tests
