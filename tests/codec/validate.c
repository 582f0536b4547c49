/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata_validate on hostile buffers: the offset of the first defect, a
 * reason, agreement with a full walk through the getters and iterators, and
 * no read outside the buffer (each buffer is fenced by inaccessible pages,
 * at its end and at its start).
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

#define VALID SIZE_MAX

/*
 * Offsets follow argdata(3): an unknown tag and a descriptor or float
 * payload of the wrong size at the value's tag byte; a bool payload other
 * than empty or 01 at its first byte; a string that does not end in NUL at
 * its last byte (the tag when it has none); bad UTF-8 at the first byte of
 * the first sequence that is not valid; a bad subfield length (past its container, cut short, with a
 * leading zero byte, too large) at the first byte of the length; a map key
 * without a value at the end of the map.
 */
/* clang-format off */
static const struct {
	const char *what;
	uint8_t bytes[24];
	size_t len;
	size_t offset;
} cases[] = {
	{"null", {0}, 0, VALID},
	{"empty binary", {0x01}, 1, VALID},
	{"empty map", {0x06}, 1, VALID},
	{"sequence of null", {0x07, 0x80}, 2, VALID},
	{"string with a NUL inside", {0x08, 0x41, 0x00, 0x42, 0x00}, 5, VALID},
	{"integer wider than any type", {0x05, 0x01, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	    11, 12}, 13, VALID},
	{"integer with leading zero bytes", {0x05, 0x00, 0x00, 0x01}, 4, VALID},
	{"timestamp beyond timespec", {0x09, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	    10, 11, 12, 13, 14}, 16, VALID},
	{"descriptor number 2^32 - 1", {0x03, 0xff, 0xff, 0xff, 0xff}, 5,
	    VALID},
	{"map of two pairs", {0x06, 0x80, 0x80, 0x81, 0x02, 0x82, 0x02, 0x01},
	    8, VALID},

	{"tag 0x00", {0x00}, 1, 0},
	{"tag 0x0a", {0x0a, 0x01}, 2, 0},
	{"tag 0xff", {0xff, 0x01, 0x02}, 3, 0},
	{"unknown tag in a sequence", {0x07, 0x81, 0x0b}, 3, 2},
	{"unknown tag as a map value", {0x06, 0x80, 0x81, 0x80}, 4, 3},
	{"third element of unknown tag", {0x07, 0x80, 0x80, 0x81, 0x0c}, 5, 4},
	{"length past the end", {0x07, 0x85, 0x05}, 3, 1},
	{"second length past the end", {0x07, 0x81, 0x05, 0x83, 0x05}, 5, 3},
	{"length past the end of an inner sequence", {0x07, 0x83, 0x07, 0x82,
	    0x05, 0x01}, 6, 3},
	{"length without its last byte", {0x07, 0x01}, 2, 1},
	{"length cut after a null element", {0x07, 0x80, 0x05}, 3, 2},
	{"length cut after two bytes", {0x07, 0x81, 0x05, 0x01, 0x02}, 5, 3},
	{"length with a leading zero byte", {0x07, 0x00, 0x81, 0x05}, 4, 1},
	{"zero length with a leading zero byte", {0x07, 0x00, 0x80}, 3, 1},
	{"leading zero byte after an element", {0x07, 0x81, 0x05, 0x00, 0x81,
	    0x05}, 6, 3},
	{"length overflowing size_t", {0x07, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
	    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0xff}, 12, 1},
	{"huge length", {0x07, 0x0f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
	    0xff, 0x05}, 11, 1},
	{"map of one key", {0x06, 0x81, 0x05}, 3, 3},
	{"map of three subfields", {0x06, 0x81, 0x05, 0x81, 0x05, 0x82, 0x05,
	    0x01}, 8, 8},
	{"string without NUL", {0x08, 0x41, 0x42}, 3, 2},
	{"string without any byte", {0x08}, 1, 0},
	{"key without NUL", {0x06, 0x83, 0x08, 0x41, 0x41, 0x81, 0x05}, 7, 4},
	{"string cut inside a character", {0x08, 0xc3, 0x00}, 3, 1},
	{"overlong NUL", {0x08, 0x41, 0xc0, 0x80, 0x00}, 5, 2},
	{"overlong three-byte form", {0x08, 0xe0, 0x9f, 0xbf, 0x00}, 5, 1},
	{"surrogate", {0x08, 0x41, 0x42, 0xed, 0xa0, 0x80, 0x00}, 7, 3},
	{"beyond U+10FFFF", {0x08, 0xf4, 0x90, 0x80, 0x80, 0x00}, 6, 1},
	{"byte 0xff", {0x08, 0xff, 0x00}, 3, 1},
	{"stray continuation byte", {0x08, 0xc3, 0xa9, 0xa9, 0x00}, 5, 3},
	{"bad UTF-8 in a sequence", {0x07, 0x84, 0x08, 0x41, 0xfe, 0x00}, 6,
	    4},
	{"bool of two bytes", {0x02, 0x01, 0x01}, 3, 1},
	{"bool of byte 0", {0x02, 0x00}, 2, 1},
	{"bool of byte 2", {0x06, 0x80, 0x82, 0x02, 0x02}, 5, 4},
	{"descriptor of three bytes", {0x03, 0, 0, 0}, 4, 0},
	{"descriptor of five bytes", {0x03, 0, 0, 0, 0, 0}, 6, 0},
	{"descriptor of no bytes", {0x07, 0x81, 0x03}, 3, 2},
	{"float of seven bytes", {0x04, 0, 0, 0, 0, 0, 0, 0}, 8, 0},
	{"float of nine bytes", {0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 0},
	{"float of one byte in a sequence", {0x07, 0x82, 0x04, 0x00}, 4, 2},
	{"first of two defects", {0x07, 0x82, 0x08, 0x41, 0x83, 0x0b}, 6, 3},
};
/* clang-format on */

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
test_argdata_validate__hostile_table(void **state)
{
	struct fenced f;
	size_t i, offset, pass;
	const char *reason;
	const void *buf;
	int want, got;

	for (i = 0; i < NCASES; i++) {
		for (pass = 0; pass < 2; pass++) {
			buf = fenced_copy(&f, cases[i].bytes, cases[i].len,
			    pass == 0);
			offset = 12345;
			reason = NULL;
			want = cases[i].offset == VALID ? 0 : EINVAL;
			got = argdata_validate(buf, cases[i].len, &offset,
			    &reason);
			if (got != want)
				fail_msg("%s (%s): validate returned %d, not "
				         "%d",
				    cases[i].what,
				    hex(cases[i].bytes, cases[i].len), got,
				    want);
			if (want == 0) {
				fenced_free(&f);
				continue;
			}
			if (offset != cases[i].offset)
				fail_msg("%s (%s): offset %zu, not %zu (%s)",
				    cases[i].what,
				    hex(cases[i].bytes, cases[i].len), offset,
				    cases[i].offset,
				    reason ? reason : "no reason");
			if (reason == NULL || reason[0] == '\0')
				fail_msg("%s: no reason given", cases[i].what);
			/* Either output may be left out. */
			assert_int_equal(
			    argdata_validate(buf, cases[i].len, NULL, &reason),
			    EINVAL);
			assert_int_equal(
			    argdata_validate(buf, cases[i].len, &offset, NULL),
			    EINVAL);
			assert_int_equal(offset, cases[i].offset);
			assert_int_equal(
			    argdata_validate(buf, cases[i].len, NULL, NULL),
			    EINVAL);
			fenced_free(&f);
		}
	}
}

/* The walk through the public getters agrees with the validator. */
static void
expect_walk_agrees(const void *bytes, size_t len, const char *what)
{
	struct fenced f;
	const void *buf;
	argdata_t *ad;
	size_t pass, values, framed, offset = 0;
	const char *reason = NULL;
	bool walked;
	int valid;

	for (pass = 0; pass < 2; pass++) {
		buf = fenced_copy(&f, bytes, len, pass == 0);
		ad = argdata_from_buffer(buf, len, convert_fd_identity, NULL);
		assert_non_null(ad);
		walked = walk_tree(ad, &values);
		valid = argdata_validate(buf, len, &offset, &reason);
		if (walked != (valid == 0))
			fail_msg("%s (%s): walk %s, validate %d at %zu (%s)",
			    what, hex(bytes, len), walked ? "ok" : "fails",
			    valid, offset, reason ? reason : "");
		/*
		 * The internal walk checks framing only: it may pass where
		 * validate fails, never the other way round, and it sees the
		 * same values where both pass.
		 */
		if (ad_walk_tree(ad, &framed)) {
			if (valid == 0)
				assert_int_equal(framed, values);
		} else if (valid == 0) {
			fail_msg("%s (%s): ad_walk fails, validate passes",
			    what, hex(bytes, len));
		}
		if (valid != 0)
			assert_true(offset <= len);
		argdata_free(ad);
		fenced_free(&f);
	}
}

static void
test_argdata_validate__agrees_with_walk_on_table(void **state)
{
	size_t i;

	for (i = 0; i < NCASES; i++)
		expect_walk_agrees(cases[i].bytes, cases[i].len, cases[i].what);
}

/*
 * Mutants of random valid encodings: flipped bits, bytes overwritten,
 * inserted and removed, and truncations. Whatever the bytes, the walk and
 * the validator agree, and neither reads outside the buffer.
 */
static void
test_argdata_validate__agrees_with_walk_on_mutants(void **state)
{
	enum { MUTANTS = 3000 };
	uint64_t rng = 0x5eed;
	uint8_t *buf, *m;
	size_t n, len, mlen, pos, k, edits;

	for (n = 0; n < MUTANTS; n++) {
		buf = random_encoding(&rng, &len);
		m = malloc(len + 8);
		assert_non_null(m);
		memcpy(m, buf, len);
		mlen = len;
		edits = 1 + rng_below(&rng, 3);
		for (k = 0; k < edits; k++) {
			pos = rng_below(&rng, mlen + 1);
			switch (rng_below(&rng, 5)) {
			case 0:
				if (pos < mlen)
					m[pos] ^=
					    (uint8_t)(1u << rng_below(&rng, 8));
				break;
			case 1:
				if (pos < mlen)
					m[pos] = (uint8_t)rng_next(&rng);
				break;
			case 2:
				if (mlen < len + 8) {
					memmove(m + pos + 1, m + pos,
					    mlen - pos);
					m[pos] = (uint8_t)rng_next(&rng);
					mlen++;
				}
				break;
			case 3:
				if (pos < mlen) {
					memmove(m + pos, m + pos + 1,
					    mlen - pos - 1);
					mlen--;
				}
				break;
			default:
				mlen = pos;
				break;
			}
		}
		expect_walk_agrees(m, mlen, "mutant");
		free(m);
		free(buf);
	}
}

/*
 * Short random buffers made of likely bytes (tags, short lengths, string
 * bytes): most are corrupt in some small way, which is where the walk and
 * the validator could disagree.
 */
static void
test_argdata_validate__agrees_with_walk_on_random_bytes(void **state)
{
	enum { BUFFERS = 20000 };
	static const uint8_t likely[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
	    0x06, 0x07, 0x08, 0x09, 0x0a, 0x41, 0xc3, 0xa9, 0xff, 0x7f};
	uint64_t rng = 0xb17e5;
	uint8_t buf[24];
	size_t n, i, len;

	for (n = 0; n < BUFFERS; n++) {
		len = rng_below(&rng, sizeof(buf) + 1);
		for (i = 0; i < len; i++) {
			switch (rng_below(&rng, 3)) {
			case 0:
				buf[i] =
				    likely[rng_below(&rng, sizeof(likely))];
				break;
			case 1:
				buf[i] = (uint8_t)(0x80 | rng_below(&rng, 6));
				break;
			default:
				buf[i] = (uint8_t)rng_next(&rng);
				break;
			}
		}
		/* Mostly containers, which is where framing matters. */
		if (len > 0 && rng_below(&rng, 4) != 0)
			buf[0] = rng_below(&rng, 2) ? 0x06 : 0x07;
		expect_walk_agrees(buf, len, "random bytes");
	}
}

/* Every prefix of a valid encoding: never a read past the shorter buffer. */
static void
test_argdata_validate__every_prefix(void **state)
{
	/* {"key": [1, "\u00e9", 1.5, fd 3, true], "": null} */
	static const uint8_t full[] = {0x06, 0x85, 0x08, 'k', 'e', 'y', 0x00,
	    0x9c, 0x07, 0x82, 0x05, 0x01, 0x84, 0x08, 0xc3, 0xa9, 0x00, 0x89,
	    0x04, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x85, 0x03, 0, 0, 0, 3, 0x82,
	    0x02, 0x01, 0x82, 0x08, 0x00, 0x80};
	size_t len;

	assert_int_equal(argdata_validate(full, sizeof(full), NULL, NULL), 0);
	for (len = 0; len <= sizeof(full); len++)
		expect_walk_agrees(full, len, "prefix");
}

int
run_validate_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_validate__hostile_table),
	    TEST_CASE(test_argdata_validate__agrees_with_walk_on_table),
	    TEST_CASE(test_argdata_validate__agrees_with_walk_on_mutants),
	    TEST_CASE(test_argdata_validate__agrees_with_walk_on_random_bytes),
	    TEST_CASE(test_argdata_validate__every_prefix),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
