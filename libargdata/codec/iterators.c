/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Map and sequence iterators. They live in caller-allocated storage: the
 * public index, then the state below in the opaque data array. For encoded
 * containers the current element is decoded into the iterator itself; for
 * containers made in memory the iterator points at the caller's arrays.
 */
#include <assert.h>
#include <stdalign.h>
#include <stddef.h>

#include "codec.h"

struct map_state {
	argdata_t key, value;       /* the current pair, when encoded */
	const argdata_t *container; /* the map, when made in memory */
	const uint8_t *pos, *end;   /* the next subfield, when encoded */
};

struct seq_state {
	argdata_t element;
	const argdata_t *container;
	const uint8_t *pos, *end;
};

static_assert(sizeof(struct map_state) <=
        sizeof(((argdata_map_iterator_t *)0)->data),
    "map iterator too small");
static_assert(sizeof(struct seq_state) <=
        sizeof(((argdata_seq_iterator_t *)0)->data),
    "seq iterator too small");
static_assert(
    offsetof(argdata_map_iterator_t, data) % alignof(struct map_state) == 0,
    "map iterator misaligned");
static_assert(
    offsetof(argdata_seq_iterator_t, data) % alignof(struct seq_state) == 0,
    "seq iterator misaligned");

#define MAP_STATE(it) ((struct map_state *)(void *)(it)->data)
#define SEQ_STATE(it) ((struct seq_state *)(void *)(it)->data)

/*
 * The payload of an encoded container with the given tag, or false when
 * ad is not one.
 */
static bool
encoded_container(const argdata_t *ad, uint8_t tag, const uint8_t **pos,
    const uint8_t **end)
{
	if (ad->repr != AD_BUFFER || ad->length == 0 ||
	    ad->u.buffer.data[0] != tag)
		return false;
	*pos = ad->u.buffer.data + 1;
	*end = ad->u.buffer.data + ad->length;
	return true;
}

/*
 * Decodes the next subfield into *out, which ad_init_buffer() prepared
 * when iteration began: only the bytes change from one element to the
 * next.
 */
static inline bool
next_field(const uint8_t **pos, const uint8_t *end, argdata_t *out)
{
	const uint8_t *field;
	size_t len;

	if (ad_read_subfield(pos, end, &field, &len) != NULL)
		return false;
	out->u.buffer.data = field;
	out->length = len;
	return true;
}

/*
 * The common case of ad_read_subfield(), for the next steps: a one-byte
 * length inside the container. Stores the field in *out and advances
 * *pos, or returns false and changes nothing.
 */
static inline bool
next_field_short(const uint8_t **pos, const uint8_t *end, argdata_t *out)
{
	const uint8_t *p = *pos;

	if (p < end && (*p & 0x80) && (size_t)(*p & 0x7f) < (size_t)(end - p)) {
		size_t len = *p & 0x7f;

		out->u.buffer.data = p + 1;
		out->length = len;
		*pos = p + 1 + len;
		return true;
	}
	return false;
}

/* Loads the pair at s->pos, or moves it->index to END or INVALID. */
static __attribute__((noinline)) void
map_load(argdata_map_iterator_t *it, size_t index)
{
	struct map_state *s = MAP_STATE(it);

	if (s->pos == s->end)
		it->index = ARGDATA_ITERATOR_END;
	else if (!next_field(&s->pos, s->end, &s->key) ||
	    !next_field(&s->pos, s->end, &s->value))
		it->index = ARGDATA_ITERATOR_INVALID;
	else
		it->index = index;
}

void
argdata_map_iterate(const argdata_t *ad, argdata_map_iterator_t *it)
{
	struct map_state *s = MAP_STATE(it);

	if (ad->repr == AD_MAP) {
		s->container = ad;
		it->index =
		    ad->u.container.count > 0 ? 0 : ARGDATA_ITERATOR_END;
	} else if (encoded_container(ad, AD_TAG_MAP, &s->pos, &s->end)) {
		s->container = NULL;
		/*
		 * Each made field by field: copying key to value would load
		 * what was just stored, in wider pieces than it was stored,
		 * which stalls store forwarding.
		 */
		ad_init_buffer(&s->key, NULL, 0, ad->u.buffer.convert_fd,
		    ad->u.buffer.convert_fd_arg);
		s->key.u.buffer.base = ad->u.buffer.base;
		ad_init_buffer(&s->value, NULL, 0, ad->u.buffer.convert_fd,
		    ad->u.buffer.convert_fd_arg);
		s->value.u.buffer.base = ad->u.buffer.base;
		map_load(it, 0);
	} else {
		s->container = NULL;
		it->index = ARGDATA_ITERATOR_INVALID;
	}
}

bool
argdata_map_get(const argdata_map_iterator_t *it, const argdata_t **key,
    const argdata_t **value)
{
	const struct map_state *s = (const void *)it->data;

	if (it->index >= ARGDATA_ITERATOR_INVALID)
		return false;
	if (s->container != NULL) {
		*key = s->container->u.container.keys[it->index];
		*value = s->container->u.container.values[it->index];
	} else {
		*key = &s->key;
		*value = &s->value;
	}
	return true;
}

void
argdata_map_next(argdata_map_iterator_t *it)
{
	struct map_state *s = MAP_STATE(it);

	/* END and INVALID stay: INVALID must not turn into END. */
	if (it->index >= ARGDATA_ITERATOR_INVALID)
		return;
	if (s->container != NULL) {
		it->index = it->index + 1 < s->container->u.container.count
		    ? it->index + 1
		    : ARGDATA_ITERATOR_END;
		return;
	}
	/* Inline: a pair with short lengths; map_load() does the rest. */
	const uint8_t *pos = s->pos;
	if (next_field_short(&pos, s->end, &s->key) &&
	    next_field_short(&pos, s->end, &s->value)) {
		s->pos = pos;
		it->index++;
		return;
	}
	map_load(it, it->index + 1);
}

static __attribute__((noinline)) void
seq_load(argdata_seq_iterator_t *it, size_t index)
{
	struct seq_state *s = SEQ_STATE(it);

	if (s->pos == s->end)
		it->index = ARGDATA_ITERATOR_END;
	else if (!next_field(&s->pos, s->end, &s->element))
		it->index = ARGDATA_ITERATOR_INVALID;
	else
		it->index = index;
}

void
argdata_seq_iterate(const argdata_t *ad, argdata_seq_iterator_t *it)
{
	struct seq_state *s = SEQ_STATE(it);

	if (ad->repr == AD_SEQ) {
		s->container = ad;
		it->index =
		    ad->u.container.count > 0 ? 0 : ARGDATA_ITERATOR_END;
	} else if (encoded_container(ad, AD_TAG_SEQ, &s->pos, &s->end)) {
		s->container = NULL;
		ad_init_buffer(&s->element, NULL, 0, ad->u.buffer.convert_fd,
		    ad->u.buffer.convert_fd_arg);
		s->element.u.buffer.base = ad->u.buffer.base;
		seq_load(it, 0);
	} else {
		s->container = NULL;
		it->index = ARGDATA_ITERATOR_INVALID;
	}
}

bool
argdata_seq_get(const argdata_seq_iterator_t *it, const argdata_t **element)
{
	const struct seq_state *s = (const void *)it->data;

	if (it->index >= ARGDATA_ITERATOR_INVALID)
		return false;
	*element = s->container != NULL
	    ? s->container->u.container.keys[it->index]
	    : &s->element;
	return true;
}

void
argdata_seq_next(argdata_seq_iterator_t *it)
{
	struct seq_state *s = SEQ_STATE(it);

	if (it->index >= ARGDATA_ITERATOR_INVALID)
		return;
	if (s->container != NULL) {
		it->index = it->index + 1 < s->container->u.container.count
		    ? it->index + 1
		    : ARGDATA_ITERATOR_END;
		return;
	}
	/* Inline: an element with a short length; seq_load() does the rest. */
	if (next_field_short(&s->pos, s->end, &s->element)) {
		it->index++;
		return;
	}
	seq_load(it, it->index + 1);
}
