/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Typed extraction, argdata_read_map(): every field type in one map,
 * defaults, the messages that name the path, unknown keys, descriptors
 * refused, messages cut short, and hostile bytes. Each input is read
 * twice: encoded, and rebuilt as a tree in memory, which must give the
 * same results (typed_input.h). typed_fields.c has the rest.
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

struct worker {
	const char *name;
	uint16_t port;
	int8_t nice;
	bool enabled;
};

static const struct argdata_field worker_fields[] = {
    ARGDATA_KEY(struct worker, name, "name", ARGDATA_REQUIRED),
    ARGDATA_KEY(struct worker, port, "port", 0, .def_int = 8080),
    ARGDATA_KEY(struct worker, nice, "nice", 0, .def_int = -5),
    ARGDATA_KEY(struct worker, enabled, "enabled", 0, .def_int = 1),
};
static const struct argdata_schema worker_schema =
    ARGDATA_SCHEMA(worker_fields, 0);

struct db {
	const char *host;
	uint32_t timeout;
};

static const struct argdata_field db_fields[] = {
    ARGDATA_KEY(struct db, host, "host", 0, .def_str = "localhost"),
    ARGDATA_KEY(struct db, timeout, "timeout", 0, .def_int = 30),
};
static const struct argdata_schema db_schema = ARGDATA_SCHEMA(db_fields, 0);

struct cfg {
	int listen;
	int64_t big;
	uint64_t ubig;
	double ratio;
	struct argdata_bytes blob;
	struct timespec start;
	struct db db;
	struct worker workers[4];
	size_t nworkers;
	int32_t ints[3];
	size_t nints;
	int logs[2];
	size_t nlogs;
	size_t seen;
};

static int
count_each(const argdata_t *element, size_t index, void *out, void *arg)
{
	struct cfg *c = out;
	intmax_t v;

	(void)arg;
	if (argdata_get_int_s(element, &v, 0, 100) != 0)
		return EDOM;
	c->seen += index + 1;
	return 0;
}

static const struct argdata_field cfg_fields[] = {
    ARGDATA_KEY_FD(struct cfg, listen, "listen", ARGDATA_REQUIRED),
    ARGDATA_KEY(struct cfg, big, "big", 0, .def_int = -1),
    ARGDATA_KEY(struct cfg, ubig, "ubig", 0),
    ARGDATA_KEY(struct cfg, ratio, "ratio", 0, .def_float = 0.5),
    ARGDATA_KEY(struct cfg, blob, "blob", 0),
    ARGDATA_KEY_TIMESTAMP(struct cfg, start, "start", 0),
    ARGDATA_KEY_MAP(struct cfg, db, "db", db_schema, 0),
    ARGDATA_KEY_ARRAY_OF_MAPS(struct cfg, workers, nworkers, "workers",
        worker_schema, 0),
    ARGDATA_KEY_ARRAY(struct cfg, ints, nints, "ints", 0),
    ARGDATA_KEY_ARRAY_OF_FDS(struct cfg, logs, nlogs, "logs", 0),
    ARGDATA_KEY_EACH("each", count_each, NULL, 0),
};
static const struct argdata_schema cfg_schema = ARGDATA_SCHEMA(cfg_fields, 0);

/* A complete configuration, listen first, the rest as given. */
static void
cfg_begin(int listen)
{
	begin_input();
	argdata_encode_map_begin(typed_enc);
	key("listen");
	argdata_encode_fd(typed_enc, listen);
}

static void
test_argdata_read_map__all_types(void **state)
{
	struct cfg c, c2;
	struct input in;
	struct timespec ts = {1700000000, 5};
	char msg[256];

	(void)state;
	cfg_begin(1);
	key("big");
	argdata_encode_int_s(typed_enc, INT64_MIN);
	key("ubig");
	argdata_encode_int_u(typed_enc, UINT64_MAX);
	key("ratio");
	argdata_encode_float(typed_enc, 2.25);
	key("blob");
	argdata_encode_binary(typed_enc, "\x00\x01", 2);
	key("start");
	argdata_encode_timestamp(typed_enc, &ts);
	key("db");
	argdata_encode_map_begin(typed_enc);
	key("timeout");
	argdata_encode_int_u(typed_enc, 4000000000u);
	key("host");
	argdata_encode_str_c(typed_enc, "db.example");
	argdata_encode_end(typed_enc);
	key("workers");
	argdata_encode_seq_begin(typed_enc);
	for (int i = 0; i < 2; i++) {
		argdata_encode_map_begin(typed_enc);
		key("name");
		argdata_encode_str_c(typed_enc, i ? "b\xc3\xa9" : "a");
		key("port");
		argdata_encode_int_s(typed_enc, 65535 - i);
		argdata_encode_end(typed_enc);
	}
	argdata_encode_end(typed_enc);
	key("ints");
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_int_s(typed_enc, INT32_MIN);
	argdata_encode_int_s(typed_enc, INT32_MAX);
	argdata_encode_end(typed_enc);
	key("logs");
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_fd(typed_enc, 2);
	argdata_encode_fd(typed_enc, 1);
	argdata_encode_end(typed_enc);
	key("each");
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_int_s(typed_enc, 1);
	argdata_encode_int_s(typed_enc, 2);
	argdata_encode_int_s(typed_enc, 3);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);

	memset(&c, 0xa5, sizeof(c));
	memset(&c2, 0xa5, sizeof(c2));
	c.seen = c2.seen = 0;
	assert_int_equal(read_both(&in, &cfg_schema, &c, &c2, msg, sizeof(msg)),
	    0);
	assert_string_equal(msg, "");
	/*
	 * Strings of the tree point into its values, which read_both has
	 * freed: only the encoded read's are checked.
	 */
	assert_memory_equal(c.blob.data, "\x00\x01", 2);
	assert_string_equal(c.db.host, "db.example");
	assert_string_equal(c.workers[0].name, "a");
	assert_string_equal(c.workers[1].name, "b\xc3\xa9");
	for (int pass = 0; pass < 2; pass++) {
		const struct cfg *x = pass ? &c2 : &c;

		assert_int_equal(x->listen, 1);
		assert_true(x->big == INT64_MIN);
		assert_true(x->ubig == UINT64_MAX);
		assert_true(x->ratio == 2.25);
		assert_int_equal(x->blob.len, 2);
		assert_int_equal(x->start.tv_sec, 1700000000);
		assert_int_equal(x->start.tv_nsec, 5);
		assert_int_equal(x->db.timeout, 4000000000u);
		assert_int_equal(x->nworkers, 2);
		assert_int_equal(x->workers[0].port, 65535);
		assert_int_equal(x->workers[1].port, 65534);
		assert_int_equal(x->workers[1].nice, -5);
		assert_true(x->workers[1].enabled);
		assert_int_equal(x->nints, 2);
		assert_int_equal(x->ints[0], INT32_MIN);
		assert_int_equal(x->ints[1], INT32_MAX);
		assert_int_equal(x->nlogs, 2);
		assert_int_equal(x->logs[0], 2);
		assert_int_equal(x->logs[1], 1);
		assert_int_equal(x->seen, 1 + 2 + 3);
	}
}

static void
test_argdata_read_map__defaults(void **state)
{
	struct cfg c, c2;
	struct input in;
	char msg[256];

	(void)state;
	cfg_begin(0);
	argdata_encode_end(typed_enc);
	end_input(&in);
	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(read_both(&in, &cfg_schema, &c, &c2, msg, sizeof(msg)),
	    0);
	assert_int_equal(c.listen, 0);
	assert_int_equal(c.big, -1);
	assert_true(c.ubig == 0);
	assert_true(c.ratio == 0.5);
	assert_int_equal(c.blob.len, 0);
	assert_int_equal(c.start.tv_sec, 0);
	assert_string_equal(c.db.host, "localhost");
	assert_int_equal(c.db.timeout, 30);
	assert_int_equal(c.nworkers, 0);
	assert_int_equal(c.nints, 0);
	assert_int_equal(c.nlogs, 0);
}

/* Reads in with cfg_schema and checks the error and message. */
static void
expect_error(const struct input *in, const struct argdata_schema *schema,
    int error, const char *msg)
{
	struct cfg c, c2;
	char got[256];

	assert_int_equal(read_both(in, schema, &c, &c2, got, sizeof(got)),
	    error);
	assert_string_equal(got, msg);
}

static void
test_argdata_read_map__path_in_errors(void **state)
{
	struct input in;

	(void)state;
	cfg_begin(1);
	key("workers");
	argdata_encode_seq_begin(typed_enc);
	for (int i = 0; i < 4; i++) {
		argdata_encode_map_begin(typed_enc);
		key("name");
		argdata_encode_str_c(typed_enc, "w");
		key("port");
		if (i == 3)
			argdata_encode_str_c(typed_enc, "80");
		else
			argdata_encode_int_s(typed_enc, 80);
		argdata_encode_end(typed_enc);
	}
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL,
	    "workers[3].port: expected an int, found a str");

	/* A required key that is missing, at the top and nested. */
	begin_input();
	argdata_encode_map_begin(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "listen: missing");
	cfg_begin(1);
	key("workers");
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_map_begin(typed_enc);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "workers[0].name: missing");

	/* A misspelt key, a key twice, a key that is not a string. */
	cfg_begin(1);
	key("db");
	argdata_encode_map_begin(typed_enc);
	key("hots");
	argdata_encode_null(typed_enc);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "db.hots: unknown key");
	cfg_begin(1);
	key("listen");
	argdata_encode_fd(typed_enc, 1);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "listen: duplicate key");
	cfg_begin(1);
	argdata_encode_int_s(typed_enc, 1);
	argdata_encode_null(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL,
	    "expected a str as key, found an int");

	/* The top is not a map. */
	begin_input();
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "expected a map, found a seq");

	/* Too many elements; a callback that refuses. */
	cfg_begin(1);
	key("ints");
	argdata_encode_seq_begin(typed_enc);
	for (int i = 0; i < 4; i++)
		argdata_encode_int_s(typed_enc, i);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "ints: more than 3 elements");
	cfg_begin(1);
	key("each");
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_int_s(typed_enc, 1);
	argdata_encode_int_s(typed_enc, 1000);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EDOM,
	    "each[1]: rejected by the program (error 33)");

	/* Unprintable bytes of keys do not reach the message. */
	cfg_begin(1);
	key("a\x1b[2J\xc3\xa9");
	argdata_encode_null(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "a?[2J??: unknown key");
}

static void
test_argdata_read_map__ignore_unknown(void **state)
{
	static const struct argdata_schema lax =
	    ARGDATA_SCHEMA(db_fields, ARGDATA_IGNORE_UNKNOWN);
	struct input in;
	struct db d, d2;
	char msg[64];

	(void)state;
	begin_input();
	argdata_encode_map_begin(typed_enc);
	key("lisen");
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_end(typed_enc);
	key("host");
	argdata_encode_str_c(typed_enc, "h");
	argdata_encode_end(typed_enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &lax, &d, &d2, msg, sizeof(msg)), 0);
	assert_string_equal(d.host, "h");
	assert_int_equal(read_both(&in, &db_schema, &d, &d2, msg, sizeof(msg)),
	    EINVAL);
	assert_string_equal(msg, "lisen: unknown key");
}

static void
test_argdata_read_map__fd_unavailable(void **state)
{
	/* {"listen": fd 0} with descriptors refused. */
	static const uint8_t buf[] = {0x06, 0x88, 0x08, 'l', 'i', 's', 't', 'e',
	    'n', 0x00, 0x85, 0x03, 0, 0, 0, 0};
	struct cfg c;
	char msg[256];
	argdata_t *ad = argdata_from_buffer(buf, sizeof(buf), NULL, NULL);

	(void)state;
	assert_non_null(ad);
	assert_int_equal(
	    argdata_read_map(ad, &cfg_schema, &c, msg, sizeof(msg)), EBADF);
	assert_string_equal(msg, "listen: descriptor 0 is not available");
	argdata_free(ad);
}

static void
test_argdata_read_map__message_truncated(void **state)
{
	struct input in;
	struct cfg c, c2;
	char msg[12];

	(void)state;
	begin_input();
	argdata_encode_map_begin(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &cfg_schema, &c, &c2, msg, sizeof(msg)),
	    EINVAL);
	assert_string_equal(msg, "listen: mis");
}

/*
 * Hostile bytes: every truncation and every single-byte change of a
 * valid configuration, read from a buffer fenced by inaccessible pages.
 * Nothing may crash or read outside it; the result is 0 or an errno
 * value, with a message when it is not 0.
 */
static void
test_argdata_read_map__hostile_bytes(void **state)
{
	struct input in;
	uint8_t *copy;
	struct cfg c;
	char msg[256];

	(void)state;
	cfg_begin(1);
	key("workers");
	argdata_encode_seq_begin(typed_enc);
	argdata_encode_map_begin(typed_enc);
	key("name");
	argdata_encode_str_c(typed_enc, "w");
	key("port");
	argdata_encode_int_s(typed_enc, 300);
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	key("db");
	argdata_encode_map_begin(typed_enc);
	key("host");
	argdata_encode_str_c(typed_enc, "h");
	argdata_encode_end(typed_enc);
	argdata_encode_end(typed_enc);
	end_input(&in);
	copy = malloc(in.len);
	assert_non_null(copy);
	for (size_t cut = 0; cut <= in.len; cut++) {
		for (size_t at = 0; at <= cut; at++) {
			for (int flip = 0; flip < (at < cut ? 4 : 1); flip++) {
				static const uint8_t xors[] = {0, 0x80, 0x01,
				    0xff};
				struct fenced f;
				argdata_t *ad;
				uint8_t *b;
				int error;

				memcpy(copy, in.data, cut);
				if (at < cut)
					copy[at] ^= xors[flip];
				b = fenced_copy(&f, copy, cut, true);
				ad = argdata_from_buffer(b, cut, convert_table,
				    &in);
				assert_non_null(ad);
				error = argdata_read_map(ad, &cfg_schema, &c,
				    msg, sizeof(msg));
				if (error != 0)
					assert_true(msg[0] != '\0');
				argdata_free(ad);
				fenced_free(&f);
			}
		}
	}
	free(copy);
}

int
run_typed_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_read_map__all_types),
	    TEST_CASE(test_argdata_read_map__defaults),
	    TEST_CASE(test_argdata_read_map__path_in_errors),
	    TEST_CASE(test_argdata_read_map__ignore_unknown),
	    TEST_CASE(test_argdata_read_map__fd_unavailable),
	    TEST_CASE(test_argdata_read_map__message_truncated),
	    TEST_CASE(test_argdata_read_map__hostile_bytes),
	};

	return cmocka_run_group_tests_name("typed", tests, NULL,
	    typed_teardown);
}
