/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.c - the text forms that the YAML printer and argdata-dump's JSON
 * and hex views share: a growable text buffer that flushes to a stream,
 * and the forms of floats, integers of any length, binary data and
 * timestamps. See text.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grow.h"
#include "codec.h"
#include "text.h"

void
ad_sbuf_reserve(struct ad_sbuf *sb, size_t more)
{
	/* Text comes in small pieces: grow by 256 bytes at least. */
	if (!sb->failed && more > sb->cap - sb->len &&
	    ad_grow(&sb->data, &sb->cap, sb->len, more < 256 ? 256 : more, 1,
	        NULL) != 0)
		sb->failed = true;
}

void
ad_sbuf_add(struct ad_sbuf *sb, const void *p, size_t n)
{
	/*
	 * Nothing to add: either buffer may still be NULL (never grown, or
	 * its growth failed), and memcpy() must not see a NULL pointer.
	 */
	if (n == 0)
		return;
	ad_sbuf_reserve(sb, n);
	if (sb->failed)
		return;
	memcpy(sb->data + sb->len, p, n);
	sb->len += n;
}

void
ad_sbuf_puts(struct ad_sbuf *sb, const char *s)
{
	ad_sbuf_add(sb, s, strlen(s));
}

void
ad_sbuf_putc(struct ad_sbuf *sb, char c)
{
	ad_sbuf_add(sb, &c, 1);
}

/*
 * The shortest of %.15g, %.16g and %.17g that reads back as the same
 * double, made to look like a float to every YAML reader (and still be a
 * JSON number): YAML 1.1 wants a '.' in the mantissa, so 1 prints as 1.0
 * and 1e+300 as 1.0e+300. The value must be finite.
 */
size_t
ad_format_float(char *out, double value)
{
	/* %.17g of a double takes at most 24 bytes. */
	char buf[32];
	char *e;

	for (int precision = 15; precision <= 17; precision++) {
		snprintf(buf, sizeof(buf), "%.*g", precision, value);
		if (strtod(buf, NULL) == value)
			break;
	}
	e = strchr(buf, 'e');
	if (strchr(buf, '.') != NULL)
		strcpy(out, buf);
	else if (e == NULL)
		snprintf(out, AD_FLOAT_MAX, "%s.0", buf);
	else
		snprintf(out, AD_FLOAT_MAX, "%.*s.0%s", (int)(e - buf), buf, e);
	return strlen(out);
}

void
ad_format_base64(struct ad_sbuf *sb, const unsigned char *p, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char quad[4];

	if (len / 3 < SIZE_MAX / 4 - 1)
		ad_sbuf_reserve(sb, len / 3 * 4 + 4);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		quad[0] = alphabet[v >> 18 & 63];
		quad[1] = alphabet[v >> 12 & 63];
		quad[2] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		quad[3] = i + 2 < len ? alphabet[v & 63] : '=';
		ad_sbuf_add(sb, quad, 4);
	}
}

/*
 * A timestamp as ISO 8601 in UTC with nanoseconds. Years outside 0000 to
 * 9999 use ISO 8601's expanded form with a sign.
 */
void
ad_format_timestamp(struct ad_sbuf *sb, const struct timespec *ts)
{
	int64_t secs = (int64_t)ts->tv_sec;
	int64_t days = secs / 86400, rem = secs % 86400;
	int64_t era, doe, yoe, doy, mp, year, month, day;
	char buf[96];

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* Days since 1970-01-01 to a civil date, in 400-year eras. */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = yoe + era * 400 + (month <= 2);

	snprintf(buf, sizeof(buf),
	    year >= 0 && year <= 9999 ? "%04" PRId64 : "%+05" PRId64, year);
	ad_sbuf_puts(sb, buf);
	snprintf(buf, sizeof(buf),
	    "-%02" PRId64 "-%02" PRId64 "T%02d:%02d:%02d.%09ldZ", month, day,
	    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
	    (long)ts->tv_nsec);
	ad_sbuf_puts(sb, buf);
}

/*
 * Integers longer than this many bytes print in hexadecimal: converting
 * to decimal takes time that grows with the square of the length.
 */
#define DECIMAL_MAX_BYTES 512

bool
ad_format_int(struct ad_sbuf *sb, const uint8_t *p, size_t len)
{
	uint8_t *buffer, *mag;
	uint32_t *limbs;
	size_t nlimbs = 0;
	bool negative;
	uint64_t small;
	char buf[32];

	if (ad_decode_int(p, len, &negative, &small) == 0) {
		snprintf(buf, sizeof(buf), "%s%" PRIu64,
		    negative && small != 0 ? "-" : "", small);
		ad_sbuf_puts(sb, buf);
		return false;
	}

	/* The magnitude, big-endian, without the sign extension. */
	negative = (p[0] & 0x80) != 0;
	buffer = mag = malloc(len);
	if (mag == NULL) {
		sb->failed = true;
		return false;
	}
	memcpy(mag, p, len);
	if (negative) {
		unsigned carry = 1;

		for (size_t i = len; i-- > 0;) {
			unsigned v = (uint8_t)~mag[i] + carry;

			mag[i] = (uint8_t)v;
			carry = v >> 8;
		}
	}
	while (len > 0 && mag[0] == 0) {
		mag++;
		len--;
	}
	if (negative)
		ad_sbuf_putc(sb, '-');
	if (len > DECIMAL_MAX_BYTES) {
		ad_sbuf_puts(sb, "0x");
		for (size_t i = 0; i < len; i++) {
			snprintf(buf, sizeof(buf), i == 0 ? "%X" : "%02X",
			    mag[i]);
			ad_sbuf_puts(sb, buf);
		}
		free(buffer);
		return true;
	}

	/* Base 10^9 limbs, least significant first: 9 digits per 29.9 bits. */
	limbs = malloc((len * 8 / 29 + 2) * sizeof(uint32_t));
	if (limbs == NULL) {
		free(buffer);
		sb->failed = true;
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		uint64_t carry = mag[i];

		for (size_t j = 0; j < nlimbs; j++) {
			uint64_t v = (uint64_t)limbs[j] * 256 + carry;

			limbs[j] = (uint32_t)(v % 1000000000);
			carry = v / 1000000000;
		}
		while (carry != 0) {
			limbs[nlimbs++] = (uint32_t)(carry % 1000000000);
			carry /= 1000000000;
		}
	}
	snprintf(buf, sizeof(buf), "%" PRIu32, limbs[nlimbs - 1]);
	ad_sbuf_puts(sb, buf);
	for (size_t j = nlimbs - 1; j-- > 0;) {
		snprintf(buf, sizeof(buf), "%09" PRIu32, limbs[j]);
		ad_sbuf_puts(sb, buf);
	}
	free(limbs);
	free(buffer);
	return false;
}

void
ad_sbuf_flush(struct ad_sbuf *sb, FILE *fp, bool all)
{
	if (sb->len >= AD_SBUF_FLUSH || (all && sb->len > 0)) {
		if (!sb->failed)
			fwrite(sb->data, 1, sb->len, fp);
		sb->len = 0;
	}
}
