/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The streaming encoder: the same bytes and descriptor table as
 * argdata_serialize() for thousands of random trees, containers long
 * enough to need longer lengths at every depth, the caller's buffer, the
 * sticky errors, and the result handed on as a value.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec_test.h"
#include "testutil.h"

/* Everything a random tree holds, to free it. */
struct forest {
	argdata_t **nodes;
	size_t nnodes, cap;
	void **arrays;
	size_t narrays, acap;
	char *text; /* the bytes strings and binaries are cut from */
};

static argdata_t *
keep(struct forest *f, argdata_t *ad)
{
	assert_non_null(ad);
	if (f->nnodes == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->nodes = realloc(f->nodes, f->cap * sizeof(*f->nodes));
		assert_non_null(f->nodes);
	}
	f->nodes[f->nnodes++] = ad;
	return ad;
}

static void *
keep_array(struct forest *f, size_t n)
{
	void *a = calloc(n ? n : 1, sizeof(argdata_t *));

	assert_non_null(a);
	if (f->narrays == f->acap) {
		f->acap = f->acap ? 2 * f->acap : 64;
		f->arrays = realloc(f->arrays, f->acap * sizeof(*f->arrays));
		assert_non_null(f->arrays);
	}
	f->arrays[f->narrays++] = a;
	return a;
}

static void
forest_free(struct forest *f)
{
	for (size_t i = 0; i < f->nnodes; i++)
		argdata_free(f->nodes[i]);
	for (size_t i = 0; i < f->narrays; i++)
		free(f->arrays[i]);
	free(f->nodes);
	free(f->arrays);
	memset(f, 0, sizeof(*f));
}

static const char text[] =
    "The quick brown fox jumps over the lazy dog; \xc3\xa9t\xc3\xa9 "
    "\xe2\x82\xac 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOP"
    "QRSTUVWXYZ the end of a long line that makes strings longer than one"
    " hundred and twenty-seven bytes, so that containers need two bytes";

/* A cut of text that is valid UTF-8: whole characters only. */
static size_t
cut(uint64_t *rng, size_t *len)
{
	size_t n = sizeof(text) - 1, start, end;

	start = rng_below(rng, n);
	end = start + rng_below(rng, n - start + 1);
	while (start < n && ((unsigned char)text[start] & 0xc0) == 0x80)
		start++;
	while (end < n && ((unsigned char)text[end] & 0xc0) == 0x80)
		end++;
	if (end < start)
		end = start;
	*len = end - start;
	return start;
}

/*
 * Makes a random value with the constructors and writes the same value
 * with the encoder. Recursion is bounded by depth (tests only).
 */
static argdata_t *
random_value(struct forest *f, argdata_encoder_t *e, uint64_t *rng,
    unsigned depth)
{
	unsigned kind = (unsigned)rng_below(rng, depth > 0 ? 12 : 10);
	size_t off, len;

	switch (kind) {
	case 0:
		assert_int_equal(argdata_encode_null(e), 0);
		return (argdata_t *)&argdata_null;
	case 1: {
		bool b = rng_below(rng, 2);
		assert_int_equal(argdata_encode_bool(e, b), 0);
		return (argdata_t *)(b ? &argdata_true : &argdata_false);
	}
	case 2: {
		/* Bit lengths spread evenly, either sign. */
		unsigned bits = (unsigned)rng_below(rng, 65);
		uint64_t u = bits == 64
		    ? rng_next(rng)
		    : rng_next(rng) & ((UINT64_C(1) << bits) - 1);
		if (rng_below(rng, 2)) {
			assert_int_equal(argdata_encode_int_u(e, u), 0);
			return keep(f, argdata_create_int_u(u));
		}
		assert_int_equal(argdata_encode_int_s(e, (intmax_t)u), 0);
		return keep(f, argdata_create_int_s((intmax_t)u));
	}
	case 3: {
		uint64_t bits = rng_next(rng);
		double d;
		memcpy(&d, &bits, sizeof(d));
		assert_int_equal(argdata_encode_float(e, d), 0);
		return keep(f, argdata_create_float(d));
	}
	case 4:
		off = cut(rng, &len);
		assert_int_equal(argdata_encode_str(e, text + off, len), 0);
		return keep(f, argdata_create_str(text + off, len));
	case 5:
		off = cut(rng, &len);
		assert_int_equal(argdata_encode_binary(e, text + off, len), 0);
		return keep(f, argdata_create_binary(text + off, len));
	case 6: {
		struct timespec ts = {(time_t)(rng_next(rng) >> 2) *
		        (rng_below(rng, 2) ? 1 : -1),
		    (long)rng_below(rng, 1000000000)};
		assert_int_equal(argdata_encode_timestamp(e, &ts), 0);
		return keep(f, argdata_create_timestamp(&ts));
	}
	case 7:
	case 8: {
		/* Mostly a few small descriptors, repeated; some large. */
		int fd = rng_below(rng, 8) == 0
		    ? (int)rng_below(rng, (uint64_t)INT32_MAX + 1)
		    : (int)rng_below(rng, 12);
		assert_int_equal(argdata_encode_fd(e, fd), 0);
		return keep(f, argdata_create_fd(fd));
	}
	case 9: {
		const char *s = "key";
		assert_int_equal(argdata_encode_str_c(e, s), 0);
		return keep(f, argdata_create_str_c(s));
	}
	case 10: {
		size_t n = rng_below(rng, 9);
		const argdata_t **a = keep_array(f, n);
		assert_int_equal(argdata_encode_seq_begin(e), 0);
		for (size_t i = 0; i < n; i++)
			a[i] = random_value(f, e, rng, depth - 1);
		assert_int_equal(argdata_encode_end(e), 0);
		return keep(f, argdata_create_seq(a, n));
	}
	default: {
		size_t n = rng_below(rng, 6);
		const argdata_t **k = keep_array(f, n), **v = keep_array(f, n);
		assert_int_equal(argdata_encode_map_begin(e), 0);
		for (size_t i = 0; i < n; i++) {
			k[i] = random_value(f, e, rng, depth - 1);
			v[i] = random_value(f, e, rng, depth - 1);
		}
		assert_int_equal(argdata_encode_end(e), 0);
		return keep(f, argdata_create_map(k, v, n));
	}
	}
}

/* Checks that the encoder's result is what serialize makes of root. */
static void
expect_same(const argdata_t *root, argdata_encoder_t *e)
{
	const void *data;
	const int *efds;
	size_t len, nfds, elen, enfds, n;
	uint8_t *buf;
	int *fds;

	argdata_serialized_length(root, &len, &nfds);
	buf = malloc(len ? len : 1);
	fds = malloc((nfds ? nfds : 1) * sizeof(*fds));
	assert_non_null(buf);
	assert_non_null(fds);
	n = argdata_serialize(root, buf, fds);
	assert_int_equal(argdata_encoder_finish(e, &data, &elen, &efds, &enfds),
	    0);
	assert_int_equal(elen, len);
	if (memcmp(data, buf, len) != 0)
		fail_msg("encoder %s", hex(data, len < 64 ? len : 64));
	assert_int_equal(enfds, n);
	assert_memory_equal(efds, fds, n * sizeof(*fds));
	free(buf);
	free(fds);
}

static void
test_argdata_encoder_finish__same_bytes_as_serialize(void **state)
{
	uint64_t rng = 0x5eed;
	argdata_encoder_t *e = argdata_encoder_create();

	(void)state;
	assert_non_null(e);
	for (int i = 0; i < 5000; i++) {
		struct forest f = {0};
		argdata_t *root;

		argdata_encoder_reset(e);
		root = random_value(&f, e, &rng, (unsigned)rng_below(&rng, 7));
		expect_same(root, e);
		forest_free(&f);
	}
	argdata_encoder_free(e);
}

/*
 * A chain of sequences each holding the next and a long string: every
 * level needs a longer length than the byte reserved, at every depth.
 */
static void
test_argdata_encoder_finish__deep_long_containers(void **state)
{
	enum { DEPTH = 20000 };
	struct forest f = {0};
	argdata_encoder_t *e = argdata_encoder_create();
	argdata_t *inner;
	argdata_t *s = keep(&f, argdata_create_str_c(text));
	const argdata_t **a = keep_array(&f, 2 * DEPTH);

	(void)state;
	assert_non_null(e);
	for (int i = 0; i < DEPTH; i++) {
		assert_int_equal(argdata_encode_seq_begin(e), 0);
		assert_int_equal(argdata_encode_str_c(e, text), 0);
	}
	assert_int_equal(argdata_encode_int_s(e, 7), 0);
	for (int i = 0; i < DEPTH; i++)
		assert_int_equal(argdata_encode_end(e), 0);
	inner = keep(&f, argdata_create_int_s(7));
	for (int i = DEPTH; i-- > 0;) {
		a[2 * i] = s;
		a[2 * i + 1] = inner;
		inner = keep(&f, argdata_create_seq(&a[2 * i], 2));
	}
	expect_same(inner, e);
	/* A second finish gives the same. */
	expect_same(inner, e);
	argdata_encoder_free(e);
	forest_free(&f);
}

static void
test_argdata_encoder_create_buffer__fits_and_enobufs(void **state)
{
	uint8_t buf[64];
	const void *data;
	size_t len, nfds;
	const int *fds;
	argdata_encoder_t *e = argdata_encoder_create_buffer(buf, 9);

	(void)state;
	assert_non_null(e);
	/* [0, true, "A"] takes 10 bytes. */
	assert_int_equal(argdata_encode_seq_begin(e), 0);
	assert_int_equal(argdata_encode_int_s(e, 0), 0);
	assert_int_equal(argdata_encode_bool(e, true), 0);
	assert_int_equal(argdata_encode_str_c(e, "A"), ENOBUFS);
	assert_int_equal(argdata_encode_end(e), ENOBUFS);
	assert_int_equal(argdata_encoder_finish(e, &data, &len, &fds, &nfds),
	    ENOBUFS);
	argdata_encoder_free(e);

	e = argdata_encoder_create_buffer(buf, 10);
	assert_non_null(e);
	assert_int_equal(argdata_encode_seq_begin(e), 0);
	assert_int_equal(argdata_encode_int_s(e, 0), 0);
	assert_int_equal(argdata_encode_bool(e, true), 0);
	assert_int_equal(argdata_encode_str_c(e, "A"), 0);
	assert_int_equal(argdata_encode_end(e), 0);
	assert_int_equal(argdata_encoder_finish(e, &data, &len, &fds, &nfds),
	    0);
	assert_ptr_equal(data, buf);
	assert_int_equal(nfds, 0);
	assert_int_equal(len, 10);
	assert_memory_equal(buf,
	    ((const uint8_t[]){0x07, 0x81, 0x05, 0x82, 0x02, 0x01, 0x83, 0x08,
	        0x41, 0x00}),
	    10);
	argdata_encoder_free(e);
}

static void
test_argdata_encode_end__out_of_place(void **state)
{
	argdata_encoder_t *e = argdata_encoder_create();
	const void *data;
	size_t len;

	(void)state;
	assert_non_null(e);
	assert_int_equal(argdata_encode_end(e), EINVAL);
	/* Sticky: everything fails the same until reset. */
	assert_int_equal(argdata_encode_int_s(e, 1), EINVAL);
	assert_int_equal(argdata_encoder_finish(e, &data, &len, NULL, NULL),
	    EINVAL);
	argdata_encoder_reset(e);

	/* A map with a key and no value. */
	assert_int_equal(argdata_encode_map_begin(e), 0);
	assert_int_equal(argdata_encode_str_c(e, "k"), 0);
	assert_int_equal(argdata_encode_end(e), EINVAL);
	argdata_encoder_reset(e);

	/* Two values at the top. */
	assert_int_equal(argdata_encode_int_s(e, 1), 0);
	assert_int_equal(argdata_encode_int_s(e, 2), EINVAL);
	argdata_encoder_reset(e);

	/* Finish with a container open. */
	assert_int_equal(argdata_encode_seq_begin(e), 0);
	assert_int_equal(argdata_encoder_finish(e, &data, &len, NULL, NULL),
	    EINVAL);
	argdata_encoder_reset(e);

	/* Nothing: null, the empty encoding. */
	assert_int_equal(argdata_encoder_finish(e, &data, &len, NULL, NULL), 0);
	assert_int_equal(len, 0);
	argdata_encoder_free(e);
	argdata_encoder_free(NULL);
}

static void
test_argdata_encode_str__errors(void **state)
{
	argdata_encoder_t *e = argdata_encoder_create();
	struct timespec bad = {0, 1000000000};

	(void)state;
	assert_non_null(e);
	assert_int_equal(argdata_encode_str(e, "\xff", 1), EILSEQ);
	argdata_encoder_reset(e);
	assert_int_equal(argdata_encode_fd(e, -1), EBADF);
	argdata_encoder_reset(e);
	assert_int_equal(argdata_encode_timestamp(e, &bad), EINVAL);
	argdata_encoder_reset(e);
	/* NUL bytes inside a string are valid, as for argdata_create_str. */
	assert_int_equal(argdata_encode_str(e, "a\0b", 3), 0);
	argdata_encoder_free(e);
}

/*
 * The result as a value: serialized again (as program_spawn and the
 * writer do), it gives the same bytes and descriptors; sent through a
 * writer and a reader, the descriptors arrive.
 */
static void
test_argdata_encoder_value__serializes_the_same(void **state)
{
	argdata_encoder_t *e = argdata_encoder_create();
	int sv[2], fds[2];
	const void *data;
	const int *efds;
	size_t len, nfds, n;
	uint8_t buf[64];
	argdata_t *ad;

	(void)state;
	assert_non_null(e);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
	argdata_encode_map_begin(e);
	argdata_encode_str_c(e, "a");
	argdata_encode_fd(e, sv[1]);
	argdata_encode_str_c(e, "b");
	argdata_encode_fd(e, 2);
	argdata_encode_str_c(e, "c");
	argdata_encode_fd(e, sv[1]);
	argdata_encode_end(e);
	ad = argdata_encoder_value(e);
	assert_non_null(ad);
	assert_int_equal(argdata_encoder_finish(e, &data, &len, &efds, &nfds),
	    0);
	assert_int_equal(nfds, 2);
	assert_int_equal(efds[0], sv[1]);
	assert_int_equal(efds[1], 2);
	argdata_serialized_length(ad, &n, NULL);
	assert_int_equal(n, len);
	assert_int_equal(argdata_serialize(ad, buf, fds), 2);
	assert_memory_equal(buf, data, len);
	assert_memory_equal(fds, efds, sizeof(fds));

	argdata_writer_t *w = argdata_writer_create();
	argdata_reader_t *r = argdata_reader_create(1024, 8);
	assert_non_null(w);
	assert_non_null(r);
	argdata_writer_set(w, ad);
	assert_int_equal(argdata_writer_push(w, sv[0]), 0);
	assert_int_equal(argdata_reader_pull(r, sv[1]), 0);
	assert_non_null(argdata_reader_get(r));
	argdata_serialized_length(argdata_reader_get(r), &n, NULL);
	assert_int_equal(n, len);
	argdata_reader_free(r);
	argdata_writer_free(w);
	argdata_free(ad);
	argdata_encoder_free(e);
	close(sv[0]);
	close(sv[1]);
}

int
run_encoder_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_encoder_finish__same_bytes_as_serialize),
	    TEST_CASE(test_argdata_encoder_finish__deep_long_containers),
	    TEST_CASE(test_argdata_encoder_create_buffer__fits_and_enobufs),
	    TEST_CASE(test_argdata_encode_end__out_of_place),
	    TEST_CASE(test_argdata_encode_str__errors),
	    TEST_CASE(test_argdata_encoder_value__serializes_the_same),
	};

	return cmocka_run_group_tests_name("encoder", tests, NULL, NULL);
}
