#!/bin/sh
# demo.sh [BUILDDIR] - the README's demo: cloudabi-run starts examples/hello
# with exactly the descriptors its configuration names, here its standard
# output and a file that hello has no way to name by itself.
set -eu
build=$(cd "${1:-build}" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
PATH="$build/cloudabi-run:$build/examples:$PATH"

cat > hello.yaml <<YAML
%TAG ! tag:nuxi.nl,2015:cloudabi/
---
fds:
  - !fd stdout
  - !file {path: greeting.txt, access: write, create: true}
YAML

# Each command as a shell session shows it, then what it prints.
show() {
	echo "\$ $*"
	"$@"
	echo
}
show cat hello.yaml
show cloudabi-run --dry-run hello hello.yaml
show cloudabi-run hello hello.yaml
show cat greeting.txt
