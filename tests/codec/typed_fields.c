/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Typed extraction, field by field: integers checked against each C
 * type's range, long integers, other keys and maps of user-chosen names,
 * descriptor kinds, strings with and without their length, and schema
 * mistakes. Each input is read encoded and as a tree (typed_input.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec_test.h"
#include "testutil.h"
#include "typed_input.h"

/* One integer field of each C type. */
struct ints {
	int8_t i8;
	uint8_t u8;
	int16_t i16;
	uint16_t u16;
	int32_t i32;
	uint32_t u32;
	int64_t i64;
	uint64_t u64;
	size_t sz;
	char ch;
};

static const struct argdata_field int_fields[] = {
    ARGDATA_KEY(struct ints, i8, "i8", 0),
    ARGDATA_KEY(struct ints, u8, "u8", 0),
    ARGDATA_KEY(struct ints, i16, "i16", 0),
    ARGDATA_KEY(struct ints, u16, "u16", 0),
    ARGDATA_KEY(struct ints, i32, "i32", 0),
    ARGDATA_KEY(struct ints, u32, "u32", 0),
    ARGDATA_KEY(struct ints, i64, "i64", 0),
    ARGDATA_KEY(struct ints, u64, "u64", 0),
    ARGDATA_KEY(struct ints, sz, "sz", 0),
    ARGDATA_KEY(struct ints, ch, "ch", 0),
};
static const struct argdata_schema int_schema = ARGDATA_SCHEMA(int_fields, 0);

/* Reads {k: v} with int_schema. */
static int
read_one_int(const char *k, bool is_signed, intmax_t s, uintmax_t u,
    struct ints *x, char *msg)
{
	struct input in;
	struct ints x2;

	begin_input();
	argdata_encode_map_begin(typed_enc);
	key(k);
	if (is_signed)
		argdata_encode_int_s(typed_enc, s);
	else
		argdata_encode_int_u(typed_enc, u);
	argdata_encode_end(typed_enc);
	end_input(&in);
	return read_both(&in, &int_schema, x, &x2, msg, 256);
}

static void
test_argdata_read_map__integer_ranges(void **state)
{
	static const struct {
		const char *key;
		intmax_t min;
		uintmax_t max;
	} types[] = {
	    {"i8", INT8_MIN, INT8_MAX},
	    {"u8", 0, UINT8_MAX},
	    {"i16", INT16_MIN, INT16_MAX},
	    {"u16", 0, UINT16_MAX},
	    {"i32", INT32_MIN, INT32_MAX},
	    {"u32", 0, UINT32_MAX},
	    {"i64", INT64_MIN, INT64_MAX},
	    {"u64", 0, UINT64_MAX},
	    {"sz", 0, SIZE_MAX},
	};
	struct ints x;
	char msg[256];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *k = types[i].key;

		assert_int_equal(
		    read_one_int(k, true, types[i].min, 0, &x, msg), 0);
		assert_int_equal(
		    read_one_int(k, false, 0, types[i].max, &x, msg), 0);
		if (types[i].max < UINTMAX_MAX) {
			assert_int_equal(read_one_int(k, false, 0,
			                     types[i].max + 1, &x, msg),
			    ERANGE);
			assert_non_null(strstr(msg, "out of range"));
		}
		if (types[i].min > INTMAX_MIN)
			assert_int_equal(
			    read_one_int(k, true, types[i].min - 1, 0, &x, msg),
			    ERANGE);
	}
	assert_int_equal(read_one_int("i8", true, -128, 0, &x, msg), 0);
	assert_int_equal(x.i8, -128);
	assert_int_equal(read_one_int("u16", true, -1, 0, &x, msg), ERANGE);
	assert_string_equal(msg,
	    "u16: -1 is out of range for a 16-bit unsigned integer");
	assert_int_equal(read_one_int("i8", true, 128, 0, &x, msg), ERANGE);
	assert_string_equal(msg,
	    "i8: 128 is out of range for an 8-bit signed integer");
	assert_int_equal(read_one_int("u64", false, 0, UINT64_MAX, &x, msg), 0);
	assert_true(x.u64 == UINT64_MAX);
	assert_int_equal(read_one_int("ch", true, 'z', 0, &x, msg), 0);
	assert_int_equal(x.ch, 'z');
}

/* Integers longer than 8 bytes, in canonical and redundant forms. */
static void
test_argdata_read_map__long_integers(void **state)
{
	/* {"u64": 00 FF..FF}, {"i64": FF FF 80 00..00} (redundant), 2^64. */
	static const uint8_t fits_u[] = {0x06, 0x85, 0x08, 'u', '6', '4', 0x00,
	    0x8a, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t fits_i[] = {0x06, 0x85, 0x08, 'i', '6', '4', 0x00,
	    0x8b, 0x05, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t big[] = {0x06, 0x85, 0x08, 'u', '6', '4', 0x00,
	    0x8a, 0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	struct ints x;
	char msg[256];
	argdata_t *ad;

	(void)state;
	ad = argdata_from_buffer(fits_u, sizeof(fits_u), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &int_schema, &x, msg, 256), 0);
	assert_true(x.u64 == UINT64_MAX);
	argdata_free(ad);
	ad = argdata_from_buffer(fits_i, sizeof(fits_i), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &int_schema, &x, msg, 256), 0);
	assert_true(x.i64 == INT64_MIN);
	argdata_free(ad);
	ad = argdata_from_buffer(big, sizeof(big), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &int_schema, &x, msg, 256),
	    ERANGE);
	assert_string_equal(msg, "u64: integer out of range");
	argdata_free(ad);
}

struct service {
	const char *name;
	const char *cmd;
	uint16_t port;
};

static const struct argdata_field service_fields[] = {
    ARGDATA_KEY(struct service, cmd, "cmd", ARGDATA_REQUIRED),
    ARGDATA_KEY(struct service, port, "port", 0),
};
static const struct argdata_schema service_schema =
    ARGDATA_SCHEMA(service_fields, 0);

struct services {
	int log;
	struct service s[3];
	size_t n;
};

static const struct argdata_field services_fields[] = {
    ARGDATA_KEY_FD(struct services, log, "log", 0),
    ARGDATA_OTHER_KEYS(struct services, s, n, struct service, name,
        service_schema),
};
static const struct argdata_schema services_schema =
    ARGDATA_SCHEMA(services_fields, 0);

static void
test_argdata_read_map__other_keys(void **state)
{
	struct services x, x2;
	struct input in;
	char msg[256];

	(void)state;
	begin_input();
	argdata_encode_map_begin(typed_enc);
	key("web");
	argdata_encode_map_begin(typed_enc);
	key("cmd");
	argdata_encode_str_c(typed_enc, "httpd");
	key("port");
	argdata_encode_int_s(typed_enc, 80);
	argdata_encode_end(typed_enc);
	key("log");
	argdata_encode_fd(typed_enc, 2);
	key("db");
	argdata_encode_map_begin(typed_enc);
	key("cmd");
	argdata_encode_str_c(typed_enc, "pg");
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	assert_int_equal(
	    read_both(&in, &services_schema, &x, &x2, msg, sizeof(msg)), 0);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.log, 2);
	assert_string_equal(x.s[0].name, "web");
	assert_string_equal(x.s[0].cmd, "httpd");
	assert_int_equal(x.s[0].port, 80);
	assert_string_equal(x.s[1].name, "db");
	assert_int_equal(x.s[1].port, 0);

	begin_input();
	argdata_encode_map_begin(typed_enc);
	key("web");
	argdata_encode_map_begin(typed_enc);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	assert_int_equal(
	    read_both(&in, &services_schema, &x, &x2, msg, sizeof(msg)),
	    EINVAL);
	assert_string_equal(msg, "web.cmd: missing");

	begin_input();
	argdata_encode_map_begin(typed_enc);
	for (int i = 0; i < 4; i++) {
		char k[2] = {(char)('a' + i), '\0'};
		key(k);
		argdata_encode_map_begin(typed_enc);
		key("cmd");
		argdata_encode_str_c(typed_enc, "x");
		argdata_encode_end(typed_enc);
	}
	argdata_encode_end(typed_enc);
	end_input(&in);
	assert_int_equal(
	    read_both(&in, &services_schema, &x, &x2, msg, sizeof(msg)),
	    EINVAL);
	assert_string_equal(msg, "d: more than 3 keys besides those named");
}

/* Only names the user chose: the schema of one field for other keys. */
struct dict {
	struct service s[3];
	size_t n;
};

static const struct argdata_field dict_fields[] = {
    ARGDATA_OTHER_KEYS(struct dict, s, n, struct service, name, service_schema),
};
static const struct argdata_schema dict_schema = ARGDATA_SCHEMA(dict_fields, 0);

/* {name: {cmd: cmd[, port: port]}, ...} for each name, read as a dict. */
static int
read_dict(const char *const *names, size_t n, bool port, struct dict *x,
    char *msg)
{
	struct input in;
	struct dict x2;

	begin_input();
	argdata_encode_map_begin(typed_enc);
	for (size_t i = 0; i < n; i++) {
		key(names[i]);
		argdata_encode_map_begin(typed_enc);
		key("cmd");
		argdata_encode_str_c(typed_enc, names[i]);
		if (port) {
			key("port");
			argdata_encode_int_s(typed_enc, (intmax_t)i);
		}
		argdata_encode_end(typed_enc);
	}
	argdata_encode_end(typed_enc);
	end_input(&in);
	return read_both(&in, &dict_schema, x, &x2, msg, 256);
}

/* The same with keys and their lengths. */
struct named_service {
	struct argdata_str name;
	const char *cmd;
};

static const struct argdata_field named_fields[] = {
    ARGDATA_KEY(struct named_service, cmd, "cmd", ARGDATA_REQUIRED),
};
static const struct argdata_schema named_schema =
    ARGDATA_SCHEMA(named_fields, ARGDATA_IGNORE_UNKNOWN);

struct named_dict {
	struct named_service s[4];
	size_t n;
};

static const struct argdata_field named_dict_fields[] = {
    ARGDATA_OTHER_KEYS(struct named_dict, s, n, struct named_service, name,
        named_schema),
};
static const struct argdata_schema named_dict_schema =
    ARGDATA_SCHEMA(named_dict_fields, 0);

static void
test_argdata_read_map__dict_key_lengths(void **state)
{
	struct input in;
	struct named_dict x, x2;
	char msg[256];

	(void)state;
	begin_input();
	argdata_encode_map_begin(typed_enc);
	key("web");
	argdata_encode_map_begin(typed_enc);
	key("cmd");
	argdata_encode_str_c(typed_enc, "httpd");
	argdata_encode_end(typed_enc);
	/* Not plain ASCII: the longer way, the same result. */
	key("caf\xc3\xa9");
	argdata_encode_map_begin(typed_enc);
	key("port");
	argdata_encode_int_s(typed_enc, 1);
	key("cmd");
	argdata_encode_str_c(typed_enc, "x");
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	assert_int_equal(
	    read_both(&in, &named_dict_schema, &x, &x2, msg, sizeof(msg)), 0);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.s[0].name.len, 3);
	assert_memory_equal(x.s[0].name.str, "web", 4);
	assert_int_equal(x.s[1].name.len, 5);
	assert_string_equal(x.s[1].cmd, "x");
}

static void
test_argdata_read_map__dict(void **state)
{
	static const char *const names[] = {"web", "db", "caf\xc3\xa9", "x"};
	struct dict x;
	char msg[256];

	(void)state;
	/* In order and complete, then missing the ports (defaults). */
	assert_int_equal(read_dict(names, 2, true, &x, msg), 0);
	assert_int_equal(x.n, 2);
	assert_string_equal(x.s[1].name, "db");
	assert_string_equal(x.s[1].cmd, "db");
	assert_int_equal(x.s[1].port, 1);
	assert_int_equal(read_dict(names, 2, false, &x, msg), 0);
	assert_int_equal(x.s[1].port, 0);
	/* A key that is not ASCII, then one too many. */
	assert_int_equal(read_dict(names, 3, true, &x, msg), 0);
	assert_string_equal(x.s[2].name, "caf\xc3\xa9");
	assert_int_equal(read_dict(names, 4, true, &x, msg), EINVAL);
	assert_string_equal(msg, "x: more than 3 keys besides those named");
	assert_int_equal(read_dict(names, 0, true, &x, msg), 0);
	assert_int_equal(x.n, 0);
}

struct fds {
	int sock, dir, file;
};

static void
read_fds(const struct argdata_field *fields, size_t n, int sock, int dir,
    int file, int error, const char *msg)
{
	const struct argdata_schema schema = {fields, n, 0};
	struct input in;
	struct fds x, x2;
	char got[256];

	begin_input();
	argdata_encode_map_begin(typed_enc);
	key("sock");
	argdata_encode_fd(typed_enc, sock);
	key("dir");
	argdata_encode_fd(typed_enc, dir);
	key("file");
	argdata_encode_fd(typed_enc, file);
	argdata_encode_end(typed_enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &schema, &x, &x2, got, sizeof(got)),
	    error);
	assert_string_equal(got, msg);
	if (error == 0) {
		assert_int_equal(x.sock, sock);
		assert_int_equal(x.dir, dir);
		assert_int_equal(x.file, file);
	}
}

static void
test_argdata_read_map__fd_kinds(void **state)
{
	static const struct argdata_field fields[] = {
	    ARGDATA_KEY_FD(struct fds, sock, "sock",
	        ARGDATA_REQUIRED | ARGDATA_FD_LISTENING),
	    ARGDATA_KEY_FD(struct fds, dir, "dir", ARGDATA_FD_DIRECTORY),
	    ARGDATA_KEY_FD(struct fds, file, "file",
	        ARGDATA_FD_REGULAR | ARGDATA_FD_WRITABLE),
	};
	int listening, connected[2], dir, rw, ro;
	char path[64];

	(void)state;
	listening = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(listening >= 0);
	/* An abstract address of the kernel's choosing (autobind). */
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	assert_int_equal(
	    bind(listening, (struct sockaddr *)&sun, sizeof(sa_family_t)), 0);
	assert_int_equal(listen(listening, 1), 0);
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, connected), 0);
	dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rw = memfd_create("typed", MFD_CLOEXEC);
	assert_true(dir >= 0 && rw >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rw);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(ro >= 0);

	read_fds(fields, 3, listening, dir, rw, 0, "");
	read_fds(fields, 3, connected[0], dir, rw, EINVAL,
	    "sock: expected a listening stream socket, found a stream "
	    "socket that is not");
	read_fds(fields, 3, rw, dir, rw, EINVAL,
	    "sock: expected a listening stream socket, found a regular file");
	read_fds(fields, 3, listening, rw, rw, EINVAL,
	    "dir: expected a directory, found a regular file");
	read_fds(fields, 3, listening, dir, dir, EINVAL,
	    "file: expected a regular file, found a directory");
	read_fds(fields, 3, listening, dir, ro, EINVAL,
	    "file: expected a descriptor open for writing, found one that "
	    "is not");

	close(listening);
	close(connected[0]);
	close(connected[1]);
	close(dir);
	close(rw);
	close(ro);
}

struct strs {
	const char *s;
	struct argdata_bytes b;
	struct argdata_str sl;
};

static void
test_argdata_read_map__strings(void **state)
{
	static const struct argdata_field fields[] = {
	    ARGDATA_KEY(struct strs, s, "s", 0),
	    ARGDATA_KEY(struct strs, b, "b", 0),
	    ARGDATA_KEY(struct strs, sl, "sl", 0, .def_str = "dflt"),
	};
	static const struct argdata_schema schema = ARGDATA_SCHEMA(fields, 0);
	/* {"s": "a\0b"}, {"s": "\xff"}, {"s": str without NUL}. */
	static const uint8_t nul[] = {0x06, 0x83, 0x08, 's', 0x00, 0x85, 0x08,
	    'a', 0x00, 'b', 0x00};
	static const uint8_t bad[] = {0x06, 0x83, 0x08, 's', 0x00, 0x83, 0x08,
	    0xff, 0x00};
	static const uint8_t open_end[] = {0x06, 0x83, 0x08, 's', 0x00, 0x82,
	    0x08, 'a'};
	struct strs x;
	char msg[256];
	argdata_t *ad;

	(void)state;
	ad = argdata_from_buffer(nul, sizeof(nul), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &schema, &x, msg, 256), EILSEQ);
	assert_string_equal(msg,
	    "s: string is not valid UTF-8 or holds a NUL byte");
	argdata_free(ad);
	ad = argdata_from_buffer(bad, sizeof(bad), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &schema, &x, msg, 256), EILSEQ);
	argdata_free(ad);
	ad = argdata_from_buffer(open_end, sizeof(open_end), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &schema, &x, msg, 256), EINVAL);
	assert_string_equal(msg, "s: corrupt string");
	argdata_free(ad);

	/* With its length: NUL bytes allowed, UTF-8 checked, a default. */
	static const uint8_t sl_nul[] = {0x06, 0x84, 0x08, 's', 'l', 0x00, 0x86,
	    0x08, 'a', 0x00, 0xc3, 0xa9, 0x00};
	static const uint8_t sl_bad[] = {0x06, 0x84, 0x08, 's', 'l', 0x00, 0x83,
	    0x08, 0xc3, 0x00};
	ad = argdata_from_buffer(sl_nul, sizeof(sl_nul), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &schema, &x, msg, 256), 0);
	assert_int_equal(x.sl.len, 4);
	assert_memory_equal(x.sl.str, "a\0\xc3\xa9", 5);
	argdata_free(ad);
	ad = argdata_from_buffer(sl_bad, sizeof(sl_bad), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &schema, &x, msg, 256), EILSEQ);
	assert_string_equal(msg, "sl: string is not valid UTF-8");
	argdata_free(ad);
	ad = argdata_from_buffer(BYTES(0x06), NULL, NULL);
	assert_int_equal(argdata_read_map(ad, &schema, &x, msg, 256), 0);
	assert_string_equal(x.sl.str, "dflt");
	assert_int_equal(x.sl.len, 4);
	argdata_free(ad);
}

/* A schema that holds itself: read only as deep as the limit. */
static const struct argdata_schema loop;
static const struct argdata_field loop_fields[] = {
    {.key = "x", .type = ARGDATA_FIELD_MAP, .nested = &loop},
};
static const struct argdata_schema loop = ARGDATA_SCHEMA(loop_fields, 0);

static void
test_argdata_read_map__schema_mistakes(void **state)
{
	static const struct argdata_field bad_size[] = {
	    {.key = "x", .type = ARGDATA_FIELD_INT, .size = 3},
	};
	static const struct argdata_field no_nested[] = {
	    {.key = "x", .type = ARGDATA_FIELD_MAP},
	};
	static const struct argdata_schema s1 = ARGDATA_SCHEMA(bad_size, 0);
	static const struct argdata_schema s2 = ARGDATA_SCHEMA(no_nested, 0);
	uint8_t out[64];
	char msg[256];

	(void)state;
	assert_int_equal(
	    argdata_read_map(&argdata_null, &s1, out, msg, sizeof(msg)),
	    EINVAL);
	assert_string_equal(msg, "schema: field x is not well-formed");
	assert_int_equal(
	    argdata_read_map(&argdata_null, &s2, out, msg, sizeof(msg)),
	    EINVAL);
	/* Data nested as deep as the schema allows, and one level more. */
	for (int levels = 32; levels <= 40; levels += 8) {
		struct input in;
		argdata_t *ad;

		begin_input();
		for (int i = 0; i < levels; i++) {
			argdata_encode_map_begin(typed_enc);
			key("x");
		}
		argdata_encode_map_begin(typed_enc);
		for (int i = 0; i <= levels; i++)
			argdata_encode_end(typed_enc);
		end_input(&in);
		ad = argdata_from_buffer(in.data, in.len, NULL, NULL);
		assert_non_null(ad);
		/* The innermost map lacks x: its default recurses on. */
		assert_int_equal(
		    argdata_read_map(ad, &loop, out, msg, sizeof(msg)), EINVAL);
		assert_non_null(strstr(msg, "nested too deep"));
		argdata_free(ad);
	}
	/* No buffer, or one byte of it. */
	assert_int_equal(argdata_read_map(&argdata_null, &s1, out, NULL, 0),
	    EINVAL);
	msg[0] = 'x';
	assert_int_equal(argdata_read_map(&argdata_null, &s1, out, msg, 1),
	    EINVAL);
	assert_int_equal(msg[0], '\0');
}

int
run_typed_field_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_read_map__integer_ranges),
	    TEST_CASE(test_argdata_read_map__long_integers),
	    TEST_CASE(test_argdata_read_map__other_keys),
	    TEST_CASE(test_argdata_read_map__dict),
	    TEST_CASE(test_argdata_read_map__dict_key_lengths),
	    TEST_CASE(test_argdata_read_map__fd_kinds),
	    TEST_CASE(test_argdata_read_map__strings),
	    TEST_CASE(test_argdata_read_map__schema_mistakes),
	};

	return cmocka_run_group_tests_name("typed_fields", tests, NULL,
	    typed_teardown);
}
