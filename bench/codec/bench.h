/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The codec benchmark's shared parts: the data sets, which every codec
 * encodes from the same plain C arrays, and the interface each codec
 * implements so that the driver can time them alike.
 */
#ifndef ARGDATA_BENCH_H
#define ARGDATA_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum subject { SUBJECT_CONFIG, SUBJECT_INTS, SUBJECT_DEEP, SUBJECT_COUNT };

/* One entry of "config": "key-N" -> {name, port, enabled, ratio, sock}. */
struct config_entry {
	char key[16];
	size_t keylen;
	char name[21];
	int64_t port;
	bool enabled;
	double ratio;
	int sock;
};

struct dataset {
	struct config_entry *config;
	size_t nconfig;
	int64_t *ints;
	size_t nints;
	size_t depth;
	int *fds;
	size_t nfds;
};

/*
 * What a walk saw, summed over every value, so that the driver can check
 * that all codecs decoded the same data and the compiler cannot drop the
 * getters. Keys count as values.
 */
struct walk_sum {
	uint64_t values;
	uint64_t ints;
	uint64_t strbytes;
	uint64_t trues;
	uint64_t fds;
	uint64_t floats;
};

/* An encoded subject and whatever the codec must free afterwards. */
struct encoded {
	const unsigned char *buf;
	size_t len;
	void *state;
};

struct codec {
	const char *name;
	/*
	 * Builds subject s from ds and serializes it: the timed part.
	 * Returns 0, or -1 when the codec cannot encode it.
	 */
	int (*build)(const struct dataset *ds, enum subject s,
	    struct encoded *out);
	/* Frees what build made, untimed. */
	void (*build_done)(struct encoded *out);
	/*
	 * Decodes buf and walks all of it, calling the matching getter on
	 * every value: the timed part. Returns 0, or -1 when the codec
	 * cannot decode it. *state receives what decode_done must free.
	 */
	int (*decode)(const unsigned char *buf, size_t len,
	    struct walk_sum *sum, void **state);
	void (*decode_done)(void *state);
};

extern const struct codec codec_argdata;
extern const struct codec codec_msgpack;
extern const struct codec codec_cbor;
/* libargdata's streaming encoder (build only) and typed reads (decode). */
extern const struct codec codec_argdata_stream;
extern const struct codec codec_argdata_typed;

/* Serializes the "fds" sequence, renumbering or not; for the fds table. */
int argdata_fds_prepare(const struct dataset *ds, void **tree);
int argdata_fds_serialize(void *tree, bool renumber);
void argdata_fds_done(void *tree);

/* The fd type outside argdata: msgpack ext type 3, CBOR tag 1003 on a uint. */
#define BENCH_MSGPACK_FD_EXT 3
#define BENCH_CBOR_FD_TAG 1003

#endif
