/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * typed_input.h - what the typed-extraction tests share: inputs written
 * with the streaming encoder, and each read twice, encoded and rebuilt as
 * a tree in memory (read_both), which must agree.
 */
#ifndef ARGDATA_TYPED_INPUT_H
#define ARGDATA_TYPED_INPUT_H

#include <stddef.h>

#include <argdata.h>

/* An encoding and its descriptor table. */
struct input {
	const void *data;
	size_t len;
	const int *fds;
	size_t nfds;
	argdata_encoder_t *e;
};

/* The encoder inputs are written with; begin_input() makes it. */
extern argdata_encoder_t *typed_enc;

/* Starts an input; end_input() finishes it into *in. */
void begin_input(void);
void end_input(struct input *in);
/* Writes a string key. */
void key(const char *k);
/* convert_fd over the input's table. */
int convert_table(void *arg, size_t number);

/* The values of a tree rebuilt in memory, to free them. */
struct tree {
	argdata_t *nodes[256];
	const argdata_t *arrays[512];
	size_t nnodes, narrays;
};

const argdata_t *tree_keep(struct tree *t, argdata_t *ad);
/* Rebuilds the decoded value ad in memory (recursive: tests only). */
const argdata_t *to_tree(struct tree *t, const argdata_t *ad);
void tree_free(struct tree *t);

/*
 * Reads in with schema into out (encoded) and into out2 (rebuilt in
 * memory): both must give the same error and message. Returns the error,
 * the message in msg.
 */
int read_both(const struct input *in, const struct argdata_schema *schema,
    void *out, void *out2, char *msg, size_t msglen);

/* Frees the encoder: the teardown of each group. */
int typed_teardown(void **state);

#endif
