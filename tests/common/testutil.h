/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the cmocka tests: descriptor accounting, so that every
 * test checks that it left no descriptor open behind it, and the one main()
 * of every test executable, which runs its groups or the cases named on the
 * command line.
 */
#ifndef ARGDATA_TESTUTIL_H
#define ARGDATA_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>

#include <cmocka.h>

/* The number of descriptors open in this process. */
int test_count_fds(void);

/*
 * cmocka group setup and teardown that record the descriptor count before
 * each test and fail the test when it differs afterwards. Use them as the
 * per-test setup/teardown of cmocka_unit_test_setup_teardown, or call
 * test_fds_begin()/test_fds_end() by hand.
 */
int test_fds_setup(void **state);
int test_fds_teardown(void **state);
void test_fds_begin(void);
void test_fds_end(void);

/*
 * A test case that also checks that it left no descriptor open: every
 * case of every test executable is declared with it (or, with setup and
 * teardown of its own, with TEST_CASE_SETUP, whose functions call
 * test_fds_setup() and test_fds_teardown()).
 */
#define TEST_CASE(f)                                                           \
	cmocka_unit_test_setup_teardown(f, test_fds_setup, test_fds_teardown)
#define TEST_CASE_SETUP(f, setup, teardown)                                    \
	cmocka_unit_test_setup_teardown(f, setup, teardown)

/*
 * Whether the cloudabi-run at path refuses to confine on this kernel (its
 * dry run says "refused: "), so that end-to-end tests about descriptors
 * give it --no-sandbox there; says so on the test output. Always false
 * when ARGDATA_TEST_REQUIRE_SANDBOX is set, as CI sets it, so that there
 * a kernel that cannot confine fails the tests instead.
 */
bool test_cloudabi_run_cannot_confine(const char *path);

/* One group of cases: run() returns cmocka's count of failures. */
struct test_group {
	const char *name;
	int (*run)(void);
};

/*
 * The main() of a test executable with the given groups:
 *	test-AREA               every group
 *	test-AREA GROUP [ARG]   that group (ARG is the group's, if it takes one)
 *	test-AREA CASE          the cases whose names match CASE, a cmocka
 *	                        filter (* and ? wildcards), in every group
 * Returns the exit status: 0 when every case passed.
 */
int test_main(int argc, char **argv, const struct test_group *groups,
    size_t ngroups);

/* The argument after the group's name, or NULL: for groups that take one. */
extern const char *test_group_arg;

#endif
