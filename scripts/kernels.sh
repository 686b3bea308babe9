#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh - list the kernel releases causal is built and tested for.
#
# Usage: kernels.sh [--bootable] [RELEASE]
#
# Prints, oldest first, every release whose arch-specific headers are installed
# (/usr/src/linux-headers-REL/Module.symvers).  --bootable keeps only those that
# a test guest can boot: /boot/vmlinuz-REL and /lib/modules/REL present.  With
# RELEASE, prints that release alone, or fails naming what is missing.

set -eu

bootable=0
if [ "${1:-}" = --bootable ]; then
	bootable=1
	shift
fi

usable() {
	local rel=$1

	[ -f "/usr/src/linux-headers-$rel/Module.symvers" ] || return 1
	[ "$bootable" = 0 ] && return 0
	[ -f "/boot/vmlinuz-$rel" ] && [ -d "/lib/modules/$rel/kernel" ]
}

if [ $# -gt 0 ]; then
	if ! usable "$1"; then
		what=headers
		[ "$bootable" = 1 ] && what="headers, image or modules"
		echo "kernels.sh: kernel $1: $what not installed" >&2
		exit 1
	fi
	echo "$1"
	exit 0
fi

for d in /usr/src/linux-headers-*/Module.symvers; do
	[ -e "$d" ] || continue
	rel=${d#/usr/src/linux-headers-}
	rel=${rel%/Module.symvers}
	usable "$rel" && echo "$rel"
done | sort -V
