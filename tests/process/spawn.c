/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn.c - program_spawn: exit statuses, exec errors reported through
 * shared memory, descriptor limits, many threads spawning at once.
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

/*
 * 600 descriptors in the thousands, in reverse order, each its own number
 * for one open file description: the program gets 0..599 and the pipe.
 */
static void
test_program_spawn__many_descriptors(void **state)
{
	static int fds[600];
	static struct report r;
	argdata_t **elems = calloc(600, sizeof(*elems));
	const argdata_t *keys[2], *values[2];
	argdata_t *seq, *ad, *k0, *k1, *out;
	struct fdstate null;
	int p[2], pidfd, devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_non_null(elems);
	assert_true(devnull >= 0);
	fd_state(devnull, &null);
	for (int i = 0; i < 600; i++) {
		fds[i] = fcntl(devnull, F_DUPFD_CLOEXEC, 9000 - 2 * i);
		assert_int_equal(fds[i], 9000 - 2 * i);
		elems[i] = argdata_create_fd(fds[i]);
	}
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	seq = argdata_create_seq((const argdata_t *const *)elems, 600);
	keys[0] = k0 = argdata_create_str_c("fds");
	values[0] = seq;
	keys[1] = k1 = argdata_create_str_c("out");
	values[1] = out = argdata_create_fd(p[1]);
	ad = argdata_create_map(keys, values, 2);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	assert_int_equal(r.nfds, 601);
	for (int i = 0; i < 600; i++) {
		assert_int_equal(r.fd[i].fd, i);
		assert_int_equal(r.fd[i].ino, null.ino);
		assert_int_equal(r.fd[i].fdflags, 0);
	}
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	argdata_free(ad);
	argdata_free(seq);
	argdata_free(k0);
	argdata_free(k1);
	argdata_free(out);
	for (int i = 0; i < 600; i++) {
		argdata_free(elems[i]);
		close(fds[i]);
	}
	free(elems);
	close(devnull);
}

static void
test_program_spawn__emfile(void **state)
{
	struct table before, after;
	struct rlimit rl, low;
	argdata_t *parts[80], *ad;
	int fds[64], pidfd = -1;

	/* 64 distinct numbers, so that the tree needs 64 slots. */
	for (size_t i = 0; i < 64; i++)
		fds[i] = fcntl(0, F_DUPFD_CLOEXEC, 5000 + (int)i);
	ad = tree_create(fds, 64, 2, 0, parts);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = 40;
	table_take(&before);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), EMFILE);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	table_take(&after);
	table_assert_equal(&before, &after);
	assert_int_equal(pidfd, -1);
	assert_no_children();
	tree_free(ad, parts);
	for (size_t i = 0; i < 64; i++)
		close(fds[i]);
}

static void
test_program_spawn__exit_status(void **state)
{
	argdata_t *parts[8], *ad;
	struct table before, after;
	struct report r;
	struct pollfd pfd;
	sigset_t usr1, old;
	int p[2], pidfd = -1;

	/* The program gets the caller's signal mask, not all blocked. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &old), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	ad = tree_create(NULL, 0, p[1], 42, parts);
	table_take(&before);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), 0);
	table_take(&after);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	assert_true(pidfd >= 0);
	assert_int_equal(after.n, before.n + 1);
	assert_int_equal(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	assert_int_equal(r.nfds, 1);
	assert_int_equal(r.sigmask, 1ULL << (SIGUSR1 - 1));
	/* The pidfd becomes readable when the child exits. */
	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, -1), 1);
	assert_int_equal(wait_pidfd(pidfd), 42);
	close(pidfd);
	assert_no_children();
	tree_free(ad, parts);
}

static void
test_program_spawn__exec_error(void **state)
{
	argdata_t *parts[8], *ad;
	struct table before, after;
	int fd = make_file("data\n", 5, 0644), pidfd = -1;

	ad = tree_create(NULL, 0, 2, 0, parts);
	table_take(&before);
	assert_int_equal(program_spawn(fd, ad, NULL, &pidfd), EACCES);
	assert_int_equal(pidfd, -1);
	table_take(&after);
	table_assert_equal(&before, &after);
	assert_no_children();
	close(fd);
	tree_free(ad, parts);
}

static void
test_program_spawn__script(void **state)
{
	static const char script[] = "#!/bin/sh\necho hello\n";
	argdata_t *parts[8], *ad;
	int fd = make_file(script, sizeof(script) - 1, 0755), pidfd = -1;

	ad = tree_create(NULL, 0, 2, 0, parts);
	assert_int_equal(program_spawn(fd, ad, NULL, &pidfd), ENOEXEC);
	assert_no_children();
	close(fd);
	tree_free(ad, parts);
}

static void
test_program_spawn__closed_fd(void **state)
{
	argdata_t *parts[8], *ad;
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 200), pidfd = -1;

	close(fd);
	ad = tree_create(&fd, 1, 2, 0, parts);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), EBADF);
	assert_int_equal(program_spawn(fd, ad, NULL, &pidfd), EBADF);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, NULL), EINVAL);
	assert_no_children();
	tree_free(ad, parts);
}

/*
 * program_spawn from several threads at once, each thread opening and
 * closing descriptors meanwhile: every child must still get exactly its
 * own report pipe and nothing another thread had open.
 */
#define SPAWN_THREADS 4

#define SPAWN_PER_THREAD 40

static void *
spawn_thread(void *arg)
{
	intptr_t failures = 0;

	(void)arg;
	for (int i = 0; i < SPAWN_PER_THREAD; i++) {
		argdata_t *parts[8], *ad;
		struct fdstate want;
		struct report r;
		siginfo_t info;
		int p[2], pidfd = -1;

		if (pipe2(p, O_CLOEXEC) != 0)
			return (void *)(intptr_t)1000;
		fd_state(p[1], &want);
		ad = tree_create(NULL, 0, p[1], i, parts);
		if (program_spawn(fdreport_fd, ad, NULL, &pidfd) != 0) {
			failures++;
			close(p[1]);
		} else {
			close(p[1]);
			report_read_r(p[0], &r);
			memset(&info, 0, sizeof(info));
			if (!r.complete || r.nfds != 1 ||
			    r.fd[0].ino != want.ino ||
			    waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info,
			        WEXITED) != 0 ||
			    info.si_status != i) {
				fprintf(stderr,
				    "# thread spawn %d: complete %d, "
				    "%zu descriptors, exit status %d\n",
				    i, r.complete, r.nfds, info.si_status);
				failures++;
			}
			close(pidfd);
		}
		close(p[0]);
		tree_free(ad, parts);
	}
	return (void *)failures;
}

static void
test_program_spawn__threads(void **state)
{
	pthread_t threads[SPAWN_THREADS];

	for (int i = 0; i < SPAWN_THREADS; i++)
		assert_int_equal(
		    pthread_create(&threads[i], NULL, spawn_thread, NULL), 0);
	for (int i = 0; i < SPAWN_THREADS; i++) {
		void *failures;

		assert_int_equal(pthread_join(threads[i], &failures), 0);
		assert_int_equal((intptr_t)failures, 0);
	}
	assert_no_children();
}

int
run_spawn_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_program_spawn__emfile),
	    TEST_CASE(test_program_spawn__exit_status),
	    TEST_CASE(test_program_spawn__exec_error),
	    TEST_CASE(test_program_spawn__script),
	    TEST_CASE(test_program_spawn__closed_fd),
	    TEST_CASE(test_program_spawn__threads),
	    TEST_CASE(test_program_spawn__many_descriptors),
	};

	return cmocka_run_group_tests_name("spawn", tests, process_group_setup,
	    process_group_teardown);
}
