#!/bin/sh
# The Quick start demo: cloudabi-run starts examples/hello holding exactly
# the descriptors its configuration names (standard output and a file it
# creates), and nothing else.
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
echo "# What hello would get: its argdata, then its descriptor table."
run cloudabi-run/cloudabi-run --dry-run examples/hello "$src/examples/hello.yaml"
echo "# Start it: descriptor 0 is our standard output, 1 is hello.txt."
run cloudabi-run/cloudabi-run examples/hello "$src/examples/hello.yaml"
run cat hello.txt
