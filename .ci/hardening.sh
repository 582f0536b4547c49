#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# hardening.sh - the CI gates of issue 7 that ./quickstart test runs last,
# after the gcc, ASan+UBSan and clang builds:
#   1. the unit tests under valgrind: no leak, no invalid access;
#   2. cppcheck on libargdata/: clean, exceptions in .ci/cppcheck.supp;
#   3. a coverage build: libargdata line coverage with gcovr, at least 90%;
#   4. tests/alloc under ThreadSanitizer: the allocator shared by threads.
# Each step prints how long it took; all of it must fit in CI's budget.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)

# setup DIR [meson options...]: configure DIR once, reconfigure if present.
setup() {
	dir=$1
	shift
	if [ -d "$dir/meson-private" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
}

# select_tests DIR KIND SUITE...: the names of DIR's tests outside the
# given suites; KIND "compiled" keeps only test programs built in DIR,
# "all" keeps every test. Names go to meson test as arguments.
select_tests() {
	meson introspect --tests "$1" | python3 -c '
import json, os, sys
build, kind, skip = os.path.realpath(sys.argv[1]), sys.argv[2], sys.argv[3:]
for t in json.load(sys.stdin):
    compiled = os.path.realpath(t["cmd"][0]).startswith(build + os.sep)
    if (kind == "all" or compiled) and not set(skip) & set(t["suite"]):
        print(t["name"])
' "$@"
}

t0=$(date +%s)
elapsed() {
	now=$(date +%s)
	echo "-- $1: $((now - t0)) s"
	t0=$now
}

echo "== valgrind: the unit tests =="
# The gcc build of quickstart's first step. The unit tests are the test
# programs built here (scripts would have valgrind check the shell), less
# two suites: process (exec and spawn replace the process image and shuffle
# descriptors, which valgrind cannot follow: it answers execveat and
# close_range itself, and holds descriptors of its own) and sandbox
# (Landlock and seccomp filters confine valgrind too). Both run under
# LeakSanitizer in quickstart's ASan+UBSan build instead.
setup build
ninja -C build
tests=$(select_tests build compiled argdata:process argdata:sandbox \
    argdata:bench)
# shellcheck disable=SC2086
meson test -C build --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier 10 \
    --wrapper 'valgrind --quiet --error-exitcode=1 --leak-check=full
	--errors-for-leak-kinds=definite,indirect,possible
	--show-leak-kinds=definite,indirect,possible
	--child-silent-after-fork=yes' $tests
elapsed valgrind

echo "== cppcheck: libargdata =="
cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
    --enable=warning,performance,portability \
    --suppressions-list=.ci/cppcheck.supp \
    -D__GNUC__ -I include -I libargdata/common -I libargdata/codec \
    -I libargdata/stream -I libargdata/sandbox -I libargdata/process libargdata
elapsed cppcheck

echo "== coverage: libargdata lines, gcovr =="
# Left out: pkgconfig-argdata-main and readme-commands, which link the
# static argdata-main outside meson, where an instrumented archive lacks
# gcov's runtime.
setup build-cov -Db_coverage=true -Dbuildtype=debug -Dbench=false
ninja -C build-cov
find build-cov -name '*.gcda' -delete
tests=$(select_tests build-cov all |
    grep -vx -e pkgconfig-argdata-main -e readme-commands)
# shellcheck disable=SC2086
meson test -C build-cov --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier 3 $tests
# The per-file table, then the totals; below 90% of lines fails.
# program_spawn's child shares the parent's memory until it execs, so the
# two can bump a branch counter at once and gcov may print a negative
# count for it: gcovr skips such a line instead of giving up.
gcovr --root . --filter 'libargdata/' --print-summary --fail-under-line 90 \
    --gcov-ignore-parse-errors build-cov 2>build-cov/gcovr.err || {
	cat build-cov/gcovr.err >&2
	exit 1
}
elapsed coverage

echo "== ThreadSanitizer: values made and freed across threads =="
# The chunks values are carved from (libargdata/alloc.c) are counted with
# atomics and non-atomic per-thread counts; tests/alloc makes values in one
# thread and frees them in others, four at once.
setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug \
    -Dbench=false -Dtools=false
ninja -C build-tsan tests/alloc/test-alloc
TSAN_OPTIONS=halt_on_error=1:exitcode=66 build-tsan/tests/alloc/test-alloc
elapsed tsan
