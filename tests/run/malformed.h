/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * malformed.txt: the golden malformed configurations that the loader's
 * tests and the tool's tests both check. A case is "=== title", the
 * configuration, then "=> " and the one error line expected for it, with
 * cloudabi-run's exit status 65 (an error in what is written), or "=66> "
 * for status 66 (a resource that the system does not give).
 */
#ifndef ARGDATA_MALFORMED_H
#define ARGDATA_MALFORMED_H

#include <stddef.h>

struct malformed_case {
	const char *title; /* ends in a newline */
	const char *yaml;
	size_t len;
	const char *want; /* the expected line, without its newline */
	int status;       /* cloudabi-run's exit status */
};

/*
 * Calls check(c, arg) for every case in file, in order, and returns how
 * many there were. Fails the test when the file cannot be read.
 */
size_t malformed_each(const char *file,
    void (*check)(const struct malformed_case *c, void *arg), void *arg);

#endif
