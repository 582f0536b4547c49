/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the codec tests: encoding checks, fenced buffers and the
 * non-recursive full walk (see codec_test.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec_test.h"
#include "codec.h"

const char *
hex(const void *buf, size_t len)
{
	static char out[3 * 64 + 8];
	const uint8_t *p = buf;
	size_t i, n = len > 64 ? 64 : len;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + 3 * i, 4, "%02x ", p[i]);
	if (n < len)
		strcpy(out + 3 * n, "...");
	return out;
}

void
expect_encoding(const argdata_t *ad, const uint8_t *expected, size_t len)
{
	size_t size = SIZE_MAX, nfds = SIZE_MAX;
	uint8_t *buf;
	char want[3 * 64 + 8];

	argdata_serialized_length(ad, &size, &nfds);
	strcpy(want, hex(expected, len));
	if (size != len)
		fail_msg("serialized length %zu, expected %zu (%s)", size, len,
		    want);
	/* One spare byte, to catch a write past the reported length. */
	buf = malloc(len + 1);
	assert_non_null(buf);
	buf[len] = 0xa5;
	assert_int_equal(argdata_serialize(ad, buf, NULL), 0);
	if (len > 0 && memcmp(buf, expected, len) != 0)
		fail_msg("encoded as %s, expected %s", hex(buf, len), want);
	assert_int_equal(buf[len], 0xa5);
	free(buf);
}

void *
fenced_copy(struct fenced *f, const void *src, size_t len, bool at_end)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t inner = (len + page - 1) / page * page;
	uint8_t *map;

	if (inner == 0)
		inner = page;
	f->maplen = inner + 2 * page;
	map = mmap(NULL, f->maplen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	    0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, inner, PROT_READ | PROT_WRITE),
	    0);
	f->map = map;
	f->buf = at_end ? map + page + inner - len : map + page;
	if (len > 0)
		memcpy(f->buf, src, len);
	/* The decoder gets a read-only view, as it would of a mapped file. */
	assert_int_equal(mprotect(map + page, inner, PROT_READ), 0);
	return f->buf;
}

void
fenced_free(struct fenced *f)
{
	if (f->map != NULL)
		munmap(f->map, f->maplen);
	f->map = NULL;
}

int
convert_fd_identity(void *arg, size_t number)
{
	(void)arg;
	return number <= INT_MAX ? (int)number : -1;
}

int
convert_fd_refuse(void *arg, size_t number)
{
	(void)arg;
	(void)number;
	return -1;
}

/*
 * One level of the walk. Iterators must not move once set up, since the
 * values they yield may live inside them, so levels are kept in blocks that
 * are never reallocated. A map level yields its key, then its value (phase),
 * and only then moves its iterator.
 */
struct level {
	bool is_map;
	bool started;
	int phase;
	union {
		argdata_map_iterator_t map;
		argdata_seq_iterator_t seq;
	};
};

#define LEVELS_PER_BLOCK 4096

struct block {
	struct block *prev;
	struct level levels[LEVELS_PER_BLOCK];
};

/* Reads one scalar; returns false on a defect. */
static bool
read_scalar(const argdata_t *ad, argdata_type_t type)
{
	const void *bin;
	const char *str;
	size_t len;
	bool b;
	int fd, error;
	double d;
	intmax_t s;
	uintmax_t u;
	struct timespec ts;

	switch (type) {
	case ARGDATA_TYPE_NULL:
		return true;
	case ARGDATA_TYPE_BINARY:
		return argdata_get_binary(ad, &bin, &len) == 0;
	case ARGDATA_TYPE_BOOL:
		return argdata_get_bool(ad, &b) == 0;
	case ARGDATA_TYPE_FD:
		error = argdata_get_fd(ad, &fd);
		return error == 0 || error == EBADF;
	case ARGDATA_TYPE_FLOAT:
		return argdata_get_float(ad, &d) == 0;
	case ARGDATA_TYPE_INT:
		error = argdata_get_int_s(ad, &s, INTMAX_MIN, INTMAX_MAX);
		if (error == ERANGE)
			error = argdata_get_int_u(ad, &u, UINTMAX_MAX);
		return error == 0 || error == ERANGE;
	case ARGDATA_TYPE_STR:
		return argdata_get_str(ad, &str, &len) == 0;
	case ARGDATA_TYPE_TIMESTAMP:
		error = argdata_get_timestamp(ad, &ts);
		return error == 0 || error == ERANGE;
	default:
		fail_msg("get_type returned unknown type %d", (int)type);
		return false;
	}
}

bool
walk_tree(const argdata_t *ad, size_t *values)
{
	struct block *top = NULL, *b;
	size_t depth = 0, count = 0;
	const argdata_t *cur = ad, *key, *value;
	argdata_type_t type;
	bool ok = true;
	struct level *lv;

	for (;;) {
		/* Read cur, entering it when it is a container. */
		if (cur != NULL) {
			count++;
			if (argdata_get_type(cur, &type) != 0) {
				ok = false;
				break;
			}
			if (type == ARGDATA_TYPE_MAP ||
			    type == ARGDATA_TYPE_SEQ) {
				if (depth % LEVELS_PER_BLOCK == 0) {
					b = malloc(sizeof(*b));
					assert_non_null(b);
					b->prev = top;
					top = b;
				}
				lv = &top->levels[depth % LEVELS_PER_BLOCK];
				depth++;
				lv->is_map = type == ARGDATA_TYPE_MAP;
				lv->started = false;
				lv->phase = 0;
				if (lv->is_map)
					argdata_map_iterate(cur, &lv->map);
				else
					argdata_seq_iterate(cur, &lv->seq);
			} else if (!read_scalar(cur, type)) {
				ok = false;
				break;
			}
			cur = NULL;
		}
		if (depth == 0)
			break;

		/* Take the next element of the innermost container. */
		lv = &top->levels[(depth - 1) % LEVELS_PER_BLOCK];
		if (lv->is_map && lv->phase == 1) {
			assert_true(argdata_map_get(&lv->map, &key, &value));
			cur = value;
			lv->phase = 0;
			continue;
		}
		if (lv->is_map) {
			if (lv->started)
				argdata_map_next(&lv->map);
			lv->started = true;
			if (argdata_map_get(&lv->map, &key, &value)) {
				cur = key;
				lv->phase = 1;
				continue;
			}
			ok = lv->map.index == ARGDATA_ITERATOR_END;
		} else {
			if (lv->started)
				argdata_seq_next(&lv->seq);
			lv->started = true;
			if (argdata_seq_get(&lv->seq, &cur))
				continue;
			ok = lv->seq.index == ARGDATA_ITERATOR_END;
		}
		if (!ok)
			break;

		/* The container is done: leave it. */
		depth--;
		if (depth % LEVELS_PER_BLOCK == 0) {
			b = top->prev;
			free(top);
			top = b;
		}
	}
	while (top != NULL) {
		b = top->prev;
		free(top);
		top = b;
	}
	if (values != NULL)
		*values = count;
	return ok;
}

bool
ad_walk_tree(const argdata_t *ad, size_t *values)
{
	struct ad_walk w;
	struct ad_walk_event ev;
	size_t count = 0, open = 0;
	int error;

	ad_walk_init(&w, ad);
	while (
	    (error = ad_walk_next(&w, &ev)) == 0 && ev.kind != AD_WALK_DONE) {
		if (ev.kind == AD_WALK_END) {
			assert_true(open > 0);
			open--;
			assert_int_equal(ev.depth, open);
			continue;
		}
		assert_int_equal(ev.depth, open);
		assert_non_null(ev.value);
		count++;
		if (ev.kind == AD_WALK_BEGIN)
			open++;
	}
	ad_walk_free(&w);
	if (error != 0) {
		assert_int_equal(error, EINVAL);
		assert_non_null(ev.error);
	} else {
		assert_int_equal(open, 0);
	}
	*values = count;
	return error == 0;
}
