/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hooks.c - what the start does around the shuffle: the confinement hook
 * after it, signals arriving during it, the descriptor limit for the
 * program.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/close_range.h>

#include <argdata.h>
#include <program.h>

#include "process.h"
#include "testutil.h"
#include "process_test.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static volatile sig_atomic_t usr1_count;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

/*
 * What makes proc_exec undo its shuffle and let a handler run first: a
 * pending signal with a handler, not blocked by the caller.
 */
static void
test_ad_caught_signal_pending__cases(void **state)
{
	struct sigaction sa = {.sa_handler = on_usr1}, old_usr1, old_urg;
	sigset_t all, old, empty, usr1;

	usr1_count = 0;
	sigfillset(&all);
	sigemptyset(&empty);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old_usr1), 0);
	sa.sa_handler = SIG_DFL;
	assert_int_equal(sigaction(SIGURG, &sa, &old_urg), 0);
	assert_int_equal(sigprocmask(SIG_SETMASK, &all, &old), 0);

	assert_false(ad_caught_signal_pending(&empty));
	raise(SIGURG);
	/* Pending, but no handler: nothing would run. */
	assert_false(ad_caught_signal_pending(&empty));
	raise(SIGUSR1);
	assert_true(ad_caught_signal_pending(&empty));
	/* The caller blocks it: it would not be delivered either. */
	assert_false(ad_caught_signal_pending(&usr1));

	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	assert_int_equal(usr1_count, 1);
	assert_int_equal(sigaction(SIGUSR1, &old_usr1, NULL), 0);
	assert_int_equal(sigaction(SIGURG, &old_urg, NULL), 0);
}

/*
 * The sandbox's hook runs in the child after the shuffle: there, 0 is
 * already the tree's first descriptor. Its error fails the spawn.
 */
struct confine_arg {
	struct fdstate want; /* what 0 must be */
	int own;             /* the hook's own descriptor, above n */
};

static int
confine_check(const void *arg)
{
	const struct confine_arg *c = arg;
	struct stat st;

	if (fstat(0, &st) != 0 || st.st_ino != c->want.ino ||
	    st.st_dev != c->want.dev)
		return EXDEV;
	if (fcntl(c->own, F_GETFD) < 0)
		return EBADF;
	return 0;
}

static int
confine_refuse(const void *arg)
{
	return EPERM;
}

/*
 * Starts fdreport with ad's tree and attr through ad_start_prepare() and,
 * with the
 * confinement hook set to confine(arg), ad_spawn_start() (pidfd not
 * NULL)
 * or ad_exec_start(): the steps program_spawn() and program_exec_attr()
 * take, with a hook of the test's own.
 */
static int
start_with_hook(const argdata_t *ad, const program_attr_t *attr,
    ad_confine_fn *confine, const void *arg, int *pidfd)
{
	struct ad_start st;
	void *buf;
	size_t len, nfds;
	int *fds, error;

	assert_int_equal(ad_serialize(ad, &buf, &len, &fds, &nfds), 0);
	error = ad_start_prepare(&st, fdreport_fd, buf, len, fds, nfds, attr);
	if (error == 0) {
		st.plan.confine = confine;
		st.plan.confine_arg = arg;
		error = pidfd != NULL ? ad_spawn_start(&st, fdreport_fd, pidfd)
		                      : ad_exec_start(&st, fdreport_fd);
		ad_start_release(&st);
	}
	free(buf);
	free(fds);
	return error;
}

static void
test_ad_exec_final__confine(void **state)
{
	argdata_t *parts[8], *ad;
	struct table before, after;
	struct confine_arg want;
	struct report r;
	int p[2], pidfd = -1;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fd_state(p[1], &want.want);
	want.own = fcntl(0, F_DUPFD_CLOEXEC, 7000);
	assert_true(want.own >= 0);
	ad = tree_create(NULL, 0, p[1], 0, parts);
	assert_int_equal(
	    start_with_hook(ad, NULL, confine_refuse, NULL, &pidfd), EPERM);
	assert_int_equal(pidfd, -1);
	assert_no_children();
	table_take(&before);
	assert_int_equal(start_with_hook(ad, NULL, confine_refuse, NULL, NULL),
	    EPERM);
	table_take(&after);
	table_assert_equal(&before, &after);

	assert_int_equal(
	    start_with_hook(ad, NULL, confine_check, &want, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	/* The hook's descriptor stayed open for it, not for the program. */
	assert_int_equal(r.nfds, 1);
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	close(want.own);
	assert_no_children();
	tree_free(ad, parts);
}

/*
 * The program gets the descriptor limit ad_attr_setnofile() names; the
 * caller keeps its own, also when the start fails after setting it.
 */
static void
test_ad_exec_final__nofile(void **state)
{
	program_attr_t *attr = program_attr_create();
	struct rlimit before, after, low;
	argdata_t *parts[8], *ad;
	struct report r;
	int p[2], pidfd = -1, notexec = make_file("data\n", 5, 0644);

	assert_non_null(attr);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &before), 0);
	low = (struct rlimit){100, before.rlim_max};
	ad_attr_setnofile(attr, &low);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	ad = tree_create(NULL, 0, p[1], 0, parts);
	assert_int_equal(program_spawn(fdreport_fd, ad, attr, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	assert_int_equal(r.nofile_cur, 100);
	assert_int_equal(r.nofile_max, before.rlim_max);
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
	assert_int_equal(after.rlim_cur, before.rlim_cur);

	/* Failing after the limit was set, in place: the caller's again. */
	tree_free(ad, parts);
	ad = tree_create(NULL, 0, 2, 0, parts);
	assert_int_equal(start_with_hook(ad, attr, confine_refuse, NULL, NULL),
	    EPERM);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
	assert_int_equal(after.rlim_cur, before.rlim_cur);
	assert_int_equal(program_exec_attr(notexec, ad, attr), EACCES);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
	assert_int_equal(after.rlim_cur, before.rlim_cur);
	/* Without it, the program inherits the caller's. */
	ad_attr_setnofile(attr, NULL);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	tree_free(ad, parts);
	ad = tree_create(NULL, 0, p[1], 0, parts);
	assert_int_equal(program_spawn(fdreport_fd, ad, attr, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_int_equal(r.nofile_cur, before.rlim_cur);
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	close(notexec);
	assert_no_children();
	tree_free(ad, parts);
	program_attr_free(attr);
}

int
run_hooks_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_ad_exec_final__confine),
	    TEST_CASE(test_ad_exec_final__nofile),
	    TEST_CASE(test_ad_caught_signal_pending__cases),
	};

	return cmocka_run_group_tests_name("hooks", tests, process_group_setup,
	    process_group_teardown);
}
