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
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "alloc_inject.h"
#include "alloc_scenarios.h"
#include "internal.h"

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

static void *
make_in_thread(void *arg)
{
	(void)arg;
	make_values();
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
	assert_int_equal(pthread_create(&t, NULL, make_in_thread, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
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
			assert_int_equal(pthread_create(&t[i], NULL,
			    free_in_thread, &f[i]), 0);
		}
		for (size_t i = 0; i < NTHREADS; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		ad_alloc_trim();
		assert_int_equal(alloc_inject_live(), live);
	}
}
