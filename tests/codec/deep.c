/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Deep trees: 1,000,000 nested one-element sequences go through every part
 * of the codec on the default stack (construction, sizes, serialization
 * with renumbering, decoding, validation, iteration), and a defect at the
 * bottom of such a tree is found at its offset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec_test.h"
#include "testutil.h"

enum { DEPTH = 1000000 };

/* The number of bytes of the base-128 length of n. */
static size_t
length_bytes(size_t n)
{
	size_t k = 1;

	while (n >>= 7)
		k++;
	return k;
}

/*
 * [[[...[fd 99]...]]] with DEPTH sequences: the size of the encoding, and
 * the offset of the leaf's tag byte in it.
 */
static size_t
expected_size(size_t *leaf_offset)
{
	size_t size = 5, i, offset = 0;

	for (i = 0; i < DEPTH; i++) {
		offset += 1 + length_bytes(size);
		size = 1 + length_bytes(size) + size;
	}
	*leaf_offset = offset;
	return size;
}

static void
test_argdata_serialize__deep(void **state)
{
	argdata_t **levels = calloc(DEPTH + 1, sizeof(*levels));
	size_t i, size, nfds, want, leaf, values;
	argdata_seq_iterator_t *its;
	const argdata_t *e;
	uint8_t *buf;
	argdata_t *back;
	int fds[2] = {-2, -2}, fd;

	assert_non_null(levels);
	levels[0] = argdata_create_fd(99);
	for (i = 1; i <= DEPTH; i++) {
		levels[i] = argdata_create_seq(
		    (const argdata_t *const *)&levels[i - 1], 1);
		assert_non_null(levels[i]);
	}
	want = expected_size(&leaf);
	argdata_serialized_length(levels[DEPTH], &size, &nfds);
	assert_int_equal(size, want);
	assert_int_equal(nfds, 1);
	buf = malloc(size);
	assert_non_null(buf);
	assert_int_equal(argdata_serialize(levels[DEPTH], buf, fds), 1);
	assert_int_equal(fds[0], 99);
	assert_int_equal(fds[1], -2);
	assert_int_equal(buf[0], 0x07);
	assert_memory_equal(buf + leaf, "\x03\0\0\0\0", 5);
	assert_int_equal(argdata_serialize(levels[DEPTH], buf, NULL), 0);
	assert_memory_equal(buf + leaf, "\x03\0\0\0\x63", 5);

	/* The in-memory tree walks without recursion too. */
	assert_true(walk_tree(levels[DEPTH], &values));
	assert_int_equal(values, DEPTH + 1);

	assert_int_equal(argdata_validate(buf, size, NULL, NULL), 0);
	back = argdata_from_buffer(buf, size, convert_fd_identity, NULL);
	assert_non_null(back);
	assert_true(walk_tree(back, &values));
	assert_int_equal(values, DEPTH + 1);
	assert_true(ad_walk_tree(back, &values));
	assert_int_equal(values, DEPTH + 1);
	assert_true(ad_walk_tree(levels[DEPTH], &values));
	assert_int_equal(values, DEPTH + 1);

	/*
	 * Down the chain by hand, one iterator per level (an element lives
	 * as long as its iterator stays put), then back up to END.
	 */
	its = malloc(DEPTH * sizeof(*its));
	assert_non_null(its);
	e = back;
	for (i = 0; i < DEPTH; i++) {
		argdata_seq_iterate(e, &its[i]);
		assert_int_equal(its[i].index, 0);
		assert_true(argdata_seq_get(&its[i], &e));
	}
	assert_int_equal(argdata_get_fd(e, &fd), 0);
	assert_int_equal(fd, 99);
	for (i = DEPTH; i-- > 0;) {
		argdata_seq_next(&its[i]);
		assert_true(its[i].index == ARGDATA_ITERATOR_END);
	}
	free(its);
	argdata_free(back);

	free(buf);
	for (i = 0; i <= DEPTH; i++)
		argdata_free(levels[i]);
	free(levels);
}

/* A defect under a million levels is found, at its offset. */
static void
test_argdata_validate__deep_defect(void **state)
{
	size_t i, size, leaf, offset = 0, values;
	argdata_t **levels = calloc(DEPTH + 1, sizeof(*levels));
	const char *reason = NULL;
	uint8_t *buf;
	argdata_t *back;

	assert_non_null(levels);
	levels[0] = argdata_create_fd(7);
	for (i = 1; i <= DEPTH; i++)
		levels[i] = argdata_create_seq(
		    (const argdata_t *const *)&levels[i - 1], 1);
	argdata_serialized_length(levels[DEPTH], &size, NULL);
	assert_int_equal(size, expected_size(&leaf));
	buf = malloc(size);
	assert_non_null(buf);
	argdata_serialize(levels[DEPTH], buf, NULL);
	for (i = 0; i <= DEPTH; i++)
		argdata_free(levels[i]);
	free(levels);

	/* The leaf's tag becomes unknown. */
	buf[leaf] = 0x0c;
	assert_int_equal(argdata_validate(buf, size, &offset, &reason), EINVAL);
	assert_int_equal(offset, leaf);
	assert_non_null(reason);
	back = argdata_from_buffer(buf, size, NULL, NULL);
	assert_false(walk_tree(back, &values));
	assert_int_equal(values, DEPTH + 1);
	argdata_free(back);
	free(buf);
}

int
run_deep_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_serialize__deep),
	    TEST_CASE(test_argdata_validate__deep_defect),
	};

	return cmocka_run_group_tests_name("deep", tests, NULL, NULL);
}
