/*
 * argdata_print_yaml: prints a value as a YAML 1.2 document that standard
 * parsers (YAML 1.1 ones included) read back to the same values. Walks the
 * tree with an explicit stack, so that any depth prints in linear time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "codec.h"
#include "text.h"

/*
 * Collections nested deeper than this print in flow style ([...], {...}),
 * so that indentation, and with it the output, cannot grow with the square
 * of the depth.
 */
#define BLOCK_DEPTH_MAX 24

/*
 * A key printed longer than this is written as an explicit "? key": YAML
 * parsers refuse implicit keys longer than 1024 characters.
 */
#define IMPLICIT_KEY_MAX 512

#define INVALID "!!invalid \"\""

void
ad_sbuf_reserve(struct ad_sbuf *sb, size_t more)
{
	size_t cap;
	char *data;

	if (sb->failed || sb->cap - sb->len >= more)
		return;
	if (more > SIZE_MAX - sb->len) {
		sb->failed = true;
		return;
	}
	cap = sb->cap < 256 ? 256 : sb->cap;
	while (cap - sb->len < more)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	data = realloc(sb->data, cap);
	if (data == NULL) {
		sb->failed = true;
		return;
	}
	sb->data = data;
	sb->cap = cap;
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

/* Decodes one UTF-8 sequence of valid UTF-8; returns its length. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xf0) {
		n = 4;
		*cp = s[0] & 0x07;
	} else if (s[0] >= 0xe0) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else {
		n = 2;
		*cp = s[0] & 0x1f;
	}
	if (n > len) {
		/* Not UTF-8 after all: report the byte as it is. */
		*cp = s[0];
		return 1;
	}
	for (size_t i = 1; i < n; i++)
		*cp = *cp << 6 | (s[i] & 0x3f);
	return n;
}

/*
 * Whether a code point may appear unescaped in a YAML scalar: YAML's
 * printable set minus the characters that YAML 1.1 counts as line breaks
 * and the byte order mark, which readers may drop.
 */
static bool
printable(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return false;
	if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
		return false;
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return false;
	return cp <= 0x10ffff;
}

/*
 * Whether a string can be written as a plain scalar and read back as the
 * same string by YAML 1.2 and 1.1 readers, in block and flow context. This
 * is conservative: it must start with a letter, '_' or '/' (so never reads
 * as a number, a timestamp or an indicator), hold only letters, digits,
 * "_./-", inner single spaces and printable non-ASCII characters, and not
 * be a word that reads as null or a boolean.
 */
static bool
plain_ok(const char *str, size_t len)
{
	static const char *const words[] = {
	    "null", "true", "false", "yes", "no", "on", "off", "y", "n"};
	const unsigned char *s = (const unsigned char *)str;
	char c0 = str[0];

	if (len == 0 || len > 4096)
		return false;
	if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') ||
	        c0 == '_' || c0 == '/' || s[0] >= 0x80))
		return false;
	if (s[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		uint32_t cp;

		if (c >= 0x80) {
			i += utf8_decode(s + i, len - i, &cp);
			if (!printable(cp) || cp == 0xa0)
				return false;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		        c == '/' || c == '-' || c == ' '))
			return false;
		i++;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len &&
		    strncasecmp(words[i], str, len) == 0)
			return false;
	return true;
}

static const char hexdigits[] = "0123456789ABCDEF";

/*
 * Writes the escape of a code point in a double-quoted scalar: YAML's short
 * forms where it has one, \xXX or \uXXXX otherwise.
 */
static void
escape(struct ad_sbuf *sb, uint32_t cp)
{
	static const char short_forms[][2] = {{'"', '"'}, {'\\', '\\'},
	    {0x00, '0'}, {0x07, 'a'}, {0x08, 'b'}, {0x09, 't'}, {0x0a, 'n'},
	    {0x0b, 'v'}, {0x0c, 'f'}, {0x0d, 'r'}, {0x1b, 'e'}};
	char esc[6] = {'\\'};

	for (size_t i = 0; i < sizeof(short_forms) / sizeof(*short_forms);
	     i++) {
		if (cp == (unsigned char)short_forms[i][0]) {
			esc[1] = short_forms[i][1];
			ad_sbuf_add(sb, esc, 2);
			return;
		}
	}
	if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
		esc[1] = cp == 0x85 ? 'N' : cp == 0x2028 ? 'L' : 'P';
		ad_sbuf_add(sb, esc, 2);
	} else if (cp <= 0xff) {
		esc[1] = 'x';
		esc[2] = hexdigits[cp >> 4];
		esc[3] = hexdigits[cp & 15];
		ad_sbuf_add(sb, esc, 4);
	} else {
		esc[1] = 'u';
		for (int k = 0; k < 4; k++)
			esc[2 + k] = hexdigits[cp >> (12 - 4 * k) & 15];
		ad_sbuf_add(sb, esc, 6);
	}
}

/* Writes a string as a double-quoted scalar, escaping what needs it. */
static void
render_quoted(struct ad_sbuf *sb, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	ad_sbuf_reserve(sb, len + 2);
	ad_sbuf_putc(sb, '"');
	while (i < len) {
		size_t start = i, n;
		uint32_t cp;

		/* Copy runs that need no escape in one go. */
		while (i < len && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' &&
		       s[i] != '\\')
			i++;
		ad_sbuf_add(sb, s + start, i - start);
		if (i == len)
			break;
		n = utf8_decode(s + i, len - i, &cp);
		if (cp >= 0x80 && printable(cp)) {
			ad_sbuf_add(sb, s + i, n);
			i += n;
			continue;
		}
		i += n;
		escape(sb, cp);
	}
	ad_sbuf_putc(sb, '"');
}

static void
render_string(struct ad_sbuf *sb, const char *str, size_t len)
{
	if (plain_ok(str, len))
		ad_sbuf_add(sb, str, len);
	else
		render_quoted(sb, str, len);
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
			snprintf(
			    buf, sizeof(buf), i == 0 ? "%X" : "%02X", mag[i]);
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

/*
 * Renders a value that is not a map or sequence as a YAML scalar, or as
 * !!invalid when its encoding is corrupt.
 */
static void
render_scalar(struct ad_sbuf *sb, const argdata_t *ad)
{
	argdata_type_t type;
	const uint8_t *p = NULL;
	size_t len = 0;
	struct timespec ts;
	const void *bin;
	const char *str;
	char buf[AD_FLOAT_MAX + 8];
	double f;
	bool b;

	if (argdata_get_type(ad, &type) != 0) {
		ad_sbuf_puts(sb, INVALID);
		return;
	}
	if (ad->repr == AD_BUFFER && ad->length > 0) {
		p = ad->u.buffer.data + 1;
		len = ad->length - 1;
	}
	switch (type) {
	case ARGDATA_TYPE_NULL:
		ad_sbuf_puts(sb, "null");
		return;
	case ARGDATA_TYPE_BINARY:
		if (argdata_get_binary(ad, &bin, &len) != 0)
			break;
		ad_sbuf_puts(sb, "!!binary \"");
		ad_format_base64(sb, bin, len);
		ad_sbuf_putc(sb, '"');
		return;
	case ARGDATA_TYPE_BOOL:
		if (argdata_get_bool(ad, &b) != 0)
			break;
		ad_sbuf_puts(sb, b ? "true" : "false");
		return;
	case ARGDATA_TYPE_FD:
		/* The number as encoded, whether or not it converts. */
		if (p == NULL || len != 4)
			break;
		snprintf(buf, sizeof(buf), "!fd %" PRIu32,
		    (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		        (uint32_t)p[2] << 8 | p[3]);
		ad_sbuf_puts(sb, buf);
		return;
	case ARGDATA_TYPE_FLOAT:
		if (argdata_get_float(ad, &f) != 0)
			break;
		if (isnan(f))
			ad_sbuf_puts(sb, ".nan");
		else if (isinf(f))
			ad_sbuf_puts(sb, f < 0 ? "-.inf" : ".inf");
		else
			ad_sbuf_add(sb, buf, ad_format_float(buf, f));
		return;
	case ARGDATA_TYPE_INT:
		if (p == NULL)
			break;
		if (len == 0) {
			ad_sbuf_putc(sb, '0');
		} else {
			size_t start = sb->len;

			/* Hexadecimal needs the tag to read as an int. */
			if (ad_format_int(sb, p, len) && !sb->failed) {
				ad_sbuf_puts(sb, "!!int ");
				if (!sb->failed) {
					memmove(sb->data + start + 6,
					    sb->data + start,
					    sb->len - start - 6);
					memcpy(sb->data + start, "!!int ", 6);
				}
			}
		}
		return;
	case ARGDATA_TYPE_STR:
		if (argdata_get_str(ad, &str, &len) != 0)
			break;
		render_string(sb, str, len);
		return;
	case ARGDATA_TYPE_TIMESTAMP:
		if (argdata_get_timestamp(ad, &ts) != 0)
			break;
		ad_sbuf_puts(sb, "!!timestamp \"");
		ad_format_timestamp(sb, &ts);
		ad_sbuf_putc(sb, '"');
		return;
	default:
		break;
	}
	ad_sbuf_puts(sb, INVALID);
}

/* Flags of one open map or sequence. */
enum {
	F_MAP = 1 << 0,        /* a map, not a sequence */
	F_VALUE_NEXT = 1 << 1, /* a map whose next subfield is a value */
	F_EXPLICIT = 1 << 2,   /* the current key was written as "? key" */
	F_NONEMPTY = 1 << 3,   /* an entry has been written (flow commas) */
};

struct printer {
	FILE *fp;
	struct ad_sbuf line;
	struct ad_sbuf scalar;
	/* One byte of flags per open container, outermost first. */
	uint8_t *stack;
	size_t depth;
	size_t cap;
	/* Whether the next block entry must first write its indentation. */
	bool at_line_start;
	/* A container opened but not yet printed: it may turn out empty. */
	bool pending;
	bool pending_map;
};

static bool
is_flow(size_t depth)
{
	return depth >= BLOCK_DEPTH_MAX;
}

static void
indent(struct printer *pr, size_t depth)
{
	if (pr->at_line_start)
		for (size_t i = 0; i < depth; i++)
			ad_sbuf_puts(&pr->line, "  ");
	pr->at_line_start = false;
}

/* Sends what has accumulated to the stream once it grows large. */
static void
flush(struct printer *pr, bool all)
{
	if (pr->line.len >= 65536 || (all && pr->line.len > 0)) {
		if (!pr->line.failed)
			fwrite(pr->line.data, 1, pr->line.len, pr->fp);
		pr->line.len = 0;
	}
}

/*
 * Writes what goes before a node in its parent: indentation, "- ", the
 * key of a map entry, separators. When the node is a scalar key, key
 * holds its rendering: it is written here unless too long for an implicit
 * key, and F_EXPLICIT tells which.
 */
static void
before_node(struct printer *pr, const struct ad_sbuf *key)
{
	uint8_t *f;
	size_t d;

	if (pr->depth == 0)
		return;
	d = pr->depth - 1;
	f = &pr->stack[d];
	if (is_flow(d)) {
		if ((*f & F_MAP) && (*f & F_VALUE_NEXT)) {
			if (*f & F_EXPLICIT)
				ad_sbuf_puts(&pr->line, " : ");
			return;
		}
		if (*f & F_NONEMPTY)
			ad_sbuf_puts(&pr->line, ", ");
		*f |= F_NONEMPTY;
		if (!(*f & F_MAP))
			return;
		if (key != NULL && key->len <= IMPLICIT_KEY_MAX) {
			*f &= ~F_EXPLICIT;
			ad_sbuf_add(&pr->line, key->data, key->len);
			ad_sbuf_putc(&pr->line, ':');
		} else {
			*f |= F_EXPLICIT;
			ad_sbuf_puts(&pr->line, "? ");
		}
		return;
	}
	*f |= F_NONEMPTY;
	if (!(*f & F_MAP)) {
		indent(pr, d);
		ad_sbuf_puts(&pr->line, "- ");
		return;
	}
	if (*f & F_VALUE_NEXT) {
		if (*f & F_EXPLICIT) {
			indent(pr, d);
			ad_sbuf_puts(&pr->line, ": ");
		}
		return;
	}
	indent(pr, d);
	if (key != NULL && key->len <= IMPLICIT_KEY_MAX) {
		*f &= ~F_EXPLICIT;
		ad_sbuf_add(&pr->line, key->data, key->len);
		ad_sbuf_putc(&pr->line, ':');
	} else {
		*f |= F_EXPLICIT;
		ad_sbuf_puts(&pr->line, "? ");
	}
}

/* Whether the node about to be printed follows "key:" on its line. */
static bool
after_implicit_key(const struct printer *pr)
{
	uint8_t f;

	if (pr->depth == 0)
		return false;
	f = pr->stack[pr->depth - 1];
	return (f & F_MAP) && (f & F_VALUE_NEXT) && !(f & F_EXPLICIT);
}

/* Moves the parent on to its next subfield once a node is complete. */
static void
after_node(struct printer *pr)
{
	if (pr->depth > 0 && (pr->stack[pr->depth - 1] & F_MAP))
		pr->stack[pr->depth - 1] ^= F_VALUE_NEXT;
}

/* Prints a scalar (already rendered in pr->scalar) as the next node. */
static void
put_scalar(struct printer *pr)
{
	bool map_key = pr->depth > 0 && (pr->stack[pr->depth - 1] &
	                                    (F_MAP | F_VALUE_NEXT)) == F_MAP;
	bool flow = pr->depth > 0 && is_flow(pr->depth - 1);

	if (map_key) {
		before_node(pr, &pr->scalar);
		if (!(pr->stack[pr->depth - 1] & F_EXPLICIT)) {
			/* The key is written; the value follows it. */
			after_node(pr);
			return;
		}
	} else {
		if (pr->depth == 0 || after_implicit_key(pr))
			ad_sbuf_putc(&pr->line, ' ');
		before_node(pr, NULL);
	}
	ad_sbuf_add(&pr->line, pr->scalar.data, pr->scalar.len);
	if (!flow) {
		ad_sbuf_putc(&pr->line, '\n');
		pr->at_line_start = true;
	}
	after_node(pr);
	flush(pr, false);
}

/* Opens the pending container, which has at least one entry. */
static int
open_container(struct printer *pr)
{
	bool map = pr->pending_map;
	bool flow = is_flow(pr->depth);

	pr->pending = false;
	if (pr->depth > 0 &&
	    (pr->stack[pr->depth - 1] & (F_MAP | F_VALUE_NEXT)) == F_MAP)
		before_node(pr, NULL);
	else {
		if (pr->depth == 0 || after_implicit_key(pr)) {
			if (flow)
				ad_sbuf_putc(&pr->line, ' ');
			else {
				ad_sbuf_putc(&pr->line, '\n');
				pr->at_line_start = true;
			}
		}
		before_node(pr, NULL);
	}
	if (flow)
		ad_sbuf_putc(&pr->line, map ? '{' : '[');
	if (pr->depth == pr->cap) {
		size_t cap = pr->cap < 64 ? 64 : pr->cap * 2;
		uint8_t *stack = realloc(pr->stack, cap);

		if (stack == NULL)
			return ENOMEM;
		pr->stack = stack;
		pr->cap = cap;
	}
	pr->stack[pr->depth++] = map ? F_MAP : 0;
	return 0;
}

/* Closes the innermost container. */
static void
close_container(struct printer *pr)
{
	uint8_t f = pr->stack[--pr->depth];

	if (is_flow(pr->depth)) {
		ad_sbuf_putc(&pr->line, (f & F_MAP) ? '}' : ']');
		if (pr->depth == 0 || !is_flow(pr->depth - 1)) {
			ad_sbuf_putc(&pr->line, '\n');
			pr->at_line_start = true;
		}
	}
	after_node(pr);
	flush(pr, false);
}

/* Prints an empty map or sequence: a scalar as far as layout goes. */
static void
put_empty(struct printer *pr, bool map)
{
	pr->pending = false;
	pr->scalar.len = 0;
	ad_sbuf_puts(&pr->scalar, map ? "{}" : "[]");
	put_scalar(pr);
}

int
ad_print_yaml(const argdata_t *ad, FILE *fp)
{
	struct printer pr = {.fp = fp};
	struct ad_walk w;
	struct ad_walk_event ev;
	locale_t c_locale, old_locale = (locale_t)0;
	int error = 0;

	/* Floats print with a '.' whatever the program's locale says. */
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale != (locale_t)0)
		old_locale = uselocale(c_locale);

	ad_sbuf_puts(&pr.line, "%TAG ! tag:nuxi.nl,2015:cloudabi/\n---");
	ad_walk_init(&w, ad);
	for (;;) {
		error = ad_walk_next(&w, &ev);
		if (pr.pending) {
			if (error == 0 && ev.kind == AD_WALK_END) {
				put_empty(&pr, ev.map);
				continue;
			}
			if (open_container(&pr) != 0) {
				error = ENOMEM;
				break;
			}
		}
		if (error != 0 || ev.kind == AD_WALK_DONE)
			break;
		switch (ev.kind) {
		case AD_WALK_VALUE:
			pr.scalar.len = 0;
			render_scalar(&pr.scalar, ev.value);
			put_scalar(&pr);
			break;
		case AD_WALK_BEGIN:
			pr.pending = true;
			pr.pending_map = ev.map;
			break;
		case AD_WALK_END:
			close_container(&pr);
			break;
		default:
			break;
		}
	}
	ad_walk_free(&w);

	/*
	 * Corrupt data ends the walk: what could not be read prints as
	 * !!invalid in its place and every open container is closed.
	 */
	if (error != 0 && pr.depth > 0) {
		uint8_t f = pr.stack[pr.depth - 1];

		pr.scalar.len = 0;
		ad_sbuf_puts(&pr.scalar, INVALID);
		if ((f & F_MAP) && !(f & F_VALUE_NEXT)) {
			/* A lone "? key" entry: its value is null. */
			before_node(&pr, NULL);
			ad_sbuf_add(&pr.line, pr.scalar.data, pr.scalar.len);
			if (!is_flow(pr.depth - 1)) {
				ad_sbuf_putc(&pr.line, '\n');
				pr.at_line_start = true;
			}
		} else {
			put_scalar(&pr);
		}
		while (pr.depth > 0) {
			pr.stack[pr.depth - 1] &= ~F_VALUE_NEXT;
			close_container(&pr);
		}
	}
	ad_sbuf_puts(&pr.line, "...\n");
	if (pr.line.failed || pr.scalar.failed)
		error = ENOMEM;
	flush(&pr, true);
	if (error == 0 && ferror(fp))
		error = EIO;

	free(pr.line.data);
	free(pr.scalar.data);
	free(pr.stack);
	if (c_locale != (locale_t)0) {
		uselocale(old_locale);
		freelocale(c_locale);
	}
	return error;
}

void
argdata_print_yaml(const argdata_t *ad, FILE *fp)
{
	int saved_errno = errno;

	ad_print_yaml(ad, fp);
	errno = saved_errno;
}
