/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encoder_fds.c - the streaming encoder's descriptor numbers: each
 * descriptor gets the next number when it first comes, through a table
 * indexed by the descriptor (they are small and dense in practice) or,
 * for descriptors of DENSE_LIMIT or more, a hash table. The table of
 * descriptors by number grows as they come: unlike argdata_serialize(),
 * the encoder does not know their count beforehand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encoder.h"
#include "grow.h"

/* Appends fd to the table: its number. */
static int
new_number(argdata_encoder_t *e, int fd, uint32_t *number)
{
	/* Numbers are 32 bits on the wire. */
	if (e->nfds >= UINT32_MAX / 2 ||
	    ad_grow(&e->fds, &e->fds_cap, e->nfds, 1, sizeof(*e->fds), NULL) !=
	        0)
		return ENOMEM;
	e->fds[e->nfds] = fd;
	*number = (uint32_t)e->nfds++;
	return 0;
}

/* Doubles the hash table of large descriptors, keeping what it holds. */
static int
rehash(argdata_encoder_t *e)
{
	size_t n = e->nslots == 0 ? 64 : 2 * e->nslots;
	uint32_t *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return ENOMEM;
	for (size_t i = 0; i < e->nslots; i++) {
		uint32_t v = e->slots[i];
		size_t h;

		if (v == 0)
			continue;
		h = (size_t)((uint32_t)e->fds[v - 1] * UINT32_C(2654435761)) &
		    (n - 1);
		while (s[h] != 0)
			h = (h + 1) & (n - 1);
		s[h] = v;
	}
	free(e->slots);
	e->slots = s;
	e->nslots = n;
	return 0;
}

/* The number of a descriptor of DENSE_LIMIT or more. */
static int
number_sparse(argdata_encoder_t *e, int fd, uint32_t *number)
{
	size_t h;
	int error;

	/* At most half full; nfds bounds what the table holds. */
	if (e->nslots < 2 * (e->nfds + 1) && (error = rehash(e)) != 0)
		return error;
	h = (size_t)((uint32_t)fd * UINT32_C(2654435761)) & (e->nslots - 1);
	for (; e->slots[h] != 0; h = (h + 1) & (e->nslots - 1)) {
		if (e->fds[e->slots[h] - 1] == fd) {
			*number = e->slots[h] - 1;
			return 0;
		}
	}
	if ((error = new_number(e, fd, number)) != 0)
		return error;
	e->slots[h] = *number + 1;
	return 0;
}

int
ad_encoder_number_slow(argdata_encoder_t *e, int fd, uint32_t *number)
{
	int error;

	if (fd >= DENSE_LIMIT)
		return number_sparse(e, fd, number);
	if ((size_t)fd >= e->ndense) {
		size_t n = e->ndense == 0 ? 256 : e->ndense;
		uint32_t *d;

		while (n <= (size_t)fd)
			n *= 2;
		if ((d = realloc(e->dense, n * sizeof(*d))) == NULL)
			return ENOMEM;
		memset(d + e->ndense, 0, (n - e->ndense) * sizeof(*d));
		e->dense = d;
		e->ndense = n;
	}
	if (e->dense[fd] == 0) {
		if ((error = new_number(e, fd, number)) != 0)
			return error;
		e->dense[fd] = *number + 1;
	}
	*number = e->dense[fd] - 1;
	return 0;
}
