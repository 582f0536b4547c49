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

#include "loader.h"
#include "testutil.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* The allocation to fail, counting from 0; -1 for none. */
static long fail_at = -1, count;

static int
failing(void)
{
	if (fail_at >= 0 && count++ == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
__wrap_malloc(size_t size)
{
	return failing() ? NULL : __real_malloc(size);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return failing() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t size)
{
	return failing() ? NULL : __real_realloc(p, size);
}

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

		count = 0;
		fail_at = i;
		ld = loader_create("t.yaml", handlers, 1, NULL, NULL);
		if (ld == NULL) {
			assert_int_equal(errno, ENOMEM);
			continue;
		}
		error = loader_load_string(ld, yaml, sizeof(yaml) - 1, &tree);
		if (error == 0)
			error = loader_serialize(tree, &buf, &len);
		fail_at = -1;
		if (error != 0) {
			if (error != ENOMEM)
				fail_msg("allocation %ld: %d: %s", i, error,
				    loader_error(ld)->message);
		} else {
			free(buf);
		}
		loader_free(ld);
		/* Every allocation has failed once: done. */
		if (error == 0 && count <= i)
			break;
	}
	assert_true(i > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loader_load__every_allocation_failing),
	};

	return cmocka_run_group_tests(tests, test_fds_setup, test_fds_teardown);
}
