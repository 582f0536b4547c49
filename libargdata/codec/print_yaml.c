/* SPDX-License-Identifier: BSD-2-Clause */
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

#include "grow.h"
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
	static const char *const words[] = {"null", "true", "false", "yes",
	    "no", "on", "off", "y", "n"};
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
	bool map_key = pr->depth > 0 &&
	    (pr->stack[pr->depth - 1] & (F_MAP | F_VALUE_NEXT)) == F_MAP;
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
	ad_sbuf_flush(&pr->line, pr->fp, false);
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
	if (ad_grow(&pr->stack, &pr->cap, pr->depth, 1, 1, NULL) != 0)
		return ENOMEM;
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
	ad_sbuf_flush(&pr->line, pr->fp, false);
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
	ad_sbuf_flush(&pr.line, pr.fp, true);
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
