/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata.h - structured arguments in which file descriptors are values.
 *
 * Source-compatible with CloudABI's <argdata.h>: the same names, types and
 * semantics, so that programs written against it compile unchanged. The
 * additions (argdata_get_type, argdata_validate, typed extraction with
 * argdata_read_map, the streaming encoder argdata_encode_*) keep the
 * argdata_ prefix and the same error conventions.
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
ARGDATA_API int argdata_get_timestamp(const argdata_t *ad, struct timespec *ts);

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

/*
 * Typed extraction: a program describes the map it expects in a static
 * table, a schema, and reads a whole map into its own struct in one call.
 *
 * A schema is plain constant data (keys, numbers, pointers to nested
 * schemas; a function pointer only in ARGDATA_FIELD_EACH fields), so that
 * it can sit in read-only memory and a later version can publish it, for
 * instance in an ELF note that cloudabi-run checks a configuration
 * against. Fill fields with the ARGDATA_FIELD* macros below: they take the
 * offset and the size of each member from the struct itself, and pick the
 * field's type from the member's C type, so that an integer is
 * range-checked for exactly the type it is stored in.
 *
 * Field types, with the C type of the member each one fills:
 *  ARGDATA_FIELD_INT        a signed integer of 1, 2, 4 or 8 bytes
 *  ARGDATA_FIELD_UINT       an unsigned integer of 1, 2, 4 or 8 bytes
 *  ARGDATA_FIELD_BOOL       bool
 *  ARGDATA_FIELD_FLOAT      double
 *  ARGDATA_FIELD_STR        const char *: points into the data (no copy),
 *                           NUL-terminated, valid UTF-8 without NUL bytes
 *  ARGDATA_FIELD_STRLEN     struct argdata_str: the same with its length,
 *                           which saves a strlen(); NUL bytes allowed
 *  ARGDATA_FIELD_BINARY     struct argdata_bytes: points into the data
 *  ARGDATA_FIELD_FD         int: a descriptor, of a kind when flags say so
 *  ARGDATA_FIELD_TIMESTAMP  struct timespec
 *  ARGDATA_FIELD_MAP        a struct, read with the field's nested schema
 *  ARGDATA_FIELD_ARRAY      an array member of max elements of elem_type
 *                           (a struct read with nested when elem_type is
 *                           ARGDATA_FIELD_MAP) filled from a sequence, and
 *                           a size_t member that receives the count
 *  ARGDATA_FIELD_EACH       no member: each(element, index, out, arg) is
 *                           called for every element of a sequence
 *
 * A field whose key is NULL takes every key that no other field names: it
 * must be an ARGDATA_FIELD_ARRAY of maps (elem_type ARGDATA_FIELD_MAP),
 * and each such key, as a const char * or, with the flag
 * ARGDATA_KEY_LENGTH, a struct argdata_str, goes to key_offset in its
 * element.
 * That reads maps whose keys are names chosen by the user ("services:
 * {web: {...}, db: {...}}") into an array of structs.
 */
typedef enum {
	ARGDATA_FIELD_INT = 1,
	ARGDATA_FIELD_UINT,
	ARGDATA_FIELD_BOOL,
	ARGDATA_FIELD_FLOAT,
	ARGDATA_FIELD_STR,
	ARGDATA_FIELD_BINARY,
	ARGDATA_FIELD_FD,
	ARGDATA_FIELD_TIMESTAMP,
	ARGDATA_FIELD_MAP,
	ARGDATA_FIELD_ARRAY,
	ARGDATA_FIELD_EACH,
	ARGDATA_FIELD_STRLEN,
} argdata_field_type_t;

/* Field flags. */
/* The key must be present; otherwise it is optional and takes def_*. */
#define ARGDATA_REQUIRED 0x0001u
/* ARGDATA_FIELD_FD: the descriptor must be a stream socket listening. */
#define ARGDATA_FD_LISTENING 0x0100u
/* ARGDATA_FIELD_FD: a directory. */
#define ARGDATA_FD_DIRECTORY 0x0200u
/* ARGDATA_FIELD_FD: a regular file. */
#define ARGDATA_FD_REGULAR 0x0400u
/* ARGDATA_FIELD_FD: open for reading; open for writing (F_GETFL). */
#define ARGDATA_FD_READABLE 0x0800u
#define ARGDATA_FD_WRITABLE 0x1000u
/* ARGDATA_FIELD_FD: any socket. */
#define ARGDATA_FD_SOCKET 0x2000u

/*
 * A field for other keys: its elements hold the key as a struct
 * argdata_str, with its length (ARGDATA_OTHER_KEYS sets it by the type of
 * the key's member).
 */
#define ARGDATA_KEY_LENGTH 0x0002u

/* Schema flags. */
/* Keys that no field names are skipped; without it, they are errors. */
#define ARGDATA_IGNORE_UNKNOWN 0x0001u

/* The most fields a schema may have, and nested schemas deep. */
#define ARGDATA_SCHEMA_FIELDS_MAX 256
#define ARGDATA_SCHEMA_DEPTH_MAX 32

/* A binary value, or a string with its length: points into the data. */
struct argdata_bytes {
	const void *data;
	size_t len;
};

/*
 * A string with its length (not counting the NUL byte that follows it):
 * points into the data.
 */
struct argdata_str {
	const char *str;
	size_t len;
};

struct argdata_schema;

struct argdata_field {
	/* The key, and its length in bytes (0: strlen(key)). */
	const char *key;
	size_t keylen;
	unsigned char type;      /* argdata_field_type_t */
	unsigned char elem_type; /* ARGDATA_FIELD_ARRAY: of the elements */
	unsigned short size;     /* sizeof the member, or of one element */
	unsigned flags;          /* ARGDATA_REQUIRED, ARGDATA_FD_* */
	size_t offset;           /* offsetof the member in the struct */
	/* ARGDATA_FIELD_ARRAY: capacity, offsetof the size_t count. */
	size_t max;
	size_t count_offset;
	/* Fields with a NULL key: offsetof the key in each element. */
	size_t key_offset;
	/* ARGDATA_FIELD_MAP, and arrays of maps: how to read the struct. */
	const struct argdata_schema *nested;
	/*
	 * Defaults of optional fields that are absent: integers and bools
	 * take def_int (converted to the member's type, unsigned ones
	 * through uintmax_t), floats def_float, strings def_str. Absent
	 * descriptors are -1, arrays empty, binary values empty, timestamps
	 * zero, and absent maps get their own fields' defaults.
	 */
	intmax_t def_int;
	double def_float;
	const char *def_str;
	/* ARGDATA_FIELD_EACH: 0 to go on, or an errno value to stop. */
	int (*each)(const argdata_t *element, size_t index, void *out,
	    void *arg);
	void *arg;
};

struct argdata_schema {
	const struct argdata_field *fields;
	size_t nfields;
	unsigned flags; /* ARGDATA_IGNORE_UNKNOWN */
};

/*
 * Reads the map ad into the struct at out as schema describes it: every
 * field's member is written, from the data or from the field's default.
 * Returns 0, or an errno value with a one-line English message naming the
 * path to the value in errbuf (truncated to errlen bytes, always
 * NUL-terminated; errbuf may be NULL), such as
 * "workers[3].port: expected an int, found a str", "listen: missing" or
 * "lisen: unknown key":
 *  EINVAL   a value of the wrong type or kind, a required key missing, an
 *           unknown key (unless ARGDATA_IGNORE_UNKNOWN), a key twice, a
 *           key that is not a string, more elements than an array holds,
 *           corrupt data, or a schema that is not well-formed (a size that
 *           fits no field type, more than ARGDATA_SCHEMA_FIELDS_MAX fields
 *           or nested deeper than ARGDATA_SCHEMA_DEPTH_MAX);
 *  ERANGE   an integer outside the range of its member's C type, or a
 *           timestamp beyond struct timespec;
 *  EILSEQ   a string that is not valid UTF-8, or holds a NUL byte;
 *  EBADF    a descriptor that is not available (convert_fd refused it);
 *  or the error an ARGDATA_FIELD_EACH callback returned.
 * Descriptors are checked for their kind with fstat(2), getsockopt(2)
 * (SO_TYPE, SO_ACCEPTCONN) and fcntl(2) (F_GETFL), and are not duplicated:
 * they stay the value's. On failure, out holds what was read so far and
 * must not be used; nothing needs freeing either way.
 *
 * Strings and binary values point into the data of ad, which must outlive
 * them. Reading encoded data (argdata_from_buffer, program_main) decodes
 * the bytes directly; trees made in memory are read too, more slowly. It
 * allocates nothing, and recurses only as deep as the schema nests
 * (bounded by ARGDATA_SCHEMA_DEPTH_MAX), never as deep as the data: it is
 * linear in the size of the map, whatever the bytes.
 */
ARGDATA_API int argdata_read_map(const argdata_t *ad,
    const struct argdata_schema *schema, void *out, char *errbuf,
    size_t errlen);

/*
 * The streaming encoder: writes argdata straight into a buffer, without a
 * tree, as a pre-order sequence of calls:
 *
 *	argdata_encoder_t *e = argdata_encoder_create();
 *	argdata_encode_map_begin(e);
 *	argdata_encode_str_c(e, "port");
 *	argdata_encode_int_s(e, 443);
 *	argdata_encode_str_c(e, "listen");
 *	argdata_encode_fd(e, sock);
 *	argdata_encode_end(e);
 *	if (argdata_encoder_finish(e, &data, &len, &fds, &nfds) == 0)
 *		proc_exec(execfd, data, len, fds, nfds);
 *	argdata_encoder_free(e);
 *
 * The bytes are exactly those argdata_serialize() writes for the same
 * tree, with descriptors renumbered from 0 in order of first appearance,
 * duplicates sharing one number. Every call returns 0 or an errno value,
 * and errors are sticky: after one, every call up to argdata_encoder_reset
 * returns it again without writing, so that checking the result of
 * argdata_encoder_finish alone is enough:
 *  EINVAL   a call out of place: end with nothing open or a map holding a
 *           key without a value, a second value at the top, finish with
 *           containers open; a timestamp with tv_nsec outside
 *           [0, 999999999];
 *  EILSEQ   a string that is not valid UTF-8;
 *  EBADF    a negative descriptor;
 *  ENOBUFS  the caller's buffer is full (argdata_encoder_create_buffer);
 *  ENOMEM   out of memory.
 *
 * Each container reserves one byte for its length and writes its contents
 * at once; a container that grows past 127 bytes is noted, and finish
 * inserts the longer lengths in one pass from the back, moving each byte
 * at most once. So encoding is linear in the output, at any depth.
 */
#ifndef argdata_encoder_t
typedef struct argdata_encoder_t argdata_encoder_t;
#define argdata_encoder_t argdata_encoder_t
#endif

/* An encoder into a buffer of its own that grows. NULL with ENOMEM. */
ARGDATA_API argdata_encoder_t *argdata_encoder_create(void);

/*
 * An encoder into the caller's buffer of size bytes, which must stay valid
 * until the encoder is freed or reset: data that does not fit gives
 * ENOBUFS. Only the descriptor table and the stack of open containers are
 * allocated. NULL with ENOMEM.
 */
ARGDATA_API argdata_encoder_t *argdata_encoder_create_buffer(void *buf,
    size_t size);

/* Frees the encoder and its buffer (not the caller's). Accepts NULL. */
ARGDATA_API void argdata_encoder_free(argdata_encoder_t *e);

/* Starts again from nothing, keeping the memory; clears a sticky error. */
ARGDATA_API void argdata_encoder_reset(argdata_encoder_t *e);

/*
 * Opens a map (then key, value, key, value, ...) or a sequence, inside the
 * current container or at the top; argdata_encode_end closes the one most
 * recently opened.
 */
ARGDATA_API int argdata_encode_map_begin(argdata_encoder_t *e);
ARGDATA_API int argdata_encode_seq_begin(argdata_encoder_t *e);
ARGDATA_API int argdata_encode_end(argdata_encoder_t *e);

/* Scalars, as the matching argdata_create_* would make them. */
ARGDATA_API int argdata_encode_null(argdata_encoder_t *e);
ARGDATA_API int argdata_encode_bool(argdata_encoder_t *e, bool value);
ARGDATA_API int argdata_encode_int_s(argdata_encoder_t *e, intmax_t value);
ARGDATA_API int argdata_encode_int_u(argdata_encoder_t *e, uintmax_t value);
ARGDATA_API int argdata_encode_float(argdata_encoder_t *e, double value);
/* The bytes are copied; len does not count a NUL, which is added. */
ARGDATA_API int argdata_encode_str(argdata_encoder_t *e, const char *str,
    size_t len);
ARGDATA_API int argdata_encode_str_c(argdata_encoder_t *e, const char *str);
ARGDATA_API int argdata_encode_binary(argdata_encoder_t *e, const void *buf,
    size_t len);
ARGDATA_API int argdata_encode_timestamp(argdata_encoder_t *e,
    const struct timespec *ts);
/*
 * A descriptor: written with its number in this encoding, the descriptor
 * itself listed in the table argdata_encoder_finish returns. The
 * descriptor is neither checked nor duplicated.
 */
ARGDATA_API int argdata_encode_fd(argdata_encoder_t *e, int fd);

/*
 * Completes the encoding and stores the bytes in *data and *len and the
 * descriptor table in *fds and *nfds (fds[i] is the descriptor numbered
 * i), ready for proc_exec(3); they stay valid and unchanged until the
 * encoder is reset or freed. With nothing encoded, the result is the
 * empty encoding: null. Returns 0 or the sticky error. Calling it again
 * returns the same result.
 */
ARGDATA_API int argdata_encoder_finish(argdata_encoder_t *e, const void **data,
    size_t *len, const int **fds, size_t *nfds);

/*
 * The finished encoding as a value whose descriptor numbers convert to
 * the descriptors of the table, for argdata_writer_set(),
 * program_spawn(3) or program_exec(3), which serialize it again with the
 * same bytes. It calls argdata_encoder_finish first and must be freed
 * with argdata_free() before the encoder is reset or freed. NULL with the
 * sticky error or ENOMEM in errno.
 */
ARGDATA_API argdata_t *argdata_encoder_value(argdata_encoder_t *e);

#ifdef __cplusplus
}
#endif

/*
 * Schema macros (C only: they use _Generic). Each fills one struct
 * argdata_field for member m of struct type st, under key k, which must be
 * a string literal (its length is taken at compile time). The arguments
 * after k are the flags and then, optionally, more designated
 * initializers, such as a default:
 *
 *	struct server {
 *		const char *name;
 *		uint16_t port;
 *		int listen;
 *	};
 *	static const struct argdata_field server_fields[] = {
 *		ARGDATA_KEY(struct server, name, "name", ARGDATA_REQUIRED),
 *		ARGDATA_KEY(struct server, port, "port", 0, .def_int = 80),
 *		ARGDATA_KEY_FD(struct server, listen, "listen",
 *		    ARGDATA_REQUIRED | ARGDATA_FD_LISTENING),
 *	};
 *	static const struct argdata_schema server_schema =
 *	    ARGDATA_SCHEMA(server_fields, 0);
 *
 * ARGDATA_KEY takes the field type from the member's C type: any integer
 * type, bool, double, const char *, struct argdata_str, struct
 * argdata_bytes. A member of any other type does not compile. The others
 * name the type:
 *  ARGDATA_KEY_FD               an int member holding a descriptor
 *  ARGDATA_KEY_TIMESTAMP        a struct timespec member
 *  ARGDATA_KEY_MAP              a struct member, read with schema s
 *  ARGDATA_KEY_ARRAY            an array member, element type from its C
 *                               type as ARGDATA_KEY does, and the size_t
 *                               member n that receives the count
 *  ARGDATA_KEY_ARRAY_OF_FDS     the same for an array of int descriptors
 *  ARGDATA_KEY_ARRAY_OF_MAPS    the same for an array of structs read with
 *                               schema s
 *  ARGDATA_OTHER_KEYS           an array of structs of type et, read with
 *                               schema s, from every key that no other
 *                               field names, each key stored in the
 *                               member km of its element, a const char *
 *                               or a struct argdata_str
 *  ARGDATA_KEY_EACH             no member: fn(element, index, out, arg)
 *                               for every element of a sequence
 */
#ifndef __cplusplus
#define ARGDATA_MEMBER_(st, m) (((st *)0)->m)
#define ARGDATA_FIELD_TYPE_OF_(x)                                              \
	_Generic((x),                                                     \
	    bool: ARGDATA_FIELD_BOOL,                                     \
	    char: ((char)-1 < 0 ? ARGDATA_FIELD_INT : ARGDATA_FIELD_UINT), \
	    signed char: ARGDATA_FIELD_INT,                               \
	    short: ARGDATA_FIELD_INT,                                     \
	    int: ARGDATA_FIELD_INT,                                       \
	    long: ARGDATA_FIELD_INT,                                      \
	    long long: ARGDATA_FIELD_INT,                                 \
	    unsigned char: ARGDATA_FIELD_UINT,                            \
	    unsigned short: ARGDATA_FIELD_UINT,                           \
	    unsigned int: ARGDATA_FIELD_UINT,                             \
	    unsigned long: ARGDATA_FIELD_UINT,                            \
	    unsigned long long: ARGDATA_FIELD_UINT,                       \
	    double: ARGDATA_FIELD_FLOAT,                                  \
	    const char *: ARGDATA_FIELD_STR,                              \
	    struct argdata_str: ARGDATA_FIELD_STRLEN,                     \
	    struct argdata_bytes: ARGDATA_FIELD_BINARY)
/* The offset of member m, which must be of type t (or it does not compile). */
#define ARGDATA_OFFSET_AS_(st, m, t)                                           \
	_Generic(ARGDATA_MEMBER_(st, m), t : offsetof(st, m))
#define ARGDATA_KEY_COMMON_(st, m, k)                                          \
	.key = (k), .keylen = sizeof(k "") - 1,                                \
	.size = sizeof(ARGDATA_MEMBER_(st, m)), .offset = offsetof(st, m)

#define ARGDATA_KEY(st, m, k, ...)                                             \
	{                                                                      \
		ARGDATA_KEY_COMMON_(st, m, k),                                 \
		    .type = ARGDATA_FIELD_TYPE_OF_(ARGDATA_MEMBER_(st, m)),    \
		    .flags = __VA_ARGS__                                       \
	}
#define ARGDATA_KEY_FD(st, m, k, ...)                                          \
	{                                                                      \
		.key = (k), .keylen = sizeof(k "") - 1, .size = sizeof(int),   \
		.offset = ARGDATA_OFFSET_AS_(st, m, int),                      \
		.type = ARGDATA_FIELD_FD, .flags = __VA_ARGS__                 \
	}
#define ARGDATA_KEY_TIMESTAMP(st, m, k, ...)                                   \
	{                                                                      \
		ARGDATA_KEY_COMMON_(st, m, k),                                 \
		    .type = ARGDATA_FIELD_TIMESTAMP, .flags = __VA_ARGS__      \
	}
#define ARGDATA_KEY_MAP(st, m, k, s, ...)                                      \
	{                                                                      \
		ARGDATA_KEY_COMMON_(st, m, k), .type = ARGDATA_FIELD_MAP,      \
		                               .nested = &(s),                 \
		                               .flags = __VA_ARGS__            \
	}
#define ARGDATA_ARRAY_COMMON_(st, m, n)                                        \
	.type = ARGDATA_FIELD_ARRAY,                                           \
	.size = sizeof(ARGDATA_MEMBER_(st, m)[0]), .offset = offsetof(st, m),  \
	.max = sizeof(ARGDATA_MEMBER_(st, m)) /                                \
	    sizeof(ARGDATA_MEMBER_(st, m)[0]),                                 \
	.count_offset = ARGDATA_OFFSET_AS_(st, n, size_t)
#define ARGDATA_KEY_ARRAY(st, m, n, k, ...)                                    \
	{                                                                      \
		.key = (k), .keylen = sizeof(k "") - 1,                        \
		ARGDATA_ARRAY_COMMON_(st, m, n),                               \
		.elem_type =                                                   \
		    ARGDATA_FIELD_TYPE_OF_(ARGDATA_MEMBER_(st, m)[0]),         \
		.flags = __VA_ARGS__                                           \
	}
#define ARGDATA_KEY_ARRAY_OF_FDS(st, m, n, k, ...)                             \
	{                                                                      \
		.key = (k), .keylen = sizeof(k "") - 1,                        \
		ARGDATA_ARRAY_COMMON_(st, m, n),                               \
		.elem_type = _Generic(ARGDATA_MEMBER_(st, m)[0], int           \
		                      : ARGDATA_FIELD_FD),                     \
		.flags = __VA_ARGS__                                           \
	}
#define ARGDATA_KEY_ARRAY_OF_MAPS(st, m, n, k, s, ...)                         \
	{                                                                      \
		.key = (k), .keylen = sizeof(k "") - 1,                        \
		ARGDATA_ARRAY_COMMON_(st, m, n),                               \
		.elem_type = ARGDATA_FIELD_MAP, .nested = &(s),                \
		.flags = __VA_ARGS__                                           \
	}
#define ARGDATA_OTHER_KEYS(st, m, n, et, km, s)                                \
	{                                                                      \
		.key = NULL, ARGDATA_ARRAY_COMMON_(st, m, n),                  \
		.elem_type = ARGDATA_FIELD_MAP, .nested = &(s),                \
		.key_offset = offsetof(et, km),                                \
		.flags = _Generic(ARGDATA_MEMBER_(et, km), const char * : 0u,  \
		                  struct argdata_str                           \
		                  : ARGDATA_KEY_LENGTH)                        \
	}
#define ARGDATA_KEY_EACH(k, fn, a, ...)                                        \
	{                                                                      \
		.key = (k), .keylen = sizeof(k "") - 1,                        \
		.type = ARGDATA_FIELD_EACH, .each = (fn), .arg = (a),          \
		.flags = __VA_ARGS__                                           \
	}
#endif

/* A schema over a static array of fields. */
#define ARGDATA_SCHEMA(fields, schema_flags)                                   \
	{                                                                      \
		(fields), sizeof(fields) / sizeof((fields)[0]), (schema_flags) \
	}

/*
 * argdata_create_int(v) and argdata_get_int(ad, &v) for every integer type:
 * _Generic in C, overloads in C++. get_int returns ERANGE when the value
 * does not fit in the type of v.
 */
#ifdef __cplusplus
#define ARGDATA_INT_OVERLOADS(type, stype, sign)                               \
	inline argdata_t *argdata_create_int(type value)                       \
	{                                                                      \
		return argdata_create_int_##sign(value);                       \
	}                                                                      \
	inline int argdata_get_int(const argdata_t *ad, type *value)           \
	{                                                                      \
		return argdata_get_int_##stype(ad, value);                     \
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

#define ARGDATA_INT_GETTER_S(type, stype, min, max)                            \
	static inline int argdata_get_int_##stype(const argdata_t *ad,         \
	    type *value)                                                       \
	{                                                                      \
		intmax_t v;                                                    \
		int error = argdata_get_int_s(ad, &v, min, max);               \
		if (error == 0)                                                \
			*value = (type)v;                                      \
		return error;                                                  \
	}                                                                      \
	ARGDATA_INT_OVERLOADS(type, stype, s)
#define ARGDATA_INT_GETTER_U(type, stype, max)                                 \
	static inline int argdata_get_int_##stype(const argdata_t *ad,         \
	    type *value)                                                       \
	{                                                                      \
		uintmax_t v;                                                   \
		int error = argdata_get_int_u(ad, &v, max);                    \
		if (error == 0)                                                \
			*value = (type)v;                                      \
		return error;                                                  \
	}                                                                      \
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
