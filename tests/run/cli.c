/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * End-to-end tests of cloudabi-run: the tool starts the fdreport helper,
 * which reports its pid, environment and every descriptor it holds; the
 * tests compare that with what the configuration named. Also the dry run,
 * standard input, exit statuses and the one-line error of every malformed
 * configuration in malformed.txt.
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "malformed.h"
#include "testutil.h"

static const char *tool;     /* cloudabi-run */
static const char *fdreport; /* the helper */
static char dir[] = "/tmp/test_run.XXXXXX";

struct result {
	pid_t pid;
	int status; /* exit status, or 128 + signal */
	char *out;
	char *err;
};

static void
result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void
append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	assert_non_null(*buf);
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/*
 * Whether cloudabi-run gets --no-sandbox: in sanitized builds, because a
 * sanitizer's run-time cannot start inside the sandbox (it reads /proc),
 * and on a kernel that cannot confine, where cloudabi-run refuses to start
 * anything confined. These tests are about descriptors; tests/sandbox
 * covers the sandbox. CI sets ARGDATA_TEST_REQUIRE_SANDBOX, so that there
 * a kernel that cannot confine fails the tests instead.
 */
static bool unconfined;

/* Executes argv, with --no-sandbox for cloudabi-run where it must. */
static void
exec_tool(char *const argv[])
{
	char *args[64];
	size_t n = 0;

	if (!unconfined || argv[0] != tool) {
		execv(argv[0], argv);
		return;
	}
	args[n++] = argv[0];
	args[n++] = "--no-sandbox";
	for (size_t i = 1; argv[i] != NULL && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execv(args[0], args);
}

/*
 * Runs argv (argv[0] is the path) in cwd (or here), with input on its
 * standard input (NULL: /dev/null), collecting its output and status.
 */
static void
run(struct result *r, const char *cwd, const char *input, char *const argv[])
{
	int in[2], out[2], err[2];
	size_t outlen = 0, errlen = 0, inlen = input ? strlen(input) : 0;
	size_t inpos = 0;
	int status;

	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	*r = (struct result){.out = NULL};
	append(&r->out, &outlen, "", 0);
	append(&r->err, &errlen, "", 0);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err[1], 2) < 0 || (cwd != NULL && chdir(cwd) != 0))
			_exit(99);
		exec_tool(argv);
		_exit(98);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (inlen == 0) {
		close(in[1]);
		in[1] = -1;
	}
	signal(SIGPIPE, SIG_IGN);
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd p[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0},
		    {in[1], POLLOUT, 0}};
		char buf[4096];

		assert_true(poll(p, 3, 10000) > 0);
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &out[0] : &err[0];
			ssize_t n;

			if (p[i].revents == 0)
				continue;
			n = read(*fd, buf, sizeof(buf));
			if (n <= 0) {
				close(*fd);
				*fd = -1;
			} else if (i == 0) {
				append(&r->out, &outlen, buf, (size_t)n);
			} else {
				append(&r->err, &errlen, buf, (size_t)n);
			}
		}
		if (p[2].revents != 0) {
			ssize_t n = write(in[1], input + inpos, inlen - inpos);

			if (n > 0)
				inpos += (size_t)n;
			if (n <= 0 || inpos == inlen) {
				close(in[1]);
				in[1] = -1;
			}
		}
	}
	if (in[1] >= 0)
		close(in[1]);
	assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
	r->status =
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Writes text to dir/name and returns the path; free() it. */
static char *
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

/* The fields of the report's line "fd N ...", or false when absent. */
struct fdline {
	int fdflags;
	unsigned flags;
	unsigned long long dev, ino;
	char kind[16];
};

static bool
report_fd(const char *report, int fd, struct fdline *l)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "\nfd %d ", fd);
	p = strstr(report, key);
	if (p == NULL)
		return false;
	return sscanf(p + strlen(key),
	           "fdflags %d flags 0x%x dev %llu ino %llu mode %*o offset "
	           "%*d kind %15s",
	           &l->fdflags, &l->flags, &l->dev, &l->ino, l->kind) == 5;
}

static int
report_nfds(const char *report)
{
	int n = 0;

	for (const char *p = report; (p = strstr(p, "\nfd ")) != NULL; p++)
		n++;
	return n;
}

static void
same_file(const struct fdline *l, const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_true(l->dev == st.st_dev && l->ino == st.st_ino);
}

static void
test_run__every_tag_exactly(void **state)
{
	char yaml[8192], sock[4200], abstract[64], report[64];
	char *file, *config;
	struct fdline l;
	struct result r;
	struct stat st;
	int stray;

	(void)state;
	file = write_file("data", "hello");
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	snprintf(abstract, sizeof(abstract), "@test_run.%d", (int)getpid());
	snprintf(yaml, sizeof(yaml),
	    "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n"
	    "---\n"
	    "out: !fd stdout\n"        /* 0 */
	    "data: !file {path: %s}\n" /* 1 */
	    "log: !file {path: %s/log, access: append, create: true}\n"
	    "root: !dir {path: %s, write: true}\n"    /* 3 */
	    "tcp: !socket {bind: \"127.0.0.1:0\"}\n"  /* 4 */
	    "unix: !socket {bind: %s, type: dgram}\n" /* 5 */
	    "abstract: !socket {bind: \"%s\", type: seqpacket}\n"
	    "self: !executable\n" /* 7 */
	    "again: [!fd 1, !fd stdout]\n"
	    "numbers: [1, 2.5, true, ~, x]\n",
	    file, dir, dir, sock, abstract);
	config = write_file("every.yaml", yaml);
	/* A descriptor the tool inherits but the program must not get. */
	stray = open("/dev/null", O_RDONLY);
	assert_true(stray >= 0);
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, (char *)config,
	        NULL});
	close(stray);
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);

	/* Same process: the tool replaced itself. */
	snprintf(report, sizeof(report), "pid %d\n", (int)r.pid);
	assert_int_equal(strncmp(r.out, report, strlen(report)), 0);
	/* Exactly eight descriptors, 0 to 7, none close-on-exec leftovers. */
	assert_int_equal(report_nfds(r.out), 8);
	for (int fd = 0; fd < 8; fd++) {
		assert_true(report_fd(r.out, fd, &l));
		assert_int_equal(l.fdflags & FD_CLOEXEC, 0);
	}
	assert_true(report_fd(r.out, 0, &l));
	assert_string_equal(l.kind, "pipe");
	assert_true(report_fd(r.out, 1, &l));
	same_file(&l, file);
	assert_int_equal(l.flags & O_ACCMODE, O_RDONLY);
	assert_true(report_fd(r.out, 2, &l));
	assert_int_equal(l.flags & (O_ACCMODE | O_APPEND), O_WRONLY | O_APPEND);
	assert_true(report_fd(r.out, 3, &l));
	same_file(&l, dir);
	assert_true(report_fd(r.out, 4, &l));
	assert_string_equal(l.kind, "socket");
	/* A unix socket's inode is not its file's: the file is checked below.
	 */
	assert_true(report_fd(r.out, 5, &l));
	assert_string_equal(l.kind, "socket");
	assert_true(report_fd(r.out, 6, &l));
	assert_string_equal(l.kind, "socket");
	assert_true(report_fd(r.out, 7, &l));
	same_file(&l, fdreport);
	/* No environment but what was asked for. */
	assert_null(strstr(r.out, "\nenv "));
	/* The program owns the unix socket file now. */
	assert_int_equal(stat(sock, &st), 0);
	unlink(sock);
	result_free(&r);
	snprintf(yaml, sizeof(yaml), "%s/log", dir);
	unlink(yaml);
	free(file);
	free(config);
}

static void
test_run__alias_is_one_descriptor(void **state)
{
	char yaml[4400];
	char *config;
	struct result r;

	(void)state;
	snprintf(yaml, sizeof(yaml),
	    "out: !fd 1\na: &d !dir {path: %s}\nb: *d\nc: [*d, *d]\n", dir);
	config = write_file("alias.yaml", yaml);
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, (char *)config,
	        NULL});
	assert_int_equal(r.status, 0);
	assert_int_equal(report_nfds(r.out), 2);
	result_free(&r);
	free(config);
}

static void
test_run__inherited_descriptor(void **state)
{
	char yaml[128];
	struct fdline l;
	struct result r;
	int fd, tmp;

	(void)state;
	/* Not close-on-exec: cloudabi-run inherits it and may pass it on. */
	tmp = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(tmp >= 0);
	fd = fcntl(tmp, F_DUPFD, 40);
	close(tmp);
	assert_true(fd >= 40);
	snprintf(yaml, sizeof(yaml), "out: !fd stdout\nnull: !fd %d\n", fd);
	run(&r, NULL, yaml,
	    (char *const[]){(char *)tool, (char *)fdreport, NULL});
	close(fd);
	assert_int_equal(r.status, 0);
	assert_int_equal(report_nfds(r.out), 2);
	assert_true(report_fd(r.out, 1, &l));
	same_file(&l, "/dev/null");
	result_free(&r);
}

static void
test_run__config_from_stdin(void **state)
{
	struct result r;

	(void)state;
	run(&r, NULL, "out: !fd stdout\n",
	    (char *const[]){(char *)tool, (char *)fdreport, NULL});
	assert_int_equal(r.status, 0);
	assert_int_equal(report_nfds(r.out), 1);
	result_free(&r);
	run(&r, NULL, "out: !fd stdout\nx: [!fd stdin]\n",
	    (char *const[]){(char *)tool, (char *)fdreport, "-", NULL});
	assert_int_equal(r.status, 0);
	assert_int_equal(report_nfds(r.out), 2);
	result_free(&r);
	/* Errors name <stdin>. */
	run(&r, NULL, "a: !nope 1\n",
	    (char *const[]){(char *)tool, (char *)fdreport, NULL});
	assert_int_equal(r.status, 65);
	assert_string_equal(r.err,
	    "<stdin>:1:4: unknown tag !nope (known: "
	    "!fd, !file, !dir, !socket, !executable, !plain)\n");
	assert_string_equal(r.out, "");
	result_free(&r);
}

static void
test_run__env_and_argv0(void **state)
{
	struct result r;

	(void)state;
	setenv("TEST_RUN_PASSED", "through", 1);
	unsetenv("TEST_RUN_UNSET");
	run(&r, NULL, "out: !fd stdout\n",
	    (char *const[]){(char *)tool, "--env", "A=1", "-e", "B=x=y",
	        "--env", "TEST_RUN_PASSED", "--env", "TEST_RUN_UNSET",
	        "--argv0", "reporter", (char *)fdreport, NULL});
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\nenv A=1\n"));
	assert_non_null(strstr(r.out, "\nenv B=x=y\n"));
	assert_non_null(strstr(r.out, "\nenv TEST_RUN_PASSED=through\n"));
	assert_null(strstr(r.out, "TEST_RUN_UNSET"));
	assert_non_null(strstr(r.out, "\nargv0 reporter\n"));
	result_free(&r);
}

static void
test_run__dry_run(void **state)
{
	char yaml[8192], sock[4200];
	struct result r;
	struct stat st;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/dry.sock", dir);
	snprintf(yaml, sizeof(yaml),
	    "listen: !socket {bind: \"127.0.0.1:0\"}\n"
	    "unix: !socket {bind: %s}\n"
	    "root: !dir {path: %s}\n"
	    "again: !fd 1\n"
	    "threads: 4\n",
	    sock, dir);
	free(write_file("dry.yaml", yaml));
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, "--dry-run", "--env", "X=1",
	        (char *)fdreport, "dry.yaml", NULL});
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	/* Nothing started: no report. */
	assert_null(strstr(r.out, "\npid "));
	assert_non_null(strstr(r.out, "threads: 4"));
	assert_non_null(strstr(r.out, "listen: !fd 0"));
	assert_non_null(strstr(r.out, "again: !fd 3"));
	/* Each descriptor named by where it first appears in the tree. */
	assert_non_null(strstr(r.out,
	    "\n0   listen  socket      tcp 127.0.0.1:0 not bound (dry run; "
	    "free when checked) "));
	assert_non_null(strstr(r.out, "dry.yaml:1:9\n"));
	assert_non_null(strstr(r.out, "\n1   unix    socket      unix "));
	assert_non_null(strstr(r.out, "dry.sock not bound (dry run) "));
	assert_non_null(strstr(r.out, "\n2   root    dir         dir "));
	assert_non_null(strstr(r.out, "dry.yaml:3:7\n"));
	assert_non_null(
	    strstr(r.out, "\n3   again   fd          inherited 1 "));
	assert_non_null(strstr(r.out, "\n4   -       argdata     "));
	assert_non_null(strstr(r.out, "\nARGV\n0  "));
	assert_non_null(strstr(r.out, "\nENVIRONMENT\nARGDATA_FD=4\nX=1\n"));
	assert_string_equal(r.err, "");
	/* No socket file was made. */
	assert_int_equal(stat(sock, &st), -1);
	result_free(&r);
}

static void
test_run__exit_statuses(void **state)
{
	char *config, *notexec, *garbage;
	struct result r;

	(void)state;
	config = write_file("ok.yaml", "out: !fd 1\n");
	/* The program's own status. */
	free(write_file("exit.yaml", "out: !fd 1\nexit: 42\n"));
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "exit.yaml", NULL});
	assert_int_equal(r.status, 42);
	result_free(&r);

	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, "/nonexistent/program",
	        (char *)config, NULL});
	assert_int_equal(r.status, 127);
	assert_string_equal(r.err,
	    "cloudabi-run: /nonexistent/program: No "
	    "such file or directory\n");
	result_free(&r);

	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, "no-such-program-anywhere",
	        (char *)config, NULL});
	assert_int_equal(r.status, 127);
	assert_string_equal(r.err,
	    "cloudabi-run: no-such-program-anywhere: not found\n");
	result_free(&r);

	notexec = write_file("notexec", "#!/bin/sh\n");
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, notexec, config, NULL});
	assert_int_equal(r.status, 126);
	assert_non_null(strstr(r.err,
	    "notexec: not executable (mode 0644): Permission denied\n"));
	result_free(&r);

	garbage = write_file("garbage",
	    "\x7f"
	    "ELF nonsense");
	assert_int_equal(chmod(garbage, 0755), 0);
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, garbage, config, NULL});
	assert_int_equal(r.status, 126);
	assert_non_null(strstr(r.err, "garbage: a malformed ELF file\n"));
	result_free(&r);

	run(&r, NULL, NULL, (char *const[]){(char *)tool, NULL});
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "usage: cloudabi-run"));
	result_free(&r);
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, "--bogus", (char *)fdreport, NULL});
	assert_int_equal(r.status, 64);
	result_free(&r);
	/* An option after the program is not taken for a file name. */
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "--no-sandbox",
	        NULL});
	assert_int_equal(r.status, 64);
	assert_string_equal(r.err,
	    "cloudabi-run: --no-sandbox: options come "
	    "before the program (cloudabi-run [options] "
	    "program [config.yaml])\n");
	result_free(&r);
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, (char *)config,
	        "-n", NULL});
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "-n: options come before the program"));
	result_free(&r);
	run(&r, NULL, NULL, (char *const[]){(char *)tool, "--help", NULL});
	assert_int_equal(r.status, 0);
	assert_int_equal(strncmp(r.out, "usage: cloudabi-run [--dry-run]", 31),
	    0);
	result_free(&r);
	run(&r, NULL, NULL, (char *const[]){(char *)tool, "--version", NULL});
	assert_int_equal(r.status, 0);
	assert_int_equal(strncmp(r.out, "cloudabi-run ", 13), 0);
	result_free(&r);
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport,
	        "/nonexistent/config.yaml", NULL});
	assert_int_equal(r.status, 66);
	assert_string_equal(r.err,
	    "cloudabi-run: /nonexistent/config.yaml: "
	    "No such file or directory\n");
	result_free(&r);
	run(&r, NULL, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, dir, NULL});
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, ": Is a directory\n"));
	result_free(&r);
	free(config);
	free(notexec);
	free(garbage);
}

static void
test_run__failure_leaves_nothing(void **state)
{
	char yaml[8192], sock[4200];
	struct result r;
	struct stat st;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/left.sock", dir);
	snprintf(yaml, sizeof(yaml),
	    "a: !socket {bind: %s}\nb: !file {path: %s/missing}\n", sock, dir);
	free(write_file("left.yaml", yaml));
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "left.yaml", NULL});
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, "left.yaml:2:17: !file: "));
	assert_string_equal(r.out, "");
	assert_int_equal(stat(sock, &st), -1);
	result_free(&r);
}

/*
 * The dry run leaves every file's bytes and every directory's entries as
 * they were and sends nothing: inotify sees no change in dir, the
 * listener no connection (the dry run has exited: a connection would be
 * queued by now). The control is the same configuration started for real.
 */
static void
test_run__dry_run_changes_nothing(void **state)
{
	const uint32_t changes = IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB |
	    IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE;
	struct sockaddr_in sin = {.sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);
	char yaml[8192], buf[4096], *keep, *made;
	int lfd, cfd, ifd;
	struct result r;
	struct stat st;

	(void)state;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	keep = write_file("keep.txt", "keep me");
	assert_true(asprintf(&made, "%s/made.txt", dir) > 0);
	snprintf(yaml, sizeof(yaml),
	    "keep: !file {path: keep.txt, access: write, truncate: true}\n"
	    "made: !file {path: made.txt, access: write, create: true}\n"
	    "sock: !socket {bind: ./made.sock}\n"
	    "peer: !socket {connect: \"127.0.0.1:%d\"}\n"
	    "data: !dir {path: ., write: true}\n",
	    ntohs(sin.sin_port));
	free(write_file("still.yaml", yaml));
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(ifd >= 0);
	assert_true(inotify_add_watch(ifd, dir, changes) >= 0);

	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, "--dry-run", (char *)fdreport,
	        "still.yaml", NULL});
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	assert_int_equal(read(ifd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(stat(keep, &st), 0);
	assert_int_equal(st.st_size, 7);
	assert_int_equal(stat(made, &st), -1);
	/* The table says what was not done. */
	assert_non_null(strstr(r.out, " truncate (dry run: not truncated) "));
	assert_non_null(strstr(r.out, " create (dry run: not created) "));
	assert_non_null(strstr(r.out, "unix ./made.sock not bound (dry run) "));
	assert_non_null(strstr(r.out, " not connected (dry run) "));
	result_free(&r);

	/* Control: the start truncates, creates and connects. */
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "still.yaml",
	        NULL});
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	result_free(&r);
	assert_true(read(ifd, buf, sizeof(buf)) > 0);
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd >= 0);
	assert_int_equal(stat(keep, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(stat(made, &st), 0);
	close(cfd);
	close(lfd);
	close(ifd);
	unlink(made);
	free(made);
	free(keep);
	assert_true(asprintf(&made, "%s/made.sock", dir) > 0);
	unlink(made);
	free(made);
}

/*
 * The red team's finding, end to end: a program given w/ (writable)
 * replaces the log that the same configuration names in it with a link
 * to a file outside; the next start, and its dry run, refuse it. The
 * control, follow: true, hands the outside file over.
 */
static void
test_run__planted_link_refused(void **state)
{
	char *w, *log, *outside, want[8192];
	struct fdline l;
	struct result r;
	struct stat st;

	(void)state;
	assert_true(asprintf(&w, "%s/w", dir) > 0);
	assert_true(asprintf(&log, "%s/w/log", dir) > 0);
	assert_int_equal(mkdir(w, 0755), 0);
	outside = write_file("outside.txt", "outside");
	assert_int_equal(symlink(outside, log), 0);
	free(write_file("plant.yaml",
	    "data: !dir {path: w, write: true}\n"
	    "log: !file {path: w/log, access: append, create: true}\n"));
	snprintf(want, sizeof(want),
	    "plant.yaml:2:19: !file: w/log: w/log is a symbolic link (to %s) "
	    "(not followed, so that a confined program cannot plant one "
	    "that the next start opens; write the path it leads to, or add "
	    "follow: true)\n",
	    outside);
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "plant.yaml",
	        NULL});
	assert_int_equal(r.status, 66);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
	result_free(&r);
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, "--dry-run", (char *)fdreport,
	        "plant.yaml", NULL});
	assert_int_equal(r.status, 66);
	assert_string_equal(r.err, want);
	result_free(&r);
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_size, 7);

	/* Control: allowed to follow, the program gets the outside file. */
	free(write_file("plant.yaml",
	    "data: !dir {path: w, write: true}\n"
	    "log: !file {path: w/log, access: append, create: true, "
	    "follow: true}\n"
	    "out: !fd stdout\n"));
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "plant.yaml",
	        NULL});
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	assert_true(report_fd(r.out, 1, &l));
	same_file(&l, outside);
	result_free(&r);
	unlink(log);
	rmdir(w);
	free(w);
	free(log);
	free(outside);
}

/*
 * An ELF header of this machine and nothing else: cloudabi-run's checks
 * pass it (no loader, no libraries), and the exec fails on it.
 */
static char *
write_headers_only(const char *name)
{
	unsigned char h[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	char *path;
	int fd;

	h[16] = 3; /* ET_DYN */
#if defined(__x86_64__)
	h[18] = 62;
#else
	h[18] = 183;
#endif
	h[20] = 1;
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	close(fd);
	return path;
}

/* A start that fails removes the files it created, and only those. */
static void
test_run__failed_start_removes_created(void **state)
{
	char *made, *junk, *there;
	struct result r;
	struct stat st;

	(void)state;
	assert_true(asprintf(&made, "%s/made.txt", dir) > 0);
	there = write_file("there.txt", "there");
	junk = write_headers_only("junk");
	free(write_file("made.yaml",
	    "a: !file {path: made.txt, access: write, create: true}\n"
	    "b: !file {path: there.txt, access: write, create: true}\n"
	    "c: !file {path: missing.txt}\n"));
	/* A later tag fails. */
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "made.yaml", NULL});
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, "made.yaml:3:17: !file: missing.txt: "));
	result_free(&r);
	assert_int_equal(stat(made, &st), -1);
	assert_int_equal(stat(there, &st), 0);
	/*
	 * The exec fails, unconfined: confined, the failure comes after the
	 * confinement, which may keep the file from being removed
	 * (cloudabi-run(1)). A file that is no ELF program at all is refused
	 * before anything is created.
	 */
	free(write_file("made.yaml",
	    "a: !file {path: made.txt, access: write, create: true}\n"
	    "out: !fd stdout\n"));
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, "--no-sandbox", junk, "made.yaml",
	        NULL});
	assert_int_equal(r.status, 126);
	assert_non_null(strstr(r.err, "junk: Exec format error\n"));
	result_free(&r);
	assert_int_equal(stat(made, &st), -1);
	/* Control: a start that succeeds keeps it. */
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "made.yaml", NULL});
	assert_int_equal(r.status, 0);
	result_free(&r);
	assert_int_equal(stat(made, &st), 0);
	unlink(made);
	unlink(there);
	unlink(junk);
	free(made);
	free(junk);
	free(there);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_run__hostile_documents_refused_fast(void **state)
{
	char *yaml = malloc(4 << 20), *p = yaml;
	struct result r;
	double t;

	(void)state;
	assert_non_null(yaml);
	/* A billion laughs. */
	p += sprintf(p,
	    "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, "
	    "lol, lol]\n");
	for (int i = 1; i < 10; i++) {
		p += sprintf(p, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			p += sprintf(p, "%s*a%d", j ? ", " : "", i - 1);
		p += sprintf(p, "]\n");
	}
	t = now();
	run(&r, NULL, yaml,
	    (char *const[]){(char *)tool, (char *)fdreport, NULL});
	assert_true(now() - t < 1.0);
	assert_int_equal(r.status, 65);
	assert_non_null(strstr(r.err, "expands to more than"));
	result_free(&r);

	/* A million open brackets. */
	memset(yaml, '[', 1000000);
	yaml[1000000] = '\0';
	t = now();
	run(&r, NULL, yaml,
	    (char *const[]){(char *)tool, (char *)fdreport, NULL});
	assert_true(now() - t < 1.0);
	assert_int_equal(r.status, 65);
	assert_string_equal(r.err,
	    "<stdin>:1:65: [ and { nested deeper than 64 "
	    "levels (nest deeper in block style)\n");
	result_free(&r);
	free(yaml);
}

/* One case of malformed.txt, through the tool: one line, its status. */
static void
check_malformed(const struct malformed_case *c, void *arg)
{
	struct result r;
	size_t want = strlen(c->want);
	char path[4200];
	int fd;

	(void)arg;
	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, c->yaml, c->len), (ssize_t)c->len);
	close(fd);
	run(&r, dir, NULL,
	    (char *const[]){(char *)tool, (char *)fdreport, "config.yaml",
	        NULL});
	if (r.status != c->status || strncmp(r.err, c->want, want) != 0 ||
	    strcmp(r.err + want, "\n") != 0)
		fail_msg("%sstatus %d\ngot      %sexpected %s\n", c->title,
		    r.status, r.err, c->want);
	assert_string_equal(r.out, "");
	result_free(&r);
}

static void
test_run__malformed_golden(void **state)
{
	size_t cases;
	char *path;

	(void)state;
	cases = malformed_each(getenv("MALFORMED"), check_malformed, NULL);
	path = write_file("config.yaml", "");
	unlink(path);
	free(path);
	assert_true(cases >= 40);
}

static int
group_setup(void **state)
{
	(void)state;
	tool = getenv("CLOUDABI_RUN");
	fdreport = getenv("FDREPORT");
	if (tool == NULL || fdreport == NULL || mkdtemp(dir) == NULL)
		return -1;
	unconfined = SANITIZED || test_cloudabi_run_cannot_confine(tool);
	return 0;
}

static int
group_teardown(void **state)
{
	static const char *const files[] = {"data", "every.yaml", "alias.yaml",
	    "dry.yaml", "ok.yaml", "exit.yaml", "notexec", "garbage",
	    "left.yaml", "keep.txt", "still.yaml", "outside.txt", "plant.yaml",
	    "made.yaml"};
	char path[4200];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	return rmdir(dir);
}

/* The group, which main.c runs. */
int run_cli_tests(void);

int
run_cli_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_run__every_tag_exactly),
	    TEST_CASE(test_run__alias_is_one_descriptor),
	    TEST_CASE(test_run__inherited_descriptor),
	    TEST_CASE(test_run__config_from_stdin),
	    TEST_CASE(test_run__env_and_argv0),
	    TEST_CASE(test_run__dry_run),
	    TEST_CASE(test_run__exit_statuses),
	    TEST_CASE(test_run__failure_leaves_nothing),
	    TEST_CASE(test_run__dry_run_changes_nothing),
	    TEST_CASE(test_run__planted_link_refused),
	    TEST_CASE(test_run__failed_start_removes_created),
	    TEST_CASE(test_run__hostile_documents_refused_fast),
	    TEST_CASE(test_run__malformed_golden),
	};

	return cmocka_run_group_tests_name("cli", tests, group_setup,
	    group_teardown);
}
