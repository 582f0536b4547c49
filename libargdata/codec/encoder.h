/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encoder.h - the streaming encoder's state (argdata_encode_*), shared by
 * encoder.c (values and containers), encoder_fds.c (descriptor numbers)
 * and encoder_finish.c (the long lengths inserted, the result). Never
 * installed.
 */
#ifndef ARGDATA_ENCODER_H
#define ARGDATA_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/* Descriptors below this go through the dense table. */
#define DENSE_LIMIT 65536

/* An open container. */
struct frame {
	size_t tag;   /* offset of its tag byte */
	size_t extra; /* bytes that longer lengths inside it will add */
	bool map;
	bool key_next; /* a map: the next subfield is a key */
};

/* A container of 128 bytes or more: its reserved byte and its length. */
struct fixup {
	size_t pos;
	size_t len;
};

struct argdata_encoder_t {
	uint8_t *buf;
	size_t len, cap;
	bool own;      /* buf is the encoder's own, and grows */
	bool done;     /* the top-level value is complete */
	bool finished; /* the noted lengths are in place */
	int error;     /* sticky */
	struct frame *stack, *top;
	size_t depth, stack_cap;
	struct fixup *fix;
	size_t nfix, fix_cap, extra;
	/* Descriptors: fds[number], and the tables that give numbers. */
	int *fds;
	size_t nfds, fds_cap;
	uint32_t *dense; /* dense[fd]: number + 1, or 0 */
	size_t ndense;
	uint32_t *slots; /* open addressing: number + 1, or 0 when free */
	size_t nslots;
};

static inline int
ad_encoder_error(argdata_encoder_t *e, int error)
{
	e->error = error;
	return error;
}

/* Makes room for n more bytes, or sets ENOBUFS or ENOMEM. */
int ad_encoder_grow(argdata_encoder_t *e, size_t n);

static inline int
ad_encoder_reserve(argdata_encoder_t *e, size_t n)
{
	if (__builtin_expect(e->cap - e->len >= n, 1))
		return 0;
	return ad_encoder_grow(e, n);
}

/*
 * The number of descriptor fd when the dense table does not have it yet:
 * 0 with *number, or ENOMEM (encoder_fds.c).
 */
int ad_encoder_number_slow(argdata_encoder_t *e, int fd, uint32_t *number);

#endif
