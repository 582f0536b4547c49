/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What every fuzz harness does with a decoded value: a full walk that calls
 * every getter on every value and checks the answers agree with each other,
 * and a rebuild of the value with create_* for round-trip checks.
 */
#ifndef ARGDATA_FUZZ_WALK_H
#define ARGDATA_FUZZ_WALK_H

#include <argdata.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A property the harness holds has failed: report it and crash. */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

/* The result of a walk. */
struct fuzz_walk {
	/* Values seen, and a hash of their types and contents. */
	uint64_t values;
	uint64_t hash;
	/*
	 * The first defect: a corrupt value (EINVAL, EILSEQ from a getter,
	 * an unknown tag) or an iterator turning INVALID. 0 when none.
	 */
	int defect;
	/*
	 * Values that a rebuild cannot copy faithfully: unavailable
	 * descriptors, out-of-range integers and timestamps.
	 */
	uint64_t lossy;
	/* The descriptors read, in order; free with fuzz_walk_free. */
	int *fds;
	size_t nfds, fdscap;
};

/* Hands out descriptor numbers as they are; -1 beyond INT_MAX. */
int fuzz_convert_fd(void *arg, size_t fd);

/*
 * Walks ad completely, without recursion. Returns 0, or ENOMEM when the
 * walk's own stack cannot grow (the walk is then incomplete).
 */
int fuzz_walk(const argdata_t *ad, struct fuzz_walk *w);
void fuzz_walk_free(struct fuzz_walk *w);

/*
 * The round-trip checks on a decoded value ad that fuzz_walk read as w
 * (valid: the validator accepted its buffer): printing it stays linear in
 * its size; serializing it stays inside the reported length and, when
 * valid and its descriptor numbers are the descriptors themselves
 * (numbers_are_fds: convert_fd is fuzz_convert_fd), reads back as the same
 * values; a rebuild with create_* walks like its own serialization, which
 * is valid, reads back the same (when nothing was lost), renumbers
 * descriptors in order of first appearance, and is a fixed point of decode
 * plus rebuild. Returns 0 or ENOMEM.
 */
int fuzz_check_value(const argdata_t *ad, const struct fuzz_walk *w, bool valid,
    bool numbers_are_fds);

/*
 * Builds a copy of ad with create_*, reading it as fuzz_walk does; values
 * that cannot be rebuilt (corrupt ones, out-of-range integers and
 * timestamps, unavailable descriptors) become null. Stores the root in
 * *root and everything to free in *pool. Returns 0 or ENOMEM.
 */
struct fuzz_pool;
int fuzz_rebuild(const argdata_t *ad, const argdata_t **root,
    struct fuzz_pool **pool);
void fuzz_pool_free(struct fuzz_pool *pool);

/*
 * A stream that discards what is written to it, opened once, and counts
 * the bytes: fuzz_count() tells how many since fuzz_count_reset().
 */
FILE *fuzz_devnull(void);
void fuzz_count_reset(void);
size_t fuzz_count(void);

/* Prints ad with argdata_print_yaml(); returns the number of bytes. */
size_t fuzz_print_size(const argdata_t *ad);

#endif
