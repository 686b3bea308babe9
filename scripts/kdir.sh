#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kdir.sh - prepare what building and booting kernel RELEASE needs.
#
# Usage: kdir.sh [--vmlinux] BUILD RELEASE
#
# Prints the directory to pass to 'make -C' for modules with BTF:
#  - the headers directory itself when it ships vmlinux and resolve_btfids;
#  - otherwise BUILD/RELEASE/kdir: symlinks to the headers plus a vmlinux
#    extracted from /boot/vmlinuz-RELEASE (it carries the BTF that module BTF
#    is based on) and a resolve_btfids built from the matching linux-source,
#    unpacked under BUILD/src.
# --vmlinux: also write BUILD/RELEASE/vmlinux in the first case (test guests
# boot it directly), so that building the module alone (DKMS) needs no
# linux-source when the headers have all it takes.

set -eu

want_vmlinux=0
if [ "${1:-}" = --vmlinux ]; then
	want_vmlinux=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: kdir.sh [--vmlinux] BUILD RELEASE" >&2; exit 2; }
build=$1 rel=$2
here=$(cd "$(dirname "$0")" && pwd)
hdr=/usr/src/linux-headers-$rel
kb=$build/$rel
ver=$(echo "$rel" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')

mkdir -p "$kb"
# make -j builds the module and extracts the guest's vmlinux at once: one at a time
exec 9> "$kb/.kdir.lock"
flock 9

# extract_vmlinux - BUILD/RELEASE/vmlinux from /boot/vmlinuz-RELEASE.
# extract-vmlinux comes from whichever linux-source is unpacked (it is the
# same small script in every version), else from this release's.
extract_vmlinux() {
	local src v

	[ -s "$kb/vmlinux" ] && return 0
	src=$(ls -d "$build"/src/linux-source-*/scripts/extract-vmlinux 2>/dev/null | head -n 1)
	if [ -z "$src" ]; then
		v=$ver
		[ -f "/usr/src/linux-source-$v.tar.xz" ] || v=$("$here/ksrc.sh" --newest)
		"$here/ksrc.sh" "$build/src" "$v" >&2
		src=$(ls -d "$build"/src/linux-source-*/scripts/extract-vmlinux | head -n 1)
	fi
	sh "$src" "/boot/vmlinuz-$rel" > "$kb/vmlinux.tmp"
	mv "$kb/vmlinux.tmp" "$kb/vmlinux"
}

[ "$want_vmlinux" = 1 ] && extract_vmlinux

if [ -f "$hdr/vmlinux" ] && [ -x "$hdr/tools/bpf/resolve_btfids/resolve_btfids" ]; then
	echo "$hdr"
	exit 0
fi

extract_vmlinux

kdir=$kb/kdir
rb=$kdir/tools/bpf/resolve_btfids/resolve_btfids
if [ ! -x "$rb" ]; then
	"$here/ksrc.sh" "$build/src" "$ver" >&2
	srcdir=$(cd "$build/src/linux-source-$ver" && pwd)
	mkdir -p "$kb/resolve_btfids"
	make -s -C "$srcdir/tools/bpf/resolve_btfids" OUTPUT="$(cd "$kb" && pwd)/resolve_btfids/" \
		> "$kb/resolve_btfids.log" 2>&1 ||
		{ cat "$kb/resolve_btfids.log" >&2; exit 1; }
	rm -rf "$kdir"
	mkdir -p "$kdir/tools/bpf/resolve_btfids"
	for f in .config .kernelvariables Makefile Module.symvers arch include scripts; do
		[ -e "$hdr/$f" ] && ln -s "$hdr/$f" "$kdir/$f"
	done
	[ -e "$hdr/tools/objtool" ] && ln -s "$hdr/tools/objtool" "$kdir/tools/objtool"
	ln -s "$(cd "$kb" && pwd)/vmlinux" "$kdir/vmlinux"
	ln -s "$(cd "$kb" && pwd)/resolve_btfids/resolve_btfids" "$rb"
fi
echo "$(cd "$kdir" && pwd)"
