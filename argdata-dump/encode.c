/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata-dump --encode: YAML in, argdata out, through cloudabi-run's
 * loader. Nothing is opened: "!fd N" is the descriptor number N written as
 * it is, and the tags that would open something (!file, !dir, !socket,
 * !executable) are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"
#include "loader.h"

/* !fd N, !fd stdin, !fd stdout, !fd stderr: a number, nothing checked. */
static const argdata_t *
tag_fd(loader_t *ld, const loader_node_t *node, void *ctx)
{
	static const char *const names[] = {"stdin", "stdout", "stderr"};
	loader_node_t plain;
	uintmax_t n;

	(void)ctx;
	if (node->kind != LOADER_SCALAR)
		return loader_fail(ld, node->mark,
		    "!fd takes a number, stdin, stdout or stderr");
	for (int i = 0; i < 3; i++)
		if (strcmp(node->value, names[i]) == 0)
			return loader_adopt(ld, argdata_create_fd(i),
			    node->mark);
	/* The number is read as if the tag were not there. */
	plain = *node;
	plain.tag = NULL;
	plain.plain = true;
	if (loader_node_uint(ld, &plain, "!fd", INT_MAX, &n) != 0)
		return NULL;
	return loader_adopt(ld, argdata_create_fd((int)n), node->mark);
}

/* The tags that open resources, which only cloudabi-run may do. */
static const argdata_t *
tag_refused(loader_t *ld, const loader_node_t *node, void *ctx)
{
	(void)ctx;
	return loader_fail(ld, node->mark,
	    "%s opens a resource: argdata-dump --encode only writes "
	    "descriptor numbers (!fd N)",
	    loader_tag_display(ld, node->tag));
}

static const loader_handler_t handlers[] = {
    {"fd", tag_fd},
    {"file", tag_refused},
    {"dir", tag_refused},
    {"socket", tag_refused},
    {"executable", tag_refused},
};

static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
encode_yaml(FILE *in, const char *name, int out, int framed)
{
	const loader_error_t *e;
	const argdata_t *tree;
	const void *bytes;
	void *made = NULL;
	unsigned char header[8];
	loader_t *ld;
	size_t len;
	int error;

	ld = loader_create(name, handlers, sizeof(handlers) / sizeof(*handlers),
	    NULL, NULL);
	if (ld == NULL) {
		fprintf(stderr, "argdata-dump: %s\n", strerror(errno));
		return 2;
	}
	error = loader_load_file(ld, in, &tree);
	if (error != 0) {
		e = loader_error(ld);
		fprintf(stderr, "%s:%zu:%zu: %s\n", e->file, e->mark.line,
		    e->mark.column, e->message);
		loader_free(ld);
		return error == ENOMEM ? 2 : 1;
	}
	if (!loader_bytes(ld, &bytes, &len)) {
		error = loader_serialize(tree, &made, &len);
		if (error != 0) {
			fprintf(stderr, "argdata-dump: %s\n", strerror(error));
			loader_free(ld);
			return 2;
		}
		bytes = made;
	}
	for (int i = 0; i < 8; i++)
		header[i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	error = framed ? write_all(out, header, sizeof(header)) : 0;
	if (error == 0)
		error = write_all(out, bytes, len);
	free(made);
	loader_free(ld);
	if (error != 0) {
		fprintf(stderr, "argdata-dump: standard output: %s\n",
		    strerror(error));
		return 2;
	}
	return 0;
}
