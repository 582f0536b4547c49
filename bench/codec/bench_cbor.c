/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The codec benchmark's libcbor side: encodes each subject with libcbor's
 * streaming encoder (cbor_encode_*, the counterpart of msgpack's packer;
 * cbor_serialize recurses once per level and cannot write "deep"), and
 * decodes it with cbor_load plus a full walk of the item tree. Descriptors
 * are tag BENCH_CBOR_FD_TAG on an unsigned integer.
 */
#include <cbor.h>

#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* A growable output buffer. */
struct out {
	unsigned char *buf;
	size_t len, cap;
};

static int
reserve(struct out *o, size_t n)
{
	if (o->cap - o->len >= n)
		return 0;
	size_t cap = o->cap ? o->cap : 4096;
	while (cap - o->len < n)
		cap *= 2;
	unsigned char *b = realloc(o->buf, cap);
	if (b == NULL)
		return -1;
	o->buf = b;
	o->cap = cap;
	return 0;
}

/* The largest head cbor_encode_* writes: an initial byte and 8 bytes. */
#define HEAD 9

static void
put_int(struct out *o, int64_t v)
{
	if (v >= 0)
		o->len += cbor_encode_uint((uint64_t)v, o->buf + o->len, HEAD);
	else
		o->len += cbor_encode_negint((uint64_t)(-1 - v),
		    o->buf + o->len, HEAD);
}

static void
put_str(struct out *o, const char *s, size_t len)
{
	o->len += cbor_encode_string_start(len, o->buf + o->len, HEAD);
	memcpy(o->buf + o->len, s, len);
	o->len += len;
}

static const char *const inner_keys[] = {"name", "port", "enabled", "ratio",
    "sock"};

static int
cb_build(const struct dataset *ds, enum subject s, struct encoded *out)
{
	struct out *o = calloc(1, sizeof(*o));
	out->state = o;
	if (o == NULL || reserve(o, HEAD) != 0)
		return -1;
	switch (s) {
	case SUBJECT_CONFIG:
		o->len += cbor_encode_map_start(ds->nconfig, o->buf, HEAD);
		for (size_t i = 0; i < ds->nconfig; i++) {
			const struct config_entry *e = &ds->config[i];
			if (reserve(o, 12 * HEAD + 64) != 0)
				return -1;
			put_str(o, e->key, e->keylen);
			o->len +=
			    cbor_encode_map_start(5, o->buf + o->len, HEAD);
			put_str(o, inner_keys[0], strlen(inner_keys[0]));
			put_str(o, e->name, 20);
			put_str(o, inner_keys[1], strlen(inner_keys[1]));
			put_int(o, e->port);
			put_str(o, inner_keys[2], strlen(inner_keys[2]));
			o->len +=
			    cbor_encode_bool(e->enabled, o->buf + o->len, HEAD);
			put_str(o, inner_keys[3], strlen(inner_keys[3]));
			o->len +=
			    cbor_encode_double(e->ratio, o->buf + o->len, HEAD);
			put_str(o, inner_keys[4], strlen(inner_keys[4]));
			o->len += cbor_encode_tag(BENCH_CBOR_FD_TAG,
			    o->buf + o->len, HEAD);
			put_int(o, e->sock);
		}
		break;
	case SUBJECT_INTS:
		o->len += cbor_encode_array_start(ds->nints, o->buf, HEAD);
		for (size_t i = 0; i < ds->nints; i++) {
			if (reserve(o, HEAD) != 0)
				return -1;
			put_int(o, ds->ints[i]);
		}
		break;
	default:
		for (size_t i = 0; i <= ds->depth; i++) {
			if (reserve(o, 1) != 0)
				return -1;
			o->len += cbor_encode_array_start(i < ds->depth,
			    o->buf + o->len, 1);
		}
		break;
	}
	out->buf = o->buf;
	out->len = o->len;
	return 0;
}

static void
cb_build_done(struct encoded *out)
{
	struct out *o = out->state;
	if (o != NULL)
		free(o->buf);
	free(o);
	out->state = NULL;
}

static int
visit(cbor_item_t *item, struct walk_sum *sum)
{
	sum->values++;
	switch (cbor_typeof(item)) {
	case CBOR_TYPE_UINT:
		sum->ints += cbor_get_int(item);
		return 0;
	case CBOR_TYPE_NEGINT:
		sum->ints += -1 - cbor_get_int(item);
		return 0;
	case CBOR_TYPE_STRING:
		if (!cbor_string_is_definite(item))
			return -1;
		sum->strbytes += cbor_string_length(item);
		return 0;
	case CBOR_TYPE_BYTESTRING:
		if (!cbor_bytestring_is_definite(item))
			return -1;
		sum->strbytes += cbor_bytestring_length(item);
		return 0;
	case CBOR_TYPE_TAG: {
		cbor_item_t *fd = cbor_tag_item(item);
		int ok = cbor_tag_value(item) == BENCH_CBOR_FD_TAG &&
		    cbor_isa_uint(fd);
		if (ok)
			sum->fds += cbor_get_int(fd);
		/* cbor_tag_item takes a reference. */
		cbor_decref(&fd);
		return ok ? 0 : -1;
	}
	case CBOR_TYPE_FLOAT_CTRL:
		/* Width 0 holds the simple values; cbor_is_bool asserts it. */
		if (cbor_float_get_width(item) == CBOR_FLOAT_0) {
			if (cbor_is_bool(item))
				sum->trues += cbor_get_bool(item);
		} else if (cbor_float_get_width(item) == CBOR_FLOAT_64) {
			double d = cbor_float_get_float8(item);
			uint64_t bits;
			memcpy(&bits, &d, sizeof(bits));
			sum->floats += bits;
		}
		return 0;
	default:
		return -1;
	}
}

/* One level of the walk: a container and the next position in it. */
struct frame {
	cbor_item_t *item;
	size_t pos;
};

static struct frame *stack;
static size_t stack_size;

static int
push(size_t depth, cbor_item_t *item)
{
	if (depth == stack_size) {
		size_t n = stack_size ? stack_size * 2 : 64;
		struct frame *s = realloc(stack, n * sizeof(*s));
		if (s == NULL)
			return -1;
		stack = s;
		stack_size = n;
	}
	stack[depth].item = item;
	stack[depth].pos = 0;
	return 0;
}

static int
cb_walk(cbor_item_t *root, struct walk_sum *sum)
{
	size_t depth = 0;
	cbor_item_t *pending = root;
	for (;;) {
		if (pending != NULL) {
			cbor_type t = cbor_typeof(pending);
			if (t == CBOR_TYPE_ARRAY || t == CBOR_TYPE_MAP) {
				if (push(depth++, pending) != 0)
					return -1;
				sum->values++;
			} else if (visit(pending, sum) != 0) {
				return -1;
			}
			pending = NULL;
		}
		if (depth == 0)
			return 0;
		struct frame *f = &stack[depth - 1];
		size_t pos = f->pos++;
		if (cbor_isa_array(f->item)) {
			if (pos < cbor_array_size(f->item))
				pending = cbor_array_handle(f->item)[pos];
			else
				depth--;
		} else if (pos < 2 * cbor_map_size(f->item)) {
			struct cbor_pair *p =
			    &cbor_map_handle(f->item)[pos / 2];
			pending = pos % 2 ? p->value : p->key;
		} else {
			depth--;
		}
	}
}

/*
 * Frees an item tree without recursion (cbor_decref recurses once per
 * level): each container's children get an extra reference before it goes,
 * so freeing it frees none of them, and they are freed in turn.
 */
static void
free_tree(cbor_item_t *root)
{
	size_t depth = 0;
	if (root == NULL)
		return;
	if (push(depth++, root) != 0) {
		cbor_decref(&root);
		return;
	}
	while (depth > 0) {
		cbor_item_t *item = stack[--depth].item;
		size_t n = 0;
		cbor_item_t **children = NULL;
		struct cbor_pair *pairs = NULL;
		if (cbor_isa_array(item)) {
			n = cbor_array_size(item);
			children = cbor_array_handle(item);
		} else if (cbor_isa_map(item)) {
			n = cbor_map_size(item);
			pairs = cbor_map_handle(item);
		}
		for (size_t i = 0; i < n; i++) {
			cbor_item_t *c[2] = {children ? children[i]
			                              : pairs[i].key,
			    children ? NULL : pairs[i].value};
			for (int j = 0; j < 2; j++) {
				if (c[j] == NULL)
					continue;
				/* Without room, the parent frees it. */
				if (push(depth, c[j]) != 0)
					continue;
				depth++;
				cbor_incref(c[j]);
			}
		}
		cbor_decref(&item);
	}
}

static int
cb_decode(const unsigned char *buf, size_t len, struct walk_sum *sum,
    void **state)
{
	struct cbor_load_result result;
	cbor_item_t *root = cbor_load(buf, len, &result);
	*state = root;
	if (root == NULL)
		return -1;
	return cb_walk(root, sum);
}

static void
cb_decode_done(void *state)
{
	free_tree(state);
}

const struct codec codec_cbor = {
    .name = "libcbor",
    .build = cb_build,
    .build_done = cb_build_done,
    .decode = cb_decode,
    .decode_done = cb_decode_done,
};
