/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Memory for values made in memory. Building a tree makes one value per
 * scalar, and malloc() costs more than all the rest of a constructor, so
 * each thread carves its values front to back out of chunks of its own.
 *
 * A chunk counts its values that are still alive. When the last one is
 * freed, by whichever thread, the chunk goes to that thread's spares, to
 * be carved again. A chunk is never carved again while any of its values
 * lives, so one long-lived value keeps its whole chunk (AD_CHUNK_SIZE bytes)
 * alive: trees are made and freed together, and for them this is the
 * better trade.
 *
 * Spares are kept in address order as far as that is cheap: a chunk below
 * the first goes first, any other goes last; they are taken first to last.
 * Programs free a tree front to back or back to front, and chunks taken
 * in either order of freeing would lay the next tree out backwards in
 * memory half the time, every chunk boundary a step back: serializing it
 * took twice as long.
 *
 * Spares are kept because handing them back at once costs more than it
 * saves: malloc() merges the chunks of a freed tree and returns them to
 * the kernel, and the next tree of that size faults every page in again
 * (two to three times the time of building it). They are not kept
 * forever: the spares that were never needed while the thread carved
 * twice as many chunks as it had spares (and at least AD_SCAVENGE_PERIOD),
 * the fewest there were in that time, go back to malloc(). A tree built
 * and freed over and over keeps its chunks; the chunks of a large tree
 * freed once go back while smaller trees are made. A thread that ends
 * frees its spares; one that stops making values keeps them.
 *
 * A thread frees values of its current chunk without an atomic operation:
 * it keeps the count. Other frees are counted per chunk, and one atomic
 * subtraction takes a run of them from the chunk's balance when the
 * thread frees in another chunk, carves a new one or ends (freeing a tree
 * of 60,000 values spent a third of its time on atomic subtractions): a
 * thread may so keep one chunk alive a while after its last value.
 *
 * Under AddressSanitizer the unused part of a chunk and every freed value
 * are poisoned: values are never reused while their chunk lives, so a use
 * after free or a read past a value is reported as it would be with
 * malloc().
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "alloc.h"

static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
/* Atomic: cleared by delete_exit_key() while other threads may run. */
static atomic_bool exit_key_made;

/*
 * free() for the paths argdata_free() takes: it promises to leave errno
 * alone, and C libraries older than POSIX 2024 may not.
 */
static void
free_keeping_errno(void *p)
{
	int saved = errno;

	free(p);
	errno = saved;
}

/* Takes the first spare, or NULL. */
static struct chunk *
take_spare(void)
{
	struct chunk *c = ad_self.spares;

	if (c == NULL)
		return NULL;
	if ((ad_self.spares = c->next) == NULL)
		ad_self.spares_tail = NULL;
	if (--ad_self.nspares < ad_self.low)
		ad_self.low = ad_self.nspares;
	return c;
}

/*
 * Frees the last n spares: those at the highest addresses, which the
 * address order would reuse last, and which lie nearest the top of the
 * heap that malloc() can give back to the kernel.
 */
static void
drop_spares(size_t n)
{
	struct chunk **link = &ad_self.spares, *last = NULL;

	for (size_t keep = ad_self.nspares - n; keep > 0; keep--) {
		last = *link;
		link = &last->next;
	}
	ad_self.spares_tail = last;
	while (*link != NULL) {
		struct chunk *c = *link;

		*link = c->next;
		ad_self.nspares--;
		AD_UNPOISON(c, AD_CHUNK_SIZE);
		free_keeping_errno(c);
	}
	if (ad_self.low > ad_self.nspares)
		ad_self.low = ad_self.nspares;
}

/* Counts a chunk about to be carved; at a period's end, frees spares. */
static void
count_carving(void)
{
	if (++ad_self.events < ad_self.period)
		return;
	if (ad_self.low > 0)
		drop_spares(ad_self.low);
	ad_self.events = 0;
	ad_self.low = ad_self.nspares;
	ad_self.period = 2 * ad_self.nspares > AD_SCAVENGE_PERIOD
	    ? 2 * ad_self.nspares
	    : AD_SCAVENGE_PERIOD;
}

/* A chunk with no values left becomes a spare of the calling thread. */
static void
release(struct chunk *c)
{
	if (!ad_self.registered) {
		/* Nobody would free it when this thread ends. */
		AD_UNPOISON(c, AD_CHUNK_SIZE);
		free_keeping_errno(c);
		return;
	}
	AD_POISON((char *)c + AD_CHUNK_HEADER, AD_CHUNK_SIZE - AD_CHUNK_HEADER);
	if (ad_self.spares != NULL &&
	    (uintptr_t)c < (uintptr_t)ad_self.spares) {
		c->next = ad_self.spares;
		ad_self.spares = c;
	} else {
		c->next = NULL;
		if (ad_self.spares_tail != NULL)
			ad_self.spares_tail->next = c;
		else
			ad_self.spares = c;
		ad_self.spares_tail = c;
	}
	ad_self.nspares++;
}

/* The owner gives a chunk up; it goes when its last value has gone. */
static void
retire(struct chunk *c)
{
	size_t give = AD_OWNED - c->carved;

	if (atomic_fetch_sub_explicit(&c->balance, give,
	        memory_order_acq_rel) == give)
		release(c);
}

/* Takes the frees counted in ad_self.pending from its balance. */
static void
flush_pending(void)
{
	struct chunk *c = ad_self.pending;
	size_t n = ad_self.npending;

	if (c == NULL)
		return;
	ad_self.pending = NULL;
	ad_self.npending = 0;
	if (atomic_fetch_sub_explicit(&c->balance, n, memory_order_acq_rel) ==
	    n) {
		/* Retired, and these were its last values. */
		release(c);
	}
}

/* A thread that ends gives up its chunk, whose values live on. */
static void
thread_exit(void *unused)
{
	struct chunk *c = ad_self.current;

	(void)unused;
	flush_pending();
	ad_self.current = NULL;
	if (c != NULL)
		retire(c);
	ad_self.registered = false;
	ad_self.exited = true;
	drop_spares(ad_self.nspares);
}

static void
make_exit_key(void)
{
	atomic_store(&exit_key_made,
	    pthread_key_create(&exit_key, thread_exit) == 0);
}

/*
 * When the code that holds thread_exit() is unloaded (a module linked with
 * the static library, then dlclose()d; the shared library is never
 * unloaded, -z nodelete), threads that end later must not call it: the key
 * goes with the code, and their chunks are left behind.
 */
static void __attribute__((destructor)) delete_exit_key(void)
{
	if (atomic_exchange(&exit_key_made, false))
		pthread_key_delete(exit_key);
}

/*
 * Whether this thread will give up its chunks when it ends. Without a
 * thread-specific key (the process ran out of them), every thread that
 * ended would keep its last chunk forever: values then come from malloc().
 */
static bool
register_thread(void)
{
	int saved = errno;

	if (ad_self.registered)
		return true;
	/*
	 * Once thread_exit() has run, another destructor may still make or
	 * free values, but a hook set now might never run (the C library
	 * stops after PTHREAD_DESTRUCTOR_ITERATIONS rounds): from then on,
	 * values come from malloc() and frees are subtracted at once.
	 */
	if (ad_self.exited)
		return false;
	pthread_once(&exit_once, make_exit_key);
	/* pthread_setspecific() may allocate; argdata_free() keeps errno. */
	if (!atomic_load(&exit_key_made) ||
	    pthread_setspecific(exit_key, &exit_key) != 0) {
		errno = saved;
		return false;
	}
	errno = saved;
	ad_self.registered = true;
	return true;
}

/*
 * Makes ad_self.current a chunk with at least size bytes free. Returns false
 * when values must come from malloc() instead.
 */
static bool
refill(size_t size)
{
	struct chunk *c = ad_self.current;

	flush_pending();
	if (c != NULL) {
		ad_self.current = NULL;
		retire(c);
	}
	if (size > AD_CHUNK_SIZE - AD_CHUNK_HEADER || !register_thread())
		return false;
	if ((c = take_spare()) != NULL) {
		/* Ready: poisoned when it became a spare. */
	} else if ((c = malloc(AD_CHUNK_SIZE)) == NULL) {
		/* Without memory: malloc() for the value fails too. */
		return false;
	} else {
		AD_POISON((char *)c + AD_CHUNK_HEADER,
		    AD_CHUNK_SIZE - AD_CHUNK_HEADER);
	}
	count_carving();
	atomic_init(&c->balance, AD_OWNED);
	c->carved = 0;
	c->used = AD_CHUNK_HEADER;
	ad_self.current = c;
	return true;
}

__thread struct thread_chunks ad_self;

argdata_t *
ad_node_alloc_slow(size_t size)
{
	size_t rounded = (size + AD_UNIT - 1) & ~(size_t)(AD_UNIT - 1);
	argdata_t *ad;

	if (size > AD_NODE_MAX || !refill(rounded)) {
		if ((ad = malloc(size)) != NULL)
			ad->home = 0;
		return ad;
	}
	return ad_node_alloc(size);
}

void
ad_node_free(argdata_t *ad, size_t size)
{
	struct chunk *c;

	if (ad->home == 0) {
		free_keeping_errno(ad);
		return;
	}
	c = (struct chunk *)(void *)((char *)ad - (size_t)ad->home * AD_UNIT);
	AD_POISON(ad, (size + AD_UNIT - 1) & ~(size_t)(AD_UNIT - 1));
	if (c != ad_self.current) {
		/*
		 * Counted, and taken from the balance when this thread frees
		 * in another chunk or carves a new one: until then the chunk
		 * cannot go, which is safe, and it is only ever one. A thread
		 * that cannot have its count taken when it ends subtracts at
		 * once.
		 */
		if (!ad_self.registered && !register_thread()) {
			if (atomic_fetch_sub_explicit(&c->balance, 1,
			        memory_order_acq_rel) == 1)
				release(c);
			return;
		}
		if (c != ad_self.pending) {
			flush_pending();
			ad_self.pending = c;
		}
		ad_self.npending++;
		return;
	}
	/*
	 * This thread carves from it and keeps its own count: no atomic.
	 * Other threads' frees are what the balance lacks of AD_OWNED.
	 */
	c->carved--;
	if (atomic_load_explicit(&c->balance, memory_order_acquire) ==
	    AD_OWNED - c->carved) {
		/* Now empty: carve it afresh, and let a pending one go. */
		flush_pending();
		atomic_store_explicit(&c->balance, AD_OWNED,
		    memory_order_relaxed);
		c->carved = 0;
		c->used = AD_CHUNK_HEADER;
		AD_POISON((char *)c + AD_CHUNK_HEADER,
		    AD_CHUNK_SIZE - AD_CHUNK_HEADER);
		count_carving();
	}
}

void
ad_alloc_trim(void)
{
	struct chunk *c = ad_self.current;

	flush_pending();
	if (c != NULL &&
	    atomic_load_explicit(&c->balance, memory_order_acquire) ==
	        AD_OWNED - c->carved) {
		ad_self.current = NULL;
		retire(c);
	}
	drop_spares(ad_self.nspares);
}
