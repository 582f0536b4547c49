/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Wire vectors (argdata(5)): every constructor encodes bit-exactly, and the
 * same bytes decode back to the same values through argdata_from_buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codec_test.h"
#include "testutil.h"

/* Encodes ad, frees it, and decodes the expected bytes into a new value. */
static argdata_t *
check_and_decode(argdata_t *ad, const uint8_t *expected, size_t len)
{
	argdata_t *back;

	assert_non_null(ad);
	expect_encoding(ad, expected, len);
	argdata_free(ad);
	back = argdata_from_buffer(expected, len, NULL, NULL);
	assert_non_null(back);
	expect_encoding(back, expected, len);
	return back;
}

static void
test_argdata_null__empty_buffer(void **state)
{
	argdata_t *ad;
	argdata_type_t type = ARGDATA_TYPE_STR;

	expect_encoding(&argdata_null, NULL, 0);
	ad = argdata_from_buffer("", 0, NULL, NULL);
	assert_non_null(ad);
	assert_int_equal(argdata_get_type(ad, &type), 0);
	assert_int_equal(type, ARGDATA_TYPE_NULL);
	argdata_free(ad);
}

static void
test_argdata_true__vectors(void **state)
{
	argdata_t *ad;
	bool b;

	expect_encoding(&argdata_false, BYTES(0x02));
	expect_encoding(&argdata_true, BYTES(0x02, 0x01));
	ad = argdata_from_buffer((const uint8_t[]){0x02, 0x01}, 2, NULL, NULL);
	b = false;
	assert_int_equal(argdata_get_bool(ad, &b), 0);
	assert_true(b);
	argdata_free(ad);
	ad = argdata_from_buffer((const uint8_t[]){0x02}, 1, NULL, NULL);
	b = true;
	assert_int_equal(argdata_get_bool(ad, &b), 0);
	assert_false(b);
	argdata_free(ad);
}

static void
test_argdata_create_str__vectors(void **state)
{
	argdata_t *ad;
	const char *s;
	size_t len;

	ad = check_and_decode(argdata_create_str_c("123"),
	    BYTES(0x08, 0x31, 0x32, 0x33, 0x00));
	assert_int_equal(argdata_get_str(ad, &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "123", 4);
	argdata_free(ad);

	ad = check_and_decode(argdata_create_str_c(""), BYTES(0x08, 0x00));
	assert_int_equal(argdata_get_str_c(ad, &s), 0);
	assert_string_equal(s, "");
	argdata_free(ad);

	/* Only len bytes count; the encoder adds the NUL. */
	ad = check_and_decode(argdata_create_str("abc", 2),
	    BYTES(0x08, 0x61, 0x62, 0x00));
	argdata_free(ad);

	/* Non-ASCII UTF-8 passes unchanged: U+00E9, U+20AC, U+1F600. */
	ad = check_and_decode(argdata_create_str_c("\xc3\xa9\xe2\x82\xac"
	                                           "\xf0\x9f\x98\x80"),
	    BYTES(0x08, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80,
	        0x00));
	argdata_free(ad);
}

static void
test_argdata_create_binary__vectors(void **state)
{
	argdata_t *ad;
	const void *p;
	size_t len;

	ad = check_and_decode(argdata_create_binary("\x00\xff\x08", 3),
	    BYTES(0x01, 0x00, 0xff, 0x08));
	assert_int_equal(argdata_get_binary(ad, &p, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "\x00\xff\x08", 3);
	argdata_free(ad);

	ad = check_and_decode(argdata_create_binary(NULL, 0), BYTES(0x01));
	assert_int_equal(argdata_get_binary(ad, &p, &len), 0);
	assert_int_equal(len, 0);
	argdata_free(ad);
}

static void
check_int(argdata_t *ad, const uint8_t *expected, size_t len, bool is_signed,
    intmax_t s, uintmax_t u)
{
	intmax_t gs;
	uintmax_t gu;

	ad = check_and_decode(ad, expected, len);
	if (is_signed) {
		assert_int_equal(
		    argdata_get_int_s(ad, &gs, INTMAX_MIN, INTMAX_MAX), 0);
		assert_true(gs == s);
	} else {
		assert_int_equal(argdata_get_int_u(ad, &gu, UINTMAX_MAX), 0);
		assert_true(gu == u);
	}
	argdata_free(ad);
}

#define INT_S(v, ...)                                                          \
	check_int(argdata_create_int_s(v), BYTES(__VA_ARGS__), true, (v), 0)
#define INT_U(v, ...)                                                          \
	check_int(argdata_create_int_u(v), BYTES(__VA_ARGS__), false, 0, (v))

static void
test_argdata_create_int_s__vectors(void **state)
{
	INT_S(0, 0x05);
	INT_S(1, 0x05, 0x01);
	INT_S(-1, 0x05, 0xff);
	INT_S(127, 0x05, 0x7f);
	INT_S(128, 0x05, 0x00, 0x80);
	INT_S(255, 0x05, 0x00, 0xff);
	INT_S(256, 0x05, 0x01, 0x00);
	INT_S(-128, 0x05, 0x80);
	INT_S(-129, 0x05, 0xff, 0x7f);
	INT_S(32767, 0x05, 0x7f, 0xff);
	INT_S(32768, 0x05, 0x00, 0x80, 0x00);
	INT_S(-32768, 0x05, 0x80, 0x00);
	INT_S(INTMAX_MAX, 0x05, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	INT_S(INTMAX_MIN, 0x05, 0x80, 0, 0, 0, 0, 0, 0, 0);
	INT_S(INTMAX_MIN + 1, 0x05, 0x80, 0, 0, 0, 0, 0, 0, 0x01);
}

static void
test_argdata_create_int_u__vectors(void **state)
{
	INT_U(0, 0x05);
	INT_U(1, 0x05, 0x01);
	INT_U(127, 0x05, 0x7f);
	INT_U(128, 0x05, 0x00, 0x80);
	INT_U(255, 0x05, 0x00, 0xff);
	INT_U((uintmax_t)INTMAX_MAX, 0x05, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff);
	INT_U((uintmax_t)INTMAX_MAX + 1, 0x05, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0);
	INT_U(UINTMAX_MAX, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff);
}

static void
check_float(double v, const uint8_t *expected, size_t len)
{
	argdata_t *ad;
	double d = 42;

	ad = check_and_decode(argdata_create_float(v), expected, len);
	assert_int_equal(argdata_get_float(ad, &d), 0);
	assert_memory_equal(&d, &v, sizeof(d));
	argdata_free(ad);
}

static void
test_argdata_create_float__vectors(void **state)
{
	check_float(0.0, BYTES(0x04, 0, 0, 0, 0, 0, 0, 0, 0));
	check_float(-0.0, BYTES(0x04, 0x80, 0, 0, 0, 0, 0, 0, 0));
	check_float(1.0, BYTES(0x04, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0));
	check_float(-2.5, BYTES(0x04, 0xc0, 0x04, 0, 0, 0, 0, 0, 0));
	check_float(0.1,
	    BYTES(0x04, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a));
	check_float(INFINITY, BYTES(0x04, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0));
	check_float(-INFINITY, BYTES(0x04, 0xff, 0xf0, 0, 0, 0, 0, 0, 0));
	check_float(5e-324, BYTES(0x04, 0, 0, 0, 0, 0, 0, 0, 0x01));
	check_float(1.7976931348623157e308,
	    BYTES(0x04, 0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
}

static void
test_argdata_get_float__nan_bits_kept(void **state)
{
	static const uint8_t nan[] = {0x04, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0x01};
	argdata_t *ad = argdata_from_buffer(nan, sizeof(nan), NULL, NULL);
	double d = 0;
	uint64_t bits;

	assert_int_equal(argdata_get_float(ad, &d), 0);
	assert_true(isnan(d));
	memcpy(&bits, &d, sizeof(bits));
	assert_true(bits == UINT64_C(0x7ff8000000000001));
	argdata_free(ad);
	ad = argdata_create_float(d);
	expect_encoding(ad, nan, sizeof(nan));
	argdata_free(ad);
}

static void
check_timestamp(time_t sec, long nsec, const uint8_t *expected, size_t len)
{
	struct timespec ts = {.tv_sec = sec, .tv_nsec = nsec}, back;
	argdata_t *ad;

	ad = check_and_decode(argdata_create_timestamp(&ts), expected, len);
	memset(&back, 0x55, sizeof(back));
	assert_int_equal(argdata_get_timestamp(ad, &back), 0);
	assert_true(back.tv_sec == sec);
	assert_int_equal(back.tv_nsec, nsec);
	argdata_free(ad);
}

static void
test_argdata_create_timestamp__vectors(void **state)
{
	check_timestamp(0, 0, BYTES(0x09));
	check_timestamp(0, 1, BYTES(0x09, 0x01));
	check_timestamp(1, 0, BYTES(0x09, 0x3b, 0x9a, 0xca, 0x00));
	check_timestamp(0, 999999999, BYTES(0x09, 0x3b, 0x9a, 0xc9, 0xff));
	/* Before 1970: floor division, tv_nsec stays in [0, 999999999]. */
	check_timestamp(-1, 999999999, BYTES(0x09, 0xff));
	check_timestamp(-1, 0, BYTES(0x09, 0xc4, 0x65, 0x36, 0x00));
	check_timestamp(-2, 999999999, BYTES(0x09, 0xc4, 0x65, 0x35, 0xff));
	check_timestamp(-1, 1, BYTES(0x09, 0xc4, 0x65, 0x36, 0x01));
	/* Beyond 64-bit nanoseconds, both ways. */
	check_timestamp(10000000000, 0,
	    BYTES(0x09, 0x00, 0x8a, 0xc7, 0x23, 0x04, 0x89, 0xe8, 0x00, 0x00));
	if (sizeof(time_t) == 8) {
		check_timestamp((time_t)INT64_MAX, 999999999,
		    BYTES(0x09, 0x1d, 0xcd, 0x64, 0xff, 0xff, 0xff, 0xff, 0xff,
		        0xff, 0xff, 0xff, 0xff));
		check_timestamp((time_t)INT64_MIN, 0,
		    BYTES(0x09, 0xe2, 0x32, 0x9b, 0x00, 0x00, 0x00, 0x00, 0x00,
		        0x00, 0x00, 0x00, 0x00));
	}
}

static int
record_fd(void *arg, size_t number)
{
	size_t *seen = arg;

	*seen = number;
	return number == 0x12345678 ? 42 : -1;
}

static void
test_argdata_create_fd__vectors(void **state)
{
	argdata_t *ad;
	size_t seen = 0;
	int fd = -7;

	ad = argdata_create_fd(0);
	expect_encoding(ad, BYTES(0x03, 0, 0, 0, 0));
	argdata_free(ad);
	ad = argdata_create_fd(0x12345678);
	expect_encoding(ad, BYTES(0x03, 0x12, 0x34, 0x56, 0x78));
	assert_int_equal(argdata_get_fd(ad, &fd), 0);
	assert_int_equal(fd, 0x12345678);
	argdata_free(ad);
	ad = argdata_create_fd(INT32_MAX);
	expect_encoding(ad, BYTES(0x03, 0x7f, 0xff, 0xff, 0xff));
	argdata_free(ad);

	/* Decoding hands the number and the argument to convert_fd. */
	ad = argdata_from_buffer((const uint8_t[]){3, 0x12, 0x34, 0x56, 0x78},
	    5, record_fd, &seen);
	fd = -7;
	assert_int_equal(argdata_get_fd(ad, &fd), 0);
	assert_int_equal(fd, 42);
	assert_int_equal(seen, 0x12345678);
	argdata_free(ad);

	/* Numbers beyond INT_MAX still reach the callback unchanged. */
	ad = argdata_from_buffer((const uint8_t[]){3, 0xff, 0xff, 0xff, 0xfe},
	    5, record_fd, &seen);
	fd = -7;
	assert_int_equal(argdata_get_fd(ad, &fd), EBADF);
	assert_int_equal(fd, -7);
	assert_int_equal(seen, 0xfffffffe);
	argdata_free(ad);
}

static void
test_argdata_create_seq__vectors(void **state)
{
	argdata_t *zero = argdata_create_int_s(0);
	argdata_t *a = argdata_create_str_c("A");
	const argdata_t *entries[] = {zero, &argdata_true, a};
	argdata_t *ad;

	ad = check_and_decode(argdata_create_seq(entries, 3),
	    BYTES(0x07, 0x81, 0x05, 0x82, 0x02, 0x01, 0x83, 0x08, 0x41, 0x00));
	argdata_free(ad);
	ad = check_and_decode(argdata_create_seq(NULL, 0), BYTES(0x07));
	argdata_free(ad);
	entries[0] = &argdata_null;
	ad =
	    check_and_decode(argdata_create_seq(entries, 1), BYTES(0x07, 0x80));
	argdata_free(ad);
	argdata_free(zero);
	argdata_free(a);
}

static void
test_argdata_create_map__vectors(void **state)
{
	argdata_t *k = argdata_create_str_c("a");
	argdata_t *v = argdata_create_int_s(1);
	const argdata_t *keys[] = {k, &argdata_null};
	const argdata_t *values[] = {v, &argdata_false};
	argdata_t *ad;

	ad = check_and_decode(argdata_create_map(keys, values, 2),
	    BYTES(0x06, 0x83, 0x08, 0x61, 0x00, 0x82, 0x05, 0x01, 0x80, 0x81,
	        0x02));
	argdata_free(ad);
	ad = check_and_decode(argdata_create_map(NULL, NULL, 0), BYTES(0x06));
	argdata_free(ad);
	argdata_free(k);
	argdata_free(v);
}

/*
 * Subfield lengths in base 128, high bit on the last byte: a binary of n - 1
 * bytes inside a sequence has a subfield of length n.
 */
static void
check_length(size_t n, const uint8_t *prefix, size_t plen)
{
	uint8_t *bytes = calloc(n, 1);
	uint8_t *expected = malloc(1 + plen + n);
	argdata_t *bin, *seq, *back;
	const argdata_t *elem;
	argdata_seq_iterator_t it;
	const void *p;
	size_t len;

	assert_non_null(bytes);
	assert_non_null(expected);
	bin = argdata_create_binary(bytes, n - 1);
	seq = argdata_create_seq((const argdata_t *const *)&bin, 1);
	assert_non_null(seq);
	expected[0] = 0x07;
	memcpy(expected + 1, prefix, plen);
	expected[1 + plen] = 0x01;
	memset(expected + 2 + plen, 0, n - 1);
	expect_encoding(seq, expected, 1 + plen + n);

	back = argdata_from_buffer(expected, 1 + plen + n, NULL, NULL);
	argdata_seq_iterate(back, &it);
	assert_int_equal(it.index, 0);
	assert_true(argdata_seq_get(&it, &elem));
	assert_int_equal(argdata_get_binary(elem, &p, &len), 0);
	assert_int_equal(len, n - 1);
	assert_ptr_equal(p, expected + 2 + plen);
	argdata_seq_next(&it);
	assert_true(it.index == ARGDATA_ITERATOR_END);
	argdata_free(back);
	argdata_free(seq);
	argdata_free(bin);
	free(expected);
	free(bytes);
}

static void
test_argdata_serialize__subfield_lengths(void **state)
{
	check_length(1, BYTES(0x81));
	check_length(6, BYTES(0x86));
	check_length(127, BYTES(0xff));
	check_length(128, BYTES(0x01, 0x80));
	check_length(129, BYTES(0x01, 0x81));
	check_length(16383, BYTES(0x7f, 0xff));
	check_length(16384, BYTES(0x01, 0x00, 0x80));
	check_length(2097151, BYTES(0x7f, 0x7f, 0xff));
	check_length(2097152, BYTES(0x01, 0x00, 0x00, 0x80));
}

/* Nested containers: a map holding a sequence holding a map. */
static void
test_argdata_serialize__nested(void **state)
{
	argdata_t *k = argdata_create_str_c("k");
	argdata_t *inner =
	    argdata_create_map((const argdata_t *const[]){&argdata_true},
	        (const argdata_t *const[]){&argdata_null}, 1);
	argdata_t *seq = argdata_create_seq(
	    (const argdata_t *const[]){inner, &argdata_false}, 2);
	argdata_t *outer = argdata_create_map((const argdata_t *const[]){k},
	    (const argdata_t *const[]){seq}, 1);

	expect_encoding(outer,
	    BYTES(0x06, 0x83, 0x08, 0x6b, 0x00, 0x89, 0x07, 0x85, 0x06, 0x82,
	        0x02, 0x01, 0x80, 0x81, 0x02));
	argdata_free(outer);
	argdata_free(seq);
	argdata_free(inner);
	argdata_free(k);
}

int
run_wire_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_null__empty_buffer),
	    TEST_CASE(test_argdata_true__vectors),
	    TEST_CASE(test_argdata_create_str__vectors),
	    TEST_CASE(test_argdata_create_binary__vectors),
	    TEST_CASE(test_argdata_create_int_s__vectors),
	    TEST_CASE(test_argdata_create_int_u__vectors),
	    TEST_CASE(test_argdata_create_float__vectors),
	    TEST_CASE(test_argdata_get_float__nan_bits_kept),
	    TEST_CASE(test_argdata_create_timestamp__vectors),
	    TEST_CASE(test_argdata_create_fd__vectors),
	    TEST_CASE(test_argdata_create_seq__vectors),
	    TEST_CASE(test_argdata_create_map__vectors),
	    TEST_CASE(test_argdata_serialize__subfield_lengths),
	    TEST_CASE(test_argdata_serialize__nested),
	};

	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
