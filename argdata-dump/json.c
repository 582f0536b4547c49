/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata-dump --json: any tree as JSON, with one-member objects for the
 * types JSON lacks ({"$fd": 3}, {"$binary": "..."}, ...). Walks the tree
 * with ad_walk and one byte of state per level, never recursing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dump.h"
#include "codec.h"
#include "text.h"

/* Deeper levels are written on one line, so output stays linear. */
#define PRETTY_DEPTH_MAX 24

enum {
	J_MAP = 1 << 0,      /* a map */
	J_PAIRS = 1 << 1,    /* a map written as {"$map": [[k, v], ...]} */
	J_NONEMPTY = 1 << 2, /* an entry has been written */
};

struct json {
	struct ad_sbuf out;
	FILE *fp;
	uint8_t *stack;
	size_t depth;
	size_t cap;
};

static void
put_string(struct ad_sbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	ad_sbuf_putc(sb, '"');
	while (i < len) {
		size_t start = i;
		unsigned char c;

		while (i < len && (unsigned char)s[i] >= 0x20 && s[i] != '"' &&
		    s[i] != '\\' && s[i] != 0x7f &&
		    !((unsigned char)s[i] == 0xe2 && i + 2 < len &&
		        (unsigned char)s[i + 1] == 0x80 &&
		        ((unsigned char)s[i + 2] & 0xfe) == 0xa8))
			i++;
		ad_sbuf_add(sb, s + start, i - start);
		if (i == len)
			break;
		c = (unsigned char)s[i];
		if (c == 0xe2) {
			/* U+2028 and U+2029, which JavaScript cannot hold. */
			ad_sbuf_puts(sb,
			    (unsigned char)s[i + 2] == 0xa8 ? "\\u2028"
			                                    : "\\u2029");
			i += 3;
			continue;
		}
		i++;
		switch (c) {
		case '"':
			ad_sbuf_puts(sb, "\\\"");
			break;
		case '\\':
			ad_sbuf_puts(sb, "\\\\");
			break;
		case '\n':
			ad_sbuf_puts(sb, "\\n");
			break;
		case '\t':
			ad_sbuf_puts(sb, "\\t");
			break;
		case '\r':
			ad_sbuf_puts(sb, "\\r");
			break;
		case '\b':
			ad_sbuf_puts(sb, "\\b");
			break;
		case '\f':
			ad_sbuf_puts(sb, "\\f");
			break;
		default: {
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4],
			    hex[c & 15]};

			ad_sbuf_add(sb, esc, 6);
			break;
		}
		}
	}
	ad_sbuf_putc(sb, '"');
}

/* {"$name": then the caller's value, then }. */
static void
special(struct ad_sbuf *sb, const char *name)
{
	ad_sbuf_puts(sb, "{\"$");
	ad_sbuf_puts(sb, name);
	ad_sbuf_puts(sb, "\": ");
}

static void
put_scalar(struct ad_sbuf *sb, const argdata_t *ad, size_t nfds)
{
	uint32_t number;
	argdata_type_t type;
	const uint8_t *p = NULL;
	size_t len = 0;
	struct timespec ts;
	const void *bin;
	const char *str;
	char buf[AD_FLOAT_MAX + 8];
	double f;
	bool b;

	if (argdata_get_type(ad, &type) != 0)
		type = (argdata_type_t)-1;
	if (ad->repr == AD_BUFFER && ad->length > 0) {
		p = ad->u.buffer.data + 1;
		len = ad->length - 1;
	}
	switch (type) {
	case ARGDATA_TYPE_NULL:
		ad_sbuf_puts(sb, "null");
		return;
	case ARGDATA_TYPE_BOOL:
		if (argdata_get_bool(ad, &b) != 0)
			break;
		ad_sbuf_puts(sb, b ? "true" : "false");
		return;
	case ARGDATA_TYPE_BINARY:
		if (argdata_get_binary(ad, &bin, &len) != 0)
			break;
		special(sb, "binary");
		ad_sbuf_putc(sb, '"');
		ad_format_base64(sb, bin, len);
		ad_sbuf_puts(sb, "\"}");
		return;
	case ARGDATA_TYPE_FD:
		if (p == NULL || len != 4)
			break;
		special(sb, "fd");
		number = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
		/* A second member flags a descriptor that did not arrive. */
		snprintf(buf, sizeof(buf), "%" PRIu32 "%s}", number,
		    number >= nfds ? ", \"$received\": false" : "");
		ad_sbuf_puts(sb, buf);
		return;
	case ARGDATA_TYPE_FLOAT:
		if (argdata_get_float(ad, &f) != 0)
			break;
		if (isfinite(f)) {
			ad_sbuf_add(sb, buf, ad_format_float(buf, f));
		} else {
			special(sb, "float");
			ad_sbuf_puts(sb,
			    isnan(f)    ? "\"nan\"}"
			        : f > 0 ? "\"inf\"}"
			                : "\"-inf\"}");
		}
		return;
	case ARGDATA_TYPE_INT:
		if (p == NULL)
			break;
		if (len == 0) {
			ad_sbuf_putc(sb, '0');
		} else {
			struct ad_sbuf digits = {0};

			if (ad_format_int(&digits, p, len)) {
				/* Too long for decimal: a hexadecimal string.
				 */
				special(sb, "int");
				ad_sbuf_putc(sb, '"');
				ad_sbuf_add(sb, digits.data, digits.len);
				ad_sbuf_puts(sb, "\"}");
			} else {
				ad_sbuf_add(sb, digits.data, digits.len);
			}
			if (digits.failed)
				sb->failed = true;
			free(digits.data);
		}
		return;
	case ARGDATA_TYPE_STR:
		if (argdata_get_str(ad, &str, &len) != 0)
			break;
		put_string(sb, str, len);
		return;
	case ARGDATA_TYPE_TIMESTAMP:
		if (argdata_get_timestamp(ad, &ts) != 0)
			break;
		special(sb, "timestamp");
		ad_sbuf_putc(sb, '"');
		ad_format_timestamp(sb, &ts);
		ad_sbuf_puts(sb, "\"}");
		return;
	default:
		break;
	}
	special(sb, "invalid");
	ad_sbuf_puts(sb, "null}");
}

/*
 * Whether a map can be a JSON object: every key a string, none starting
 * with '$' (which would read as one of the special forms).
 */
static bool
object_keys(const argdata_t *map)
{
	argdata_map_iterator_t it;
	const argdata_t *key, *value;
	const char *s;
	size_t len;

	argdata_map_iterate(map, &it);
	while (argdata_map_get(&it, &key, &value)) {
		if (argdata_get_str(key, &s, &len) != 0 ||
		    (len > 0 && s[0] == '$'))
			return false;
		argdata_map_next(&it);
	}
	return it.index == ARGDATA_ITERATOR_END;
}

static void
newline(struct json *j)
{
	ad_sbuf_putc(&j->out, '\n');
	for (size_t i = 0; i < j->depth; i++)
		ad_sbuf_puts(&j->out, "  ");
}

/* Writes what goes before a node: separators, "[" of a pair. */
static void
before_node(struct json *j, size_t index)
{
	uint8_t *f;
	bool first;

	if (j->depth == 0)
		return;
	f = &j->stack[j->depth - 1];
	if ((*f & J_MAP) && index % 2 == 1) {
		ad_sbuf_puts(&j->out, (*f & J_PAIRS) ? ", " : ": ");
		return;
	}
	first = !(*f & J_NONEMPTY);
	*f |= J_NONEMPTY;
	if (!first)
		ad_sbuf_putc(&j->out, ',');
	if (j->depth <= PRETTY_DEPTH_MAX)
		newline(j);
	else if (!first)
		ad_sbuf_putc(&j->out, ' ');
	if (*f & J_PAIRS)
		ad_sbuf_putc(&j->out, '[');
}

/* Closes the pair of a $map once its value is complete. */
static void
after_node(struct json *j, size_t index)
{
	if (j->depth > 0 && (j->stack[j->depth - 1] & J_PAIRS) &&
	    index % 2 == 1)
		ad_sbuf_putc(&j->out, ']');
}

int
dump_json(const argdata_t *ad, size_t nfds, FILE *fp)
{
	struct json j = {.fp = fp};
	struct ad_walk w;
	struct ad_walk_event ev;
	/* The index of each open container in its parent. */
	size_t *indices = NULL;
	int error;

	ad_walk_init(&w, ad);
	while (
	    (error = ad_walk_next(&w, &ev)) == 0 && ev.kind != AD_WALK_DONE) {
		switch (ev.kind) {
		case AD_WALK_VALUE:
			before_node(&j, ev.index);
			put_scalar(&j.out, ev.value, nfds);
			after_node(&j, ev.index);
			break;
		case AD_WALK_BEGIN: {
			uint8_t f = ev.map ? J_MAP : 0;

			before_node(&j, ev.index);
			if (ev.map && !object_keys(ev.value))
				f |= J_PAIRS;
			ad_sbuf_puts(&j.out,
			    (f & J_PAIRS) ? "{\"$map\": ["
			        : ev.map  ? "{"
			                  : "[");
			if (j.depth == j.cap) {
				size_t cap = j.cap < 64 ? 64 : j.cap * 2;
				uint8_t *s = realloc(j.stack, cap);
				size_t *ix =
				    realloc(indices, cap * sizeof(*indices));

				if (s != NULL)
					j.stack = s;
				if (ix != NULL)
					indices = ix;
				if (s == NULL || ix == NULL) {
					error = ENOMEM;
					goto out;
				}
				j.cap = cap;
			}
			indices[j.depth] = ev.index;
			j.stack[j.depth++] = f;
			break;
		}
		case AD_WALK_END: {
			uint8_t f = j.stack[--j.depth];

			/* Entries were on lines of their own: so is this. */
			if ((f & J_NONEMPTY) && j.depth + 1 <= PRETTY_DEPTH_MAX)
				newline(&j);
			ad_sbuf_puts(&j.out,
			    (f & J_PAIRS)     ? "]}"
			        : (f & J_MAP) ? "}"
			                      : "]");
			after_node(&j, indices[j.depth]);
			break;
		}
		default:
			break;
		}
		ad_sbuf_flush(&j.out, j.fp, false);
	}
out:
	ad_walk_free(&w);
	ad_sbuf_putc(&j.out, '\n');
	if (error == 0 && j.out.failed)
		error = ENOMEM;
	ad_sbuf_flush(&j.out, j.fp, true);
	if (error == 0 && ferror(fp))
		error = EIO;
	free(j.out.data);
	free(j.stack);
	free(indices);
	return error;
}
