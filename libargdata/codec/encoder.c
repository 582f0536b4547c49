/* SPDX-License-Identifier: BSD-2-Clause */
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
 * Descriptors get their numbers as they come (encoder_fds.c); finishing
 * is in encoder_finish.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encode.h"
#include "encoder.h"
#include "grow.h"

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

/* Makes room for n more bytes: the buffer doubles, or ENOBUFS. */
__attribute__((noinline)) int
ad_encoder_grow(argdata_encoder_t *e, size_t n)
{
	if (!e->own)
		return ad_encoder_error(e, ENOBUFS);
	/* At least 256 bytes: every encoding needs a few. */
	if (ad_grow(&e->buf, &e->cap, e->len, n < 256 ? 256 : n, 1, NULL) != 0)
		return ad_encoder_error(e, ENOMEM);
	return 0;
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
		return ad_encoder_error(e, EINVAL);
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

	if (ad_encoder_reserve(e,
	        n + (e->top != NULL ? ad_prefix_size(n) : 0)) != 0)
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

	if (__builtin_expect(
	        e->error != 0 || t == NULL || e->cap - e->len < room, 0))
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
		return ad_encoder_error(e, ENOMEM);
	if (ad_encoder_reserve(e, 2) != 0)
		return e->error;
	o = e->buf + e->len;
	/* Inside a container: one byte for the length, filled in at end. */
	if (e->top != NULL)
		*o++ = 0x80;
	*o++ = map ? AD_TAG_MAP : AD_TAG_SEQ;
	e->top = &e->stack[e->depth++];
	*e->top = (struct frame){.tag = (size_t)(o - 1 - e->buf),
	    .map = map,
	    .key_next = true};
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
		return ad_encoder_error(e, EINVAL);
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
	if (ad_grow(&e->fix, &e->fix_cap, e->nfix, 1, sizeof(*e->fix), NULL) !=
	    0)
		return ad_encoder_error(e, ENOMEM);
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
		return ad_encoder_error(e, ENOMEM);
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
		return ad_encoder_error(e, EILSEQ);
	return put_bytes(e, AD_TAG_STR, str, len, true);
}

int
argdata_encode_str(argdata_encoder_t *e, const char *str, size_t len)
{
	const uint8_t *s = (const uint8_t *)str;
	uint8_t *o;

	if (len < 64 && ascii_short(s, len) &&
	    (o = fast_at(e, len + 3)) != NULL) {
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
		return ad_encoder_error(e, EINVAL);
	if ((error = admit(e)) != 0)
		return error;
	if ((o = scalar_at(e, 1 + n)) == NULL)
		return e->error;
	o[0] = AD_TAG_TIMESTAMP;
	memcpy(o + 1, p, n < sizeof(p) ? n : sizeof(p));
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
		return ad_encoder_error(e, EBADF);
	if ((error = admit(e)) != 0)
		return error;
	if ((size_t)fd < e->ndense && e->dense[fd] != 0)
		number = e->dense[fd] - 1;
	else if ((error = ad_encoder_number_slow(e, fd, &number)) != 0)
		return ad_encoder_error(e, error);
	if ((o = scalar_at(e, 5)) == NULL)
		return e->error;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	number = __builtin_bswap32(number);
#endif
	o[0] = AD_TAG_FD;
	memcpy(o + 1, &number, 4);
	return 0;
}
