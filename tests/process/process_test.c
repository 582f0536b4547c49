/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * process_test.c - what the process tests share: the fdreport helper's
 * reports read and parsed, descriptor tables taken and compared, trees for fdreport, the
 * group fixture (FDREPORT, SEED, the descriptor limit).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/close_range.h>

#include <argdata.h>
#include <program.h>

#include "process.h"
#include "testutil.h"
#include "process_test.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

const char *fdreport_path;

int fdreport_fd = -1;

uint64_t rng_state;

void
fd_state(int fd, struct fdstate *s)
{
	struct stat st;

	s->fd = fd;
	s->fdflags = fcntl(fd, F_GETFD);
	s->flags = fcntl(fd, F_GETFL);
	s->offset = (long long)lseek(fd, 0, SEEK_CUR);
	assert_int_equal(fstat(fd, &st), 0);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
}

void
table_take(struct table *t)
{
	t->n = 0;
	for (int fd = 0; fd < 12000; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		assert_true(t->n < sizeof(t->fd) / sizeof(t->fd[0]));
		fd_state(fd, &t->fd[t->n++]);
	}
}

void
table_assert_equal(const struct table *a, const struct table *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->fd[i].fd, b->fd[i].fd);
		assert_int_equal(a->fd[i].fdflags, b->fd[i].fdflags);
		assert_int_equal(a->fd[i].flags, b->fd[i].flags);
		assert_int_equal(a->fd[i].offset, b->fd[i].offset);
		assert_int_equal(a->fd[i].dev, b->fd[i].dev);
		assert_int_equal(a->fd[i].ino, b->fd[i].ino);
	}
}

void
report_parse(char *text, struct report *r)
{
	char *save = NULL;

	memset(r, 0, sizeof(*r));
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		struct fdstate *s = &r->fd[r->nfds];
		uintmax_t dev, ino;
		unsigned flags, mode;

		if (sscanf(line, "pid %ld", &r->pid) == 1)
			continue;
		if (sscanf(line, "sigmask 0x%llx", &r->sigmask) == 1)
			continue;
		if (sscanf(line, "nofile %llu %llu", &r->nofile_cur,
		        &r->nofile_max) == 2)
			continue;
		if (strncmp(line, "argv0 ", 6) == 0) {
			snprintf(r->argv0, sizeof(r->argv0), "%s", line + 6);
		} else if (strncmp(line, "env ", 4) == 0) {
			if (r->nenv < 8)
				snprintf(r->env[r->nenv], sizeof(r->env[0]),
				    "%s", line + 4);
			r->nenv++;
		} else if (strncmp(line, "fd ", 3) == 0) {
			/* A malformed line leaves the report incomplete. */
			if (r->nfds == 1024 ||
			    sscanf(line,
			        "fd %d fdflags %d flags 0x%x dev %ju ino %ju "
			        "mode 0%o offset %lld",
			        &s->fd, &s->fdflags, &flags, &dev, &ino, &mode,
			        &s->offset) != 7)
				return;
			s->flags = (int)flags;
			s->dev = (dev_t)dev;
			s->ino = (ino_t)ino;
			r->nfds++;
		} else if (strncmp(line, "yaml ", 5) == 0) {
			size_t used = strlen(r->yaml);

			snprintf(r->yaml + used, sizeof(r->yaml) - used, "%s\n",
			    line + 5);
			r->nyaml++;
		} else if (strcmp(line, "end") == 0) {
			r->complete = true;
		}
	}
}

/*
 * Reads fd to end-of-file and parses it as a report. Safe in threads (no
 * cmocka assertions, no shared buffer); an incomplete report says so.
 */
void
report_read_r(int fd, struct report *r)
{
	char *text = malloc(65536);
	size_t len = 0;
	ssize_t n = 0;

	if (text != NULL)
		while ((n = read(fd, text + len, 65535 - len)) > 0)
			len += (size_t)n;
	if (text == NULL || n != 0) {
		memset(r, 0, sizeof(*r));
		free(text);
		return;
	}
	text[len] = '\0';
	if (getenv("REPORT_DEBUG") != NULL)
		fputs(text, stderr);
	report_parse(text, r);
	free(text);
}

void
report_read(int fd, struct report *r)
{
	report_read_r(fd, r);
}

int
wait_pidfd(int pidfd)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED),
	    0);
	return info.si_code == CLD_EXITED ? info.si_status
	                                  : 128 + info.si_status;
}

int
wait_pid(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* No child of ours is left, running or as a zombie. */
void
assert_no_children(void)
{
	siginfo_t info;

	assert_int_equal(waitid(P_ALL, 0, &info, WEXITED | WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/*
 * The map {fds: [fd...], out: fd, exit: status} that fdreport reads. The
 * arrays the map and sequence are built on must outlive them: one set per
 * thread, so each thread can have one such tree at a time.
 */
argdata_t *
tree_create(const int *fds, size_t n, int out, int status, argdata_t **parts)
{
	static _Thread_local const argdata_t *elems[64];
	static _Thread_local const argdata_t *keys[3], *values[3];
	size_t np = 0;

	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++)
		elems[i] = parts[np++] = argdata_create_fd(fds[i]);
	keys[0] = parts[np++] = argdata_create_str_c("fds");
	values[0] = parts[np++] = argdata_create_seq(elems, n);
	keys[1] = parts[np++] = argdata_create_str_c("out");
	values[1] = parts[np++] = argdata_create_fd(out);
	keys[2] = parts[np++] = argdata_create_str_c("exit");
	values[2] = parts[np++] = argdata_create_int(status);
	parts[np] = NULL;
	return argdata_create_map(keys, values, 3);
}

void
tree_free(argdata_t *ad, argdata_t **parts)
{
	argdata_free(ad);
	for (size_t i = 0; parts[i] != NULL; i++)
		argdata_free(parts[i]);
}

int
process_group_setup(void **state)
{
	const char *seed = getenv("SEED");
	struct rlimit rl;

	fdreport_path = getenv("FDREPORT");
	if (fdreport_path == NULL)
		return -1;
	fdreport_fd = open(fdreport_path, O_PATH | O_CLOEXEC);
	if (fdreport_fd < 0)
		return -1;
	rng_state = seed != NULL ? strtoull(seed, NULL, 0)
	                         : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	if (rng_state == 0)
		rng_state = 1;
	fprintf(stderr, "# SEED=%" PRIu64 "\n", rng_state);
	/* The layouts use descriptor numbers up to 11000. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 12000) {
		rl.rlim_cur = rl.rlim_max < 12000 ? rl.rlim_max : 12000;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* The caller's environment must not reach started programs. */
	setenv("PROCESS_TEST_SECRET", "leaked", 1);
	return 0;
}

int
process_group_teardown(void **state)
{
	close(fdreport_fd);
	return 0;
}

/*
 * A file with the given contents and mode, open for reading. It is made
 * next to fdreport, where executing files is known to be allowed (/tmp
 * may be mounted noexec).
 */
int
make_file(const void *data, size_t len, mode_t mode)
{
	char path[PATH_MAX];
	const char *slash = strrchr(fdreport_path, '/');
	int dirlen = slash != NULL ? (int)(slash - fdreport_path) : 1;
	int fd;

	snprintf(path, sizeof(path), "%.*s/process-test-XXXXXX", dirlen,
	    slash != NULL ? fdreport_path : ".");
	fd = mkostemp(path, O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

/* Runs fdreport in a forked child through fn and returns its report. */
int
start_in_child(void (*fn)(int out, void *), void *arg, struct report *r)
{
	int p[2], status;
	pid_t child;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[0]);
		fn(p[1], arg);
		_exit(99);
	}
	close(p[1]);
	report_read(p[0], r);
	close(p[0]);
	status = wait_pid(child);
	assert_no_children();
	return status;
}

void
exec_with_attr(int out, void *arg)
{
	argdata_t *parts[8], *ad = tree_create(NULL, 0, out, 0, parts);

	_exit(100 + program_exec_attr(fdreport_fd, ad, arg));
}
