/*
 * Helpers shared by the cmocka tests: descriptor accounting, so that every
 * test can check that it left no descriptor open behind it.
 */
#ifndef ARGDATA_TESTUTIL_H
#define ARGDATA_TESTUTIL_H

#include <stddef.h>

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

#endif
