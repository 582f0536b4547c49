/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of command-line arguments and the plain layout: program_attr_addarg,
 * program_attr_addarg_fd, program_attr_setlayout, program_attr_setstdio and
 * program_attr_addfd, through program_exec_attr() and program_spawn(). The
 * started program is fdreport-plain (FDREPORT_PLAIN), or fdreport
 * (FDREPORT) for arguments to argdata programs; each reports its
 * descriptors, environment and arguments, compared here with exactly what
 * was asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <argdata.h>
#include <program.h>

#include "plain_report.h"
#include "testutil.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int plain_fd = -1;   /* fdreport-plain, O_PATH */
static int argdata_fd = -1; /* fdreport */

static int
wait_pidfd(int pidfd)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED),
	    0);
	close(pidfd);
	return info.si_code == CLD_EXITED ? info.si_status
	                                  : 128 + info.si_status;
}

static void
assert_no_children(void)
{
	siginfo_t info;

	assert_int_equal(waitid(P_ALL, 0, &info, WEXITED | WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/*
 * Runs fn(arg) in a forked child, which execs (or _exits with 100 plus an
 * errno value), and returns its exit status.
 */
static int
in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
exec_plain(void *arg)
{
	_exit(100 + program_exec_attr(plain_fd, NULL, arg));
}

static int
memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/*
 * Everything at once through program_exec_attr(): standard input a file,
 * output the report pipe, error /dev/null, two named descriptors, an
 * argument naming one of them and one naming a descriptor of its own.
 */
static void
test_program_exec_attr__plain_layout(void **state)
{
	program_attr_t *attr = program_attr_create();
	int p[2], in = memfd("in"), a = memfd("a"), b = memfd("b");
	int extra = memfd("extra");
	struct report r;
	char pid[64];

	(void)state;
	assert_non_null(attr);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN), 0);
	assert_int_equal(program_attr_setname(attr, "plain"), 0);
	assert_int_equal(program_attr_setstdio(attr, in, p[1], -1), 0);
	assert_int_equal(program_attr_addfd(attr, "http", a), 0);
	assert_int_equal(program_attr_addfd(attr, "admin", b), 0);
	assert_int_equal(program_attr_addarg(attr, "-D"), 0);
	assert_int_equal(program_attr_addarg(attr, ""), 0);
	assert_int_equal(program_attr_addarg_fd(attr, "--fd=", b, ",x"), 0);
	assert_int_equal(program_attr_addarg_fd(attr, NULL, extra, NULL), 0);
	assert_int_equal(program_attr_addarg_fd(attr, "out:", p[1], NULL), 0);
	assert_int_equal(program_attr_setenv(attr, "LANG", "C.UTF-8"), 0);
	setenv("PLAIN_TEST_SECRET", "leaked", 1);

	assert_int_equal(in_child(exec_plain, attr), 0);
	close(p[1]);
	plain_report_read(p[0], &r);
	assert_true(r.complete);
	assert_string_equal(r.argv0, "plain");
	assert_int_equal(r.nargs, 5);
	assert_string_equal(r.args[0], "-D");
	assert_string_equal(r.args[1], "");
	assert_string_equal(r.args[2], "--fd=4,x");
	assert_string_equal(r.args[3], "5");
	assert_string_equal(r.args[4], "out:1");
	/* The pipe's two ends are one inode: p[0] stands for p[1]. */
	assert_int_equal(r.nfds, 6);
	assert_fd_is(&r, 0, in);
	assert_fd_is(&r, 1, p[0]);
	assert_fd_is_devnull(&r, 2);
	assert_fd_is(&r, 3, a);
	assert_fd_is(&r, 4, b);
	assert_fd_is(&r, 5, extra);
	assert_false(r.yaml);
	close(p[0]);
	/* LISTEN_PID: the program's own pid, which the exec kept. */
	snprintf(pid, sizeof(pid), "LISTEN_PID=%ld", r.pid);
	assert_env(&r, 4, "LANG=C.UTF-8", "LISTEN_FDS=2",
	    "LISTEN_FDNAMES=http:admin", pid);
	program_attr_free(attr);
	close(in);
	close(a);
	close(b);
	close(extra);
}

/*
 * program_spawn() with nothing but defaults and one named descriptor: 0, 1
 * and 2 are /dev/null, the named one at 3, the report pipe (an argument's
 * descriptor) at 4, and LISTEN_PID is the child's pid, not the caller's.
 */
static void
test_program_spawn__plain_layout(void **state)
{
	program_attr_t *attr = program_attr_create();
	int p[2], sp[2], pidfd = -1;
	struct report r;
	char pid[64];

	(void)state;
	assert_non_null(attr);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp),
	    0);
	assert_int_equal(program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN), 0);
	assert_int_equal(program_attr_addfd(attr, "sock", sp[0]), 0);
	assert_int_equal(
	    program_attr_addarg_fd(attr, "--report-fd=", p[1], NULL), 0);
	assert_int_equal(program_spawn(plain_fd, NULL, attr, &pidfd), 0);
	close(p[1]);
	plain_report_read(p[0], &r);
	close(p[0]);
	assert_int_equal(wait_pidfd(pidfd), 0);
	assert_no_children();
	assert_true(r.complete);
	assert_string_equal(r.argv0, "fdreport-plain");
	assert_int_equal(r.nargs, 1);
	assert_string_equal(r.args[0], "--report-fd=4");
	assert_int_equal(r.nfds, 5);
	assert_fd_is_devnull(&r, 0);
	assert_fd_is_devnull(&r, 1);
	assert_fd_is_devnull(&r, 2);
	assert_fd_is(&r, 3, sp[0]);
	assert_true(r.pid != (long)getpid());
	snprintf(pid, sizeof(pid), "LISTEN_PID=%ld", r.pid);
	assert_env(&r, 3, "LISTEN_FDS=1", "LISTEN_FDNAMES=sock", pid);
	program_attr_free(attr);
	close(sp[0]);
	close(sp[1]);
}

/*
 * Without named descriptors there is no LISTEN_* at all, and one
 * descriptor given as standard output and error and in an argument keeps
 * its lowest number. The exit status comes through.
 */
static void
test_program_spawn__plain_no_named(void **state)
{
	program_attr_t *attr = program_attr_create();
	int p[2], pidfd = -1;
	struct report r;

	(void)state;
	assert_non_null(attr);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN), 0);
	assert_int_equal(program_attr_setstdio(attr, -1, p[1], p[1]), 0);
	assert_int_equal(program_attr_addarg_fd(attr, "--x=", p[1], NULL), 0);
	assert_int_equal(program_attr_addarg(attr, "--exit=7"), 0);
	assert_int_equal(program_spawn(plain_fd, NULL, attr, &pidfd), 0);
	close(p[1]);
	plain_report_read(p[0], &r);
	assert_int_equal(wait_pidfd(pidfd), 7);
	assert_true(r.complete);
	assert_int_equal(r.nargs, 2);
	assert_string_equal(r.args[0], "--x=1");
	assert_int_equal(r.nfds, 3);
	assert_fd_is_devnull(&r, 0);
	assert_fd_is(&r, 1, p[0]);
	assert_fd_is(&r, 2, p[0]);
	assert_int_equal(r.nenv, 0);
	close(p[0]);
	program_attr_free(attr);
}

/*
 * Arguments to an argdata program: a descriptor of the tree keeps its
 * number in the tree; another comes after the tree's, before the memfd,
 * and the argdata still arrives.
 */
static void
test_program_exec_attr__argdata_with_args(void **state)
{
	program_attr_t *attr = program_attr_create();
	int p[2], extra = memfd("extra"), pidfd = -1;
	const argdata_t *keys[1], *values[1];
	argdata_t *out, *key, *ad;
	struct report r;

	(void)state;
	assert_non_null(attr);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	keys[0] = key = argdata_create_str_c("out");
	values[0] = out = argdata_create_fd(p[1]);
	ad = argdata_create_map(keys, values, 1);
	assert_non_null(ad);
	assert_int_equal(program_attr_addarg(attr, "first"), 0);
	assert_int_equal(program_attr_addarg_fd(attr, "--extra=", extra, NULL),
	    0);
	assert_int_equal(program_attr_addarg_fd(attr, "--out=", p[1], "!"), 0);
	assert_int_equal(program_spawn(argdata_fd, ad, attr, &pidfd), 0);
	close(p[1]);
	plain_report_read(p[0], &r);
	assert_int_equal(wait_pidfd(pidfd), 0);
	assert_true(r.complete);
	assert_true(r.yaml);
	assert_int_equal(r.nargs, 3);
	assert_string_equal(r.args[0], "first");
	assert_string_equal(r.args[1], "--extra=1");
	assert_string_equal(r.args[2], "--out=0!");
	/* argdata-main closed the memfd, at 2, and took ARGDATA_FD away. */
	assert_int_equal(r.nfds, 2);
	assert_fd_is(&r, 0, p[0]);
	assert_fd_is(&r, 1, extra);
	assert_int_equal(r.nenv, 0);
	close(p[0]);
	close(extra);
	argdata_free(ad);
	argdata_free(key);
	argdata_free(out);
	program_attr_free(attr);
}

static void
test_program_attr__plain_invalid(void **state)
{
	program_attr_t *attr = program_attr_create();
	char longname[300];

	(void)state;
	assert_non_null(attr);
	assert_int_equal(program_attr_setlayout(attr, 2), EINVAL);
	assert_int_equal(program_attr_setlayout(NULL, PROGRAM_LAYOUT_PLAIN),
	    EINVAL);
	assert_int_equal(program_attr_setstdio(attr, -2, 1, 2), EBADF);
	assert_int_equal(program_attr_setstdio(attr, 0, 1, -7), EBADF);
	assert_int_equal(program_attr_setstdio(NULL, 0, 1, 2), EINVAL);
	assert_int_equal(program_attr_addfd(attr, "a:b", 0), EINVAL);
	assert_int_equal(program_attr_addfd(attr, "", 0), EINVAL);
	assert_int_equal(program_attr_addfd(attr, "tab\t", 0), EINVAL);
	assert_int_equal(program_attr_addfd(attr, "\xc3\xa9", 0), EINVAL);
	assert_int_equal(program_attr_addfd(attr, NULL, 0), EINVAL);
	assert_int_equal(program_attr_addfd(NULL, "a", 0), EINVAL);
	assert_int_equal(program_attr_addfd(attr, "a", -1), EBADF);
	memset(longname, 'x', 256);
	longname[256] = '\0';
	assert_int_equal(program_attr_addfd(attr, longname, 0), EINVAL);
	longname[255] = '\0';
	assert_int_equal(program_attr_addfd(attr, longname, 0), 0);
	assert_int_equal(program_attr_addarg(attr, NULL), EINVAL);
	assert_int_equal(program_attr_addarg(NULL, "x"), EINVAL);
	assert_int_equal(program_attr_addarg_fd(attr, "x", -1, NULL), EBADF);
	assert_int_equal(program_attr_addarg_fd(NULL, "x", 0, NULL), EINVAL);
	assert_int_equal(program_attr_setenv(attr, "LISTEN_FDS", "1"), EINVAL);
	assert_int_equal(program_attr_setenv(attr, "LISTEN_FDNAMES", "a"),
	    EINVAL);
	assert_int_equal(program_attr_setenv(attr, "LISTEN_PID", "1"), EINVAL);
	program_attr_free(attr);
}

/*
 * What the exec refuses before anything changes: argdata with the plain
 * layout, none with the argdata layout, stdio or named descriptors with
 * the argdata layout, closed descriptors. The table stays as it was.
 */
static void
test_program_exec_attr__plain_refused(void **state)
{
	program_attr_t *attr = program_attr_create();
	int pidfd = -1, closed = memfd("closed"), before;

	(void)state;
	close(closed);
	before = test_count_fds();
	assert_non_null(attr);
	assert_int_equal(program_attr_setstdio(attr, 0, 1, 2), 0);
	assert_int_equal(program_exec_attr(argdata_fd, &argdata_null, attr),
	    EINVAL);
	assert_int_equal(program_spawn(argdata_fd, &argdata_null, attr, &pidfd),
	    EINVAL);
	program_attr_free(attr);

	attr = program_attr_create();
	assert_non_null(attr);
	assert_int_equal(program_attr_addfd(attr, "a", 0), 0);
	assert_int_equal(program_exec_attr(argdata_fd, &argdata_null, attr),
	    EINVAL);
	assert_int_equal(program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN), 0);
	assert_int_equal(program_exec_attr(plain_fd, &argdata_null, attr),
	    EINVAL);
	assert_int_equal(program_spawn(plain_fd, &argdata_null, attr, &pidfd),
	    EINVAL);
	assert_int_equal(program_attr_addfd(attr, "b", closed), 0);
	assert_int_equal(program_exec_attr(plain_fd, NULL, attr), EBADF);
	assert_int_equal(program_spawn(plain_fd, NULL, attr, &pidfd), EBADF);
	program_attr_free(attr);

	attr = program_attr_create();
	assert_non_null(attr);
	assert_int_equal(program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN), 0);
	assert_int_equal(program_attr_setstdio(attr, closed, -1, -1), 0);
	assert_int_equal(program_exec_attr(plain_fd, NULL, attr), EBADF);
	assert_int_equal(program_attr_setstdio(attr, -1, -1, -1), 0);
	assert_int_equal(program_attr_addarg_fd(attr, NULL, closed, NULL), 0);
	assert_int_equal(program_exec_attr(plain_fd, NULL, attr), EBADF);
	assert_int_equal(program_spawn(plain_fd, NULL, attr, &pidfd), EBADF);
	program_attr_free(attr);

	attr = program_attr_create();
	assert_non_null(attr);
	assert_int_equal(program_attr_addarg_fd(attr, NULL, closed, NULL), 0);
	assert_int_equal(program_exec_attr(argdata_fd, &argdata_null, attr),
	    EBADF);
	program_attr_free(attr);
	assert_int_equal(pidfd, -1);
	assert_int_equal(test_count_fds(), before);
	assert_no_children();
}

/* The whole descriptor table of this process, by probing. */
struct table {
	size_t n;
	struct {
		int fd, fdflags, flags;
		dev_t dev;
		ino_t ino;
	} e[256];
};

static void
table_take(struct table *t)
{
	t->n = 0;
	for (int fd = 0; fd < 4096; fd++) {
		struct stat st;

		if (fcntl(fd, F_GETFD) < 0)
			continue;
		assert_true(t->n < 256);
		assert_int_equal(fstat(fd, &st), 0);
		t->e[t->n].fd = fd;
		t->e[t->n].fdflags = fcntl(fd, F_GETFD);
		t->e[t->n].flags = fcntl(fd, F_GETFL);
		t->e[t->n].dev = st.st_dev;
		t->e[t->n].ino = st.st_ino;
		t->n++;
	}
}

static void
table_assert_equal(const struct table *a, const struct table *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->e[i].fd, b->e[i].fd);
		assert_int_equal(a->e[i].fdflags, b->e[i].fdflags);
		assert_int_equal(a->e[i].flags, b->e[i].flags);
		assert_int_equal(a->e[i].dev, b->e[i].dev);
		assert_int_equal(a->e[i].ino, b->e[i].ino);
	}
}

/*
 * A failed exec with the plain layout gives the caller its table back as
 * it was (numbers, files, flags), /dev/null closed again; a failed spawn
 * leaves no child.
 */
static void
test_program_exec_attr__plain_exec_fails(void **state)
{
	program_attr_t *attr = program_attr_create();
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), pidfd = -1;
	int sp[2], before;
	struct table t0, t1;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp),
	    0);
	assert_non_null(attr);
	assert_int_equal(program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN), 0);
	assert_int_equal(program_attr_addfd(attr, "s", sp[0]), 0);
	assert_int_equal(program_attr_addarg_fd(attr, NULL, sp[1], NULL), 0);
	assert_int_equal(program_attr_setstdio(attr, sp[1], -1, 0), 0);
	before = test_count_fds();
	table_take(&t0);
	/* /dev/null is no program: the exec fails after the shuffle. */
	assert_int_equal(program_exec_attr(fd, NULL, attr), EACCES);
	table_take(&t1);
	table_assert_equal(&t0, &t1);
	assert_int_equal(program_spawn(fd, NULL, attr, &pidfd), EACCES);
	assert_int_equal(pidfd, -1);
	assert_int_equal(test_count_fds(), before);
	assert_no_children();
	program_attr_free(attr);
	close(fd);
	close(sp[0]);
	close(sp[1]);
}

/* The group, which main.c runs. */
int run_plain_tests(void);

int
run_plain_tests(void)
{
	const char *plain = getenv("FDREPORT_PLAIN");
	const char *ad = getenv("FDREPORT");
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_program_exec_attr__plain_layout),
	    TEST_CASE(test_program_spawn__plain_layout),
	    TEST_CASE(test_program_spawn__plain_no_named),
	    TEST_CASE(test_program_exec_attr__argdata_with_args),
	    TEST_CASE(test_program_attr__plain_invalid),
	    TEST_CASE(test_program_exec_attr__plain_refused),
	    TEST_CASE(test_program_exec_attr__plain_exec_fails),
	};

	if (plain == NULL || ad == NULL)
		return 1;
	plain_fd = open(plain, O_PATH | O_CLOEXEC);
	argdata_fd = open(ad, O_PATH | O_CLOEXEC);
	if (plain_fd < 0 || argdata_fd < 0)
		return 1;
	return cmocka_run_group_tests_name("plain", tests, NULL, NULL);
}
