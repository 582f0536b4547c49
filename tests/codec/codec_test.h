/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared pieces of the codec tests: the test groups, byte-vector helpers,
 * buffers fenced by inaccessible pages, and a non-recursive full walk that
 * reads every value of a tree through the public getters and iterators.
 */
#ifndef ARGDATA_CODEC_TEST_H
#define ARGDATA_CODEC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <argdata.h>

/* A byte vector as two arguments: pointer and length. */
#define BYTES(...)                                                             \
	(const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* The test groups, one per file; each returns cmocka's failure count. */
int run_wire_tests(void);
int run_getter_tests(void);
int run_iterator_tests(void);
int run_serialize_tests(void);
int run_validate_tests(void);
int run_roundtrip_tests(void);
int run_deep_tests(void);
int run_memory_tests(void);
int run_manpage_tests(void);
int run_encoder_tests(void);
int run_typed_tests(void);
int run_typed_field_tests(void);

/*
 * Serializes ad (without renumbering) and checks that the bytes and the
 * size argdata_serialized_length() reports are exactly the expected ones.
 */
void expect_encoding(const argdata_t *ad, const uint8_t *expected, size_t len);

/* Formats a buffer as hex into a static buffer, for failure messages. */
const char *hex(const void *buf, size_t len);

/*
 * A copy of a buffer surrounded by pages that may not be read: at_end puts
 * the last byte right before an inaccessible page, otherwise the first byte
 * comes right after one. Any read outside the copy faults.
 */
struct fenced {
	void *map;
	size_t maplen;
	void *buf;
};
void *fenced_copy(struct fenced *f, const void *src, size_t len, bool at_end);
void fenced_free(struct fenced *f);

/*
 * Reads every value of the tree ad through argdata_get_type, the matching
 * getter and the iterators, without recursion. Returns true when nothing
 * reported a defect: EINVAL or EILSEQ from a getter, an iterator ending on
 * ARGDATA_ITERATOR_INVALID. ERANGE (a number that fits no C type) and EBADF
 * (a descriptor not available) describe the reader's limits, not the data,
 * and do not count. *values receives the number of values read.
 */
bool walk_tree(const argdata_t *ad, size_t *values);

/*
 * The same walk through the codec's internal pre-order walk (ad_walk, which
 * the printers and tools use): it checks only the framing of containers.
 * Returns false when ad_walk reports corrupt data; checks that events
 * nest properly. *values receives the number of values reported.
 */
bool ad_walk_tree(const argdata_t *ad, size_t *values);

/* A random number generator (splitmix64) and a uniform pick below n. */
uint64_t rng_next(uint64_t *state);
uint64_t rng_below(uint64_t *state, uint64_t n);

/*
 * The encoding of a random tree (see roundtrip.c), in a buffer of exactly
 * *len bytes that the caller frees.
 */
uint8_t *random_encoding(uint64_t *rng, size_t *len);

/* convert_fd callbacks: the number as it is, or always refused. */
int convert_fd_identity(void *arg, size_t number);
int convert_fd_refuse(void *arg, size_t number);

#endif
