/*
 * Memory for values made in memory. Building a tree makes one value per
 * scalar, and malloc() costs more than all the rest of a constructor, so
 * each thread carves its values front to back out of chunks of its own.
 *
 * A chunk counts its values that are still alive. When the last one is
 * freed, by whichever thread, the chunk goes to that thread's spares, to
 * be carved again. A chunk is never carved again while any of its values
 * lives, so one long-lived value keeps its whole chunk (CHUNK_SIZE bytes)
 * alive: trees are made and freed together, and for them this is the
 * better trade.
 *
 * Spares are kept because handing them back at once costs more than it
 * saves: malloc() merges the chunks of a freed tree and returns them to
 * the kernel, and the next tree of that size faults every page in again
 * (two to three times the time of building it). They are not kept
 * forever: the spares that were never needed while the thread carved
 * twice as many chunks as it had spares (and at least SCAVENGE_PERIOD),
 * the fewest there were in that time, go back to malloc(). A tree built
 * and freed over and over keeps its chunks; the chunks of a large tree
 * freed once go back while smaller trees are made. A thread that ends
 * frees its spares; one that stops making values keeps them.
 *
 * Under AddressSanitizer the unused part of a chunk and every freed value
 * are poisoned: values are never reused while their chunk lives, so a use
 * after free or a read past a value is reported as it would be with
 * malloc().
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define AD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AD_ASAN 1
#endif
#endif

#ifdef AD_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define CHUNK_SIZE 8192
#define UNIT 16
/* Larger values come from malloc() one by one. */
#define NODE_MAX 512
#define SCAVENGE_PERIOD 256

/* Part of a chunk's balance while a thread carves from it. */
#define OWNED ((size_t)1 << (sizeof(size_t) * CHAR_BIT - 1))

struct chunk {
	/*
	 * OWNED while its thread carves from it, minus the values freed;
	 * when the thread moves on it adds the number it carved, so that
	 * the balance is then the number of values alive.
	 */
	atomic_size_t balance;
	/* The owning thread's alone: values carved, bytes used. */
	size_t carved;
	size_t used;
	/* Among the spares: the next one. */
	struct chunk *next;
};

#define HEADER ((sizeof(struct chunk) + UNIT - 1) / UNIT * UNIT)

_Static_assert(CHUNK_SIZE / UNIT <= UINT16_MAX, "home does not fit");
_Static_assert(HEADER > 0, "home 0 must mean malloc");

struct thread_chunks {
	struct chunk *current;
	struct chunk *spares;
	size_t nspares;
	/*
	 * The fewest spares since the period began, chunks carved since,
	 * and the period's length in chunks.
	 */
	size_t low;
	size_t events;
	size_t period;
	bool registered;
};

static __thread struct thread_chunks self
    __attribute__((tls_model("initial-exec")));

static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static bool exit_key_made;

/* Frees the oldest n spares: the newest are warm in the cache. */
static void
drop_spares(size_t n)
{
	struct chunk **link = &self.spares;

	for (size_t keep = self.nspares - n; keep > 0; keep--)
		link = &(*link)->next;
	while (*link != NULL) {
		struct chunk *c = *link;

		*link = c->next;
		UNPOISON(c, CHUNK_SIZE);
		free(c);
		self.nspares--;
	}
	if (self.low > self.nspares)
		self.low = self.nspares;
}

/* Counts a chunk about to be carved; at a period's end, frees spares. */
static void
count_carving(void)
{
	if (++self.events < self.period)
		return;
	if (self.low > 0)
		drop_spares(self.low);
	self.events = 0;
	self.low = self.nspares;
	self.period = 2 * self.nspares > SCAVENGE_PERIOD ? 2 * self.nspares
	    : SCAVENGE_PERIOD;
}

/* A chunk with no values left becomes a spare of the calling thread. */
static void
release(struct chunk *c)
{
	if (!self.registered) {
		/* Nobody would free it when this thread ends. */
		UNPOISON(c, CHUNK_SIZE);
		free(c);
		return;
	}
	POISON((char *)c + HEADER, CHUNK_SIZE - HEADER);
	c->next = self.spares;
	self.spares = c;
	self.nspares++;
}

/* The owner gives a chunk up; it goes when its last value has gone. */
static void
retire(struct chunk *c)
{
	size_t give = OWNED - c->carved;

	if (atomic_fetch_sub_explicit(&c->balance, give,
	    memory_order_acq_rel) == give)
		release(c);
}

/* A thread that ends gives up its chunk, whose values live on. */
static void
thread_exit(void *unused)
{
	struct chunk *c = self.current;

	(void)unused;
	self.current = NULL;
	if (c != NULL)
		retire(c);
	self.registered = false;
	drop_spares(self.nspares);
}

static void
make_exit_key(void)
{
	exit_key_made = pthread_key_create(&exit_key, thread_exit) == 0;
}

/*
 * Whether this thread will give up its chunks when it ends. Without a
 * thread-specific key (the process ran out of them), every thread that
 * ended would keep its last chunk forever: values then come from malloc().
 */
static bool
register_thread(void)
{
	if (self.registered)
		return true;
	pthread_once(&exit_once, make_exit_key);
	if (!exit_key_made || pthread_setspecific(exit_key, &exit_key) != 0)
		return false;
	self.registered = true;
	return true;
}

/*
 * Makes self.current a chunk with at least size bytes free. Returns false
 * when values must come from malloc() instead.
 */
static __attribute__((noinline)) bool
refill(size_t size)
{
	struct chunk *c = self.current;

	if (c != NULL) {
		self.current = NULL;
		retire(c);
	}
	if (size > CHUNK_SIZE - HEADER || !register_thread())
		return false;
	if ((c = self.spares) != NULL) {
		self.spares = c->next;
		if (--self.nspares < self.low)
			self.low = self.nspares;
	} else if ((c = malloc(CHUNK_SIZE)) == NULL) {
		/* Without memory: malloc() for the value fails too. */
		return false;
	} else {
		POISON((char *)c + HEADER, CHUNK_SIZE - HEADER);
	}
	count_carving();
	atomic_init(&c->balance, OWNED);
	c->carved = 0;
	c->used = HEADER;
	self.current = c;
	return true;
}

argdata_t *
ad_node_alloc(size_t size)
{
	size_t rounded = (size + UNIT - 1) & ~(size_t)(UNIT - 1);
	struct chunk *c = self.current;
	argdata_t *ad;

	if (size > NODE_MAX ||
	    ((c == NULL || CHUNK_SIZE - c->used < rounded) &&
		(!refill(rounded) || (c = self.current) == NULL))) {
		if ((ad = malloc(size)) != NULL)
			ad->home = 0;
		return ad;
	}
	ad = (argdata_t *)(void *)((char *)c + c->used);
	UNPOISON(ad, size);
	ad->home = (uint16_t)(c->used / UNIT);
	c->used += rounded;
	c->carved++;
	return ad;
}

void
ad_node_free(argdata_t *ad, size_t size)
{
	struct chunk *c;
	size_t before;

	if (ad->home == 0) {
		free(ad);
		return;
	}
	c = (struct chunk *)(void *)((char *)ad - (size_t)ad->home * UNIT);
	POISON(ad, (size + UNIT - 1) & ~(size_t)(UNIT - 1));
	before = atomic_fetch_sub_explicit(&c->balance, 1,
	    memory_order_acq_rel);
	if (before == 1) {
		/* Retired, and this was its last value. */
		release(c);
	} else if (c == self.current && before - 1 == OWNED - c->carved) {
		/* This thread's own chunk, now empty: carve it afresh. */
		atomic_store_explicit(&c->balance, OWNED,
		    memory_order_relaxed);
		c->carved = 0;
		c->used = HEADER;
		POISON((char *)c + HEADER, CHUNK_SIZE - HEADER);
		count_carving();
	}
}

void
ad_alloc_trim(void)
{
	struct chunk *c = self.current;

	if (c != NULL && atomic_load_explicit(&c->balance,
	    memory_order_acquire) == OWNED - c->carved) {
		self.current = NULL;
		retire(c);
	}
	drop_spares(self.nspares);
}
