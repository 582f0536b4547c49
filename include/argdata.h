/*
 * argdata.h - structured arguments in which file descriptors are values.
 *
 * Source-compatible with CloudABI's <argdata.h>: the same names, types and
 * semantics, so that programs written against it compile unchanged. The
 * additions (argdata_get_type, argdata_validate) keep the argdata_ prefix and
 * the same error conventions.
 *
 * Error conventions, everywhere in this header:
 *  - constructors return NULL and set errno;
 *  - getters, iterators set-up and stream calls return 0 or an errno value
 *    and leave their output arguments untouched on failure;
 *  - argdata_free() and the *_free() functions accept NULL and keep errno;
 *  - the library never prints (except where asked to print), exits or
 *    aborts on bad data.
 *
 * Ownership: constructors do not copy what they are given (buffers, strings,
 * the arrays of a map or sequence; argdata_create_str is the one exception);
 * the caller keeps them alive and unchanged until the value and every value
 * containing it have been freed. Freeing a
 * map or sequence does not free its elements.
 */
#ifndef ARGDATA_H
#define ARGDATA_H

#include <limits.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define ARGDATA_API __attribute__((visibility("default")))
#else
#define ARGDATA_API
#endif

struct timespec;

/* An argdata value. Only ever handled through pointers. */
#ifndef argdata_t
typedef struct argdata_t argdata_t;
#define argdata_t argdata_t
#endif

/*
 * The alignment of the iterators, as CloudABI's header names it: that of
 * max_align_t, with alignas from <stdalign.h> in C (a keyword in C++).
 */
#define ARGDATA_MAX_ALIGN alignas(max_align_t)

/*
 * Iterators are allocated by the caller (usually on the stack) and need no
 * cleanup. The layout is fixed: a public index, then opaque state. index is
 * the position of the current element counting from 0, ARGDATA_ITERATOR_END
 * past the last element, or ARGDATA_ITERATOR_INVALID when the value is not
 * of the iterated type or its encoding is corrupt. INVALID is sticky: once
 * set, only argdata_*_iterate() resets it.
 */
typedef struct {
	ARGDATA_MAX_ALIGN size_t index;
	char data[128];
} argdata_map_iterator_t;

typedef struct {
	ARGDATA_MAX_ALIGN size_t index;
	char data[128];
} argdata_seq_iterator_t;

#define ARGDATA_ITERATOR_END SIZE_MAX
#define ARGDATA_ITERATOR_INVALID (SIZE_MAX - 1)

/* Reads framed argdata messages from a stream; see argdata_reader_create. */
#ifndef argdata_reader_t
typedef struct argdata_reader_t argdata_reader_t;
#define argdata_reader_t argdata_reader_t
#endif

/* Writes framed argdata messages to a stream; see argdata_writer_create. */
#ifndef argdata_writer_t
typedef struct argdata_writer_t argdata_writer_t;
#define argdata_writer_t argdata_writer_t
#endif

/*
 * The type of a value, as argdata_get_type() reports it. Every type but
 * ARGDATA_TYPE_NULL has the value of its tag byte on the wire.
 */
typedef enum {
	ARGDATA_TYPE_NULL = 0,
	ARGDATA_TYPE_BINARY = 1,
	ARGDATA_TYPE_BOOL = 2,
	ARGDATA_TYPE_FD = 3,
	ARGDATA_TYPE_FLOAT = 4,
	ARGDATA_TYPE_INT = 5,
	ARGDATA_TYPE_MAP = 6,
	ARGDATA_TYPE_SEQ = 7,
	ARGDATA_TYPE_STR = 8,
	ARGDATA_TYPE_TIMESTAMP = 9,
} argdata_type_t;

#ifdef __cplusplus
extern "C" {
#endif

/* The constants false, true and null. They are never freed. */
ARGDATA_API extern const argdata_t argdata_false;
ARGDATA_API extern const argdata_t argdata_true;
ARGDATA_API extern const argdata_t argdata_null;

/*
 * A value backed by serialized data. Nothing is decoded or copied: the
 * getters and iterators read buf directly, so it must stay unchanged while
 * the value (or any value an iterator yields from it) is in use. Decoding
 * never reads outside [buf, buf + len), whatever the bytes.
 *
 * convert_fd turns a descriptor number found in the data into a descriptor
 * of this process; it returns -1 when the number is not available, which
 * argdata_get_fd() reports as EBADF. A NULL convert_fd refuses access to
 * every descriptor.
 *
 * Returns NULL with errno ENOMEM when out of memory.
 */
ARGDATA_API argdata_t *argdata_from_buffer(const void *buf, size_t len,
    int (*convert_fd)(void *, size_t), void *convert_fd_arg);

/* A binary value. The bytes are not copied. */
ARGDATA_API argdata_t *argdata_create_binary(const void *buf, size_t len);

/* A descriptor value. Returns NULL with EBADF when fd is negative. */
ARGDATA_API argdata_t *argdata_create_fd(int fd);

/* A floating-point value. */
ARGDATA_API argdata_t *argdata_create_float(double value);

/*
 * An integer. argdata_create_int(v) picks the right one of the two for the
 * type of v.
 */
ARGDATA_API argdata_t *argdata_create_int_s(intmax_t value);
ARGDATA_API argdata_t *argdata_create_int_u(uintmax_t value);

/*
 * A map of count key-value pairs. The two arrays are not copied. Returns
 * NULL with EINVAL when count is non-zero and an array is NULL, or with
 * ENOMEM (also when the encoded size would overflow size_t).
 */
ARGDATA_API argdata_t *argdata_create_map(argdata_t const *const *keys,
    argdata_t const *const *values, size_t count);

/* A sequence of count values. The array is not copied. Errors as above. */
ARGDATA_API argdata_t *argdata_create_seq(argdata_t const *const *entries,
    size_t count);

/*
 * A string of UTF-8. Returns NULL with EILSEQ when the bytes are not valid
 * UTF-8 (NUL bytes are valid), or with ENOMEM.
 *
 * argdata_create_str() COPIES the len bytes and appends a NUL byte, so that
 * argdata_get_str_c() works on the result without ever reading past what
 * it was given (CloudABI's read one byte past an unterminated string). The
 * _c form takes a NUL-terminated string and does not copy it.
 */
ARGDATA_API argdata_t *argdata_create_str(const char *str, size_t len);
ARGDATA_API argdata_t *argdata_create_str_c(const char *str);

/*
 * A timestamp: nanoseconds since 1970-01-01 UTC. The timespec is copied.
 * Returns NULL with EINVAL when tv_nsec is outside [0, 999999999].
 */
ARGDATA_API argdata_t *argdata_create_timestamp(const struct timespec *ts);

/* Frees a value made by a constructor. Accepts NULL; keeps errno. */
ARGDATA_API void argdata_free(argdata_t *ad);

/*
 * The size in bytes of the serialized value, stored in *size, and the
 * number of descriptor values in it (duplicates counted each time; an upper
 * bound for the fds array of argdata_serialize), stored in *nfds unless nfds
 * is NULL. The size takes constant time, as do the counts of trees made in
 * memory: both are computed when values are created. Counting descriptors
 * inside decoded data scans its bytes; if memory runs out during that scan
 * of a deep tree, *nfds is an upper bound instead of the exact count.
 */
ARGDATA_API void argdata_serialized_length(const argdata_t *ad, size_t *size,
    size_t *nfds);

/*
 * Writes the canonical encoding of ad to buf, which must hold the number of
 * bytes argdata_serialized_length() reports. When fds is not NULL,
 * descriptors are renumbered from 0 in order of first appearance,
 * duplicates sharing one number; fds[i] receives the descriptor numbered i
 * and the number of distinct descriptors is returned. When fds is NULL,
 * descriptor numbers are written as they are and 0 is returned. Linear in
 * the size of the tree (renumbering included) and not recursive: any depth
 * works on the default stack.
 */
ARGDATA_API size_t argdata_serialize(const argdata_t *ad, void *buf, int *fds);

/*
 * Getters. Each returns 0 and stores the value, or returns an errno value:
 * EINVAL when ad is not of that type or its encoding is corrupt; the
 * others as listed. Pointers returned by get_binary and get_str point into
 * the value's own storage.
 */
ARGDATA_API int argdata_get_binary(const argdata_t *ad, const void **buf,
    size_t *len);
ARGDATA_API int argdata_get_bool(const argdata_t *ad, bool *value);
/* EBADF: the descriptor is not available in this process (convert_fd). */
ARGDATA_API int argdata_get_fd(const argdata_t *ad, int *fd);
ARGDATA_API int argdata_get_float(const argdata_t *ad, double *value);
/* ERANGE: the integer lies outside [min, max] (or [0, max]). */
ARGDATA_API int argdata_get_int_s(const argdata_t *ad, intmax_t *value,
    intmax_t min, intmax_t max);
ARGDATA_API int argdata_get_int_u(const argdata_t *ad, uintmax_t *value,
    uintmax_t max);
/*
 * EILSEQ: not valid UTF-8. The string is followed by a NUL byte, which
 * len does not count. get_str_c also returns EILSEQ when the string holds
 * a NUL byte of its own, since the result would be cut short.
 */
ARGDATA_API int argdata_get_str(const argdata_t *ad, const char **str,
    size_t *len);
ARGDATA_API int argdata_get_str_c(const argdata_t *ad, const char **str);
/* ERANGE: the timestamp does not fit in a struct timespec. */
ARGDATA_API int argdata_get_timestamp(const argdata_t *ad,
    struct timespec *ts);

/*
 * The type of ad, stored in *type. Returns EINVAL when ad is backed by a
 * buffer whose tag byte is unknown. Only the tag is examined: the payload
 * may still be corrupt (argdata_validate checks everything).
 */
ARGDATA_API int argdata_get_type(const argdata_t *ad, argdata_type_t *type);

/*
 * Walks the whole encoded value in buf once and checks everything a full
 * walk with the getters and iterators would check: subfield lengths inside
 * their containers, lengths in canonical form, an even number of map
 * subfields, known tags, payload sizes of bool, fd, float, valid UTF-8
 * ending in a NUL for strings. Descriptor numbers are not checked against
 * any table. Not recursive and linear in len.
 *
 * Returns 0 when buf is valid, EINVAL when it is not, with the byte offset
 * of the first defect in *offset and a short static English description in
 * *reason (either may be NULL), or ENOMEM.
 */
ARGDATA_API int argdata_validate(const void *buf, size_t len, size_t *offset,
    const char **reason);

/*
 * Map iteration:
 *
 *	argdata_map_iterator_t it;
 *	const argdata_t *key, *value;
 *	argdata_map_iterate(ad, &it);
 *	while (argdata_map_get(&it, &key, &value)) {
 *		...
 *		argdata_map_next(&it);
 *	}
 *	if (it.index == ARGDATA_ITERATOR_INVALID)
 *		... not a map, or corrupt ...
 *
 * argdata_map_iterate() positions it on the first pair: index 0, or
 * ARGDATA_ITERATOR_END when the map is empty, or ARGDATA_ITERATOR_INVALID
 * when ad is not a map or the first pair is corrupt. argdata_map_get()
 * stores the current pair and returns true, or returns false at END or
 * INVALID. The stored pointers stay valid until the iterator moves.
 * argdata_map_next() moves to the next pair, to END after the last one, or
 * to INVALID on corrupt data; END and INVALID stay where they are.
 */
ARGDATA_API void argdata_map_iterate(const argdata_t *ad,
    argdata_map_iterator_t *it);
ARGDATA_API bool argdata_map_get(const argdata_map_iterator_t *it,
    const argdata_t **key, const argdata_t **value);
ARGDATA_API void argdata_map_next(argdata_map_iterator_t *it);

/* Sequence iteration, the same as map iteration with one value per step. */
ARGDATA_API void argdata_seq_iterate(const argdata_t *ad,
    argdata_seq_iterator_t *it);
ARGDATA_API bool argdata_seq_get(const argdata_seq_iterator_t *it,
    const argdata_t **element);
ARGDATA_API void argdata_seq_next(argdata_seq_iterator_t *it);

/*
 * Writes ad to fp as a YAML 1.2 document that a YAML parser (1.2, or 1.1
 * such as PyYAML) reads back to the same values. The document opens with
 * "%TAG ! tag:nuxi.nl,2015:cloudabi/" and "---" and closes with "...", so
 * that documents printed one after another form a valid stream.
 *
 * Strings are plain when nothing could read them as another type (letters
 * first, no indicators, not null/true/yes/on/... in any case), double-quoted
 * otherwise, escaping quotes, backslashes, control characters, U+0085,
 * U+2028, U+2029, U+FEFF, U+FFFE and U+FFFF and keeping the rest of UTF-8
 * as it is. Floats print in the shortest form that reads back exactly,
 * always with a '.' ("0.1", "1.0", "-0.0", "1.0e+300"), or .inf, -.inf,
 * .nan, whatever the locale. Integers print exactly at any length, in
 * decimal, or as "!!int 0x..." when their magnitude takes more than 512
 * bytes. Binary prints as !!binary base64, timestamps as !!timestamp
 * "YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ" (years beyond 0000-9999 with a sign),
 * descriptors as !fd N with N the number as encoded (not converted).
 * Collections nest in block style down to 24 levels and in flow style
 * ([...], {...}) below; keys that are collections or long scalars use
 * "? key". Corrupt parts, and timestamps beyond struct timespec, print as
 * !!invalid "", and a corrupt collection ends with one !!invalid entry.
 *
 * Not recursive; output and time are linear in the size of the input.
 * Write errors are not reported (check ferror(fp)); errno is kept.
 */
ARGDATA_API void argdata_print_yaml(const argdata_t *ad, FILE *fp);

/*
 * Stream reader. A message on the stream is an 8-byte big-endian length,
 * then that many bytes of serialized argdata; descriptors travel as
 * SCM_RIGHTS with the first part of the message, and the data numbers them
 * from 0 in the order they came. The reader holds one message at a time
 * and refuses messages of more than max_data_len bytes or max_fds
 * descriptors (exactly: a limit of 1 refuses 2). It reads stream sockets
 * (SOCK_STREAM), pipes and files. Memory for the data grows as bytes
 * arrive, so a large max_data_len costs nothing until a message needs it.
 * Returns NULL with ENOMEM.
 */
ARGDATA_API argdata_reader_t *argdata_reader_create(size_t max_data_len,
    size_t max_fds);

/* Frees the reader and closes every descriptor it still owns. */
ARGDATA_API void argdata_reader_free(argdata_reader_t *reader);

/*
 * The message last completed by argdata_reader_pull(), or NULL when pull
 * reached end-of-file. Valid until the next pull or free.
 */
ARGDATA_API const argdata_t *argdata_reader_get(const argdata_reader_t *reader);

/*
 * Takes fd, a descriptor of the current message, out of the reader's
 * ownership: the reader will not close it, and argdata_get_fd() on the
 * message returns EBADF for it from now on. CloudABI's signature: it
 * returns nothing, and does nothing when the reader does not own fd.
 */
ARGDATA_API void argdata_reader_release_fd(argdata_reader_t *reader, int fd);

/*
 * The same, saying whether it did anything: returns 0, or EBADF when the
 * reader does not own fd (not a descriptor of the current message, already
 * released, or no current message: before the first pull, after an error
 * or at end-of-file).
 */
ARGDATA_API int argdata_reader_release_fd_checked(argdata_reader_t *reader,
    int fd);

/*
 * Reads from fd until the next message is complete. Returns 0 when it is
 * (or at end-of-file before a message starts; argdata_reader_get() then
 * returns NULL), or an errno value: any error of recvmsg(2) or read(2)
 * (EAGAIN: call again when fd is readable, the read resumes where it
 * stopped), EMSGSIZE (a message too large or with too many descriptors),
 * EBADMSG (a message truncated by end-of-file, a control message the
 * kernel truncated, or a datagram cut short), ENOMEM. Received descriptors
 * are close-on-exec. The previous message is discarded and its unreleased
 * descriptors closed; argdata_reader_get() returns NULL until a pull
 * returns 0 again.
 *
 * The reader's state after an error is defined:
 *  - EMSGSIZE is returned as soon as the header or the descriptors show a
 *    limit is exceeded, and EBADMSG as soon as a control message arrives
 *    truncated (ENOMEM too when there is no memory to hold descriptors).
 *    The descriptors that did arrive are closed at once, none is dropped
 *    unseen. The message is then skipped: the next pull reads and discards
 *    the rest of it and goes on to the message after it.
 *  - After EBADMSG for end-of-file inside a message, the reader is at
 *    end-of-file: the next pull returns 0 with no message.
 *  - After any other error nothing is lost: call again.
 */
ARGDATA_API int argdata_reader_pull(argdata_reader_t *reader, int fd);

/* A stream writer, holding one message at a time. NULL with ENOMEM. */
ARGDATA_API argdata_writer_t *argdata_writer_create(void);
ARGDATA_API void argdata_writer_free(argdata_writer_t *writer);

/*
 * Sets the message to send; ad must stay alive and unchanged until push
 * returns 0. Call it on a new writer, after push returned 0, or after push
 * failed before writing anything (EMSGSIZE, ENOTSOCK, ENOMEM, or an error
 * of the first send such as EBADF or EPIPE): replacing a message that is
 * partly written would corrupt the stream.
 */
ARGDATA_API void argdata_writer_set(argdata_writer_t *writer,
    const argdata_t *ad);

/*
 * Writes the current message to fd: descriptors renumbered from 0 as
 * argdata_serialize() does, sent as SCM_RIGHTS with the first bytes.
 * Sockets are written with MSG_NOSIGNAL (EPIPE, not SIGPIPE). Returns 0
 * when all of it is written (or there is none), or an errno value: any
 * error of sendmsg(2) or write(2) (EAGAIN: call again when fd is writable;
 * it resumes where it stopped), ENOTSOCK (descriptors to send over
 * something not a socket), EMSGSIZE (more than 253 distinct descriptors,
 * the most Linux carries in one message: refused before anything is
 * written, so the writer and the stream stay usable), ENOMEM.
 */
ARGDATA_API int argdata_writer_push(argdata_writer_t *writer, int fd);

#ifdef __cplusplus
}
#endif

/*
 * argdata_create_int(v) and argdata_get_int(ad, &v) for every integer type:
 * _Generic in C, overloads in C++. get_int returns ERANGE when the value
 * does not fit in the type of v.
 */
#ifdef __cplusplus
#define ARGDATA_INT_OVERLOADS(type, stype, sign)                         \
	inline argdata_t *argdata_create_int(type value)                 \
	{                                                                \
		return argdata_create_int_##sign(value);                 \
	}                                                                \
	inline int argdata_get_int(const argdata_t *ad, type *value)     \
	{                                                                \
		return argdata_get_int_##stype(ad, value);               \
	}
#else
/* clang-format off */
#define argdata_create_int(value)                      \
	_Generic(value,                                \
	    char: argdata_create_int_s,                \
	    signed char: argdata_create_int_s,         \
	    unsigned char: argdata_create_int_u,       \
	    short: argdata_create_int_s,               \
	    unsigned short: argdata_create_int_u,      \
	    int: argdata_create_int_s,                 \
	    unsigned int: argdata_create_int_u,        \
	    long: argdata_create_int_s,                \
	    unsigned long: argdata_create_int_u,       \
	    long long: argdata_create_int_s,           \
	    unsigned long long: argdata_create_int_u)(value)
#define argdata_get_int(ad, value)                     \
	_Generic(*(value),                             \
	    char: argdata_get_int_char,                \
	    signed char: argdata_get_int_schar,        \
	    unsigned char: argdata_get_int_uchar,      \
	    short: argdata_get_int_short,              \
	    unsigned short: argdata_get_int_ushort,    \
	    int: argdata_get_int_int,                  \
	    unsigned int: argdata_get_int_uint,        \
	    long: argdata_get_int_long,                \
	    unsigned long: argdata_get_int_ulong,      \
	    long long: argdata_get_int_llong,          \
	    unsigned long long: argdata_get_int_ullong)(ad, value)
/* clang-format on */
#define ARGDATA_INT_OVERLOADS(type, stype, sign)
#endif

#define ARGDATA_INT_GETTER_S(type, stype, min, max)                       \
	static inline int argdata_get_int_##stype(const argdata_t *ad,    \
	    type *value)                                                  \
	{                                                                 \
		intmax_t v;                                               \
		int error = argdata_get_int_s(ad, &v, min, max);          \
		if (error == 0)                                           \
			*value = (type)v;                                 \
		return error;                                             \
	}                                                                 \
	ARGDATA_INT_OVERLOADS(type, stype, s)
#define ARGDATA_INT_GETTER_U(type, stype, max)                            \
	static inline int argdata_get_int_##stype(const argdata_t *ad,    \
	    type *value)                                                  \
	{                                                                 \
		uintmax_t v;                                              \
		int error = argdata_get_int_u(ad, &v, max);               \
		if (error == 0)                                           \
			*value = (type)v;                                 \
		return error;                                             \
	}                                                                 \
	ARGDATA_INT_OVERLOADS(type, stype, u)

ARGDATA_INT_GETTER_S(char, char, CHAR_MIN, CHAR_MAX)
ARGDATA_INT_GETTER_S(signed char, schar, SCHAR_MIN, SCHAR_MAX)
ARGDATA_INT_GETTER_U(unsigned char, uchar, UCHAR_MAX)
ARGDATA_INT_GETTER_S(short, short, SHRT_MIN, SHRT_MAX)
ARGDATA_INT_GETTER_U(unsigned short, ushort, USHRT_MAX)
ARGDATA_INT_GETTER_S(int, int, INT_MIN, INT_MAX)
ARGDATA_INT_GETTER_U(unsigned int, uint, UINT_MAX)
ARGDATA_INT_GETTER_S(long, long, LONG_MIN, LONG_MAX)
ARGDATA_INT_GETTER_U(unsigned long, ulong, ULONG_MAX)
ARGDATA_INT_GETTER_S(long long, llong, LLONG_MIN, LLONG_MAX)
ARGDATA_INT_GETTER_U(unsigned long long, ullong, ULLONG_MAX)

#undef ARGDATA_INT_OVERLOADS
#undef ARGDATA_INT_GETTER_S
#undef ARGDATA_INT_GETTER_U

#endif
