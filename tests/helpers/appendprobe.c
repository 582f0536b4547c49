/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * appendprobe - a program started with argdata holding "log", a descriptor
 * opened for appending, and "out", where it reports what it could do to
 * the log through that descriptor: whether the file is append-only
 * (chattr +a) and O_APPEND was set, whether fcntl() could clear O_APPEND,
 * whether a write at offset 0 then succeeded, whether ftruncate(),
 * fchmod() and fchown() were allowed and, for an append-only file,
 * whether the attribute could be taken off through the descriptor. One
 * line each, "NAME 0" for success or "NAME ERRNO-NAME". Documents what
 * cloudabi-run(1) promises, and does not, about such descriptors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

static int
fd_of(const argdata_t *ad, const char *name)
{
	argdata_map_iterator_t it;
	const argdata_t *key, *value;
	const char *s;
	int fd;

	argdata_map_iterate(ad, &it);
	while (argdata_map_get(&it, &key, &value)) {
		if (argdata_get_str_c(key, &s) == 0 && strcmp(s, name) == 0 &&
		    argdata_get_fd(value, &fd) == 0)
			return fd;
		argdata_map_next(&it);
	}
	exit(125);
}

static void
report(FILE *out, const char *name, int rc)
{
	if (rc == 0)
		fprintf(out, "%s 0\n", name);
	else
		fprintf(out, "%s %s\n", name, strerrorname_np(errno));
}

void
program_main(const argdata_t *ad)
{
	int log = fd_of(ad, "log"), flags, attr;
	FILE *out = fdopen(fd_of(ad, "out"), "w");
	struct stat st;

	if (out == NULL)
		exit(125);
	if (ioctl(log, FS_IOC_GETFLAGS, &attr) != 0)
		attr = 0;
	fprintf(out, "append_only %d\n", (attr & FS_APPEND_FL) != 0);
	flags = fcntl(log, F_GETFL);
	fprintf(out, "append %d\n", flags >= 0 && (flags & O_APPEND) != 0);
	report(out, "clear_append", fcntl(log, F_SETFL, flags & ~O_APPEND));
	flags = fcntl(log, F_GETFL);
	fprintf(out, "append_after %d\n", (flags & O_APPEND) != 0);
	/* Without O_APPEND, this write lands where the offset is: 0. */
	report(out, "overwrite", pwrite(log, "X", 1, 0) == 1 ? 0 : -1);
	report(out, "ftruncate", ftruncate(log, 1));
	report(out, "fchmod", fchmod(log, 0777));
	if (fstat(log, &st) != 0)
		exit(125);
	report(out, "fchown", fchown(log, st.st_uid, st.st_gid));
	if ((attr & FS_APPEND_FL) != 0) {
		attr &= ~FS_APPEND_FL;
		report(out, "clear_append_only",
		    ioctl(log, FS_IOC_SETFLAGS, &attr));
	}
	if (fclose(out) != 0)
		exit(125);
	exit(0);
}
