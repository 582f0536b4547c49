/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - main() of the argdata-main library: picks up the start-up
 * argdata that proc_exec(3) left in a sealed memfd, removes every trace of
 * it from the process and calls program_main().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

#include "startup_fd.h"

/* Exit statuses, documented in program_exec(3). */
#define STARTUP_NO_ARGDATA 64  /* EX_USAGE: ARGDATA_FD is not set */
#define STARTUP_BAD_ARGDATA 66 /* EX_NOINPUT: it names no readable data */
#define STARTUP_NO_MEMORY 71   /* EX_OSERR: out of memory */

/* The seals proc_exec() applies; without them the data is copied. */
#define STARTUP_SEALS (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK)

/* Descriptor numbers in the data are valid only below the memfd's. */
static int
startup_convert_fd(void *arg, size_t fd)
{
	size_t n = *(const size_t *)arg;

	return fd < n ? (int)fd : -1;
}

/*
 * Copies the data when the seals are missing, so that whoever else holds
 * the memfd cannot change the argdata behind the program's back.
 */
static void *
startup_copy(int fd, size_t size, size_t *len)
{
	char *buf = malloc(size > 0 ? size : 1);
	size_t done = 0;

	if (buf == NULL)
		return NULL;
	while (done < size) {
		ssize_t r = pread(fd, buf + done, size - done, (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	*len = done;
	return buf;
}

static const char *
startup_type_name(unsigned type, size_t size, char *buf, size_t len)
{
	switch (type) {
	case ARGDATA_FIELD_INT:
		snprintf(buf, len, "int%zu", 8 * size);
		return buf;
	case ARGDATA_FIELD_UINT:
		snprintf(buf, len, "uint%zu", 8 * size);
		return buf;
	case ARGDATA_FIELD_BOOL:
		return "bool";
	case ARGDATA_FIELD_FLOAT:
		return "float";
	case ARGDATA_FIELD_STR:
	case ARGDATA_FIELD_STRLEN:
		return "str";
	case ARGDATA_FIELD_BINARY:
		return "binary";
	case ARGDATA_FIELD_FD:
		return "fd";
	case ARGDATA_FIELD_TIMESTAMP:
		return "timestamp";
	case ARGDATA_FIELD_MAP:
		return "map";
	default:
		return "seq";
	}
}

/*
 * Lists the keys of a schema, one a line, nested maps indented below
 * their key. Recursion follows the schema's nesting, which is static and
 * bounded by ARGDATA_SCHEMA_DEPTH_MAX.
 */
static void
startup_usage_schema(const struct argdata_schema *s, int indent)
{
	static const struct {
		unsigned flag;
		const char *text;
	} kinds[] = {
	    {ARGDATA_FD_LISTENING, "listening stream socket"},
	    {ARGDATA_FD_SOCKET, "socket"},
	    {ARGDATA_FD_DIRECTORY, "directory"},
	    {ARGDATA_FD_REGULAR, "regular file"},
	    {ARGDATA_FD_READABLE, "readable"},
	    {ARGDATA_FD_WRITABLE, "writable"},
	};

	if (indent > 2 * ARGDATA_SCHEMA_DEPTH_MAX)
		return;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct argdata_field *f = &s->fields[i];
		unsigned type =
		    f->type == ARGDATA_FIELD_ARRAY ? f->elem_type : f->type;
		char tbuf[16];

		fprintf(stderr, "  %*s%-16s %s%s", indent, "",
		    f->key != NULL ? f->key : "(any other key)",
		    f->type == ARGDATA_FIELD_ARRAY ? "seq of " : "",
		    startup_type_name(type, f->size, tbuf, sizeof(tbuf)));
		if (type == ARGDATA_FIELD_FD)
			for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]);
			     k++)
				if (f->flags & kinds[k].flag)
					fprintf(stderr, ", %s", kinds[k].text);
		if (f->type == ARGDATA_FIELD_ARRAY)
			fprintf(stderr, ", at most %zu", f->max);
		if (f->flags & ARGDATA_REQUIRED)
			fprintf(stderr, ", required");
		else if ((type == ARGDATA_FIELD_INT ||
		             type == ARGDATA_FIELD_UINT) &&
		    f->type == type)
			fprintf(stderr, ", default %jd", f->def_int);
		else if (type == ARGDATA_FIELD_STR && f->def_str != NULL &&
		    f->type == type)
			fprintf(stderr, ", default given");
		fprintf(stderr, "\n");
		if (f->nested != NULL && type == ARGDATA_FIELD_MAP)
			startup_usage_schema(f->nested, indent + 2);
	}
}

int
main(int argc, char **argv)
{
	const char *name = argc > 0 && argv[0] != NULL
	    ? argv[0]
	    : program_invocation_short_name;
	const char *env = getenv("ARGDATA_FD");
	struct stat st;
	void *buf = NULL;
	bool mapped = false;
	size_t len = 0, nfds;
	argdata_t *ad;
	int fd, seals;

	if (env == NULL) {
		fprintf(stderr,
		    "%s: no start-up argdata (ARGDATA_FD is not set): "
		    "start it with cloudabi-run(1) or program_exec(3)\n",
		    name);
		if (&program_schema != NULL) {
			fprintf(stderr, "%s reads a map with these keys%s:\n",
			    name,
			    program_schema.flags & ARGDATA_IGNORE_UNKNOWN
			        ? ""
			        : " and no others");
			startup_usage_schema(&program_schema, 0);
		}
		return STARTUP_NO_ARGDATA;
	}
	if (!startup_parse_fd(env, &fd) || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode)) {
		fprintf(stderr,
		    "%s: ARGDATA_FD=%s does not name the start-up argdata\n",
		    name, env);
		return STARTUP_BAD_ARGDATA;
	}
	nfds = (size_t)fd;

	seals = fcntl(fd, F_GET_SEALS);
	if (st.st_size > 0 && seals >= 0 &&
	    (seals & STARTUP_SEALS) == STARTUP_SEALS) {
		len = (size_t)st.st_size;
		buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		mapped = buf != MAP_FAILED;
	}
	if (!mapped) {
		buf = startup_copy(fd, (size_t)st.st_size, &len);
		if (buf == NULL) {
			fprintf(stderr, "%s: out of memory\n", name);
			return STARTUP_NO_MEMORY;
		}
	}
	close(fd);
	unsetenv("ARGDATA_FD");

	ad = argdata_from_buffer(buf, len, startup_convert_fd, &nfds);
	if (ad == NULL) {
		fprintf(stderr, "%s: out of memory\n", name);
		return STARTUP_NO_MEMORY;
	}
	program_main(ad);
	argdata_free(ad);
	if (mapped)
		munmap(buf, len);
	else
		free(buf);
	return 0;
}
