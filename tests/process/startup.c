/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * startup.c - the argdata-main start-up: program_main without argdata,
 * with unsealed data, a bad ARGDATA_FD, the sealed memfd, the examples.
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

/* Starts fdreport with a plain execve and the given environment. */
static void
exec_plain(int out, void *arg)
{
	char *argv[] = {"fdreport", NULL};
	char **envp = arg;

	if (out != 1 && dup2(out, 1) < 0)
		_exit(98);
	execve(fdreport_path, argv, envp);
	_exit(97);
}

static void
test_program_main__without_argdata(void **state)
{
	char *envp[] = {"PATH=/bin", NULL};
	struct report r;

	/* One line on stderr; nothing on stdout. */
	assert_int_equal(start_in_child(exec_plain, envp, &r), 64);
	assert_false(r.complete);
}

/* Hands fdreport {out: !fd 0, exit: 5} in an unsealed memfd at 1. */
static void
exec_unsealed_child(int out, void *arg)
{
	static const unsigned char data[] = {
	    0x06,
	    0x85,
	    0x08,
	    'o',
	    'u',
	    't',
	    0x00,
	    0x85,
	    0x03,
	    0x00,
	    0x00,
	    0x00,
	    0x00,
	    0x86,
	    0x08,
	    'e',
	    'x',
	    'i',
	    't',
	    0x00,
	    0x82,
	    0x05,
	    0x05,
	};
	char *argv[] = {"fdreport", NULL};
	char *envp[] = {"ARGDATA_FD=1", NULL};
	int mfd = memfd_create("unsealed", MFD_CLOEXEC);

	(void)arg;
	if (mfd < 0 || write(mfd, data, sizeof(data)) != sizeof(data))
		_exit(96);
	if (dup2(out, 0) < 0 || dup2(mfd, 1) < 0)
		_exit(98);
	close_range(2, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(fdreport_path, argv, envp);
	_exit(97);
}

static void
test_program_main__unsealed_data(void **state)
{
	struct report r;

	assert_int_equal(start_in_child(exec_unsealed_child, NULL, &r), 5);
	assert_true(r.complete);
	assert_int_equal(r.nenv, 0);
	/* The memfd at 1 was closed before program_main. */
	assert_int_equal(r.nfds, 1);
	assert_int_equal(r.fd[0].fd, 0);
}

static void
test_program_main__bad_argdata_fd(void **state)
{
	char *not_number[] = {"ARGDATA_FD=3x", NULL};
	char *not_open[] = {"ARGDATA_FD=900", NULL};
	char *not_file[] = {"ARGDATA_FD=1", NULL};
	struct report r;

	assert_int_equal(start_in_child(exec_plain, not_number, &r), 66);
	assert_int_equal(start_in_child(exec_plain, not_open, &r), 66);
	/* Descriptor 1 is the report pipe there, not a file. */
	assert_int_equal(start_in_child(exec_plain, not_file, &r), 66);
}

/* The data's memfd: sealed, close-on-exec, above the slots, intact. */
static void
test_ad_memfd_create__sealed(void **state)
{
	static const char data[] = "\x07\x81\x05";
	char back[8];
	int fd = -1, seals;

	assert_int_equal(ad_memfd_create(data, 3, 50, &fd), 0);
	assert_true(fd >= 50);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	seals = fcntl(fd, F_GET_SEALS);
	assert_int_equal(seals &
	        (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
	    F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	assert_int_equal(pread(fd, back, sizeof(back), 0), 3);
	assert_memory_equal(back, data, 3);
	assert_int_equal(pwrite(fd, "x", 1, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(errno, EPERM);
	close(fd);
}

static void
test_program_main__yaml(void **state)
{
	struct report r;

	assert_int_equal(start_in_child(exec_with_attr, NULL, &r), 0);
	assert_true(r.nyaml > 0);
	assert_non_null(strstr(r.yaml, "!fd 0"));
}

/* examples/hello: "Hello, world" on each descriptor it is given. */
static void
test_examples__hello(void **state)
{
	const char *path = getenv("HELLO");
	const argdata_t *keys[2], *values[2], *elems[2];
	argdata_t *parts[6], *ad;
	char buf[256];
	size_t len = 0;
	ssize_t n;
	int p[2], exe, pidfd;

	if (path == NULL)
		skip();
	exe = open(path, O_PATH | O_CLOEXEC);
	assert_true(exe >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	elems[0] = parts[0] = argdata_create_fd(p[1]);
	elems[1] = parts[1] = argdata_create_fd(p[1]);
	keys[0] = parts[2] = argdata_create_str_c("fds");
	values[0] = parts[3] = argdata_create_seq(elems, 2);
	keys[1] = parts[4] = argdata_create_str_c("terminal");
	values[1] = parts[5] = argdata_create_fd(p[1]);
	ad = argdata_create_map(keys, values, 2);
	assert_int_equal(program_spawn(exe, ad, NULL, &pidfd), 0);
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	assert_string_equal(buf, "Hello, world\nHello, world\nHello, world\n");
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	close(p[0]);
	close(exe);
	argdata_free(ad);
	for (size_t i = 0; i < 6; i++)
		argdata_free(parts[i]);
}

int
run_startup_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_program_main__without_argdata),
	    TEST_CASE(test_program_main__unsealed_data),
	    TEST_CASE(test_program_main__bad_argdata_fd),
	    TEST_CASE(test_ad_memfd_create__sealed),
	    TEST_CASE(test_program_main__yaml),
	    TEST_CASE(test_examples__hello),
	};

	return cmocka_run_group_tests_name("startup", tests,
	    process_group_setup, process_group_teardown);
}
