/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema.c - argdata-dump --schema: prints the table a program publishes
 * (PROGRAM_SCHEMA() in <program.h>), read from the program file with the
 * reader cloudabi-run checks configurations with (schema_note.c).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"
#include "schema_note.h"

int
dump_schema(const char *path)
{
	struct schema_table *t = malloc(sizeof(*t));
	int fd, error;

	if (t == NULL)
		err(2, NULL);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(2, "%s", path);
	error = schema_note_read_fd(fd, t);
	close(fd);
	if (error == 0) {
		error = schema_print(t, "PROGRAM EXPECTS", stdout) != 0 ||
		    fflush(stdout) != 0;
		free(t);
		if (error != 0)
			err(2, "standard output");
		return 0;
	}
	free(t);
	if (error == ENOENT)
		warnx("%s: publishes no table (PROGRAM_SCHEMA in program.h)",
		    path);
	else if (error == ENOEXEC)
		warnx("%s: not a 64-bit ELF file of this byte order", path);
	else if (error == EBADMSG)
		warnx("%s: its table (ELF note \"argdata\") is malformed",
		    path);
	else {
		errno = error;
		err(2, "%s", path);
	}
	return 1;
}
