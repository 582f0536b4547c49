#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds a C program against the build tree with nothing but the flags of
# the uninstalled pkg-config file, runs it, and compares its output with
# the expected text. With --installed, the build is first installed under a
# temporary DESTDIR and the program built against that, with the installed
# pkg-config file. With --man, SOURCE is a manual page: the program is the
# first literal block of its EXAMPLES section and, when EXPECTED is "page",
# the expected output is the second one (roff escapes \e and \& undone);
# MAN_BLOCK=N takes block N and block N+1 instead.
#
# usage: build-against.sh BUILDDIR [--man|--installed] SOURCE
#            EXPECTED|page|- CC [FLAGS...]
set -eu

build=$1
shift
man=false installed=false
case $1 in
--man) man=true; shift ;;
--installed) installed=true; shift ;;
esac
src=$1 expected=$2
shift 2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints literal block number $1 of the EXAMPLES section of page $2.
example_block()
{
	awk -v want="$1" '/^\.Sh / { inex = ($2 == "EXAMPLES") }
	    inex && inblock && /^\.Ed/ { if (n == want) exit; inblock = 0 }
	    inex && inblock && n == want { print }
	    inex && /^\.Bd -literal/ { inblock = 1; n++ }' "$2" |
	    sed -e 's/\\&//g' -e 's/\\e/\\/g'
}

if $man; then
	block=${MAN_BLOCK:-1}
	example_block "$block" "$src" >"$tmp/prog.c"
	if [ ! -s "$tmp/prog.c" ]; then
		echo "no literal block in the EXAMPLES section of $src" >&2
		exit 1
	fi
	if [ "$expected" = page ]; then
		example_block $((block + 1)) "$src" >"$tmp/expected"
		expected=$tmp/expected
	fi
else
	cp "$src" "$tmp/prog.c"
fi

if $installed; then
	meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" \
	    >"$tmp/install.log"
	pc=$(find "$tmp/root" -name argdata.pc)
	if [ -z "$pc" ]; then
		echo "meson install put no argdata.pc under DESTDIR" >&2
		exit 1
	fi
	PKG_CONFIG_PATH=$(dirname "$pc")
	PKG_CONFIG_SYSROOT_DIR=$tmp/root
	export PKG_CONFIG_SYSROOT_DIR
	libdir=$tmp/root$(PKG_CONFIG_SYSROOT_DIR= PKG_CONFIG_PATH=$PKG_CONFIG_PATH \
	    pkg-config --variable=libdir argdata)
else
	PKG_CONFIG_PATH=$build/meson-uninstalled
	libdir=$build/libargdata
fi
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs argdata)
echo "pkg-config --cflags --libs argdata: $flags"
# The page's example must build with the strictest flags we use ourselves.
"$@" -std=c11 -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" $flags
LD_LIBRARY_PATH=$libdir "$tmp/prog" >"$tmp/out"
if [ "$expected" != - ]; then
	diff -u "$expected" "$tmp/out"
fi
