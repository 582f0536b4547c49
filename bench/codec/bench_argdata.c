/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The codec benchmark's libargdata side: builds each subject with create_*,
 * serializes it, and decodes it again with a full walk that calls the
 * matching getter on every value.
 */
#include <argdata.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

/* What a build made: every node, the arrays the maps point into, the output. */
struct build_state {
	argdata_t **nodes;
	size_t nnodes;
	const argdata_t **arrays;
	unsigned char *buf;
};

static const char *const inner_keys[] = {"name", "port", "enabled", "ratio",
    "sock"};
#define NINNER 5

static argdata_t *
keep(struct build_state *st, argdata_t *ad)
{
	if (ad != NULL)
		st->nodes[st->nnodes++] = ad;
	return ad;
}

static int
build_config(const struct dataset *ds, struct build_state *st)
{
	size_t n = ds->nconfig;
	/*
	 * Per entry: key, map, 4 values (bools are the constants); then the
	 * root. Values are immutable, so the 5 inner keys are made once and
	 * shared by every entry, as a program building a config would.
	 */
	st->nodes = malloc((n * 6 + NINNER + 1) * sizeof(st->nodes[0]));
	st->arrays =
	    malloc((n * (2 + NINNER) + NINNER) * sizeof(st->arrays[0]));
	if (st->nodes == NULL || st->arrays == NULL)
		return -1;
	const argdata_t **keys = st->arrays, **values = keys + n;
	const argdata_t **k = values + n, **ivalues = k + NINNER;
	for (size_t j = 0; j < NINNER; j++) {
		k[j] = keep(st,
		    argdata_create_str(inner_keys[j], strlen(inner_keys[j])));
		if (k[j] == NULL)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct config_entry *e = &ds->config[i];
		const argdata_t **v = ivalues + i * NINNER;
		v[0] = keep(st, argdata_create_str(e->name, 20));
		v[1] = keep(st, argdata_create_int_s(e->port));
		v[2] = e->enabled ? &argdata_true : &argdata_false;
		v[3] = keep(st, argdata_create_float(e->ratio));
		v[4] = keep(st, argdata_create_fd(e->sock));
		keys[i] = keep(st, argdata_create_str(e->key, e->keylen));
		values[i] = keep(st, argdata_create_map(k, v, NINNER));
		if (v[0] == NULL || v[1] == NULL || v[3] == NULL ||
		    v[4] == NULL || keys[i] == NULL || values[i] == NULL)
			return -1;
	}
	return keep(st, argdata_create_map(keys, values, n)) == NULL ? -1 : 0;
}

static int
build_ints(const struct dataset *ds, struct build_state *st)
{
	size_t n = ds->nints;
	st->nodes = malloc((n + 1) * sizeof(st->nodes[0]));
	if (st->nodes == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (keep(st, argdata_create_int_s(ds->ints[i])) == NULL)
			return -1;
	return keep(st, argdata_create_seq((const argdata_t **)st->nodes, n)) ==
	        NULL
	    ? -1
	    : 0;
}

static int
build_deep(const struct dataset *ds, struct build_state *st)
{
	size_t n = ds->depth;
	st->nodes = malloc((n + 1) * sizeof(st->nodes[0]));
	st->arrays = malloc(n * sizeof(st->arrays[0]));
	if (st->nodes == NULL || st->arrays == NULL)
		return -1;
	argdata_t *inner = keep(st, argdata_create_seq(NULL, 0));
	for (size_t i = 0; i < n && inner != NULL; i++) {
		st->arrays[i] = inner;
		inner = keep(st, argdata_create_seq(&st->arrays[i], 1));
	}
	return inner == NULL ? -1 : 0;
}

static void
ad_build_done(struct encoded *out)
{
	struct build_state *st = out->state;
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->nnodes; i++)
		argdata_free(st->nodes[i]);
	free(st->nodes);
	free(st->arrays);
	free(st->buf);
	free(st);
	out->state = NULL;
}

static int
ad_build(const struct dataset *ds, enum subject s, struct encoded *out)
{
	struct build_state *st = calloc(1, sizeof(*st));
	out->state = st;
	if (st == NULL)
		return -1;
	int error = s == SUBJECT_CONFIG ? build_config(ds, st)
	    : s == SUBJECT_INTS         ? build_ints(ds, st)
	                                : build_deep(ds, st);
	if (error != 0)
		return -1;
	/* The root is the last node made. */
	const argdata_t *root = st->nodes[st->nnodes - 1];
	size_t len;
	argdata_serialized_length(root, &len, NULL);
	st->buf = malloc(len);
	if (st->buf == NULL)
		return -1;
	argdata_serialize(root, st->buf, NULL);
	out->buf = st->buf;
	out->len = len;
	return 0;
}

/* One level of the walk: an iterator and where in the current pair it is. */
struct frame {
	union {
		argdata_map_iterator_t map;
		argdata_seq_iterator_t seq;
	} it;
	const argdata_t *value;
	bool is_map;
	unsigned char phase;
};

/*
 * Kept across runs so that only the first deep walk pays for growing it.
 * Values that iterators hand out live inside them, and a map frame keeps
 * its value while the key is walked: frames never move, so each is
 * allocated on its own and only the array of pointers grows.
 */
static struct frame **stack;
static size_t stack_size;

/* Makes room for a frame above depth. */
static int
reserve(size_t depth)
{
	if (depth < stack_size)
		return 0;
	size_t n = stack_size ? stack_size * 2 : 64;
	struct frame **s = realloc(stack, n * sizeof(*s));
	if (s == NULL)
		return -1;
	stack = s;
	for (; stack_size < n; stack_size++)
		if ((s[stack_size] = malloc(sizeof(struct frame))) == NULL)
			return -1;
	return 0;
}

static int
visit_scalar(const argdata_t *ad, argdata_type_t type, struct walk_sum *sum)
{
	switch (type) {
	case ARGDATA_TYPE_NULL:
		return 0;
	case ARGDATA_TYPE_BINARY: {
		const void *buf;
		size_t len;
		if (argdata_get_binary(ad, &buf, &len) != 0)
			return -1;
		sum->strbytes += len;
		return 0;
	}
	case ARGDATA_TYPE_BOOL: {
		bool b;
		if (argdata_get_bool(ad, &b) != 0)
			return -1;
		sum->trues += b;
		return 0;
	}
	case ARGDATA_TYPE_FD: {
		int fd;
		if (argdata_get_fd(ad, &fd) != 0)
			return -1;
		sum->fds += (uint64_t)fd;
		return 0;
	}
	case ARGDATA_TYPE_FLOAT: {
		double d;
		uint64_t bits;
		if (argdata_get_float(ad, &d) != 0)
			return -1;
		memcpy(&bits, &d, sizeof(bits));
		sum->floats += bits;
		return 0;
	}
	case ARGDATA_TYPE_INT: {
		intmax_t i;
		if (argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX) != 0)
			return -1;
		sum->ints += (uint64_t)i;
		return 0;
	}
	case ARGDATA_TYPE_STR: {
		const char *str;
		size_t len;
		if (argdata_get_str(ad, &str, &len) != 0)
			return -1;
		sum->strbytes += len;
		return 0;
	}
	case ARGDATA_TYPE_TIMESTAMP: {
		struct timespec ts;
		if (argdata_get_timestamp(ad, &ts) != 0)
			return -1;
		sum->ints += (uint64_t)ts.tv_sec;
		return 0;
	}
	default:
		return -1;
	}
}

/* A full walk without recursion: any depth works. */
static int
ad_walk(const argdata_t *v, struct walk_sum *sum)
{
	size_t depth = 0;
	for (;;) {
		/* Visit v: a scalar now, a container by pushing a frame. */
		argdata_type_t type;
		if (argdata_get_type(v, &type) != 0)
			return -1;
		sum->values++;
		if (type == ARGDATA_TYPE_MAP || type == ARGDATA_TYPE_SEQ) {
			if (depth == stack_size && reserve(depth) != 0)
				return -1;
			struct frame *f = stack[depth++];
			f->is_map = type == ARGDATA_TYPE_MAP;
			f->phase = 0;
			if (f->is_map)
				argdata_map_iterate(v, &f->it.map);
			else
				argdata_seq_iterate(v, &f->it.seq);
		} else if (visit_scalar(v, type, sum) != 0) {
			return -1;
		}

		/*
		 * Find the next value: a map frame goes key (phase 1), value
		 * (phase 2), next pair; a sequence frame moves on once its
		 * element has been visited (phase 1).
		 */
		for (;;) {
			if (depth == 0)
				return 0;
			struct frame *f = stack[depth - 1];
			if (f->is_map) {
				const argdata_t *key;
				if (f->phase == 1) {
					f->phase = 2;
					v = f->value;
					break;
				}
				if (f->phase == 2)
					argdata_map_next(&f->it.map);
				if (argdata_map_get(&f->it.map, &key,
				        &f->value)) {
					f->phase = 1;
					v = key;
					break;
				}
				if (f->it.map.index == ARGDATA_ITERATOR_INVALID)
					return -1;
			} else {
				if (f->phase == 1)
					argdata_seq_next(&f->it.seq);
				f->phase = 1;
				if (argdata_seq_get(&f->it.seq, &v))
					break;
				if (f->it.seq.index == ARGDATA_ITERATOR_INVALID)
					return -1;
			}
			depth--;
		}
	}
}

static int
convert_fd(void *arg, size_t fd)
{
	(void)arg;
	return fd <= INT_MAX ? (int)fd : -1;
}

static int
ad_decode(const unsigned char *buf, size_t len, struct walk_sum *sum,
    void **state)
{
	argdata_t *ad = argdata_from_buffer(buf, len, convert_fd, NULL);
	*state = ad;
	if (ad == NULL)
		return -1;
	return ad_walk(ad, sum);
}

static void
ad_decode_done(void *state)
{
	argdata_free(state);
}

const struct codec codec_argdata = {
    .name = "argdata",
    .build = ad_build,
    .build_done = ad_build_done,
    .decode = ad_decode,
    .decode_done = ad_decode_done,
};

struct fds_tree {
	argdata_t **nodes;
	argdata_t *seq;
};

int
argdata_fds_prepare(const struct dataset *ds, void **tree)
{
	struct fds_tree *t = calloc(1, sizeof(*t));
	*tree = t;
	if (t == NULL)
		return -1;
	t->nodes = calloc(ds->nfds + 1, sizeof(t->nodes[0]));
	if (t->nodes == NULL)
		return -1;
	for (size_t i = 0; i < ds->nfds; i++)
		if ((t->nodes[i] = argdata_create_fd(ds->fds[i])) == NULL)
			return -1;
	t->seq = argdata_create_seq((const argdata_t **)t->nodes, ds->nfds);
	return t->seq == NULL ? -1 : 0;
}

/* The timed part of "fds": length, buffers, serialize. */
int
argdata_fds_serialize(void *tree, bool renumber)
{
	struct fds_tree *t = tree;
	size_t len, nfds;
	argdata_serialized_length(t->seq, &len, &nfds);
	unsigned char *buf = malloc(len);
	int *fds = renumber ? malloc(nfds * sizeof(int)) : NULL;
	if (buf == NULL || (renumber && fds == NULL)) {
		free(buf);
		free(fds);
		return -1;
	}
	size_t distinct = argdata_serialize(t->seq, buf, fds);
	free(buf);
	free(fds);
	return renumber && distinct == 0 ? -1 : 0;
}

void
argdata_fds_done(void *tree)
{
	struct fds_tree *t = tree;
	if (t == NULL)
		return;
	argdata_free(t->seq);
	if (t->nodes != NULL)
		for (size_t i = 0; t->nodes[i] != NULL; i++)
			argdata_free(t->nodes[i]);
	free(t->nodes);
	free(t);
}
