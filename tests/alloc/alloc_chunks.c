/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The chunks that values made in memory are carved from (alloc.c): a tree
 * made again after being freed reuses them without calling malloc(); the
 * spares go back once smaller trees have not needed them for long enough;
 * values freed by threads other than the one that made them, one by one or
 * several threads at once, leave no block behind.
 */
#include <argdata.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "alloc_inject.h"
#include "alloc_scenarios.h"
#include "codec.h"

/* Enough values for about 150 chunks. */
#define NVALUES 20000
#define NTHREADS 4

static argdata_t *values[NVALUES];

static void
make_values(void)
{
	for (size_t i = 0; i < NVALUES; i++) {
		values[i] = argdata_create_int(i * 1000003);
		assert_non_null(values[i]);
	}
}

static void
free_values(size_t first, size_t step)
{
	for (size_t i = first; i < NVALUES; i += step)
		argdata_free(values[i]);
}

void
test_ad_node_alloc__chunks_reused(void **state)
{
	(void)state;
	ad_alloc_trim();
	size_t live = alloc_inject_live();

	make_values();
	free_values(0, 1);
	alloc_inject_reset(0);
	make_values();
	/* Every chunk came back as a spare: no allocation at all. */
	assert_int_equal(alloc_inject_count(), 0);
	free_values(0, 1);
	ad_alloc_trim();
	assert_int_equal(alloc_inject_live(), live);
}

void
test_ad_node_alloc__spares_returned(void **state)
{
	(void)state;
	ad_alloc_trim();
	size_t live = alloc_inject_live();

	make_values();
	free_values(0, 1);
	assert_true(alloc_inject_live() > live + 100);
	/*
	 * Small values made and freed over and over never need the spares:
	 * they go back, and only the chunk in use stays.
	 */
	for (size_t i = 0; i < 2000; i++) {
		argdata_t *ad = argdata_create_int(i);
		assert_non_null(ad);
		argdata_free(ad);
	}
	assert_true(alloc_inject_live() <= live + 1);
	ad_alloc_trim();
	assert_int_equal(alloc_inject_live(), live);
}

static atomic_int thread_failures;
static void thread_check(bool ok);

static void *
make_in_thread(void *arg)
{
	(void)arg;
	for (size_t i = 0; i < NVALUES; i++) {
		values[i] = argdata_create_int(i * 1000003);
		thread_check(values[i] != NULL);
	}
	return NULL;
}

struct freer {
	size_t first, step;
};

static void *
free_in_thread(void *arg)
{
	const struct freer *f = arg;

	free_values(f->first, f->step);
	return NULL;
}

void
test_argdata_free__other_thread(void **state)
{
	pthread_t t;
	struct freer all = {0, 1};

	(void)state;
	ad_alloc_trim();
	size_t live = alloc_inject_live();

	/* Made by a thread that has ended, freed here. */
	atomic_store(&thread_failures, 0);
	assert_int_equal(pthread_create(&t, NULL, make_in_thread, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(atomic_load(&thread_failures), 0);
	free_values(0, 1);
	ad_alloc_trim();
	assert_int_equal(alloc_inject_live(), live);

	/* Made here, freed by a thread that then ends. */
	make_values();
	assert_int_equal(pthread_create(&t, NULL, free_in_thread, &all), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	ad_alloc_trim();
	assert_int_equal(alloc_inject_live(), live);
}

void
test_argdata_free__threads_at_once(void **state)
{
	pthread_t t[NTHREADS];
	struct freer f[NTHREADS];

	(void)state;
	ad_alloc_trim();
	size_t live = alloc_inject_live();

	/*
	 * Neighbours go to different threads, so that every chunk loses
	 * values to all of them at the same time.
	 */
	for (int round = 0; round < 5; round++) {
		make_values();
		for (size_t i = 0; i < NTHREADS; i++) {
			f[i] = (struct freer){i, NTHREADS};
			assert_int_equal(
			    pthread_create(&t[i], NULL, free_in_thread, &f[i]),
			    0);
		}
		for (size_t i = 0; i < NTHREADS; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		ad_alloc_trim();
		assert_int_equal(alloc_inject_live(), live);
	}
}

static argdata_t *lone;

static void *
free_lone(void *arg)
{
	(void)arg;
	argdata_free(lone);
	return NULL;
}

/*
 * The thread that carves a chunk frees its last value after another
 * thread freed one of it: the chunk, emptied, is carved afresh, and must
 * still go back when the thread moves on.
 */
void
test_argdata_free__owner_last(void **state)
{
	pthread_t t;

	(void)state;
	ad_alloc_trim();
	size_t live = alloc_inject_live();

	for (int round = 0; round < 3; round++) {
		argdata_t *a = argdata_create_int(1);
		assert_non_null(a);
		lone = argdata_create_int(2);
		assert_non_null(lone);
		assert_int_equal(pthread_create(&t, NULL, free_lone, NULL), 0);
		assert_int_equal(pthread_join(t, NULL), 0);
		argdata_free(a);
		argdata_t *x = argdata_create_int(3);
		assert_non_null(x);
		argdata_free(x);
		ad_alloc_trim();
		assert_int_equal(alloc_inject_live(), live);
	}
}

/*
 * cmocka's checks may only fail on the main thread: other threads count
 * what went wrong, and the test checks the count.
 */
static void
thread_check(bool ok)
{
	if (!ok)
		atomic_fetch_add(&thread_failures, 1);
}

/*
 * A destructor of another key that frees a value in the last round of
 * destructors, after the library's own exit hook has run: no later round
 * would take a pending count.
 */
static pthread_key_t late_key;

static void
late_destructor(void *arg)
{
	uintptr_t round = (uintptr_t)arg;
	argdata_t *ad;

	if (round < PTHREAD_DESTRUCTOR_ITERATIONS) {
		/* Set again: the C library runs the destructors once more. */
		thread_check(
		    pthread_setspecific(late_key, (void *)(round + 1)) == 0);
		return;
	}
	argdata_free(lone);
	ad = argdata_create_int(4);
	thread_check(ad != NULL);
	argdata_free(ad);
}

static void *
late_thread(void *arg)
{
	argdata_t *ad;

	(void)arg;
	/* Values of its own, so that the library's hook is set. */
	ad = argdata_create_int(5);
	thread_check(ad != NULL);
	argdata_free(ad);
	thread_check(pthread_setspecific(late_key, (void *)1) == 0);
	return NULL;
}

void
test_argdata_free__last_destructor_round(void **state)
{
	pthread_t t;

	(void)state;
	ad_alloc_trim();
	size_t live = alloc_inject_live();

	atomic_store(&thread_failures, 0);
	assert_int_equal(pthread_key_create(&late_key, late_destructor), 0);
	/* lone lives in a chunk of this thread that the other frees into. */
	argdata_t *keep = argdata_create_int(6);
	assert_non_null(keep);
	lone = argdata_create_int(7);
	assert_non_null(lone);
	assert_int_equal(pthread_create(&t, NULL, late_thread, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(atomic_load(&thread_failures), 0);
	argdata_free(keep);
	ad_alloc_trim();
	assert_int_equal(alloc_inject_live(), live);
	assert_int_equal(pthread_key_delete(late_key), 0);
}

/*
 * Threads make values and swap them through shared slots, each freeing
 * what it takes out after checking it: frees by the owner and by others,
 * in chunks that are current, retired or pending, while threads end. The
 * low byte of every number is a hash of the rest, so a value whose memory
 * was given to another shows.
 */
#define SLOTS 64
#define SWAPS 20000

static _Atomic(argdata_t *) slots[SLOTS];

static uint64_t
hash8(uint64_t x)
{
	return (x * UINT64_C(0x9e3779b97f4a7c15)) >> 56;
}

static void *
swapper(void *arg)
{
	uint64_t r = (uintptr_t)arg * UINT64_C(0x9e3779b97f4a7c15) + 1;

	for (int i = 0; i < SWAPS; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		uint64_t x = r >> 16;
		argdata_t *ad = argdata_create_int(x << 8 | hash8(x));
		thread_check(ad != NULL);
		argdata_t *old = atomic_exchange(&slots[r % SLOTS], ad);
		if (old != NULL) {
			uint64_t v = 0;
			thread_check(argdata_get_int(old, &v) == 0 &&
			    (v & 0xff) == hash8(v >> 8));
			argdata_free(old);
		}
	}
	return NULL;
}

void
test_argdata_free__swapping_threads(void **state)
{
	pthread_t t[NTHREADS];

	(void)state;
	ad_alloc_trim();
	size_t live = alloc_inject_live();

	atomic_store(&thread_failures, 0);
	for (int round = 0; round < 3; round++) {
		for (uintptr_t i = 0; i < NTHREADS; i++)
			assert_int_equal(
			    pthread_create(&t[i], NULL, swapper,
			        (void *)(i + 1 + NTHREADS * (uintptr_t)round)),
			    0);
		for (size_t i = 0; i < NTHREADS; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(atomic_load(&thread_failures), 0);
		for (size_t i = 0; i < SLOTS; i++)
			argdata_free(atomic_exchange(&slots[i], NULL));
		ad_alloc_trim();
		assert_int_equal(alloc_inject_live(), live);
	}
}
