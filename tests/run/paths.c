/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of how cloudabi-run's tag handlers open the paths of a
 * configuration: no symbolic link followed unless the tag says
 * follow: true, each refusal with a control showing that the link leads
 * somewhere that would otherwise have been opened; the walk that stands
 * in for openat2(); unix socket paths reached through /proc/self/fd.
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

/* dir/in is writable by the program; dir/out lies outside of it. */
static char dir[] = "/tmp/test_paths.XXXXXX";
static char in[64], out[64], secret[128], outdir[128];

/* A link at in/name to target, replacing whatever was there. */
static void
plant(const char *name, const char *target, char *p, size_t size)
{
	snprintf(p, size, "%s/%s", in, name);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

#define LINK_WHY                                                               \
	"(not followed, so that a confined program cannot "                    \
	"plant one that the next start opens; write the path it leads "        \
	"to, or add follow: true)"

/*
 * The red team's finding: a program given in/ (writable) replaces the log
 * file that the same configuration names inside it with a link to a file
 * outside; the next start must not append to that file.
 */
static void
test_paths__planted_file_link_refused(void **state)
{
	char log[4300], buf[64];
	struct run r;

	(void)state;
	plant("log", secret, log, sizeof(log));
	tl_load(&r, false,
	    "[!dir {path: %s, write: true}, "
	    "!file {path: %s, access: append}]",
	    in, log);
	tl_expect_error(&r,
	    "c.yaml:1:%zu: !file: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    strlen(in) + 43, log, log, secret);
	tl_done(&r);
	/* The same with create: true, truncate: true, for writing. */
	tl_load(&r, false,
	    "!file {path: %s, access: write, create: true, truncate: true}",
	    log);
	tl_expect_error(&r,
	    "c.yaml:1:14: !file: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    log, log, secret);
	tl_done(&r);
	assert_string_equal(tl_content(secret, buf, sizeof(buf)), "secret");

	/* Control: allowed to follow, the start opens the outside file. */
	tl_load(&r, false, "!file {path: %s, access: append, follow: true}",
	    log);
	assert_true(tl_same_file(tl_last_fd(&r), secret));
	assert_non_null(strstr(tl_last_source(&r), " follow"));
	tl_done(&r);
	unlink(log);
}

/* The same for a !dir data directory, and for a link midway. */
static void
test_paths__planted_dir_link_refused(void **state)
{
	char data[4300], mid[4400];
	struct run r;

	(void)state;
	plant("data", outdir, data, sizeof(data));
	tl_load(&r, false, "!dir {path: %s}", data);
	tl_expect_error(&r,
	    "c.yaml:1:13: !dir: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    data, data, outdir);
	tl_done(&r);
	/* A file beneath the link: the link is named, not the file. */
	snprintf(mid, sizeof(mid), "%s/f", data);
	tl_write_file(mid, "x");
	tl_load(&r, false, "!file {path: %s}", mid);
	tl_expect_error(&r,
	    "c.yaml:1:14: !file: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    mid, data, outdir);
	tl_done(&r);

	/* Control: followed, it is the outside directory. */
	tl_load(&r, false, "!dir {path: %s, follow: true}", data);
	assert_true(tl_same_file(tl_last_fd(&r), outdir));
	tl_done(&r);
	tl_load(&r, false, "!file {path: %s, follow: true}", mid);
	assert_true(tl_same_file(tl_last_fd(&r), mid));
	tl_done(&r);
	unlink(mid);
	unlink(data);
}

/* A unix socket bound or connected through a planted link. */
static void
test_paths__socket_link_refused(void **state)
{
	char data[4300], sock[4400], outsock[4400], ls[4300];
	struct run r, c;

	(void)state;
	plant("data", outdir, data, sizeof(data));
	snprintf(sock, sizeof(sock), "%s/s", data);
	snprintf(outsock, sizeof(outsock), "%s/s", outdir);
	tl_load(&r, false, "!socket {bind: %s}", sock);
	tl_expect_error(&r,
	    "c.yaml:1:16: !socket: bind %s: %s is a symbolic link (to "
	    "%s) " LINK_WHY,
	    sock, data, outdir);
	tl_done(&r);
	assert_false(tl_exists(outsock));

	/* Control: followed, the socket file appears outside. */
	tl_load(&r, false, "!socket {bind: %s, follow: true}", sock);
	tl_last_fd(&r);
	assert_true(tl_exists(outsock));

	/* Connecting through a link to that socket file. */
	plant("ls", outsock, ls, sizeof(ls));
	tl_load(&c, false, "!socket {connect: %s}", ls);
	tl_expect_error(&c,
	    "c.yaml:1:19: !socket: connect %s: %s is a symbolic link (to "
	    "%s) " LINK_WHY,
	    ls, ls, outsock);
	tl_done(&c);
	tl_load(&c, false, "!socket {connect: %s, follow: true}", ls);
	tl_last_fd(&c);
	tl_done(&c);
	/* Named without the link, it connects. */
	tl_load(&c, false, "!socket {connect: %s}", outsock);
	tl_last_fd(&c);
	tl_done(&c);
	tl_done(&r);
	assert_false(tl_exists(outsock));
	unlink(ls);
	unlink(data);

	tl_load(&r, false, "!socket {bind: 127.0.0.1:0, follow: true}");
	tl_expect_error(&r,
	    "c.yaml:1:29: follow: only applies to a unix socket "
	    "path");
	tl_done(&r);
}

/* A configuration with no link in it opens as before. */
static void
test_paths__no_link_no_change(void **state)
{
	char p[4300], rel[64];
	struct run r;

	(void)state;
	snprintf(p, sizeof(p), "%s/plain", in);
	tl_write_file(p, "x");
	tl_load(&r, false, "!file {path: %s}", p);
	assert_true(tl_same_file(tl_last_fd(&r), p));
	tl_done(&r);
	/* "..", "." and repeated slashes are not links. */
	snprintf(p, sizeof(p), "%s/..//in/./plain", in);
	tl_load(&r, false, "!file {path: %s}", p);
	assert_true(tl_same_file(tl_last_fd(&r), p));
	tl_done(&r);
	/* Relative to the working directory. */
	snprintf(rel, sizeof(rel), "plain");
	assert_int_equal(chdir(in), 0);
	tl_load(&r, false, "!file {path: %s}", rel);
	assert_true(tl_same_file(tl_last_fd(&r), p));
	tl_done(&r);
	assert_int_equal(chdir("/"), 0);
	snprintf(p, sizeof(p), "%s/plain", in);
	unlink(p);
}

/*
 * Without openat2() (a kernel before 5.6, here a seccomp filter that
 * answers ENOSYS), the walk one component at a time refuses the same
 * links and opens the same files.
 */
static void
test_paths__without_openat2(void **state)
{
	struct sock_filter filter[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	        offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]),
	    .filter = filter};
	char data[4300], p[4400], why[RUN_WHY_SIZE];
	int status;
	pid_t pid;

	(void)state;
	plant("data", outdir, data, sizeof(data));
	snprintf(p, sizeof(p), "%s/new", in);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
			_exit(10);
		/* The filter works: openat2() is gone. */
		if (syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) != -1 ||
		    errno != ENOSYS)
			_exit(11);
		/* A link midway and a link at the end. */
		fd = run_open_path(AT_FDCWD, secret, O_RDONLY, 0, false, why,
		    sizeof(why));
		if (fd == -1)
			_exit(12);
		close(fd);
		snprintf(p, sizeof(p), "%s/x", data);
		if (run_open_path(AT_FDCWD, p, O_RDONLY, 0, false, why,
		        sizeof(why)) != -1 ||
		    errno != ELOOP || strncmp(why, data, strlen(data)) != 0)
			_exit(13);
		if (run_open_path(AT_FDCWD, data, O_RDONLY | O_DIRECTORY, 0,
		        false, why, sizeof(why)) != -1 ||
		    errno != ELOOP)
			_exit(14);
		/* Control: followed, it opens. */
		fd = run_open_path(AT_FDCWD, data, O_RDONLY | O_DIRECTORY, 0,
		    true, why, sizeof(why));
		if (fd == -1)
			_exit(15);
		close(fd);
		/* Creating, and a trailing slash. */
		snprintf(p, sizeof(p), "%s/new", in);
		fd = run_open_path(AT_FDCWD, p, O_WRONLY | O_CREAT | O_EXCL,
		    0600, false, why, sizeof(why));
		if (fd == -1 || unlink(p) != 0)
			_exit(16);
		close(fd);
		snprintf(p, sizeof(p), "%s/", in);
		fd = run_open_path(AT_FDCWD, p, O_RDONLY, 0, false, why,
		    sizeof(why));
		if (fd == -1)
			_exit(17);
		close(fd);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unlink(data);
}

/*
 * A unix socket path is reached through /proc/self/fd: a last component
 * too long for that is refused with the way out, follow: true.
 */
static void
test_paths__unix_name_too_long(void **state)
{
	char sock[4300], name[96];
	struct run r;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	/* "./" and 95 bytes fit in sun_path; "/proc/self/fd/N/" does not. */
	assert_int_equal(chdir(in), 0);
	snprintf(sock, sizeof(sock), "./%s", name);
	tl_load(&r, false, "!socket {bind: %s}", sock);
	tl_expect_error(&r,
	    "c.yaml:1:16: !socket: %s: the file name is too long to reach "
	    "through /proc/self/fd (which keeps links from being followed); "
	    "shorten it or add follow: true",
	    sock);
	tl_done(&r);
	tl_load(&r, false, "!socket {bind: %s, follow: true}", sock);
	tl_last_fd(&r);
	assert_true(tl_exists(name));
	tl_done(&r);
	assert_false(tl_exists(name));
	assert_int_equal(chdir("/"), 0);
}

static int
group_setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(secret, sizeof(secret), "%s/secret", out);
	snprintf(outdir, sizeof(outdir), "%s/d", out);
	if (mkdir(in, 0755) != 0 || mkdir(out, 0755) != 0 ||
	    mkdir(outdir, 0755) != 0)
		return -1;
	tl_write_file(secret, "secret");
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(secret);
	if (rmdir(outdir) != 0 || rmdir(out) != 0 || rmdir(in) != 0)
		return -1;
	return rmdir(dir);
}

/* The group, which main.c runs. */
int run_paths_tests(void);

int
run_paths_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_paths__planted_file_link_refused),
	    TEST_CASE(test_paths__planted_dir_link_refused),
	    TEST_CASE(test_paths__socket_link_refused),
	    TEST_CASE(test_paths__no_link_no_change),
	    TEST_CASE(test_paths__without_openat2),
	    TEST_CASE(test_paths__unix_name_too_long),
	};

	return cmocka_run_group_tests_name("paths", tests, group_setup,
	    group_teardown);
}
