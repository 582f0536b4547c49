/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz harness for the reader of the table a program publishes
 * (cloudabi-run/schema_note.c): the input is the program file, read
 * through the same bounded pread-like callback as a real file. Whatever
 * the bytes, the result is 0 or one of the documented errno values, no
 * read leaves the input (ASan, and the callback checks too), the table
 * stays within its fixed size, and every key describes itself in words
 * that fit their buffer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

struct input {
	const uint8_t *data;
	size_t size;
	size_t reads; /* how many reads one input costs */
};

static int
read_input(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct input *in = ctx;

	in->reads++;
	/* The reader checks its offsets against the size it was given. */
	FUZZ_CHECK(off <= in->size && len <= in->size - off);
	memcpy(buf, in->data + off, len);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct schema_table t;
	struct input in = {data, size, 0};
	char what[256];
	int error;

	error = schema_note_read(read_input, &in, size, &t);
	FUZZ_CHECK(error == 0 || error == ENOENT || error == ENOEXEC ||
	    error == EBADMSG || error == ENOMEM);
	/* The header, at most 1024 program headers and their notes. */
	FUZZ_CHECK(in.reads <= 1 + 2 * 1024);
	if (error != 0)
		return 0;
	FUZZ_CHECK(t.nkeys <= PROGRAM_NOTE_KEYS);
	for (size_t i = 0; i < t.nkeys; i++) {
		FUZZ_CHECK(strlen(t.keys[i].key) <= PROGRAM_NOTE_KEY_MAX);
		schema_describe(&t.keys[i], what, sizeof(what));
		FUZZ_CHECK(strlen(what) < sizeof(what));
	}
	return 0;
}
