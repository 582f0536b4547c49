/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failures: every allocation that the codec, the printer, the
 * stream writer and reader and the YAML loader make in each scenario is
 * made to fail in turn. Each time the scenario must end with a
 * clean error (NULL and ENOMEM, or ENOMEM returned) or succeed with the
 * right result, free everything it had (no live block left), and not crash.
 */
#include <argdata.h>

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "alloc_inject.h"
#include "alloc_scenarios.h"
#include "codec.h"
#include "testutil.h"

#define DEPTH 100
#define NFDS 40

/* The encoding of the tree, from the run in which nothing failed. */
unsigned char alloc_reference[4096];
size_t alloc_reference_len;
static int reference_fds[NFDS];
static size_t reference_nfds;

/* A constructor result: NULL must come with ENOMEM. */
static int
made(const argdata_t *ad, int *error)
{
	if (ad == NULL) {
		assert_int_equal(errno, ENOMEM);
		*error = ENOMEM;
	}
	return ad != NULL;
}

/*
 * Builds a tree holding every type, a chain of DEPTH nested sequences and
 * NFDS descriptor values over fewer descriptors, and serializes it with
 * and without renumbering. The output must match the reference whenever
 * building succeeded: argdata_serialize has no way to report failure.
 */
static int
build_serialize(void)
{
	static const unsigned char bin[] = {0, 1, 2, 0xff};
	static const argdata_t *chain_entries[DEPTH];
	static const argdata_t *fd_entries[NFDS];
	static const argdata_t *entries[12];
	static const argdata_t *keys[3], *values[3];
	struct timespec ts = {.tv_sec = -3, .tv_nsec = 5};
	argdata_t *scalars[10] = {NULL};
	argdata_t *chain[DEPTH + 1] = {NULL};
	argdata_t *fds[NFDS] = {NULL};
	argdata_t *seq = NULL, *fdseq = NULL, *map = NULL;
	int error = 0;

	scalars[0] = argdata_create_binary(bin, sizeof(bin));
	scalars[1] = argdata_create_fd(3);
	scalars[2] = argdata_create_float(-0.25);
	scalars[3] = argdata_create_int_s(INTMAX_MIN);
	scalars[4] = argdata_create_int_u(UINTMAX_MAX);
	scalars[5] = argdata_create_str("h\xc3\xa9llo", 6);
	scalars[6] = argdata_create_str_c("key");
	scalars[7] = argdata_create_timestamp(&ts);
	scalars[8] = argdata_create_int_s(0);
	scalars[9] = argdata_create_str_c("fds");
	for (size_t i = 0; i < 10; i++)
		made(scalars[i], &error);
	if (error != 0)
		goto out;

	if (!made(chain[0] = argdata_create_seq(NULL, 0), &error))
		goto out;
	for (size_t i = 0; i < DEPTH; i++) {
		chain_entries[i] = chain[i];
		if (!made(chain[i + 1] =
		              argdata_create_seq(&chain_entries[i], 1),
		        &error))
			goto out;
	}
	for (size_t i = 0; i < NFDS; i++) {
		if (!made(fds[i] = argdata_create_fd((int)(100 + i * 7 % 13)),
		        &error))
			goto out;
		fd_entries[i] = fds[i];
	}
	if (!made(fdseq = argdata_create_seq(fd_entries, NFDS), &error))
		goto out;

	for (size_t i = 0; i < 8; i++)
		entries[i] = scalars[i];
	entries[8] = &argdata_null;
	entries[9] = &argdata_true;
	entries[10] = &argdata_false;
	entries[11] = chain[DEPTH];
	if (!made(seq = argdata_create_seq(entries, 12), &error))
		goto out;
	keys[0] = scalars[6];
	values[0] = seq;
	keys[1] = scalars[8];
	values[1] = scalars[1];
	keys[2] = scalars[9];
	values[2] = fdseq;
	if (!made(map = argdata_create_map(keys, values, 3), &error))
		goto out;

	size_t len, maxfds;
	argdata_serialized_length(map, &len, &maxfds);
	assert_true(len <= sizeof(alloc_reference));
	assert_int_equal(maxfds, NFDS + 2);
	unsigned char buf[sizeof(alloc_reference)];
	int numbers[NFDS + 2];
	size_t n = argdata_serialize(map, buf, numbers);
	if (alloc_reference_len == 0) {
		memcpy(alloc_reference, buf, len);
		alloc_reference_len = len;
		memcpy(reference_fds, numbers, n * sizeof(int));
		reference_nfds = n;
	} else {
		assert_int_equal(len, alloc_reference_len);
		assert_memory_equal(buf, alloc_reference, len);
		assert_int_equal(n, reference_nfds);
		assert_memory_equal(numbers, reference_fds, n * sizeof(int));
	}
	assert_int_equal(argdata_serialize(map, buf, NULL), 0);

out:
	argdata_free(map);
	argdata_free(seq);
	argdata_free(fdseq);
	for (size_t i = 0; i < NFDS; i++)
		argdata_free(fds[i]);
	for (size_t i = 0; i <= DEPTH; i++)
		argdata_free(chain[i]);
	for (size_t i = 0; i < 10; i++)
		argdata_free(scalars[i]);
	return error;
}

int
alloc_convert_fd(void *arg, size_t fd)
{
	(void)arg;
	return (int)fd;
}

/* Walks ad with the iterators and getters; values counted in *n. */
static void
walk(const argdata_t *ad, size_t *n, size_t depth)
{
	argdata_type_t type;
	assert_true(depth <= DEPTH + 3);
	assert_int_equal(argdata_get_type(ad, &type), 0);
	(*n)++;
	if (type == ARGDATA_TYPE_MAP) {
		argdata_map_iterator_t it;
		const argdata_t *key, *value;
		for (argdata_map_iterate(ad, &it);
		     argdata_map_get(&it, &key, &value);
		     argdata_map_next(&it)) {
			walk(key, n, depth + 1);
			walk(value, n, depth + 1);
		}
		assert_int_equal(it.index, ARGDATA_ITERATOR_END);
	} else if (type == ARGDATA_TYPE_SEQ) {
		argdata_seq_iterator_t it;
		const argdata_t *e;
		for (argdata_seq_iterate(ad, &it); argdata_seq_get(&it, &e);
		     argdata_seq_next(&it))
			walk(e, n, depth + 1);
		assert_int_equal(it.index, ARGDATA_ITERATOR_END);
	} else if (type == ARGDATA_TYPE_STR) {
		const char *s;
		assert_int_equal(argdata_get_str_c(ad, &s), 0);
	} else if (type == ARGDATA_TYPE_FD) {
		int fd;
		assert_int_equal(argdata_get_fd(ad, &fd), 0);
	} else if (type == ARGDATA_TYPE_TIMESTAMP) {
		struct timespec ts;
		assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
	}
}

/* Decodes the reference, walks it, serializes the decoded value again. */
static int
decode_walk(void)
{
	argdata_t *ad = argdata_from_buffer(alloc_reference,
	    alloc_reference_len, alloc_convert_fd, NULL);
	int error = 0;
	if (!made(ad, &error))
		return error;
	size_t n = 0;
	walk(ad, &n, 0);
	assert_int_equal(n, 3 * 2 + 12 + DEPTH + NFDS + 1);
	unsigned char buf[sizeof(alloc_reference)];
	size_t len;
	argdata_serialized_length(ad, &len, NULL);
	assert_int_equal(len, alloc_reference_len);
	argdata_serialize(ad, buf, NULL);
	assert_memory_equal(buf, alloc_reference, len);
	argdata_free(ad);
	return 0;
}

static int
validate(void)
{
	size_t offset = 1;
	const char *reason = "untouched";
	int error = argdata_validate(alloc_reference, alloc_reference_len,
	    &offset, &reason);
	if (error == ENOMEM)
		return error;
	assert_int_equal(error, 0);
	/* Cut short: the defect is found at the end of a long walk. */
	error = argdata_validate(alloc_reference, alloc_reference_len - 1,
	    &offset, &reason);
	if (error == ENOMEM)
		return error;
	assert_int_equal(error, EINVAL);
	assert_true(offset < alloc_reference_len);
	return 0;
}

/*
 * Runs scenario once without failures (it must succeed), then once per
 * allocation it made, failing that one: each time the scenario must end
 * cleanly, with no block and no descriptor left behind.
 */
static void
fail_each_allocation(int (*scenario)(void))
{
	if (alloc_reference_len == 0)
		assert_int_equal(build_serialize(), 0);
	/*
	 * The library keeps the chunks of freed values for the next ones:
	 * each run starts without any, so that it allocates the same way,
	 * and gives them back before its blocks are counted.
	 */
	ad_alloc_trim();
	size_t live = alloc_inject_live();
	int fds = test_count_fds();
	alloc_inject_reset(0);
	assert_int_equal(scenario(), 0);
	ad_alloc_trim();
	size_t n = alloc_inject_count();
	assert_true(n > 0);
	assert_int_equal(alloc_inject_live(), live);
	for (size_t i = 1; i <= n; i++) {
		alloc_inject_reset(i);
		int error = scenario();
		bool failed = alloc_inject_failed();
		alloc_inject_reset(0);
		ad_alloc_trim();
		assert_true(error == 0 || error == ENOMEM);
		if (error == ENOMEM)
			assert_true(failed);
		if (alloc_inject_live() != live)
			fail_msg("allocation %zu of %zu failed: %zu blocks "
			         "leaked",
			    i, n, alloc_inject_live() - live);
		if (test_count_fds() != fds)
			fail_msg("allocation %zu of %zu failed: descriptors "
			         "leaked",
			    i, n);
	}
}

static void
test_argdata_create__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(build_serialize);
}

static void
test_argdata_from_buffer__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(decode_walk);
}

static void
test_argdata_validate__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(validate);
}

static void
test_argdata_print_yaml__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(print_yaml);
}

static void
test_argdata_reader_pull__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(stream_roundtrip);
}

static void
test_argdata_encoder_finish__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(encode_stream);
}

static void
test_argdata_read_map__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(typed_read);
}

#ifdef ALLOC_LOADER
static void
test_loader_load__alloc_failures(void **state)
{
	(void)state;
	fail_each_allocation(yaml_load);
}
#endif

static int
run_alloc_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_create__alloc_failures),
	    TEST_CASE(test_argdata_from_buffer__alloc_failures),
	    TEST_CASE(test_argdata_validate__alloc_failures),
	    TEST_CASE(test_argdata_print_yaml__alloc_failures),
	    TEST_CASE(test_argdata_reader_pull__alloc_failures),
	    TEST_CASE(test_argdata_encoder_finish__alloc_failures),
	    TEST_CASE(test_argdata_read_map__alloc_failures),
#ifdef ALLOC_LOADER
	    TEST_CASE(test_loader_load__alloc_failures),
#endif
	    TEST_CASE(test_ad_node_alloc__chunks_reused),
	    TEST_CASE(test_ad_node_alloc__spares_returned),
	    TEST_CASE(test_argdata_free__other_thread),
	    TEST_CASE(test_argdata_free__threads_at_once),
	    TEST_CASE(test_argdata_free__owner_last),
#ifndef __SANITIZE_THREAD__
	    /*
	     * ThreadSanitizer ends a thread's own state before the C
	     * library's last round of destructors, and crashes in any
	     * instrumented code run there; the other builds run this.
	     */
	    TEST_CASE(test_argdata_free__last_destructor_round),
#endif
	    TEST_CASE(test_argdata_free__swapping_threads),
	};
	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {{"alloc", run_alloc_tests}};

	return test_main(argc, argv, groups, 1);
}
