/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_io.c - the helpers of the end-to-end tests of plain programs; see
 * proc_io.h.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc_io.h"
#include "testutil.h"

const char *tool, *fdreport, *fdreport_plain, *server, *examples, *ssa;
char dir[] = "/tmp/test_run_plain.XXXXXX";
bool unconfined;

/*
 * Starts argv (argv[0] a path) with pipes for its standard input, output
 * and error. cloudabi-run gets --no-sandbox where it must (sanitized
 * builds, a kernel that cannot confine), wherever it is in argv.
 */
void
start(struct proc *p, const struct how *how, char *const argv[])
{
	int in[2], out[2], err[2];
	char *args[64];
	size_t n = 0;

	for (size_t i = 0; argv[i] != NULL && n < 62; i++) {
		args[n++] = argv[i];
		if (argv[i] == tool && unconfined)
			args[n++] = "--no-sandbox";
	}
	args[n] = NULL;
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		char pid[32];

		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err[1], 2) < 0 ||
		    (how != NULL && how->cwd != NULL && chdir(how->cwd) != 0))
			_exit(99);
		for (size_t i = 0;
		     how != NULL && how->env != NULL && how->env[i] != NULL;
		     i++)
			putenv((char *)how->env[i]);
		if (how != NULL && how->listen_pid_self) {
			snprintf(pid, sizeof(pid), "%ld", (long)getpid());
			setenv("LISTEN_PID", pid, 1);
		}
		execv(args[0], args);
		_exit(98);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	p->in = in[1];
	p->out = out[0];
	p->err = err[0];
}

void
read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		char c;

		assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
		assert_int_equal(read(fd, &c, 1), 1);
		if (c == '\n')
			break;
		assert_true(len + 1 < size);
		buf[len++] = c;
	}
	buf[len] = '\0';
}

char *
read_all(int fd)
{
	char *buf = NULL;
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		char chunk[4096];
		ssize_t n;

		assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
		n = read(fd, chunk, sizeof(chunk));
		assert_true(n >= 0);
		buf = realloc(buf, len + (size_t)n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
		buf[len] = '\0';
		if (n == 0)
			break;
	}
	close(fd);
	return buf;
}

int
finish(struct proc *p, char **out, char **err)
{
	int status;

	if (p->in >= 0)
		close(p->in);
	p->in = -1;
	*out = read_all(p->out);
	*err = read_all(p->err);
	assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
run(const struct how *how, const char *input, char **out, char **err,
    char *const argv[])
{
	struct proc p;

	start(&p, how, argv);
	if (input != NULL) {
		signal(SIGPIPE, SIG_IGN);
		assert_int_equal(write(p.in, input, strlen(input)),
		    (ssize_t)strlen(input));
	}
	return finish(&p, out, err);
}

char *
write_file(const char *name, const char *text)
{
	char *path;
	int fd;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

void
remove_file(char *path)
{
	unlink(path);
	free(path);
}

size_t
count_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return n;
}

bool
has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') &&
		    (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

bool
report_fd(const char *report, int fd, char *kind, unsigned long long *ino)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "\nfd %d ", fd);
	if ((p = strstr(report, key)) == NULL)
		return false;
	return sscanf(p + strlen(key),
	           "fdflags 0 flags 0x%*x dev %*u ino %llu mode %*o offset %*d "
	           "kind %15s",
	           ino, kind) == 2;
}

void
assert_report_fd(const char *report, int fd, const char *kind, const char *path)
{
	unsigned long long ino;
	char got[16];
	struct stat st;

	if (!report_fd(report, fd, got, &ino))
		fail_msg("no descriptor %d in the report:\n%s", fd, report);
	assert_string_equal(got, kind);
	if (path != NULL) {
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(ino, (unsigned long long)st.st_ino);
	}
}

/*
 * Fetches http://127.0.0.1:port/ with HTTP/1.0 and returns the body of
 * the answer, which must be 200.
 */
char *
fetch(int port)
{
	static const char request[] = "GET / HTTP/1.0\r\n\r\n";
	struct sockaddr_in sin = {.sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port)};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char *reply, *body;

	assert_true(s >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(write(s, request, sizeof(request) - 1),
	    (ssize_t)sizeof(request) - 1);
	reply = read_all(s);
	assert_int_equal(strncmp(reply, "HTTP/1.0 200 OK\r\n", 17), 0);
	assert_non_null(body = strstr(reply, "\r\n\r\n"));
	body = strdup(body + 4);
	assert_non_null(body);
	free(reply);
	return body;
}

int
free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	close(s);
	return ntohs(sin.sin_port);
}

int
proc_io_group_setup(void **state)
{
	(void)state;
	tool = getenv("CLOUDABI_RUN");
	fdreport = getenv("FDREPORT");
	fdreport_plain = getenv("FDREPORT_PLAIN");
	server = getenv("HELLO_SERVER");
	examples = getenv("EXAMPLES");
	ssa = getenv("SYSTEMD_SOCKET_ACTIVATE");
	if (ssa != NULL && access(ssa, X_OK) != 0)
		ssa = NULL;
	if (tool == NULL || fdreport == NULL || fdreport_plain == NULL ||
	    server == NULL || examples == NULL || mkdtemp(dir) == NULL)
		return -1;
	unconfined = SANITIZED || test_cloudabi_run_cannot_confine(tool);
	return 0;
}

int
proc_io_group_teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}
