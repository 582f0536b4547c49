/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * typed.h - what the files of the typed reader (argdata_read_map) share:
 * the value being read, the path to it for messages, the plans made once
 * per call, and the helpers every tier of the reader uses. Never
 * installed.
 *
 *	typed.c          the entry point, the general reader and its messages
 *	typed_schema.c   schemas checked once per call, plans, defaults
 *	typed_encoded.c  encoded maps read in place, and the fast runs
 *	typed_fd.c       descriptors checked for their kind
 */
#ifndef ARGDATA_TYPED_H
#define ARGDATA_TYPED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "codec.h"

/*
 * A value being read: its tag (0 for null) and payload, or the container
 * made in memory that holds it, with the descriptor conversion of the
 * data it came from.
 */
struct val {
	uint8_t tag;
	const uint8_t *p; /* the payload, after the tag */
	size_t n;
	const argdata_t *node; /* the value itself when made in memory */
	int (*convert)(void *, size_t);
	void *carg;
	/*
	 * Encoded: the end of the buffer the value lies in, up to which
	 * loads of whole words may reach past the value's own end.
	 */
	const uint8_t *lim;
};

/* The subfields of a map or sequence, encoded or made in memory. */
struct cursor {
	const uint8_t *pos, *end, *lim;
	const argdata_t *mem;
	size_t i, count;
	int (*convert)(void *, size_t);
	void *carg;
};

/* One step of the path to a value: a key, or an index in a sequence. */
struct path {
	const struct path *up;
	const char *key;
	size_t keylen;
	size_t index;
};

/*
 * A field as the encoded loop first tries it: the whole encoded key
 * subfield it expects (length byte, tag, key, NUL byte), compared with
 * the data 16 bytes at a time under a mask. Keys of more than 13 bytes
 * have none (len 0) and go the longer way.
 */
struct plan_field {
	/* want holds only bits under mask; both aligned for SSE2 loads. */
	_Alignas(16) uint64_t want[2];
	_Alignas(16) uint64_t mask[2];
	size_t len;
	size_t offset;      /* of the field's member, as in its argdata_field */
	unsigned char kind; /* enum scalar_kind */
};

/*
 * The common scalars as the fast runs read them: the field's type with
 * the member's size and the flags that matter folded in, so that the
 * loop branches once per value on what to do (SK_NONE: the longer way).
 */
enum scalar_kind {
	SK_NONE,
	SK_I8,
	SK_I16,
	SK_I32,
	SK_I64,
	SK_U8,
	SK_U16,
	SK_U32,
	SK_U64,
	SK_BOOL,
	SK_FLOAT,
	SK_STR,
	SK_STRLEN,
	SK_FD,
};

/* The kind of scalar a checked field reads, for fast_scalar(). */
static inline unsigned char
ad_typed_scalar_kind(const struct argdata_field *f)
{
	unsigned char step = f->size == 1 ? 0
	    : f->size == 2                ? 1
	    : f->size == 4                ? 2
	                                  : 3;

	switch (f->type) {
	case ARGDATA_FIELD_INT:
		return (unsigned char)(SK_I8 + step);
	case ARGDATA_FIELD_UINT:
		return (unsigned char)(SK_U8 + step);
	case ARGDATA_FIELD_BOOL:
		return SK_BOOL;
	case ARGDATA_FIELD_FLOAT:
		return SK_FLOAT;
	case ARGDATA_FIELD_STR:
		return SK_STR;
	case ARGDATA_FIELD_STRLEN:
		return SK_STRLEN;
	case ARGDATA_FIELD_FD:
		/* Descriptors of a kind are checked the longer way. */
		return (f->flags & ~ARGDATA_REQUIRED) == 0 ? SK_FD : SK_NONE;
	default:
		return SK_NONE;
	}
}

/*
 * The plans of the schemas of one call, made once by ad_typed_prepare(): the
 * same nested schema is read once per element of an array or per other
 * key, and the plan saves it working the keys out again each time.
 */
#define PLAN_SCHEMAS 8
#define PLAN_FIELDS 16

struct plan {
	const struct argdata_schema *schema;
	/* One more than the fields: the last ends every run (make_plan()). */
	struct plan_field field[PLAN_FIELDS + 1];
	/*
	 * The plan of the schema that each field's maps are read with
	 * (nested maps, arrays of maps, other keys), or NULL.
	 */
	const struct plan *nested[PLAN_FIELDS];
};

struct ctx {
	char *errbuf;
	size_t errlen;
	struct plan plans[PLAN_SCHEMAS];
	size_t nplans;
};

/*
 * Stores the key of an element read for other keys (field f): a pointer,
 * or with ARGDATA_KEY_LENGTH a struct argdata_str.
 */
static inline void
ad_typed_store_key(const struct argdata_field *f, uint8_t *elem,
    const char *name, size_t len)
{
	if (f->flags & ARGDATA_KEY_LENGTH) {
		struct argdata_str str = {name, len};

		memcpy(elem + f->key_offset, &str, sizeof(str));
	} else {
		memcpy(elem + f->key_offset, &name, sizeof(name));
	}
}

/* Stores the first error's message, "path: message"; returns error. */
int ad_typed_fail(struct ctx *c, const struct path *p, int error,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "expected an int, found a str". */
int ad_typed_fail_type(struct ctx *c, const struct path *p, const char *want,
    uint8_t tag);
/* The name of a wire type, and "a" or "an" for a noun. */
const char *ad_typed_type_name(uint8_t tag);
const char *ad_typed_article(const char *noun);

/*
 * Checks schema and those nested in it, and makes their plans into c.
 * Returns 0 or EINVAL with the message.
 */
int ad_typed_prepare(struct ctx *c, const struct argdata_schema *schema);
/* The plan of schema s in this call, or NULL. */
const struct plan *ad_typed_find_plan(const struct ctx *c,
    const struct argdata_schema *s);
/* Writes the value of an absent field (its default). */
int ad_typed_apply_default(struct ctx *c, const struct argdata_field *f,
    uint8_t *base, unsigned depth);

/* The readers: a map, one value of a type, a sequence into a field. */
int ad_typed_read_map(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_schema *s, uint8_t *base, unsigned depth);
int ad_typed_read_value(struct ctx *c, const struct path *p,
    const struct val *v, const struct argdata_field *f, unsigned type,
    size_t size, uint8_t *dst, unsigned depth);
int ad_typed_read_seq(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_field *f, uint8_t *base, unsigned depth);
/* Gives the fields not seen their defaults, or reports them missing. */
int ad_typed_finish_map(struct ctx *c, const struct path *p,
    const struct argdata_schema *s, uint8_t *base, unsigned depth,
    const uint64_t *seen, size_t nother);
/* An encoded map of a schema of at most 64 fields (typed_encoded.c). */
int ad_typed_read_map_encoded(struct ctx *c, const struct path *p,
    const struct val *v, const struct argdata_schema *s, uint8_t *base,
    unsigned depth);
/* A whole encoded map in the plan's order; false for any other. */
bool ad_typed_fast_map(const struct plan *pl, const struct argdata_schema *s,
    const struct val *e, uint8_t *base);
/* Checks that descriptor fd is of the kinds flags ask for. */
int ad_typed_check_fd(struct ctx *c, const struct path *p, int fd,
    unsigned flags);

/* Stores the low size bytes of v as an integer of that size. */
static inline void
store_int(void *dst, uint64_t v, size_t size)
{
	switch (size) {
	case 1: {
		uint8_t x = (uint8_t)v;
		memcpy(dst, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = (uint16_t)v;
		memcpy(dst, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;
		memcpy(dst, &x, 4);
		break;
	}
	default:
		memcpy(dst, &v, 8);
		break;
	}
}

/*
 * Whether the len bytes at s are ASCII without NUL bytes, a word at a
 * time: keys and names are, and then need neither the UTF-8 check nor a
 * search for NUL bytes.
 */
static inline bool
plain_ascii(const uint8_t *s, size_t len)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);
	uint64_t w, bad = 0;

	/*
	 * High bits of bytes at or above 80, or equal to 00; the last word
	 * (or the two halves of one) overlaps the bytes before it rather
	 * than a loop over the tail.
	 */
	if (len >= 8) {
		const uint8_t *last = s + len - 8;

		for (; s < last; s += 8) {
			memcpy(&w, s, 8);
			bad |= w | ((w - ones) & ~w);
		}
		memcpy(&w, last, 8);
		bad |= w | ((w - ones) & ~w);
	} else if (len >= 4) {
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		w = (uint64_t)a << 32 | b;
		bad = w | ((w - ones) & ~w);
	} else {
		for (size_t i = 0; i < len; i++)
			bad |= (uint64_t)(s[i] == 0 || s[i] >= 0x80) << 7;
	}
	return (bad & highs) == 0;
}

/* A string payload as a C string: valid UTF-8, no NUL of its own. */
static inline int
ad_typed_get_cstr(const struct val *v, const char **s)
{
	size_t len;

	if (v->n == 0 || v->p[v->n - 1] != 0)
		return EINVAL;
	len = v->n - 1;
	if (!plain_ascii(v->p, len) &&
	    (!ad_utf8_valid(v->p, len) || memchr(v->p, 0, len) != NULL))
		return EILSEQ;
	*s = (const char *)v->p;
	return 0;
}

/*
 * Whether the n bytes at a and b are equal: keys are short, and a call
 * to memcmp() costs more than comparing them here with loads that may
 * overlap but never leave either range.
 */
static inline bool
same_bytes(const uint8_t *a, const char *b, size_t n)
{
	uint64_t x, y, z, w;
	uint32_t p, q, r, t;

	if (n >= 8) {
		for (size_t i = 0; i < n - 8; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return false;
		}
		memcpy(&z, a + n - 8, 8);
		memcpy(&w, b + n - 8, 8);
		return z == w;
	}
	if (n >= 4) {
		memcpy(&p, a, 4);
		memcpy(&q, b, 4);
		memcpy(&r, a + n - 4, 4);
		memcpy(&t, b + n - 4, 4);
		return ((p ^ q) | (r ^ t)) == 0;
	}
	if (n == 0)
		return true;
	return a[0] == (uint8_t)b[0] && a[n / 2] == (uint8_t)b[n / 2] &&
	    a[n - 1] == (uint8_t)b[n - 1];
}

/* Whether the key of len bytes at k is the field's. */
static inline bool
key_is(const struct argdata_field *f, const uint8_t *k, size_t len)
{
	size_t flen = f->keylen;

	if (f->key == NULL)
		return false;
	if (flen == 0 && f->key[0] != '\0')
		flen = strlen(f->key);
	return flen == len && same_bytes(k, f->key, len);
}

/*
 * ad_read_subfield(), with the long case given addresses of its own: when
 * the caller's positions never escape, the compiler keeps them in
 * registers, where the stores into the caller's struct (which may alias
 * anything in memory) cannot force them to be loaded again.
 */
static inline __attribute__((always_inline)) bool
subfield(const uint8_t **pos, const uint8_t *end, const uint8_t **field,
    size_t *len)
{
	const uint8_t *p = *pos, *q, *f;
	size_t l;

	if (p < end && (*p & 0x80) && (size_t)(*p & 0x7f) < (size_t)(end - p)) {
		*field = p + 1;
		*len = *p & 0x7f;
		*pos = p + 1 + (*p & 0x7f);
		return true;
	}
	q = p;
	if (ad_read_subfield_long(&q, end, &f, &l) != NULL)
		return false;
	*pos = q;
	*field = f;
	*len = l;
	return true;
}

#endif
