/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The loader out of memory: every allocation of the loader and the codec
 * fails in turn (through -Wl,--wrap), and each load either succeeds or
 * reports ENOMEM, frees everything (the sanitizer build checks) and never
 * crashes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_inject.h"
#include "loader.h"
#include "testutil.h"

static const argdata_t *
tag_fd(loader_t *ld, const loader_node_t *node, void *ctx)
{
	(void)ctx;
	return loader_adopt(ld, argdata_create_fd(3), node->mark);
}

static const loader_handler_t handlers[] = {{"fd", tag_fd}};

static void
test_loader_load__every_allocation_failing(void **state)
{
	static const char yaml[] =
	    "a: &a {x: [1, 2.5, \"str\", !!binary aGVsbG8=]}\n"
	    "b: *a\n"
	    "c: [!fd 1, !!timestamp 2001-12-14, ~, true]\n"
	    "d: !fd {k: &k v}\n"
	    "e: *k\n"
	    "f: {plain: [map, {of: values}]}\n";
	long i;

	(void)state;
	for (i = 0;; i++) {
		const argdata_t *tree;
		loader_t *ld;
		void *buf = NULL;
		size_t len;
		int error;

		alloc_inject_reset((size_t)i + 1);
		ld = loader_create("t.yaml", handlers, 1, NULL, NULL);
		if (ld == NULL) {
			assert_int_equal(errno, ENOMEM);
			continue;
		}
		error = loader_load_string(ld, yaml, sizeof(yaml) - 1, &tree);
		if (error == 0)
			error = loader_serialize(tree, &buf, &len);
		alloc_inject_stop();
		if (error != 0) {
			if (error != ENOMEM)
				fail_msg("allocation %ld: %d: %s", i, error,
				    loader_error(ld)->message);
		} else {
			free(buf);
		}
		loader_free(ld);
		/* Every allocation has failed once: done. */
		if (error == 0 && alloc_inject_count() <= (size_t)i)
			break;
	}
	assert_true(i > 10);
}

/* The group, which main.c runs. */
int run_loader_nomem_tests(void);

int
run_loader_nomem_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_loader_load__every_allocation_failing),
	};

	return cmocka_run_group_tests_name("loader-nomem", tests,
	    test_fds_setup, test_fds_teardown);
}
