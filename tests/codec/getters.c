/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Constructors and getters: every documented errno, output arguments left
 * alone on failure, the type-generic integer forms for every integer type,
 * UTF-8 checking, argdata_get_type and argdata_free.
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codec_test.h"
#include "testutil.h"

/* A value decoded from the given bytes, with descriptors refused. */
#define DECODE(...) argdata_from_buffer(BYTES(__VA_ARGS__), NULL, NULL)

/*
 * Every getter on a value of another type: EINVAL, nothing stored. The
 * getter of the value's own type (skip) is left out.
 */
static void
expect_wrong_type(const argdata_t *ad, argdata_type_t skip)
{
	const void *p = &p;
	const char *s = "x";
	size_t len = 77;
	bool b = true;
	int fd = 77;
	double d = 7.5;
	intmax_t is = 77;
	uintmax_t iu = 77;
	struct timespec ts = {77, 77};

	if (skip != ARGDATA_TYPE_BINARY)
		assert_int_equal(argdata_get_binary(ad, &p, &len), EINVAL);
	if (skip != ARGDATA_TYPE_BOOL)
		assert_int_equal(argdata_get_bool(ad, &b), EINVAL);
	if (skip != ARGDATA_TYPE_FD)
		assert_int_equal(argdata_get_fd(ad, &fd), EINVAL);
	if (skip != ARGDATA_TYPE_FLOAT)
		assert_int_equal(argdata_get_float(ad, &d), EINVAL);
	if (skip != ARGDATA_TYPE_INT) {
		assert_int_equal(
		    argdata_get_int_s(ad, &is, INTMAX_MIN, INTMAX_MAX), EINVAL);
		assert_int_equal(argdata_get_int_u(ad, &iu, UINTMAX_MAX),
		    EINVAL);
	}
	if (skip != ARGDATA_TYPE_STR) {
		assert_int_equal(argdata_get_str(ad, &s, &len), EINVAL);
		assert_int_equal(argdata_get_str_c(ad, &s), EINVAL);
	}
	if (skip != ARGDATA_TYPE_TIMESTAMP)
		assert_int_equal(argdata_get_timestamp(ad, &ts), EINVAL);
	assert_ptr_equal(p, &p);
	assert_string_equal(s, "x");
	assert_int_equal(len, 77);
	assert_true(b);
	assert_int_equal(fd, 77);
	assert_true(d == 7.5);
	assert_true(is == 77 && iu == 77);
	assert_true(ts.tv_sec == 77 && ts.tv_nsec == 77);
}

static void
expect_type(const argdata_t *ad, argdata_type_t want)
{
	argdata_type_t type = (argdata_type_t)-1;

	assert_non_null(ad);
	assert_int_equal(argdata_get_type(ad, &type), 0);
	assert_int_equal(type, want);
	expect_wrong_type(ad, want);
}

static void
test_argdata_get_type__every_type(void **state)
{
	struct timespec ts = {1, 2};
	argdata_t *v[10];
	size_t i;

	expect_type(&argdata_null, ARGDATA_TYPE_NULL);
	expect_type(&argdata_true, ARGDATA_TYPE_BOOL);
	expect_type(&argdata_false, ARGDATA_TYPE_BOOL);
	v[0] = argdata_create_binary("x", 1);
	expect_type(v[0], ARGDATA_TYPE_BINARY);
	v[1] = argdata_create_fd(3);
	expect_type(v[1], ARGDATA_TYPE_FD);
	v[2] = argdata_create_float(1.5);
	expect_type(v[2], ARGDATA_TYPE_FLOAT);
	v[3] = argdata_create_int_s(-5);
	expect_type(v[3], ARGDATA_TYPE_INT);
	v[4] = argdata_create_int_u(5);
	expect_type(v[4], ARGDATA_TYPE_INT);
	v[5] = argdata_create_map(NULL, NULL, 0);
	expect_type(v[5], ARGDATA_TYPE_MAP);
	v[6] = argdata_create_seq(NULL, 0);
	expect_type(v[6], ARGDATA_TYPE_SEQ);
	v[7] = argdata_create_str_c("s");
	expect_type(v[7], ARGDATA_TYPE_STR);
	v[8] = argdata_create_str("st", 1);
	expect_type(v[8], ARGDATA_TYPE_STR);
	v[9] = argdata_create_timestamp(&ts);
	expect_type(v[9], ARGDATA_TYPE_TIMESTAMP);
	for (i = 0; i < 10; i++)
		argdata_free(v[i]);
}

static void
test_argdata_get_type__buffers(void **state)
{
	static const struct {
		uint8_t byte;
		argdata_type_t type;
	} tags[] = {
	    {0x01, ARGDATA_TYPE_BINARY},
	    {0x02, ARGDATA_TYPE_BOOL},
	    {0x03, ARGDATA_TYPE_FD},
	    {0x04, ARGDATA_TYPE_FLOAT},
	    {0x05, ARGDATA_TYPE_INT},
	    {0x06, ARGDATA_TYPE_MAP},
	    {0x07, ARGDATA_TYPE_SEQ},
	    {0x08, ARGDATA_TYPE_STR},
	    {0x09, ARGDATA_TYPE_TIMESTAMP},
	};
	argdata_type_t type;
	argdata_t *ad;
	size_t i;

	/* Only the tag counts: the payloads here are mostly corrupt. */
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		uint8_t buf[3] = {tags[i].byte, 0xff, 0xff};

		ad = argdata_from_buffer(buf, sizeof(buf), NULL, NULL);
		type = (argdata_type_t)-1;
		assert_int_equal(argdata_get_type(ad, &type), 0);
		assert_int_equal(type, tags[i].type);
		argdata_free(ad);
	}
	ad = argdata_from_buffer("", 0, NULL, NULL);
	assert_int_equal(argdata_get_type(ad, &type), 0);
	assert_int_equal(type, ARGDATA_TYPE_NULL);
	argdata_free(ad);
}

/* Decoded values of every type refuse the getters of the other types. */
static void
test_argdata_get_type__decoded(void **state)
{
	static const struct {
		uint8_t bytes[10];
		size_t len;
		argdata_type_t type;
	} vectors[] = {
	    {{0}, 0, ARGDATA_TYPE_NULL},
	    {{0x01, 0x41}, 2, ARGDATA_TYPE_BINARY},
	    {{0x02, 0x01}, 2, ARGDATA_TYPE_BOOL},
	    {{0x03, 0, 0, 0, 9}, 5, ARGDATA_TYPE_FD},
	    {{0x04, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}, 9, ARGDATA_TYPE_FLOAT},
	    {{0x05, 0x01}, 2, ARGDATA_TYPE_INT},
	    {{0x06}, 1, ARGDATA_TYPE_MAP},
	    {{0x07, 0x80}, 2, ARGDATA_TYPE_SEQ},
	    {{0x08, 0x41, 0x00}, 3, ARGDATA_TYPE_STR},
	    {{0x09, 0x01}, 2, ARGDATA_TYPE_TIMESTAMP},
	};
	argdata_t *ad;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		ad = argdata_from_buffer(vectors[i].bytes, vectors[i].len,
		    convert_fd_identity, NULL);
		expect_type(ad, vectors[i].type);
		argdata_free(ad);
	}
}

static void
test_argdata_get_type__unknown_tag(void **state)
{
	static const uint8_t bad[] = {0x00, 0x0a, 0x0b, 0x7f, 0x80, 0xff};
	argdata_type_t type;
	argdata_t *ad;
	size_t i;

	for (i = 0; i < sizeof(bad); i++) {
		ad = argdata_from_buffer(&bad[i], 1, NULL, NULL);
		assert_non_null(ad);
		type = (argdata_type_t)77;
		assert_int_equal(argdata_get_type(ad, &type), EINVAL);
		assert_int_equal(type, 77);
		/* No getter accepts a value of unknown type. */
		expect_wrong_type(ad, (argdata_type_t)-1);
		argdata_free(ad);
	}
}

static void
test_argdata_get_bool__corrupt(void **state)
{
	argdata_t *ad;
	bool b = true;

	ad = DECODE(0x02, 0x01, 0x01);
	assert_int_equal(argdata_get_bool(ad, &b), EINVAL);
	argdata_free(ad);
	ad = DECODE(0x02, 0x00);
	assert_int_equal(argdata_get_bool(ad, &b), EINVAL);
	argdata_free(ad);
	ad = DECODE(0x02, 0x02);
	assert_int_equal(argdata_get_bool(ad, &b), EINVAL);
	argdata_free(ad);
	assert_true(b);
	assert_int_equal(argdata_get_bool(&argdata_false, &b), 0);
	assert_false(b);
	assert_int_equal(argdata_get_bool(&argdata_true, &b), 0);
	assert_true(b);
}

static void
test_argdata_get_fd__corrupt_size(void **state)
{
	static const uint8_t buf[] = {0x03, 0, 0, 0, 1, 0};
	argdata_t *ad;
	size_t len;
	int fd = 77;

	for (len = 1; len <= sizeof(buf); len++) {
		if (len == 5)
			continue;
		ad = argdata_from_buffer(buf, len, convert_fd_identity, NULL);
		assert_int_equal(argdata_get_fd(ad, &fd), EINVAL);
		argdata_free(ad);
	}
	assert_int_equal(fd, 77);
	ad = argdata_from_buffer(buf, 5, convert_fd_identity, NULL);
	assert_int_equal(argdata_get_fd(ad, &fd), 0);
	assert_int_equal(fd, 1);
	argdata_free(ad);
}

static void
test_argdata_get_fd__convert_fd_null_refuses(void **state)
{
	argdata_t *ad = DECODE(0x03, 0, 0, 0, 0);
	int fd = 77;

	assert_int_equal(argdata_get_fd(ad, &fd), EBADF);
	assert_int_equal(fd, 77);
	argdata_free(ad);
}

static void
test_argdata_get_fd__convert_fd_fails(void **state)
{
	argdata_t *ad = argdata_from_buffer(BYTES(0x03, 0, 0, 0, 2),
	    convert_fd_refuse, NULL);
	int fd = 77;

	assert_int_equal(argdata_get_fd(ad, &fd), EBADF);
	assert_int_equal(fd, 77);
	argdata_free(ad);
}

static void
test_argdata_create_fd__negative(void **state)
{
	errno = 0;
	assert_null(argdata_create_fd(-1));
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_null(argdata_create_fd(INT_MIN));
	assert_int_equal(errno, EBADF);
}

static void
test_argdata_get_float__corrupt_size(void **state)
{
	static const uint8_t buf[] = {0x04, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0};
	argdata_t *ad;
	double d = 7.5;
	size_t len;

	for (len = 1; len <= sizeof(buf); len++) {
		if (len == 9)
			continue;
		ad = argdata_from_buffer(buf, len, NULL, NULL);
		assert_int_equal(argdata_get_float(ad, &d), EINVAL);
		argdata_free(ad);
	}
	assert_true(d == 7.5);
}

static void
test_argdata_get_int_s__range(void **state)
{
	argdata_t *ad;
	intmax_t v = 77;

	/* Zero is range-checked like every other value. */
	ad = argdata_create_int_s(0);
	assert_int_equal(argdata_get_int_s(ad, &v, 1, 10), ERANGE);
	assert_int_equal(argdata_get_int_s(ad, &v, -10, -1), ERANGE);
	assert_true(v == 77);
	assert_int_equal(argdata_get_int_s(ad, &v, 0, 0), 0);
	assert_true(v == 0);
	argdata_free(ad);
	ad = DECODE(0x05);
	v = 77;
	assert_int_equal(argdata_get_int_s(ad, &v, 1, 10), ERANGE);
	assert_true(v == 77);
	argdata_free(ad);

	ad = argdata_create_int_s(-5);
	v = 77;
	assert_int_equal(argdata_get_int_s(ad, &v, -4, 10), ERANGE);
	assert_true(v == 77);
	assert_int_equal(argdata_get_int_s(ad, &v, -10, -6), ERANGE);
	assert_true(v == 77);
	assert_int_equal(argdata_get_int_s(ad, &v, 0, 10), ERANGE);
	assert_true(v == 77);
	assert_int_equal(argdata_get_int_s(ad, &v, -5, -5), 0);
	assert_true(v == -5);
	argdata_free(ad);

	ad = argdata_create_int_u(UINTMAX_MAX);
	v = 77;
	assert_int_equal(argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX),
	    ERANGE);
	argdata_free(ad);
	ad = argdata_create_int_u((uintmax_t)INTMAX_MAX + 1);
	assert_int_equal(argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX),
	    ERANGE);
	argdata_free(ad);
	ad = DECODE(0x05, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX),
	    ERANGE);
	argdata_free(ad);
	/* Nine bytes whose value is negative and below INTMAX_MIN. */
	ad = DECODE(0x05, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	assert_int_equal(argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX),
	    ERANGE);
	argdata_free(ad);
	/* Far more bytes than any integer type holds. */
	ad = DECODE(0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX),
	    ERANGE);
	argdata_free(ad);
	assert_true(v == 77);
}

static void
test_argdata_get_int_u__range(void **state)
{
	argdata_t *ad;
	uintmax_t v = 77;

	ad = argdata_create_int_s(-1);
	assert_int_equal(argdata_get_int_u(ad, &v, UINTMAX_MAX), ERANGE);
	argdata_free(ad);
	ad = argdata_create_int_s(INTMAX_MIN);
	assert_int_equal(argdata_get_int_u(ad, &v, UINTMAX_MAX), ERANGE);
	argdata_free(ad);
	ad = DECODE(0x05, 0x80);
	assert_int_equal(argdata_get_int_u(ad, &v, UINTMAX_MAX), ERANGE);
	argdata_free(ad);
	ad = argdata_create_int_u(11);
	assert_int_equal(argdata_get_int_u(ad, &v, 10), ERANGE);
	assert_true(v == 77);
	assert_int_equal(argdata_get_int_u(ad, &v, 11), 0);
	assert_true(v == 11);
	argdata_free(ad);
	ad = DECODE(0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
	v = 77;
	assert_int_equal(argdata_get_int_u(ad, &v, UINTMAX_MAX), ERANGE);
	argdata_free(ad);
	ad = DECODE(0x05);
	assert_int_equal(argdata_get_int_u(ad, &v, 0), 0);
	assert_true(v == 0);
	argdata_free(ad);
}

/*
 * argdata_create_int and argdata_get_int for one integer type: both ends of
 * the type round-trip, and one past either end (when a wider type can hold
 * it) is ERANGE with the output left alone.
 */
#define CHECK_INT_TYPE(T, MIN, MAX, SIGNED)                                    \
	do {                                                                   \
		T v;                                                           \
		argdata_t *ad;                                                 \
		intmax_t smin = (intmax_t)(MIN);                               \
		uintmax_t umax = (uintmax_t)(MAX);                             \
		ad = argdata_create_int((T)(MIN));                             \
		assert_non_null(ad);                                           \
		v = (T)1;                                                      \
		assert_int_equal(argdata_get_int(ad, &v), 0);                  \
		assert_true(v == (T)(MIN));                                    \
		argdata_free(ad);                                              \
		ad = argdata_create_int((T)(MAX));                             \
		v = (T)1;                                                      \
		assert_int_equal(argdata_get_int(ad, &v), 0);                  \
		assert_true(v == (T)(MAX));                                    \
		argdata_free(ad);                                              \
		ad = (SIGNED) && smin > INTMAX_MIN                             \
		    ? argdata_create_int_s(smin - 1)                           \
		    : argdata_create_int_s(-1);                                \
		v = (T)1;                                                      \
		if ((SIGNED) && smin == INTMAX_MIN)                            \
			assert_int_equal(argdata_get_int(ad, &v), 0);          \
		else                                                           \
			assert_int_equal(argdata_get_int(ad, &v), ERANGE);     \
		argdata_free(ad);                                              \
		if (umax < UINTMAX_MAX) {                                      \
			ad = argdata_create_int_u(umax + 1);                   \
			v = (T)1;                                              \
			assert_int_equal(argdata_get_int(ad, &v), ERANGE);     \
			assert_true(v == (T)1);                                \
			argdata_free(ad);                                      \
		}                                                              \
		ad = argdata_create_int_u(UINTMAX_MAX);                        \
		v = (T)1;                                                      \
		assert_int_equal(argdata_get_int(ad, &v),                      \
		    umax == UINTMAX_MAX ? 0 : ERANGE);                         \
		argdata_free(ad);                                              \
	} while (0)

static void
test_argdata_get_int__every_type(void **state)
{
	CHECK_INT_TYPE(char, CHAR_MIN, CHAR_MAX, CHAR_MIN < 0);
	CHECK_INT_TYPE(signed char, SCHAR_MIN, SCHAR_MAX, 1);
	CHECK_INT_TYPE(unsigned char, 0, UCHAR_MAX, 0);
	CHECK_INT_TYPE(short, SHRT_MIN, SHRT_MAX, 1);
	CHECK_INT_TYPE(unsigned short, 0, USHRT_MAX, 0);
	CHECK_INT_TYPE(int, INT_MIN, INT_MAX, 1);
	CHECK_INT_TYPE(unsigned int, 0, UINT_MAX, 0);
	CHECK_INT_TYPE(long, LONG_MIN, LONG_MAX, 1);
	CHECK_INT_TYPE(unsigned long, 0, ULONG_MAX, 0);
	CHECK_INT_TYPE(long long, LLONG_MIN, LLONG_MAX, 1);
	CHECK_INT_TYPE(unsigned long long, 0, ULLONG_MAX, 0);
}

/* _Generic picks the signed or unsigned constructor by the argument type. */
static void
test_argdata_create_int__generic_selection(void **state)
{
	argdata_t *ad;

	ad = argdata_create_int((unsigned char)200);
	expect_encoding(ad, BYTES(0x05, 0x00, 0xc8));
	argdata_free(ad);
	ad = argdata_create_int((signed char)-56);
	expect_encoding(ad, BYTES(0x05, 0xc8));
	argdata_free(ad);
	ad = argdata_create_int((unsigned short)65535);
	expect_encoding(ad, BYTES(0x05, 0x00, 0xff, 0xff));
	argdata_free(ad);
	ad = argdata_create_int((short)-1);
	expect_encoding(ad, BYTES(0x05, 0xff));
	argdata_free(ad);
	ad = argdata_create_int(UINT_MAX);
	expect_encoding(ad, BYTES(0x05, 0x00, 0xff, 0xff, 0xff, 0xff));
	argdata_free(ad);
	ad = argdata_create_int(-2);
	expect_encoding(ad, BYTES(0x05, 0xfe));
	argdata_free(ad);
	ad = argdata_create_int(ULONG_MAX);
	expect_encoding(ad,
	    BYTES(0x05, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
	argdata_free(ad);
	ad = argdata_create_int(LLONG_MIN);
	expect_encoding(ad, BYTES(0x05, 0x80, 0, 0, 0, 0, 0, 0, 0));
	argdata_free(ad);
}

/* clang-format off */
/* Valid and invalid UTF-8, through create_str and the decoder. */
static const struct {
	const char *bytes;
	size_t len;
	bool valid;
} utf8[] = {
	{"", 0, true},
	{"plain ascii ~\x7f", 14, true},
	{"\xc2\x80", 2, true},
	{"\xdf\xbf", 2, true},
	{"\xe0\xa0\x80", 3, true},
	{"\xed\x9f\xbf", 3, true},
	{"\xee\x80\x80", 3, true},
	{"\xef\xbf\xbf", 3, true},
	{"\xf0\x90\x80\x80", 4, true},
	{"\xf4\x8f\xbf\xbf", 4, true},
	{"\x80", 1, false},
	{"a\xbf", 2, false},
	{"\xc0\x80", 2, false},
	{"\xc1\xbf", 2, false},
	{"\xc3", 1, false},
	{"\xc3\x41", 2, false},
	{"\xe0\x80\x80", 3, false},
	{"\xe0\x9f\xbf", 3, false},
	{"\xe2\x82", 2, false},
	{"\xe2\x28\xa1", 3, false},
	{"\xed\xa0\x80", 3, false},
	{"\xed\xbf\xbf", 3, false},
	{"\xf0\x80\x80\x80", 4, false},
	{"\xf0\x8f\xbf\xbf", 4, false},
	{"\xf0\x9f\x98", 3, false},
	{"\xf4\x90\x80\x80", 4, false},
	{"\xf5\x80\x80\x80", 4, false},
	{"\xf8\x88\x80\x80\x80", 5, false},
	{"\xfe", 1, false},
	{"\xff", 1, false},
};
/* clang-format on */

static void
test_argdata_create_str__utf8(void **state)
{
	size_t i;
	argdata_t *ad;
	char *copy;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++) {
		errno = 0;
		ad = argdata_create_str(utf8[i].bytes, utf8[i].len);
		if (utf8[i].valid) {
			if (ad == NULL)
				fail_msg("rejected valid UTF-8 %s",
				    hex(utf8[i].bytes, utf8[i].len));
		} else {
			if (ad != NULL)
				fail_msg("accepted bad UTF-8 %s",
				    hex(utf8[i].bytes, utf8[i].len));
			assert_int_equal(errno, EILSEQ);
		}
		argdata_free(ad);
		copy = strndup(utf8[i].bytes, utf8[i].len);
		assert_non_null(copy);
		errno = 0;
		ad = argdata_create_str_c(copy);
		assert_true((ad != NULL) == utf8[i].valid);
		if (ad == NULL)
			assert_int_equal(errno, EILSEQ);
		argdata_free(ad);
		free(copy);
	}
}

static void
test_argdata_get_str__utf8(void **state)
{
	uint8_t buf[16];
	const char *s;
	size_t i, len;
	argdata_t *ad;
	int want;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++) {
		buf[0] = 0x08;
		memcpy(buf + 1, utf8[i].bytes, utf8[i].len);
		buf[1 + utf8[i].len] = 0;
		ad = argdata_from_buffer(buf, utf8[i].len + 2, NULL, NULL);
		want = utf8[i].valid ? 0 : EILSEQ;
		s = NULL;
		len = 77;
		if (argdata_get_str(ad, &s, &len) != want)
			fail_msg("get_str of %s: not %d",
			    hex(utf8[i].bytes, utf8[i].len), want);
		if (want == 0) {
			assert_ptr_equal(s, buf + 1);
			assert_int_equal(len, utf8[i].len);
		} else {
			assert_null(s);
			assert_int_equal(len, 77);
		}
		assert_int_equal(argdata_get_str_c(ad, &s), want);
		argdata_free(ad);
	}
}

/*
 * NUL is valid UTF-8: the string keeps it, get_str returns all of it and
 * get_str_c refuses it, since a C string would be cut short.
 */
static void
test_argdata_create_str__nul_inside(void **state)
{
	argdata_t *ad = argdata_create_str("a\0b", 3);
	const char *s;
	size_t len;

	assert_non_null(ad);
	assert_int_equal(argdata_get_str(ad, &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 3);
	assert_int_equal(argdata_get_str_c(ad, &s), EILSEQ);
	argdata_free(ad);
}

static void
test_argdata_get_str__missing_nul(void **state)
{
	argdata_t *ad;
	const char *s = "x";
	size_t len = 77;

	ad = DECODE(0x08, 0x41, 0x42);
	assert_int_equal(argdata_get_str(ad, &s, &len), EINVAL);
	assert_int_equal(argdata_get_str_c(ad, &s), EINVAL);
	argdata_free(ad);
	ad = DECODE(0x08);
	assert_int_equal(argdata_get_str(ad, &s, &len), EINVAL);
	assert_int_equal(argdata_get_str_c(ad, &s), EINVAL);
	argdata_free(ad);
	assert_string_equal(s, "x");
	assert_int_equal(len, 77);
}

static void
test_argdata_get_str_c__nul_inside(void **state)
{
	argdata_t *ad = DECODE(0x08, 0x41, 0x00, 0x42, 0x00);
	const char *s = "x";
	size_t len = 0;

	assert_int_equal(argdata_get_str(ad, &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "A\0B", 4);
	s = "x";
	assert_int_equal(argdata_get_str_c(ad, &s), EILSEQ);
	assert_string_equal(s, "x");
	argdata_free(ad);
}

/*
 * A string made with argdata_create_str whose bytes end right before an
 * inaccessible page: nothing may look for a NUL past them. create_str
 * keeps a NUL-terminated copy, so get_str_c succeeds on it.
 */
static void
test_argdata_get_str_c__unterminated_in_memory(void **state)
{
	struct fenced f;
	const char *p = fenced_copy(&f, "abc", 3, true);
	const char *s = "x";
	size_t len = 0;
	argdata_t *ad;

	ad = argdata_create_str(p, 3);
	assert_non_null(ad);
	assert_int_equal(argdata_get_str(ad, &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "abc", 4);
	s = "x";
	assert_int_equal(argdata_get_str_c(ad, &s), 0);
	assert_string_equal(s, "abc");
	expect_encoding(ad, BYTES(0x08, 0x61, 0x62, 0x63, 0x00));
	argdata_free(ad);
	fenced_free(&f);

	/* Only len bytes count, whatever follows them. */
	p = fenced_copy(&f, "abcd", 4, true);
	ad = argdata_create_str(p, 2);
	assert_int_equal(argdata_get_str_c(ad, &s), 0);
	assert_string_equal(s, "ab");
	argdata_free(ad);
	fenced_free(&f);

	/* create_str_c keeps the caller's string. */
	p = fenced_copy(&f, "xyz", 4, true);
	ad = argdata_create_str_c(p);
	assert_int_equal(argdata_get_str_c(ad, &s), 0);
	assert_ptr_equal(s, p);
	argdata_free(ad);
	fenced_free(&f);
}

static void
test_argdata_get_timestamp__range(void **state)
{
	struct timespec ts = {77, 77};
	argdata_t *ad;

	if (sizeof(time_t) != 8)
		skip();
	ad = DECODE(0x09, 0x1d, 0xcd, 0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00);
	assert_int_equal(argdata_get_timestamp(ad, &ts), ERANGE);
	argdata_free(ad);
	ad = DECODE(0x09, 0xe2, 0x32, 0x9a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff);
	assert_int_equal(argdata_get_timestamp(ad, &ts), ERANGE);
	argdata_free(ad);
	ad = DECODE(0x09, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	assert_int_equal(argdata_get_timestamp(ad, &ts), ERANGE);
	argdata_free(ad);
	ad = DECODE(0x09, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_timestamp(ad, &ts), ERANGE);
	argdata_free(ad);
	assert_true(ts.tv_sec == 77 && ts.tv_nsec == 77);
}

/* Negative nanosecond counts decode with floor division. */
static void
test_argdata_get_timestamp__negative(void **state)
{
	struct timespec ts;
	argdata_t *ad;

	ad = DECODE(0x09, 0xff);
	assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
	assert_true(ts.tv_sec == -1 && ts.tv_nsec == 999999999);
	argdata_free(ad);
	ad = DECODE(0x09, 0x80);
	assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
	assert_true(ts.tv_sec == -1 && ts.tv_nsec == 1000000000 - 128);
	argdata_free(ad);
	/* -2^63 ns, the smallest 64-bit count. */
	ad = DECODE(0x09, 0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
	assert_true(ts.tv_sec == -9223372037 && ts.tv_nsec == 145224192);
	argdata_free(ad);
}

static void
test_argdata_create_timestamp__bad_nsec(void **state)
{
	struct timespec ts = {0, -1};

	errno = 0;
	assert_null(argdata_create_timestamp(&ts));
	assert_int_equal(errno, EINVAL);
	ts.tv_nsec = 1000000000;
	errno = 0;
	assert_null(argdata_create_timestamp(&ts));
	assert_int_equal(errno, EINVAL);
	ts.tv_nsec = 999999999;
	ts.tv_sec = -1;
	argdata_free(argdata_create_timestamp(&ts));
}

static void
test_argdata_create_seq__null_array(void **state)
{
	const argdata_t *one[] = {&argdata_null};

	errno = 0;
	assert_null(argdata_create_seq(NULL, 1));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(argdata_create_map(NULL, one, 1));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(argdata_create_map(one, NULL, 1));
	assert_int_equal(errno, EINVAL);
}

/*
 * Sizes that overflow size_t: the bytes behind a binary value are never
 * read before serialization, so huge lengths can be made from one byte.
 */
static void
test_argdata_create_seq__size_overflow(void **state)
{
	static const char byte;
	argdata_t *half = argdata_create_binary(&byte, SIZE_MAX / 2);
	argdata_t *big = argdata_create_binary(&byte, SIZE_MAX - 5);
	const argdata_t *two[] = {half, half, half};
	size_t size = 0;

	assert_non_null(half);
	assert_non_null(big);
	argdata_serialized_length(half, &size, NULL);
	assert_true(size == SIZE_MAX / 2 + 1);

	errno = 0;
	assert_null(argdata_create_seq(two, 2));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(argdata_create_seq(two, 3));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(argdata_create_map(two, two, 1));
	assert_int_equal(errno, ENOMEM);
	/* A single element whose length prefix no longer fits. */
	two[0] = big;
	errno = 0;
	assert_null(argdata_create_seq(two, 1));
	assert_int_equal(errno, ENOMEM);
	argdata_free(half);
	argdata_free(big);

	/* A binary value whose tag byte no longer fits. */
	errno = 0;
	assert_null(argdata_create_binary(&byte, SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
}

static void
test_argdata_free__null_and_errno(void **state)
{
	argdata_t *ad = argdata_create_int_s(3);

	errno = 1234;
	argdata_free(NULL);
	assert_int_equal(errno, 1234);
	argdata_free(ad);
	assert_int_equal(errno, 1234);
	ad = DECODE(0x05, 0x01);
	argdata_free(ad);
	assert_int_equal(errno, 1234);
}

static void
test_argdata_from_buffer__values_point_into_buffer(void **state)
{
	static const uint8_t buf[] = {0x01, 'b', 'i', 'n'};
	argdata_t *ad = argdata_from_buffer(buf, sizeof(buf), NULL, NULL);
	const void *p;
	size_t len;

	assert_int_equal(argdata_get_binary(ad, &p, &len), 0);
	assert_ptr_equal(p, buf + 1);
	assert_int_equal(len, 3);
	argdata_free(ad);
}

/*
 * Integers and strings are read a word at a time where the bytes before
 * them are known to be readable (inside a container, in a value made in
 * memory) and byte by byte elsewhere: every size, at the very start of a
 * buffer that follows an inaccessible page, inside a sequence that starts
 * there, and made in memory, gives the same values and errors, and reads
 * nothing outside the buffer.
 */
static void
test_argdata_get_int_s__every_size_everywhere(void **state)
{
	static const int64_t edges[] = {0, 1, -1, 127, 128, -128, -129, 255,
	    256, 32767, -32768, 32768, 8388607, -8388609, 2147483647,
	    -2147483648LL, 549755813887LL, -549755813889LL, 140737488355327LL,
	    36028797018963967LL, -36028797018963969LL, INT64_MAX, INT64_MIN};
	uint8_t seq[1 + 16 * 23], one[10];
	size_t n = 1, i;
	struct fenced f1, f2;

	seq[0] = 0x07;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		argdata_t *ad = argdata_create_int_s(edges[i]);
		size_t len;
		intmax_t v;
		uintmax_t u;

		assert_non_null(ad);
		argdata_serialized_length(ad, &len, NULL);
		argdata_serialize(ad, one, NULL);
		assert_int_equal(
		    argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX), 0);
		assert_true(v == edges[i]);
		assert_int_equal(argdata_get_int_u(ad, &u, UINTMAX_MAX),
		    edges[i] < 0 ? ERANGE : 0);
		argdata_free(ad);

		/* Alone, right after an inaccessible page. */
		ad = argdata_from_buffer(fenced_copy(&f1, one, len, false), len,
		    NULL, NULL);
		v = 0;
		assert_int_equal(
		    argdata_get_int_s(ad, &v, INTMAX_MIN, INTMAX_MAX), 0);
		assert_true(v == edges[i]);
		assert_int_equal(argdata_get_int_s(ad, &v,
		                     edges[i] + (edges[i] < INT64_MAX),
		                     INTMAX_MAX),
		    edges[i] < INT64_MAX ? ERANGE : 0);
		argdata_free(ad);
		fenced_free(&f1);
		seq[n++] = (uint8_t)(0x80 | len);
		memcpy(seq + n, one, len);
		n += len;
	}

	/* In a sequence at the start of a fenced buffer, at either end. */
	for (int at_end = 0; at_end < 2; at_end++) {
		argdata_t *ad = argdata_from_buffer(
		    fenced_copy(&f2, seq, n, at_end), n, NULL, NULL);
		argdata_seq_iterator_t it;
		const argdata_t *e;

		i = 0;
		for (argdata_seq_iterate(ad, &it); argdata_seq_get(&it, &e);
		     argdata_seq_next(&it)) {
			intmax_t v = 0;
			uintmax_t u = 0;

			assert_int_equal(
			    argdata_get_int_s(e, &v, INTMAX_MIN, INTMAX_MAX),
			    0);
			assert_true(v == edges[i]);
			assert_int_equal(argdata_get_int_u(e, &u, UINTMAX_MAX),
			    edges[i] < 0 ? ERANGE : 0);
			if (edges[i] >= 0)
				assert_true(u == (uintmax_t)edges[i]);
			i++;
		}
		assert_int_equal(i, sizeof(edges) / sizeof(edges[0]));
		argdata_free(ad);
		fenced_free(&f2);
	}
}

static void
test_argdata_get_str__every_length_everywhere(void **state)
{
	for (size_t len = 0; len <= 40; len++) {
		/* ASCII, then a bad byte at every position in turn. */
		for (size_t bad = 0; bad <= len; bad++) {
			uint8_t alone[43], seq[45];
			struct fenced f1, f2;
			const argdata_t *e;
			argdata_seq_iterator_t it;
			const char *s;
			size_t slen;
			int want = bad < len ? EILSEQ : 0;

			alone[0] = 0x08;
			for (size_t i = 0; i < len; i++)
				alone[1 + i] =
				    i == bad ? 0xff : (uint8_t)('a' + i % 26);
			alone[1 + len] = 0x00;
			seq[0] = 0x07;
			seq[1] = (uint8_t)(0x80 | (len + 2));
			memcpy(seq + 2, alone, len + 2);

			for (int at_end = 0; at_end < 2; at_end++) {
				argdata_t *a = argdata_from_buffer(
				    fenced_copy(&f1, alone, len + 2, at_end),
				    len + 2, NULL, NULL);
				argdata_t *q = argdata_from_buffer(
				    fenced_copy(&f2, seq, len + 4, at_end),
				    len + 4, NULL, NULL);

				assert_int_equal(argdata_get_str(a, &s, &slen),
				    want);
				argdata_seq_iterate(q, &it);
				assert_true(argdata_seq_get(&it, &e));
				assert_int_equal(argdata_get_str(e, &s, &slen),
				    want);
				if (want == 0)
					assert_int_equal(slen, len);
				argdata_free(a);
				argdata_free(q);
				fenced_free(&f1);
				fenced_free(&f2);
			}
			argdata_t *c =
			    argdata_create_str((const char *)alone + 1, len);
			if (want == 0)
				assert_non_null(c);
			else
				assert_null(c);
			argdata_free(c);
		}
	}
}

int
run_getter_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_get_type__every_type),
	    TEST_CASE(test_argdata_get_type__buffers),
	    TEST_CASE(test_argdata_get_type__decoded),
	    TEST_CASE(test_argdata_get_type__unknown_tag),
	    TEST_CASE(test_argdata_get_bool__corrupt),
	    TEST_CASE(test_argdata_get_fd__corrupt_size),
	    TEST_CASE(test_argdata_get_fd__convert_fd_null_refuses),
	    TEST_CASE(test_argdata_get_fd__convert_fd_fails),
	    TEST_CASE(test_argdata_create_fd__negative),
	    TEST_CASE(test_argdata_get_float__corrupt_size),
	    TEST_CASE(test_argdata_get_int_s__range),
	    TEST_CASE(test_argdata_get_int_u__range),
	    TEST_CASE(test_argdata_get_int__every_type),
	    TEST_CASE(test_argdata_create_int__generic_selection),
	    TEST_CASE(test_argdata_create_str__utf8),
	    TEST_CASE(test_argdata_get_str__utf8),
	    TEST_CASE(test_argdata_create_str__nul_inside),
	    TEST_CASE(test_argdata_get_str__missing_nul),
	    TEST_CASE(test_argdata_get_str_c__nul_inside),
	    TEST_CASE(test_argdata_get_str_c__unterminated_in_memory),
	    TEST_CASE(test_argdata_get_timestamp__range),
	    TEST_CASE(test_argdata_get_timestamp__negative),
	    TEST_CASE(test_argdata_create_timestamp__bad_nsec),
	    TEST_CASE(test_argdata_create_seq__null_array),
	    TEST_CASE(test_argdata_create_seq__size_overflow),
	    TEST_CASE(test_argdata_free__null_and_errno),
	    TEST_CASE(test_argdata_from_buffer__values_point_into_buffer),
	    TEST_CASE(test_argdata_get_int_s__every_size_everywhere),
	    TEST_CASE(test_argdata_get_str__every_length_everywhere),
	};

	return cmocka_run_group_tests_name("getters", tests, NULL, NULL);
}
