/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * startup_fd.h - the one parser of ARGDATA_FD, the variable through which
 * proc_exec(3) names the descriptor of the start-up data. Header-only, so
 * that argdata-main (a static library over the public API, which cannot
 * reach the shared library's hidden internals) and argdata-dump read the
 * variable the same way.
 */
#ifndef ARGDATA_STARTUP_FD_H
#define ARGDATA_STARTUP_FD_H

#include <limits.h>
#include <stdbool.h>

/*
 * Parses the value of ARGDATA_FD: one or more decimal digits and nothing
 * else (no sign, no space, no "0x"), at most INT_MAX; leading zeros are
 * digits like any other. Stores the number in *fd and returns true, or
 * returns false and leaves *fd alone.
 */
static inline bool
startup_parse_fd(const char *s, int *fd)
{
	int v = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		/* Checked before it could overflow. */
		if (v > (INT_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*fd = v;
	return true;
}

#endif
