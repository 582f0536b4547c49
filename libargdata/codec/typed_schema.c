/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * typed_schema.c - the schemas of argdata_read_map(): checked once per
 * call (their nesting bounded, each distinct schema once), the plans the
 * fast runs match keys with, and the defaults of absent fields.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "typed.h"

static int apply_defaults(struct ctx *c, const struct argdata_schema *s,
    uint8_t *base, unsigned depth);

/* Whether size is that of a member of the given field type. */
static bool
size_fits(unsigned type, size_t size)
{
	switch (type) {
	case ARGDATA_FIELD_INT:
	case ARGDATA_FIELD_UINT:
		return size == 1 || size == 2 || size == 4 || size == 8;
	case ARGDATA_FIELD_BOOL:
		return size == sizeof(bool);
	case ARGDATA_FIELD_FLOAT:
		return size == sizeof(double);
	case ARGDATA_FIELD_STR:
		return size == sizeof(const char *);
	case ARGDATA_FIELD_STRLEN:
		return size == sizeof(struct argdata_str);
	case ARGDATA_FIELD_BINARY:
		return size == sizeof(struct argdata_bytes);
	case ARGDATA_FIELD_FD:
		return size == sizeof(int);
	case ARGDATA_FIELD_TIMESTAMP:
		return size == sizeof(struct timespec);
	case ARGDATA_FIELD_MAP:
		return true;
	default:
		return false;
	}
}

/*
 * Writes the value an absent field takes. Required fields get the same
 * (zero, or -1 for descriptors), so that every member is defined even
 * when a map that holds them is itself absent.
 */
int
ad_typed_apply_default(struct ctx *c, const struct argdata_field *f,
    uint8_t *base, unsigned depth)
{
	uint8_t *dst = base + f->offset;

	switch (f->type) {
	case ARGDATA_FIELD_INT:
	case ARGDATA_FIELD_UINT:
		store_int(dst, (uint64_t)f->def_int, f->size);
		return 0;
	case ARGDATA_FIELD_BOOL:
		*(bool *)(void *)dst = f->def_int != 0;
		return 0;
	case ARGDATA_FIELD_FLOAT:
		memcpy(dst, &f->def_float, sizeof(double));
		return 0;
	case ARGDATA_FIELD_STR:
		memcpy(dst, &f->def_str, sizeof(f->def_str));
		return 0;
	case ARGDATA_FIELD_STRLEN: {
		struct argdata_str str = {f->def_str != NULL ? f->def_str : "",
		    f->def_str != NULL ? strlen(f->def_str) : 0};
		memcpy(dst, &str, sizeof(str));
		return 0;
	}
	case ARGDATA_FIELD_BINARY: {
		struct argdata_bytes b = {"", 0};
		memcpy(dst, &b, sizeof(b));
		return 0;
	}
	case ARGDATA_FIELD_FD: {
		int fd = -1;
		memcpy(dst, &fd, sizeof(fd));
		return 0;
	}
	case ARGDATA_FIELD_TIMESTAMP: {
		struct timespec ts = {0, 0};
		memcpy(dst, &ts, sizeof(ts));
		return 0;
	}
	case ARGDATA_FIELD_MAP:
		return apply_defaults(c, f->nested, dst, depth + 1);
	case ARGDATA_FIELD_ARRAY: {
		size_t zero = 0;
		memcpy(base + f->count_offset, &zero, sizeof(zero));
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * Checks that a field is one the reader understands; the schema is
 * static, so a failure here is the program's mistake, reported as such.
 */
static int
check_field(struct ctx *c, const struct argdata_field *f, bool *other)
{
	*other = f->key == NULL;
	switch (f->type) {
	case ARGDATA_FIELD_MAP:
		if (f->nested == NULL || *other)
			break;
		return 0;
	case ARGDATA_FIELD_ARRAY:
		if (f->size == 0 || f->elem_type == ARGDATA_FIELD_ARRAY ||
		    f->elem_type == ARGDATA_FIELD_EACH ||
		    !size_fits(f->elem_type, f->size) ||
		    (f->elem_type == ARGDATA_FIELD_MAP && f->nested == NULL) ||
		    (*other && f->elem_type != ARGDATA_FIELD_MAP))
			break;
		return 0;
	case ARGDATA_FIELD_EACH:
		if (f->each == NULL || *other)
			break;
		return 0;
	default:
		if (*other || !size_fits(f->type, f->size))
			break;
		return 0;
	}
	return ad_typed_fail(c, NULL, EINVAL,
	    "schema: field %s is not well-formed",
	    f->key != NULL ? f->key : "(other keys)");
}

/* Gives every field of a map that is absent its default. */
static int
apply_defaults(struct ctx *c, const struct argdata_schema *s, uint8_t *base,
    unsigned depth)
{
	int error;

	if (depth > ARGDATA_SCHEMA_DEPTH_MAX)
		return ad_typed_fail(c, NULL, EINVAL,
		    "schema: nested too deep");
	for (size_t i = 0; i < s->nfields; i++)
		if ((error = ad_typed_apply_default(c, &s->fields[i], base,
		         depth)) != 0)
			return error;
	return 0;
}

/* Works out the encoded key subfield each field of s expects. */
static void
make_plan(struct plan *pl, const struct argdata_schema *s)
{
	pl->schema = s;
	/*
	 * One entry past the fields (nfields <= PLAN_FIELDS): the run
	 * stops there without counting the fields.
	 */
	for (size_t i = 0; i <= s->nfields; i++) {
		const struct argdata_field *f =
		    i < s->nfields ? &s->fields[i] : NULL;
		struct plan_field *pf = &pl->field[i];
		uint8_t want[16], mask[16];
		size_t klen;

		/*
		 * Keys too long to plan, the field for other keys and the
		 * entry past the fields expect a subfield of length byte 00,
		 * which ends a run (see fast_run_inline()).
		 */
		memset(pf, 0, sizeof(*pf));
		memset(mask, 0, sizeof(mask));
		mask[0] = 0xff;
		memcpy(pf->mask, mask, sizeof(mask));
		if (f == NULL || f->key == NULL)
			continue;
		pf->offset = f->offset;
		pf->kind = ad_typed_scalar_kind(f);
		klen = f->keylen != 0 ? f->keylen : strlen(f->key);
		if (klen > 13)
			continue;
		memset(want, 0, sizeof(want));
		memset(mask, 0, sizeof(mask));
		want[0] = (uint8_t)(0x80 | (klen + 2));
		want[1] = AD_TAG_STR;
		memcpy(want + 2, f->key, klen);
		want[2 + klen] = 0x00;
		memset(mask, 0xff, klen + 3);
		memcpy(pf->want, want, sizeof(want));
		memcpy(pf->mask, mask, sizeof(mask));
		pf->len = klen + 3;
	}
}

/* The plan of schema s in this call, or NULL. */
const struct plan *
ad_typed_find_plan(const struct ctx *c, const struct argdata_schema *s)
{
	for (size_t i = 0; i < c->nplans; i++)
		if (c->plans[i].schema == s)
			return &c->plans[i];
	return NULL;
}

/* Points each plan's fields at the plans of their nested schemas. */
static void
link_plans(struct ctx *c)
{
	for (size_t i = 0; i < c->nplans; i++) {
		struct plan *pl = &c->plans[i];

		for (size_t j = 0; j < pl->schema->nfields; j++) {
			const struct argdata_field *f = &pl->schema->fields[j];

			pl->nested[j] = f->nested != NULL &&
			        (f->type == ARGDATA_FIELD_MAP ||
			            (f->type == ARGDATA_FIELD_ARRAY &&
			                f->elem_type == ARGDATA_FIELD_MAP))
			    ? ad_typed_find_plan(c, f->nested)
			    : NULL;
		}
	}
}

/*
 * The schemas checked so far in one call: each distinct schema is
 * checked once, however often it is referred to, so that checking is
 * linear in the schema's size.
 */
struct checked {
	const struct argdata_schema *s[64];
	size_t n;
};

/*
 * Checks a schema and those nested in it once, before any data is read,
 * so that reading need not check fields again for every map. Recursion
 * follows schema nesting and stops at ARGDATA_SCHEMA_DEPTH_MAX.
 */
static int
check_schema(struct ctx *c, const struct argdata_schema *s, unsigned depth,
    struct checked *done)
{
	size_t nother = 0;
	int error;

	if (depth > ARGDATA_SCHEMA_DEPTH_MAX)
		return ad_typed_fail(c, NULL, EINVAL,
		    "schema: nested too deep");
	for (size_t i = 0; i < done->n; i++)
		if (done->s[i] == s)
			return 0;
	if (done->n < sizeof(done->s) / sizeof(done->s[0]))
		done->s[done->n++] = s;
	if (s->nfields > ARGDATA_SCHEMA_FIELDS_MAX ||
	    (s->nfields > 0 && s->fields == NULL))
		return ad_typed_fail(c, NULL, EINVAL,
		    "schema: too many fields");
	if (s->nfields <= PLAN_FIELDS && c->nplans < PLAN_SCHEMAS)
		make_plan(&c->plans[c->nplans++], s);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct argdata_field *f = &s->fields[i];
		bool other;

		if ((error = check_field(c, f, &other)) != 0)
			return error;
		if (other && ++nother > 1)
			return ad_typed_fail(c, NULL, EINVAL,
			    "schema: more than one "
			    "field for other keys");
		if (f->nested != NULL &&
		    (f->type == ARGDATA_FIELD_MAP ||
		        (f->type == ARGDATA_FIELD_ARRAY &&
		            f->elem_type == ARGDATA_FIELD_MAP)) &&
		    (error = check_schema(c, f->nested, depth + 1, done)) != 0)
			return error;
	}
	return 0;
}

int
ad_typed_prepare(struct ctx *c, const struct argdata_schema *s)
{
	struct checked done;
	int error;

	c->nplans = 0;
	done.n = 0;
	if ((error = check_schema(c, s, 0, &done)) != 0)
		return error;
	link_plans(c);
	return 0;
}
