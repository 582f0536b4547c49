/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cloudabi_run.c - cloudabi-run without the sandbox and when it is refused:
 * these run on any kernel.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <argdata.h>
#include <program.h>

#include "sandbox.h"
#include "testutil.h"
#include "sandbox_test.h"

#if !defined(PROBE_PATH) || !defined(HELLO_PATH) || !defined(SANITIZED) ||     \
    !defined(CLOUDABI_RUN_PATH)
#error                                                                         \
    "meson.build defines PROBE_PATH, HELLO_PATH, SANITIZED, CLOUDABI_RUN_PATH"
#endif

static void
test_cloudabi_run__no_sandbox(void **state)
{
	static const char *const opts[] = {"--no-sandbox", NULL};
	struct world w;
	char report[8192], err[1024], buf[64];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	/* Unconfined even where the kernel could not confine. */
	world_create(&w, "");
	status =
	    run_tool(&w, opts, true, report, sizeof(report), err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(result_of(report, "etc_passwd", buf, sizeof(buf)),
	    "0");
	assert_string_equal(result_of(report, "udp_socket", buf, sizeof(buf)),
	    "0");
	world_destroy(&w);
}

static void
test_cloudabi_run__refusal_names_option(void **state)
{
	static const char *const none[] = {NULL};
	static const char *const dry[] = {"--dry-run", NULL};
	struct world w;
	char out[8192], err[1024];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	world_create(&w, "");
	status = run_tool(&w, none, true, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 69);
	assert_string_equal(out, "");
	assert_string_equal(err,
	    "cloudabi-run: the sandbox needs Landlock "
	    "(Linux 5.13 or later); --no-sandbox runs the program "
	    "unconfined\n");
	world_destroy(&w);

	/* The dry run says so too, and starts nothing either way. */
	world_create(&w, "");
	status = run_tool(&w, dry, true, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out,
	    "\nSANDBOX\nrefused: the sandbox needs "
	    "Landlock (Linux 5.13 or later)\n"));
	world_destroy(&w);
}

int
run_cloudabi_run_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_cloudabi_run__no_sandbox),
	    TEST_CASE(test_cloudabi_run__refusal_names_option),
	};

	return cmocka_run_group_tests_name("cloudabi-run", tests, NULL, NULL);
}
