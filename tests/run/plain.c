/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * End-to-end tests of cloudabi-run with plain programs, ones that do not
 * read argdata (!plain configurations): cat with standard input and
 * output, hello-server (examples/) told its socket with --fd N,
 * descriptors joined into arguments, arguments after --, the dry run and
 * env's bound. fdreport-plain and hello-server report their descriptor
 * tables and environments, which must be exactly what the configuration
 * says. test_run_systemd.c has systemd on the outside.
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

/*
 * cat with standard input and output: what it reads from the file the
 * configuration opens comes out on our standard output; arguments after
 * -- reach it. fdreport-plain, started with the same configuration,
 * holds exactly 0 (the file), 1 (our pipe) and 2 (/dev/null), with an
 * empty environment.
 */
static void
test_run_plain__cat(void **state)
{
	char *in = write_file("in.txt", "one\ntwo\n");
	char *cfg = write_file("cat.yaml",
	    "!plain\n"
	    "stdin: !file {path: in.txt}\n"
	    "stdout: !fd stdout\n");
	struct how how = {.cwd = dir};
	char *out, *err;

	(void)state;
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool, "cat", cfg, NULL}),
	    0);
	assert_string_equal(out, "one\ntwo\n");
	assert_string_equal(err, "");
	free(out);
	free(err);

	assert_int_equal(
	    run(&how, NULL, &out, &err,
	        (char *const[]){(char *)tool, "cat", cfg, "--", "-n", NULL}),
	    0);
	assert_string_equal(out, "     1\tone\n     2\ttwo\n");
	free(out);
	free(err);

	assert_int_equal(
	    run(&how, NULL, &out, &err,
	        (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, "--",
	            "a b", "--c", NULL}),
	    0);
	assert_string_equal(err, "");
	assert_int_equal(count_lines(out, "fd "), 3);
	assert_report_fd(out, 0, "file", in);
	assert_report_fd(out, 1, "pipe", NULL);
	assert_report_fd(out, 2, "chr", "/dev/null");
	assert_int_equal(count_lines(out, "env "), 0);
	assert_int_equal(count_lines(out, "arg "), 2);
	assert_true(has_line(out, "arg a b"));
	assert_true(has_line(out, "arg --c"));
	assert_int_equal(count_lines(out, "yaml "), 0);
	free(out);
	free(err);
	remove_file(in);
	remove_file(cfg);
}

/*
 * hello-server taking --fd N: the socket cloudabi-run binds (port 0, so
 * that the kernel picks a free one) is named in args and becomes "3" on
 * the command line. The server says where it listens, then answers one
 * connection with its descriptors and environment: exactly 0 and 2
 * /dev/null, 1 our pipe, 3 the socket, and no environment at all.
 */
static void
test_run_plain__fd_argument(void **state)
{
	char *cfg = write_file("fd.yaml",
	    "!plain\n"
	    "args: [--once, --fd, !socket {bind: \"127.0.0.1:0\"}]\n"
	    "stdout: !fd stdout\n");
	char line[256], *out, *err, *reply, pid[64];
	struct proc p;
	int port;

	(void)state;
	start(&p, NULL,
	    (char *const[]){(char *)tool, (char *)server, cfg, NULL});
	read_line(p.out, line, sizeof(line));
	assert_int_equal(
	    sscanf(line,
	        "hello-server: listening on 127.0.0.1:%d (descriptor 3)",
	        &port),
	    1);
	reply = fetch(port);
	assert_int_equal(finish(&p, &out, &err), 0);
	assert_string_equal(err, "");
	snprintf(pid, sizeof(pid), "hello from a plain program, pid %ld",
	    (long)p.pid);
	assert_true(has_line(reply, pid));
	assert_int_equal(count_lines(reply, "fd "), 4);
	assert_true(has_line(reply, "fd 0 character device 1:3"));
	assert_true(has_line(reply, "fd 1 pipe"));
	assert_true(has_line(reply, "fd 2 character device 1:3"));
	snprintf(line, sizeof(line), "fd 3 socket 127.0.0.1:%d (listening)",
	    port);
	assert_true(has_line(reply, line));
	assert_int_equal(count_lines(reply, "env "), 0);
	free(reply);
	free(out);
	free(err);
	remove_file(cfg);
}

/*
 * A descriptor joined into an argument, and one that is also named:
 * [--report-fd=, !file ...] gives "--report-fd=4" after the named 3, and
 * an alias of the named socket in args gives its number, 3.
 */
static void
test_run_plain__joined_arguments(void **state)
{
	char *cfg = write_file("join.yaml",
	    "!plain\n"
	    "fds:\n"
	    "  web: &s !socket {bind: \"127.0.0.1:0\"}\n"
	    "args:\n"
	    "  - [--report-fd=, !file {path: report.txt, access: write, "
	    "create: true, truncate: true}]\n"
	    "  - [--listen=, *s, /tcp]\n"
	    "env: {LANG: C.UTF-8, EMPTY: \"\"}\n");
	struct how how = {.cwd = dir};
	char *out, *err, *report, path[4200], want[64];
	long pid;
	int fd;

	(void)state;
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool, "--env", "X=1",
	                         (char *)fdreport_plain, cfg, NULL}),
	    0);
	assert_string_equal(out, "");
	assert_string_equal(err, "");
	snprintf(path, sizeof(path), "%s/report.txt", dir);
	assert_true((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0);
	report = read_all(fd);
	assert_true(has_line(report, "arg --report-fd=4"));
	assert_true(has_line(report, "arg --listen=3/tcp"));
	assert_int_equal(count_lines(report, "arg "), 2);
	assert_int_equal(count_lines(report, "fd "), 5);
	assert_report_fd(report, 0, "chr", "/dev/null");
	assert_report_fd(report, 1, "chr", "/dev/null");
	assert_report_fd(report, 2, "chr", "/dev/null");
	assert_report_fd(report, 3, "socket", NULL);
	assert_report_fd(report, 4, "file", path);
	assert_int_equal(sscanf(strstr(report, "pid "), "pid %ld", &pid), 1);
	snprintf(want, sizeof(want), "env LISTEN_PID=%ld", pid);
	assert_int_equal(count_lines(report, "env "), 6);
	assert_true(has_line(report, want));
	assert_true(has_line(report, "env LISTEN_FDS=1"));
	assert_true(has_line(report, "env LISTEN_FDNAMES=web"));
	assert_true(has_line(report, "env LANG=C.UTF-8"));
	assert_true(has_line(report, "env EMPTY="));
	assert_true(has_line(report, "env X=1"));
	free(report);
	free(out);
	free(err);
	unlink(path);
	remove_file(cfg);
}

/*
 * An argdata program gets arguments after -- and its argdata still: the
 * report has both.
 */
static void
test_run_plain__argdata_program_arguments(void **state)
{
	char *out, *err;

	(void)state;
	assert_int_equal(run(NULL, "out: !fd stdout\n", &out, &err,
	                     (char *const[]){(char *)tool, (char *)fdreport,
	                         "-", "--", "one", "--two", NULL}),
	    0);
	assert_string_equal(err, "");
	assert_int_equal(count_lines(out, "arg "), 2);
	assert_true(has_line(out, "arg one"));
	assert_true(has_line(out, "arg --two"));
	assert_true(has_line(out, "yaml out: !fd 0"));
	assert_int_equal(count_lines(out, "fd "), 1);
	assert_int_equal(count_lines(out, "env "), 0);
	free(out);
	free(err);

	/* No configuration named: -- alone ends the command line's part. */
	assert_int_equal(run(NULL, "out: !fd stdout\n", &out, &err,
	                     (char *const[]){(char *)tool, (char *)fdreport,
	                         "--", "x", NULL}),
	    0);
	assert_true(has_line(out, "arg x"));
	free(out);
	free(err);

	/* Anything after the configuration but -- is refused, saying why. */
	assert_int_equal(run(NULL, NULL, &out, &err,
	                     (char *const[]){(char *)tool, (char *)fdreport,
	                         "-", "x", NULL}),
	    64);
	assert_string_equal(err,
	    "cloudabi-run: x: the program's arguments go after --\n");
	free(out);
	free(err);
}

/*
 * The dry run of a plain program: the descriptor table with numbers and
 * names, argv and the environment, and nothing started.
 */
static void
test_run_plain__dry_run(void **state)
{
	char *cfg = write_file("dry.yaml",
	    "!plain\n"
	    "args: [-v, [--fd=, !fd stdout]]\n"
	    "stdout: !fd stdout\n"
	    "fds:\n"
	    "  http: !fd stderr\n"
	    "env: {LANG: C}\n");
	struct how how = {.cwd = dir};
	char *out, *err;

	(void)state;
	assert_int_equal(
	    run(&how, NULL, &out, &err,
	        (char *const[]){(char *)tool, "--dry-run", "--argv0", "srv",
	            (char *)fdreport_plain, cfg, "--", "last", NULL}),
	    0);
	assert_string_equal(err, "");
	assert_null(strstr(out, "\npid "));
	assert_non_null(strstr(out, "FD  NAME    KIND "));
	assert_non_null(strstr(out, "\n0   stdin   null        /dev/null "));
	assert_non_null(strstr(out, "\n1   stdout  fd          inherited 1 "));
	assert_non_null(strstr(out, "\n2   stderr  null        /dev/null "));
	assert_non_null(strstr(out, "\n3   http    fd          inherited 2 "));
	assert_non_null(strstr(out, "dry.yaml:5:9\n"));
	assert_non_null(
	    strstr(out, "\nARGV\n0  srv\n1  -v\n2  --fd=1\n3  last\n"));
	assert_non_null(strstr(out,
	    "\nENVIRONMENT\nLISTEN_FDS=1\nLISTEN_FDNAMES=http\nLISTEN_PID="));
	assert_true(has_line(out, "LANG=C"));
	free(out);
	free(err);
	remove_file(cfg);
}

/*
 * env holds at most 4096 variables (program_attr_setenv() looks for each
 * name among the others); 4096 start, one more is refused.
 */
static void
test_run_plain__env_bound(void **state)
{
	size_t size = 16 + 4097 * 16, len;
	char *text = malloc(size), *cfg, *out, *err;
	struct how how = {.cwd = dir};

	(void)state;
	assert_non_null(text);
	len =
	    (size_t)snprintf(text, size, "!plain\nstdout: !fd stdout\nenv:\n");
	for (int i = 0; i < 4096; i++)
		len +=
		    (size_t)snprintf(text + len, size - len, "  V%d: x\n", i);
	cfg = write_file("env.yaml", text);
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool,
	                         (char *)fdreport_plain, cfg, NULL}),
	    0);
	assert_int_equal(count_lines(out, "env "), 4096);
	free(out);
	free(err);
	snprintf(text + len, size - len, "  W: x\n");
	remove_file(cfg);
	cfg = write_file("env.yaml", text);
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool,
	                         (char *)fdreport_plain, cfg, NULL}),
	    65);
	assert_non_null(strstr(err,
	    "env.yaml:4:3: env: more than 4096 "
	    "variables\n"));
	free(out);
	free(err);
	remove_file(cfg);
	free(text);
}

/* The group, which main.c runs. */
int run_plain_tests(void);

int
run_plain_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_run_plain__cat),
	    TEST_CASE(test_run_plain__fd_argument),
	    TEST_CASE(test_run_plain__joined_arguments),
	    TEST_CASE(test_run_plain__argdata_program_arguments),
	    TEST_CASE(test_run_plain__dry_run),
	    TEST_CASE(test_run_plain__env_bound),
	};

	return cmocka_run_group_tests_name("plain", tests, proc_io_group_setup,
	    proc_io_group_teardown);
}
