#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs the commands of README.md's "Building against the library" as
# written, so that the README and what works cannot drift apart. Each block
# is the ```sh block after a line
#   <!-- run by tests/tools/readme-commands.sh: NAME -->
# and must print "Hello, world".
#
#  - "build tree" runs in a temporary folder laid out as a clone after the
#    Quick start: build/ (this build) and the source's examples/.
#  - "installed" runs in a temporary folder holding the source tree, in a
#    mount namespace of its own in which /usr/local and /etc are overlays
#    on a tmpfs: meson install, ldconfig and pkg-config act as they would
#    on the machine, and nothing reaches it. It needs root (and overlayfs);
#    without, it is skipped, saying so.
#
# usage: readme-commands.sh SOURCE BUILD SANITIZE
# SANITIZE is the build's b_sanitize: a sanitized build tree cannot link
# programs built with plain cc, so the first block is skipped then.
set -eu

src=$1 build=$2 sanitize=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ran=0

# The commands of block $1.
block()
{
	awk -v name="$1" '
	    $0 == "<!-- run by tests/tools/readme-commands.sh: " name " -->" {
		want = 1; next }
	    want && !inblock && /^```sh$/ { inblock = 1; next }
	    inblock && /^```$/ { exit }
	    inblock { print }' "$src/README.md"
}

# check NAME OUTPUT-FILE STATUS
check()
{
	if [ "$3" -ne 0 ] || [ "$(cat "$2")" != "Hello, world" ]; then
		echo "FAIL $1: status $3, output:"
		cat "$2"
		exit 1
	fi
	echo "ok   $1: Hello, world"
	ran=$((ran + 1))
}

for name in "build tree" installed; do
	if [ -z "$(block "$name")" ]; then
		echo "FAIL: README.md has no block \"$name\""
		exit 1
	fi
done

# A kernel that cannot confine makes cloudabi-run refuse to start hello,
# as README.md says; the commands are written for one that can.
if echo '~' | "$build/cloudabi-run/cloudabi-run" --dry-run \
    "$build/cloudabi-run/cloudabi-run" - | grep -q '^refused: '; then
	echo "SKIP: this kernel cannot confine; the blocks start hello confined"
	exit 77
fi

echo "== build tree =="
block "build tree" >"$tmp/build-tree.sh"
cat "$tmp/build-tree.sh"
if [ "$sanitize" != none ]; then
	echo "skipped: a sanitized build tree ($sanitize) needs -fsanitize"
else
	mkdir "$tmp/clone"
	ln -s "$build" "$tmp/clone/build"
	ln -s "$src/examples" "$tmp/clone/examples"
	status=0
	(cd "$tmp/clone" && env -u PKG_CONFIG_PATH sh -eu \
	    "$tmp/build-tree.sh") >"$tmp/out" 2>&1 || status=$?
	check "build tree" "$tmp/out" "$status"
fi

echo "== installed =="
block installed >"$tmp/installed.sh"
cat "$tmp/installed.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: installing into /usr/local, even an overlay, needs root"
elif ! unshare -m true 2>/dev/null; then
	echo "skipped: no mount namespace (unshare -m) here"
else
	# The source tree, without build folders, as a fresh clone has it.
	mkdir "$tmp/src"
	for f in "$src"/* "$src"/.[!.]*; do
		case ${f##*/} in
		build* | '.[!.]*') ;;
		*) ln -s "$f" "$tmp/src/${f##*/}" ;;
		esac
	done
	cat >"$tmp/namespace.sh" <<'EOF'
set -eu
tmp=$1
mount -t tmpfs tmpfs "$tmp/ov"
for d in local etc; do
	mkdir "$tmp/ov/$d-upper" "$tmp/ov/$d-work"
done
mount -t overlay overlay -o "lowerdir=/usr/local,upperdir=$tmp/ov/local-upper,workdir=$tmp/ov/local-work" /usr/local
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/ov/etc-upper,workdir=$tmp/ov/etc-work" /etc
cd "$tmp/src"
env -u PKG_CONFIG_PATH sh -eu "$tmp/installed.sh"
EOF
	mkdir "$tmp/ov"
	status=0
	unshare -m --propagation private sh "$tmp/namespace.sh" "$tmp" \
	    >"$tmp/out" 2>&1 || status=$?
	# Only hello's line: meson's and ninja's chatter goes before it.
	[ "$status" -ne 0 ] || tail -n 1 "$tmp/out" >"$tmp/last"
	if [ "$status" -ne 0 ]; then
		cat "$tmp/out"
		check installed /dev/null "$status"
	fi
	check installed "$tmp/last" 0
fi

[ "$ran" -gt 0 ] || exit 77
