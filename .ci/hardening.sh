#!/bin/sh
# hardening.sh - the CI gates of issue 7 that ./quickstart test runs last,
# after the gcc, ASan+UBSan and clang builds:
#   1. the unit tests under valgrind: no leak, no invalid access;
#   2. cppcheck on libargdata/: clean, exceptions in .ci/cppcheck.supp;
#   3. a coverage build: libargdata line coverage with gcovr, at least 90%.
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

t0=$(date +%s)
elapsed() {
	now=$(date +%s)
	echo "-- $1: $((now - t0)) s"
	t0=$now
}

echo "== valgrind: the unit tests =="
# The gcc build of quickstart's first step. Suites left out: bench (a
# benchmark run, no library code of its own to check); the shell-level
# end-to-end suites, which run tools through sh (valgrind would check sh);
# and the suites that start programs (process, sandbox): they rearrange the
# whole descriptor table and exec a memfd through execveat, which collides
# with the descriptors valgrind keeps for itself and with its interception
# of exec. LeakSanitizer checks those suites for leaks in the ASan build.
setup build
ninja -C build
meson test -C build --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier 10 --no-suite bench --no-suite tools \
    --no-suite process --no-suite sandbox \
    --wrapper 'valgrind --quiet --error-exitcode=1 --leak-check=full
	--errors-for-leak-kinds=definite,indirect,possible
	--show-leak-kinds=definite,indirect,possible'
elapsed valgrind

echo "== cppcheck: libargdata =="
cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
    --enable=warning,performance,portability \
    --suppressions-list=.ci/cppcheck.supp \
    -D__GNUC__ -I include -I libargdata libargdata
elapsed cppcheck

echo "== coverage: libargdata lines, gcovr =="
setup build-cov -Db_coverage=true -Dbuildtype=debug -Dbench=false
ninja -C build-cov
meson test -C build-cov --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier 3
# The per-file table, then the totals; below 90% of lines fails.
gcovr --root . --filter 'libargdata/' --print-summary --fail-under-line 90 \
    build-cov
elapsed coverage
