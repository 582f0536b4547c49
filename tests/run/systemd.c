/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * End-to-end tests of cloudabi-run with systemd on the outside: the
 * arrangement of examples/hello-server.socket and .service run by
 * systemd-socket-activate, hello-server fetched over 127.0.0.1 with its
 * descriptor table and environment checked; an argdata program given a
 * received socket by name; the checks on what systemd hands over.
 * SYSTEMD_SOCKET_ACTIVATE names systemd-socket-activate; without it the
 * socket activation tests are skipped, saying why.
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

static void
socket_unit_name(char *name, size_t size)
{
	char path[4200], line[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/hello-server.socket", examples);
	fp = fopen(path, "re");
	assert_non_null(fp);
	name[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "FileDescriptorName=%63s", name) == 1)
			break;
	fclose(fp);
	assert_true(name[0] != '\0' && strlen(name) < size);
}

/*
 * Starts systemd-socket-activate listening on 127.0.0.1 at a free port
 * and a second one, with names, then cloudabi-run with program and cfg
 * (by default hello-server and the systemd configuration of examples/);
 * returns once it listens, with the first port in *port. A port taken
 * meanwhile by someone else is retried with another.
 */
static void
start_activated(struct proc *p, const char *names, const char *program,
    const char *config, int *port)
{
	char cfg[4200], l1[64], l2[64], fdname[128], line[512];

	snprintf(cfg, sizeof(cfg), "%s/hello-server-systemd.yaml", examples);
	snprintf(fdname, sizeof(fdname), "--fdname=%s", names);
	for (int attempt = 0; attempt < 20; attempt++) {
		char *out, *err;

		*port = free_port();
		snprintf(l1, sizeof(l1), "127.0.0.1:%d", *port);
		snprintf(l2, sizeof(l2), "127.0.0.1:%d", free_port());
		start(p, NULL,
		    (char *const[]){(char *)ssa, "-l", l1, "-l", l2, fdname,
		        (char *)tool,
		        (char *)(program != NULL ? program : server),
		        config != NULL ? (char *)config : cfg, "--", "--once",
		        NULL});
		/* systemd-socket-activate says when it listens. */
		read_line(p->err, line, sizeof(line));
		if (strncmp(line, "Listening on ", 13) == 0) {
			read_line(p->err, line, sizeof(line));
			assert_int_equal(strncmp(line, "Listening on ", 13), 0);
			return;
		}
		finish(p, &out, &err);
		free(out);
		free(err);
		if (strstr(line, "in use") == NULL)
			fail_msg("systemd-socket-activate: %s", line);
	}
	fail_msg("no free port in 20 attempts");
}

/*
 * The arrangement of examples/hello-server.socket and .service, without
 * systemd as pid 1: systemd-socket-activate listens on two sockets named
 * http and admin and, at the first connection, execs cloudabi-run, which
 * hands http on to hello-server as its 3 (by its FileDescriptorName=) and
 * closes admin. The server keeps the pid all along; its table and
 * environment are exactly what the configuration says.
 */
static void
test_run_systemd__socket_activation(void **state)
{
	char name[64], names[160], want[128], *out, *err, *reply;
	struct proc p;
	int port;

	(void)state;
	if (ssa == NULL) {
		print_message("systemd-socket-activate not found: install "
		              "Debian's systemd package\n");
		skip();
	}
	socket_unit_name(name, sizeof(name));
	snprintf(names, sizeof(names), "%s:admin", name);
	start_activated(&p, names, NULL, NULL, &port);
	reply = fetch(port);
	assert_int_equal(finish(&p, &out, &err), 0);
	snprintf(want, sizeof(want), "hello from a plain program, pid %ld",
	    (long)p.pid);
	if (!has_line(reply, want))
		fail_msg("reply:\n%s\nstderr:\n%s", reply, err);
	assert_int_equal(count_lines(reply, "fd "), 4);
	assert_true(has_line(reply, "fd 0 character device 1:3"));
	assert_true(has_line(reply, "fd 1 pipe"));
	assert_true(has_line(reply, "fd 2 pipe"));
	snprintf(want, sizeof(want), "fd 3 socket 127.0.0.1:%d (listening)",
	    port);
	assert_true(has_line(reply, want));
	assert_int_equal(count_lines(reply, "env "), 3);
	assert_true(has_line(reply, "env LISTEN_FDS=1"));
	snprintf(want, sizeof(want), "env LISTEN_FDNAMES=%s", name);
	assert_true(has_line(reply, want));
	snprintf(want, sizeof(want), "env LISTEN_PID=%ld", (long)p.pid);
	assert_true(has_line(reply, want));
	free(reply);
	free(out);
	free(err);
}

static void
poke(int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port)};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	close(s);
}

/*
 * An argdata program under systemd: !fd names a received socket, which
 * lands where the tree puts it; the other is closed, and no LISTEN_*
 * reaches the program. A name two descriptors bear is refused.
 */
static void
test_run_systemd__socket_activation_argdata(void **state)
{
	char *cfg = write_file("argdata.yaml",
	    "out: !fd stdout\n"
	    "listen: !fd http\n");
	char *twice = write_file("twice.yaml", "listen: !fd http\n");
	char *out, *err;
	struct proc p;
	int port;

	(void)state;
	if (ssa == NULL) {
		print_message("systemd-socket-activate not found: install "
		              "Debian's systemd package\n");
		remove_file(cfg);
		remove_file(twice);
		skip();
	}
	start_activated(&p, "http:admin", fdreport, cfg, &port);
	poke(port);
	assert_int_equal(finish(&p, &out, &err), 0);
	if (count_lines(out, "fd ") != 2)
		fail_msg("report:\n%s\nstderr:\n%s", out, err);
	assert_report_fd(out, 0, "pipe", NULL);
	assert_report_fd(out, 1, "socket", NULL);
	assert_true(has_line(out, "yaml listen: !fd 1"));
	assert_int_equal(count_lines(out, "env "), 0);
	free(out);
	free(err);

	start_activated(&p, "http:http", fdreport, twice, &port);
	poke(port);
	assert_int_equal(finish(&p, &out, &err), 65);
	assert_non_null(strstr(err,
	    "twice.yaml:1:9: !fd http: 2 received "
	    "descriptors bear that name; name one by its number\n"));
	free(out);
	free(err);
	remove_file(cfg);
	remove_file(twice);
}

/*
 * What cloudabi-run checks of what systemd hands over, each failure one
 * line: LISTEN_FDS naming a closed descriptor, names that do not match the
 * count, an unreadable LISTEN_PID (status 66, what was handed over is
 * wrong); LISTEN_* meant for another process or without LISTEN_PID
 * (ignored, so a name is unknown: 65, the configuration's error); --env
 * trying to pass LISTEN_* on (64, the command line's).
 */
static void
test_run_systemd__listen_checks(void **state)
{
	static const char *const closed[] = {"LISTEN_FDS=2", NULL};
	static const char *const miscount[] = {"LISTEN_FDS=1",
	    "LISTEN_FDNAMES=a:b", NULL};
	static const char *const other[] = {"LISTEN_FDS=1", "LISTEN_PID=1",
	    NULL};
	static const char *const nopid[] = {"LISTEN_FDS=1", NULL};
	static const char *const badpid[] = {"LISTEN_FDS=1", "LISTEN_PID=12x",
	    NULL};
	char *cfg = write_file("listen.yaml",
	    "!plain\n"
	    "fds: {http: !fd http}\n");
	struct how how = {.env = closed, .listen_pid_self = true};
	char *out, *err;

	(void)state;
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool,
	                         (char *)fdreport_plain, cfg, NULL}),
	    66);
	/* 3, or 4 should the test's own 3 lack close-on-exec. */
	assert_non_null(strstr(err, "cloudabi-run: LISTEN_FDS=2: descriptor "));
	assert_non_null(strstr(err, " is not open\n"));
	free(out);
	free(err);

	how.env = miscount;
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool,
	                         (char *)fdreport_plain, cfg, NULL}),
	    66);
	assert_non_null(strstr(err,
	    "LISTEN_FDNAMES=a:b names 2 descriptors, LISTEN_FDS=1\n"));
	free(out);
	free(err);

	how = (struct how){.env = other};
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool,
	                         (char *)fdreport_plain, cfg, NULL}),
	    65);
	assert_non_null(strstr(err,
	    "listen.yaml:2:13: !fd http: not a "
	    "number, stdin, stdout, stderr or a name in LISTEN_FDNAMES "
	    "(LISTEN_PID names another process)\n"));
	free(out);
	free(err);

	how = (struct how){.env = nopid};
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool,
	                         (char *)fdreport_plain, cfg, NULL}),
	    65);
	assert_non_null(strstr(err, "(LISTEN_PID is not set)\n"));
	free(out);
	free(err);

	how = (struct how){.env = badpid};
	assert_int_equal(run(&how, NULL, &out, &err,
	                     (char *const[]){(char *)tool,
	                         (char *)fdreport_plain, cfg, NULL}),
	    66);
	assert_string_equal(err,
	    "cloudabi-run: LISTEN_PID=12x: expected a "
	    "process id\n");
	free(out);
	free(err);

	assert_int_equal(
	    run(NULL, NULL, &out, &err,
	        (char *const[]){(char *)tool, "--env", "LISTEN_FDS=1",
	            (char *)fdreport_plain, cfg, NULL}),
	    64);
	assert_string_equal(err,
	    "cloudabi-run: --env LISTEN_FDS=1: set by "
	    "cloudabi-run itself, never passed on\n");
	free(out);
	free(err);
	remove_file(cfg);
}

/* The group, which main.c runs. */
int run_systemd_tests(void);

int
run_systemd_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_run_systemd__socket_activation),
	    TEST_CASE(test_run_systemd__socket_activation_argdata),
	    TEST_CASE(test_run_systemd__listen_checks),
	};

	return cmocka_run_group_tests_name("systemd", tests,
	    proc_io_group_setup, proc_io_group_teardown);
}
