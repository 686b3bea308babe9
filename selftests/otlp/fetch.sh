#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh DIR - the OpenTelemetry project's OTLP message definitions (the
# protobufjs root of @opentelemetry/otlp-transformer, from the npm
# registry) into DIR/node_modules, once: the tests' receiver and decoder
# (selftests/otlp) read what causalctl sends with them.  Without node and
# npm, or the registry, the OTLP cases skip and say so.

dir=${1:?usage: fetch.sh DIR}
pkg=@opentelemetry/otlp-transformer@0.52.0
root=$dir/node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js

[ -f "$root" ] && exit 0
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
	echo "fetch.sh: no node or npm: the OTLP receiver's tests will skip" >&2
	exit 1
fi
mkdir -p "$dir" || exit 1
if ! npm install --prefix "$dir" --no-audit --no-fund --silent "$pkg" \
	> "$dir/install.log" 2>&1 || [ ! -f "$root" ]; then
	echo "fetch.sh: npm could not install $pkg: $(tail -1 "$dir/install.log")" >&2
	exit 1
fi
