/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grow.h - the one way arrays grow in this project: by doubling, with the
 * arithmetic checked, from heap storage or from a small array on the
 * caller's stack. Header-only, so that every layer and tool can use it.
 */
#ifndef ARGDATA_GROW_H
#define ARGDATA_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Makes room in the array at *arrayp (a pointer to the array's pointer),
 * of *cap elements of size bytes of which used are in use, for more
 * elements beyond those: the capacity doubles (from at least 8) until they
 * fit. When local is not NULL and the array is still local (a buffer of
 * the caller's, *cap elements long), the first growth moves it to the
 * heap, copying the used elements; the caller frees the array only when
 * it is no longer local. Returns 0, or ENOMEM with the array and *cap
 * unchanged.
 */
static inline int
ad_grow(void *arrayp, size_t *cap, size_t used, size_t more, size_t size,
    const void *local)
{
	void *array, *p;
	size_t ncap;

	if (more <= *cap - used)
		return 0;
	if (size == 0 || more > SIZE_MAX / size - used)
		return ENOMEM;
	ncap = *cap < 8 ? 8 : *cap;
	while (ncap < used + more)
		ncap = ncap > SIZE_MAX / size / 2 ? used + more : ncap * 2;
	memcpy(&array, arrayp, sizeof(array));
	if (local != NULL && array == local) {
		if ((p = malloc(ncap * size)) == NULL)
			return ENOMEM;
		if (used > 0)
			memcpy(p, array, used * size);
	} else if ((p = realloc(array, ncap * size)) == NULL) {
		return ENOMEM;
	}
	memcpy(arrayp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

#endif
