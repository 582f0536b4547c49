/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * script.c - finding the program (a path, or a name in $PATH), and the
 * #! line of a script given as the program: bounded to the kernel's 256
 * bytes, every byte checked, nothing read beyond it, and the interpreter
 * it names opened in its place.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "script.h"

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

int
run_script_read(int fd, struct run_script *s, char *why, size_t size)
{
	char buf[RUN_SCRIPT_LINE_MAX];
	size_t len, i, start, end;
	ssize_t n;
	char *nl;

	memset(s, 0, sizeof(*s));
	do
		n = pread(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	/* Unreadable (an execute-only program): the exec will tell. */
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	s->is_script = true;
	len = (size_t)n;
	nl = memchr(buf, '\n', len);
	if (nl == NULL) {
		snprintf(why, size,
		    "its #! line is longer than %d bytes or "
		    "does not end",
		    RUN_SCRIPT_LINE_MAX - 1);
		return -1;
	}
	len = (size_t)(nl - buf);
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(why, size, "its #! line holds a NUL byte");
		return -1;
	}
	for (i = 2; i < len && blank(buf[i]); i++)
		;
	start = i;
	while (i < len && !blank(buf[i]) && buf[i] != '\r')
		i++;
	if (i == start) {
		snprintf(why, size, "its #! line names no interpreter");
		return -1;
	}
	memcpy(s->interp, buf + start, i - start);
	s->interp[i - start] = '\0';
	while (i < len && blank(buf[i]))
		i++;
	/* The rest, trailing blanks (and a DOS line end) trimmed. */
	end = len;
	while (end > i && (blank(buf[end - 1]) || buf[end - 1] == '\r'))
		end--;
	if (end > i) {
		memcpy(s->arg, buf + i, end - i);
		s->arg[end - i] = '\0';
		s->has_arg = true;
	}
	{
		const char *base = strrchr(s->interp, '/');

		base = base == NULL ? s->interp : base + 1;
		if (strcmp(base, "env") != 0)
			return 0;
	}
	/* Also on failure: env is not the interpreter to suggest. */
	s->via_env = true;
	if (!s->has_arg || s->arg[0] == '-' || strpbrk(s->arg, " \t") != NULL) {
		snprintf(why, size,
		    "its #! line runs env%s%s, which cannot "
		    "be followed",
		    s->has_arg ? " " : "", s->arg);
		return -1;
	}
	if (strchr(s->arg, '=') != NULL || strchr(s->arg, '/') != NULL) {
		snprintf(why, size,
		    "its #! line runs env %s: expected the "
		    "name of a program",
		    s->arg);
		return -1;
	}
	return 0;
}

int
run_program_find(const char *name, char **path, int *error)
{
	const char *dirs = getenv("PATH");
	struct stat st;
	int fd;

	*path = NULL;
	*error = ENOENT;
	if (strchr(name, '/') != NULL) {
		if ((*path = strdup(name)) == NULL) {
			*error = ENOMEM;
			return -1;
		}
	} else {
		if (dirs == NULL)
			dirs = "/usr/local/bin:/usr/bin:/bin";
		while (*path == NULL) {
			size_t len = strcspn(dirs, ":");
			char *p;

			if (asprintf(&p, "%.*s%s%s", (int)len, dirs,
			        len == 0 ? "" : "/", name) < 0) {
				*error = ENOMEM;
				return -1;
			}
			/* Directories are searchable, not executable. */
			if (access(p, X_OK) == 0 && stat(p, &st) == 0 &&
			    S_ISREG(st.st_mode))
				*path = p;
			else {
				if (errno == EACCES)
					*error = EACCES;
				free(p);
			}
			if (dirs[len] == '\0')
				break;
			dirs += len + 1;
		}
		if (*path == NULL)
			return -1;
	}
	fd = open(*path, O_RDONLY | O_CLOEXEC);
	/* An execute-only program can still be executed through O_PATH. */
	if (fd == -1 && errno == EACCES)
		fd = open(*path, O_PATH | O_CLOEXEC);
	if (fd == -1) {
		*error = errno;
		free(*path);
		*path = NULL;
	}
	return fd;
}

int
run_script_follow(int scriptfd, struct run_script *s, int *interpfd,
    char **interp_path, char *why, size_t size)
{
	struct run_script inner;
	const char *name;
	int fd, error;

	*interpfd = -1;
	*interp_path = NULL;
	/* A script nobody may execute is refused as the kernel would. */
	if (faccessat(scriptfd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0) {
		memset(s, 0, sizeof(*s));
		return 0;
	}
	if (run_script_read(scriptfd, s, why, size) != 0 || !s->is_script)
		return s->is_script ? -1 : 0;
	name = s->via_env ? s->arg : s->interp;
	/* The kernel takes a relative interpreter from the working
	 * directory, never from $PATH: say so rather than guess. */
	if (!s->via_env && s->interp[0] != '/') {
		snprintf(why, size,
		    "its interpreter %s is not an absolute "
		    "path",
		    s->interp);
		return -1;
	}
	fd = run_program_find(name, interp_path, &error);
	if (fd < 0) {
		snprintf(why, size, "its interpreter %s: %s", name,
		    error == ENOENT && s->via_env ? "not found in $PATH"
		                                  : strerror(error));
		return -1;
	}
	if (run_script_read(fd, &inner, why, size) != 0 || inner.is_script) {
		close(fd);
		free(*interp_path);
		*interp_path = NULL;
		snprintf(why, size, "its interpreter %s is itself a #! script",
		    name);
		return -1;
	}
	*interpfd = fd;
	return 0;
}
