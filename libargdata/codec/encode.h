/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encode.h - writing the wire format (argdata(5)), in one place: length
 * prefixes and the payloads of ints, floats, descriptors and timestamps.
 * The constructors (values.c), the tree encoder (serialize.c) and the YAML
 * loader all write through these. Never installed.
 */
#ifndef ARGDATA_ENCODE_H
#define ARGDATA_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct timespec;

/* The number of bytes the length prefix of a len-byte subfield takes. */
static inline size_t
ad_prefix_size(size_t len)
{
	size_t n = 1;

	while (len >= 0x80) {
		len >>= 7;
		n++;
	}
	return n;
}

/*
 * Writes the length prefix of a len-byte subfield: base 128, big-endian,
 * the last byte with its high bit set. Returns the bytes written.
 */
size_t ad_write_prefix_long(uint8_t *out, size_t len);

static inline size_t
ad_write_prefix(uint8_t *out, size_t len)
{
	if (len < 0x80) {
		out[0] = (uint8_t)(0x80 | len);
		return 1;
	}
	return ad_write_prefix_long(out, len);
}

/*
 * The number of payload bytes of an int, the fewest that hold its two's
 * complement with the sign as the top bit: 0 takes none, 1 takes 01, -1
 * FF, 255 takes 00 FF. x holds the bits that count (v for v >= 0, ~v
 * below zero); zero says whether v is 0. Computed without branches: the
 * sizes of integers vary from value to value, and a loop mispredicts.
 * At most 9 (a magnitude with its top bit set, after a 00 byte).
 */
static inline size_t
ad_int_size(uint64_t x, bool zero)
{
	return (size_t)(72 - __builtin_clzll(x | 1)) / 8 - zero;
}

static inline size_t
ad_int_size_s(int64_t v)
{
	uint64_t u = (uint64_t)v;

	return ad_int_size(u ^ (0 - (u >> 63)), v == 0);
}

static inline size_t
ad_int_size_u(uint64_t v)
{
	return ad_int_size(v, v == 0);
}

/* v as 8 big-endian bytes. */
static inline uint64_t
ad_be64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

/*
 * Writes the len payload bytes (len from ad_int_size_*) of the int whose
 * 64-bit two's complement is bits to out: the last len bytes of its
 * big-endian form, after a 00 byte when len is 9.
 */
static inline void
ad_put_int(uint8_t *out, uint64_t bits, size_t len)
{
	uint8_t be[16] = {0};
	uint64_t b = ad_be64(bits);

	memcpy(be + 8, &b, sizeof(b));
	memcpy(out, be + 16 - len, len);
}

/* The payload of an int; out has room for 9 bytes. Returns its length. */
static inline size_t
ad_encode_int_s(uint8_t *out, int64_t v)
{
	size_t len = ad_int_size_s(v);

	ad_put_int(out, (uint64_t)v, len);
	return len;
}

static inline size_t
ad_encode_int_u(uint8_t *out, uint64_t v)
{
	size_t len = ad_int_size_u(v);

	ad_put_int(out, v, len);
	return len;
}

/* The payload of a float: its IEEE 754 bits, big-endian, 8 bytes. */
static inline void
ad_encode_float(uint8_t out[8], double value)
{
	uint64_t bits;

	memcpy(&bits, &value, sizeof(bits));
	bits = ad_be64(bits);
	memcpy(out, &bits, sizeof(bits));
}

/* The payload of a descriptor: its number, big-endian, 4 bytes. */
static inline void
ad_encode_fd(uint8_t out[4], uint32_t fd)
{
	out[0] = (uint8_t)(fd >> 24);
	out[1] = (uint8_t)(fd >> 16);
	out[2] = (uint8_t)(fd >> 8);
	out[3] = (uint8_t)fd;
}

/*
 * The payload of a timestamp: nanoseconds since the epoch as an int of up
 * to 12 bytes; out has room for 16. Returns its length, or 0 with *valid
 * false when tv_nsec is outside [0, 1e9). (A valid timestamp of 0 is the
 * empty payload: *valid true.)
 */
size_t ad_encode_timestamp(uint8_t out[16], const struct timespec *ts,
    bool *valid);

#endif
