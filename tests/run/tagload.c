/* SPDX-License-Identifier: BSD-2-Clause */
/* What the tests of the tag handlers share; see tagload.h. */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tagload.h"

/* Loads yaml with cloudabi-run's handlers, as a dry run when dry. */
void
tl_load(struct run *r, bool dry, const char *fmt, ...)
{
	char yaml[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(yaml, sizeof(yaml), fmt, ap);
	va_end(ap);
	assert_int_equal(run_context_init(&r->rc, -1, "/bin/true"), 0);
	r->rc.dry_run = dry;
	r->ld =
	    loader_create("c.yaml", run_handlers, run_nhandlers, &r->rc, NULL);
	assert_non_null(r->ld);
	r->error = loader_load_string(r->ld, yaml, strlen(yaml), &r->tree);
}

void
tl_done(struct run *r)
{
	run_context_release(&r->rc);
	loader_free(r->ld);
}

/* Expects the load to have failed with "c.yaml:" then want. */
void
tl_expect_error(struct run *r, const char *fmt, ...)
{
	const loader_error_t *e = loader_error(r->ld);
	char got[8192], want[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (r->error == 0)
		fail_msg("loaded; expected %s", want);
	snprintf(got, sizeof(got), "c.yaml:%zu:%zu: %s", e->mark.line,
	    e->mark.column, e->message);
	if (strcmp(got, want) != 0)
		fail_msg("got      \"%s\"\nexpected \"%s\"", got, want);
}

/* The descriptor of the last resource, which must have loaded. */
int
tl_last_fd(const struct run *r)
{
	if (r->error != 0)
		fail_msg("%s", loader_error(r->ld)->message);
	assert_true(r->rc.nres > 0);
	return r->rc.res[r->rc.nres - 1].fd;
}

const char *
tl_last_source(const struct run *r)
{
	tl_last_fd(r);
	return r->rc.res[r->rc.nres - 1].source;
}

bool
tl_same_file(int fd, const char *p)
{
	struct stat a, b;

	assert_int_equal(fstat(fd, &a), 0);
	return stat(p, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void
tl_write_file(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The whole content of p, or "(absent)"; in buf. */
const char *
tl_content(const char *p, char *buf, size_t size)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return "(absent)";
	n = read(fd, buf, size - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

bool
tl_exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}
