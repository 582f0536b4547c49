/*
 * internal.h - the representation behind argdata_t and the decoding
 * primitives that the codec, the printer, the stream code and the tools
 * share. Never installed.
 */
#ifndef ARGDATA_INTERNAL_H
#define ARGDATA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <argdata.h>

#define AD_HIDDEN __attribute__((visibility("hidden")))

/* Wire tags (argdata(5)). */
enum {
	AD_TAG_BINARY = 1,
	AD_TAG_BOOL = 2,
	AD_TAG_FD = 3,
	AD_TAG_FLOAT = 4,
	AD_TAG_INT = 5,
	AD_TAG_MAP = 6,
	AD_TAG_SEQ = 7,
	AD_TAG_STR = 8,
	AD_TAG_TIMESTAMP = 9,
};

/*
 * How a value is held. Scalars made in memory (int, float, bool, fd,
 * timestamp) are encoded when created and held as AD_BUFFER over bytes
 * stored in the same allocation, so that the getters and the encoder have
 * one path for them and for decoded data.
 */
enum ad_repr {
	AD_BUFFER, /* encoded bytes: buffer.data[0 .. length) */
	AD_STR,    /* str.data[0 .. length - 2], NUL-terminated */
	AD_BINARY, /* binary.data[0 .. length - 1) */
	AD_MAP,    /* container.keys/values[0 .. count) */
	AD_SEQ,    /* container.keys[0 .. count) are the elements */
};

/* Flags. */
enum {
	/* nfds is the number of descriptor values in the subtree. */
	AD_NFDS_KNOWN = 1 << 0,
	/* The subtree holds encoded data that may carry descriptors. */
	AD_HAS_BUFFER = 1 << 1,
};

struct argdata_t {
	uint8_t repr;
	uint8_t flags;
	/* Nesting depth of in-memory containers below this one (0: none). */
	uint32_t depth;
	/* The size of the encoding in bytes. */
	size_t length;
	union {
		struct {
			const uint8_t *data;
			int (*convert_fd)(void *, size_t);
			void *convert_fd_arg;
		} buffer;
		struct {
			const char *data;
		} str;
		struct {
			const uint8_t *data;
		} binary;
		struct {
			const argdata_t *const *keys;
			const argdata_t *const *values;
			size_t count;
			size_t nfds;
		} container;
	} u;
};

/* Scalars made in memory carry at most this many encoded bytes. */
#define AD_INLINE_MAX 16

/*
 * Makes *ad a value over the encoded bytes [data, data + len), sharing the
 * descriptor conversion of the value it was found in.
 */
static inline void
ad_init_buffer(argdata_t *ad, const uint8_t *data, size_t len,
    int (*convert_fd)(void *, size_t), void *arg)
{
	ad->repr = AD_BUFFER;
	ad->flags = AD_HAS_BUFFER;
	ad->depth = 0;
	ad->length = len;
	ad->u.buffer.data = data;
	ad->u.buffer.convert_fd = convert_fd;
	ad->u.buffer.convert_fd_arg = arg;
}

/*
 * Reads one subfield at *pos (before end): its length, then that many
 * bytes. On success stores the bytes in *field and *fieldlen, advances *pos
 * past them and returns NULL. Otherwise returns the reason (the length is
 * truncated, not canonical because of a leading 00 byte, too large, or runs
 * past end) and leaves *pos unchanged: the defect is at *pos.
 */
AD_HIDDEN const char *ad_read_subfield(const uint8_t **pos,
    const uint8_t *end, const uint8_t **field, size_t *fieldlen);

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

/* Writes the length prefix of a len-byte subfield; returns bytes written. */
AD_HIDDEN size_t ad_write_prefix(uint8_t *out, size_t len);

/*
 * Whether [s, s + len) is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). NUL bytes are valid.
 */
AD_HIDDEN bool ad_utf8_valid(const uint8_t *s, size_t len);

/*
 * Decodes the payload of an int (big-endian two's complement, any length)
 * into a sign and magnitude. Returns 0, or ERANGE when the magnitude does
 * not fit in 64 bits.
 */
AD_HIDDEN int ad_decode_int(const uint8_t *p, size_t len, bool *negative,
    uint64_t *magnitude);

/*
 * Decodes the payload of a timestamp into seconds and nanoseconds, rounding
 * towards negative infinity. Returns 0, or ERANGE when it does not fit.
 */
struct timespec;
AD_HIDDEN int ad_decode_timestamp(const uint8_t *p, size_t len,
    struct timespec *ts);

/*
 * Encodes v as the payload of an int in the fewest bytes, into out (at
 * least 9 bytes). Returns the number of bytes.
 */
AD_HIDDEN size_t ad_encode_int_s(uint8_t *out, intmax_t v);
AD_HIDDEN size_t ad_encode_int_u(uint8_t *out, uintmax_t v);

/*
 * The checks argdata_validate() applies to one scalar (tag and payload,
 * the tag at p[0]). Returns NULL when valid, or the reason it is not, with
 * *at the offset inside [p, p + len) of the defect.
 */
AD_HIDDEN const char *ad_check_scalar(const uint8_t *p, size_t len,
    size_t *at);

#endif
