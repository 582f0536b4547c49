/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata_serialized_length and argdata_serialize: descriptor counts and
 * renumbering (first appearance, duplicates shared, fds == NULL leaves the
 * numbers alone), decoded values inside new trees, large renumberings.
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

/* [fd 7, fd 3, {fd 9: fd 7}, fd 5, fd 3] */
struct fdtree {
	argdata_t *fd[4];
	argdata_t *map, *seq;
	/* The constructors keep these arrays: they live as long as the tree. */
	const argdata_t *key[1], *value[1], *entries[5];
};

static void
fdtree_make(struct fdtree *t)
{
	t->fd[0] = argdata_create_fd(7);
	t->fd[1] = argdata_create_fd(3);
	t->fd[2] = argdata_create_fd(9);
	t->fd[3] = argdata_create_fd(5);
	t->key[0] = t->fd[2];
	t->value[0] = t->fd[0];
	t->map = argdata_create_map(t->key, t->value, 1);
	t->entries[0] = t->fd[0];
	t->entries[1] = t->fd[1];
	t->entries[2] = t->map;
	t->entries[3] = t->fd[3];
	t->entries[4] = t->fd[1];
	t->seq = argdata_create_seq(t->entries, 5);
	assert_non_null(t->seq);
}

static void
fdtree_free(struct fdtree *t)
{
	size_t i;

	argdata_free(t->seq);
	argdata_free(t->map);
	for (i = 0; i < 4; i++)
		argdata_free(t->fd[i]);
}

static void
test_argdata_serialized_length__counts_fds(void **state)
{
	struct fdtree t;
	size_t size = 0, nfds = 0;

	fdtree_make(&t);
	argdata_serialized_length(t.seq, &size, &nfds);
	assert_int_equal(size, 1 + 4 * 6 + 1 + 13);
	assert_int_equal(nfds, 6);
	size = 0;
	argdata_serialized_length(t.seq, &size, NULL);
	assert_int_equal(size, 39);
	argdata_serialized_length(&argdata_null, &size, &nfds);
	assert_int_equal(size, 0);
	assert_int_equal(nfds, 0);
	argdata_serialized_length(t.fd[0], &size, &nfds);
	assert_int_equal(size, 5);
	assert_int_equal(nfds, 1);
	fdtree_free(&t);
}

static void
test_argdata_serialize__renumbers_in_order(void **state)
{
	static const uint8_t want[] = {0x07, 0x85, 0x03, 0, 0, 0, 0, 0x85, 0x03,
	    0, 0, 0, 1, 0x8d, 0x06, 0x85, 0x03, 0, 0, 0, 2, 0x85, 0x03, 0, 0, 0,
	    0, 0x85, 0x03, 0, 0, 0, 3, 0x85, 0x03, 0, 0, 0, 1};
	struct fdtree t;
	uint8_t buf[sizeof(want) + 1];
	int fds[7] = {-2, -2, -2, -2, -2, -2, -2};

	fdtree_make(&t);
	buf[sizeof(want)] = 0xa5;
	assert_int_equal(argdata_serialize(t.seq, buf, fds), 4);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[sizeof(want)], 0xa5);
	assert_int_equal(fds[0], 7);
	assert_int_equal(fds[1], 3);
	assert_int_equal(fds[2], 9);
	assert_int_equal(fds[3], 5);
	assert_int_equal(fds[4], -2);
	fdtree_free(&t);
}

static void
test_argdata_serialize__fds_null_keeps_numbers(void **state)
{
	static const uint8_t want[] = {0x07, 0x85, 0x03, 0, 0, 0, 7, 0x85, 0x03,
	    0, 0, 0, 3, 0x8d, 0x06, 0x85, 0x03, 0, 0, 0, 9, 0x85, 0x03, 0, 0, 0,
	    7, 0x85, 0x03, 0, 0, 0, 5, 0x85, 0x03, 0, 0, 0, 3};
	struct fdtree t;

	fdtree_make(&t);
	expect_encoding(t.seq, want, sizeof(want));
	fdtree_free(&t);
}

static void
test_argdata_serialize__no_fds(void **state)
{
	argdata_t *i = argdata_create_int_s(5);
	uint8_t buf[2];
	int fds[1] = {-2};

	assert_int_equal(argdata_serialize(i, buf, fds), 0);
	assert_int_equal(fds[0], -2);
	assert_int_equal(argdata_serialize(&argdata_null, buf, fds), 0);
	argdata_free(i);
}

/* A decoded value embedded in a new tree is copied byte for byte. */
static void
test_argdata_serialize__decoded_inside(void **state)
{
	static const uint8_t inner[] = {0x07, 0x81, 0x05, 0x82, 0x02, 0x01};
	argdata_t *d = argdata_from_buffer(inner, sizeof(inner), NULL, NULL);
	argdata_t *seq =
	    argdata_create_seq((const argdata_t *const[]){d, &argdata_true}, 2);

	expect_encoding(d, inner, sizeof(inner));
	expect_encoding(seq,
	    BYTES(0x07, 0x86, 0x07, 0x81, 0x05, 0x82, 0x02, 0x01, 0x82, 0x02,
	        0x01));
	argdata_free(seq);
	argdata_free(d);
}

/*
 * 200,000 descriptor values over 100,000 distinct, sparse numbers: the
 * mapping must follow first appearance. A quadratic renumbering would take
 * minutes here, far beyond the test's time limit.
 */
static void
test_argdata_serialize__many_fds(void **state)
{
	enum { DISTINCT = 100000, VALUES = 200000 };
	argdata_t **vals = calloc(VALUES, sizeof(*vals));
	int *numbers = calloc(DISTINCT, sizeof(*numbers));
	int *fds = calloc(VALUES, sizeof(*fds));
	size_t *pick = calloc(VALUES, sizeof(*pick));
	size_t *order = calloc(DISTINCT, sizeof(*order));
	size_t i, size, nfds, next = 0, got;
	uint32_t x = 12345;
	uint8_t *buf;
	argdata_t *seq, *back;
	argdata_seq_iterator_t it;
	const argdata_t *e;
	int fd;

	assert_true(vals && numbers && fds && pick && order);
	/* Sparse numbers: multiples of 7919 spread over [0, INT_MAX]. */
	for (i = 0; i < DISTINCT; i++)
		numbers[i] = (int)(i * 7919 % 2147483647);
	for (i = 0; i < DISTINCT; i++)
		order[i] = SIZE_MAX;
	for (i = 0; i < VALUES; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pick[i] = i < DISTINCT ? (i * 48271) % DISTINCT : x % DISTINCT;
		vals[i] = argdata_create_fd(numbers[pick[i]]);
		assert_non_null(vals[i]);
		if (order[pick[i]] == SIZE_MAX)
			order[pick[i]] = next++;
	}
	assert_int_equal(next, DISTINCT);
	seq = argdata_create_seq((const argdata_t *const *)vals, VALUES);
	assert_non_null(seq);
	argdata_serialized_length(seq, &size, &nfds);
	assert_int_equal(nfds, VALUES);
	buf = malloc(size);
	assert_non_null(buf);
	got = argdata_serialize(seq, buf, fds);
	assert_int_equal(got, DISTINCT);
	for (i = 0; i < DISTINCT; i++)
		if (fds[order[i]] != numbers[i])
			fail_msg("fds[%zu] is %d, not %d", order[i],
			    fds[order[i]], numbers[i]);

	/* The data refers to every value by its new number. */
	back = argdata_from_buffer(buf, size, convert_fd_identity, NULL);
	argdata_seq_iterate(back, &it);
	for (i = 0; argdata_seq_get(&it, &e); i++) {
		assert_int_equal(argdata_get_fd(e, &fd), 0);
		if ((size_t)fd != order[pick[i]])
			fail_msg("value %zu numbered %d, not %zu", i, fd,
			    order[pick[i]]);
		argdata_seq_next(&it);
	}
	assert_int_equal(i, VALUES);
	assert_true(it.index == ARGDATA_ITERATOR_END);

	argdata_free(back);
	argdata_free(seq);
	for (i = 0; i < VALUES; i++)
		argdata_free(vals[i]);
	free(buf);
	free(vals);
	free(numbers);
	free(fds);
	free(pick);
	free(order);
}

/* The same value listed many times counts each time and shares a number. */
static void
test_argdata_serialize__duplicate_value(void **state)
{
	argdata_t *fd = argdata_create_fd(12);
	const argdata_t *same[] = {fd, fd, fd};
	argdata_t *seq = argdata_create_seq(same, 3);
	uint8_t buf[19];
	size_t size, nfds;
	int fds[3] = {-2, -2, -2};

	argdata_serialized_length(seq, &size, &nfds);
	assert_int_equal(size, sizeof(buf));
	assert_int_equal(nfds, 3);
	assert_int_equal(argdata_serialize(seq, buf, fds), 1);
	assert_int_equal(fds[0], 12);
	assert_int_equal(fds[1], -2);
	assert_memory_equal(buf + 1, "\x85\x03\0\0\0\0\x85\x03\0\0\0\0", 12);
	argdata_free(seq);
	argdata_free(fd);
}

static int
convert_fd_plus_100(void *arg, size_t number)
{
	(void)arg;
	return number < 1000 ? (int)number + 100 : -1;
}

/*
 * Descriptors inside decoded values are renumbered too: convert_fd gives
 * the descriptor, which then gets its number like any other. A descriptor
 * convert_fd refuses is written as FFFFFFFF, a number no list reaches.
 */
static void
test_argdata_serialize__decoded_fds_renumbered(void **state)
{
	static const uint8_t in[] = {0x07, 0x85, 0x03, 0, 0, 0, 5, 0x85, 0x03,
	    0, 0, 0, 9, 0x85, 0x03, 0, 0, 0, 5};
	argdata_t *d =
	    argdata_from_buffer(in, sizeof(in), convert_fd_plus_100, NULL);
	argdata_t *refused = argdata_from_buffer(in, sizeof(in), NULL, NULL);
	argdata_t *own = argdata_create_fd(109), *seven = argdata_create_fd(7);
	const argdata_t *entries[] = {own, d, seven};
	argdata_t *mixed = argdata_create_seq(entries, 3);
	uint8_t buf[64];
	int fds[8] = {-2, -2, -2, -2, -2, -2, -2, -2};
	size_t size, nfds;

	argdata_serialized_length(d, &size, &nfds);
	assert_int_equal(size, sizeof(in));
	assert_int_equal(nfds, 3);
	assert_int_equal(argdata_serialize(d, buf, fds), 2);
	assert_memory_equal(buf,
	    ((const uint8_t[]){0x07, 0x85, 0x03, 0, 0, 0, 0, 0x85, 0x03, 0, 0,
	        0, 1, 0x85, 0x03, 0, 0, 0, 0}),
	    sizeof(in));
	assert_int_equal(fds[0], 105);
	assert_int_equal(fds[1], 109);
	assert_int_equal(fds[2], -2);

	/* Without renumbering the numbers stay as they were on the wire. */
	assert_int_equal(argdata_serialize(d, buf, NULL), 0);
	assert_memory_equal(buf, in, sizeof(in));

	fds[0] = -2;
	assert_int_equal(argdata_serialize(refused, buf, fds), 0);
	assert_int_equal(fds[0], -2);
	assert_memory_equal(buf + 2, "\x03\xff\xff\xff\xff", 5);
	assert_memory_equal(buf + 8, "\x03\xff\xff\xff\xff", 5);

	/* In memory around decoded: one numbering for both. */
	argdata_serialized_length(mixed, &size, &nfds);
	assert_int_equal(nfds, 5);
	assert_true(size <= sizeof(buf));
	assert_int_equal(argdata_serialize(mixed, buf, fds), 3);
	assert_int_equal(fds[0], 109);
	assert_int_equal(fds[1], 105);
	assert_int_equal(fds[2], 7);
	assert_memory_equal(buf,
	    ((const uint8_t[]){0x07, 0x85, 0x03, 0, 0, 0, 0, 0x93, 0x07, 0x85,
	        0x03, 0, 0, 0, 1, 0x85, 0x03, 0, 0, 0, 0, 0x85, 0x03, 0, 0, 0,
	        1, 0x85, 0x03, 0, 0, 0, 2}),
	    size);

	argdata_free(mixed);
	argdata_free(own);
	argdata_free(seven);
	argdata_free(refused);
	argdata_free(d);
}

/*
 * Corrupt decoded data is copied as it is, with the descriptors that can
 * be found before the defect renumbered, and nothing read outside it.
 */
static void
test_argdata_serialize__corrupt_decoded(void **state)
{
	static const uint8_t in[] = {0x07, 0x85, 0x03, 0, 0, 0, 4, 0x87, 0x07,
	    0x85, 0x03, 0, 0, 0, 6, 0x85};
	struct fenced f;
	argdata_t *d =
	    argdata_from_buffer(fenced_copy(&f, in, sizeof(in), true),
	        sizeof(in), convert_fd_identity, NULL);
	uint8_t buf[sizeof(in)];
	int fds[4] = {-2, -2, -2, -2};
	size_t size, nfds;

	argdata_serialized_length(d, &size, &nfds);
	assert_int_equal(size, sizeof(in));
	assert_true(nfds >= 2 && nfds <= 4);
	assert_int_equal(argdata_serialize(d, buf, fds), 2);
	assert_int_equal(fds[0], 4);
	assert_int_equal(fds[1], 6);
	assert_memory_equal(buf,
	    ((const uint8_t[]){0x07, 0x85, 0x03, 0, 0, 0, 0, 0x87, 0x07, 0x85,
	        0x03, 0, 0, 0, 1, 0x85}),
	    sizeof(in));
	argdata_free(d);
	fenced_free(&f);
}

static int
convert_plus_100(void *arg, size_t number)
{
	(void)arg;
	return number < 1000 ? (int)number + 100 : -1;
}

/*
 * Decoded data with a corrupt container next to a valid descriptor, put in
 * a new tree beside a descriptor of its own and serialized with
 * renumbering: the valid descriptor is renumbered (it is what an iterator
 * would hand out), whatever the corrupt sibling holds.
 */
static void
test_argdata_serialize__corrupt_sibling_keeps_fd(void **state)
{
	/* [<seq whose payload FF cannot be read>, fd 0] */
	static const uint8_t in[] = {0x07, 0x82, 0x07, 0xff, 0x85, 0x03, 0, 0,
	    0, 0};
	argdata_t *d =
	    argdata_from_buffer(in, sizeof(in), convert_plus_100, NULL);
	argdata_t *own = argdata_create_fd(7);
	const argdata_t *e[2] = {d, own};
	argdata_t *seq = argdata_create_seq(e, 2);
	uint8_t out[32];
	int fds[4];
	size_t size, nfds;

	(void)state;
	argdata_serialized_length(seq, &size, &nfds);
	assert_int_equal(size, 18);
	assert_int_equal(nfds, 2);
	assert_int_equal(argdata_serialize(seq, out, fds), 2);
	assert_int_equal(fds[0], 100);
	assert_int_equal(fds[1], 7);
	assert_memory_equal(out,
	    ((const uint8_t[]){0x07, 0x8a, 0x07, 0x82, 0x07, 0xff, 0x85, 0x03,
	        0, 0, 0, 0, 0x85, 0x03, 0, 0, 0, 1}),
	    18);
	argdata_free(seq);
	argdata_free(own);
	argdata_free(d);
}

/*
 * A corrupt container whose bad length would reach into the valid binary
 * after it: the binary is copied as it is, never taken for a descriptor.
 */
static void
test_argdata_serialize__corrupt_never_patches_sibling(void **state)
{
	/* [<seq 85: a length past its end>, binary of 383 bytes 'x'] */
	uint8_t in[4 + 2 + 384];
	argdata_t *d, *own, *seq;
	const argdata_t *e[2];
	uint8_t *out;
	int fds[4];
	size_t size, nfds;

	(void)state;
	memcpy(in, (const uint8_t[]){0x07, 0x82, 0x07, 0x85, 0x03, 0x80}, 6);
	in[6] = 0x01;
	memset(in + 7, 'x', sizeof(in) - 7);
	assert_int_equal(argdata_validate(in, sizeof(in), NULL, NULL), EINVAL);
	d = argdata_from_buffer(in, sizeof(in), convert_plus_100, NULL);
	own = argdata_create_fd(7);
	e[0] = d;
	e[1] = own;
	seq = argdata_create_seq(e, 2);
	argdata_serialized_length(seq, &size, &nfds);
	assert_int_equal(nfds, 1);
	out = malloc(size);
	assert_non_null(out);
	assert_int_equal(argdata_serialize(seq, out, fds), 1);
	assert_int_equal(fds[0], 7);
	/* Tag, a two-byte length, then the decoded value unchanged. */
	assert_memory_equal(out + 3, in, sizeof(in));
	free(out);
	argdata_free(seq);
	argdata_free(own);
	argdata_free(d);
}

int
run_serialize_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_serialized_length__counts_fds),
	    TEST_CASE(test_argdata_serialize__renumbers_in_order),
	    TEST_CASE(test_argdata_serialize__fds_null_keeps_numbers),
	    TEST_CASE(test_argdata_serialize__no_fds),
	    TEST_CASE(test_argdata_serialize__decoded_inside),
	    TEST_CASE(test_argdata_serialize__many_fds),
	    TEST_CASE(test_argdata_serialize__duplicate_value),
	    TEST_CASE(test_argdata_serialize__decoded_fds_renumbered),
	    TEST_CASE(test_argdata_serialize__corrupt_decoded),
	    TEST_CASE(test_argdata_serialize__corrupt_sibling_keeps_fd),
	    TEST_CASE(test_argdata_serialize__corrupt_never_patches_sibling),
	};

	return cmocka_run_group_tests_name("serialize", tests, NULL, NULL);
}
