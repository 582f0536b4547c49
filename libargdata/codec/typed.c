/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Typed extraction, argdata_read_map(): a map read into the caller's
 * struct as a static schema describes it, with errors that name the path.
 *
 * Encoded data is read straight from its bytes, without the public
 * iterators, in three tiers, each falling back to the next for anything
 * it does not handle (so that every error is reported by the last):
 *  - fast_run(): the pairs that come in the schema's order, each key
 *    matched as its whole encoded subfield in two masked 16-byte compares
 *    against a plan made once per call, each value one of the common
 *    scalars; whole maps of nested schemas, and maps of names the user
 *    chose, are read this way at once (ad_typed_fast_map(), other_run());
 *  - ad_typed_read_map_encoded(): any order, every type, positions in
 *    registers;
 *  - ad_typed_read_map(): the general reader over a cursor, for trees made in
 *    memory (and schemas of more than 64 fields).
 * Data written from a struct comes in the struct's order, and config
 * files written by hand mostly do too.
 *
 * Recursion follows the schema, not the data: a nested map or an array of
 * maps recurses once per level of schema nesting, and that is bounded by
 * ARGDATA_SCHEMA_DEPTH_MAX even for a schema that refers to itself. Data
 * nested deeper than its schema is never entered (a value of the wrong
 * type is an error before its contents are looked at), so the work is
 * linear in the size of the map (a map that leaves the first tier is read
 * again from its start, once) and nothing is allocated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "typed.h"

static void
val_from_node(const argdata_t *ad, struct val *v)
{
	v->node = ad;
	v->lim = NULL;
	switch (ad->repr) {
	case AD_STR:
		v->tag = AD_TAG_STR;
		v->p = (const uint8_t *)ad->u.str.data;
		v->n = ad->length - 1;
		v->convert = NULL;
		return;
	case AD_BINARY:
		v->tag = AD_TAG_BINARY;
		v->p = ad->u.binary.data;
		v->n = ad->length - 1;
		v->convert = NULL;
		return;
	case AD_MAP:
		v->tag = AD_TAG_MAP;
		v->p = NULL;
		v->n = 0;
		return;
	case AD_SEQ:
		v->tag = AD_TAG_SEQ;
		v->p = NULL;
		v->n = 0;
		return;
	default:
		/* Encoded: read from its bytes, as a subfield would be. */
		v->node = NULL;
		v->tag = ad->length > 0 ? ad->u.buffer.data[0] : 0;
		v->p = ad->u.buffer.data + 1;
		v->n = ad->length > 0 ? ad->length - 1 : 0;
		v->convert = ad->u.buffer.convert_fd;
		v->carg = ad->u.buffer.convert_fd_arg;
		v->lim = ad->u.buffer.data + ad->length;
		return;
	}
}

/* Positions c on the first subfield of the container v. */
static void
cursor_init(struct cursor *c, const struct val *v)
{
	if (v->node != NULL &&
	    (v->node->repr == AD_MAP || v->node->repr == AD_SEQ)) {
		c->mem = v->node;
		c->i = 0;
		c->count = v->node->u.container.count *
		    (v->node->repr == AD_MAP ? 2 : 1);
		c->pos = c->end = NULL;
	} else {
		c->mem = NULL;
		c->pos = v->p;
		c->end = v->p + v->n;
	}
	c->convert = v->convert;
	c->lim = v->lim;
	c->carg = v->carg;
}

/* The next subfield in *v: 1, or 0 at the end, or -1 on corrupt data. */
static inline __attribute__((always_inline)) int
cursor_next(struct cursor *c, struct val *v)
{
	const uint8_t *f;
	size_t len;

	if (c->mem != NULL) {
		const argdata_t *child;

		if (c->i == c->count)
			return 0;
		if (c->mem->repr == AD_SEQ)
			child = c->mem->u.container.keys[c->i];
		else if (c->i % 2 == 0)
			child = c->mem->u.container.keys[c->i / 2];
		else
			child = c->mem->u.container.values[c->i / 2];
		c->i++;
		val_from_node(child, v);
		return 1;
	}
	if (c->pos == c->end)
		return 0;
	if (ad_read_subfield(&c->pos, c->end, &f, &len) != NULL)
		return -1;
	v->node = NULL;
	v->convert = c->convert;
	v->lim = c->lim;
	v->carg = c->carg;
	if (len == 0) {
		v->tag = 0;
		v->p = f;
		v->n = 0;
	} else {
		v->tag = f[0];
		v->p = f + 1;
		v->n = len - 1;
	}
	return 1;
}

const char *
ad_typed_type_name(uint8_t tag)
{
	static const char *const names[] = {"null", "binary", "bool", "fd",
	    "float", "int", "map", "seq", "str", "timestamp"};

	return tag < sizeof(names) / sizeof(names[0]) ? names[tag]
	                                              : "value of unknown type";
}

/* "a" or "an", for "expected an int, found a str". */
const char *
ad_typed_article(const char *noun)
{
	return strchr("aeiou", noun[0]) != NULL ? "an" : "a";
}

/* Appends s to the message, keeping printable ASCII only. */
static void
append_safe(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n && *at + 1 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[(*at)++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[*at] = '\0';
}

/*
 * Stores "path: message" in the context's buffer and returns error. The
 * path is written from the root: its steps are collected first, as many
 * as there can be levels of schema (each level a key and an index).
 */
__attribute__((noinline)) int
ad_typed_fail(struct ctx *c, const struct path *p, int error, const char *fmt,
    ...)
{
	const struct path *steps[2 * ARGDATA_SCHEMA_DEPTH_MAX + 8];
	size_t n = 0, at = 0;
	va_list ap;

	if (c->errbuf == NULL || c->errlen == 0)
		return error;
	c->errbuf[0] = '\0';
	for (; p != NULL && n < sizeof(steps) / sizeof(steps[0]); p = p->up)
		steps[n++] = p;
	while (n-- > 0) {
		p = steps[n];
		if (p->key != NULL) {
			if (at > 0 && at + 1 < c->errlen)
				c->errbuf[at++] = '.';
			append_safe(c->errbuf, c->errlen, &at, p->key,
			    p->keylen);
		} else {
			int w = snprintf(c->errbuf + at, c->errlen - at,
			    "[%zu]", p->index);

			at += w > 0 ? (size_t)w : 0;
			if (at >= c->errlen)
				at = c->errlen - 1;
		}
	}
	if (at > 0 && at + 2 < c->errlen) {
		c->errbuf[at++] = ':';
		c->errbuf[at++] = ' ';
	}
	va_start(ap, fmt);
	vsnprintf(c->errbuf + at, c->errlen - at, fmt, ap);
	va_end(ap);
	return error;
}

int
ad_typed_fail_type(struct ctx *c, const struct path *p, const char *want,
    uint8_t tag)
{
	const char *found = ad_typed_type_name(tag);

	return ad_typed_fail(c, p, EINVAL, "expected %s %s, found %s %s",
	    ad_typed_article(want), want, ad_typed_article(found), found);
}

/* The integer payload of v, sign-extended; false when over 8 bytes. */
static inline bool
int_payload(const struct val *v, int64_t *x)
{
	uint64_t u;

	if (v->n > 8)
		return false;
	if (v->n == 0) {
		*x = 0;
		return true;
	}
	u = (v->p[0] & 0x80) ? UINT64_MAX : 0;
	for (size_t i = 0; i < v->n; i++)
		u = (u << 8) | v->p[i];
	*x = (int64_t)u;
	return true;
}

static int
read_int(struct ctx *c, const struct path *p, const struct val *v,
    unsigned type, size_t size, void *dst)
{
	bool negative;
	uint64_t mag;
	int64_t x;

	if (v->tag != AD_TAG_INT)
		return ad_typed_fail_type(c, p, "int", v->tag);
	if (int_payload(v, &x)) {
		negative = x < 0;
		mag = negative ? 0 - (uint64_t)x : (uint64_t)x;
	} else if (ad_decode_int(v->p, v->n, &negative, &mag) != 0) {
		return ad_typed_fail(c, p, ERANGE, "integer out of range");
	}
	if (type == ARGDATA_FIELD_INT) {
		uint64_t lim = (UINT64_C(1) << (8 * size - 1)) - 1;

		if (negative ? mag > lim + 1 : mag > lim)
			return ad_typed_fail(c, p, ERANGE,
			    "%s%" PRIu64 " is out of "
			    "range for %s %zu-bit signed integer",
			    negative ? "-" : "", mag, size == 1 ? "an" : "a",
			    8 * size);
		store_int(dst, negative ? 0 - mag : mag, size);
	} else {
		uint64_t lim =
		    size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;

		if ((negative && mag != 0) || mag > lim)
			return ad_typed_fail(c, p, ERANGE,
			    "%s%" PRIu64 " is out of "
			    "range for %s %zu-bit unsigned integer",
			    negative ? "-" : "", mag, size == 1 ? "an" : "a",
			    8 * size);
		store_int(dst, mag, size);
	}
	return 0;
}

/* Reads one value of the given field type into dst. */
int
ad_typed_read_value(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_field *f, unsigned type, size_t size, uint8_t *dst,
    unsigned depth)
{
	int error;

	switch (type) {
	case ARGDATA_FIELD_INT:
	case ARGDATA_FIELD_UINT:
		return read_int(c, p, v, type, size, dst);
	case ARGDATA_FIELD_BOOL:
		if (v->tag != AD_TAG_BOOL)
			return ad_typed_fail_type(c, p, "bool", v->tag);
		if (v->n > 1 || (v->n == 1 && v->p[0] != 0x01))
			return ad_typed_fail(c, p, EINVAL, "corrupt bool");
		*(bool *)(void *)dst = v->n == 1;
		return 0;
	case ARGDATA_FIELD_FLOAT: {
		uint64_t bits;

		if (v->tag != AD_TAG_FLOAT)
			return ad_typed_fail_type(c, p, "float", v->tag);
		if (v->n != 8)
			return ad_typed_fail(c, p, EINVAL, "corrupt float");
		memcpy(&bits, v->p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		bits = __builtin_bswap64(bits);
#endif
		memcpy(dst, &bits, 8);
		return 0;
	}
	case ARGDATA_FIELD_STR: {
		const char *s;

		if (v->tag != AD_TAG_STR)
			return ad_typed_fail_type(c, p, "str", v->tag);
		if ((error = ad_typed_get_cstr(v, &s)) != 0)
			return ad_typed_fail(c, p, error,
			    error == EILSEQ ? "string is not valid UTF-8 or "
			                      "holds a NUL byte"
			                    : "corrupt string");
		memcpy(dst, &s, sizeof(s));
		return 0;
	}
	case ARGDATA_FIELD_STRLEN: {
		struct argdata_str str = {(const char *)v->p, v->n - 1};

		if (v->tag != AD_TAG_STR)
			return ad_typed_fail_type(c, p, "str", v->tag);
		if (v->n == 0 || v->p[v->n - 1] != 0)
			return ad_typed_fail(c, p, EINVAL, "corrupt string");
		if (!ad_utf8_valid(v->p, v->n - 1))
			return ad_typed_fail(c, p, EILSEQ,
			    "string is not valid UTF-8");
		memcpy(dst, &str, sizeof(str));
		return 0;
	}
	case ARGDATA_FIELD_BINARY: {
		struct argdata_bytes b = {v->p, v->n};

		if (v->tag != AD_TAG_BINARY)
			return ad_typed_fail_type(c, p, "binary", v->tag);
		memcpy(dst, &b, sizeof(b));
		return 0;
	}
	case ARGDATA_FIELD_FD: {
		uint32_t number;
		int fd;

		if (v->tag != AD_TAG_FD)
			return ad_typed_fail_type(c, p, "fd", v->tag);
		if (v->n != 4)
			return ad_typed_fail(c, p, EINVAL, "corrupt fd");
		number = (uint32_t)v->p[0] << 24 | (uint32_t)v->p[1] << 16 |
		    (uint32_t)v->p[2] << 8 | v->p[3];
		fd = v->convert != NULL ? v->convert(v->carg, number) : -1;
		if (fd < 0)
			return ad_typed_fail(c, p, EBADF,
			    "descriptor %" PRIu32 " is not available", number);
		if ((f->flags & ~ARGDATA_REQUIRED) != 0 &&
		    (error = ad_typed_check_fd(c, p, fd, f->flags)) != 0)
			return error;
		memcpy(dst, &fd, sizeof(fd));
		return 0;
	}
	case ARGDATA_FIELD_TIMESTAMP: {
		struct timespec ts;

		if (v->tag != AD_TAG_TIMESTAMP)
			return ad_typed_fail_type(c, p, "timestamp", v->tag);
		if (ad_decode_timestamp(v->p, v->n, &ts) != 0)
			return ad_typed_fail(c, p, ERANGE,
			    "timestamp out of range");
		memcpy(dst, &ts, sizeof(ts));
		return 0;
	}
	case ARGDATA_FIELD_MAP:
		return ad_typed_read_map(c, p, v, f->nested, dst, depth + 1);
	default:
		return ad_typed_fail(c, p, EINVAL, "schema: not a field type");
	}
}

/* A sequence into an array, or through a callback. */
int
ad_typed_read_seq(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_field *f, uint8_t *base, unsigned depth)
{
	struct cursor cur;
	struct val e;
	struct path step = {p, NULL, 0, 0};
	const struct plan *npl = NULL;
	size_t i;
	int r, error;

	if (v->tag != AD_TAG_SEQ)
		return ad_typed_fail_type(c, p, "seq", v->tag);
	if (f->type == ARGDATA_FIELD_ARRAY && f->elem_type == ARGDATA_FIELD_MAP)
		npl = ad_typed_find_plan(c, f->nested);
	cursor_init(&cur, v);
	for (i = 0; (r = cursor_next(&cur, &e)) > 0; i++) {
		step.index = i;
		if (f->type == ARGDATA_FIELD_EACH) {
			argdata_t scratch;
			const argdata_t *ad = e.node;

			if (ad == NULL) {
				/* The subfield again, tag included. */
				ad_init_buffer(&scratch, e.p - (e.tag != 0),
				    e.n + (e.tag != 0), e.convert, e.carg);
				ad = &scratch;
			}
			if ((error = f->each(ad, i, base, f->arg)) != 0)
				return ad_typed_fail(c, &step, error,
				    "rejected by the "
				    "program (error %d)",
				    error);
			continue;
		}
		if (i == f->max)
			return ad_typed_fail(c, p, EINVAL,
			    "more than %zu elements", f->max);
		/* Encoded maps in the schema's order: at once. */
		if (npl != NULL && e.node == NULL && e.tag == AD_TAG_MAP &&
		    ad_typed_fast_map(npl, f->nested, &e,
		        base + f->offset + i * f->size))
			continue;
		if ((error = ad_typed_read_value(c, &step, &e, f, f->elem_type,
		         f->size, base + f->offset + i * f->size, depth)) != 0)
			return error;
	}
	if (r < 0)
		return ad_typed_fail(c, p, EINVAL, "corrupt sequence");
	if (f->type == ARGDATA_FIELD_ARRAY)
		memcpy(base + f->count_offset, &i, sizeof(i));
	return 0;
}

/*
 * Reads the map v into base. Every field is first given its default, then
 * the pairs are read in the order they come; a bit per field catches keys
 * that come twice and required keys that never come.
 */
int
ad_typed_read_map(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_schema *s, uint8_t *base, unsigned depth)
{
	uint64_t seen[ARGDATA_SCHEMA_FIELDS_MAX / 64];
	const struct argdata_field *fields = s->fields, *other = NULL;
	size_t nfields = s->nfields, hint = 0, nother = 0;
	struct cursor cur;
	struct val k, e;
	int r, error;

	if (depth > ARGDATA_SCHEMA_DEPTH_MAX)
		return ad_typed_fail(c, p, EINVAL, "schema: nested too deep");
	if (v->tag != AD_TAG_MAP)
		return ad_typed_fail_type(c, p, "map", v->tag);
	/* Encoded, and a bit per field fits in a word: in place. */
	if (v->node == NULL && nfields <= 64)
		return ad_typed_read_map_encoded(c, p, v, s, base, depth);
	memset(seen, 0, (nfields + 63) / 64 * sizeof(seen[0]));
	cursor_init(&cur, v);
	while ((r = cursor_next(&cur, &k)) > 0) {
		struct path step = {p, NULL, 0, 0};
		const struct argdata_field *f;
		size_t i, klen;

		if (cursor_next(&cur, &e) <= 0)
			return ad_typed_fail(c, p, EINVAL, "corrupt map");
		if (k.tag != AD_TAG_STR || k.n == 0 || k.p[k.n - 1] != 0)
			return ad_typed_fail(c, p, EINVAL,
			    "expected a str as key, "
			    "found %s %s",
			    ad_typed_article(ad_typed_type_name(k.tag)),
			    ad_typed_type_name(k.tag));
		klen = k.n - 1;
		step.key = (const char *)k.p;
		step.keylen = klen;
		/* The field after the last one matched, then all of them. */
		if (hint < nfields && key_is(&fields[hint], k.p, klen)) {
			i = hint;
		} else {
			for (i = 0; i < nfields; i++)
				if (key_is(&fields[i], k.p, klen))
					break;
		}
		if (i == nfields) {
			const char *name;

			for (i = 0; other == NULL && i < nfields; i++)
				if (fields[i].key == NULL)
					other = &fields[i];
			if (other == NULL) {
				if (s->flags & ARGDATA_IGNORE_UNKNOWN)
					continue;
				return ad_typed_fail(c, &step, EINVAL,
				    "unknown key");
			}
			if (ad_typed_get_cstr(&k, &name) != 0)
				return ad_typed_fail(c, &step, EILSEQ,
				    "key is not "
				    "valid UTF-8 or holds a NUL byte");
			if (nother == other->max)
				return ad_typed_fail(c, &step, EINVAL,
				    "more than %zu "
				    "keys besides those named",
				    other->max);
			uint8_t *elem =
			    base + other->offset + nother * other->size;
			if ((error = ad_typed_read_value(c, &step, &e, other,
			         ARGDATA_FIELD_MAP, other->size, elem,
			         depth)) != 0)
				return error;
			ad_typed_store_key(other, elem, name, k.n - 1);
			nother++;
			memcpy(base + other->count_offset, &nother,
			    sizeof(nother));
			continue;
		}
		if (seen[i / 64] & (UINT64_C(1) << (i % 64)))
			return ad_typed_fail(c, &step, EINVAL, "duplicate key");
		seen[i / 64] |= UINT64_C(1) << (i % 64);
		hint = i + 1;
		f = &fields[i];
		if (f->type == ARGDATA_FIELD_ARRAY ||
		    f->type == ARGDATA_FIELD_EACH)
			error = ad_typed_read_seq(c, &step, &e, f, base, depth);
		else
			error = ad_typed_read_value(c, &step, &e, f, f->type,
			    f->size, base + f->offset, depth);
		if (error != 0)
			return error;
	}
	if (r < 0)
		return ad_typed_fail(c, p, EINVAL, "corrupt map");
	return ad_typed_finish_map(c, p, s, base, depth, seen, nother);
}

/* Gives the fields that did not come their defaults, or reports them. */
int
ad_typed_finish_map(struct ctx *c, const struct path *p,
    const struct argdata_schema *s, uint8_t *base, unsigned depth,
    const uint64_t *seen, size_t nother)
{
	const struct argdata_field *fields = s->fields;
	size_t nfields = s->nfields;
	int error;

	for (size_t i = 0; i < nfields; i++) {
		if (seen[i / 64] & (UINT64_C(1) << (i % 64)))
			continue;
		if (fields[i].key == NULL) {
			if (nother == 0)
				memcpy(base + fields[i].count_offset, &nother,
				    sizeof(nother));
			continue;
		}
		if (fields[i].flags & ARGDATA_REQUIRED) {
			struct path step = {p, fields[i].key,
			    fields[i].keylen != 0 ? fields[i].keylen
			                          : strlen(fields[i].key),
			    0};

			return ad_typed_fail(c, &step, EINVAL, "missing");
		}
		if ((error = ad_typed_apply_default(c, &fields[i], base,
		         depth)) != 0)
			return error;
	}
	return 0;
}

int
argdata_read_map(const argdata_t *ad, const struct argdata_schema *schema,
    void *out, char *errbuf, size_t errlen)
{
	struct ctx c;
	struct val v;
	int error;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	c.errbuf = errbuf;
	c.errlen = errlen;
	if ((error = ad_typed_prepare(&c, schema)) != 0)
		return error;
	val_from_node(ad, &v);
	return ad_typed_read_map(&c, NULL, &v, schema, out, 0);
}
