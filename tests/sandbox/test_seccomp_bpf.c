/*
 * test_seccomp_bpf.c - the seccomp filter compiled at build time
 * (seccomp_bpf_data.c, by seccomp-gen) is what libseccomp compiles from the
 * rules of libargdata/sandbox/seccomp.c now, on this machine: the same
 * instructions and the same description, with no descriptor left open by
 * compiling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sandbox.h"
#include "seccomp_bpf.h"
#include "testutil.h"

static void
test_seccomp_bpf__same_program(void **state)
{
	const struct sock_filter *filter, *again;
	size_t len, len_again;

	(void)state;
	/* This build of seccomp.c compiles with libseccomp. */
	assert_int_equal(sandbox_seccomp_filter(&filter, &len), 0);
	assert_int_equal(len, sandbox_seccomp_bpf_len);
	for (size_t i = 0; i < len; i++) {
		const struct sock_filter *a = &filter[i];
		const struct sock_filter *b = &sandbox_seccomp_bpf[i];

		if (a->code != b->code || a->jt != b->jt || a->jf != b->jf ||
		    a->k != b->k)
			fail_msg("instruction %zu: libseccomp gives "
			    "{0x%04x, %u, %u, 0x%08x}, the build had "
			    "{0x%04x, %u, %u, 0x%08x}", i, a->code, a->jt,
			    a->jf, a->k, b->code, b->jt, b->jf, b->k);
	}
	/* Compiled once per process: the second call hands out the same. */
	assert_int_equal(sandbox_seccomp_filter(&again, &len_again), 0);
	assert_ptr_equal(again, filter);
	assert_int_equal(len_again, len);
}

static void
test_seccomp_bpf__same_description(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(sandbox_seccomp_describe(f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, sandbox_seccomp_bpf_description);
	/* Not empty: the rules name at least the foreign architectures. */
	assert_non_null(strstr(text, "seccomp: "));
	free(text);
}

/* Both builds of the description fail alike on a full device. */
static void
test_seccomp_bpf__describe_write_error(void **state)
{
	FILE *full = fopen("/dev/full", "we");

	(void)state;
	assert_non_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	assert_int_equal(sandbox_seccomp_describe(full), EIO);
	fclose(full);
}

static int
run_seccomp_bpf_tests(void)
{
	const struct CMUnitTest tests[] = {
		TEST_CASE(test_seccomp_bpf__same_program),
		TEST_CASE(test_seccomp_bpf__same_description),
		TEST_CASE(test_seccomp_bpf__describe_write_error),
	};

	return cmocka_run_group_tests_name("seccomp-bpf", tests, NULL, NULL);
}

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {
		{"seccomp-bpf", run_seccomp_bpf_tests},
	};

	return test_main(argc, argv, groups, 1);
}
