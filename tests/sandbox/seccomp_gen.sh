#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# seccomp_gen.sh GEN DATA - seccomp-gen, run again, writes the very file
# the build compiled (DATA): the filter and its description come out the
# same each time. Without an output, or with one it cannot create, it
# fails.
set -eu
gen=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" "$tmp/again.c"
if ! cmp "$data" "$tmp/again.c"; then
	echo "FAIL: seccomp-gen wrote something else the second time"
	diff "$data" "$tmp/again.c" || true
	exit 1
fi
if "$gen" 2>/dev/null; then
	echo "FAIL: seccomp-gen ran without an output"
	exit 1
fi
if "$gen" "$tmp/missing/out.c" 2>/dev/null; then
	echo "FAIL: seccomp-gen wrote into a missing folder"
	exit 1
fi
echo "ok: the same file again; refusals without an output"
