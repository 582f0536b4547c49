/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decode.c - reading the wire format (argdata(5)): subfield lengths,
 * integers, timestamps, UTF-8 and the checks of one scalar. Every reader
 * here is bounded by an end pointer and checks its arithmetic. Writing is
 * encode.h's.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "codec.h"

const char *
ad_read_subfield_long(const uint8_t **pos, const uint8_t *end,
    const uint8_t **field, size_t *fieldlen)
{
	const uint8_t *p = *pos;
	size_t len = 0;

	if (p >= end)
		return "truncated subfield length";
	/*
	 * Base 128, big-endian; the byte with the high bit set is the last.
	 * A leading 00 byte would give a second encoding of the same length.
	 */
	if (*p == 0x00)
		return "subfield length has a leading zero byte";
	for (;;) {
		uint8_t b;

		if (p >= end)
			return "truncated subfield length";
		b = *p++;
		if (len > (SIZE_MAX >> 7))
			return "subfield length too large";
		len = (len << 7) | (b & 0x7f);
		if (b & 0x80)
			break;
	}
	if (len > (size_t)(end - p))
		return "subfield runs past the end of its container";
	*field = p;
	*fieldlen = len;
	*pos = p + len;
	return NULL;
}

/*
 * The offset of the first byte of the first sequence in [s, s + len) that
 * is not valid UTF-8, or len when there is none.
 */
static size_t
utf8_check(const uint8_t *s, size_t len)
{
	const uint8_t *start = s, *end = s + len;

	while (s < end) {
		uint8_t c = *s;

		if (c < 0x80) {
			/* ASCII runs are the common case: take 8 at a time. */
			while ((size_t)(end - s) >= 8) {
				uint64_t w;

				memcpy(&w, s, 8);
				if (w & UINT64_C(0x8080808080808080))
					break;
				s += 8;
			}
			while (s < end && *s < 0x80)
				s++;
			continue;
		}
		size_t n;
		uint8_t lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* no overlong forms */
			else if (c == 0xed)
				hi = 0x9f; /* no surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90; /* no overlong forms */
			else if (c == 0xf4)
				hi = 0x8f; /* nothing above U+10FFFF */
		} else {
			return (size_t)(s - start);
		}
		if ((size_t)(end - s) <= n)
			return (size_t)(s - start);
		if (s[1] < lo || s[1] > hi)
			return (size_t)(s - start);
		for (size_t i = 2; i <= n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return (size_t)(s - start);
		s += n + 1;
	}
	return len;
}

bool
ad_utf8_valid_long(const uint8_t *s, size_t len)
{
	return utf8_check(s, len) == len;
}

/*
 * Drops the bytes that only repeat the sign: 00 before a byte below 80,
 * FF before a byte of 80 or more. What remains is the shortest form.
 */
static void
int_trim(const uint8_t **p, size_t *len)
{
	while (*len > 1 &&
	    (((*p)[0] == 0x00 && (*p)[1] < 0x80) ||
	        ((*p)[0] == 0xff && (*p)[1] >= 0x80))) {
		(*p)++;
		(*len)--;
	}
}

int
ad_decode_int(const uint8_t *p, size_t len, bool *negative, uint64_t *magnitude)
{
	uint64_t raw;

	if (len <= 8) {
		/* Fits as it is: sign-extend in unsigned arithmetic. */
		*negative = len > 0 && (p[0] & 0x80);
		raw = *negative ? UINT64_MAX : 0;
		for (size_t i = 0; i < len; i++)
			raw = (raw << 8) | p[i];
		*magnitude = *negative ? ~raw + 1 : raw;
		return 0;
	}
	int_trim(&p, &len);
	if (len == 0) {
		*negative = false;
		*magnitude = 0;
		return 0;
	}
	*negative = (p[0] & 0x80) != 0;
	if (!*negative && p[0] == 0x00) {
		/* 00 FF..: the zero only makes room for the sign. */
		p++;
		len--;
	}
	if (len > 8)
		return ERANGE;
	/* Sign-extend in unsigned arithmetic: no shifts of negative values. */
	raw = *negative ? UINT64_MAX : 0;
	for (size_t i = 0; i < len; i++)
		raw = (raw << 8) | p[i];
	*magnitude = *negative ? ~raw + 1 : raw;
	return 0;
}

int
ad_decode_timestamp(const uint8_t *p, size_t len, struct timespec *ts)
{
	bool negative;
	unsigned __int128 raw, mag;

	int_trim(&p, &len);
	if (len > 16)
		return ERANGE;
	negative = len > 0 && (p[0] & 0x80) != 0;
	raw = negative ? ~(unsigned __int128)0 : 0;
	for (size_t i = 0; i < len; i++)
		raw = (raw << 8) | p[i];
	mag = negative ? ~raw + 1 : raw;

	/* Floor division by 10^9 on the magnitude, then the sign. */
	unsigned __int128 sec = mag / 1000000000, nsec = mag % 1000000000;
	if (negative && nsec != 0) {
		sec += 1;
		nsec = 1000000000 - nsec;
	}
	/* time_t is a signed 64-bit integer on every target we build for. */
	if (!negative && sec > (unsigned __int128)INT64_MAX)
		return ERANGE;
	if (negative && sec > (unsigned __int128)INT64_MAX + 1)
		return ERANGE;
	ts->tv_sec = negative ? (time_t)(-(int64_t)(sec - 1) - 1) : (time_t)sec;
	ts->tv_nsec = (long)nsec;
	return 0;
}

const char *
ad_check_scalar(const uint8_t *p, size_t len, size_t *at)
{
	size_t plen = len - 1;

	*at = 0;
	switch (p[0]) {
	case AD_TAG_BINARY:
	case AD_TAG_INT:
	case AD_TAG_TIMESTAMP:
		return NULL;
	case AD_TAG_BOOL:
		if (plen == 0 || (plen == 1 && p[1] == 0x01))
			return NULL;
		*at = 1;
		return "bool payload is neither empty nor 01";
	case AD_TAG_FD:
		return plen == 4 ? NULL : "fd payload is not 4 bytes";
	case AD_TAG_FLOAT:
		return plen == 8 ? NULL : "float payload is not 8 bytes";
	case AD_TAG_STR:
		if (plen == 0 || p[len - 1] != 0x00) {
			*at = len - 1;
			return "string does not end in a NUL byte";
		}
		if ((*at = utf8_check(p + 1, plen - 1)) != plen - 1) {
			*at += 1;
			return "string is not valid UTF-8";
		}
		*at = 0;
		return NULL;
	default:
		return "unknown tag";
	}
}
