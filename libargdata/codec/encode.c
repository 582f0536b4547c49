/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encode.c - the parts of writing the wire format too long to be inline
 * (encode.h): long length prefixes and timestamps.
 */
#include <time.h>

#include "encode.h"

size_t
ad_write_prefix_long(uint8_t *out, size_t len)
{
	size_t n = ad_prefix_size(len);

	for (size_t i = n; i-- > 0;) {
		out[i] = (uint8_t)(len & 0x7f);
		len >>= 7;
	}
	out[n - 1] |= 0x80;
	return n;
}

size_t
ad_encode_timestamp(uint8_t out[16], const struct timespec *ts, bool *valid)
{
	unsigned __int128 u;
	uint8_t p[16];
	size_t n = 16, skip = 0;

	*valid = ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
	if (!*valid)
		return 0;
	u = (unsigned __int128)((__int128)ts->tv_sec * 1000000000 +
	    ts->tv_nsec);
	/* Two's complement, big-endian, then the shortest form. */
	for (size_t i = 16; i-- > 0;) {
		p[i] = (uint8_t)u;
		u >>= 8;
	}
	while (n > 0 &&
	    ((p[skip] == 0x00 && (n == 1 || p[skip + 1] < 0x80)) ||
	        (p[skip] == 0xff && n > 1 && p[skip + 1] >= 0x80))) {
		skip++;
		n--;
	}
	memcpy(out, p + skip, n);
	return n;
}
