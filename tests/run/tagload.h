/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tagload.h - what the tests of cloudabi-run's tag handlers share: a
 * configuration loaded with the handlers (as a dry run or not), its one
 * error line, its resources, and files looked at from outside.
 */
#ifndef ARGDATA_TAGLOAD_H
#define ARGDATA_TAGLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "tags.h"

/* One load of a configuration with cloudabi-run's handlers. */
struct run {
	struct run_context rc;
	loader_t *ld;
	const argdata_t *tree;
	int error;
};

/* Loads the formatted yaml, as a dry run when dry; c.yaml is its name. */
void tl_load(struct run *r, bool dry, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Releases it, as cloudabi-run does when the start fails. */
void tl_done(struct run *r);

/* Fails the test unless the load failed with exactly this line. */
void tl_expect_error(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The descriptor and source of the last resource; it must have loaded. */
int tl_last_fd(const struct run *r);
const char *tl_last_source(const struct run *r);

/* Whether fd is the file at p. */
bool tl_same_file(int fd, const char *p);

/* Writes text to p; the whole content of p (or "(absent)") into buf. */
void tl_write_file(const char *p, const char *text);
const char *tl_content(const char *p, char *buf, size_t size);

/* Whether p names anything, a dangling link included. */
bool tl_exists(const char *p);

#endif
