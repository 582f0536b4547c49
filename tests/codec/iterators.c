/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Map and sequence iterators: indices, END and INVALID (sticky), empty
 * containers, corrupt framing in decoded containers.
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

static intmax_t
int_of(const argdata_t *ad)
{
	intmax_t v = 0;

	assert_int_equal(argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX), 0);
	return v;
}

/* Iterates a sequence of integers and checks them against want. */
static void
expect_seq_ints(const argdata_t *ad, const intmax_t *want, size_t n)
{
	argdata_seq_iterator_t it;
	const argdata_t *e, *again;
	size_t i;

	argdata_seq_iterate(ad, &it);
	for (i = 0; i < n; i++) {
		assert_int_equal(it.index, i);
		assert_true(argdata_seq_get(&it, &e));
		assert_true(int_of(e) == want[i]);
		/* Getting again without moving yields the same element. */
		assert_true(argdata_seq_get(&it, &again));
		assert_true(int_of(again) == want[i]);
		argdata_seq_next(&it);
	}
	assert_true(it.index == ARGDATA_ITERATOR_END);
	e = &argdata_null;
	assert_false(argdata_seq_get(&it, &e));
	assert_ptr_equal(e, &argdata_null);
	argdata_seq_next(&it);
	assert_true(it.index == ARGDATA_ITERATOR_END);
}

static void
test_argdata_seq_iterate__in_memory(void **state)
{
	static const intmax_t want[] = {-1, 0, 300};
	argdata_t *v[3], *seq;
	size_t i;

	for (i = 0; i < 3; i++)
		v[i] = argdata_create_int_s(want[i]);
	seq = argdata_create_seq((const argdata_t *const *)v, 3);
	expect_seq_ints(seq, want, 3);
	argdata_free(seq);
	for (i = 0; i < 3; i++)
		argdata_free(v[i]);
}

static void
test_argdata_seq_iterate__decoded(void **state)
{
	static const intmax_t want[] = {0, 1, -1, 255};
	static const uint8_t buf[] = {0x07, 0x81, 0x05, 0x82, 0x05, 0x01, 0x82,
	    0x05, 0xff, 0x83, 0x05, 0x00, 0xff};
	struct fenced f;
	argdata_t *ad;

	ad = argdata_from_buffer(fenced_copy(&f, buf, sizeof(buf), true),
	    sizeof(buf), NULL, NULL);
	expect_seq_ints(ad, want, 4);
	argdata_free(ad);
	fenced_free(&f);
}

/* Empty sequences and maps start at END, in memory or decoded. */
static void
test_argdata_seq_iterate__empty(void **state)
{
	argdata_t *seq = argdata_create_seq(NULL, 0);
	argdata_t *map = argdata_create_map(NULL, NULL, 0);
	argdata_t *dseq = argdata_from_buffer(BYTES(0x07), NULL, NULL);
	argdata_t *dmap = argdata_from_buffer(BYTES(0x06), NULL, NULL);
	const argdata_t *one[] = {&argdata_null};
	argdata_t *seq0 = argdata_create_seq(one, 0);
	argdata_seq_iterator_t sit;
	argdata_map_iterator_t mit;
	const argdata_t *k = &argdata_null, *v = &argdata_null;

	sit.index = 5;
	argdata_seq_iterate(seq, &sit);
	assert_true(sit.index == ARGDATA_ITERATOR_END);
	assert_false(argdata_seq_get(&sit, &v));
	argdata_seq_iterate(seq0, &sit);
	assert_true(sit.index == ARGDATA_ITERATOR_END);
	argdata_seq_iterate(dseq, &sit);
	assert_true(sit.index == ARGDATA_ITERATOR_END);
	mit.index = 5;
	argdata_map_iterate(map, &mit);
	assert_true(mit.index == ARGDATA_ITERATOR_END);
	assert_false(argdata_map_get(&mit, &k, &v));
	argdata_map_iterate(dmap, &mit);
	assert_true(mit.index == ARGDATA_ITERATOR_END);
	assert_ptr_equal(k, &argdata_null);
	assert_ptr_equal(v, &argdata_null);
	argdata_free(seq);
	argdata_free(seq0);
	argdata_free(map);
	argdata_free(dseq);
	argdata_free(dmap);
}

/* Iterating something that is not a sequence: INVALID, and it stays. */
static void
test_argdata_seq_next__invalid_is_sticky(void **state)
{
	argdata_t *i = argdata_create_int_s(1);
	argdata_t *map = argdata_create_map(NULL, NULL, 0);
	argdata_t *seq = argdata_create_seq((const argdata_t *const[]){i}, 1);
	argdata_t *bad =
	    argdata_from_buffer(BYTES(0x0a, 0x81, 0x05), NULL, NULL);
	const argdata_t *not_seq[] = {i, map, &argdata_null, &argdata_true,
	    bad};
	argdata_seq_iterator_t it;
	const argdata_t *e;
	size_t n, k;

	for (n = 0; n < sizeof(not_seq) / sizeof(not_seq[0]); n++) {
		argdata_seq_iterate(not_seq[n], &it);
		assert_true(it.index == ARGDATA_ITERATOR_INVALID);
		for (k = 0; k < 3; k++) {
			e = &argdata_null;
			assert_false(argdata_seq_get(&it, &e));
			assert_ptr_equal(e, &argdata_null);
			argdata_seq_next(&it);
			assert_true(it.index == ARGDATA_ITERATOR_INVALID);
		}
	}
	/* Only iterate resets it. */
	argdata_seq_iterate(seq, &it);
	assert_int_equal(it.index, 0);
	argdata_free(seq);
	argdata_free(map);
	argdata_free(i);
	argdata_free(bad);
}

static void
test_argdata_map_next__invalid_is_sticky(void **state)
{
	argdata_t *seq = argdata_create_seq(NULL, 0);
	argdata_t *dseq =
	    argdata_from_buffer(BYTES(0x07, 0x81, 0x05), NULL, NULL);
	const argdata_t *not_map[] = {seq, dseq, &argdata_null, &argdata_false};
	argdata_map_iterator_t it;
	const argdata_t *k, *v;
	size_t n;

	for (n = 0; n < sizeof(not_map) / sizeof(not_map[0]); n++) {
		argdata_map_iterate(not_map[n], &it);
		assert_true(it.index == ARGDATA_ITERATOR_INVALID);
		argdata_map_next(&it);
		assert_true(it.index == ARGDATA_ITERATOR_INVALID);
		k = v = &argdata_null;
		assert_false(argdata_map_get(&it, &k, &v));
		assert_ptr_equal(k, &argdata_null);
		assert_ptr_equal(v, &argdata_null);
	}
	argdata_free(seq);
	argdata_free(dseq);
}

static void
test_argdata_map_iterate__in_memory_and_decoded(void **state)
{
	argdata_t *ka = argdata_create_str_c("a");
	argdata_t *kb = argdata_create_str_c("b");
	argdata_t *v1 = argdata_create_int_s(1);
	argdata_t *v2 = argdata_create_int_s(2);
	argdata_t *map = argdata_create_map((const argdata_t *const[]){ka, kb},
	    (const argdata_t *const[]){v1, v2}, 2);
	argdata_t *back, *which[2];
	uint8_t buf[32];
	size_t size, pass, i;
	argdata_map_iterator_t it;
	const argdata_t *k, *v;
	const char *s;

	argdata_serialized_length(map, &size, NULL);
	assert_true(size <= sizeof(buf));
	argdata_serialize(map, buf, NULL);
	back = argdata_from_buffer(buf, size, NULL, NULL);
	which[0] = map;
	which[1] = back;
	for (pass = 0; pass < 2; pass++) {
		argdata_map_iterate(which[pass], &it);
		for (i = 0; i < 2; i++) {
			assert_int_equal(it.index, i);
			assert_true(argdata_map_get(&it, &k, &v));
			assert_int_equal(argdata_get_str_c(k, &s), 0);
			assert_string_equal(s, i == 0 ? "a" : "b");
			assert_true(int_of(v) == (intmax_t)i + 1);
			argdata_map_next(&it);
		}
		assert_true(it.index == ARGDATA_ITERATOR_END);
		assert_false(argdata_map_get(&it, &k, &v));
		argdata_map_next(&it);
		assert_true(it.index == ARGDATA_ITERATOR_END);
	}
	argdata_free(back);
	argdata_free(map);
	argdata_free(ka);
	argdata_free(kb);
	argdata_free(v1);
	argdata_free(v2);
}

/*
 * Corrupt framing: how far a sequence iterator gets (good elements) before
 * it turns INVALID, for each buffer. Every buffer sits at the end of a
 * readable page, so a read past it faults.
 */
/* clang-format off */
static const struct {
	const char *what;
	uint8_t bytes[24];
	size_t len;
	size_t good;
} bad_seqs[] = {
	{"length past the end", {0x07, 0x85, 0x05}, 3, 0},
	{"second length past the end", {0x07, 0x81, 0x05, 0x83, 0x05}, 5, 1},
	{"length without its last byte", {0x07, 0x01}, 2, 0},
	{"length cut after two bytes", {0x07, 0x81, 0x05, 0x01, 0x02}, 5, 1},
	{"length with a leading zero byte", {0x07, 0x00, 0x81, 0x05}, 4, 0},
	{"zero length with a leading zero byte", {0x07, 0x00, 0x80}, 3, 0},
	{"length overflowing size_t", {0x07, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
	    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0xff}, 12, 0},
	{"huge length", {0x07, 0x0f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
	    0xff, 0x05}, 11, 0},
};
/* clang-format on */

static void
test_argdata_seq_next__corrupt_framing(void **state)
{
	struct fenced f;
	argdata_seq_iterator_t it;
	const argdata_t *e;
	argdata_t *ad;
	size_t n, i, pass;

	for (n = 0; n < sizeof(bad_seqs) / sizeof(bad_seqs[0]); n++) {
		for (pass = 0; pass < 2; pass++) {
			ad = argdata_from_buffer(
			    fenced_copy(&f, bad_seqs[n].bytes, bad_seqs[n].len,
			        pass == 0),
			    bad_seqs[n].len, NULL, NULL);
			argdata_seq_iterate(ad, &it);
			for (i = 0; i < bad_seqs[n].good; i++) {
				if (it.index != i)
					fail_msg("%s: index %zu at element %zu",
					    bad_seqs[n].what, it.index, i);
				assert_true(argdata_seq_get(&it, &e));
				argdata_seq_next(&it);
			}
			if (it.index != ARGDATA_ITERATOR_INVALID)
				fail_msg("%s: index %zu, not INVALID",
				    bad_seqs[n].what, it.index);
			argdata_seq_next(&it);
			assert_true(it.index == ARGDATA_ITERATOR_INVALID);
			argdata_free(ad);
			fenced_free(&f);
		}
	}
}

/* A map with an odd number of subfields: the last key has no value. */
static void
test_argdata_map_next__odd_subfields(void **state)
{
	static const uint8_t one[] = {0x06, 0x81, 0x05};
	static const uint8_t three[] = {0x06, 0x81, 0x05, 0x82, 0x05, 0x01,
	    0x81, 0x05};
	argdata_map_iterator_t it;
	const argdata_t *k, *v;
	struct fenced f;
	argdata_t *ad;

	ad = argdata_from_buffer(fenced_copy(&f, one, sizeof(one), true),
	    sizeof(one), NULL, NULL);
	argdata_map_iterate(ad, &it);
	assert_true(it.index == ARGDATA_ITERATOR_INVALID);
	assert_false(argdata_map_get(&it, &k, &v));
	argdata_free(ad);
	fenced_free(&f);

	ad = argdata_from_buffer(fenced_copy(&f, three, sizeof(three), true),
	    sizeof(three), NULL, NULL);
	argdata_map_iterate(ad, &it);
	assert_int_equal(it.index, 0);
	assert_true(argdata_map_get(&it, &k, &v));
	assert_true(int_of(k) == 0);
	assert_true(int_of(v) == 1);
	argdata_map_next(&it);
	assert_true(it.index == ARGDATA_ITERATOR_INVALID);
	assert_false(argdata_map_get(&it, &k, &v));
	argdata_map_next(&it);
	assert_true(it.index == ARGDATA_ITERATOR_INVALID);
	argdata_free(ad);
	fenced_free(&f);
}

/* Elements of a decoded sequence that are containers iterate in turn. */
static void
test_argdata_seq_iterate__nested_decoded(void **state)
{
	/* [[1], {2: 3}] */
	static const uint8_t buf[] = {0x07, 0x84, 0x07, 0x82, 0x05, 0x01, 0x87,
	    0x06, 0x82, 0x05, 0x02, 0x82, 0x05, 0x03};
	argdata_t *ad = argdata_from_buffer(buf, sizeof(buf), NULL, NULL);
	argdata_seq_iterator_t it, inner;
	argdata_map_iterator_t mit;
	const argdata_t *e, *x, *k, *v;

	argdata_seq_iterate(ad, &it);
	assert_true(argdata_seq_get(&it, &e));
	argdata_seq_iterate(e, &inner);
	assert_true(argdata_seq_get(&inner, &x));
	assert_true(int_of(x) == 1);
	argdata_seq_next(&inner);
	assert_true(inner.index == ARGDATA_ITERATOR_END);
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &e));
	argdata_map_iterate(e, &mit);
	assert_true(argdata_map_get(&mit, &k, &v));
	assert_true(int_of(k) == 2 && int_of(v) == 3);
	argdata_map_next(&mit);
	assert_true(mit.index == ARGDATA_ITERATOR_END);
	argdata_seq_next(&it);
	assert_true(it.index == ARGDATA_ITERATOR_END);
	argdata_free(ad);
}

int
run_iterator_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_seq_iterate__in_memory),
	    TEST_CASE(test_argdata_seq_iterate__decoded),
	    TEST_CASE(test_argdata_seq_iterate__empty),
	    TEST_CASE(test_argdata_seq_next__invalid_is_sticky),
	    TEST_CASE(test_argdata_map_next__invalid_is_sticky),
	    TEST_CASE(test_argdata_map_iterate__in_memory_and_decoded),
	    TEST_CASE(test_argdata_seq_next__corrupt_framing),
	    TEST_CASE(test_argdata_map_next__odd_subfields),
	    TEST_CASE(test_argdata_seq_iterate__nested_decoded),
	};

	return cmocka_run_group_tests_name("iterators", tests, NULL, NULL);
}
