/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The meaning of YAML scalars: the YAML 1.2 core schema for plain scalars,
 * and the explicit tags of the tag:yaml.org,2002: family.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_null(const char *s, size_t len)
{
	return len == 0 || (len == 1 && s[0] == '~') ||
	    (len == 4 &&
	        (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
	            memcmp(s, "NULL", 4) == 0));
}

static bool
is_bool(const char *s, size_t len, bool *value)
{
	if (len == 4 &&
	    (memcmp(s, "true", 4) == 0 || memcmp(s, "True", 4) == 0 ||
	        memcmp(s, "TRUE", 4) == 0)) {
		*value = true;
		return true;
	}
	if (len == 5 &&
	    (memcmp(s, "false", 5) == 0 || memcmp(s, "False", 5) == 0 ||
	        memcmp(s, "FALSE", 5) == 0)) {
		*value = false;
		return true;
	}
	return false;
}

static int
digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned)v < base ? v : -1;
}

/*
 * Integers of the core schema: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
 * Returns 1 on a match, 0 when s is not an integer, -1 when it is one that
 * does not fit in [-2^63, 2^64 - 1].
 */
static int
parse_int(const char *s, size_t len, bool *negative, uintmax_t *magnitude)
{
	unsigned base = 10;
	size_t i = 0;
	uintmax_t v = 0;
	bool neg = false, overflow = false;

	if (len > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		base = s[1] == 'o' ? 8 : 16;
		i = 2;
	} else if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return 0;
	for (; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return 0;
		if (v > (UINTMAX_MAX - (unsigned)d) / base)
			overflow = true;
		else
			v = v * base + (unsigned)d;
	}
	if (overflow || (neg && v > (uintmax_t)INTMAX_MAX + 1))
		return -1;
	*negative = neg && v != 0;
	*magnitude = v;
	return 1;
}

/*
 * Floats of the core schema:
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
 * [-+]?\.(inf|Inf|INF) and \.(nan|NaN|NAN).
 */
static bool
parse_float(const char *s, size_t len, double *value)
{
	size_t i = 0, digits = 0;
	bool neg = false;

	if (len == 4 &&
	    (memcmp(s, ".nan", 4) == 0 || memcmp(s, ".NaN", 4) == 0 ||
	        memcmp(s, ".NAN", 4) == 0)) {
		*value = NAN;
		return true;
	}
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (len - i == 4 &&
	    (memcmp(s + i, ".inf", 4) == 0 || memcmp(s + i, ".Inf", 4) == 0 ||
	        memcmp(s + i, ".INF", 4) == 0)) {
		*value = neg ? -INFINITY : INFINITY;
		return true;
	}
	while (i < len && is_digit(s[i])) {
		i++;
		digits++;
	}
	if (i < len && s[i] == '.') {
		size_t frac = 0;

		i++;
		while (i < len && is_digit(s[i])) {
			i++;
			frac++;
		}
		/* ".5" and "1." are floats, "." is not. */
		if (digits == 0 && frac == 0)
			return false;
		digits += frac;
	}
	if (digits == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < len && is_digit(s[i])) {
			i++;
			exp++;
		}
		if (exp == 0)
			return false;
	}
	if (i != len)
		return false;
	/* The text is NUL-terminated and checked, so strtod reads it all. */
	*value = strtod(s, NULL);
	return true;
}

/* Reads between min and max digits at s[*i]. */
static bool
digits(const char *s, size_t len, size_t *i, size_t min, size_t max,
    long *value)
{
	size_t n = 0;
	long v = 0;

	while (*i < len && n < max && is_digit(s[*i])) {
		v = v * 10 + (s[(*i)++] - '0');
		n++;
	}
	*value = v;
	return n >= min;
}

static bool
skip(const char *s, size_t len, size_t *i, char c)
{
	if (*i < len && s[*i] == c) {
		(*i)++;
		return true;
	}
	return false;
}

static void
skip_blanks(const char *s, size_t len, size_t *i)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

static bool
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to the given date of the proleptic Gregorian calendar.
 */
static long long
days_since_epoch(long y, long m, long d)
{
	/* Count years from March, so that the leap day ends a year. */
	long long yy = m <= 2 ? y - 1 : y;
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/*
 * YAML timestamps: YYYY-MM-DD, or
 * YYYY-M?M-D?D([Tt]|[ \t]+)H?H:MM:SS(.F*)?([ \t]*(Z|[-+]H?H(:MM)?))?
 */
static bool
parse_timestamp(const char *s, size_t len, struct timespec *ts)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};
	size_t i = 0;
	long y, mo, d, h = 0, mi = 0, sec = 0, nsec = 0, off = 0, sign = 1;

	/* Years outside 0000 to 9999: ISO 8601's expanded form, signed. */
	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		sign = s[i++] == '-' ? -1 : 1;
	if (!digits(s, len, &i, 4, i == 0 ? 4 : 9, &y) ||
	    !skip(s, len, &i, '-') || !digits(s, len, &i, 1, 2, &mo) ||
	    !skip(s, len, &i, '-') || !digits(s, len, &i, 1, 2, &d))
		return false;
	y *= sign;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return false;
	if (i < len) {
		if (s[i] == 'T' || s[i] == 't')
			i++;
		else if (s[i] == ' ' || s[i] == '\t')
			skip_blanks(s, len, &i);
		else
			return false;
		if (!digits(s, len, &i, 1, 2, &h) || !skip(s, len, &i, ':') ||
		    !digits(s, len, &i, 2, 2, &mi) || !skip(s, len, &i, ':') ||
		    !digits(s, len, &i, 2, 2, &sec))
			return false;
		if (h > 23 || mi > 59 || sec > 59)
			return false;
		if (skip(s, len, &i, '.')) {
			long scale = 100000000;

			/* Digits past nanoseconds are dropped. */
			while (i < len && is_digit(s[i])) {
				nsec += (s[i++] - '0') * scale;
				scale /= 10;
			}
		}
		skip_blanks(s, len, &i);
		if (skip(s, len, &i, 'Z')) {
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			long oh, om = 0;
			int osign = s[i++] == '-' ? -1 : 1;

			if (!digits(s, len, &i, 1, 2, &oh))
				return false;
			if (skip(s, len, &i, ':') &&
			    !digits(s, len, &i, 2, 2, &om))
				return false;
			if (oh > 23 || om > 59)
				return false;
			off = osign * (oh * 3600 + om * 60);
		}
		if (i != len)
			return false;
	}
	ts->tv_sec = (time_t)(days_since_epoch(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec - off);
	ts->tv_nsec = nsec;
	return true;
}

/* Base64 digit values; 64 marks whitespace, 65 padding, 255 the rest. */
static const uint8_t base64_table[256] = {
    ['\t'] = 64,
    ['\n'] = 64,
    ['\r'] = 64,
    [' '] = 64,
    ['='] = 65,
    ['+'] = 62,
    ['/'] = 63,
    ['0'] = 52,
    53,
    54,
    55,
    56,
    57,
    58,
    59,
    60,
    61,
    ['A'] = 0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    ['a'] = 26,
    27,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    38,
    39,
    40,
    41,
    42,
    43,
    44,
    45,
    46,
    47,
    48,
    49,
    50,
    51,
};

/* The table's zeroes that are not 'A': every other byte is invalid. */
static uint8_t
base64_value(unsigned char c)
{
	uint8_t v = base64_table[c];

	return v == 0 && c != 'A' ? 255 : v;
}

int
schema_base64(const char *s, size_t len, unsigned char *out, size_t *outlen)
{
	uint32_t acc = 0;
	size_t n = 0, o = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t v = base64_value((unsigned char)s[i]);

		if (v < 64) {
			/* Padding ends the data. */
			if (pad > 0)
				return -1;
			acc = acc << 6 | v;
			if (++n % 4 == 0) {
				out[o++] = (unsigned char)(acc >> 16);
				out[o++] = (unsigned char)(acc >> 8);
				out[o++] = (unsigned char)acc;
				acc = 0;
			}
		} else if (v == 65) {
			pad++;
		} else if (v != 64) {
			return -1;
		}
	}
	switch (n % 4) {
	case 1:
		return -1;
	case 2:
		out[o++] = (unsigned char)(acc >> 4);
		break;
	case 3:
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
		break;
	}
	if (pad > 2 || (pad > 0 && (n + pad) % 4 != 0))
		return -1;
	*outlen = o;
	return 0;
}

int
schema_resolve(const char *tag, const char *s, size_t len, bool plain,
    struct scalar *out, const char **why)
{
	const char *name;
	int r;

	if (tag == NULL) {
		/*
		 * Only these first characters can start a null, a bool or a
		 * number: most strings are known as such at once.
		 */
		if (!plain ||
		    (len > 0 && strchr("0123456789+-.~nNtTfF", s[0]) == NULL)) {
			out->type = ARGDATA_TYPE_STR;
			return 0;
		}
		if (is_null(s, len)) {
			out->type = ARGDATA_TYPE_NULL;
			return 0;
		}
		if (is_bool(s, len, &out->boolean)) {
			out->type = ARGDATA_TYPE_BOOL;
			return 0;
		}
		r = parse_int(s, len, &out->negative, &out->magnitude);
		if (r < 0) {
			*why = "integer out of range";
			return -1;
		}
		if (r > 0) {
			out->type = ARGDATA_TYPE_INT;
			return 0;
		}
		out->type = parse_float(s, len, &out->number)
		    ? ARGDATA_TYPE_FLOAT
		    : ARGDATA_TYPE_STR;
		return 0;
	}

	if (strncmp(tag, SCHEMA_YAML_PREFIX, strlen(SCHEMA_YAML_PREFIX)) != 0) {
		*why = "unknown tag";
		return -1;
	}
	name = tag + strlen(SCHEMA_YAML_PREFIX);
	if (strcmp(name, "str") == 0) {
		out->type = ARGDATA_TYPE_STR;
	} else if (strcmp(name, "null") == 0) {
		out->type = ARGDATA_TYPE_NULL;
		if (!is_null(s, len)) {
			*why = "!!null takes null, ~ or nothing";
			return -1;
		}
	} else if (strcmp(name, "bool") == 0) {
		out->type = ARGDATA_TYPE_BOOL;
		if (!is_bool(s, len, &out->boolean)) {
			*why = "!!bool takes true or false";
			return -1;
		}
	} else if (strcmp(name, "int") == 0) {
		out->type = ARGDATA_TYPE_INT;
		r = parse_int(s, len, &out->negative, &out->magnitude);
		if (r <= 0) {
			*why = r < 0
			    ? "integer out of range"
			    : "!!int takes an integer (decimal, 0o or 0x)";
			return -1;
		}
	} else if (strcmp(name, "float") == 0) {
		out->type = ARGDATA_TYPE_FLOAT;
		r = parse_int(s, len, &out->negative, &out->magnitude);
		if (r != 0) {
			out->number = r < 0 ? strtod(s, NULL)
			    : out->negative ? -(double)out->magnitude
			                    : (double)out->magnitude;
		} else if (!parse_float(s, len, &out->number)) {
			*why = "!!float takes a number, .inf, -.inf or .nan";
			return -1;
		}
	} else if (strcmp(name, "binary") == 0) {
		out->type = ARGDATA_TYPE_BINARY;
	} else if (strcmp(name, "timestamp") == 0) {
		out->type = ARGDATA_TYPE_TIMESTAMP;
		if (!parse_timestamp(s, len, &out->ts)) {
			*why =
			    "!!timestamp takes a date (2001-12-14) or a time "
			    "(2001-12-14T21:59:43.10Z)";
			return -1;
		}
	} else if (strcmp(name, "seq") == 0 || strcmp(name, "map") == 0) {
		*why = strcmp(name, "seq") == 0 ? "!!seq on a scalar"
		                                : "!!map on a scalar";
		return -1;
	} else {
		*why = "unknown tag";
		return -1;
	}
	return 0;
}

bool
schema_is_yaml_tag(const char *tag, const char *name)
{
	size_t ylen = strlen(SCHEMA_YAML_PREFIX);

	return strncmp(tag, SCHEMA_YAML_PREFIX, ylen) == 0 &&
	    strcmp(tag + ylen, name) == 0;
}

const char *
schema_type_name(argdata_type_t type)
{
	switch (type) {
	case ARGDATA_TYPE_NULL:
		return "null";
	case ARGDATA_TYPE_BINARY:
		return "binary data";
	case ARGDATA_TYPE_BOOL:
		return "a boolean";
	case ARGDATA_TYPE_FD:
		return "a descriptor";
	case ARGDATA_TYPE_FLOAT:
		return "a floating-point number";
	case ARGDATA_TYPE_INT:
		return "an integer";
	case ARGDATA_TYPE_MAP:
		return "a map";
	case ARGDATA_TYPE_SEQ:
		return "a sequence";
	case ARGDATA_TYPE_STR:
		return "a string";
	case ARGDATA_TYPE_TIMESTAMP:
		return "a timestamp";
	}
	return "a value";
}
