/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fd_renumber.c - the parts of descriptor renumbering off the hot path
 * (fd_renumber.h): growing the dense table, and the hash table for
 * descriptors too large for it.
 */
#include <stdlib.h>
#include <string.h>

#include "fd_renumber.h"

void
ad_fdmap_init(struct fdmap *m, int *fds, size_t maxfds)
{
	*m = (struct fdmap){.fds = fds, .maxfds = maxfds};
	if (maxfds > UINT32_MAX / 4)
		return;
	m->dense_limit = 2 * maxfds + 64;
}

void
ad_fdmap_free(struct fdmap *m)
{
	free(m->dense);
	free(m->slots);
}

/*
 * Grows the dense table to hold fd (below dense_limit). Once growing has
 * failed, it stays as it is: descriptors it does not hold are in the hash
 * table, and must not get a second number.
 */
static bool
grow(struct fdmap *m, int fd)
{
	size_t n = m->ndense < 256 ? 256 : m->ndense;
	uint32_t *d;

	while (n <= (size_t)fd)
		n *= 2;
	if (n > m->dense_limit)
		n = m->dense_limit;
	if ((d = realloc(m->dense, n * sizeof(*d))) == NULL) {
		m->dense_limit = m->ndense;
		return false;
	}
	memset(d + m->ndense, 0, (n - m->ndense) * sizeof(*d));
	m->dense = d;
	m->ndense = n;
	return true;
}

/* The number of fd when the dense table cannot hold it. */
static uint32_t
number_sparse(struct fdmap *m, int fd)
{
	if (m->slots == NULL && !m->no_hash) {
		size_t size = 16;
		unsigned bits = 4;

		while (m->maxfds <= UINT32_MAX / 4 && size < 2 * m->maxfds) {
			size *= 2;
			bits++;
		}
		if (m->maxfds <= UINT32_MAX / 4 &&
		    (m->slots = calloc(size, sizeof(*m->slots))) != NULL) {
			m->mask = size - 1;
			m->shift = 64 - bits;
		} else {
			m->no_hash = true;
		}
	}
	if (m->slots == NULL) {
		/* Without memory: the descriptors seen so far, one by one. */
		for (size_t i = 0; i < m->n; i++)
			if (m->fds[i] == fd)
				return (uint32_t)i;
	} else {
		/* Fibonacci hashing: the high bits of the product. */
		size_t h = (size_t)(((uint64_t)(uint32_t)fd *
		                        UINT64_C(0x9e3779b97f4a7c15)) >>
		    m->shift);

		for (; m->slots[h] != 0; h = (h + 1) & m->mask)
			if (m->fds[m->slots[h] - 1] == fd)
				return m->slots[h] - 1;
		m->slots[h] = (uint32_t)m->n + 1;
	}
	m->fds[m->n] = fd;
	return (uint32_t)m->n++;
}

uint32_t
ad_fdmap_number_slow(struct fdmap *m, int fd)
{
	if ((size_t)fd < m->dense_limit && grow(m, fd))
		return ad_fdmap_number_dense(m, fd);
	return number_sparse(m, fd);
}
