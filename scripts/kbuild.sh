#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild.sh - build kmod/causal.ko for one kernel release.
#
# Usage: kbuild.sh BUILD RELEASE [make args...]
#
# Kbuild writes objects next to the sources, so each release gets its own tree
# under BUILD/RELEASE: the top Kbuild, kmod/ as per-file symlinks and include/
# as one symlink.  The result is BUILD/RELEASE/kmod/causal.ko, with module BTF.
# A kernel built here (scripts/debug-kernel.sh) names its build directory in
# BUILD/RELEASE/custom; Debian's come from their headers (scripts/kdir.sh).

set -eu

[ $# -ge 2 ] || { echo "usage: kbuild.sh BUILD RELEASE [make args]" >&2; exit 2; }
build=$1 rel=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$build/$rel

if [ -f "$tree/custom" ]; then
	kdir=$(cat "$tree/custom")
else
	kdir=$("$top/scripts/kdir.sh" "$build" "$rel")
fi

mkdir -p "$tree/kmod"
ln -sfn "$top/Kbuild" "$tree/Kbuild"
ln -sfn "$top/include" "$tree/include"
# Drop links to sources that no longer exist, then link the current ones.
find "$tree/kmod" -maxdepth 1 -type l ! -exec test -e {} \; -delete
for f in "$top"/kmod/Kbuild "$top"/kmod/*.[ch]; do
	ln -sfn "$f" "$tree/kmod/$(basename "$f")"
done

# The module's BTF is split against its kernel's: linked before that kernel
# was rebuilt (scripts/debug-kernel.sh), it would not load.  Kbuild does not
# relink an external module for a new vmlinux, so the module goes.
if [ -f "$kdir/vmlinux" ] && [ "$tree/kmod/causal.ko" -ot "$kdir/vmlinux" ]; then
	rm -f "$tree/kmod/causal.ko"
fi

make -C "$kdir" M="$tree" W=1 "$@" modules

if ! readelf -S "$tree/kmod/causal.ko" | grep -q '\.BTF\b'; then
	echo "kbuild.sh: $tree/kmod/causal.ko has no module BTF (kfuncs would not register)" >&2
	exit 1
fi
