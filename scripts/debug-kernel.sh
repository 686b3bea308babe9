#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build, once, the kernel 'make check-debug' tests on: the
# newest Debian linux-source with KASAN, lockdep, kmemleak and atomic-sleep
# checks (selftests/config.debug), and get it ready for scripts/vm/run.
#
# Usage: debug-kernel.sh BUILD
#
# The kernel is built out of tree in the cache ($CAUSAL_DEBUG_CACHE, default
# ~/.cache/causal), which 'make clean' leaves alone: a rebuild only happens
# when the source or a configuration fragment changed, and then
# incrementally.  Writes BUILD/RELEASE/{vmlinux,initramfs.cpio,custom} and
# prints RELEASE; the module is built for it by scripts/kbuild.sh, with the
# kernel's build directory as its kdir (BUILD/RELEASE/custom names it).

set -eu

[ $# -eq 1 ] || { echo "usage: debug-kernel.sh BUILD" >&2; exit 2; }
build=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${CAUSAL_DEBUG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/causal}
ver=$("$top/scripts/ksrc.sh" --newest)
tarball=/usr/src/linux-source-$ver.tar.xz
src=$cache/linux-source-$ver
obj=$cache/debug-$ver
log=$cache/debug-$ver.log
frags=("$src/kernel/configs/kvm_guest.config" "$top/selftests/config"
       "$top/selftests/config.debug")

[ -n "$ver" ] && [ -f "$tarball" ] ||
	{ echo "debug-kernel.sh: no /usr/src/linux-source-*.tar.xz (run 'make deps')" >&2; exit 1; }
mkdir -p "$cache"

# the whole source, unpacked once per tarball
stamp="$(stat -c '%s %Y' "$tarball")"
if [ "$(cat "$src/.complete" 2> /dev/null)" != "$stamp" ]; then
	echo "debug-kernel.sh: unpacking $tarball" >&2
	rm -rf "$src" "$obj"
	tar -xJf "$tarball" -C "$cache"
	echo "$stamp" > "$src/.complete"
fi

mkdir -p "$obj"
start=$(date +%s)
{
	# configuration: defconfig, then the fragments, later ones winning
	make -C "$src" O="$obj" x86_64_defconfig
	KCONFIG_CONFIG="$obj/.config" "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "${frags[@]}"
	make -C "$src" O="$obj" olddefconfig
} > "$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }

# every option the fragments ask for (the last one to name it) must have stuck
missing=$(cat "${frags[@]:1}" | sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1 \2/p' |
	awk '{ want[$1] = $2 } END { for (o in want) print o, want[o] }' |
	while read -r opt want; do
		got=$(sed -n "s/^$opt=//p" "$obj/.config")
		[ "$want" = n ] && { [ -z "$got" ] || echo "$opt=$got"; continue; }
		[ "$got" = "$want" ] || echo "$opt (wanted $want, got ${got:-unset})"
	done)
if [ -n "$missing" ]; then
	echo "debug-kernel.sh: options the configuration did not take:" >&2
	echo "$missing" >&2
	exit 1
fi

echo "debug-kernel.sh: building the kernel in $obj (log $log)" >&2
make -C "$src" O="$obj" -j"$(nproc)" vmlinux modules >> "$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; exit 1; }
rel=$(make -s -C "$src" O="$obj" kernelrelease)
echo "debug-kernel.sh: $rel ready in $(($(date +%s) - start)) s" >&2

kb=$build/$rel
mkdir -p "$kb"
cmp -s "$obj/vmlinux" "$kb/vmlinux" 2> /dev/null || cp "$obj/vmlinux" "$kb/vmlinux"
echo "$obj" > "$kb/custom"
[ -s "$kb/initramfs.cpio" ] && [ "$kb/initramfs.cpio" -nt "$top/scripts/vm/init" ] ||
	"$top/scripts/vm/initramfs.sh" --builtin "$kb/initramfs.cpio"
echo "$rel"
