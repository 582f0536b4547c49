/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Round-trip properties on random trees: build with the constructors next
 * to a model of the intended values, serialize, decode, and check that the
 * decoded tree reads back the same values and serializes to the same bytes.
 * The seed is fixed so that a failure repeats; ARGDATA_TEST_SEED overrides
 * it to explore further.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codec_test.h"
#include "testutil.h"

uint64_t
rng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint64_t
rng_below(uint64_t *state, uint64_t n)
{
	return n == 0 ? 0 : rng_next(state) % n;
}

/* What a node of the random tree holds, besides its argdata value. */
struct node {
	argdata_type_t type;
	argdata_t *ad;
	bool b, is_unsigned;
	int fd;
	double f;
	intmax_t s;
	uintmax_t u;
	struct timespec ts;
	char *bytes;
	size_t len;
	/* Children: a sequence's elements, or a map's keys then values. */
	struct node *kids;
	size_t n;
	const argdata_t **arr;
};

/* Integers near the interesting edges, or of a random width. */
static void
random_int(uint64_t *rng, struct node *nd)
{
	static const intmax_t edges[] = {0, 1, -1, 127, 128, -128, -129, 255,
	    256, 32767, -32768, INTMAX_MAX, INTMAX_MIN, INTMAX_MIN + 1};
	unsigned bits;

	nd->is_unsigned = rng_below(rng, 4) == 0;
	if (rng_below(rng, 3) == 0) {
		nd->s = edges[rng_below(rng, sizeof(edges) / sizeof(edges[0]))];
		nd->u = rng_below(rng, 2) ? UINTMAX_MAX - rng_below(rng, 3)
		                          : (uintmax_t)nd->s;
	} else {
		bits = (unsigned)rng_below(rng, 64);
		nd->u = rng_next(rng) >> (63 - bits) >> 1;
		nd->s = (intmax_t)(nd->u >> 1);
		if (rng_below(rng, 2))
			nd->s = -nd->s - 1;
	}
	nd->ad = nd->is_unsigned ? argdata_create_int_u(nd->u)
	                         : argdata_create_int_s(nd->s);
}

/* Random valid UTF-8 of up to max bytes, code points of every length. */
static size_t
random_utf8(uint64_t *rng, char *out, size_t max)
{
	size_t len = 0;
	uint32_t c;

	while (len + 4 <= max && rng_below(rng, 8) != 0) {
		switch (rng_below(rng, 4)) {
		case 0:
			c = 1 + (uint32_t)rng_below(rng, 0x7f);
			break;
		case 1:
			c = 0x80 + (uint32_t)rng_below(rng, 0x780);
			break;
		case 2:
			c = 0x800 + (uint32_t)rng_below(rng, 0xf800);
			if (c >= 0xd800 && c <= 0xdfff)
				c -= 0x800;
			break;
		default:
			c = 0x10000 + (uint32_t)rng_below(rng, 0x100000);
			break;
		}
		if (c < 0x80) {
			out[len++] = (char)c;
		} else if (c < 0x800) {
			out[len++] = (char)(0xc0 | c >> 6);
			out[len++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[len++] = (char)(0xe0 | c >> 12);
			out[len++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[len++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[len++] = (char)(0xf0 | c >> 18);
			out[len++] = (char)(0x80 | (c >> 12 & 0x3f));
			out[len++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[len++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[len] = '\0';
	return len;
}

static void
random_node(uint64_t *rng, struct node *nd, int depth)
{
	size_t i, max;
	uint64_t bits;

	static const argdata_type_t leaves[] = {ARGDATA_TYPE_NULL,
	    ARGDATA_TYPE_BINARY, ARGDATA_TYPE_BOOL, ARGDATA_TYPE_FD,
	    ARGDATA_TYPE_FLOAT, ARGDATA_TYPE_INT, ARGDATA_TYPE_STR,
	    ARGDATA_TYPE_TIMESTAMP};

	memset(nd, 0, sizeof(*nd));
	if (depth > 0 && rng_below(rng, 2) == 0)
		nd->type =
		    rng_below(rng, 2) ? ARGDATA_TYPE_MAP : ARGDATA_TYPE_SEQ;
	else
		nd->type = leaves[rng_below(rng, 8)];
	switch (nd->type) {
	case ARGDATA_TYPE_NULL:
		nd->ad = (argdata_t *)&argdata_null;
		break;
	case ARGDATA_TYPE_BINARY:
		nd->len = rng_below(rng, 4) == 0 ? 200 + rng_below(rng, 300)
		                                 : rng_below(rng, 16);
		nd->bytes = malloc(nd->len + 1);
		assert_non_null(nd->bytes);
		for (i = 0; i < nd->len; i++)
			nd->bytes[i] = (char)rng_next(rng);
		nd->ad = argdata_create_binary(nd->bytes, nd->len);
		break;
	case ARGDATA_TYPE_BOOL:
		nd->b = rng_below(rng, 2);
		nd->ad = (argdata_t *)(nd->b ? &argdata_true : &argdata_false);
		break;
	case ARGDATA_TYPE_FD:
		nd->fd = rng_below(rng, 2) ? (int)rng_below(rng, 8)
		                           : (int)(rng_next(rng) >> 33);
		nd->ad = argdata_create_fd(nd->fd);
		break;
	case ARGDATA_TYPE_FLOAT:
		bits = rng_next(rng);
		memcpy(&nd->f, &bits, sizeof(nd->f));
		nd->ad = argdata_create_float(nd->f);
		break;
	case ARGDATA_TYPE_INT:
		random_int(rng, nd);
		break;
	case ARGDATA_TYPE_STR:
		max = rng_below(rng, 4) == 0 ? 300 : 24;
		nd->bytes = malloc(max + 1);
		assert_non_null(nd->bytes);
		nd->len = random_utf8(rng, nd->bytes, max);
		/* Half the strings are not NUL-terminated where they end. */
		if (rng_below(rng, 2)) {
			nd->ad = argdata_create_str_c(nd->bytes);
		} else {
			nd->bytes[nd->len] = 'X';
			nd->ad = argdata_create_str(nd->bytes, nd->len);
		}
		break;
	case ARGDATA_TYPE_TIMESTAMP:
		nd->ts.tv_sec = (time_t)(rng_below(rng, 2)
		        ? (int64_t)rng_next(rng)
		        : (int64_t)rng_below(rng, 8000000000) - 4000000000);
		nd->ts.tv_nsec = (long)rng_below(rng, 1000000000);
		nd->ad = argdata_create_timestamp(&nd->ts);
		break;
	case ARGDATA_TYPE_MAP:
	case ARGDATA_TYPE_SEQ:
		nd->n = rng_below(rng, rng_below(rng, 8) == 0 ? 40 : 5);
		max = nd->type == ARGDATA_TYPE_MAP ? 2 * nd->n : nd->n;
		nd->kids = calloc(max + 1, sizeof(*nd->kids));
		nd->arr = calloc(max + 1, sizeof(*nd->arr));
		assert_true(nd->kids != NULL && nd->arr != NULL);
		for (i = 0; i < max; i++) {
			random_node(rng, &nd->kids[i], depth - 1);
			nd->arr[i] = nd->kids[i].ad;
		}
		nd->ad = nd->type == ARGDATA_TYPE_MAP
		    ? argdata_create_map(nd->arr, nd->arr + nd->n, nd->n)
		    : argdata_create_seq(nd->arr, nd->n);
		break;
	}
	assert_non_null(nd->ad);
}

static void
free_node(struct node *nd)
{
	size_t i, max = nd->type == ARGDATA_TYPE_MAP ? 2 * nd->n : nd->n;

	if (nd->kids != NULL)
		for (i = 0; i < max; i++)
			free_node(&nd->kids[i]);
	if (nd->type != ARGDATA_TYPE_NULL && nd->type != ARGDATA_TYPE_BOOL)
		argdata_free(nd->ad);
	free(nd->kids);
	free(nd->arr);
	free(nd->bytes);
}

/*
 * Checks that ad reads back as the model nd, through get_type, the getter
 * of its type and the iterators. Trees are at most a few levels deep, so
 * recursion is fine here.
 */
static void
expect_node(const struct node *nd, const argdata_t *ad)
{
	argdata_type_t type;
	const void *p;
	const char *s;
	size_t len, i;
	bool b;
	int fd;
	double f;
	intmax_t iv;
	uintmax_t uv;
	struct timespec ts;
	argdata_seq_iterator_t sit;
	argdata_map_iterator_t mit;
	const argdata_t *e, *k;

	assert_int_equal(argdata_get_type(ad, &type), 0);
	assert_int_equal(type, nd->type);
	switch (nd->type) {
	case ARGDATA_TYPE_NULL:
		break;
	case ARGDATA_TYPE_BINARY:
		assert_int_equal(argdata_get_binary(ad, &p, &len), 0);
		assert_int_equal(len, nd->len);
		assert_memory_equal(p, nd->bytes, len);
		break;
	case ARGDATA_TYPE_BOOL:
		assert_int_equal(argdata_get_bool(ad, &b), 0);
		assert_int_equal(b, nd->b);
		break;
	case ARGDATA_TYPE_FD:
		assert_int_equal(argdata_get_fd(ad, &fd), 0);
		assert_int_equal(fd, nd->fd);
		break;
	case ARGDATA_TYPE_FLOAT:
		assert_int_equal(argdata_get_float(ad, &f), 0);
		assert_memory_equal(&f, &nd->f, sizeof(f));
		break;
	case ARGDATA_TYPE_INT:
		if (nd->is_unsigned) {
			assert_int_equal(
			    argdata_get_int_u(ad, &uv, UINTMAX_MAX), 0);
			assert_true(uv == nd->u);
			assert_int_equal(
			    argdata_get_int_s(ad, &iv, INTMAX_MIN, INTMAX_MAX),
			    nd->u > INTMAX_MAX ? ERANGE : 0);
		} else {
			assert_int_equal(
			    argdata_get_int_s(ad, &iv, INTMAX_MIN, INTMAX_MAX),
			    0);
			assert_true(iv == nd->s);
			assert_int_equal(
			    argdata_get_int_u(ad, &uv, UINTMAX_MAX),
			    nd->s < 0 ? ERANGE : 0);
		}
		break;
	case ARGDATA_TYPE_STR:
		assert_int_equal(argdata_get_str(ad, &s, &len), 0);
		assert_int_equal(len, nd->len);
		assert_memory_equal(s, nd->bytes, len);
		break;
	case ARGDATA_TYPE_TIMESTAMP:
		assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
		assert_true(ts.tv_sec == nd->ts.tv_sec);
		assert_int_equal(ts.tv_nsec, nd->ts.tv_nsec);
		break;
	case ARGDATA_TYPE_SEQ:
		argdata_seq_iterate(ad, &sit);
		for (i = 0; i < nd->n; i++) {
			assert_int_equal(sit.index, i);
			assert_true(argdata_seq_get(&sit, &e));
			expect_node(&nd->kids[i], e);
			argdata_seq_next(&sit);
		}
		assert_true(sit.index == ARGDATA_ITERATOR_END);
		break;
	case ARGDATA_TYPE_MAP:
		argdata_map_iterate(ad, &mit);
		for (i = 0; i < nd->n; i++) {
			assert_int_equal(mit.index, i);
			assert_true(argdata_map_get(&mit, &k, &e));
			expect_node(&nd->kids[i], k);
			expect_node(&nd->kids[nd->n + i], e);
			argdata_map_next(&mit);
		}
		assert_true(mit.index == ARGDATA_ITERATOR_END);
		break;
	}
}

/* Hands out the descriptors a renumbering produced, by their new number. */
struct fdtable {
	const int *fds;
	size_t n;
};

static int
convert_fd_table(void *arg, size_t number)
{
	const struct fdtable *t = arg;

	return number < t->n ? t->fds[number] : -1;
}

static uint8_t *
encode(const argdata_t *ad, size_t *len, size_t *nfds, int **fds)
{
	uint8_t *buf;

	argdata_serialized_length(ad, len, nfds);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	if (fds != NULL) {
		*fds = malloc((*nfds + 1) * sizeof(**fds));
		assert_non_null(*fds);
		*nfds = argdata_serialize(ad, buf, *fds);
	} else {
		assert_int_equal(argdata_serialize(ad, buf, NULL), 0);
	}
	return buf;
}

uint8_t *
random_encoding(uint64_t *rng, size_t *len)
{
	struct node root;
	uint8_t *buf;
	size_t nfds;

	random_node(rng, &root, (int)rng_below(rng, 5));
	buf = encode(root.ad, len, &nfds, NULL);
	free_node(&root);
	return buf;
}

static uint64_t
seed(void)
{
	const char *s = getenv("ARGDATA_TEST_SEED");

	return s != NULL ? strtoull(s, NULL, 0) : UINT64_C(20261122);
}

static void
test_argdata_serialize__random_round_trip(void **state)
{
	enum { TREES = 4000 };
	uint64_t rng = seed(), start = rng;
	struct node root;
	size_t t, len, len2, nfds, values, values2;
	uint8_t *buf, *buf2, *copy;
	argdata_t *back;
	int *fds;
	struct fdtable table;

	for (t = 0; t < TREES; t++) {
		random_node(&rng, &root, (int)rng_below(&rng, 6));

		/* The tree as built reads back as the model. */
		expect_node(&root, root.ad);
		assert_true(walk_tree(root.ad, &values));
		assert_true(ad_walk_tree(root.ad, &values2));
		assert_int_equal(values2, values);

		/* Encoded and decoded, it reads back the same. */
		buf = encode(root.ad, &len, &nfds, NULL);
		copy = malloc(len + 1);
		assert_non_null(copy);
		memcpy(copy, buf, len);
		back =
		    argdata_from_buffer(copy, len, convert_fd_identity, NULL);
		assert_non_null(back);
		expect_node(&root, back);
		assert_true(walk_tree(back, &values));
		if (argdata_validate(copy, len, NULL, NULL) != 0)
			fail_msg("tree %zu (seed %" PRIu64 "): validate "
			         "refuses %s",
			    t, start, hex(buf, len));

		/* Decoded, it serializes to the very same bytes. */
		buf2 = encode(back, &len2, &nfds, NULL);
		assert_int_equal(len2, len);
		if (memcmp(buf, buf2, len) != 0)
			fail_msg("tree %zu (seed %" PRIu64 "): re-encoded "
			         "differently",
			    t, start);
		free(buf2);
		argdata_free(back);

		/*
		 * Renumbered, the data decodes to the original descriptors
		 * through the table serialize filled in.
		 */
		buf2 = encode(root.ad, &len2, &nfds, &fds);
		assert_int_equal(len2, len);
		table.fds = fds;
		table.n = nfds;
		back =
		    argdata_from_buffer(buf2, len2, convert_fd_table, &table);
		expect_node(&root, back);
		argdata_free(back);
		free(fds);
		free(buf2);
		free(copy);
		free(buf);
		free_node(&root);
	}
}

int
run_roundtrip_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_serialize__random_round_trip),
	};

	return cmocka_run_group_tests_name("roundtrip", tests, NULL, NULL);
}
