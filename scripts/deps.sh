#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - the Debian 12 packages causal needs to build and test.
#
# Usage: deps.sh install   install them all (root; idempotent)
#        deps.sh ensure    install them only if some are missing
#        deps.sh list      print them

set -eu

packages=(
	# build: module, BPF, causalctl
	make gcc libc6-dev binutils pkg-config clang llvm bpftool libbpf-dev
	libelf-dev zlib1g-dev libnl-3-dev libnl-genl-3-dev dwarves
	protobuf-c-compiler libprotobuf-c-dev libcurl4-openssl-dev
	python3 python3-yaml python3-jsonschema xz-utils zstd
	# the two kernels Debian 12 ships, their headers and sources
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	# test guests and what the tests run in them
	qemu-system-x86 busybox-static cpio kmod iproute2 iputils-ping jq gojq util-linux
	ethtool nftables
	procps liburing-dev
	# incident analysis: exports checked by their consumers, a three-tier workload
	graphviz nginx-light curl
	# benchmarks: peak memory, an HTTP load generator, TCP and UDP streams
	time wrk iperf3
	# shipping: DKMS, the man page, bash completion, the Wireshark dissector
	dkms man-db groff-base bash-completion tshark tcpdump
	# make check-debug: a kernel built from linux-source
	flex bison bc libssl-dev
)

missing() {
	local p

	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

install() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: installing packages needs root: sudo make deps" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "$@"
}

case ${1:-} in
install)
	install "${packages[@]}"
	;;
ensure)
	need=$(missing)
	[ -z "$need" ] && exit 0
	echo "deps.sh: installing missing packages:" $need
	# shellcheck disable=SC2086
	install $need
	;;
list)
	printf '%s\n' "${packages[@]}"
	;;
*)
	echo "usage: deps.sh install|ensure|list" >&2
	exit 2
	;;
esac
