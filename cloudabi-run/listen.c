/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * listen.c - the descriptors cloudabi-run received through systemd's
 * socket activation (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES), which !fd
 * names by their FileDescriptorName= or their number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tags.h"

/* systemd's first descriptor, SD_LISTEN_FDS_START. */
#define LISTEN_START 3

/* A decimal number without sign or leading junk, up to max. */
static bool
parse_number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *v <= max;
}

static int fail(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

int
run_listen_init(struct run_context *rc, char *why, size_t size)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES"), *p;
	unsigned long n, v;
	size_t nnames = 1;

	if (fds == NULL)
		return 0;
	/*
	 * Variables meant for another process (LISTEN_PID names it, or is
	 * missing) are ignored, as sd_listen_fds() ignores them.
	 */
	if (pid == NULL) {
		rc->listen_note = "LISTEN_PID is not set";
		return 0;
	}
	if (!parse_number(pid, INT_MAX, &v))
		return fail(why, size, "LISTEN_PID=%s: expected a process id",
		    pid);
	if ((pid_t)v != getpid()) {
		rc->listen_note = "LISTEN_PID names another process";
		return 0;
	}
	if (!parse_number(fds, INT_MAX - LISTEN_START, &n))
		return fail(why, size, "LISTEN_FDS=%s: expected a count", fds);
	if (names != NULL && n > 0) {
		for (p = names; *p != '\0'; p++)
			nnames += *p == ':';
		if (nnames != n)
			return fail(why, size,
			    "LISTEN_FDNAMES=%s names %zu descriptors, "
			    "LISTEN_FDS=%lu",
			    names, nnames, n);
	}
	/* All open first: a huge count stops at its first closed one. */
	for (unsigned long i = 0; i < n; i++)
		if (fcntl(LISTEN_START + (int)i, F_GETFD) == -1)
			return fail(why, size,
			    "LISTEN_FDS=%lu: descriptor %d is not open", n,
			    LISTEN_START + (int)i);
	if ((rc->listen = calloc(n + 1, sizeof(*rc->listen))) == NULL)
		return fail(why, size, "%s", strerror(ENOMEM));
	rc->listen_note = "LISTEN_FDS=0";
	for (unsigned long i = 0; i < n; i++) {
		int fd = LISTEN_START + (int)i;
		size_t len;

		/* systemd's name when there is none: "unknown". */
		len = names != NULL ? strcspn(names, ":") : 0;
		rc->listen[i].fd = fd;
		rc->listen[i].name =
		    names != NULL ? strndup(names, len) : strdup("unknown");
		if (rc->listen[i].name == NULL)
			return fail(why, size, "%s", strerror(ENOMEM));
		rc->nlisten++;
		if (names != NULL)
			names += len + (names[len] == ':');
	}
	return 0;
}

void
run_listen_release(struct run_context *rc)
{
	for (size_t i = 0; i < rc->nlisten; i++)
		free(rc->listen[i].name);
	free(rc->listen);
	rc->listen = NULL;
	rc->nlisten = 0;
}

const struct run_listen *
run_listen_find(const struct run_context *rc, const char *name, size_t *count)
{
	const struct run_listen *found = NULL;

	*count = 0;
	for (size_t i = 0; i < rc->nlisten; i++) {
		if (strcmp(rc->listen[i].name, name) != 0)
			continue;
		if (found == NULL)
			found = &rc->listen[i];
		(*count)++;
	}
	return found;
}
