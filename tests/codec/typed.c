/*
 * Typed extraction, argdata_read_map(): every field type, defaults, the
 * messages that name the path, integer ranges for each C type, descriptor
 * kinds, schema mistakes, and hostile bytes. Each input is read twice:
 * encoded, and rebuilt as a tree in memory, which must give the same
 * results.
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

/* An encoding and its descriptor table. */
struct input {
	const void *data;
	size_t len;
	const int *fds;
	size_t nfds;
	argdata_encoder_t *e;
};

static int
convert_table(void *arg, size_t number)
{
	const struct input *in = arg;

	return number < in->nfds ? in->fds[number] : -1;
}

static argdata_encoder_t *enc;

static void
begin_input(void)
{
	if (enc == NULL)
		enc = argdata_encoder_create();
	assert_non_null(enc);
	argdata_encoder_reset(enc);
}

static void
end_input(struct input *in)
{
	in->e = enc;
	assert_int_equal(argdata_encoder_finish(enc, &in->data, &in->len,
	    &in->fds, &in->nfds), 0);
}

static void
key(const char *k)
{
	assert_int_equal(argdata_encode_str_c(enc, k), 0);
}

/* The values of a tree rebuilt in memory, to free them. */
struct tree {
	argdata_t *nodes[256];
	const argdata_t *arrays[512];
	size_t nnodes, narrays;
};

static const argdata_t *
tree_keep(struct tree *t, argdata_t *ad)
{
	assert_non_null(ad);
	assert_true(t->nnodes < 256);
	t->nodes[t->nnodes++] = ad;
	return ad;
}

/* Rebuilds the decoded value ad in memory (recursive: tests only). */
static const argdata_t *
to_tree(struct tree *t, const argdata_t *ad)
{
	argdata_type_t type;
	const void *p;
	const char *s;
	size_t len, n = 0;
	intmax_t i;
	uintmax_t u;
	double d;
	bool b;
	int fd;
	struct timespec ts;

	assert_int_equal(argdata_get_type(ad, &type), 0);
	switch (type) {
	case ARGDATA_TYPE_NULL:
		return &argdata_null;
	case ARGDATA_TYPE_BINARY:
		assert_int_equal(argdata_get_binary(ad, &p, &len), 0);
		return tree_keep(t, argdata_create_binary(p, len));
	case ARGDATA_TYPE_BOOL:
		assert_int_equal(argdata_get_bool(ad, &b), 0);
		return b ? &argdata_true : &argdata_false;
	case ARGDATA_TYPE_FD:
		assert_int_equal(argdata_get_fd(ad, &fd), 0);
		return tree_keep(t, argdata_create_fd(fd));
	case ARGDATA_TYPE_FLOAT:
		assert_int_equal(argdata_get_float(ad, &d), 0);
		return tree_keep(t, argdata_create_float(d));
	case ARGDATA_TYPE_INT:
		if (argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX) == 0)
			return tree_keep(t, argdata_create_int_s(i));
		assert_int_equal(argdata_get_int_u(ad, &u, UINTMAX_MAX), 0);
		return tree_keep(t, argdata_create_int_u(u));
	case ARGDATA_TYPE_STR:
		assert_int_equal(argdata_get_str(ad, &s, &len), 0);
		return tree_keep(t, argdata_create_str(s, len));
	case ARGDATA_TYPE_TIMESTAMP:
		assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
		return tree_keep(t, argdata_create_timestamp(&ts));
	case ARGDATA_TYPE_SEQ: {
		argdata_seq_iterator_t it;
		const argdata_t *e, **a = &t->arrays[t->narrays];

		size_t count = 0;

		/* The array first, then what it holds. */
		argdata_seq_iterate(ad, &it);
		while (argdata_seq_get(&it, &e)) {
			count++;
			argdata_seq_next(&it);
		}
		assert_true(t->narrays + count < 512);
		t->narrays += count;
		argdata_seq_iterate(ad, &it);
		while (argdata_seq_get(&it, &e)) {
			a[n++] = to_tree(t, e);
			argdata_seq_next(&it);
		}
		return tree_keep(t, argdata_create_seq(a, n));
	}
	default: {
		argdata_map_iterator_t it;
		const argdata_t *k, *v, **keys = &t->arrays[t->narrays];
		const argdata_t **values;
		size_t count = 0;

		argdata_map_iterate(ad, &it);
		while (argdata_map_get(&it, &k, &v)) {
			count++;
			argdata_map_next(&it);
		}
		values = keys + count;
		assert_true(t->narrays + 2 * count < 512);
		t->narrays += 2 * count;
		argdata_map_iterate(ad, &it);
		while (argdata_map_get(&it, &k, &v)) {
			keys[n] = to_tree(t, k);
			values[n++] = to_tree(t, v);
			argdata_map_next(&it);
		}
		return tree_keep(t, argdata_create_map(keys, values, count));
	}
	}
}

static void
tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->nnodes; i++)
		argdata_free(t->nodes[i]);
}

/*
 * Reads in with schema into out (encoded) and into out2 (rebuilt in
 * memory): both must give the same error and message. Returns the error,
 * the message in msg.
 */
static int
read_both(const struct input *in, const struct argdata_schema *schema,
    void *out, void *out2, char *msg, size_t msglen)
{
	argdata_t *ad = argdata_from_buffer(in->data, in->len, convert_table,
	    (void *)in);
	struct tree t = {.nnodes = 0};
	char msg2[256];
	int error, error2;

	assert_non_null(ad);
	error = argdata_read_map(ad, schema, out, msg, msglen);
	error2 = argdata_read_map(to_tree(&t, ad), schema, out2, msg2,
	    sizeof(msg2));
	assert_int_equal(error, error2);
	/* msg may be shorter: only its part is compared. */
	if (strncmp(msg, msg2, msglen - 1) != 0)
		fail_msg("encoded: %s; in memory: %s", msg, msg2);
	tree_free(&t);
	argdata_free(ad);
	return error;
}

/* A complete configuration, listen first, the rest as given. */
static void
cfg_begin(int listen)
{
	begin_input();
	argdata_encode_map_begin(enc);
	key("listen");
	argdata_encode_fd(enc, listen);
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
	argdata_encode_int_s(enc, INT64_MIN);
	key("ubig");
	argdata_encode_int_u(enc, UINT64_MAX);
	key("ratio");
	argdata_encode_float(enc, 2.25);
	key("blob");
	argdata_encode_binary(enc, "\x00\x01", 2);
	key("start");
	argdata_encode_timestamp(enc, &ts);
	key("db");
	argdata_encode_map_begin(enc);
	key("timeout");
	argdata_encode_int_u(enc, 4000000000u);
	key("host");
	argdata_encode_str_c(enc, "db.example");
	argdata_encode_end(enc);
	key("workers");
	argdata_encode_seq_begin(enc);
	for (int i = 0; i < 2; i++) {
		argdata_encode_map_begin(enc);
		key("name");
		argdata_encode_str_c(enc, i ? "b\xc3\xa9" : "a");
		key("port");
		argdata_encode_int_s(enc, 65535 - i);
		argdata_encode_end(enc);
	}
	argdata_encode_end(enc);
	key("ints");
	argdata_encode_seq_begin(enc);
	argdata_encode_int_s(enc, INT32_MIN);
	argdata_encode_int_s(enc, INT32_MAX);
	argdata_encode_end(enc);
	key("logs");
	argdata_encode_seq_begin(enc);
	argdata_encode_fd(enc, 2);
	argdata_encode_fd(enc, 1);
	argdata_encode_end(enc);
	key("each");
	argdata_encode_seq_begin(enc);
	argdata_encode_int_s(enc, 1);
	argdata_encode_int_s(enc, 2);
	argdata_encode_int_s(enc, 3);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);

	memset(&c, 0xa5, sizeof(c));
	memset(&c2, 0xa5, sizeof(c2));
	c.seen = c2.seen = 0;
	assert_int_equal(read_both(&in, &cfg_schema, &c, &c2, msg,
	    sizeof(msg)), 0);
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
	argdata_encode_end(enc);
	end_input(&in);
	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(read_both(&in, &cfg_schema, &c, &c2, msg,
	    sizeof(msg)), 0);
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
	argdata_encode_seq_begin(enc);
	for (int i = 0; i < 4; i++) {
		argdata_encode_map_begin(enc);
		key("name");
		argdata_encode_str_c(enc, "w");
		key("port");
		if (i == 3)
			argdata_encode_str_c(enc, "80");
		else
			argdata_encode_int_s(enc, 80);
		argdata_encode_end(enc);
	}
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL,
	    "workers[3].port: expected an int, found a str");

	/* A required key that is missing, at the top and nested. */
	begin_input();
	argdata_encode_map_begin(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "listen: missing");
	cfg_begin(1);
	key("workers");
	argdata_encode_seq_begin(enc);
	argdata_encode_map_begin(enc);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "workers[0].name: missing");

	/* A misspelt key, a key twice, a key that is not a string. */
	cfg_begin(1);
	key("db");
	argdata_encode_map_begin(enc);
	key("hots");
	argdata_encode_null(enc);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "db.hots: unknown key");
	cfg_begin(1);
	key("listen");
	argdata_encode_fd(enc, 1);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL, "listen: duplicate key");
	cfg_begin(1);
	argdata_encode_int_s(enc, 1);
	argdata_encode_null(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL,
	    "expected a str as key, found an int");

	/* The top is not a map. */
	begin_input();
	argdata_encode_seq_begin(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL,
	    "expected a map, found a seq");

	/* Too many elements; a callback that refuses. */
	cfg_begin(1);
	key("ints");
	argdata_encode_seq_begin(enc);
	for (int i = 0; i < 4; i++)
		argdata_encode_int_s(enc, i);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EINVAL,
	    "ints: more than 3 elements");
	cfg_begin(1);
	key("each");
	argdata_encode_seq_begin(enc);
	argdata_encode_int_s(enc, 1);
	argdata_encode_int_s(enc, 1000);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	expect_error(&in, &cfg_schema, EDOM,
	    "each[1]: rejected by the program (error 33)");

	/* Unprintable bytes of keys do not reach the message. */
	cfg_begin(1);
	key("a\x1b[2J\xc3\xa9");
	argdata_encode_null(enc);
	argdata_encode_end(enc);
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
	argdata_encode_map_begin(enc);
	key("lisen");
	argdata_encode_seq_begin(enc);
	argdata_encode_end(enc);
	key("host");
	argdata_encode_str_c(enc, "h");
	argdata_encode_end(enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &lax, &d, &d2, msg, sizeof(msg)), 0);
	assert_string_equal(d.host, "h");
	assert_int_equal(read_both(&in, &db_schema, &d, &d2, msg,
	    sizeof(msg)), EINVAL);
	assert_string_equal(msg, "lisen: unknown key");
}

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
static const struct argdata_schema int_schema =
    ARGDATA_SCHEMA(int_fields, 0);

/* Reads {k: v} with int_schema. */
static int
read_one_int(const char *k, bool is_signed, intmax_t s, uintmax_t u,
    struct ints *x, char *msg)
{
	struct input in;
	struct ints x2;

	begin_input();
	argdata_encode_map_begin(enc);
	key(k);
	if (is_signed)
		argdata_encode_int_s(enc, s);
	else
		argdata_encode_int_u(enc, u);
	argdata_encode_end(enc);
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

		assert_int_equal(read_one_int(k, true, types[i].min, 0, &x,
		    msg), 0);
		assert_int_equal(read_one_int(k, false, 0, types[i].max, &x,
		    msg), 0);
		if (types[i].max < UINTMAX_MAX) {
			assert_int_equal(read_one_int(k, false, 0,
			    types[i].max + 1, &x, msg), ERANGE);
			assert_non_null(strstr(msg, "out of range"));
		}
		if (types[i].min > INTMAX_MIN)
			assert_int_equal(read_one_int(k, true,
			    types[i].min - 1, 0, &x, msg), ERANGE);
	}
	assert_int_equal(read_one_int("i8", true, -128, 0, &x, msg), 0);
	assert_int_equal(x.i8, -128);
	assert_int_equal(read_one_int("u16", true, -1, 0, &x, msg), ERANGE);
	assert_string_equal(msg,
	    "u16: -1 is out of range for a 16-bit unsigned integer");
	assert_int_equal(read_one_int("i8", true, 128, 0, &x, msg), ERANGE);
	assert_string_equal(msg,
	    "i8: 128 is out of range for an 8-bit signed integer");
	assert_int_equal(read_one_int("u64", false, 0, UINT64_MAX, &x, msg),
	    0);
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
	argdata_encode_map_begin(enc);
	key("web");
	argdata_encode_map_begin(enc);
	key("cmd");
	argdata_encode_str_c(enc, "httpd");
	key("port");
	argdata_encode_int_s(enc, 80);
	argdata_encode_end(enc);
	key("log");
	argdata_encode_fd(enc, 2);
	key("db");
	argdata_encode_map_begin(enc);
	key("cmd");
	argdata_encode_str_c(enc, "pg");
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &services_schema, &x, &x2, msg,
	    sizeof(msg)), 0);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.log, 2);
	assert_string_equal(x.s[0].name, "web");
	assert_string_equal(x.s[0].cmd, "httpd");
	assert_int_equal(x.s[0].port, 80);
	assert_string_equal(x.s[1].name, "db");
	assert_int_equal(x.s[1].port, 0);

	begin_input();
	argdata_encode_map_begin(enc);
	key("web");
	argdata_encode_map_begin(enc);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &services_schema, &x, &x2, msg,
	    sizeof(msg)), EINVAL);
	assert_string_equal(msg, "web.cmd: missing");

	begin_input();
	argdata_encode_map_begin(enc);
	for (int i = 0; i < 4; i++) {
		char k[2] = {(char)('a' + i), '\0'};
		key(k);
		argdata_encode_map_begin(enc);
		key("cmd");
		argdata_encode_str_c(enc, "x");
		argdata_encode_end(enc);
	}
	argdata_encode_end(enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &services_schema, &x, &x2, msg,
	    sizeof(msg)), EINVAL);
	assert_string_equal(msg, "d: more than 3 keys besides those named");
}

/* Only names the user chose: the schema of one field for other keys. */
struct dict {
	struct service s[3];
	size_t n;
};

static const struct argdata_field dict_fields[] = {
    ARGDATA_OTHER_KEYS(struct dict, s, n, struct service, name,
	service_schema),
};
static const struct argdata_schema dict_schema =
    ARGDATA_SCHEMA(dict_fields, 0);

/* {name: {cmd: cmd[, port: port]}, ...} for each name, read as a dict. */
static int
read_dict(const char *const *names, size_t n, bool port, struct dict *x,
    char *msg)
{
	struct input in;
	struct dict x2;

	begin_input();
	argdata_encode_map_begin(enc);
	for (size_t i = 0; i < n; i++) {
		key(names[i]);
		argdata_encode_map_begin(enc);
		key("cmd");
		argdata_encode_str_c(enc, names[i]);
		if (port) {
			key("port");
			argdata_encode_int_s(enc, (intmax_t)i);
		}
		argdata_encode_end(enc);
	}
	argdata_encode_end(enc);
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
	argdata_encode_map_begin(enc);
	key("web");
	argdata_encode_map_begin(enc);
	key("cmd");
	argdata_encode_str_c(enc, "httpd");
	argdata_encode_end(enc);
	/* Not plain ASCII: the longer way, the same result. */
	key("caf\xc3\xa9");
	argdata_encode_map_begin(enc);
	key("port");
	argdata_encode_int_s(enc, 1);
	key("cmd");
	argdata_encode_str_c(enc, "x");
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &named_dict_schema, &x, &x2, msg,
	    sizeof(msg)), 0);
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
	argdata_encode_map_begin(enc);
	key("sock");
	argdata_encode_fd(enc, sock);
	key("dir");
	argdata_encode_fd(enc, dir);
	key("file");
	argdata_encode_fd(enc, file);
	argdata_encode_end(enc);
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
	assert_int_equal(bind(listening, (struct sockaddr *)&sun,
	    sizeof(sa_family_t)), 0);
	assert_int_equal(listen(listening, 1), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    connected), 0);
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

static void
test_argdata_read_map__fd_unavailable(void **state)
{
	/* {"listen": fd 0} with descriptors refused. */
	static const uint8_t buf[] = {0x06, 0x88, 0x08, 'l', 'i', 's', 't',
	    'e', 'n', 0x00, 0x85, 0x03, 0, 0, 0, 0};
	struct cfg c;
	char msg[256];
	argdata_t *ad = argdata_from_buffer(buf, sizeof(buf), NULL, NULL);

	(void)state;
	assert_non_null(ad);
	assert_int_equal(argdata_read_map(ad, &cfg_schema, &c, msg,
	    sizeof(msg)), EBADF);
	assert_string_equal(msg, "listen: descriptor 0 is not available");
	argdata_free(ad);
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
	static const uint8_t sl_nul[] = {0x06, 0x84, 0x08, 's', 'l', 0x00,
	    0x86, 0x08, 'a', 0x00, 0xc3, 0xa9, 0x00};
	static const uint8_t sl_bad[] = {0x06, 0x84, 0x08, 's', 'l', 0x00,
	    0x83, 0x08, 0xc3, 0x00};
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
	assert_int_equal(argdata_read_map(&argdata_null, &s1, out, msg,
	    sizeof(msg)), EINVAL);
	assert_string_equal(msg, "schema: field x is not well-formed");
	assert_int_equal(argdata_read_map(&argdata_null, &s2, out, msg,
	    sizeof(msg)), EINVAL);
	/* Data nested as deep as the schema allows, and one level more. */
	for (int levels = 32; levels <= 40; levels += 8) {
		struct input in;
		argdata_t *ad;

		begin_input();
		for (int i = 0; i < levels; i++) {
			argdata_encode_map_begin(enc);
			key("x");
		}
		argdata_encode_map_begin(enc);
		for (int i = 0; i <= levels; i++)
			argdata_encode_end(enc);
		end_input(&in);
		ad = argdata_from_buffer(in.data, in.len, NULL, NULL);
		assert_non_null(ad);
		/* The innermost map lacks x: its default recurses on. */
		assert_int_equal(argdata_read_map(ad, &loop, out, msg,
		    sizeof(msg)), EINVAL);
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

static void
test_argdata_read_map__message_truncated(void **state)
{
	struct input in;
	struct cfg c, c2;
	char msg[12];

	(void)state;
	begin_input();
	argdata_encode_map_begin(enc);
	argdata_encode_end(enc);
	end_input(&in);
	assert_int_equal(read_both(&in, &cfg_schema, &c, &c2, msg,
	    sizeof(msg)), EINVAL);
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
	argdata_encode_seq_begin(enc);
	argdata_encode_map_begin(enc);
	key("name");
	argdata_encode_str_c(enc, "w");
	key("port");
	argdata_encode_int_s(enc, 300);
	argdata_encode_end(enc);
	argdata_encode_end(enc);
	key("db");
	argdata_encode_map_begin(enc);
	key("host");
	argdata_encode_str_c(enc, "h");
	argdata_encode_end(enc);
	argdata_encode_end(enc);
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

static int
teardown_encoder(void **state)
{
	(void)state;
	argdata_encoder_free(enc);
	enc = NULL;
	return 0;
}

int
run_typed_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_read_map__all_types),
	    TEST_CASE(test_argdata_read_map__defaults),
	    TEST_CASE(test_argdata_read_map__path_in_errors),
	    TEST_CASE(test_argdata_read_map__ignore_unknown),
	    TEST_CASE(test_argdata_read_map__integer_ranges),
	    TEST_CASE(test_argdata_read_map__long_integers),
	    TEST_CASE(test_argdata_read_map__other_keys),
	    TEST_CASE(test_argdata_read_map__dict),
	    TEST_CASE(test_argdata_read_map__dict_key_lengths),
	    TEST_CASE(test_argdata_read_map__fd_kinds),
	    TEST_CASE(test_argdata_read_map__fd_unavailable),
	    TEST_CASE(test_argdata_read_map__strings),
	    TEST_CASE(test_argdata_read_map__schema_mistakes),
	    TEST_CASE(test_argdata_read_map__message_truncated),
	    TEST_CASE(test_argdata_read_map__hostile_bytes),
	};

	return cmocka_run_group_tests_name("typed", tests, NULL,
	    teardown_encoder);
}
