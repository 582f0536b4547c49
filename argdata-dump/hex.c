/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata-dump --hex: the encoded bytes, eight to a line, each line saying
 * what its bytes are: a tag and its value, a subfield length, the start of
 * a map or sequence. Walks the bytes itself with a stack of open
 * containers (never recursion), stopping at a defect when there is one.
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

#include "grow.h"
#include "dump.h"
#include "codec.h"
#include "text.h"

/* Bytes per line, and the widest indentation (it stops growing there). */
#define PER_LINE 8
#define INDENT_MAX 32
/* Characters of a string shown before "...". */
#define STR_SHOWN 40

struct hex {
	FILE *fp;
	size_t nfds; /* descriptors that arrived; numbers above are flagged */
	const uint8_t *base;
	struct ad_sbuf line;
	struct ad_sbuf meaning;
};

/*
 * Writes the bytes [p, p + n) as lines: the first with the meaning (in
 * h->meaning) at the given depth, the rest bytes only.
 */
static void
emit(struct hex *h, const uint8_t *p, size_t n, size_t depth)
{
	char buf[32];
	size_t i = 0;

	do {
		size_t k = n - i < PER_LINE ? n - i : PER_LINE;

		snprintf(buf, sizeof(buf), "%08zx ", (size_t)(p + i - h->base));
		ad_sbuf_puts(&h->line, buf);
		for (size_t b = 0; b < PER_LINE; b++) {
			if (b < k)
				snprintf(buf, sizeof(buf), " %02x", p[i + b]);
			else
				strcpy(buf, "   ");
			ad_sbuf_puts(&h->line, buf);
		}
		if (i == 0) {
			ad_sbuf_puts(&h->line, "  ");
			for (size_t d = 0; d < depth && d < INDENT_MAX; d++)
				ad_sbuf_puts(&h->line, "  ");
			ad_sbuf_add(&h->line, h->meaning.data, h->meaning.len);
		}
		/* Trailing spaces of lines without a meaning go. */
		while (h->line.len > 0 && h->line.data[h->line.len - 1] == ' ')
			h->line.len--;
		ad_sbuf_putc(&h->line, '\n');
		i += k;
	} while (i < n);
	h->meaning.len = 0;
	ad_sbuf_flush(&h->line, h->fp, false);
}

/* A string as a quoted C-style literal, shortened when long. */
static void
describe_str(struct ad_sbuf *sb, const uint8_t *s, size_t len)
{
	size_t shown = len < STR_SHOWN ? len : STR_SHOWN;
	char buf[8];

	ad_sbuf_putc(sb, '"');
	for (size_t i = 0; i < shown; i++) {
		uint8_t c = s[i];

		if (c == '"' || c == '\\') {
			ad_sbuf_putc(sb, '\\');
			ad_sbuf_putc(sb, (char)c);
		} else if (c == '\n') {
			ad_sbuf_puts(sb, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(buf, sizeof(buf), "\\x%02x", c);
			ad_sbuf_puts(sb, buf);
		} else {
			ad_sbuf_putc(sb, (char)c);
		}
	}
	/* Do not leave half a UTF-8 sequence behind the cut. */
	if (shown < len) {
		while (sb->len > 0 &&
		    ((uint8_t)sb->data[sb->len - 1] & 0xc0) == 0x80)
			sb->len--;
		if (sb->len > 0 && (uint8_t)sb->data[sb->len - 1] >= 0xc0)
			sb->len--;
		ad_sbuf_puts(sb, "\"...");
	} else {
		ad_sbuf_putc(sb, '"');
	}
}

/* What a valid scalar at [p, p + len) is, as text. */
static void
describe_scalar(struct ad_sbuf *sb, const uint8_t *p, size_t len, size_t nfds)
{
	uint32_t number;
	argdata_t ad;
	char buf[AD_FLOAT_MAX + 32];
	struct timespec ts;
	double f;

	ad_init_buffer(&ad, p, len, NULL, NULL);
	switch (p[0]) {
	case AD_TAG_BINARY:
		snprintf(buf, sizeof(buf), "binary, %zu bytes", len - 1);
		ad_sbuf_puts(sb, buf);
		return;
	case AD_TAG_BOOL:
		ad_sbuf_puts(sb, len == 1 ? "bool false" : "bool true");
		return;
	case AD_TAG_FD:
		number = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[3] << 8 | p[4];
		snprintf(buf, sizeof(buf), "fd %" PRIu32 "%s", number,
		    number >= nfds ? " (not received)" : "");
		ad_sbuf_puts(sb, buf);
		return;
	case AD_TAG_FLOAT:
		argdata_get_float(&ad, &f);
		ad_sbuf_puts(sb, "float ");
		if (isnan(f))
			ad_sbuf_puts(sb, "nan");
		else if (isinf(f))
			ad_sbuf_puts(sb, f > 0 ? "inf" : "-inf");
		else
			ad_sbuf_add(sb, buf, ad_format_float(buf, f));
		return;
	case AD_TAG_INT:
		ad_sbuf_puts(sb, "int ");
		if (len == 1)
			ad_sbuf_putc(sb, '0');
		else
			ad_format_int(sb, p + 1, len - 1);
		return;
	case AD_TAG_STR:
		ad_sbuf_puts(sb, "str ");
		describe_str(sb, p + 1, len - 2);
		return;
	case AD_TAG_TIMESTAMP:
		ad_sbuf_puts(sb, "timestamp ");
		if (argdata_get_timestamp(&ad, &ts) == 0) {
			ad_format_timestamp(sb, &ts);
		} else {
			ad_sbuf_puts(sb, "out of range, ns ");
			ad_format_int(sb, p + 1, len - 1);
		}
		return;
	default:
		ad_sbuf_puts(sb, "?");
		return;
	}
}

/* The number of subfields of a container, or SIZE_MAX when corrupt. */
static size_t
count_subfields(const uint8_t *pos, const uint8_t *end)
{
	size_t n = 0;

	while (pos < end) {
		const uint8_t *field;
		size_t len;

		if (ad_read_subfield(&pos, end, &field, &len) != NULL)
			return SIZE_MAX;
		n++;
	}
	return n;
}

struct open {
	const uint8_t *end;
	size_t index;
	bool map;
};

int
dump_hex(const uint8_t *buf, size_t len, size_t nfds, size_t defect,
    const char *reason, FILE *fp)
{
	struct hex h = {.fp = fp, .base = buf, .nfds = nfds};
	struct open *stack = NULL;
	size_t depth = 0, cap = 0;
	/* Where the walk stops: the defect, or the end. */
	const uint8_t *limit = buf + (reason != NULL ? defect : len);
	const uint8_t *value = buf, *vend = buf + len, *stop = NULL;
	const char *role = "";
	char text[64];
	int error = 0;

	for (;;) {
		/* The value [value, vend), in the role given. */
		if (vend > limit) {
			/* Its first byte is shown if it lies before the defect.
			 */
			if (value < limit &&
			    (*value == AD_TAG_MAP || *value == AD_TAG_SEQ)) {
				ad_sbuf_puts(&h.meaning, role);
				ad_sbuf_puts(&h.meaning,
				    *value == AD_TAG_MAP ? "map" : "seq");
				emit(&h, value, 1, depth);
				goto open_container;
			}
			stop = value;
			break;
		}
		ad_sbuf_puts(&h.meaning, role);
		if (value == vend) {
			ad_sbuf_puts(&h.meaning, "null");
			emit(&h, value, 0, depth);
		} else if (*value == AD_TAG_MAP || *value == AD_TAG_SEQ) {
			size_t n = count_subfields(value + 1, vend);

			if (n == SIZE_MAX)
				snprintf(text, sizeof(text), "%s",
				    *value == AD_TAG_MAP ? "map" : "seq");
			else if (*value == AD_TAG_MAP && n % 2 != 0)
				snprintf(text, sizeof(text),
				    "map, %zu subfields (odd)", n);
			else if (*value == AD_TAG_MAP)
				snprintf(text, sizeof(text), "map, %zu pair%s",
				    n / 2, n == 2 ? "" : "s");
			else
				snprintf(text, sizeof(text),
				    "seq, %zu element%s", n, n == 1 ? "" : "s");
			ad_sbuf_puts(&h.meaning, text);
			emit(&h, value, 1, depth);
		open_container:
			if (ad_grow(&stack, &cap, depth, 1, sizeof(*stack),
			        NULL) != 0) {
				error = ENOMEM;
				break;
			}
			stack[depth++] = (struct open){.end = vend,
			    .map = *value == AD_TAG_MAP};
			value++;
		} else {
			describe_scalar(&h.meaning, value,
			    (size_t)(vend - value), h.nfds);
			emit(&h, value, (size_t)(vend - value), depth);
			value = vend;
		}

		/* The next subfield of the innermost open container. */
		for (;;) {
			struct open *o;
			const uint8_t *pos = value, *field;
			size_t flen;

			if (depth == 0)
				goto done;
			o = &stack[depth - 1];
			if (value >= o->end) {
				depth--;
				value = o->end;
				continue;
			}
			if (ad_read_subfield(&pos, o->end, &field, &flen) !=
			        NULL ||
			    field > limit) {
				stop = value;
				goto done;
			}
			snprintf(text, sizeof(text), "length %zu", flen);
			ad_sbuf_puts(&h.meaning, text);
			emit(&h, value, (size_t)(field - value), depth);
			role = !o->map          ? ""
			    : o->index % 2 == 0 ? "key: "
			                        : "value: ";
			o->index++;
			value = field;
			vend = field + flen;
			break;
		}
	}
done:
	if (reason != NULL && error == 0) {
		/* The bytes from where the walk stopped, with the reason. */
		size_t from = stop != NULL ? (size_t)(stop - buf) : defect;
		size_t to = defect + PER_LINE;

		if (from > defect)
			from = defect;
		if (to > len)
			to = len;
		if (to - from > 4 * PER_LINE)
			to = from + 4 * PER_LINE;
		snprintf(text, sizeof(text), "defect at offset %zu: ", defect);
		ad_sbuf_puts(&h.meaning, text);
		ad_sbuf_puts(&h.meaning, reason);
		emit(&h, buf + from, to - from, depth);
	}
	free(stack);
	free(h.meaning.data);
	if (error == 0 && (h.line.failed || h.meaning.failed))
		error = ENOMEM;
	ad_sbuf_flush(&h.line, h.fp, true);
	free(h.line.data);
	if (error == 0 && ferror(fp))
		error = EIO;
	return error;
}
