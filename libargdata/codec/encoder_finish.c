/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encoder_finish.c - argdata_encoder_finish(): the lengths of containers
 * that grew past the byte reserved for them, inserted in one pass from
 * the back; and the result as a value (argdata_encoder_value).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "encoder.h"

static int
by_pos(const void *a, const void *b)
{
	const struct fixup *x = a, *y = b;

	return (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * Inserts the noted lengths: from the back, each stretch of bytes between
 * two reserved bytes moves once, to where the longer lengths before it
 * put it.
 */
static int
insert_lengths(argdata_encoder_t *e)
{
	size_t add = e->extra, src, dst;
	bool ascending = true, descending = true;

	for (size_t i = 1; i < e->nfix; i++) {
		ascending &= e->fix[i - 1].pos < e->fix[i].pos;
		descending &= e->fix[i - 1].pos > e->fix[i].pos;
	}
	if (descending) {
		for (size_t i = 0, j = e->nfix - 1; i < j; i++, j--) {
			struct fixup t = e->fix[i];
			e->fix[i] = e->fix[j];
			e->fix[j] = t;
		}
	} else if (!ascending) {
		qsort(e->fix, e->nfix, sizeof(*e->fix), by_pos);
	}
	if (ad_encoder_reserve(e, add) != 0)
		return e->error;
	src = e->len;
	dst = e->len + add;
	for (size_t i = e->nfix; i-- > 0;) {
		size_t pos = e->fix[i].pos, seg = src - (pos + 1);
		size_t w = ad_prefix_size(e->fix[i].len);

		memmove(e->buf + dst - seg, e->buf + pos + 1, seg);
		dst -= seg + w;
		ad_write_prefix(e->buf + dst, e->fix[i].len);
		src = pos;
	}
	e->len += add;
	e->nfix = 0;
	return 0;
}

int
argdata_encoder_finish(argdata_encoder_t *e, const void **data, size_t *len,
    const int **fds, size_t *nfds)
{
	static const int no_fds[1] = {-1};
	int error;

	if (e->error != 0)
		return e->error;
	if (e->top != NULL)
		return ad_encoder_error(e, EINVAL);
	if (!e->finished) {
		if (e->nfix > 0 && (error = insert_lengths(e)) != 0)
			return error;
		e->finished = true;
		e->done = true;
	}
	*data = e->buf != NULL ? (const void *)e->buf : (const void *)"";
	*len = e->len;
	if (fds != NULL)
		*fds = e->nfds > 0 ? e->fds : no_fds;
	if (nfds != NULL)
		*nfds = e->nfds;
	return 0;
}

static int
encoder_convert_fd(void *arg, size_t number)
{
	const argdata_encoder_t *e = arg;

	return number < e->nfds ? e->fds[number] : -1;
}

argdata_t *
argdata_encoder_value(argdata_encoder_t *e)
{
	const void *data;
	size_t len;
	int error;

	if ((error = argdata_encoder_finish(e, &data, &len, NULL, NULL)) != 0) {
		errno = error;
		return NULL;
	}
	return argdata_from_buffer(data, len, encoder_convert_fd, e);
}
