/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * codec.h - the representation behind argdata_t and the decoding
 * primitives that the codec's files, the YAML loader and the tools share.
 * Never installed. The encoding primitives are in encode.h.
 */
#ifndef ARGDATA_CODEC_H
#define ARGDATA_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <argdata.h>

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
	/* A descriptor made with argdata_create_fd(). */
	AD_ONE_FD = 1 << 2,
};

struct argdata_t {
	uint8_t repr;
	uint8_t flags;
	/*
	 * Where the value was allocated: its offset in its chunk in units of
	 * 16 bytes, or 0 when it came from malloc() on its own (alloc.c).
	 */
	uint16_t home;
	/* Nesting depth of in-memory containers below this one (0: none). */
	uint32_t depth;
	/* The size of the encoding in bytes. */
	size_t length;
	union {
		struct {
			const uint8_t *data;
			int (*convert_fd)(void *, size_t);
			void *convert_fd_arg;
			/*
			 * Where the readable memory that holds data begins
			 * (base <= data): the getters may read the bytes in
			 * [base, data) to load a whole word at once.
			 */
			const uint8_t *base;
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

/*
 * The descriptor conversion of values made with argdata_create_fd(): the
 * number is the descriptor itself. The encoder recognizes it and skips the
 * call.
 */
int ad_fd_identity(void *arg, size_t number);

/*
 * ad_node_alloc() (alloc.h) makes a value of size bytes, the struct and
 * what follows it, with home set and nothing else: NULL and errno ENOMEM
 * without memory. ad_node_free() takes it back, told the same size.
 */
void ad_node_free(argdata_t *ad, size_t size);

/*
 * Gives the calling thread's spare chunks, and its current chunk when it
 * holds no value, back to malloc(): for tests that count blocks.
 */
void ad_alloc_trim(void);

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
	ad->u.buffer.base = data;
}

/*
 * Reads one subfield at *pos (before end): its length, then that many
 * bytes. On success stores the bytes in *field and *fieldlen, advances *pos
 * past them and returns NULL. Otherwise returns the reason (the length is
 * truncated, not canonical because of a leading 00 byte, too large, or runs
 * past end) and leaves *pos unchanged: the defect is at *pos.
 *
 * Lengths below 128 take one byte and are by far the most common, so that
 * case is inline; the rest is ad_read_subfield_long().
 */
const char *ad_read_subfield_long(const uint8_t **pos, const uint8_t *end,
    const uint8_t **field, size_t *fieldlen);

static inline const char *
ad_read_subfield(const uint8_t **pos, const uint8_t *end, const uint8_t **field,
    size_t *fieldlen)
{
	const uint8_t *p = *pos;

	if (p < end && (*p & 0x80) && (size_t)(*p & 0x7f) < (size_t)(end - p)) {
		*field = p + 1;
		*fieldlen = *p & 0x7f;
		*pos = p + 1 + (*p & 0x7f);
		return NULL;
	}
	return ad_read_subfield_long(pos, end, field, fieldlen);
}

/*
 * memcpy() for the short strings of keys and names, which a call costs more
 * than: loads and stores of one width that may overlap, and never reach
 * outside either range.
 */
static inline __attribute__((always_inline)) void
ad_copy_short(uint8_t *dst, const void *src, size_t n)
{
	const uint8_t *s = src;

	if (n >= 8 && n <= 32) {
		uint64_t a, b, c, d;

		memcpy(&a, s, 8);
		memcpy(&b, s + (n > 16 ? 8 : 0), 8);
		memcpy(&c, s + n - (n > 16 ? 16 : 8), 8);
		memcpy(&d, s + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + (n > 16 ? 8 : 0), &b, 8);
		memcpy(dst + n - (n > 16 ? 16 : 8), &c, 8);
		memcpy(dst + n - 8, &d, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(dst, &a, 4);
		memcpy(dst + n - 4, &b, 4);
	} else if (n > 32) {
		memcpy(dst, src, n);
	} else if (n > 0) {
		/* 1 to 3 bytes: first, middle, last. */
		dst[0] = s[0];
		dst[n / 2] = s[n / 2];
		dst[n - 1] = s[n - 1];
	}
}

/*
 * Whether [s, s + len) is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). NUL bytes are valid.
 */
bool ad_utf8_valid_long(const uint8_t *s, size_t len);

/*
 * Whether the len bytes at s are all ASCII, checked a word at a time: the
 * words at s, s + 8, ... and the word that ends at s + len, which may
 * reach back before s as far as base. Short strings of varying lengths
 * are the common case (keys, names), and a loop over their bytes
 * mispredicts its exit. False when not all ASCII, or when fewer than 8
 * bytes are readable: the caller then checks byte by byte.
 */
static inline bool
ad_ascii_words(const uint8_t *s, size_t len, const uint8_t *base)
{
	uint64_t any, w;

	if (len >= 8) {
		__builtin_memcpy(&any, s + len - 8, sizeof(any));
		for (size_t i = 0; i < len - 8; i += 8) {
			__builtin_memcpy(&w, s + i, sizeof(w));
			any |= w;
		}
	} else if ((size_t)(s - base) + len >= 8 && len > 0) {
		__builtin_memcpy(&any, s + len - 8, sizeof(any));
		/* Only the last len bytes of the word are the string's. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		any &= UINT64_MAX << (8 * (8 - len));
#else
		any &= UINT64_MAX >> (8 * (8 - len));
#endif
	} else {
		return len == 0;
	}
	return (any & UINT64_C(0x8080808080808080)) == 0;
}

static inline bool
ad_utf8_valid(const uint8_t *s, size_t len)
{
	/* Short ASCII strings (keys, names) are checked here, inline. */
	if (len < 8) {
		uint8_t any = 0;

		for (size_t i = 0; i < len; i++)
			any |= s[i];
		if (any < 0x80)
			return true;
	} else if (len <= 64 && ad_ascii_words(s, len, s)) {
		return true;
	}
	return ad_utf8_valid_long(s, len);
}

/*
 * Decodes the payload of an int (big-endian two's complement, any length)
 * into a sign and magnitude. Returns 0, or ERANGE when the magnitude does
 * not fit in 64 bits.
 */
int ad_decode_int(const uint8_t *p, size_t len, bool *negative,
    uint64_t *magnitude);

/*
 * Decodes the payload of a timestamp into seconds and nanoseconds, rounding
 * towards negative infinity. Returns 0, or ERANGE when it does not fit.
 */
struct timespec;
int ad_decode_timestamp(const uint8_t *p, size_t len, struct timespec *ts);

/*
 * The checks argdata_validate() applies to one scalar (tag and payload,
 * the tag at p[0]). Returns NULL when valid, or the reason it is not, with
 * *at the offset inside [p, p + len) of the defect.
 */
const char *ad_check_scalar(const uint8_t *p, size_t len, size_t *at);

/*
 * A pre-order walk over any tree, in memory or encoded or both, without
 * recursion: the printers and the tools use it. Memory grows with the
 * depth (32 bytes a level), never with the width.
 *
 *	struct ad_walk w;
 *	struct ad_walk_event ev;
 *	ad_walk_init(&w, root);
 *	while (ad_walk_next(&w, &ev) == 0 && ev.kind != AD_WALK_DONE)
 *		...
 *	ad_walk_free(&w);
 *
 * Events: AD_WALK_VALUE for a value that is not a map or sequence,
 * AD_WALK_BEGIN when a map or sequence opens (the value is the container),
 * AD_WALK_END when it closes (the value is the container when it was made
 * in memory, NULL when encoded), AD_WALK_DONE after the root. ev.value stays
 * valid until the next call. ev.depth is the number of open containers
 * around the value; ev.index its position among its parent's subfields
 * (in a map, even indices are keys, odd ones values). ad_walk_next()
 * returns 0, ENOMEM, or EINVAL on corrupt encoded data, with the reason in
 * ev.error; after an error, the walk is over.
 */
enum ad_walk_kind {
	AD_WALK_VALUE,
	AD_WALK_BEGIN,
	AD_WALK_END,
	AD_WALK_DONE,
};

struct ad_walk_event {
	enum ad_walk_kind kind;
	const argdata_t *value;
	bool map; /* BEGIN, END: whether it is a map */
	size_t depth;
	size_t index;
	const char *error;
};

struct ad_walk_frame {
	const argdata_t *node;    /* a container made in memory, or NULL */
	const uint8_t *pos, *end; /* an encoded container: what is left */
	size_t index;             /* subfields visited */
	bool map;
};

struct ad_walk {
	struct ad_walk_frame local[16], *stack;
	size_t top, cap;
	const argdata_t *root;
	int state;
	/* The conversion of the encoded container being walked. */
	int (*convert_fd)(void *, size_t);
	void *convert_fd_arg;
	/* The value last decoded from an encoded container. */
	argdata_t scratch;
};

void ad_walk_init(struct ad_walk *w, const argdata_t *root);
int ad_walk_next(struct ad_walk *w, struct ad_walk_event *ev);
void ad_walk_free(struct ad_walk *w);

#endif
