#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Quick start demo: cloudabi-run starts examples/hello holding exactly
# the descriptors its configuration names (standard output and a file it
# creates), and nothing else, confined to them by the sandbox; then cat,
# a program that knows nothing of argdata, the same way.
#
#   sh examples/demo.sh [builddir]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
cd "$build"

run() {
	echo "\$ $*"
	"$@"
	echo
}

run cat "$src/examples/hello.yaml"
echo "# What hello would get: its argdata, its descriptors, its sandbox."
dry=$(cloudabi-run/cloudabi-run --dry-run examples/hello \
    "$src/examples/hello.yaml")
echo "\$ cloudabi-run --dry-run examples/hello $src/examples/hello.yaml"
echo "$dry"
echo

# A kernel without what the sandbox needs (Landlock ABI 6, Linux 6.12, and
# seccomp) makes cloudabi-run refuse to start anything confined; say so,
# and show the rest of the demo unconfined.
opts=
if echo "$dry" | grep -q '^refused: '; then
	echo "# This kernel cannot confine hello: $(echo "$dry" |
	    sed -n 's/^refused: //p')."
	echo "# The demo goes on without the sandbox (--no-sandbox)."
	opts=--no-sandbox
fi
echo "# Start it: descriptor 0 is our standard output, 1 is hello.txt."
run cloudabi-run/cloudabi-run $opts examples/hello "$src/examples/hello.yaml"
run cat hello.txt
echo "# Any program, not only one written for argdata: cat, with hello.txt as"
echo "# its standard input, our standard output as its own, and -n."
run cat "$src/examples/cat.yaml"
run cloudabi-run/cloudabi-run $opts cat "$src/examples/cat.yaml" -- -n
