/* SPDX-License-Identifier: BSD-2-Clause */
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
	const struct sandbox_filter *f, *again;
	const struct sandbox_filter *b = &sandbox_seccomp_bpf_filter;

	(void)state;
	/* This build of seccomp.c compiles with libseccomp. */
	assert_int_equal(sandbox_seccomp_filter(&f), 0);
	assert_int_equal(f->len, sandbox_seccomp_bpf_len);
	assert_int_equal(b->len, sandbox_seccomp_bpf_len);
	assert_ptr_equal(b->insns, sandbox_seccomp_bpf);
	for (size_t i = 0; i < f->len; i++) {
		const struct sock_filter *x = &f->insns[i];
		const struct sock_filter *y = &sandbox_seccomp_bpf[i];

		if (x->code != y->code || x->jt != y->jt || x->jf != y->jf ||
		    x->k != y->k)
			fail_msg("instruction %zu: libseccomp gives "
			         "{0x%04x, %u, %u, 0x%08x}, the build had "
			         "{0x%04x, %u, %u, 0x%08x}",
			    i, x->code, x->jt, x->jf, x->k, y->code, y->jt,
			    y->jf, y->k);
	}
	/* The same instructions to fill in. */
	assert_int_equal(f->npid, b->npid);
	assert_true(f->npid > 0);
	assert_memory_equal(f->pid_slots, b->pid_slots,
	    f->npid * sizeof(*f->pid_slots));
	assert_int_equal(f->nwiden, b->nwiden);
	assert_true(f->nwiden > 0);
	for (size_t i = 0; i < f->nwiden; i++) {
		assert_int_equal(f->widen[i].insn, b->widen[i].insn);
		assert_int_equal(f->widen[i].group, b->widen[i].group);
		assert_int_equal(f->widen[i].error, b->widen[i].error);
	}
	/* Compiled once per process: the second call hands out the same. */
	assert_int_equal(sandbox_seccomp_filter(&again), 0);
	assert_ptr_equal(again, f);
}

/* Every group's two lines, and the common part, are the build's. */
static void
test_seccomp_bpf__same_description(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(sandbox_seccomp_describe_common(f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, sandbox_seccomp_bpf_description);
	/* Not empty: the rules name at least the foreign architectures. */
	assert_non_null(strstr(text, "seccomp: "));
	free(text);
	for (unsigned i = 0; i < SANDBOX_ALLOW_NGROUPS; i++) {
		for (int allowed = 0; allowed < 2; allowed++) {
			text = NULL;
			f = open_memstream(&text, &len);
			assert_non_null(f);
			assert_int_equal(
			    sandbox_seccomp_describe_group(i, allowed, f), 0);
			assert_int_equal(fclose(f), 0);
			assert_string_equal(text,
			    sandbox_seccomp_bpf_group_lines[i][allowed]);
			free(text);
		}
	}
}

/* Both builds of the description fail alike on a full device. */
static void
test_seccomp_bpf__describe_write_error(void **state)
{
	FILE *full = fopen("/dev/full", "we");

	(void)state;
	assert_non_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	assert_int_equal(sandbox_seccomp_describe(0, full), EIO);
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
