/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plain_report.c - fdreport's report taken apart; see plain_report.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "plain_report.h"

static void
report_parse(char *text, struct report *r)
{
	char *save = NULL;

	memset(r, 0, sizeof(*r));
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "pid %ld", &r->pid) == 1)
			continue;
		if (strncmp(line, "argv0 ", 6) == 0) {
			snprintf(r->argv0, sizeof(r->argv0), "%s", line + 6);
		} else if (strncmp(line, "arg ", 4) == 0) {
			assert_true(r->nargs < MAXLINES);
			snprintf(r->args[r->nargs++], sizeof(r->args[0]), "%s",
			    line + 4);
		} else if (strncmp(line, "env ", 4) == 0) {
			assert_true(r->nenv < MAXLINES);
			snprintf(r->env[r->nenv++], sizeof(r->env[0]), "%s",
			    line + 4);
		} else if (strncmp(line, "fd ", 3) == 0) {
			assert_true(r->nfds < MAXLINES);
			assert_int_equal(
			    sscanf(line,
			        "fd %d fdflags %d flags 0x%*x dev %ju ino %ju",
			        &r->fd[r->nfds].fd, &r->fd[r->nfds].fdflags,
			        &r->fd[r->nfds].dev, &r->fd[r->nfds].ino),
			    4);
			r->nfds++;
		} else if (strncmp(line, "yaml ", 5) == 0) {
			r->yaml = true;
		} else if (strcmp(line, "end") == 0) {
			r->complete = true;
		}
	}
}

void
plain_report_read(int fd, struct report *r)
{
	char *text = malloc(65536);
	size_t len = 0;
	ssize_t n;

	assert_non_null(text);
	while ((n = read(fd, text + len, 65535 - len)) > 0)
		len += (size_t)n;
	assert_int_equal(n, 0);
	text[len] = '\0';
	if (getenv("REPORT_DEBUG") != NULL)
		fputs(text, stderr);
	report_parse(text, r);
	free(text);
}

void
assert_fd_is(const struct report *r, size_t i, int fd)
{
	struct stat st;

	assert_true(i < r->nfds);
	assert_int_equal(r->fd[i].fd, (int)i);
	assert_int_equal(r->fd[i].fdflags, 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(r->fd[i].dev, (uintmax_t)st.st_dev);
	assert_int_equal(r->fd[i].ino, (uintmax_t)st.st_ino);
}

void
assert_fd_is_devnull(const struct report *r, size_t i)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_fd_is(r, i, fd);
	close(fd);
}

void
assert_env(const struct report *r, size_t n, ...)
{
	bool seen[MAXLINES] = {false};
	va_list ap;

	assert_int_equal(r->nenv, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);
		bool found = false;

		for (size_t j = 0; j < r->nenv && !found; j++)
			if (!seen[j] && strcmp(r->env[j], want) == 0)
				seen[j] = found = true;
		if (!found)
			fail_msg("%s missing from the environment", want);
	}
	va_end(ap);
}
