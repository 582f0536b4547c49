/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failures in arguments and the plain layout: the options of
 * program_attr_addarg, _addarg_fd, _setlayout, _setstdio and _addfd, and
 * what exec and spawn prepare from them (the layout, argv, LISTEN_*,
 * /dev/null, the memfd), with every allocation failing in turn. Each time
 * the result is ENOMEM or success, with no block and no descriptor left
 * behind (linked with the allocation functions wrapped, see
 * tests/common/alloc_inject.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <program.h>

#include "alloc_inject.h"
#include "process.h"
#include "testutil.h"

static int execfd = -1, extra = -1;

/* Options of both kinds of arguments and, when plain, named descriptors. */
static int
make_attr(bool plain, program_attr_t **attrp)
{
	program_attr_t *attr = program_attr_create();
	int error = 0;

	if (attr == NULL)
		return errno;
	if (plain) {
		error = program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN);
		if (error == 0)
			error = program_attr_setstdio(attr, -1, 1, -1);
		for (int i = 0; error == 0 && i < 10; i++)
			error = program_attr_addfd(attr, i % 2 ? "a" : "bb", 2);
	}
	for (int i = 0; error == 0 && i < 10; i++)
		error = program_attr_addarg(attr, "--x");
	if (error == 0)
		error = program_attr_addarg_fd(attr, "--fd=", 1, "!");
	if (error == 0)
		error = program_attr_addarg_fd(attr, NULL, extra, NULL);
	if (error == 0)
		error = program_attr_setenv(attr, "LANG", "C");
	if (error == 0)
		error = program_attr_setname(attr, "x");
	if (error != 0) {
		program_attr_free(attr);
		return error;
	}
	*attrp = attr;
	return 0;
}

/* Prepares a start, as exec and spawn do, and undoes it. */
static int
prepare(bool plain)
{
	static const int fds[] = {1, 0};
	program_attr_t *attr = NULL;
	struct ad_start st;
	int error = make_attr(plain, &attr);

	if (error != 0)
		return error;
	error = plain ? ad_start_prepare(&st, execfd, NULL, 0, NULL, 0, attr)
	              : ad_start_prepare(&st, execfd, "\x08x", 3, fds, 2, attr);
	if (error == 0) {
		/* 3 standard, 10 named, the extra; or 2, the extra, memfd. */
		assert_int_equal(st.nslots, plain ? 14 : 4);
		assert_string_equal(st.plan.argv[11],
		    plain ? "--fd=1!" : "--fd=0!");
		assert_string_equal(st.plan.argv[12], plain ? "13" : "2");
		ad_start_release(&st);
	}
	program_attr_free(attr);
	return error;
}

static int
prepare_plain(void)
{
	return prepare(true);
}

static int
prepare_argdata(void)
{
	return prepare(false);
}

static void
fail_each_allocation(int (*scenario)(void))
{
	size_t live = alloc_inject_live(), n;
	int fds = test_count_fds();

	alloc_inject_reset(0);
	assert_int_equal(scenario(), 0);
	n = alloc_inject_count();
	assert_true(n > 10);
	assert_int_equal(alloc_inject_live(), live);
	for (size_t i = 1; i <= n; i++) {
		int error;

		alloc_inject_reset(i);
		error = scenario();
		alloc_inject_reset(0);
		if (error != ENOMEM)
			fail_msg("allocation %zu of %zu failed: error %d", i, n,
			    error);
		if (alloc_inject_live() != live)
			fail_msg("allocation %zu of %zu failed: %zu blocks "
			         "leaked",
			    i, n, alloc_inject_live() - live);
		if (test_count_fds() != fds)
			fail_msg("allocation %zu of %zu failed: descriptors "
			         "leaked",
			    i, n);
	}
}

static void
test_ad_start_prepare__plain_alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(prepare_plain);
}

static void
test_ad_start_prepare__argdata_args_alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(prepare_argdata);
}

/* The group, which main.c runs. */
int run_plain_nomem_tests(void);

int
run_plain_nomem_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_ad_start_prepare__plain_alloc_failures),
	    TEST_CASE(test_ad_start_prepare__argdata_args_alloc_failures),
	};
	int status;

	execfd = open("/bin/true", O_PATH | O_CLOEXEC);
	extra = memfd_create("extra", MFD_CLOEXEC);
	if (execfd < 0 || extra < 0)
		return 1;
	status = cmocka_run_group_tests(tests, NULL, NULL);
	close(execfd);
	close(extra);
	return status;
}
