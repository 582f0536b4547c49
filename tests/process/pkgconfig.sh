#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds examples/hello.c against the build tree with nothing but what
#   PKG_CONFIG_PATH=BUILD/meson-uninstalled pkg-config --cflags --libs argdata argdata-main
# prints, then checks that the program, started without argdata, says how
# to start it in one line and exits with status 64.
# Usage: pkgconfig.sh BUILD_ROOT SOURCE_ROOT CC...
set -eu
build=$1 source=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

flags=$(PKG_CONFIG_PATH="$build/meson-uninstalled" \
    pkg-config --cflags --libs argdata argdata-main)
"$@" -o "$tmp/hello" "$source/examples/hello.c" $flags \
    -Wl,-rpath,"$build/libargdata"

status=0
"$tmp/hello" >"$tmp/out" 2>"$tmp/err" || status=$?
[ "$status" -eq 64 ] || { echo "exit status $status, not 64"; exit 1; }
[ ! -s "$tmp/out" ] || { echo "unexpected output on stdout"; exit 1; }
[ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "not one line:"; cat "$tmp/err"; exit 1; }
grep -q 'ARGDATA_FD' "$tmp/err" || { echo "no hint:"; cat "$tmp/err"; exit 1; }
