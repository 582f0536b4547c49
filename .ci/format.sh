#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# format.sh - the C formatting gate (issue 11, item 5).
#
#   .ci/format.sh         check: every tracked *.c and *.h must be exactly
#                         what clang-format makes of it with .clang-format;
#                         prints the files that are not and exits 1.
#   .ci/format.sh --fix   reformat those files in place.
#
# clang-format comes from Debian's clang-format package (version 14 on
# Debian 12); CLANG_FORMAT names another binary. Other major versions
# format some constructs differently, so the check warns when it is not 14.
# Fuzz corpora and golden outputs are data and never checked.
set -eu
cd "$(dirname "$0")/.."

fix=false
case $# in
0) ;;
1)
	case $1 in
	--fix) fix=true ;;
	*)
		echo "usage: $0 [--fix]" >&2
		exit 2
		;;
	esac
	;;
*)
	echo "usage: $0 [--fix]" >&2
	exit 2
	;;
esac

cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
	echo "format.sh: $cf not found (apt-get install clang-format)" >&2
	exit 2
fi
version=$("$cf" --version)
case $version in
*"version 14."*) ;;
*) echo "format.sh: warning: expected clang-format 14, got: $version" >&2 ;;
esac

# The tracked C sources and headers, one a line, without data directories.
files() {
	git -c core.quotePath=false ls-files -- '*.c' '*.h' |
	    grep -v -e '^fuzz/corpus/' -e '/golden/' || true
}

bad=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
files >"$tmp"
while IFS= read -r f; do
	if "$fix"; then
		"$cf" --style=file -i -- "$f"
	elif ! "$cf" --style=file --dry-run -Werror -- "$f" >/dev/null 2>&1
	then
		echo "$f"
		bad=$((bad + 1))
	fi
done <"$tmp"

if [ "$bad" -gt 0 ]; then
	echo "format.sh: $bad file(s) not formatted;" \
	    "run .ci/format.sh --fix" >&2
	exit 1
fi
