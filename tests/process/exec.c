/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exec.c - proc_exec, program_exec and program_exec_attr: what the program
 * gets, and every failure leaving the caller's descriptor table as it was.
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

/* A tree of descriptors given as a raw array, for the failure cases. */
static int
exec_raw(int execfd, const int *fds, size_t n)
{
	static const unsigned char data[] = {0x07}; /* empty sequence */

	return proc_exec(execfd, data, sizeof(data), fds, n);
}

/*
 * A layout that makes the in-place shuffle move everything before the
 * exec fails: 0, 1 and 2 swapped around, a number in the thousands and a
 * close-on-exec source.
 */
static int
shuffle_layout(int *fds, int *extra)
{
	*extra = fcntl(2, F_DUPFD_CLOEXEC, 3000);
	fds[0] = 2;
	fds[1] = *extra;
	fds[2] = 0;
	fds[3] = 1;
	fds[4] = 2;
	return 5;
}

/*
 * Fails an exec of execfd with a layout that moves everything, and checks
 * that the whole table (including an inheritable descriptor above the
 * target range, which the exec would have closed) and the signal mask
 * are as they were.
 */
static void
assert_exec_fails_unchanged(int execfd, int want)
{
	struct table before, after;
	sigset_t mask_before, mask_after, usr1;
	int fds[8], extra, inheritable, n;

	n = shuffle_layout(fds, &extra);
	inheritable = fcntl(0, F_DUPFD, 4321);
	assert_true(inheritable >= 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &mask_before), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask_before), 0);
	table_take(&before);
	assert_int_equal(exec_raw(execfd, fds, (size_t)n), want);
	table_take(&after);
	table_assert_equal(&before, &after);
	assert_int_equal(sigprocmask(SIG_UNBLOCK, &usr1, &mask_after), 0);
	for (int sig = 1; sig < 32; sig++)
		assert_int_equal(sigismember(&mask_before, sig),
		    sigismember(&mask_after, sig));
	close(inheritable);
	close(extra);
}

static void
test_proc_exec__closed_fd_in_tree(void **state)
{
	struct table before, after;
	int fds[3] = {0, 1, -1};

	fds[2] = fcntl(0, F_DUPFD_CLOEXEC, 100);
	close(fds[2]);
	table_take(&before);
	assert_int_equal(exec_raw(fdreport_fd, fds, 3), EBADF);
	fds[2] = -1;
	assert_int_equal(exec_raw(fdreport_fd, fds, 3), EBADF);
	table_take(&after);
	table_assert_equal(&before, &after);
}

static void
test_proc_exec__closed_execfd(void **state)
{
	int fd = fcntl(fdreport_fd, F_DUPFD_CLOEXEC, 0);

	close(fd);
	assert_exec_fails_unchanged(fd, EBADF);
	assert_exec_fails_unchanged(-1, EBADF);
}

static void
test_proc_exec__not_executable(void **state)
{
	int fd = make_file("data\n", 5, 0644);

	assert_exec_fails_unchanged(fd, EACCES);
	close(fd);
}

static void
test_proc_exec__enoexec(void **state)
{
	static const char junk[64] = "\x01\x02 this is no executable format";
	int fd = make_file(junk, sizeof(junk), 0755);

	assert_exec_fails_unchanged(fd, ENOEXEC);
	close(fd);
}

static void
test_proc_exec__script(void **state)
{
	static const char script[] = "#!/bin/sh\necho hello\n";
	int fd = make_file(script, sizeof(script) - 1, 0755);
	int opath;
	char link[64];

	assert_exec_fails_unchanged(fd, ENOEXEC);
	/* The same through an O_PATH descriptor, which cannot be read. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	opath = open(link, O_PATH | O_CLOEXEC);
	assert_true(opath >= 0);
	assert_exec_fails_unchanged(opath, ENOEXEC);
	close(opath);
	close(fd);
}

/*
 * fdreport with its ELF interpreter renamed to one that does not exist:
 * the kernel fails the exec with ENOENT.
 */
static int
missing_interpreter_file(void)
{
	int src = open(fdreport_path, O_RDONLY | O_CLOEXEC), fd;
	struct stat st;
	unsigned char *img;
	const Elf64_Ehdr *eh;
	bool patched = false;

	assert_true(src >= 0);
	assert_int_equal(fstat(src, &st), 0);
	img = malloc((size_t)st.st_size);
	assert_non_null(img);
	assert_int_equal(read(src, img, (size_t)st.st_size), st.st_size);
	close(src);
	eh = (const Elf64_Ehdr *)img;
	for (size_t i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff +
		    i * eh->e_phentsize);

		if (ph->p_type == PT_INTERP && ph->p_filesz > 2) {
			memcpy(img + ph->p_offset, "/nonexistent-ld.so",
			    19 < ph->p_filesz ? 19 : ph->p_filesz - 1);
			patched = true;
		}
	}
	if (!patched) {
		free(img);
		return -1;
	}
	fd = make_file(img, (size_t)st.st_size, 0755);
	free(img);
	return fd;
}

static void
test_proc_exec__missing_interpreter(void **state)
{
	int fd = missing_interpreter_file();

	if (fd < 0)
		skip();
	assert_exec_fails_unchanged(fd, ENOENT);
	close(fd);
}

static void
test_proc_exec__emfile(void **state)
{
	struct table before, after;
	struct rlimit rl, low;
	int fds[64];

	for (size_t i = 0; i < 64; i++)
		fds[i] = (int)(i % 3);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = 40;
	table_take(&before);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(exec_raw(fdreport_fd, fds, 64), EMFILE);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	table_take(&after);
	table_assert_equal(&before, &after);
}

/* Empty data (the null value) and one descriptor twice in fds. */
static void
exec_empty(int out, void *arg)
{
	int fds[2] = {out, out};

	(void)arg;
	_exit(100 + proc_exec(fdreport_fd, "", 0, fds, 2));
}

static void
test_proc_exec__empty_data(void **state)
{
	struct report r;
	struct fdstate a, b;

	assert_int_equal(start_in_child(exec_empty, NULL, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nenv, 0);
	assert_int_equal(r.nfds, 2);
	a = r.fd[0];
	b = r.fd[1];
	assert_int_equal(a.ino, b.ino);
	assert_int_equal(a.fdflags, 0);
	assert_int_equal(b.fdflags, 0);
}

static void
test_proc_exec__einval(void **state)
{
	int fds[1] = {0};

	assert_int_equal(proc_exec(fdreport_fd, NULL, 1, fds, 1), EINVAL);
	assert_int_equal(proc_exec(fdreport_fd, "", 0, NULL, 1), EINVAL);
	assert_int_equal(program_exec(fdreport_fd, NULL), EINVAL);
}

static void
test_program_exec_attr__name_and_env(void **state)
{
	program_attr_t *attr = program_attr_create();
	struct report r;

	assert_non_null(attr);
	assert_int_equal(program_attr_setname(attr, "reporter"), 0);
	assert_int_equal(program_attr_setenv(attr, "LANG", "C"), 0);
	assert_int_equal(program_attr_setenv(attr, "GONE", "x"), 0);
	assert_int_equal(program_attr_setenv(attr, "TZ", "Europe/Paris"), 0);
	assert_int_equal(program_attr_setenv(attr, "TZ", "UTC"), 0);
	assert_int_equal(program_attr_setenv(attr, "GONE", NULL), 0);
	assert_int_equal(start_in_child(exec_with_attr, attr, &r), 0);
	assert_true(r.complete);
	assert_string_equal(r.argv0, "reporter");
	assert_int_equal(r.nenv, 2);
	assert_true((strcmp(r.env[0], "LANG=C") == 0 &&
	                strcmp(r.env[1], "TZ=UTC") == 0) ||
	    (strcmp(r.env[1], "LANG=C") == 0 &&
	        strcmp(r.env[0], "TZ=UTC") == 0));
	assert_int_equal(r.nfds, 1);
	program_attr_free(attr);
}

static void
test_program_exec__default_name_no_env(void **state)
{
	struct report r;

	assert_int_equal(start_in_child(exec_with_attr, NULL, &r), 0);
	assert_true(r.complete);
	assert_string_equal(r.argv0, "fdreport");
	/* Neither ARGDATA_FD nor the caller's environment. */
	assert_int_equal(r.nenv, 0);
}

static void
test_program_attr__invalid(void **state)
{
	program_attr_t *attr = program_attr_create();

	assert_non_null(attr);
	assert_int_equal(program_attr_setenv(attr, "ARGDATA_FD", "3"), EINVAL);
	assert_int_equal(program_attr_setenv(attr, "A=B", "3"), EINVAL);
	assert_int_equal(program_attr_setenv(attr, "", "3"), EINVAL);
	assert_int_equal(program_attr_setenv(attr, NULL, "3"), EINVAL);
	assert_int_equal(program_attr_setenv(NULL, "A", "3"), EINVAL);
	assert_int_equal(program_attr_setname(NULL, "x"), EINVAL);
	assert_int_equal(program_attr_setname(attr, NULL), 0);
	errno = EDOM;
	program_attr_free(attr);
	program_attr_free(NULL);
	assert_int_equal(errno, EDOM);
}

int
run_exec_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_proc_exec__closed_fd_in_tree),
	    TEST_CASE(test_proc_exec__closed_execfd),
	    TEST_CASE(test_proc_exec__not_executable),
	    TEST_CASE(test_proc_exec__enoexec),
	    TEST_CASE(test_proc_exec__script),
	    TEST_CASE(test_proc_exec__missing_interpreter),
	    TEST_CASE(test_proc_exec__emfile),
	    TEST_CASE(test_proc_exec__einval),
	    TEST_CASE(test_proc_exec__empty_data),
	    TEST_CASE(test_program_exec_attr__name_and_env),
	    TEST_CASE(test_program_exec__default_name_no_env),
	    TEST_CASE(test_program_attr__invalid),
	};

	return cmocka_run_group_tests_name("exec", tests, process_group_setup,
	    process_group_teardown);
}
