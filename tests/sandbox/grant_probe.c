/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grant_probe.c - tries what a program that opens files by path does, for
 * the tests of grants: reads lines "op path" from descriptor 0 and writes
 * "op path result" to descriptor 1, where result is 0, the errno name, or
 * for exec "exit N" (the status of the program run). Ops: read (open and
 * read a byte), write (open for writing, creating), list (read a
 * directory), exec (fork and execve the path, no arguments). It uses only
 * the C library, so that it starts confined in any build.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
try_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (read(fd, &c, 1) < 0) {
		int e = errno;
		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

static int
try_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	if (write(fd, "w", 1) != 1) {
		int e = errno;
		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

static int
try_list(const char *path)
{
	DIR *d = opendir(path);

	if (d == NULL)
		return errno;
	errno = 0;
	while (readdir(d) != NULL)
		;
	closedir(d);
	return errno;
}

/* Runs path; the child reports a failed execve as 200 + errno. */
static void
try_exec(FILE *out, const char *path)
{
	char *argv[] = {(char *)path, NULL};
	char *envp[] = {NULL};
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(out, "exec %s %s\n", path, strerrorname_np(errno));
		return;
	}
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(errno == EACCES ? 99 : 98);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		fprintf(out, "exec %s killed\n", path);
		return;
	}
	if (WEXITSTATUS(status) == 99)
		fprintf(out, "exec %s EACCES\n", path);
	else
		fprintf(out, "exec %s exit %d\n", path, WEXITSTATUS(status));
}

int
main(void)
{
	FILE *in = fdopen(0, "r"), *out = fdopen(1, "w");
	char line[4096];

	if (in == NULL || out == NULL)
		return 2;
	while (fgets(line, sizeof(line), in) != NULL) {
		char *path = strchr(line, ' ');
		int e = -1;

		line[strcspn(line, "\n")] = '\0';
		if (path == NULL)
			return 3;
		*path++ = '\0';
		if (strcmp(line, "read") == 0)
			e = try_read(path);
		else if (strcmp(line, "write") == 0)
			e = try_write(path);
		else if (strcmp(line, "list") == 0)
			e = try_list(path);
		else if (strcmp(line, "exec") == 0)
			try_exec(out, path);
		else
			return 4;
		if (e >= 0)
			fprintf(out, "%s %s %s\n", line, path,
			    e == 0 ? "0" : strerrorname_np(e));
		fflush(out);
	}
	return fclose(out) == 0 ? 0 : 5;
}
