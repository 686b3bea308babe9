#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ksrc.sh - unpack the parts of a Debian linux-source tarball that the build uses.
#
# Usage: ksrc.sh OUTDIR VERSION     e.g. ksrc.sh build/src 6.1
#        ksrc.sh --newest           print the newest VERSION installed
#
# One tar pass (xz has to decompress the whole file anyway) takes what builds
# resolve_btfids, extract-vmlinux, checkpatch, the kselftest harness and, when
# the tree has it, the ynl netlink tools and schemas.  The result lands in
# OUTDIR/linux-source-VERSION with a .complete stamp written last.

set -eu

if [ "${1:-}" = --newest ]; then
	ls /usr/src/linux-source-*.tar.xz 2>/dev/null |
		sed -n 's|.*/linux-source-\(.*\)\.tar\.xz$|\1|p' | sort -V | tail -n 1
	exit 0
fi

[ $# -eq 2 ] || { echo "usage: ksrc.sh OUTDIR VERSION" >&2; exit 2; }
out=$1 ver=$2
tarball=/usr/src/linux-source-$ver.tar.xz
top=linux-source-$ver
dest=$out/$top

mkdir -p "$out"
# make -j runs this for several targets at once: one unpacks, the others wait
exec 9> "$out/.$top.lock"
flock 9
[ -f "$dest/.complete" ] && exit 0
if [ ! -f "$tarball" ]; then
	echo "ksrc.sh: $tarball missing (apt-get install linux-source-$ver, or run 'make deps')" >&2
	exit 1
fi

parts=(
	tools/bpf/resolve_btfids tools/lib tools/include tools/build tools/scripts
	tools/arch/x86 scripts/bpf_doc.py scripts/extract-vmlinux
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest_harness.h
)
# ynl (tools/net/ynl) first shipped with 6.4.
if [ "$(printf '%s\n' "$ver" 6.4 | sort -V | head -n 1)" = 6.4 ]; then
	parts+=(tools/net/ynl Documentation/netlink)
fi

rm -rf "$dest"
tar -xJf "$tarball" -C "$out" "${parts[@]/#/$top/}"
touch "$dest/.complete"
