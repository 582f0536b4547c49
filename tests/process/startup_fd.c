/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * startup_fd.c - the one parser of ARGDATA_FD (libargdata/main/
 * startup_fd.h), which argdata-main and argdata-dump both use; the end-to-
 * end test tests/dump/startup_fd.py checks that the two tools agree.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "startup_fd.h"
#include "process_test.h"
#include "testutil.h"

static void
test_startup_parse_fd__accepts_decimal(void **state)
{
	static const struct {
		const char *text;
		int fd;
	} cases[] = {
	    {"0", 0},
	    {"3", 3},
	    {"003", 3},
	    {"1024", 1024},
	    {"2147483647", INT_MAX},
	    {"02147483647", INT_MAX},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = -1;

		assert_true(startup_parse_fd(cases[i].text, &fd));
		assert_int_equal(fd, cases[i].fd);
	}
}

static void
test_startup_parse_fd__refuses_the_rest(void **state)
{
	static const char *const cases[] = {
	    "",
	    "+3",
	    "-3",
	    "-0",
	    " 3",
	    "3 ",
	    "3\n",
	    "0x3",
	    "3a",
	    "a3",
	    "3.0",
	    "1e3",
	    "2147483648",
	    "4294967299",
	    "99999999999999999999999",
	    "\xd9\xa3",
	};

	(void)state;
	assert_false(startup_parse_fd(NULL, &(int){0}));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = 77;

		if (startup_parse_fd(cases[i], &fd))
			fail_msg("accepted \"%s\"", cases[i]);
		/* Nothing is stored on failure. */
		assert_int_equal(fd, 77);
	}
}

int
run_startup_fd_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_startup_parse_fd__accepts_decimal),
	    TEST_CASE(test_startup_parse_fd__refuses_the_rest),
	};

	return cmocka_run_group_tests_name("startup-fd", tests, NULL, NULL);
}
