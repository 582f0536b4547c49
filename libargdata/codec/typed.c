/*
 * Typed extraction, argdata_read_map(): a map read into the caller's
 * struct as a static schema describes it, with errors that name the path.
 *
 * Encoded data is read straight from its bytes, one subfield after the
 * other, without the public iterators: a value here is a tag and a payload
 * on the stack, and a key is matched first against the field that follows
 * the one matched last (data written from a struct comes in its order),
 * then against all of them, by length and bytes. Trees made in memory go
 * through the same code, their containers walked over their arrays.
 *
 * Recursion follows the schema, not the data: a nested map or an array of
 * maps recurses once per level of schema nesting, and that is bounded by
 * ARGDATA_SCHEMA_DEPTH_MAX even for a schema that refers to itself. Data
 * nested deeper than its schema is never entered (a value of the wrong
 * type is an error before its contents are looked at), so the work is
 * linear in the size of the map and nothing is allocated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "codec.h"

/*
 * A value being read: its tag (0 for null) and payload, or the container
 * made in memory that holds it, with the descriptor conversion of the
 * data it came from.
 */
struct val {
	uint8_t tag;
	const uint8_t *p;     /* the payload, after the tag */
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
	uint64_t want[2], mask[2];
	size_t len;
};

/*
 * The plans of the schemas of one call, made once by check_schema(): the
 * same nested schema is read once per element of an array or per other
 * key, and the plan saves it working the keys out again each time.
 */
#define PLAN_SCHEMAS 8
#define PLAN_FIELDS 16

struct plan {
	const struct argdata_schema *schema;
	struct plan_field field[PLAN_FIELDS];
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

static const char *
type_name(uint8_t tag)
{
	static const char *const names[] = {"null", "binary", "bool", "fd",
	    "float", "int", "map", "seq", "str", "timestamp"};

	return tag < sizeof(names) / sizeof(names[0]) ? names[tag]
						      : "value of unknown type";
}

/* "a" or "an", for "expected an int, found a str". */
static const char *
article(const char *noun)
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
static __attribute__((noinline, format(printf, 4, 5))) int
fail(struct ctx *c, const struct path *p, int error, const char *fmt, ...)
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

static int
fail_type(struct ctx *c, const struct path *p, const char *want, uint8_t tag)
{
	const char *found = type_name(tag);

	return fail(c, p, EINVAL, "expected %s %s, found %s %s",
	    article(want), want, article(found), found);
}

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

static int apply_defaults(struct ctx *c, const struct argdata_schema *s,
    uint8_t *base, unsigned depth);

/*
 * Writes the value an absent field takes. Required fields get the same
 * (zero, or -1 for descriptors), so that every member is defined even
 * when a map that holds them is itself absent.
 */
static int
apply_default(struct ctx *c, const struct argdata_field *f, uint8_t *base,
    unsigned depth)
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
		memcpy(dst, &f->def_str, sizeof(const char *));
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
	return fail(c, NULL, EINVAL, "schema: field %s is not well-formed",
	    f->key != NULL ? f->key : "(other keys)");
}

/* Gives every field of a map that is absent its default. */
static int
apply_defaults(struct ctx *c, const struct argdata_schema *s, uint8_t *base,
    unsigned depth)
{
	int error;

	if (depth > ARGDATA_SCHEMA_DEPTH_MAX)
		return fail(c, NULL, EINVAL, "schema: nested too deep");
	for (size_t i = 0; i < s->nfields; i++)
		if ((error = apply_default(c, &s->fields[i], base, depth)) != 0)
			return error;
	return 0;
}

/* Works out the encoded key subfield each field of s expects. */
static void
make_plan(struct plan *pl, const struct argdata_schema *s)
{
	pl->schema = s;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct argdata_field *f = &s->fields[i];
		struct plan_field *pf = &pl->field[i];
		uint8_t want[16], mask[16];
		size_t klen;

		memset(pf, 0, sizeof(*pf));
		if (f->key == NULL)
			continue;
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
static const struct plan *
find_plan(const struct ctx *c, const struct argdata_schema *s)
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
			    ? find_plan(c, f->nested) : NULL;
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
		return fail(c, NULL, EINVAL, "schema: nested too deep");
	for (size_t i = 0; i < done->n; i++)
		if (done->s[i] == s)
			return 0;
	if (done->n < sizeof(done->s) / sizeof(done->s[0]))
		done->s[done->n++] = s;
	if (s->nfields > ARGDATA_SCHEMA_FIELDS_MAX || (s->nfields > 0 &&
	    s->fields == NULL))
		return fail(c, NULL, EINVAL, "schema: too many fields");
	if (s->nfields <= PLAN_FIELDS && c->nplans < PLAN_SCHEMAS)
		make_plan(&c->plans[c->nplans++], s);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct argdata_field *f = &s->fields[i];
		bool other;

		if ((error = check_field(c, f, &other)) != 0)
			return error;
		if (other && ++nother > 1)
			return fail(c, NULL, EINVAL, "schema: more than one "
			    "field for other keys");
		if (f->nested != NULL && (f->type == ARGDATA_FIELD_MAP ||
		    (f->type == ARGDATA_FIELD_ARRAY &&
			f->elem_type == ARGDATA_FIELD_MAP)) &&
		    (error = check_schema(c, f->nested, depth + 1, done)) != 0)
			return error;
	}
	return 0;
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

	if (len < 8) {
		for (size_t i = 0; i < len; i++)
			bad |= (uint64_t)(s[i] == 0 || s[i] >= 0x80);
		return bad == 0;
	}
	for (size_t i = 0;; i += 8) {
		if (i > len - 8)
			i = len - 8;
		memcpy(&w, s + i, 8);
		/* High bits of bytes at or above 80, or equal to 00. */
		bad |= w | ((w - ones) & ~w);
		if (i == len - 8)
			break;
	}
	return (bad & highs) == 0;
}

/* A string payload as a C string: valid UTF-8, no NUL of its own. */
static inline int
get_cstr(const struct val *v, const char **s)
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

/* What a descriptor is, by fstat(2), for messages. */
static const char *
fd_kind(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return "descriptor that cannot be examined";
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFSOCK:
		return "socket";
	case S_IFIFO:
		return "pipe";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "descriptor of another kind";
	}
}

/* Checks that fd is of the kinds flags ask for. */
static int
check_fd(struct ctx *c, const struct path *p, int fd, unsigned flags)
{
	struct stat st;

	if ((flags & (ARGDATA_FD_DIRECTORY | ARGDATA_FD_REGULAR |
		ARGDATA_FD_SOCKET)) != 0) {
		if (fstat(fd, &st) != 0)
			return fail(c, p, EBADF, "descriptor cannot be "
			    "examined");
		if ((flags & ARGDATA_FD_DIRECTORY) && !S_ISDIR(st.st_mode))
			return fail(c, p, EINVAL, "expected a directory, "
			    "found a %s", fd_kind(fd));
		if ((flags & ARGDATA_FD_REGULAR) && !S_ISREG(st.st_mode))
			return fail(c, p, EINVAL, "expected a regular file, "
			    "found a %s", fd_kind(fd));
		if ((flags & ARGDATA_FD_SOCKET) && !S_ISSOCK(st.st_mode))
			return fail(c, p, EINVAL, "expected a socket, found "
			    "a %s", fd_kind(fd));
	}
	if (flags & ARGDATA_FD_LISTENING) {
		int type = 0, listening = 0;
		socklen_t len = sizeof(type);

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
			return fail(c, p, EINVAL, "expected a listening "
			    "stream socket, found a %s", fd_kind(fd));
		len = sizeof(listening);
		if (type != SOCK_STREAM ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			&len) != 0 || !listening)
			return fail(c, p, EINVAL, "expected a listening "
			    "stream socket, found a %s that is not",
			    type == SOCK_STREAM ? "stream socket" : "socket");
	}
	if (flags & (ARGDATA_FD_READABLE | ARGDATA_FD_WRITABLE)) {
		int fl = fcntl(fd, F_GETFL);
		int mode = fl & O_ACCMODE;

		if (fl < 0)
			return fail(c, p, EBADF, "descriptor cannot be "
			    "examined");
#ifdef O_PATH
		if (fl & O_PATH)
			mode = -1;
#endif
		if ((flags & ARGDATA_FD_READABLE) && mode != O_RDONLY &&
		    mode != O_RDWR)
			return fail(c, p, EINVAL, "expected a descriptor "
			    "open for reading, found one that is not");
		if ((flags & ARGDATA_FD_WRITABLE) && mode != O_WRONLY &&
		    mode != O_RDWR)
			return fail(c, p, EINVAL, "expected a descriptor "
			    "open for writing, found one that is not");
	}
	return 0;
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
		return fail_type(c, p, "int", v->tag);
	if (int_payload(v, &x)) {
		negative = x < 0;
		mag = negative ? 0 - (uint64_t)x : (uint64_t)x;
	} else if (ad_decode_int(v->p, v->n, &negative, &mag) != 0) {
		return fail(c, p, ERANGE, "integer out of range");
	}
	if (type == ARGDATA_FIELD_INT) {
		uint64_t lim = (UINT64_C(1) << (8 * size - 1)) - 1;

		if (negative ? mag > lim + 1 : mag > lim)
			return fail(c, p, ERANGE, "%s%" PRIu64 " is out of "
			    "range for %s %zu-bit signed integer",
			    negative ? "-" : "", mag, size == 1 ? "an" : "a",
			    8 * size);
		store_int(dst, negative ? 0 - mag : mag, size);
	} else {
		uint64_t lim = size == 8 ? UINT64_MAX
		    : (UINT64_C(1) << (8 * size)) - 1;

		if ((negative && mag != 0) || mag > lim)
			return fail(c, p, ERANGE, "%s%" PRIu64 " is out of "
			    "range for %s %zu-bit unsigned integer",
			    negative ? "-" : "", mag, size == 1 ? "an" : "a",
			    8 * size);
		store_int(dst, mag, size);
	}
	return 0;
}

static int read_map(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_schema *s, uint8_t *base, unsigned depth);

/* Reads one value of the given field type into dst. */
static int
read_value(struct ctx *c, const struct path *p, const struct val *v,
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
			return fail_type(c, p, "bool", v->tag);
		if (v->n > 1 || (v->n == 1 && v->p[0] != 0x01))
			return fail(c, p, EINVAL, "corrupt bool");
		*(bool *)(void *)dst = v->n == 1;
		return 0;
	case ARGDATA_FIELD_FLOAT: {
		uint64_t bits;

		if (v->tag != AD_TAG_FLOAT)
			return fail_type(c, p, "float", v->tag);
		if (v->n != 8)
			return fail(c, p, EINVAL, "corrupt float");
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
			return fail_type(c, p, "str", v->tag);
		if ((error = get_cstr(v, &s)) != 0)
			return fail(c, p, error, error == EILSEQ
			    ? "string is not valid UTF-8 or holds a NUL byte"
			    : "corrupt string");
		memcpy(dst, &s, sizeof(s));
		return 0;
	}
	case ARGDATA_FIELD_STRLEN: {
		struct argdata_str str = {(const char *)v->p, v->n - 1};

		if (v->tag != AD_TAG_STR)
			return fail_type(c, p, "str", v->tag);
		if (v->n == 0 || v->p[v->n - 1] != 0)
			return fail(c, p, EINVAL, "corrupt string");
		if (!ad_utf8_valid(v->p, v->n - 1))
			return fail(c, p, EILSEQ, "string is not valid UTF-8");
		memcpy(dst, &str, sizeof(str));
		return 0;
	}
	case ARGDATA_FIELD_BINARY: {
		struct argdata_bytes b = {v->p, v->n};

		if (v->tag != AD_TAG_BINARY)
			return fail_type(c, p, "binary", v->tag);
		memcpy(dst, &b, sizeof(b));
		return 0;
	}
	case ARGDATA_FIELD_FD: {
		uint32_t number;
		int fd;

		if (v->tag != AD_TAG_FD)
			return fail_type(c, p, "fd", v->tag);
		if (v->n != 4)
			return fail(c, p, EINVAL, "corrupt fd");
		number = (uint32_t)v->p[0] << 24 | (uint32_t)v->p[1] << 16 |
		    (uint32_t)v->p[2] << 8 | v->p[3];
		fd = v->convert != NULL ? v->convert(v->carg, number) : -1;
		if (fd < 0)
			return fail(c, p, EBADF, "descriptor %" PRIu32
			    " is not available", number);
		if ((f->flags & ~ARGDATA_REQUIRED) != 0 &&
		    (error = check_fd(c, p, fd, f->flags)) != 0)
			return error;
		memcpy(dst, &fd, sizeof(fd));
		return 0;
	}
	case ARGDATA_FIELD_TIMESTAMP: {
		struct timespec ts;

		if (v->tag != AD_TAG_TIMESTAMP)
			return fail_type(c, p, "timestamp", v->tag);
		if (ad_decode_timestamp(v->p, v->n, &ts) != 0)
			return fail(c, p, ERANGE, "timestamp out of range");
		memcpy(dst, &ts, sizeof(ts));
		return 0;
	}
	case ARGDATA_FIELD_MAP:
		return read_map(c, p, v, f->nested, dst, depth + 1);
	default:
		return fail(c, p, EINVAL, "schema: not a field type");
	}
}

static bool fast_map(const struct plan *pl, const struct argdata_schema *s,
    const struct val *e, uint8_t *base);

/* A sequence into an array, or through a callback. */
static int
read_seq(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_field *f, uint8_t *base, unsigned depth)
{
	struct cursor cur;
	struct val e;
	struct path step = {p, NULL, 0, 0};
	const struct plan *npl = NULL;
	size_t i;
	int r, error;

	if (v->tag != AD_TAG_SEQ)
		return fail_type(c, p, "seq", v->tag);
	if (f->type == ARGDATA_FIELD_ARRAY && f->elem_type == ARGDATA_FIELD_MAP)
		npl = find_plan(c, f->nested);
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
				return fail(c, &step, error, "rejected by the "
				    "program (error %d)", error);
			continue;
		}
		if (i == f->max)
			return fail(c, p, EINVAL, "more than %zu elements",
			    f->max);
		/* Encoded maps in the schema's order: at once. */
		if (npl != NULL && e.node == NULL && e.tag == AD_TAG_MAP &&
		    fast_map(npl, f->nested, &e, base + f->offset + i * f->size))
			continue;
		if ((error = read_value(c, &step, &e, f, f->elem_type, f->size,
		    base + f->offset + i * f->size, depth)) != 0)
			return error;
	}
	if (r < 0)
		return fail(c, p, EINVAL, "corrupt sequence");
	if (f->type == ARGDATA_FIELD_ARRAY)
		memcpy(base + f->count_offset, &i, sizeof(i));
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
 * Reads the map v into base. Every field is first given its default, then
 * the pairs are read in the order they come; a bit per field catches keys
 * that come twice and required keys that never come.
 */
static int finish_map(struct ctx *c, const struct path *p,
    const struct argdata_schema *s, uint8_t *base, unsigned depth,
    const uint64_t *seen, size_t nother);
static int read_map_encoded(struct ctx *c, const struct path *p,
    const struct val *v, const struct argdata_schema *s, uint8_t *base,
    unsigned depth);

static int
read_map(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_schema *s, uint8_t *base, unsigned depth)
{
	uint64_t seen[ARGDATA_SCHEMA_FIELDS_MAX / 64];
	const struct argdata_field *fields = s->fields, *other = NULL;
	size_t nfields = s->nfields, hint = 0, nother = 0;
	struct cursor cur;
	struct val k, e;
	int r, error;

	if (depth > ARGDATA_SCHEMA_DEPTH_MAX)
		return fail(c, p, EINVAL, "schema: nested too deep");
	if (v->tag != AD_TAG_MAP)
		return fail_type(c, p, "map", v->tag);
	/* Encoded, and a bit per field fits in a word: in place. */
	if (v->node == NULL && nfields <= 64)
		return read_map_encoded(c, p, v, s, base, depth);
	memset(seen, 0, (nfields + 63) / 64 * sizeof(seen[0]));
	cursor_init(&cur, v);
	while ((r = cursor_next(&cur, &k)) > 0) {
		struct path step = {p, NULL, 0, 0};
		const struct argdata_field *f;
		size_t i, klen;

		if (cursor_next(&cur, &e) <= 0)
			return fail(c, p, EINVAL, "corrupt map");
		if (k.tag != AD_TAG_STR || k.n == 0 || k.p[k.n - 1] != 0)
			return fail(c, p, EINVAL, "expected a str as key, "
			    "found %s %s", article(type_name(k.tag)),
			    type_name(k.tag));
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
				return fail(c, &step, EINVAL, "unknown key");
			}
			if (get_cstr(&k, &name) != 0)
				return fail(c, &step, EILSEQ, "key is not "
				    "valid UTF-8 or holds a NUL byte");
			if (nother == other->max)
				return fail(c, &step, EINVAL, "more than %zu "
				    "keys besides those named", other->max);
			uint8_t *elem = base + other->offset +
			    nother * other->size;
			if ((error = read_value(c, &step, &e, other,
			    ARGDATA_FIELD_MAP, other->size, elem, depth)) != 0)
				return error;
			memcpy(elem + other->key_offset, &name, sizeof(name));
			nother++;
			memcpy(base + other->count_offset, &nother,
			    sizeof(nother));
			continue;
		}
		if (seen[i / 64] & (UINT64_C(1) << (i % 64)))
			return fail(c, &step, EINVAL, "duplicate key");
		seen[i / 64] |= UINT64_C(1) << (i % 64);
		hint = i + 1;
		f = &fields[i];
		if (f->type == ARGDATA_FIELD_ARRAY ||
		    f->type == ARGDATA_FIELD_EACH)
			error = read_seq(c, &step, &e, f, base, depth);
		else
			error = read_value(c, &step, &e, f, f->type, f->size,
			    base + f->offset, depth);
		if (error != 0)
			return error;
	}
	if (r < 0)
		return fail(c, p, EINVAL, "corrupt map");
	return finish_map(c, p, s, base, depth, seen, nother);
}

/* Gives the fields that did not come their defaults, or reports them. */
static int
finish_map(struct ctx *c, const struct path *p,
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
						  : strlen(fields[i].key), 0};

			return fail(c, &step, EINVAL, "missing");
		}
		if ((error = apply_default(c, &fields[i], base, depth)) != 0)
			return error;
	}
	return 0;
}

int
argdata_read_map(const argdata_t *ad, const struct argdata_schema *schema,
    void *out, char *errbuf, size_t errlen)
{
	struct ctx c;
	struct checked done;
	struct val v;
	int error;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	c.errbuf = errbuf;
	c.errlen = errlen;
	c.nplans = 0;
	done.n = 0;
	if ((error = check_schema(&c, schema, 0, &done)) != 0)
		return error;
	link_plans(&c);
	val_from_node(ad, &v);
	return read_map(&c, NULL, &v, schema, out, 0);
}

/*
 * The common scalars of an encoded value, read inline: true when the
 * value was read into dst, false when read_value() must do it (other
 * types, long integers, strings not plain ASCII, descriptors to check,
 * and every error, whose message it writes). lo is the start of the
 * readable bytes around the value.
 */
static inline __attribute__((always_inline)) bool
fast_scalar(const struct argdata_field *f, const uint8_t *vf, size_t vl,
    const uint8_t *lo, int (*convert)(void *, size_t), void *carg,
    uint8_t *dst)
{
	uint8_t tag = vl > 0 ? vf[0] : 0;
	size_t n = vl - 1;

	switch (f->type) {
	case ARGDATA_FIELD_INT:
	case ARGDATA_FIELD_UINT: {
		uint64_t u;
		int64_t x;
		unsigned bits = 8 * f->size;

		if (tag != AD_TAG_INT || n > 8)
			return false;
		if ((size_t)(vf + vl - lo) >= 8 && n > 0) {
			/* The word ending with the payload, sign-extended. */
			memcpy(&u, vf + vl - 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			u = __builtin_bswap64(u);
#endif
			x = (int64_t)(u << (64 - 8 * n)) >> (64 - 8 * n);
		} else {
			u = n > 0 && (vf[1] & 0x80) ? UINT64_MAX : 0;
			for (size_t i = 0; i < n; i++)
				u = (u << 8) | vf[1 + i];
			x = (int64_t)u;
		}
		if (f->type == ARGDATA_FIELD_INT) {
			if (bits < 64 && (x < -(INT64_C(1) << (bits - 1)) ||
			    x >= (INT64_C(1) << (bits - 1))))
				return false;
		} else if (x < 0 || (bits < 64 &&
		    (uint64_t)x >= (UINT64_C(1) << bits))) {
			/* 9-byte payloads of large unsigned: read_value. */
			return false;
		}
		store_int(dst, (uint64_t)x, f->size);
		return true;
	}
	case ARGDATA_FIELD_BOOL:
		/*
		 * Without a branch on the value, which is as likely one as
		 * the other: vf[n] is the tag (n == 0) or the payload byte.
		 */
		if (tag != AD_TAG_BOOL ||
		    !((n == 0) | ((n == 1) & (vf[vl > 0 ? n : 0] == 0x01))))
			return false;
		*(bool *)(void *)dst = n == 1;
		return true;
	case ARGDATA_FIELD_FLOAT: {
		uint64_t bits;

		if (tag != AD_TAG_FLOAT || n != 8)
			return false;
		memcpy(&bits, vf + 1, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		bits = __builtin_bswap64(bits);
#endif
		memcpy(dst, &bits, 8);
		return true;
	}
	case ARGDATA_FIELD_STR: {
		const char *str = (const char *)vf + 1;

		if (tag != AD_TAG_STR || n == 0 || vf[n] != 0x00 ||
		    !plain_ascii(vf + 1, n - 1))
			return false;
		memcpy(dst, &str, sizeof(str));
		return true;
	}
	case ARGDATA_FIELD_STRLEN: {
		struct argdata_str str = {(const char *)vf + 1, n - 1};

		/* ASCII without NUL bytes: the common case, checked inline. */
		if (tag != AD_TAG_STR || n == 0 || vf[n] != 0x00 ||
		    !plain_ascii(vf + 1, n - 1))
			return false;
		memcpy(dst, &str, sizeof(str));
		return true;
	}
	case ARGDATA_FIELD_FD: {
		uint32_t number;
		int fd;

		if (tag != AD_TAG_FD || n != 4 || convert == NULL ||
		    (f->flags & ~ARGDATA_REQUIRED) != 0)
			return false;
		number = (uint32_t)vf[1] << 24 | (uint32_t)vf[2] << 16 |
		    (uint32_t)vf[3] << 8 | vf[4];
		if ((fd = convert(carg, number)) < 0)
			return false;
		memcpy(dst, &fd, sizeof(fd));
		return true;
	}
	default:
		return false;
	}
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

/* The encoded size of the values of a field type, or 0 when it varies. */
static inline size_t
fixed_size(unsigned type)
{
	return type == ARGDATA_FIELD_FD ? 5
	    : type == ARGDATA_FIELD_FLOAT ? 9 : 0;
}

/*
 * The pairs that come in the order of the schema, keyed as its plan
 * expects and holding one of the common scalars: read in a loop of their
 * own, with few enough values live that they all stay in registers.
 * Returns where it stopped, with *seenp and *hintp updated; the caller
 * reads the pair there, whatever it is, and every error.
 */
static inline __attribute__((always_inline)) const uint8_t *
fast_run_inline(const struct plan_field *plan,
    const struct argdata_field *fields,
    size_t nfields, const uint8_t *pos, const uint8_t *end, const uint8_t *lo,
    const uint8_t *lim, int (*convert)(void *, size_t), void *carg,
    uint8_t *base, uint64_t *seenp, size_t *hintp)
{
	uint64_t seen = *seenp;
	size_t hint = *hintp;

	/*
	 * The 16 bytes compared may reach past the map's end, up to lim;
	 * a key that does not end inside the map does not match, as its
	 * value must follow it there.
	 */
	while (hint < nfields && pos != end && (size_t)(lim - pos) >= 16) {
		const struct plan_field *pf = &plan[hint];
		const struct argdata_field *f = &fields[hint];
		const uint8_t *q = pos + pf->len;
		uint64_t d0, d1;
		size_t vl;

		memcpy(&d0, pos, 8);
		memcpy(&d1, pos + 8, 8);
		/* pf->len is 0 for keys too long to plan: never a match. */
		if (pf->len == 0 || (((d0 ^ pf->want[0]) & pf->mask[0]) |
		    ((d1 ^ pf->want[1]) & pf->mask[1])) != 0 ||
		    q >= end || !(*q & 0x80))
			break;
		vl = *q & 0x7f;
		if (vl >= (size_t)(end - q) || ((seen >> hint) & 1) != 0 ||
		    !fast_scalar(f, q + 1, vl, lo, convert, carg,
			base + f->offset))
			break;
		pos = q + 1 + vl;
		seen |= UINT64_C(1) << hint;
		hint++;
	}
	*seenp = seen;
	*hintp = hint;
	return pos;
}

/*
 * fast_run_inline() as a function of its own, for read_map_encoded(),
 * where inlined it would compete for registers with the longer way.
 */
static __attribute__((noinline)) const uint8_t *
fast_run(const struct plan_field *plan, const struct argdata_field *fields,
    size_t nfields, const uint8_t *pos, const uint8_t *end, const uint8_t *lo,
    const uint8_t *lim, int (*convert)(void *, size_t), void *carg,
    uint8_t *base, uint64_t *seenp, size_t *hintp)
{
	return fast_run_inline(plan, fields, nfields, pos, end, lo, lim,
	    convert, carg, base, seenp, hintp);
}

/*
 * A whole encoded map (payload [p, p + n)) whose pairs all come as the
 * plan expects, every field present: read by fast_run() alone. Returns
 * false for any other map, which the caller reads again from its start
 * the longer way (everything written here is written again).
 */
static inline __attribute__((always_inline)) bool
fast_map_inline(const struct plan *pl, const struct argdata_schema *s,
    const struct val *e, uint8_t *base)
{
	uint64_t seen = 0;
	size_t hint = 0;

	if (pl == NULL || s->nfields >= 64)
		return false;
	return fast_run_inline(pl->field, s->fields, s->nfields, e->p,
	    e->p + e->n, e->p - 1, e->lim, e->convert, e->carg, base, &seen,
	    &hint) ==
	    e->p + e->n &&
	    seen == (UINT64_C(1) << s->nfields) - 1;
}

static bool
fast_map(const struct plan *pl, const struct argdata_schema *s,
    const struct val *e, uint8_t *base)
{
	return fast_map_inline(pl, s, e, base);
}

/*
 * The entries of a map read by one field for other keys (f), as many as
 * come with a plain key and a map that fast_map() reads: returns where it
 * stopped, *nother counting the elements and the count stored.
 */
static const uint8_t *
other_run(const struct plan *npl, const struct argdata_field *f,
    const uint8_t *pos, const uint8_t *end, const struct val *v,
    uint8_t *base, size_t *nother)
{
	size_t n = *nother;

	while (pos != end && n < f->max) {
		const uint8_t *kf, *vf, *q = pos;
		size_t kl, vl;
		uint8_t *elem = base + f->offset + n * f->size;
		struct val e;
		const char *name;

		if (!subfield(&q, end, &kf, &kl) || !subfield(&q, end, &vf, &vl) ||
		    kl < 2 || kf[0] != AD_TAG_STR || kf[kl - 1] != 0 ||
		    !plain_ascii(kf + 1, kl - 2) || vl == 0 ||
		    vf[0] != AD_TAG_MAP)
			break;
		e = (struct val){AD_TAG_MAP, vf + 1, vl - 1, NULL, v->convert,
		    v->carg, v->lim};
		if (!fast_map_inline(npl, f->nested, &e, elem))
			break;
		name = (const char *)kf + 1;
		memcpy(elem + f->key_offset, &name, sizeof(name));
		pos = q;
		n++;
	}
	*nother = n;
	memcpy(base + f->count_offset, &n, sizeof(n));
	return pos;
}

/*
 * read_map() for an encoded map of a schema of at most 64 fields: the
 * same, with the subfields read in place and the common scalars inline,
 * positions and the bits of the fields seen kept in locals that the
 * stores into the caller's struct cannot alias.
 */
static int
read_map_encoded(struct ctx *c, const struct path *p, const struct val *v,
    const struct argdata_schema *s, uint8_t *base, unsigned depth)
{
	uint64_t seen = 0;
	const struct argdata_field *fields = s->fields, *other = NULL;
	const size_t nfields = s->nfields;
	size_t hint = 0, nother = 0;
	const uint8_t *pos = v->p, *const end = v->p + v->n, *lo = v->p - 1;
	const struct plan *pl = find_plan(c, s);
	const struct plan_field *plan = pl != NULL ? pl->field : NULL;
	int error;

	/*
	 * A map of names the user chose and nothing else (a schema of one
	 * field, for other keys): its entries in a run, each key plain
	 * ASCII and each value a map that fast_map() reads at once.
	 */
	if (pl != NULL && nfields == 1 && fields[0].key == NULL) {
		other = &fields[0];
		pos = other_run(pl->nested[0], other, pos, end, v, base,
		    &nother);
	}
	while (pos != end) {
		const uint8_t *kf, *vf;
		size_t kl, vl, i, klen;
		const struct argdata_field *f;

		/* The pairs that come as the plan expects, in a run. */
		if (plan != NULL && hint < nfields && plan[hint].len != 0 &&
		    (pos = fast_run(plan, fields, nfields, pos, end, lo,
			v->lim, v->convert, v->carg, base, &seen, &hint)) == end)
			break;
		/*
		 * Each subfield's position depends on the length before it,
		 * a chain of loads that bounds the speed. Where the data
		 * follows the schema, the key's length is known: a compare
		 * that the processor predicts replaces the load in the chain.
		 */
		i = nfields;
		if (hint < nfields && fields[hint].keylen != 0 &&
		    fields[hint].keylen + 2 < 0x80 &&
		    fields[hint].keylen + 2 < (size_t)(end - pos) &&
		    *pos == (uint8_t)(0x80 | (fields[hint].keylen + 2))) {
			kf = pos + 1;
			kl = fields[hint].keylen + 2;
			pos += 1 + kl;
			if (kf[0] == AD_TAG_STR && kf[kl - 1] == 0 &&
			    same_bytes(kf + 1, fields[hint].key, kl - 2))
				i = hint;
		} else if (!subfield(&pos, end, &kf, &kl)) {
			return fail(c, p, EINVAL, "corrupt map");
		}
		/* So with values of a fixed size. */
		vl = i < nfields ? fixed_size(fields[i].type) : 0;
		if (vl != 0 && vl < (size_t)(end - pos) &&
		    *pos == (uint8_t)(0x80 | vl)) {
			vf = pos + 1;
			pos += 1 + vl;
		} else if (!subfield(&pos, end, &vf, &vl)) {
			return fail(c, p, EINVAL, "corrupt map");
		}
		if (i == nfields &&
		    (kl < 2 || kf[0] != AD_TAG_STR || kf[kl - 1] != 0)) {
			uint8_t tag = kl > 0 ? kf[0] : 0;

			return fail(c, p, EINVAL, "expected a str as key, "
			    "found %s %s", article(type_name(tag)),
			    type_name(tag));
		}
		klen = kl - 2;
		/* The field after the last one matched, then all of them. */
		if (i == nfields) {
			for (i = 0; i < nfields; i++)
				if (key_is(&fields[i], kf + 1, klen))
					break;
		}
		if (i < nfields &&
		    !(seen & (UINT64_C(1) << i)) &&
		    fast_scalar(&fields[i], vf, vl, lo, v->convert, v->carg,
			base + fields[i].offset)) {
			seen |= UINT64_C(1) << i;
			hint = i + 1;
			continue;
		}

		/* Everything else, and every error, as read_map() does. */
		struct path step = {p, (const char *)kf + 1, klen, 0};
		struct val k = {AD_TAG_STR, kf + 1, kl - 1, NULL, NULL, NULL,
		    v->lim};
		struct val e = {vl > 0 ? vf[0] : 0, vf + (vl > 0), vl - (vl > 0),
		    NULL, v->convert, v->carg, v->lim};

		if (i == nfields) {
			const char *name;

			for (i = 0; other == NULL && i < nfields; i++)
				if (fields[i].key == NULL)
					other = &fields[i];
			if (other == NULL) {
				if (s->flags & ARGDATA_IGNORE_UNKNOWN)
					continue;
				return fail(c, &step, EINVAL, "unknown key");
			}
			if (plain_ascii(k.p, klen))
				name = (const char *)k.p;
			else if (get_cstr(&k, &name) != 0)
				return fail(c, &step, EILSEQ, "key is not "
				    "valid UTF-8 or holds a NUL byte");
			if (nother == other->max)
				return fail(c, &step, EINVAL, "more than %zu "
				    "keys besides those named", other->max);
			uint8_t *elem = base + other->offset +
			    nother * other->size;
			if (!(e.tag == AD_TAG_MAP && pl != NULL &&
			    fast_map(pl->nested[other - fields], other->nested,
				&e, elem)) &&
			    (error = read_map(c, &step, &e, other->nested,
				elem, depth + 1)) != 0)
				return error;
			memcpy(elem + other->key_offset, &name, sizeof(name));
			nother++;
			memcpy(base + other->count_offset, &nother,
			    sizeof(nother));
			continue;
		}
		if (seen & (UINT64_C(1) << i))
			return fail(c, &step, EINVAL, "duplicate key");
		seen |= UINT64_C(1) << i;
		hint = i + 1;
		f = &fields[i];
		if (f->type == ARGDATA_FIELD_ARRAY ||
		    f->type == ARGDATA_FIELD_EACH)
			error = read_seq(c, &step, &e, f, base, depth);
		else
			error = read_value(c, &step, &e, f, f->type, f->size,
			    base + f->offset, depth);
		if (error != 0)
			return error;
	}
	/* Every field came: nothing left to do. */
	if (nfields < 64 && seen == (UINT64_C(1) << nfields) - 1)
		return 0;
	return finish_map(c, p, s, base, depth, &seen, nother);
}
