/*
 * The streaming encoder, argdata_encode_*(): argdata written value by
 * value into a buffer, without a tree, byte for byte what
 * argdata_serialize() writes for the same tree.
 *
 * A subfield's length comes before its bytes, and a container's length is
 * known only when it closes. Each container therefore reserves the one
 * byte that lengths below 128 take, which is the common case, and fills it
 * in when it closes. A container that grew past 127 bytes is noted
 * instead (where its reserved byte is and how long it is), and every
 * container around it counts the bytes its longer length will add. When
 * the encoding is finished, the noted lengths are inserted in one pass
 * from the back, each byte moved once: encoding stays linear at any
 * depth, where moving a container's bytes at each close would make deep
 * nesting quadratic.
 *
 * Descriptors get their numbers as they come, through a table indexed by
 * the descriptor (they are small and dense in practice) or, for large
 * ones, a hash table.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "encode.h"
#include "grow.h"

/* Descriptors below this go through the dense table. */
#define DENSE_LIMIT 65536

/* An open container. */
struct frame {
	size_t tag;   /* offset of its tag byte */
	size_t extra; /* bytes that longer lengths inside it will add */
	bool map;
	bool key_next; /* a map: the next subfield is a key */
};

/* A container of 128 bytes or more: its reserved byte and its length. */
struct fixup {
	size_t pos;
	size_t len;
};

struct argdata_encoder_t {
	uint8_t *buf;
	size_t len, cap;
	bool own;      /* buf is the encoder's own, and grows */
	bool done;     /* the top-level value is complete */
	bool finished; /* the noted lengths are in place */
	int error;     /* sticky */
	struct frame *stack, *top;
	size_t depth, stack_cap;
	struct fixup *fix;
	size_t nfix, fix_cap, extra;
	/* Descriptors: fds[number], and the tables that give numbers. */
	int *fds;
	size_t nfds, fds_cap;
	uint32_t *dense; /* dense[fd]: number + 1, or 0 */
	size_t ndense;
	uint32_t *slots; /* open addressing: number + 1, or 0 when free */
	size_t nslots;
};

static argdata_encoder_t *
encoder_new(void *buf, size_t size, bool own)
{
	argdata_encoder_t *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->buf = buf;
	e->cap = size;
	e->own = own;
	return e;
}

argdata_encoder_t *
argdata_encoder_create(void)
{
	return encoder_new(NULL, 0, true);
}

argdata_encoder_t *
argdata_encoder_create_buffer(void *buf, size_t size)
{
	return encoder_new(buf, size, false);
}

void
argdata_encoder_free(argdata_encoder_t *e)
{
	int saved = errno;

	if (e == NULL)
		return;
	if (e->own)
		free(e->buf);
	free(e->stack);
	free(e->fix);
	free(e->fds);
	free(e->dense);
	free(e->slots);
	free(e);
	errno = saved;
}

void
argdata_encoder_reset(argdata_encoder_t *e)
{
	e->len = 0;
	e->done = e->finished = false;
	e->error = 0;
	e->top = NULL;
	e->depth = 0;
	e->nfix = 0;
	e->extra = 0;
	e->nfds = 0;
	if (e->dense != NULL)
		memset(e->dense, 0, e->ndense * sizeof(*e->dense));
	if (e->slots != NULL)
		memset(e->slots, 0, e->nslots * sizeof(*e->slots));
}

static int
set_error(argdata_encoder_t *e, int error)
{
	e->error = error;
	return error;
}

/* Makes room for n more bytes: the buffer doubles, or ENOBUFS. */
static __attribute__((noinline)) int
grow(argdata_encoder_t *e, size_t n)
{
	if (!e->own)
		return set_error(e, ENOBUFS);
	/* At least 256 bytes: every encoding needs a few. */
	if (ad_grow(&e->buf, &e->cap, e->len, n < 256 ? 256 : n, 1,
	    NULL) != 0)
		return set_error(e, ENOMEM);
	return 0;
}

static inline int
reserve(argdata_encoder_t *e, size_t n)
{
	if (__builtin_expect(e->cap - e->len >= n, 1))
		return 0;
	return grow(e, n);
}

/*
 * Checks that a value may come now and accounts for it: at the top only
 * once, in a map alternately key and value. Returns 0 or the error.
 */
static inline int
admit(argdata_encoder_t *e)
{
	if (__builtin_expect(e->error != 0, 0))
		return e->error;
	if (e->top != NULL) {
		e->top->key_next = !e->top->key_next;
		return 0;
	}
	if (e->done)
		return set_error(e, EINVAL);
	e->done = true;
	return 0;
}

/*
 * Makes room for a scalar of n encoded bytes, writes its length prefix
 * when it is inside a container, and returns where its bytes go (NULL
 * with the error set). Exactly the bytes needed are reserved, so that a
 * caller's buffer of the exact size is enough.
 */
static inline uint8_t *
scalar_at(argdata_encoder_t *e, size_t n)
{
	uint8_t *o;

	if (reserve(e, n + (e->top != NULL ? ad_prefix_size(n) : 0)) != 0)
		return NULL;
	o = e->buf + e->len;
	if (e->top != NULL)
		o += ad_write_prefix(o, n);
	e->len = (size_t)(o - e->buf) + n;
	return o;
}

/*
 * The common case of a value, inline: no error, inside a container, and
 * room bytes free. Accounts for the value and returns where its length
 * prefix goes, or NULL for the general path (admit() and scalar_at()).
 * Each value's function is called from the program, once per value: the
 * fewer registers and branches its common case takes, the closer a call
 * comes to an inline packer's cost.
 */
static inline __attribute__((always_inline)) uint8_t *
fast_at(argdata_encoder_t *e, size_t room)
{
	struct frame *t = e->top;

	if (__builtin_expect(e->error != 0 || t == NULL ||
	    e->cap - e->len < room, 0))
		return NULL;
	t->key_next = !t->key_next;
	return e->buf + e->len;
}

/*
 * Whether the len (below 64) bytes at s are ASCII, with loads that may
 * overlap but stay inside: keys and names are, and a loop over their
 * bytes would mispredict its exit as their lengths vary.
 */
static inline bool
ascii_short(const uint8_t *s, size_t len)
{
	uint32_t a, b;

	if (len >= 8)
		return ad_ascii_words(s, len, s);
	if (len >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		return ((a | b) & UINT32_C(0x80808080)) == 0;
	}
	return len == 0 || ((s[0] | s[len / 2] | s[len - 1]) & 0x80) == 0;
}

static int
begin(argdata_encoder_t *e, bool map)
{
	int error;
	uint8_t *o;

	if ((error = admit(e)) != 0)
		return error;
	if (ad_grow(&e->stack, &e->stack_cap, e->depth, 1, sizeof(*e->stack),
	    NULL) != 0)
		return set_error(e, ENOMEM);
	if (reserve(e, 2) != 0)
		return e->error;
	o = e->buf + e->len;
	/* Inside a container: one byte for the length, filled in at end. */
	if (e->top != NULL)
		*o++ = 0x80;
	*o++ = map ? AD_TAG_MAP : AD_TAG_SEQ;
	e->top = &e->stack[e->depth++];
	*e->top = (struct frame){.tag = (size_t)(o - 1 - e->buf),
	    .map = map, .key_next = true};
	e->len = (size_t)(o - e->buf);
	return 0;
}

int
argdata_encode_map_begin(argdata_encoder_t *e)
{
	return begin(e, true);
}

int
argdata_encode_seq_begin(argdata_encoder_t *e)
{
	return begin(e, false);
}

int
argdata_encode_end(argdata_encoder_t *e)
{
	struct frame *f = e->top;
	size_t len;

	if (e->error != 0)
		return e->error;
	if (f == NULL || (f->map && !f->key_next))
		return set_error(e, EINVAL);
	len = e->len - f->tag + f->extra;
	e->depth--;
	e->top = e->depth > 0 ? &e->stack[e->depth - 1] : NULL;
	if (e->top == NULL) {
		e->extra = f->extra;
		return 0;
	}
	if (len < 0x80) {
		e->buf[f->tag - 1] = (uint8_t)(0x80 | len);
		return 0;
	}
	/* Longer than the byte reserved: noted, inserted by finish. */
	if (ad_grow(&e->fix, &e->fix_cap, e->nfix, 1, sizeof(*e->fix),
	    NULL) != 0)
		return set_error(e, ENOMEM);
	e->fix[e->nfix++] = (struct fixup){f->tag - 1, len};
	e->top->extra += f->extra + ad_prefix_size(len) - 1;
	return 0;
}

int
argdata_encode_null(argdata_encoder_t *e)
{
	int error;

	if ((error = admit(e)) != 0)
		return error;
	return scalar_at(e, 0) == NULL ? e->error : 0;
}

int
argdata_encode_bool(argdata_encoder_t *e, bool value)
{
	uint8_t *o = fast_at(e, 3);
	int error;

	if (o != NULL) {
		o[0] = (uint8_t)(0x80 | (1 + value));
		o[1] = AD_TAG_BOOL;
		o[2] = 0x01;
		e->len += 2 + value;
		return 0;
	}

	if ((error = admit(e)) != 0)
		return error;
	if ((o = scalar_at(e, value ? 2 : 1)) == NULL)
		return e->error;
	o[0] = AD_TAG_BOOL;
	if (value)
		o[1] = 0x01;
	return 0;
}

/*
 * Writes an int whose payload is the last len bytes (at most 8) of the
 * big-endian form of bits.
 */
static inline int
put_int(argdata_encoder_t *e, uint64_t bits, size_t len)
{
	uint8_t *o;
	int error;

	if ((error = admit(e)) != 0)
		return error;
	if ((o = scalar_at(e, 1 + len)) == NULL)
		return e->error;
	o[0] = AD_TAG_INT;
	if (__builtin_expect(e->cap - (size_t)(o + 1 - e->buf) >= 8, 1)) {
		/*
		 * The payload at the front of one 8-byte store, which reaches
		 * into spare room: sizes vary from value to value, and a loop
		 * over the bytes would mispredict its exit.
		 */
		bits = len == 0 ? 0 : bits << (64 - 8 * len);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		bits = __builtin_bswap64(bits);
#endif
		memcpy(o + 1, &bits, 8);
	} else {
		for (size_t i = len; i-- > 0;) {
			o[1 + i] = (uint8_t)bits;
			bits >>= 8;
		}
	}
	return 0;
}

int
argdata_encode_int_s(argdata_encoder_t *e, intmax_t value)
{
	size_t n = ad_int_size_s(value);
	uint8_t *o = fast_at(e, 2 + 8);
	uint64_t bits;

	if (o == NULL)
		return put_int(e, (uint64_t)value, n);
	o[0] = (uint8_t)(0x80 | (1 + n));
	o[1] = AD_TAG_INT;
	/* The payload at the front of one 8-byte store. */
	bits = n == 0 ? 0 : (uint64_t)value << (64 - 8 * n);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	bits = __builtin_bswap64(bits);
#endif
	memcpy(o + 2, &bits, 8);
	e->len += 2 + n;
	return 0;
}

int
argdata_encode_int_u(argdata_encoder_t *e, uintmax_t value)
{
	size_t n = ad_int_size_u(value);
	uint8_t *o;
	int error;

	if (n <= 8)
		return put_int(e, value, n);
	/* A set top bit: 00, then the 8 bytes. */
	if ((error = admit(e)) != 0)
		return error;
	if ((o = scalar_at(e, 10)) == NULL)
		return e->error;
	o[0] = AD_TAG_INT;
	o[1] = 0x00;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	value = __builtin_bswap64(value);
#endif
	memcpy(o + 2, &value, 8);
	return 0;
}

int
argdata_encode_float(argdata_encoder_t *e, double value)
{
	uint64_t bits;
	uint8_t *o = fast_at(e, 10);
	int error;

	if (o != NULL) {
		o[0] = 0x80 | 9;
		o[1] = AD_TAG_FLOAT;
		ad_encode_float(o + 2, value);
		e->len += 10;
		return 0;
	}

	if ((error = admit(e)) != 0)
		return error;
	if ((o = scalar_at(e, 9)) == NULL)
		return e->error;
	memcpy(&bits, &value, sizeof(bits));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	bits = __builtin_bswap64(bits);
#endif
	o[0] = AD_TAG_FLOAT;
	memcpy(o + 1, &bits, 8);
	return 0;
}

/* Writes tag, the len bytes at p, and a NUL byte when nul is set. */
static inline int
put_bytes(argdata_encoder_t *e, uint8_t tag, const void *p, size_t len,
    bool nul)
{
	uint8_t *o;
	int error;

	if ((error = admit(e)) != 0)
		return error;
	if (len > SIZE_MAX / 2)
		return set_error(e, ENOMEM);
	if ((o = scalar_at(e, 1 + len + nul)) == NULL)
		return e->error;
	o[0] = tag;
	ad_copy_short(o + 1, p, len);
	if (nul)
		o[1 + len] = 0x00;
	return 0;
}

/*
 * The rest of argdata_encode_str(), apart so that the common case needs
 * no stack frame.
 */
static __attribute__((noinline)) int
str_slow(argdata_encoder_t *e, const char *str, size_t len)
{
	if (e->error == 0 && !ad_utf8_valid((const uint8_t *)str, len))
		return set_error(e, EILSEQ);
	return put_bytes(e, AD_TAG_STR, str, len, true);
}

int
argdata_encode_str(argdata_encoder_t *e, const char *str, size_t len)
{
	const uint8_t *s = (const uint8_t *)str;
	uint8_t *o;

	if (len < 64 && ascii_short(s, len) && (o = fast_at(e, len + 3)) !=
	    NULL) {
		o[0] = (uint8_t)(0x80 | (len + 2));
		o[1] = AD_TAG_STR;
		ad_copy_short(o + 2, s, len);
		o[2 + len] = 0x00;
		e->len += len + 3;
		return 0;
	}
	return str_slow(e, str, len);
}

int
argdata_encode_str_c(argdata_encoder_t *e, const char *str)
{
	return argdata_encode_str(e, str, strlen(str));
}

int
argdata_encode_binary(argdata_encoder_t *e, const void *buf, size_t len)
{
	return put_bytes(e, AD_TAG_BINARY, buf, len, false);
}

int
argdata_encode_timestamp(argdata_encoder_t *e, const struct timespec *ts)
{
	uint8_t p[16], *o;
	bool valid;
	size_t n;
	int error;

	if (e->error != 0)
		return e->error;
	n = ad_encode_timestamp(p, ts, &valid);
	if (!valid)
		return set_error(e, EINVAL);
	if ((error = admit(e)) != 0)
		return error;
	if ((o = scalar_at(e, 1 + n)) == NULL)
		return e->error;
	o[0] = AD_TAG_TIMESTAMP;
	memcpy(o + 1, p, n < sizeof(p) ? n : sizeof(p));
	return 0;
}

/* Appends fd to the table: its number. */
static int
new_number(argdata_encoder_t *e, int fd, uint32_t *number)
{
	/* Numbers are 32 bits on the wire. */
	if (e->nfds >= UINT32_MAX / 2 ||
	    ad_grow(&e->fds, &e->fds_cap, e->nfds, 1, sizeof(*e->fds),
		NULL) != 0)
		return ENOMEM;
	e->fds[e->nfds] = fd;
	*number = (uint32_t)e->nfds++;
	return 0;
}

/* Doubles the hash table of large descriptors, keeping what it holds. */
static int
rehash(argdata_encoder_t *e)
{
	size_t n = e->nslots == 0 ? 64 : 2 * e->nslots;
	uint32_t *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return ENOMEM;
	for (size_t i = 0; i < e->nslots; i++) {
		uint32_t v = e->slots[i];
		size_t h;

		if (v == 0)
			continue;
		h = (size_t)((uint32_t)e->fds[v - 1] * UINT32_C(2654435761)) &
		    (n - 1);
		while (s[h] != 0)
			h = (h + 1) & (n - 1);
		s[h] = v;
	}
	free(e->slots);
	e->slots = s;
	e->nslots = n;
	return 0;
}

/* The number of a descriptor of DENSE_LIMIT or more. */
static int
number_sparse(argdata_encoder_t *e, int fd, uint32_t *number)
{
	size_t h;
	int error;

	/* At most half full; nfds bounds what the table holds. */
	if (e->nslots < 2 * (e->nfds + 1) && (error = rehash(e)) != 0)
		return error;
	h = (size_t)((uint32_t)fd * UINT32_C(2654435761)) & (e->nslots - 1);
	for (; e->slots[h] != 0; h = (h + 1) & (e->nslots - 1)) {
		if (e->fds[e->slots[h] - 1] == fd) {
			*number = e->slots[h] - 1;
			return 0;
		}
	}
	if ((error = new_number(e, fd, number)) != 0)
		return error;
	e->slots[h] = *number + 1;
	return 0;
}

static __attribute__((noinline)) int
number_slow(argdata_encoder_t *e, int fd, uint32_t *number)
{
	int error;

	if (fd >= DENSE_LIMIT)
		return number_sparse(e, fd, number);
	if ((size_t)fd >= e->ndense) {
		size_t n = e->ndense == 0 ? 256 : e->ndense;
		uint32_t *d;

		while (n <= (size_t)fd)
			n *= 2;
		if ((d = realloc(e->dense, n * sizeof(*d))) == NULL)
			return ENOMEM;
		memset(d + e->ndense, 0, (n - e->ndense) * sizeof(*d));
		e->dense = d;
		e->ndense = n;
	}
	if (e->dense[fd] == 0) {
		if ((error = new_number(e, fd, number)) != 0)
			return error;
		e->dense[fd] = *number + 1;
	}
	*number = e->dense[fd] - 1;
	return 0;
}

int
argdata_encode_fd(argdata_encoder_t *e, int fd)
{
	uint32_t number;
	uint8_t *o;
	int error;

	if ((size_t)fd < e->ndense && e->dense[fd] != 0 &&
	    (o = fast_at(e, 6)) != NULL) {
		/* A descriptor seen before, inside a container. */
		number = e->dense[fd] - 1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		number = __builtin_bswap32(number);
#endif
		o[0] = 0x80 | 5;
		o[1] = AD_TAG_FD;
		memcpy(o + 2, &number, 4);
		e->len += 6;
		return 0;
	}
	if (e->error != 0)
		return e->error;
	if (fd < 0)
		return set_error(e, EBADF);
	if ((error = admit(e)) != 0)
		return error;
	if ((size_t)fd < e->ndense && e->dense[fd] != 0)
		number = e->dense[fd] - 1;
	else if ((error = number_slow(e, fd, &number)) != 0)
		return set_error(e, error);
	if ((o = scalar_at(e, 5)) == NULL)
		return e->error;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	number = __builtin_bswap32(number);
#endif
	o[0] = AD_TAG_FD;
	memcpy(o + 1, &number, 4);
	return 0;
}

static int
by_pos(const void *a, const void *b)
{
	const struct fixup *x = a, *y = b;

	return (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * Inserts the noted lengths: from the back, each stretch of bytes between
 * two reserved bytes moves once, to where the longer lengths before it
 * put it.
 */
static int
insert_lengths(argdata_encoder_t *e)
{
	size_t add = e->extra, src, dst;
	bool ascending = true, descending = true;

	for (size_t i = 1; i < e->nfix; i++) {
		ascending &= e->fix[i - 1].pos < e->fix[i].pos;
		descending &= e->fix[i - 1].pos > e->fix[i].pos;
	}
	if (descending) {
		for (size_t i = 0, j = e->nfix - 1; i < j; i++, j--) {
			struct fixup t = e->fix[i];
			e->fix[i] = e->fix[j];
			e->fix[j] = t;
		}
	} else if (!ascending) {
		qsort(e->fix, e->nfix, sizeof(*e->fix), by_pos);
	}
	if (reserve(e, add) != 0)
		return e->error;
	src = e->len;
	dst = e->len + add;
	for (size_t i = e->nfix; i-- > 0;) {
		size_t pos = e->fix[i].pos, seg = src - (pos + 1);
		size_t w = ad_prefix_size(e->fix[i].len);

		memmove(e->buf + dst - seg, e->buf + pos + 1, seg);
		dst -= seg + w;
		ad_write_prefix(e->buf + dst, e->fix[i].len);
		src = pos;
	}
	e->len += add;
	e->nfix = 0;
	return 0;
}

int
argdata_encoder_finish(argdata_encoder_t *e, const void **data, size_t *len,
    const int **fds, size_t *nfds)
{
	static const int no_fds[1] = {-1};
	int error;

	if (e->error != 0)
		return e->error;
	if (e->top != NULL)
		return set_error(e, EINVAL);
	if (!e->finished) {
		if (e->nfix > 0 && (error = insert_lengths(e)) != 0)
			return error;
		e->finished = true;
		e->done = true;
	}
	*data = e->buf != NULL ? (const void *)e->buf : (const void *)"";
	*len = e->len;
	if (fds != NULL)
		*fds = e->nfds > 0 ? e->fds : no_fds;
	if (nfds != NULL)
		*nfds = e->nfds;
	return 0;
}

static int
encoder_convert_fd(void *arg, size_t number)
{
	const argdata_encoder_t *e = arg;

	return number < e->nfds ? e->fds[number] : -1;
}

argdata_t *
argdata_encoder_value(argdata_encoder_t *e)
{
	const void *data;
	size_t len;
	int error;

	if ((error = argdata_encoder_finish(e, &data, &len, NULL, NULL)) != 0) {
		errno = error;
		return NULL;
	}
	return argdata_from_buffer(data, len, encoder_convert_fd, e);
}
