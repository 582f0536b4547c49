/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failures: malloc, calloc and realloc are wrapped at link time
 * (-Wl,--wrap, as pkgconf's fuzzer does), so that a test can make them fail.
 * Constructors and the validator report ENOMEM; argdata_serialize, which
 * cannot report anything, still writes the same bytes and descriptors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "alloc_inject.h"
#include "codec_test.h"
#include "codec.h"
#include "testutil.h"

static void
test_argdata_create__enomem(void **state)
{
	static const char bytes[] = "abc";
	const argdata_t *one[] = {&argdata_null};
	struct timespec ts = {1, 2};
	argdata_t *ad[12];
	size_t i;

	/* No chunk kept from earlier values: each needs malloc(). */
	ad_alloc_trim();
	alloc_inject_budget(0);
	errno = 0;
	ad[0] = argdata_from_buffer(bytes, 3, NULL, NULL);
	ad[1] = argdata_create_binary(bytes, 3);
	ad[2] = argdata_create_fd(3);
	ad[3] = argdata_create_float(1.5);
	ad[4] = argdata_create_int_s(-3);
	ad[5] = argdata_create_int_u(3);
	ad[6] = argdata_create_map(one, one, 1);
	ad[7] = argdata_create_seq(one, 1);
	ad[8] = argdata_create_seq(NULL, 0);
	ad[9] = argdata_create_str(bytes, 3);
	ad[10] = argdata_create_str_c(bytes);
	ad[11] = argdata_create_timestamp(&ts);
	alloc_inject_stop();
	for (i = 0; i < sizeof(ad) / sizeof(ad[0]); i++)
		if (ad[i] != NULL)
			fail_msg("constructor %zu succeeded without memory", i);
	assert_int_equal(errno, ENOMEM);

	/* Each one sets errno by itself. */
	alloc_inject_budget(0);
	errno = 0;
	assert_null(argdata_create_str(bytes, 2));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(argdata_create_fd(0));
	assert_int_equal(errno, ENOMEM);
	alloc_inject_stop();
}

/* 10,000 nested sequences: more than any validator keeps on its stack. */
static void
test_argdata_validate__enomem(void **state)
{
	enum { LEVELS = 10000 };
	argdata_t **levels = calloc(LEVELS + 1, sizeof(*levels));
	size_t i, size, offset = 77;
	const char *reason = "x";
	uint8_t *enc;

	assert_non_null(levels);
	levels[0] = (argdata_t *)&argdata_null;
	for (i = 1; i <= LEVELS; i++)
		levels[i] = argdata_create_seq(
		    (const argdata_t *const *)&levels[i - 1], 1);
	argdata_serialized_length(levels[LEVELS], &size, NULL);
	enc = malloc(size);
	assert_non_null(enc);
	argdata_serialize(levels[LEVELS], enc, NULL);
	for (i = 1; i <= LEVELS; i++)
		argdata_free(levels[i]);
	free(levels);

	assert_int_equal(argdata_validate(enc, size, &offset, &reason), 0);
	alloc_inject_budget(0);
	assert_int_equal(argdata_validate(enc, size, &offset, &reason), ENOMEM);
	/* Memory for a first stack, none to grow it. */
	alloc_inject_budget(1);
	assert_int_equal(argdata_validate(enc, size, &offset, &reason), ENOMEM);
	alloc_inject_stop();
	assert_int_equal(offset, 77);
	assert_string_equal(reason, "x");
	free(enc);
}

/*
 * A tree deeper than any stack kept on the stack, with siblings at every
 * level, descriptors (some repeated), strings and a decoded part:
 * [fd (i % 5), [ ... ], "s", decoded [fd 7, fd 2]] at each level.
 */
struct deep_tree {
	argdata_t **levels, **fds, *str, *decoded;
	const argdata_t **arrays;
	size_t depth;
};

static const uint8_t decoded_bytes[] = {0x07, 0x85, 0x03, 0, 0, 0, 7, 0x85,
    0x03, 0, 0, 0, 2};

static void
deep_tree_make(struct deep_tree *t, size_t depth)
{
	size_t i;

	t->depth = depth;
	t->levels = calloc(depth + 1, sizeof(*t->levels));
	t->fds = calloc(5, sizeof(*t->fds));
	t->arrays = calloc(4 * depth, sizeof(*t->arrays));
	assert_true(t->levels && t->fds && t->arrays);
	for (i = 0; i < 5; i++)
		t->fds[i] = argdata_create_fd((int)(10 * i + 3));
	t->str = argdata_create_str_c("s");
	t->decoded = argdata_from_buffer(decoded_bytes, sizeof(decoded_bytes),
	    convert_fd_identity, NULL);
	t->levels[0] = argdata_create_int_s(42);
	for (i = 1; i <= depth; i++) {
		const argdata_t **a = &t->arrays[4 * (i - 1)];

		a[0] = t->fds[i % 5];
		a[1] = t->levels[i - 1];
		a[2] = t->str;
		a[3] = t->decoded;
		t->levels[i] = argdata_create_seq(a, i % 3 == 0 ? 4 : 3);
		assert_non_null(t->levels[i]);
	}
}

static void
deep_tree_free(struct deep_tree *t)
{
	size_t i;

	for (i = 0; i <= t->depth; i++)
		argdata_free(t->levels[i]);
	for (i = 0; i < 5; i++)
		argdata_free(t->fds[i]);
	argdata_free(t->str);
	argdata_free(t->decoded);
	free(t->levels);
	free(t->fds);
	free(t->arrays);
}

static void
test_argdata_serialize__without_memory(void **state)
{
	static const size_t depths[] = {1, 2, 63, 64, 65, 66, 200};
	struct deep_tree t;
	size_t d, size, nfds, nfds2, n1, n2, v1, v2;
	uint8_t *b1, *b2;
	int *f1, *f2;

	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		deep_tree_make(&t, depths[d]);
		argdata_serialized_length(t.levels[t.depth], &size, &nfds);
		b1 = malloc(size);
		b2 = malloc(size);
		f1 = malloc(nfds * sizeof(*f1));
		f2 = malloc(nfds * sizeof(*f2));
		assert_true(b1 && b2 && f1 && f2);
		n1 = argdata_serialize(t.levels[t.depth], b1, f1);

		alloc_inject_budget(0);
		argdata_serialized_length(t.levels[t.depth], &size, &nfds2);
		n2 = argdata_serialize(t.levels[t.depth], b2, f2);
		alloc_inject_stop();
		/* Without memory the count may only be an upper bound. */
		assert_true(nfds2 >= nfds);
		assert_int_equal(n2, n1);
		if (memcmp(b1, b2, size) != 0)
			fail_msg("depth %zu: other bytes without memory",
			    depths[d]);
		assert_memory_equal(f1, f2, n1 * sizeof(*f1));

		/* And the same again without renumbering. */
		argdata_serialize(t.levels[t.depth], b1, NULL);
		alloc_inject_budget(0);
		argdata_serialize(t.levels[t.depth], b2, NULL);
		alloc_inject_stop();
		assert_memory_equal(b1, b2, size);
		assert_int_equal(argdata_validate(b1, size, NULL, NULL), 0);
		/* Both walks see the decoded parts inside the tree. */
		assert_true(walk_tree(t.levels[t.depth], &v1));
		assert_true(ad_walk_tree(t.levels[t.depth], &v2));
		assert_int_equal(v1, v2);
		assert_int_equal(v1, 1 + t.depth * 3 + (t.depth / 3) * 3);

		free(b1);
		free(b2);
		free(f1);
		free(f2);
		deep_tree_free(&t);
	}
}

/*
 * Renumbering keeps its tables as it goes: a table indexed by descriptor
 * that grows with the largest one met, and a hash table for the rest.
 * Whichever allocation fails, at whatever point, the output is the same.
 */
/*
 * Serializes ad, renumbering its nfds descriptor values, with budgets of 0
 * to budgets - 1 allocations: each time the bytes (size of them) and the
 * descriptors (nwant) of a run with memory, want and want_fds.
 */
static void
serialize_with_budgets(const argdata_t *ad, const uint8_t *want, size_t size,
    const int *want_fds, size_t nwant, size_t nfds, long budgets)
{
	uint8_t *out = malloc(size);
	int *fds = malloc((nfds > 0 ? nfds : 1) * sizeof(*fds));
	size_t n;

	assert_true(out != NULL && fds != NULL);
	for (long b = 0; b < budgets; b++) {
		memset(out, 0, size);
		alloc_inject_budget((size_t)b);
		n = argdata_serialize(ad, out, fds);
		alloc_inject_stop();
		assert_int_equal(n, nwant);
		assert_memory_equal(want, out, size);
		assert_memory_equal(want_fds, fds, nwant * sizeof(*fds));
	}
	free(out);
	free(fds);
}

static void
test_argdata_serialize__renumber_without_memory(void **state)
{
	enum { VALUES = 1000 };
	static const int big[] = {3, 600, 1500, 2000, 1000000, 7, 2100, INT_MAX,
	    600, 1000000};
	argdata_t *vals[VALUES], *seq;
	int f1[VALUES];
	uint8_t *b1;
	size_t i, size, nfds, n1;

	for (i = 0; i < VALUES; i++) {
		vals[i] =
		    argdata_create_fd(i < 10 ? big[i] : (int)(i * 37 % 5000));
		assert_non_null(vals[i]);
	}
	seq = argdata_create_seq((const argdata_t *const *)vals, VALUES);
	assert_non_null(seq);
	argdata_serialized_length(seq, &size, &nfds);
	assert_int_equal(nfds, VALUES);
	b1 = malloc(size);
	assert_non_null(b1);
	n1 = argdata_serialize(seq, b1, f1);
	serialize_with_budgets(seq, b1, size, f1, n1, nfds, 8);
	free(b1);
	argdata_free(seq);
	for (i = 0; i < VALUES; i++)
		argdata_free(vals[i]);
}

static int
convert_plus_1000(void *arg, size_t number)
{
	(void)arg;
	return (int)number + 1000;
}

/*
 * Decoded data 200 levels deep, a descriptor at every level, renumbered:
 * the scan of decoded data keeps a stack of open containers past 64
 * levels, and without memory finds its place again from the root. Every
 * budget gives the same bytes and the same descriptors.
 */
static void
test_argdata_serialize__deep_decoded_fds_without_memory(void **state)
{
	enum { DEPTH = 200 };
	argdata_t *fd[DEPTH], *level[DEPTH], *d, *outer;
	const argdata_t *pair[DEPTH][2], *one[1];
	uint8_t *plain, *b1;
	int f1[DEPTH + 1];
	size_t size, osize, nfds, n1;

	(void)state;
	/* level i = [fd i, level i+1]; the innermost is [fd DEPTH-1]. */
	for (int i = DEPTH - 1; i >= 0; i--) {
		fd[i] = argdata_create_fd(i);
		pair[i][0] = fd[i];
		pair[i][1] = i + 1 < DEPTH ? level[i + 1] : NULL;
		level[i] = argdata_create_seq(pair[i], i + 1 < DEPTH ? 2 : 1);
		assert_non_null(level[i]);
	}
	argdata_serialized_length(level[0], &size, NULL);
	plain = malloc(size);
	assert_non_null(plain);
	argdata_serialize(level[0], plain, NULL);
	d = argdata_from_buffer(plain, size, convert_plus_1000, NULL);
	one[0] = d;
	outer = argdata_create_seq(one, 1);
	argdata_serialized_length(outer, &osize, &nfds);
	assert_int_equal(nfds, DEPTH);
	b1 = malloc(osize);
	assert_non_null(b1);
	n1 = argdata_serialize(outer, b1, f1);
	assert_int_equal(n1, DEPTH);
	for (int i = 0; i < DEPTH; i++)
		assert_int_equal(f1[i], 1000 + i);
	serialize_with_budgets(outer, b1, osize, f1, n1, nfds, 4);
	free(b1);
	argdata_free(outer);
	argdata_free(d);
	free(plain);
	for (int i = 0; i < DEPTH; i++) {
		argdata_free(level[i]);
		argdata_free(fd[i]);
	}
}

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>

/*
 * Values share chunks, and AddressSanitizer only sees the chunks: the
 * library poisons what lies outside each value and each value it frees,
 * so that overruns and uses after free are still reported.
 */
static void
test_argdata_free__poisoned(void **state)
{
	argdata_t *a = argdata_create_str("twenty characters!!!", 20);
	argdata_t *b = argdata_create_int(7);
	const char *s;
	size_t len;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(argdata_get_str(a, &s, &len), 0);
	assert_int_equal(len, 20);
	assert_false(__asan_address_is_poisoned(s + len));
	assert_true(__asan_address_is_poisoned(s + len + 1));
	argdata_free(a);
	assert_true(__asan_address_is_poisoned(a));
	assert_true(__asan_address_is_poisoned(s));
	assert_false(__asan_address_is_poisoned(b));
	argdata_free(b);
	assert_true(__asan_address_is_poisoned(b));
}

/*
 * Scalars hold their encoding after the struct: all of it is theirs while
 * they live, none of what follows, and all of it is poisoned once freed.
 */
static void
test_argdata_free__poisoned_scalars(void **state)
{
	struct timespec ts = {-1234567890, 123456789};
	argdata_t *v[] = {argdata_create_int(INT64_MIN),
	    argdata_create_int_u(UINT64_MAX), argdata_create_int(0),
	    argdata_create_fd(7), argdata_create_float(0.1),
	    argdata_create_timestamp(&ts)};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_non_null(v[i]);
		const char *p = (const char *)v[i];
		size_t size = sizeof(argdata_t) + v[i]->length;
		assert_false(__asan_region_is_poisoned((void *)p, size));
		/* The rest of its 16-byte slot is nobody's. */
		if (size % 16 != 0)
			assert_true(__asan_address_is_poisoned(p + size));
	}
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *p = (const char *)v[i];
		size_t size = sizeof(argdata_t) + v[i]->length;
		argdata_free(v[i]);
		assert_true(__asan_address_is_poisoned(p));
		assert_true(__asan_address_is_poisoned(p + size - 1));
	}
}
#endif

int
run_memory_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_create__enomem),
	    TEST_CASE(test_argdata_validate__enomem),
	    TEST_CASE(test_argdata_serialize__without_memory),
	    TEST_CASE(test_argdata_serialize__renumber_without_memory),
	    TEST_CASE(test_argdata_serialize__deep_decoded_fds_without_memory),
#ifdef TEST_ASAN
	    TEST_CASE(test_argdata_free__poisoned),
	    TEST_CASE(test_argdata_free__poisoned_scalars),
#endif
	};

	return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
