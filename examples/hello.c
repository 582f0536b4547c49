/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hello - the "Hello, world" of programs started with argdata, after the
 * example in CloudABI's cloudabi-run(1).
 *
 * It writes "Hello, world" to every descriptor it is given: those in the
 * sequence under the key "fds" and the one under the key "terminal" (the
 * key CloudABI's example used), for instance with this configuration for
 * cloudabi-run(1) (hello.yaml):
 *
 *	%TAG ! tag:nuxi.nl,2015:cloudabi/
 *	---
 *	fds:
 *	  - !fd stdout
 *	  - !fd stderr
 *
 * It has no other way to reach anything: no path names, no stdout of its
 * own. Exit status 0, or 1 when a descriptor could not be written.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

static const char hello[] = "Hello, world\n";

static int
greet(const argdata_t *value)
{
	int fd;

	if (argdata_get_fd(value, &fd) != 0)
		return 1;
	return write(fd, hello, sizeof(hello) - 1) ==
	        (ssize_t)(sizeof(hello) - 1)
	    ? 0
	    : 1;
}

void
program_main(const argdata_t *ad)
{
	argdata_map_iterator_t it;
	const argdata_t *key, *value;
	int status = 0;

	argdata_map_iterate(ad, &it);
	while (argdata_map_get(&it, &key, &value)) {
		const char *name = "";

		argdata_get_str_c(key, &name);
		if (strcmp(name, "terminal") == 0) {
			status |= greet(value);
		} else if (strcmp(name, "fds") == 0) {
			argdata_seq_iterator_t fds;
			const argdata_t *fd;

			argdata_seq_iterate(value, &fds);
			while (argdata_seq_get(&fds, &fd)) {
				status |= greet(fd);
				argdata_seq_next(&fds);
			}
		}
		argdata_map_next(&it);
	}
	exit(status);
}
