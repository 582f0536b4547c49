/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The getters and argdata_get_type(): each checks the tag and the payload
 * of one value and decodes it, never reading outside the value's bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "codec.h"

/*
 * The payload of a value encoded with the given tag, or EINVAL when ad is
 * held otherwise or carries another tag.
 */
static int
payload(const argdata_t *ad, uint8_t tag, const uint8_t **p, size_t *len)
{
	if (ad->repr != AD_BUFFER || ad->length == 0 ||
	    ad->u.buffer.data[0] != tag)
		return EINVAL;
	*p = ad->u.buffer.data + 1;
	*len = ad->length - 1;
	return 0;
}

/* The 8 bytes at p as a big-endian number. */
static inline uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

int
argdata_get_binary(const argdata_t *ad, const void **buf, size_t *len)
{
	const uint8_t *p;
	size_t n;

	if (ad->repr == AD_BINARY) {
		*buf = ad->u.binary.data;
		*len = ad->length - 1;
		return 0;
	}
	if (payload(ad, AD_TAG_BINARY, &p, &n) != 0)
		return EINVAL;
	*buf = p;
	*len = n;
	return 0;
}

int
argdata_get_bool(const argdata_t *ad, bool *value)
{
	const uint8_t *p;
	size_t n;

	if (payload(ad, AD_TAG_BOOL, &p, &n) != 0)
		return EINVAL;
	if (n == 0)
		*value = false;
	else if (n == 1 && p[0] == 0x01)
		*value = true;
	else
		return EINVAL;
	return 0;
}

int
argdata_get_fd(const argdata_t *ad, int *fd)
{
	const uint8_t *p;
	size_t n;
	uint32_t number;
	int result;

	if (payload(ad, AD_TAG_FD, &p, &n) != 0 || n != 4)
		return EINVAL;
	number = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (ad->u.buffer.convert_fd == NULL)
		return EBADF;
	result = ad->u.buffer.convert_fd(ad->u.buffer.convert_fd_arg, number);
	if (result < 0)
		return EBADF;
	*fd = result;
	return 0;
}

int
argdata_get_float(const argdata_t *ad, double *value)
{
	const uint8_t *p;
	size_t n;
	uint64_t bits;

	if (payload(ad, AD_TAG_FLOAT, &p, &n) != 0 || n != 8)
		return EINVAL;
	bits = load_be64(p);
	memcpy(value, &bits, sizeof(*value));
	return 0;
}

/*
 * Decodes an int of at most 8 payload bytes (every int in canonical form
 * that fits in 64 bits) into *v. Returns false when the payload is longer
 * or too near the start of its buffer, for the byte-by-byte path.
 *
 * Integer sizes vary from value to value, and a loop over the bytes
 * mispredicts its exit for most of them: when 8 bytes ending where the
 * payload ends are readable (base tells), they are loaded at once and the
 * payload's bytes shifted down with their sign.
 */
static inline bool
int_fast(const argdata_t *ad, int64_t *v)
{
	const uint8_t *p = ad->u.buffer.data + 1;
	size_t len = ad->length - 1;

	if (len > 8)
		return false;
	if ((size_t)(ad->u.buffer.data - ad->u.buffer.base) + ad->length >= 8) {
		uint64_t u = load_be64(p + len - 8);
		unsigned shift = (unsigned)(64 - 8 * len) & 63;

		/*
		 * The payload is the low 8 * len bits: up to the top, then
		 * back with its sign (GCC and Clang shift negative values
		 * arithmetically).
		 */
		*v = len == 0 ? 0 : (int64_t)(u << shift) >> shift;
		return true;
	}
	return false;
}

/*
 * The rest of argdata_get_int_s: payloads of more than 8 bytes (redundant
 * sign bytes, or 00 before 8 bytes) or too near the start of the buffer to
 * load as one word. Apart, so that the common case needs no stack frame.
 */
static __attribute__((noinline)) int
get_int_s_slow(const uint8_t *p, size_t n, intmax_t *value, intmax_t min,
    intmax_t max)
{
	bool negative;
	uint64_t mag;

	if (ad_decode_int(p, n, &negative, &mag) != 0)
		return ERANGE;
	/* Compare magnitudes in unsigned arithmetic; 0 is checked too. */
	if (negative) {
		uint64_t lim = min < 0 ? (uint64_t) - (min + 1) + 1 : 0;
		intmax_t v;
		if (min >= 0 || mag > lim)
			return ERANGE;
		v = mag == (uint64_t)INTMAX_MAX + 1 ? INTMAX_MIN
		                                    : -(intmax_t)mag;
		if (v > max)
			return ERANGE;
		*value = v;
		return 0;
	}
	if (max < 0 || mag > (uint64_t)max || (min > 0 && mag < (uint64_t)min))
		return ERANGE;
	*value = (intmax_t)mag;
	return 0;
}

int
argdata_get_int_s(const argdata_t *ad, intmax_t *value, intmax_t min,
    intmax_t max)
{
	const uint8_t *p;
	size_t n;
	int64_t v;

	if (payload(ad, AD_TAG_INT, &p, &n) != 0)
		return EINVAL;
	if (!int_fast(ad, &v))
		return get_int_s_slow(p, n, value, min, max);
	if (v < min || v > max)
		return ERANGE;
	*value = v;
	return 0;
}

/* The rest of argdata_get_int_u, as above. */
static __attribute__((noinline)) int
get_int_u_slow(const uint8_t *p, size_t n, uintmax_t *value, uintmax_t max)
{
	bool negative;
	uint64_t mag;

	if (ad_decode_int(p, n, &negative, &mag) != 0)
		return ERANGE;
	if ((negative && mag != 0) || mag > max)
		return ERANGE;
	*value = mag;
	return 0;
}

int
argdata_get_int_u(const argdata_t *ad, uintmax_t *value, uintmax_t max)
{
	const uint8_t *p;
	size_t n;
	int64_t v;

	if (payload(ad, AD_TAG_INT, &p, &n) != 0)
		return EINVAL;
	if (!int_fast(ad, &v))
		return get_int_u_slow(p, n, value, max);
	if (v < 0 || (uint64_t)v > max)
		return ERANGE;
	*value = (uint64_t)v;
	return 0;
}

/*
 * The rest of argdata_get_str: strings not known to be ASCII get the full
 * check. Apart, so that the common case needs no stack frame.
 */
static __attribute__((noinline)) int
get_str_utf8(const uint8_t *p, size_t n, const char **str, size_t *len)
{
	if (!ad_utf8_valid(p, n))
		return EILSEQ;
	*str = (const char *)p;
	*len = n;
	return 0;
}

int
argdata_get_str(const argdata_t *ad, const char **str, size_t *len)
{
	const uint8_t *p;
	size_t n;

	if (ad->repr == AD_STR) {
		*str = ad->u.str.data;
		*len = ad->length - 2;
		return 0;
	}
	if (payload(ad, AD_TAG_STR, &p, &n) != 0 || n == 0 || p[n - 1] != 0x00)
		return EINVAL;
	if (!ad_ascii_words(p, n - 1, ad->u.buffer.base))
		return get_str_utf8(p, n - 1, str, len);
	*str = (const char *)p;
	*len = n - 1;
	return 0;
}

int
argdata_get_str_c(const argdata_t *ad, const char **str)
{
	const char *s;
	size_t len;
	int error = argdata_get_str(ad, &s, &len);

	if (error != 0)
		return error;
	if (memchr(s, '\0', len) != NULL)
		return EILSEQ;
	*str = s;
	return 0;
}

int
argdata_get_timestamp(const argdata_t *ad, struct timespec *ts)
{
	const uint8_t *p;
	size_t n;

	if (payload(ad, AD_TAG_TIMESTAMP, &p, &n) != 0)
		return EINVAL;
	return ad_decode_timestamp(p, n, ts);
}

int
argdata_get_type(const argdata_t *ad, argdata_type_t *type)
{
	/* Decoded values first: they are the ones walks meet by the million. */
	if (ad->repr == AD_BUFFER && ad->length > 0) {
		uint8_t tag = ad->u.buffer.data[0];

		if (tag < AD_TAG_BINARY || tag > AD_TAG_TIMESTAMP)
			return EINVAL;
		*type = (argdata_type_t)tag;
		return 0;
	}
	switch (ad->repr) {
	case AD_STR:
		*type = ARGDATA_TYPE_STR;
		return 0;
	case AD_BINARY:
		*type = ARGDATA_TYPE_BINARY;
		return 0;
	case AD_MAP:
		*type = ARGDATA_TYPE_MAP;
		return 0;
	case AD_SEQ:
		*type = ARGDATA_TYPE_SEQ;
		return 0;
	}
	if (ad->length == 0) {
		*type = ARGDATA_TYPE_NULL;
		return 0;
	}
	if (ad->u.buffer.data[0] < AD_TAG_BINARY ||
	    ad->u.buffer.data[0] > AD_TAG_TIMESTAMP)
		return EINVAL;
	*type = (argdata_type_t)ad->u.buffer.data[0];
	return 0;
}
