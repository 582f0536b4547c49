/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fd_renumber.h - descriptor renumbering, as argdata_serialize() does it:
 * each source descriptor gets the next number in order of first
 * appearance, and a descriptor met again gets the number it got first.
 * The hot path is inline here; growing the tables is in fd_renumber.c.
 */
#ifndef ARGDATA_FD_RENUMBER_H
#define ARGDATA_FD_RENUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Source descriptor -> number in the output.
 *
 * Descriptor numbers are small and dense in practice, so most go through
 * a table indexed by the descriptor itself: one access, to memory that
 * stays in cache (a hash spreads even consecutive descriptors over the
 * whole table, and every lookup missed the cache). The table grows to the
 * largest descriptor met, as long as it stays linear in the number of
 * descriptor values; larger descriptors go to a hash table, made when the
 * first one is met.
 */
struct fdmap {
	int *fds;        /* the caller's array: fds[number] = source */
	size_t n;        /* numbers handed out */
	uint32_t *dense; /* dense[fd]: number + 1, or 0 when not seen */
	size_t ndense;
	size_t dense_limit; /* what dense may grow to */
	uint32_t *slots;    /* open addressing: number + 1, or 0 when free */
	size_t mask;
	unsigned shift; /* 64 - log2 of the number of slots */
	size_t maxfds;
	bool no_hash; /* making the hash table failed: search fds */
};

/*
 * Prepares m to number at most maxfds descriptor values into fds (the
 * caller's array, maxfds long): fds[number] receives the source. Never
 * fails: without memory, numbering falls back to a linear search.
 */
void ad_fdmap_init(struct fdmap *m, int *fds, size_t maxfds);
void ad_fdmap_free(struct fdmap *m);

/* The number of fd when the dense table does not hold it yet. */
uint32_t ad_fdmap_number_slow(struct fdmap *m, int fd);

/* The number of fd, which the dense table holds. */
static inline uint32_t
ad_fdmap_number_dense(struct fdmap *m, int fd)
{
	uint32_t *slot = &m->dense[fd];

	if (*slot == 0) {
		m->fds[m->n] = fd;
		*slot = (uint32_t)++m->n;
	}
	return *slot - 1;
}

static inline uint32_t
ad_fdmap_number(struct fdmap *m, int fd)
{
	if ((size_t)fd < m->ndense)
		return ad_fdmap_number_dense(m, fd);
	return ad_fdmap_number_slow(m, fd);
}

#endif
