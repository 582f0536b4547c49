/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * alloc.h - the chunks that values made in memory are carved from
 * (alloc.c), and the inline part of carving one. Never installed.
 */
#ifndef ARGDATA_ALLOC_H
#define ARGDATA_ALLOC_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "codec.h"

#if defined(__SANITIZE_ADDRESS__)
#define AD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AD_ASAN 1
#endif
#endif

/*
 * Memory outside live values is poisoned for AddressSanitizer and, when
 * the build found valgrind's headers (AD_VALGRIND), made inaccessible for
 * memcheck; both then report a use after free or a read past a value.
 */
#ifdef AD_ASAN
#include <sanitizer/asan_interface.h>
#define AD_ASAN_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define AD_ASAN_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define AD_ASAN_POISON(p, n) ((void)(p), (void)(n))
#define AD_ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#ifdef AD_VALGRIND
#include <memcheck.h>
#define AD_VG_POISON(p, n) VALGRIND_MAKE_MEM_NOACCESS(p, n)
#define AD_VG_UNPOISON(p, n) VALGRIND_MAKE_MEM_UNDEFINED(p, n)
#else
#define AD_VG_POISON(p, n) ((void)(p), (void)(n))
#define AD_VG_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define AD_POISON(p, n)                                                        \
	do {                                                                   \
		AD_ASAN_POISON(p, n);                                          \
		AD_VG_POISON(p, n);                                            \
	} while (0)
#define AD_UNPOISON(p, n)                                                      \
	do {                                                                   \
		AD_ASAN_UNPOISON(p, n);                                        \
		AD_VG_UNPOISON(p, n);                                          \
	} while (0)

#define AD_CHUNK_SIZE 8192
#define AD_UNIT 16
/* Larger values come from malloc() one by one. */
#define AD_NODE_MAX 512
#define AD_SCAVENGE_PERIOD 256

/* Part of a chunk's balance while a thread carves from it. */
#define AD_OWNED ((size_t)1 << (sizeof(size_t) * CHAR_BIT - 1))

struct chunk {
	/*
	 * AD_OWNED while its thread carves from it, minus the values other
	 * threads freed; when the thread moves on it adds its own count, so
	 * that the balance is then the number of values alive.
	 */
	atomic_size_t balance;
	/*
	 * The owning thread's alone: values carved and not freed by it,
	 * bytes used.
	 */
	size_t carved;
	size_t used;
	/* Among the spares: the next one. */
	struct chunk *next;
};

#define AD_CHUNK_HEADER                                                        \
	((sizeof(struct chunk) + AD_UNIT - 1) / AD_UNIT * AD_UNIT)

_Static_assert(AD_CHUNK_SIZE / AD_UNIT <= UINT16_MAX, "home does not fit");
_Static_assert(AD_CHUNK_HEADER > 0, "home 0 must mean malloc");

struct thread_chunks {
	struct chunk *current;
	/* Spares, mostly in address order. */
	struct chunk *spares, *spares_tail;
	size_t nspares;
	/*
	 * The fewest spares since the period began, chunks carved since,
	 * and the period's length in chunks.
	 */
	size_t low;
	size_t events;
	size_t period;
	/*
	 * Frees in a chunk of another thread, or a retired one, not yet
	 * taken from its balance: one atomic per run of frees in a chunk,
	 * not one per value.
	 */
	struct chunk *pending;
	size_t npending;
	bool registered;
	/* thread_exit() has run: no more chunks for this thread. */
	bool exited;
};

extern __thread struct thread_chunks ad_self
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* ad_node_alloc() when the current chunk cannot hold the value. */
argdata_t *ad_node_alloc_slow(size_t size);

static inline argdata_t *
ad_node_alloc(size_t size)
{
	size_t rounded = (size + AD_UNIT - 1) & ~(size_t)(AD_UNIT - 1);
	struct chunk *c = ad_self.current;
	argdata_t *ad;

	if (__builtin_expect(c == NULL || size > AD_NODE_MAX ||
	            AD_CHUNK_SIZE - c->used < rounded,
	        0))
		return ad_node_alloc_slow(size);
	ad = (argdata_t *)(void *)((char *)c + c->used);
	AD_UNPOISON(ad, size);
	ad->home = (uint16_t)(c->used / AD_UNIT);
	c->used += rounded;
	c->carved++;
	return ad;
}

#endif
