#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh - the test guest's initramfs for one kernel release.
#
# Usage: initramfs.sh RELEASE OUT.cpio
#        initramfs.sh --builtin OUT.cpio
#
# busybox and the few modules that mount the host's root over virtio-9p
# (decompressed: busybox insmod cannot read .ko.xz); /init is scripts/vm/init.
# --builtin: for a kernel that has them built in, no modules.

set -eu

[ $# -eq 2 ] || { echo "usage: initramfs.sh RELEASE OUT.cpio" >&2; exit 2; }
rel=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
busybox=/bin/busybox

[ -x "$busybox" ] && "$busybox" --list | grep -qx switch_root ||
	{ echo "initramfs.sh: $busybox (busybox-static) missing" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,newroot,lib/modules}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done

# Modules in dependency order; "builtin" lines need nothing.
[ "$rel" = --builtin ] && mods=() || mods=(virtio_pci 9pnet_virtio 9p)
for m in "${mods[@]}"; do
	modprobe -S "$rel" --show-depends "$m"
done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r ko; do
		name=$(basename "$ko")
		case $ko in
		*.xz) xz -dc "$ko" > "$root/lib/modules/${name%.xz}"; name=${name%.xz} ;;
		*.zst) zstd -qdc "$ko" > "$root/lib/modules/${name%.zst}"; name=${name%.zst} ;;
		*) cp "$ko" "$root/lib/modules/$name" ;;
		esac
		echo "/lib/modules/$name"
	done > "$root/modules.order"

install -m 755 "$here/init" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
