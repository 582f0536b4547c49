/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Values made in memory: the constants, the constructors and
 * argdata_free(). Sizes, descriptor counts and nesting depths are computed
 * here, once, so that encoding never has to recompute them.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "encode.h"

#define CONSTANT(bytes, len)                                                   \
	{                                                                      \
		.repr = AD_BUFFER, .flags = AD_NFDS_KNOWN, .length = len,      \
		.u.buffer = {.data = bytes, .base = bytes},                    \
	}

static const uint8_t null_bytes[1];
static const uint8_t false_bytes[] = {AD_TAG_BOOL};
static const uint8_t true_bytes[] = {AD_TAG_BOOL, 0x01};

const argdata_t argdata_null = CONSTANT(null_bytes, 0);
const argdata_t argdata_false = CONSTANT(false_bytes, 1);
const argdata_t argdata_true = CONSTANT(true_bytes, 2);

int
ad_fd_identity(void *arg, size_t number)
{
	(void)arg;
	return number <= INT_MAX ? (int)number : -1;
}

/* A scalar over its own copy of len encoded bytes, tag first. */
static inline __attribute__((always_inline)) argdata_t *
new_inline(uint8_t tag, const uint8_t *payload, size_t len)
{
	argdata_t *ad = ad_node_alloc(sizeof(*ad) + 1 + len);
	uint8_t *bytes;

	if (ad == NULL)
		return NULL;
	bytes = (uint8_t *)(ad + 1);
	bytes[0] = tag;
	memcpy(bytes + 1, payload, len);
	ad_init_buffer(ad, bytes, 1 + len,
	    tag == AD_TAG_FD ? ad_fd_identity : NULL, NULL);
	ad->flags =
	    tag == AD_TAG_FD ? AD_NFDS_KNOWN | AD_ONE_FD : AD_NFDS_KNOWN;
	/* The bytes follow the value itself, whose end is readable. */
	ad->u.buffer.base = (const uint8_t *)ad;
	return ad;
}

argdata_t *
argdata_create_binary(const void *buf, size_t len)
{
	argdata_t *ad;

	if (len == SIZE_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	if ((ad = ad_node_alloc(sizeof(*ad))) == NULL)
		return NULL;
	*ad = (argdata_t){.repr = AD_BINARY,
	    .flags = AD_NFDS_KNOWN,
	    .home = ad->home,
	    .length = 1 + len,
	    .u.binary.data = buf};
	return ad;
}

argdata_t *
argdata_create_fd(int fd)
{
	uint8_t p[4];

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	ad_encode_fd(p, (uint32_t)fd);
	return new_inline(AD_TAG_FD, p, 4);
}

argdata_t *
argdata_create_float(double value)
{
	uint8_t p[8];

	ad_encode_float(p, value);
	return new_inline(AD_TAG_FLOAT, p, 8);
}

/*
 * An int whose payload is the last len bytes (at most 9, from
 * ad_int_size_*) of the big-endian form of bits, after a 00 byte when len
 * is 9: what ad_put_int() writes. Here the 8 bytes that end where the
 * payload ends are stored at once instead; when the payload is shorter,
 * they reach back over the tag into the value itself (sizeof(*ad) > 8),
 * whose fields are written afterwards. Building many ints is the common
 * case this is for.
 */
static inline argdata_t *
new_int(uint64_t bits, size_t len)
{
	argdata_t *ad = ad_node_alloc(sizeof(*ad) + 1 + len);
	uint8_t *bytes;

	if (ad == NULL)
		return NULL;
	bytes = (uint8_t *)(ad + 1);
	bits = ad_be64(bits);
	memcpy(bytes + 1 + len - 8, &bits, sizeof(bits));
	if (len == 9)
		bytes[1] = 0x00;
	bytes[0] = AD_TAG_INT;
	ad_init_buffer(ad, bytes, 1 + len, NULL, NULL);
	ad->flags = AD_NFDS_KNOWN;
	ad->u.buffer.base = (const uint8_t *)ad;
	return ad;
}

argdata_t *
argdata_create_int_s(intmax_t value)
{
	return new_int((uint64_t)value, ad_int_size_s(value));
}

argdata_t *
argdata_create_int_u(uintmax_t value)
{
	return new_int(value, ad_int_size_u(value));
}

argdata_t *
argdata_create_timestamp(const struct timespec *ts)
{
	uint8_t p[16];
	bool valid;
	size_t n = ad_encode_timestamp(p, ts, &valid);

	if (!valid) {
		errno = EINVAL;
		return NULL;
	}
	return new_inline(AD_TAG_TIMESTAMP, p, n);
}

/*
 * argdata_create_str() copies: only then can it promise the NUL byte that
 * argdata_get_str_c() needs without reading past what it was given (the
 * original read one byte past an unterminated string). The _c form knows
 * its NUL is there and keeps the caller's string.
 */
argdata_t *
argdata_create_str(const char *str, size_t len)
{
	argdata_t *ad;
	char *copy;

	if (!ad_utf8_valid((const uint8_t *)str, len)) {
		errno = EILSEQ;
		return NULL;
	}
	if (len > SIZE_MAX - sizeof(*ad) - 2) {
		errno = ENOMEM;
		return NULL;
	}
	if ((ad = ad_node_alloc(sizeof(*ad) + len + 1)) == NULL)
		return NULL;
	copy = (char *)(ad + 1);
	ad_copy_short((uint8_t *)copy, str, len);
	copy[len] = '\0';
	*ad = (argdata_t){.repr = AD_STR,
	    .flags = AD_NFDS_KNOWN,
	    .home = ad->home,
	    .length = len + 2,
	    .u.str.data = copy};
	return ad;
}

argdata_t *
argdata_create_str_c(const char *str)
{
	size_t len = strlen(str);
	argdata_t *ad;

	if (!ad_utf8_valid((const uint8_t *)str, len)) {
		errno = EILSEQ;
		return NULL;
	}
	if ((ad = ad_node_alloc(sizeof(*ad))) == NULL)
		return NULL;
	*ad = (argdata_t){.repr = AD_STR,
	    .flags = AD_NFDS_KNOWN,
	    .home = ad->home,
	    .length = len + 2,
	    .u.str.data = str};
	return ad;
}

/*
 * What a container learns from its elements: the size of their encoding,
 * their descriptors, their depth and their flags, added up in one local
 * that the inlined add_element() updates.
 */
struct sum {
	size_t length, nfds;
	uint32_t depth;
	uint8_t all_flags, any_flags;
	bool overflow;
};

static inline __attribute__((always_inline)) void
add_element(struct sum *s, const argdata_t *e)
{
	size_t part = e->length + ad_prefix_size(e->length);

	/* A length near SIZE_MAX wraps part or the sum: ENOMEM below. */
	s->overflow |= part < e->length;
	s->overflow |= __builtin_add_overflow(s->length, part, &s->length);
	if (e->repr == AD_MAP || e->repr == AD_SEQ) {
		s->nfds += e->u.container.nfds;
		s->depth = e->depth > s->depth ? e->depth : s->depth;
	} else {
		/* Decoded values do not count: they lack NFDS_KNOWN. */
		s->nfds += (e->flags & AD_ONE_FD) != 0;
	}
	s->all_flags &= e->flags;
	s->any_flags |= e->flags;
}

/*
 * A map or sequence: adds up the sizes, descriptor counts and depths of
 * its elements once, so that encoding never recomputes them.
 */
static argdata_t *
new_container(enum ad_repr repr, const argdata_t *const *a,
    const argdata_t *const *b, size_t count)
{
	struct sum s = {.length = 1, .all_flags = AD_NFDS_KNOWN};
	argdata_t *ad;

	if (count != 0 && (a == NULL || (repr == AD_MAP && b == NULL))) {
		errno = EINVAL;
		return NULL;
	}
	if (repr == AD_MAP) {
		for (size_t i = 0; i < count; i++) {
			add_element(&s, a[i]);
			add_element(&s, b[i]);
		}
	} else {
		for (size_t i = 0; i < count; i++)
			add_element(&s, a[i]);
	}
	/* Both flags are inherited: NFDS_KNOWN only if every child has it. */
	if (s.overflow || s.depth == UINT32_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	if ((ad = ad_node_alloc(sizeof(*ad))) == NULL)
		return NULL;
	*ad = (argdata_t){.repr = repr,
	    .flags = (uint8_t)((s.all_flags & AD_NFDS_KNOWN) |
	        (s.any_flags & AD_HAS_BUFFER)),
	    .home = ad->home,
	    .depth = s.depth + 1,
	    .length = s.length,
	    .u.container = {.keys = a,
	        .values = b,
	        .count = count,
	        .nfds = s.nfds}};
	return ad;
}

argdata_t *
argdata_create_map(argdata_t const *const *keys, argdata_t const *const *values,
    size_t count)
{
	return new_container(AD_MAP, keys, values, count);
}

argdata_t *
argdata_create_seq(argdata_t const *const *entries, size_t count)
{
	return new_container(AD_SEQ, entries, NULL, count);
}

argdata_t *
argdata_from_buffer(const void *buf, size_t len,
    int (*convert_fd)(void *, size_t), void *convert_fd_arg)
{
	argdata_t *ad = ad_node_alloc(sizeof(*ad));

	if (ad == NULL)
		return NULL;
	ad_init_buffer(ad, buf, len, convert_fd, convert_fd_arg);
	return ad;
}

/*
 * The size a constructor asked for: the struct, and the bytes stored after
 * it when the value holds its own.
 */
static size_t
node_size(const argdata_t *ad)
{
	const void *own = ad + 1;

	if (ad->repr == AD_BUFFER && ad->u.buffer.data == own)
		return sizeof(*ad) + ad->length;
	if (ad->repr == AD_STR && (const void *)ad->u.str.data == own)
		return sizeof(*ad) + ad->length - 1;
	return sizeof(*ad);
}

/* errno stays as it was: ad_node_free() takes care. */
void
argdata_free(argdata_t *ad)
{
	if (ad != NULL)
		ad_node_free(ad, node_size(ad));
}
