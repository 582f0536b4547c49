/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of cloudabi-run's dry run, handler by handler: it checks
 * what a start would check and creates, truncates, binds and connects
 * nothing; each with the start as the control. Also that a failed start
 * removes the files it created, and only those.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tagload.h"
#include "testutil.h"

static char dir[] = "/tmp/test_dry_run.XXXXXX";
static char in[64];

/* A dry run truncates nothing; the start does (the control). */
static void
test_dry_run__truncates_nothing(void **state)
{
	char keep[4300], buf[64];
	struct run r;

	(void)state;
	snprintf(keep, sizeof(keep), "%s/keep.txt", in);
	tl_write_file(keep, "keep me");
	tl_load(&r, true, "!file {path: %s, access: write, truncate: true}",
	    keep);
	assert_non_null(
	    strstr(tl_last_source(&r), " (dry run: not truncated)"));
	/* It holds an O_PATH descriptor of the file: no access at all. */
	assert_int_equal(fcntl(tl_last_fd(&r), F_GETFL) & O_PATH, O_PATH);
	tl_done(&r);
	assert_string_equal(tl_content(keep, buf, sizeof(buf)), "keep me");

	tl_load(&r, false, "!file {path: %s, access: write, truncate: true}",
	    keep);
	assert_true(tl_same_file(tl_last_fd(&r), keep));
	tl_done(&r);
	assert_string_equal(tl_content(keep, buf, sizeof(buf)), "");
	unlink(keep);
}

/*
 * A dry run creates nothing and still checks what creating would meet; a
 * failed start removes what it created, and only that.
 */
static void
test_dry_run__creates_nothing(void **state)
{
	char p[4300], missing[4300], buf[64];
	struct run r;

	(void)state;
	snprintf(p, sizeof(p), "%s/new.txt", in);
	snprintf(missing, sizeof(missing), "%s/no/new.txt", in);
	tl_load(&r, true, "!file {path: %s, access: write, create: true}", p);
	assert_non_null(strstr(tl_last_source(&r), " (dry run: not created)"));
	tl_done(&r);
	assert_false(tl_exists(p));
	/* What the start would refuse, the dry run refuses. */
	tl_load(&r, true, "!file {path: %s, access: write, create: true}",
	    missing);
	tl_expect_error(&r, "c.yaml:1:14: !file: %s: No such file or directory",
	    missing);
	tl_done(&r);
	tl_write_file(p, "there");
	tl_load(&r, true,
	    "!file {path: %s, access: write, create: true, exclusive: true}",
	    p);
	tl_expect_error(&r, "c.yaml:1:14: !file: %s: File exists", p);
	tl_done(&r);
	unlink(p);

	/*
	 * Control: the start creates it. Then a later tag fails, and the
	 * file goes again; a file that was there stays.
	 */
	tl_load(&r, false,
	    "[!file {path: %s, access: write, create: true}, "
	    "!file {path: %s}]",
	    p, missing);
	assert_int_not_equal(r.error, 0);
	assert_true(r.rc.nres == 1 && tl_same_file(r.rc.res[0].fd, p));
	tl_done(&r);
	assert_false(tl_exists(p));
	tl_write_file(p, "there");
	tl_load(&r, false,
	    "[!file {path: %s, access: write, create: true}, "
	    "!file {path: %s}]",
	    p, missing);
	assert_true(r.rc.nres == 1 && tl_same_file(r.rc.res[0].fd, p));
	tl_done(&r);
	assert_string_equal(tl_content(p, buf, sizeof(buf)), "there");
	/* Nor one that took the created file's name meanwhile. */
	unlink(p);
	tl_load(&r, false, "!file {path: %s, access: write, create: true}", p);
	tl_last_fd(&r);
	unlink(p);
	tl_write_file(p, "other");
	tl_done(&r);
	assert_string_equal(tl_content(p, buf, sizeof(buf)), "other");
	unlink(p);
}

static int
listener(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	*sin = (struct sockaddr_in){.sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

/*
 * A dry run connects nothing: the listener's queue is empty after it (a
 * connection would already be there, the handler having returned), and
 * holds the connection of the start (the control).
 */
static void
test_dry_run__connects_nothing(void **state)
{
	struct sockaddr_in sin;
	struct run r;
	int lfd, cfd;

	(void)state;
	lfd = listener(&sin);
	tl_load(&r, true, "!socket {connect: \"127.0.0.1:%d\"}",
	    ntohs(sin.sin_port));
	assert_non_null(strstr(tl_last_source(&r), " not connected (dry run)"));
	tl_done(&r);
	assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EAGAIN);

	tl_load(&r, false, "!socket {connect: \"127.0.0.1:%d\"}",
	    ntohs(sin.sin_port));
	tl_last_fd(&r);
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd >= 0);
	close(cfd);
	tl_done(&r);

	/* A port in use: the dry run says so, as the start would. */
	tl_load(&r, true, "!socket {bind: \"127.0.0.1:%d\"}",
	    ntohs(sin.sin_port));
	tl_expect_error(&r,
	    "c.yaml:1:16: !socket: bind 127.0.0.1:%d: Address "
	    "already in use",
	    ntohs(sin.sin_port));
	tl_done(&r);
	close(lfd);
	/* Free, it is left unbound. */
	tl_load(&r, true, "!socket {bind: \"127.0.0.1:0\"}");
	assert_non_null(strstr(tl_last_source(&r), " not bound (dry run"));
	{
		socklen_t len = sizeof(sin);

		assert_int_equal(
		    getsockname(tl_last_fd(&r), (struct sockaddr *)&sin, &len),
		    0);
		assert_int_equal(sin.sin_port, 0);
	}
	tl_done(&r);
}

/* A dry run binds no unix socket file, and checks the directory. */
static void
test_dry_run__binds_no_file(void **state)
{
	char sock[4300], missing[4300];
	struct run r;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/s.sock", in);
	snprintf(missing, sizeof(missing), "%s/no/s.sock", in);
	tl_load(&r, true, "!socket {bind: %s}", sock);
	assert_non_null(strstr(tl_last_source(&r), " not bound (dry run)"));
	tl_done(&r);
	assert_false(tl_exists(sock));
	tl_load(&r, true, "!socket {bind: %s}", missing);
	tl_expect_error(&r,
	    "c.yaml:1:16: !socket: bind %s: No such file or directory",
	    missing);
	tl_done(&r);
	/* A file that is no socket is in the way, as for the start. */
	tl_write_file(sock, "x");
	tl_load(&r, true, "!socket {bind: %s}", sock);
	tl_expect_error(&r,
	    "c.yaml:1:16: !socket: bind %s: Address already in "
	    "use",
	    sock);
	tl_done(&r);
	unlink(sock);

	/* Control: the start binds it. */
	tl_load(&r, false, "!socket {bind: %s}", sock);
	tl_last_fd(&r);
	assert_true(tl_exists(sock));
	tl_done(&r);
	assert_false(tl_exists(sock));
}

/*
 * The dry run's unix sockets: connecting needs a socket file and connects
 * nothing (the listener's queue stays empty; the control fills it); an
 * abstract name is checked free.
 */
static void
test_dry_run__unix_connect(void **state)
{
	char sock[4300], notsock[4300], abstract[64];
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct run r;
	int lfd, cfd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/l.sock", in);
	snprintf(notsock, sizeof(notsock), "%s/plain", in);
	snprintf(abstract, sizeof(abstract), "@test_paths.%d", (int)getpid());
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(lfd >= 0 && strlen(sock) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, sock, strlen(sock));
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 8), 0);

	tl_load(&r, true, "!socket {connect: %s}", sock);
	assert_non_null(strstr(tl_last_source(&r), " not connected (dry run)"));
	tl_done(&r);
	assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EAGAIN);
	tl_write_file(notsock, "x");
	tl_load(&r, true, "!socket {connect: %s}", notsock);
	tl_expect_error(&r,
	    "c.yaml:1:19: !socket: connect %s: Connection refused", notsock);
	tl_done(&r);
	/* The start refuses the same. */
	tl_load(&r, false, "!socket {connect: %s}", notsock);
	tl_expect_error(&r,
	    "c.yaml:1:19: !socket: connect %s: Connection refused", notsock);
	tl_done(&r);
	unlink(notsock);
	/* Control: the start connects. */
	tl_load(&r, false, "!socket {connect: %s}", sock);
	tl_last_fd(&r);
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd >= 0);
	close(cfd);
	tl_done(&r);
	close(lfd);
	unlink(sock);

	tl_load(&r, true, "!socket {bind: \"%s\"}", abstract);
	assert_non_null(strstr(tl_last_source(&r), " not bound (dry run"));
	tl_done(&r);
}

static int
group_setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(in, sizeof(in), "%s/in", dir);
	return mkdir(in, 0755);
}

static int
group_teardown(void **state)
{
	(void)state;
	if (rmdir(in) != 0)
		return -1;
	return rmdir(dir);
}

/* The group, which main.c runs. */
int run_dry_run_tests(void);

int
run_dry_run_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_dry_run__truncates_nothing),
	    TEST_CASE(test_dry_run__creates_nothing),
	    TEST_CASE(test_dry_run__connects_nothing),
	    TEST_CASE(test_dry_run__binds_no_file),
	    TEST_CASE(test_dry_run__unix_connect),
	};

	return cmocka_run_group_tests_name("dry-run", tests, group_setup,
	    group_teardown);
}
