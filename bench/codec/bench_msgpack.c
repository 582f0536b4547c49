/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The codec benchmark's msgpack-c side: packs each subject with the packer
 * into an sbuffer, and decodes it with msgpack_unpack_next plus a full walk
 * of the object tree. Descriptors are ext type BENCH_MSGPACK_FD_EXT with a
 * 4-byte big-endian payload, as argdata encodes them.
 */
#include <msgpack.h>

#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *const inner_keys[] = {"name", "port", "enabled", "ratio",
    "sock"};

static void
pack_key(msgpack_packer *pk, const char *s, size_t len)
{
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s, len);
}

static int
mp_build(const struct dataset *ds, enum subject s, struct encoded *out)
{
	msgpack_sbuffer *sbuf = msgpack_sbuffer_new();
	out->state = sbuf;
	if (sbuf == NULL)
		return -1;
	msgpack_packer pk;
	msgpack_packer_init(&pk, sbuf, msgpack_sbuffer_write);
	switch (s) {
	case SUBJECT_CONFIG:
		msgpack_pack_map(&pk, ds->nconfig);
		for (size_t i = 0; i < ds->nconfig; i++) {
			const struct config_entry *e = &ds->config[i];
			unsigned char fd[4] = {(unsigned char)(e->sock >> 24),
			    (unsigned char)(e->sock >> 16),
			    (unsigned char)(e->sock >> 8),
			    (unsigned char)e->sock};
			pack_key(&pk, e->key, e->keylen);
			msgpack_pack_map(&pk, 5);
			pack_key(&pk, inner_keys[0], strlen(inner_keys[0]));
			pack_key(&pk, e->name, 20);
			pack_key(&pk, inner_keys[1], strlen(inner_keys[1]));
			msgpack_pack_int64(&pk, e->port);
			pack_key(&pk, inner_keys[2], strlen(inner_keys[2]));
			if (e->enabled)
				msgpack_pack_true(&pk);
			else
				msgpack_pack_false(&pk);
			pack_key(&pk, inner_keys[3], strlen(inner_keys[3]));
			msgpack_pack_double(&pk, e->ratio);
			pack_key(&pk, inner_keys[4], strlen(inner_keys[4]));
			msgpack_pack_ext_with_body(&pk, fd, sizeof(fd),
			    BENCH_MSGPACK_FD_EXT);
		}
		break;
	case SUBJECT_INTS:
		msgpack_pack_array(&pk, ds->nints);
		for (size_t i = 0; i < ds->nints; i++)
			msgpack_pack_int64(&pk, ds->ints[i]);
		break;
	default:
		for (size_t i = 0; i < ds->depth; i++)
			msgpack_pack_array(&pk, 1);
		msgpack_pack_array(&pk, 0);
		break;
	}
	out->buf = (const unsigned char *)sbuf->data;
	out->len = sbuf->size;
	return 0;
}

static void
mp_build_done(struct encoded *out)
{
	msgpack_sbuffer_free(out->state);
	out->state = NULL;
}

static int
visit(const msgpack_object *o, struct walk_sum *sum)
{
	sum->values++;
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		return 0;
	case MSGPACK_OBJECT_BOOLEAN:
		sum->trues += o->via.boolean;
		return 0;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		sum->ints += o->via.u64;
		return 0;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		sum->ints += (uint64_t)o->via.i64;
		return 0;
	case MSGPACK_OBJECT_FLOAT64: {
		uint64_t bits;
		memcpy(&bits, &o->via.f64, sizeof(bits));
		sum->floats += bits;
		return 0;
	}
	case MSGPACK_OBJECT_STR:
		sum->strbytes += o->via.str.size;
		return 0;
	case MSGPACK_OBJECT_BIN:
		sum->strbytes += o->via.bin.size;
		return 0;
	case MSGPACK_OBJECT_EXT: {
		const unsigned char *p = (const unsigned char *)o->via.ext.ptr;
		if (o->via.ext.type != BENCH_MSGPACK_FD_EXT ||
		    o->via.ext.size != 4)
			return -1;
		sum->fds += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
		return 0;
	}
	default:
		return -1;
	}
}

/* One level of the walk: a container and the next position in it. */
struct frame {
	const msgpack_object *o;
	size_t pos;
};

static struct frame *stack;
static size_t stack_size;

static int
mp_walk(const msgpack_object *root, struct walk_sum *sum)
{
	size_t depth = 0;
	const msgpack_object *pending = root;
	for (;;) {
		if (pending != NULL) {
			if (pending->type == MSGPACK_OBJECT_ARRAY ||
			    pending->type == MSGPACK_OBJECT_MAP) {
				if (depth == stack_size) {
					size_t n =
					    stack_size ? stack_size * 2 : 64;
					struct frame *s =
					    realloc(stack, n * sizeof(*s));
					if (s == NULL)
						return -1;
					stack = s;
					stack_size = n;
				}
				sum->values++;
				stack[depth].o = pending;
				stack[depth++].pos = 0;
			} else if (visit(pending, sum) != 0) {
				return -1;
			}
			pending = NULL;
		}
		if (depth == 0)
			return 0;
		struct frame *f = &stack[depth - 1];
		size_t pos = f->pos++;
		if (f->o->type == MSGPACK_OBJECT_ARRAY) {
			if (pos < f->o->via.array.size)
				pending = &f->o->via.array.ptr[pos];
			else
				depth--;
		} else if (pos < 2 * (size_t)f->o->via.map.size) {
			const msgpack_object_kv *kv =
			    &f->o->via.map.ptr[pos / 2];
			pending = pos % 2 ? &kv->val : &kv->key;
		} else {
			depth--;
		}
	}
}

static int
mp_decode(const unsigned char *buf, size_t len, struct walk_sum *sum,
    void **state)
{
	msgpack_unpacked *u = malloc(sizeof(*u));
	*state = u;
	if (u == NULL)
		return -1;
	msgpack_unpacked_init(u);
	size_t off = 0;
	if (msgpack_unpack_next(u, (const char *)buf, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS)
		return -1;
	return mp_walk(&u->data, sum);
}

static void
mp_decode_done(void *state)
{
	msgpack_unpacked *u = state;
	if (u == NULL)
		return;
	msgpack_unpacked_destroy(u);
	free(u);
}

const struct codec codec_msgpack = {
    .name = "msgpack",
    .build = mp_build,
    .build_done = mp_build_done,
    .decode = mp_decode,
    .decode_done = mp_decode_done,
};
