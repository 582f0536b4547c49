#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Compiles cloudabi_compat.c as C11 and as C++ (11 and 17) against the
# build tree, with the flags of the uninstalled pkg-config file and
# warnings as errors, as a program written for CloudABI's <argdata.h> would
# be built, and runs each result.
#
# usage: cloudabi-compat.sh BUILDDIR SOURCE CC [FLAGS...] -- CXX [FLAGS...]
set -eu

build=$1 src=$2
shift 2
cc= cxx=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	cc="$cc $1"
	shift
done
shift
cxx=$*

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

PKG_CONFIG_PATH=$build/meson-uninstalled
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs argdata)

status=0
build_and_run()
{
	name=$1
	shift
	if ! "$@" -Wall -Wextra -Werror -o "$tmp/$name" "$src" $flags \
	    2>"$tmp/$name.err"; then
		echo "FAIL $name: does not compile:"
		cat "$tmp/$name.err"
		status=1
		return
	fi
	if out=$(LD_LIBRARY_PATH=$build/libargdata "$tmp/$name") &&
	    [ "$out" = compatible ]; then
		echo "ok   $name"
	else
		echo "FAIL $name: $out"
		status=1
	fi
}

build_and_run c11 $cc -std=c11 -pedantic
build_and_run c++11 $cxx -x c++ -std=c++11
build_and_run c++17 $cxx -x c++ -std=c++17
exit $status
