/* SPDX-License-Identifier: BSD-2-Clause */
/* Reads malformed.txt for the tests; see malformed.h. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "malformed.h"

size_t
malformed_each(const char *file,
    void (*check)(const struct malformed_case *c, void *arg), void *arg)
{
	char *line = NULL, *yaml = NULL, title[256] = "";
	size_t cap = 0, len = 0, cases = 0;
	FILE *fp, *mem = NULL;
	ssize_t n;

	assert_non_null(file);
	fp = fopen(file, "re");
	assert_non_null(fp);
	while ((n = getline(&line, &cap, fp)) >= 0) {
		if (strncmp(line, "=== ", 4) == 0) {
			snprintf(title, sizeof(title), "%s", line + 4);
			mem = open_memstream(&yaml, &len);
			assert_non_null(mem);
		} else if (strncmp(line, "=> ", 3) == 0 ||
		    strncmp(line, "=66> ", 5) == 0) {
			bool resource = line[1] == '6';

			assert_non_null(mem);
			fclose(mem);
			mem = NULL;
			line[strcspn(line, "\n")] = '\0';
			check(&(struct malformed_case){title, yaml, len,
			          line + (resource ? 5 : 3),
			          resource ? 66 : 65},
			    arg);
			free(yaml);
			yaml = NULL;
			cases++;
		} else if (mem != NULL) {
			fwrite(line, 1, (size_t)n, mem);
		}
	}
	free(line);
	fclose(fp);
	return cases;
}
