/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * typed_input.c - inputs for the typed-extraction tests (typed_input.h):
 * written with the streaming encoder, read encoded and as a tree rebuilt
 * in memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codec_test.h"
#include "typed_input.h"

int
convert_table(void *arg, size_t number)
{
	const struct input *in = arg;

	return number < in->nfds ? in->fds[number] : -1;
}

argdata_encoder_t *typed_enc;

void
begin_input(void)
{
	if (typed_enc == NULL)
		typed_enc = argdata_encoder_create();
	assert_non_null(typed_enc);
	argdata_encoder_reset(typed_enc);
}

void
end_input(struct input *in)
{
	in->e = typed_enc;
	assert_int_equal(argdata_encoder_finish(typed_enc, &in->data, &in->len,
	                     &in->fds, &in->nfds),
	    0);
}

void
key(const char *k)
{
	assert_int_equal(argdata_encode_str_c(typed_enc, k), 0);
}

const argdata_t *
tree_keep(struct tree *t, argdata_t *ad)
{
	assert_non_null(ad);
	assert_true(t->nnodes < 256);
	t->nodes[t->nnodes++] = ad;
	return ad;
}

/* Rebuilds the decoded value ad in memory (recursive: tests only). */
const argdata_t *
to_tree(struct tree *t, const argdata_t *ad)
{
	argdata_type_t type;
	const void *p;
	const char *s;
	size_t len, n = 0;
	intmax_t i;
	uintmax_t u;
	double d;
	bool b;
	int fd;
	struct timespec ts;

	assert_int_equal(argdata_get_type(ad, &type), 0);
	switch (type) {
	case ARGDATA_TYPE_NULL:
		return &argdata_null;
	case ARGDATA_TYPE_BINARY:
		assert_int_equal(argdata_get_binary(ad, &p, &len), 0);
		return tree_keep(t, argdata_create_binary(p, len));
	case ARGDATA_TYPE_BOOL:
		assert_int_equal(argdata_get_bool(ad, &b), 0);
		return b ? &argdata_true : &argdata_false;
	case ARGDATA_TYPE_FD:
		assert_int_equal(argdata_get_fd(ad, &fd), 0);
		return tree_keep(t, argdata_create_fd(fd));
	case ARGDATA_TYPE_FLOAT:
		assert_int_equal(argdata_get_float(ad, &d), 0);
		return tree_keep(t, argdata_create_float(d));
	case ARGDATA_TYPE_INT:
		if (argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX) == 0)
			return tree_keep(t, argdata_create_int_s(i));
		assert_int_equal(argdata_get_int_u(ad, &u, UINTMAX_MAX), 0);
		return tree_keep(t, argdata_create_int_u(u));
	case ARGDATA_TYPE_STR:
		assert_int_equal(argdata_get_str(ad, &s, &len), 0);
		return tree_keep(t, argdata_create_str(s, len));
	case ARGDATA_TYPE_TIMESTAMP:
		assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
		return tree_keep(t, argdata_create_timestamp(&ts));
	case ARGDATA_TYPE_SEQ: {
		argdata_seq_iterator_t it;
		const argdata_t *e, **a = &t->arrays[t->narrays];

		size_t count = 0;

		/* The array first, then what it holds. */
		argdata_seq_iterate(ad, &it);
		while (argdata_seq_get(&it, &e)) {
			count++;
			argdata_seq_next(&it);
		}
		assert_true(t->narrays + count < 512);
		t->narrays += count;
		argdata_seq_iterate(ad, &it);
		while (argdata_seq_get(&it, &e)) {
			a[n++] = to_tree(t, e);
			argdata_seq_next(&it);
		}
		return tree_keep(t, argdata_create_seq(a, n));
	}
	default: {
		argdata_map_iterator_t it;
		const argdata_t *k, *v, **keys = &t->arrays[t->narrays];
		const argdata_t **values;
		size_t count = 0;

		argdata_map_iterate(ad, &it);
		while (argdata_map_get(&it, &k, &v)) {
			count++;
			argdata_map_next(&it);
		}
		values = keys + count;
		assert_true(t->narrays + 2 * count < 512);
		t->narrays += 2 * count;
		argdata_map_iterate(ad, &it);
		while (argdata_map_get(&it, &k, &v)) {
			keys[n] = to_tree(t, k);
			values[n++] = to_tree(t, v);
			argdata_map_next(&it);
		}
		return tree_keep(t, argdata_create_map(keys, values, count));
	}
	}
}

void
tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->nnodes; i++)
		argdata_free(t->nodes[i]);
}

/*
 * Reads in with schema into out (encoded) and into out2 (rebuilt in
 * memory): both must give the same error and message. Returns the error,
 * the message in msg.
 */
int
read_both(const struct input *in, const struct argdata_schema *schema,
    void *out, void *out2, char *msg, size_t msglen)
{
	argdata_t *ad =
	    argdata_from_buffer(in->data, in->len, convert_table, (void *)in);
	struct tree t = {.nnodes = 0};
	char msg2[256];
	int error, error2;

	assert_non_null(ad);
	error = argdata_read_map(ad, schema, out, msg, msglen);
	error2 =
	    argdata_read_map(to_tree(&t, ad), schema, out2, msg2, sizeof(msg2));
	assert_int_equal(error, error2);
	/* msg may be shorter: only its part is compared. */
	if (strncmp(msg, msg2, msglen - 1) != 0)
		fail_msg("encoded: %s; in memory: %s", msg, msg2);
	tree_free(&t);
	argdata_free(ad);
	return error;
}

int
typed_teardown(void **state)
{
	(void)state;
	argdata_encoder_free(typed_enc);
	typed_enc = NULL;
	return 0;
}
