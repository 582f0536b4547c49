/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of cloudabi-run's tag handlers: what each tag opens, with
 * which flags, what it records, the errors it reports and that a failure
 * leaves nothing behind (descriptors, unix socket files).
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <program.h>

#include "tags.h"
#include "malformed.h"
#include "testutil.h"

static char dir[] = "/tmp/test_tags.XXXXXX";
static char path[4096];

struct run {
	struct run_context rc;
	loader_t *ld;
	const argdata_t *tree;
	int error;
};

/* Loads yaml with cloudabi-run's handlers. execfd may be -1. */
static void
run_load(struct run *r, int execfd, const char *fmt, ...)
{
	char yaml[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(yaml, sizeof(yaml), fmt, ap);
	va_end(ap);
	assert_int_equal(run_context_init(&r->rc, execfd, "/bin/true"), 0);
	r->ld =
	    loader_create("c.yaml", run_handlers, run_nhandlers, &r->rc, NULL);
	assert_non_null(r->ld);
	r->error = loader_load_string(r->ld, yaml, strlen(yaml), &r->tree);
}

static void
run_done(struct run *r)
{
	run_context_release(&r->rc);
	loader_free(r->ld);
}

/* Expects the load to fail with "c.yaml:LINE:COL: message". */
static void
run_expect_error(struct run *r, const char *fmt, ...)
{
	const loader_error_t *e = loader_error(r->ld);
	char got[1024], expected[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expected, sizeof(expected), fmt, ap);
	va_end(ap);

	if (r->error == 0)
		fail_msg("loaded; expected %s", expected);
	snprintf(got, sizeof(got), "%s:%zu:%zu: %s", e->file, e->mark.line,
	    e->mark.column, e->message);
	if (strcmp(got, expected) != 0)
		fail_msg("got \"%s\", expected \"%s\"", got, expected);
}

/* A configuration and the one error line it must fail with. */
struct error_case {
	const char *yaml, *error;
};

static void
expect_errors(const struct error_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct run r;

		run_load(&r, -1, "%s", cases[i].yaml);
		run_expect_error(&r, "%s", cases[i].error);
		run_done(&r);
	}
}

/* The descriptor the tree (an fd value) holds. */
static int
tree_fd(const struct run *r)
{
	int fd;

	if (r->error != 0)
		fail_msg("%s", loader_error(r->ld)->message);
	assert_int_equal(argdata_get_fd(r->tree, &fd), 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	return fd;
}

static void
same_file(int fd, const char *p)
{
	struct stat a, b;

	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	return test_fds_setup(state);
}

static void
test_tag_file__access(void **state)
{
	static const struct {
		const char *access;
		int flags;
	} cases[] = {
	    {"", O_RDONLY},
	    {", access: read", O_RDONLY},
	    {", access: write", O_WRONLY},
	    {", access: read-write", O_RDWR},
	    {", access: append", O_WRONLY | O_APPEND},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;
		int fd, fl;

		run_load(&r, -1, "!file {path: %s%s}", path, cases[i].access);
		fd = tree_fd(&r);
		same_file(fd, path);
		fl = fcntl(fd, F_GETFL);
		assert_int_equal(fl & (O_ACCMODE | O_APPEND), cases[i].flags);
		assert_int_equal(r.rc.nres, 1);
		assert_int_equal(r.rc.res[0].kind, RUN_FILE);
		assert_true(r.rc.res[0].owned);
		run_done(&r);
	}
}

static void
test_tag_file__create_truncate_exclusive_mode(void **state)
{
	char p[4200];
	struct stat st;
	struct run r;
	mode_t old = umask(0);

	(void)state;
	snprintf(p, sizeof(p), "%s/new", dir);
	run_load(&r, -1,
	    "!file {path: %s, access: write, create: true, mode: 0640}", p);
	same_file(tree_fd(&r), p);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* The start did not happen: the file it created is removed. */
	run_done(&r);
	assert_int_equal(stat(p, &st), -1);

	close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	run_load(&r, -1,
	    "!file {path: %s, access: write, create: true, exclusive: true}",
	    p);
	run_expect_error(&r, "c.yaml:1:14: !file: %s: File exists", p);
	run_done(&r);
	/* Nor is a file that was there before. */
	run_load(&r, -1, "!file {path: %s, access: write, create: true}", p);
	same_file(tree_fd(&r), p);
	run_done(&r);
	assert_int_equal(stat(p, &st), 0);
	unlink(p);

	run_load(&r, -1,
	    "!file {path: %s, access: read-write, truncate: "
	    "true}",
	    path);
	tree_fd(&r);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	run_done(&r);

	run_load(&r, -1, "!file {path: %s, create: true, mode: 0o600}", p);
	tree_fd(&r);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	run_done(&r);
	assert_int_equal(stat(p, &st), -1);
	umask(old);
}

static void
test_tag_file__errors(void **state)
{
	static const struct error_case cases[] = {
	    {"!file {}", "c.yaml:1:1: !file: path is missing"},
	    {"!file /etc/passwd",
	        "c.yaml:1:1: !file takes a map of attributes, such as "
	        "{path: ...}"},
	    {"!file {path: /nonexistent/x}",
	        "c.yaml:1:14: !file: /nonexistent/x: No such file or "
	        "directory"},
	    {"!file {path: /}",
	        "c.yaml:1:14: !file: /: Is a directory (use !dir for "
	        "directories)"},
	    {"!file {path: /, access: write}",
	        "c.yaml:1:14: !file: /: Is a directory (use !dir for "
	        "directories)"},
	    {"!file {path: /x, colour: red}",
	        "c.yaml:1:18: !file: unknown attribute colour (known: path, "
	        "access, create, truncate, exclusive, mode, follow)"},
	    {"!file {path: /x, path: /y}",
	        "c.yaml:1:18: !file: path given twice (first at line 1)"},
	    {"!file {path: 12}",
	        "c.yaml:1:14: path: expected a string, not an integer"},
	    {"!file {path: /x, access: all}",
	        "c.yaml:1:26: access: all is not read, write, read-write or "
	        "append"},
	    {"!file {path: /x, create: yes}",
	        "c.yaml:1:26: create: expected a boolean, not the string yes "
	        "(YAML 1.2 booleans are true and false)"},
	    {"!file {path: /x, mode: 0644}",
	        "c.yaml:1:18: mode: only applies with create: true"},
	    {"!file {path: /x, create: true, mode: 0999}",
	        "c.yaml:1:38: mode: expected an octal mode such as 0644"},
	    {"!file {path: /x, create: true, mode: \"rw\"}",
	        "c.yaml:1:38: mode: expected an octal mode such as 0644"},
	    {"!file {path: /x, exclusive: true}",
	        "c.yaml:1:18: exclusive: only applies with create: true"},
	    {"!file {path: /x, truncate: true}",
	        "c.yaml:1:18: truncate: needs access write or read-write"},
	    {"!file {[a]: b}",
	        "c.yaml:1:8: attribute name: expected a scalar, not a "
	        "sequence"},
	};

	(void)state;
	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_tag_file__fifo_does_not_block(void **state)
{
	char fifo[4200];
	struct run r;
	int fd;

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	run_load(&r, -1, "!file {path: %s}", fifo);
	fd = tree_fd(&r);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE),
	    O_RDONLY);
	run_done(&r);
	run_load(&r, -1, "!file {path: %s, access: write}", fifo);
	run_expect_error(&r,
	    "c.yaml:1:14: !file: %s: No such device or address", fifo);
	run_done(&r);
	unlink(fifo);
}

static void
test_tag_dir__opens_and_records_write(void **state)
{
	struct run r;
	int fd;

	(void)state;
	run_load(&r, -1, "[!dir {path: %s}, !dir {path: %s, write: true}]", dir,
	    dir);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.rc.nres, 2);
	assert_false(r.rc.res[0].write);
	assert_true(r.rc.res[1].write);
	assert_int_equal(r.rc.res[1].kind, RUN_DIR);
	fd = r.rc.res[0].fd;
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	same_file(fd, dir);
	assert_string_equal(r.rc.res[1].path, dir);
	run_done(&r);

	run_load(&r, -1, "!dir {path: %s}", path);
	run_expect_error(&r,
	    "c.yaml:1:13: !dir: %s: Not a directory (use !file for files)",
	    path);
	run_done(&r);
	run_load(&r, -1, "!dir {path: /x, write: 1}");
	run_expect_error(&r,
	    "c.yaml:1:24: write: expected a boolean, not an integer");
	run_done(&r);
	run_load(&r, -1, "!dir {write: true}");
	run_expect_error(&r, "c.yaml:1:1: !dir: path is missing");
	run_done(&r);
}

static int
sockopt(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, opt, &v, &len), 0);
	return v;
}

static void
test_tag_socket__tcp_and_udp(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char expected[64];
	struct run r;
	int fd;

	(void)state;
	run_load(&r, -1, "!socket {bind: 127.0.0.1:0, backlog: 3}");
	fd = tree_fd(&r);
	assert_int_equal(sockopt(fd, SO_TYPE), SOCK_STREAM);
	assert_int_equal(sockopt(fd, SO_ACCEPTCONN), 1);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	assert_int_not_equal(sin.sin_port, 0);
	/* The table shows the port the kernel chose. */
	snprintf(expected, sizeof(expected), "tcp 127.0.0.1:%d listening",
	    ntohs(sin.sin_port));
	assert_string_equal(r.rc.res[0].source, expected);
	run_done(&r);

	run_load(&r, -1, "!socket {bind: \"127.0.0.1:0\", type: dgram}");
	fd = tree_fd(&r);
	assert_int_equal(sockopt(fd, SO_TYPE), SOCK_DGRAM);
	assert_int_equal(strncmp(r.rc.res[0].source, "udp 127.0.0.1:", 14), 0);
	run_done(&r);

	run_load(&r, -1, "!socket {bind: \"[::1]:0\"}");
	if (r.error == 0) {
		fd = tree_fd(&r);
		assert_int_equal(strncmp(r.rc.res[0].source, "tcp [::1]:", 10),
		    0);
	}
	run_done(&r);
}

static void
test_tag_socket__unix_bind_connect_and_cleanup(void **state)
{
	char sock[4200];
	struct stat st;
	struct run r, c;
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/s", dir);
	run_load(&r, -1, "!socket {bind: %s, type: seqpacket}", sock);
	fd = tree_fd(&r);
	assert_int_equal(sockopt(fd, SO_TYPE), SOCK_SEQPACKET);
	assert_int_equal(sockopt(fd, SO_ACCEPTCONN), 1);
	assert_int_equal(stat(sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_string_equal(r.rc.res[0].unlink_name, "s");

	/* Connecting to it. */
	run_load(&c, -1, "!socket {connect: %s, type: seqpacket}", sock);
	fd = tree_fd(&c);
	assert_int_equal(sockopt(fd, SO_TYPE), SOCK_SEQPACKET);
	assert_int_equal(strncmp(c.rc.res[0].source, "unix-seqpacket ", 15), 0);
	run_done(&c);

	/* Released (the program was not started): the file goes. */
	run_done(&r);
	assert_int_equal(stat(sock, &st), -1);

	/* A socket file nothing listens on is replaced; a live one is not. */
	{
		int stale = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sun = {.sun_family = AF_UNIX};

		assert_true(strlen(sock) < sizeof(sun.sun_path));
		memcpy(sun.sun_path, sock, strlen(sock));
		assert_int_equal(
		    bind(stale, (struct sockaddr *)&sun, sizeof(sun)), 0);
		close(stale);
		run_load(&r, -1, "!socket {bind: %s}", sock);
		tree_fd(&r);
		run_load(&c, -1, "!socket {bind: %s}", sock);
		run_expect_error(&c,
		    "c.yaml:1:16: !socket: bind %s: Address "
		    "already in use",
		    sock);
		run_done(&c);
		run_done(&r);
		assert_int_equal(stat(sock, &st), -1);
	}

	/* A failure after the bind removes the file as well. */
	run_load(&r, -1, "[!socket {bind: %s}, !file {path: /nonexistent}]",
	    sock);
	assert_int_not_equal(r.error, 0);
	run_done(&r);
	assert_int_equal(stat(sock, &st), -1);
}

static void
test_tag_socket__abstract(void **state)
{
	char name[64];
	struct run r, c;

	(void)state;
	snprintf(name, sizeof(name), "@test_tags.%d", (int)getpid());
	run_load(&r, -1, "!socket {bind: \"%s\"}", name);
	tree_fd(&r);
	assert_null(r.rc.res[0].unlink_name);
	run_load(&c, -1, "!socket {connect: \"%s\"}", name);
	tree_fd(&c);
	run_done(&c);
	run_done(&r);
}

static void
test_tag_socket__errors(void **state)
{
	static const struct error_case cases[] = {
	    {"!socket {type: stream}",
	        "c.yaml:1:1: !socket takes exactly one of bind and connect"},
	    {"!socket {bind: /x, connect: /y}",
	        "c.yaml:1:20: !socket takes exactly one of bind and connect"},
	    {"!socket {bind: 127.0.0.1:0, type: raw}",
	        "c.yaml:1:35: type: raw is not stream, dgram or seqpacket"},
	    {"!socket {bind: 127.0.0.1:0, type: dgram, backlog: 5}",
	        "c.yaml:1:42: backlog: only for a listening socket (bind, "
	        "type stream or seqpacket)"},
	    {"!socket {bind: 127.0.0.1:0, backlog: -1}",
	        "c.yaml:1:38: backlog: -1 is out of range (0 to 2147483647)"},
	    {"!socket {bind: 127.0.0.1}",
	        "c.yaml:1:16: 127.0.0.1: expected host:port, [address]:port, "
	        "/unix/path or @abstract"},
	    {"!socket {bind: \"::1:80\"}",
	        "c.yaml:1:16: ::1:80: write IPv6 addresses in brackets, as "
	        "in [::1]:80"},
	    {"!socket {bind: \"[::1:80\"}",
	        "c.yaml:1:16: [::1:80: expected [address]:port"},
	    {"!socket {bind: \"127.0.0.1:\"}",
	        "c.yaml:1:16: 127.0.0.1:: the port is missing"},
	    {"!socket {bind: \":80\"}",
	        "c.yaml:1:16: :80: the host is missing or too long"},
	    {"!socket {bind: \"@\"}",
	        "c.yaml:1:16: @: unix socket address "
	        "is empty"},
	    {"!socket {connect: /nonexistent/sock}",
	        "c.yaml:1:19: !socket: connect /nonexistent/sock: No such "
	        "file or directory"},
	    {"!socket {bind: /nonexistent/sock}",
	        "c.yaml:1:16: !socket: bind /nonexistent/sock: No such file "
	        "or directory"},
	    {"!socket {bind: 127.0.0.1:http-nonexistent-service}",
	        "c.yaml:1:16: 127.0.0.1:http-nonexistent-service: Servname "
	        "not supported for ai_socktype"},
	    {"!socket /x",
	        "c.yaml:1:1: !socket takes a map of attributes, such as "
	        "{bind: ...}"},
	};

	(void)state;
	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_run_distinct_addresses__lists_them(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(0x7f000001)};
	struct sockaddr_in b = {.sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(0x0a000001)};
	struct sockaddr_in6 c = {.sin6_family = AF_INET6,
	    .sin6_addr.s6_addr[15] = 1};
	struct addrinfo ai[4] = {
	    {.ai_addr = (struct sockaddr *)&a, .ai_addrlen = sizeof(a)},
	    {.ai_addr = (struct sockaddr *)&b, .ai_addrlen = sizeof(b)},
	    {.ai_addr = (struct sockaddr *)&a, .ai_addrlen = sizeof(a)},
	    {.ai_addr = (struct sockaddr *)&c, .ai_addrlen = sizeof(c)},
	};
	struct sockaddr_storage first;
	socklen_t len = 0;
	char list[64];

	(void)state;
	ai[0].ai_next = &ai[1];
	ai[1].ai_next = &ai[2];
	ai[2].ai_next = &ai[3];
	/* The duplicate of the first is left out. */
	assert_int_equal(
	    run_distinct_addresses(ai, &first, &len, list, sizeof(list)), 3);
	assert_string_equal(list, "127.0.0.1, 10.0.0.1, ::1");
	assert_int_equal(len, sizeof(a));
	assert_memory_equal(&first, &a, sizeof(a));
	ai[0].ai_next = NULL;
	assert_int_equal(
	    run_distinct_addresses(ai, &first, &len, list, sizeof(list)), 1);
	assert_string_equal(list, "127.0.0.1");
	/* Cut short, never overflowing. */
	ai[0].ai_next = &ai[1];
	assert_int_equal(run_distinct_addresses(ai, &first, &len, list, 14), 3);
	assert_string_equal(list, "127.0.0.1");
}

/*
 * A name with several addresses is an error that lists them. The machine's
 * /etc/hosts may give every name one address, so a child bind-mounts a
 * hosts file of its own over it, in a mount namespace of its own (which
 * needs root: elsewhere the test cannot run, and says so), and loads there.
 * The child reports through its exit status: 0 when the error is right.
 */
static void
test_tag_socket__several_addresses(void **state)
{
	static const char text[] = "127.0.0.1 several.test\n"
	                           "127.0.0.2 several.test\n";
	char hosts[] = "/tmp/argdata-hosts-XXXXXX";
	int fd = mkstemp(hosts), status;
	pid_t pid;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct run_context rc;
		loader_t *ld;
		const argdata_t *tree;
		const char *msg;
		int error;

		/* The type is ignored here; "none" keeps valgrind quiet. */
		if (unshare(CLONE_NEWNS) != 0 ||
		    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) !=
		        0 ||
		    mount(hosts, "/etc/hosts", "none", MS_BIND, NULL) != 0)
			_exit(77);
		if (run_context_init(&rc, -1, "/bin/true") != 0 ||
		    (ld = loader_create("c.yaml", run_handlers, run_nhandlers,
		         &rc, NULL)) == NULL)
			_exit(2);
		error = loader_load_string(ld, "!socket {bind: several.test:0}",
		    30, &tree);
		msg = error != 0 ? loader_error(ld)->message : "(loaded)";
		if (strstr(msg,
		        "several.test resolves to several addresses "
		        "(127.0.0.1") == NULL ||
		    strstr(msg, "127.0.0.2") == NULL) {
			fprintf(stderr, "unexpected: %s\n", msg);
			_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(hosts);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip(); /* no mount namespace: not root */
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_tag_fd__inherited_only(void **state)
{
	struct run r;
	int fd;

	(void)state;
	run_load(&r, -1, "[!fd stdin, !fd stdout, !fd 2, !fd \"1\"]");
	assert_int_equal(r.error, 0);
	assert_int_equal(r.rc.nres, 4);
	assert_int_equal(r.rc.res[1].fd, 1);
	assert_int_equal(r.rc.res[3].fd, 1);
	assert_false(r.rc.res[1].owned);
	assert_int_equal(
	    strncmp(r.rc.res[1].source, "inherited 1 (stdout)", 20), 0);
	run_done(&r);
	/* cloudabi-run's own descriptors are not the program's to take. */
	assert_int_equal(fcntl(1, F_GETFD) != -1, 1);

	run_load(&r, -1, "!fd 999");
	run_expect_error(&r, "c.yaml:1:1: !fd 999: descriptor 999 is not open");
	run_done(&r);
	run_load(&r, -1, "!fd -1");
	run_expect_error(&r,
	    "c.yaml:1:1: !fd: -1 is out of range (0 to "
	    "2147483647)");
	run_done(&r);
	run_load(&r, -1, "!fd stdfoo");
	run_expect_error(&r,
	    "c.yaml:1:1: !fd stdfoo: not a number, stdin, "
	    "stdout, stderr or a name in LISTEN_FDNAMES "
	    "(cloudabi-run was started without LISTEN_FDS)");
	run_done(&r);
	run_load(&r, -1, "!fd {a: 1}");
	run_expect_error(&r,
	    "c.yaml:1:1: !fd takes a number, stdin, stdout, "
	    "stderr or the name of a descriptor received "
	    "from systemd");
	run_done(&r);

	/*
	 * A descriptor opened after the context was made (as a !file
	 * would be) cannot be named.
	 */
	assert_int_equal(run_context_init(&r.rc, -1, NULL), 0);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	r.ld =
	    loader_create("c.yaml", run_handlers, run_nhandlers, &r.rc, NULL);
	{
		char yaml[32];

		snprintf(yaml, sizeof(yaml), "!fd %d", fd);
		r.error = loader_load_string(r.ld, yaml, strlen(yaml), &r.tree);
	}
	assert_int_equal(r.error, EINVAL);
	close(fd);
	run_done(&r);
}

static void
test_tag_executable__one_descriptor(void **state)
{
	int execfd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	const argdata_t *a, *b;
	argdata_seq_iterator_t it;
	struct run r;
	int fa, fb;

	(void)state;
	assert_true(execfd >= 0);
	run_load(&r, execfd, "[!executable, !executable ~]");
	if (r.error != 0)
		fail_msg("%s", loader_error(r.ld)->message);
	argdata_seq_iterate(r.tree, &it);
	assert_true(argdata_seq_get(&it, &a));
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &b));
	assert_int_equal(argdata_get_fd(a, &fa), 0);
	assert_int_equal(argdata_get_fd(b, &fb), 0);
	assert_int_equal(fa, fb);
	assert_int_not_equal(fa, execfd);
	assert_true(fcntl(fa, F_GETFD) & FD_CLOEXEC);
	same_file(fa, "/bin/true");
	assert_int_equal(r.rc.res[0].kind, RUN_EXECUTABLE);
	run_done(&r);

	run_load(&r, execfd, "!executable [x]");
	run_expect_error(&r,
	    "c.yaml:1:1: !executable takes nothing (the "
	    "program itself), the path of another program or {path: ..., "
	    "follow: true}");
	run_done(&r);
	close(execfd);
}

static void
test_tag_executable__another_program(void **state)
{
	const argdata_t *a;
	argdata_seq_iterator_t it;
	struct run r;
	int fa;

	(void)state;
	/* A descriptor of its own, and the grant to execute it. */
	run_load(&r, -1, "[!executable /usr/bin/true]");
	if (r.error != 0)
		fail_msg("%s", loader_error(r.ld)->message);
	argdata_seq_iterate(r.tree, &it);
	assert_true(argdata_seq_get(&it, &a));
	assert_int_equal(argdata_get_fd(a, &fa), 0);
	assert_true(fcntl(fa, F_GETFD) & FD_CLOEXEC);
	same_file(fa, "/bin/true");
	assert_int_equal(r.rc.res[0].kind, RUN_EXECUTABLE);
	assert_int_equal(r.rc.ngrants, 1);
	assert_int_equal(r.rc.grants[0].fd, fa);
	assert_int_equal(r.rc.grants[0].rights, PROGRAM_GRANT_EXEC);
	assert_false(r.rc.grants[0].owned);
	run_done(&r);

	/* Through a symbolic link only when the configuration says so. */
	run_load(&r, -1, "!executable {path: /bin/true, follow: true}");
	if (r.error != 0)
		fail_msg("%s", loader_error(r.ld)->message);
	assert_int_equal(r.rc.ngrants, 1);
	run_done(&r);
	run_load(&r, -1, "!executable /bin/true");
	run_expect_error(&r,
	    "c.yaml:1:1: !executable: /bin/true: /bin is a "
	    "symbolic link (to usr/bin) (not followed, so that a confined "
	    "program cannot plant one that the next start opens; write the "
	    "path it leads to, or add follow: true)");
	run_done(&r);

	run_load(&r, -1, "!executable /etc/passwd");
	run_expect_error(&r,
	    "c.yaml:1:1: !executable: /etc/passwd: not an "
	    "executable file");
	run_done(&r);
	run_load(&r, -1, "!executable /nonexistent");
	run_expect_error(&r,
	    "c.yaml:1:1: !executable: /nonexistent: No such "
	    "file or directory");
	run_done(&r);
}

/* Writes an executable file called name holding text. */
static void
write_exec(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
test_plain_grants__exec_script_grants_interpreter(void **state)
{
	char tmp[] = "/tmp/grants-tags.XXXXXX", script[64], env[64];
	struct run r;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(script, sizeof(script), "%s/s.sh", tmp);
	snprintf(env, sizeof(env), "%s/e.sh", tmp);
	write_exec(script, "#!/usr/bin/dash -e\necho\n");
	write_exec(env, "#!/usr/bin/env dash\necho\n");
	run_load(&r, -1, "!plain\nexec: [%s, %s, /usr/bin/true]\nread: [%s]\n",
	    script, env, tmp);
	if (r.error != 0)
		fail_msg("%s", loader_error(r.ld)->message);
	/* Each script, then its interpreter (env, then what it runs). */
	assert_int_equal(r.rc.ngrants, 7);
	assert_string_equal(r.rc.grants[0].path, script);
	assert_string_equal(r.rc.grants[1].path, "/usr/bin/dash");
	assert_string_equal(r.rc.grants[2].path, env);
	assert_string_equal(r.rc.grants[3].path, "/usr/bin/env");
	assert_int_equal(r.rc.grants[3].rights, PROGRAM_GRANT_EXEC);
	assert_string_equal(strrchr(r.rc.grants[4].path, '/'), "/dash");
	/* An ELF program: no more than itself. */
	assert_string_equal(r.rc.grants[5].path, "/usr/bin/true");
	assert_int_equal(r.rc.grants[6].rights, PROGRAM_GRANT_READ);
	for (size_t i = 0; i < r.rc.ngrants; i++)
		assert_true(fcntl(r.rc.grants[i].fd, F_GETFD) & FD_CLOEXEC);
	run_done(&r);
	/* A missing interpreter is an error of the configuration. */
	write_exec(script, "#!/nonexistent/sh\n");
	run_load(&r, -1, "!plain\nexec: [%s]\n", script);
	run_expect_error(&r,
	    "c.yaml:2:8: exec: %s: its interpreter "
	    "/nonexistent/sh: No such file or directory",
	    script);
	run_done(&r);
	assert_int_equal(unlink(script), 0);
	assert_int_equal(unlink(env), 0);
	assert_int_equal(rmdir(tmp), 0);
}

static void
test_tags__alias_is_one_descriptor(void **state)
{
	struct run r;

	(void)state;
	run_load(&r, -1, "a: &f !file {path: %s}\nb: *f\nc: *f\n", path);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.rc.nres, 1);
	run_done(&r);
}

static void
test_tags__full_form(void **state)
{
	struct run r;

	(void)state;
	run_load(&r, -1,
	    "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
	    "- !file {path: %s}\n- !<tag:nuxi.nl,2015:cloudabi/dir> {path: "
	    "/}\n",
	    path);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.rc.nres, 2);
	assert_int_equal(r.rc.res[1].kind, RUN_DIR);
	run_done(&r);
}

/*
 * One case of malformed.txt (see its header): it fails through the loader
 * with the expected line, marked as a resource's failure when the status
 * says so, and leaves no descriptor open.
 */
static void
check_malformed(const struct malformed_case *c, void *arg)
{
	const loader_error_t *e;
	struct run r;
	char got[1024];

	(void)arg;
	assert_int_equal(run_context_init(&r.rc, -1, "/bin/true"), 0);
	r.ld = loader_create("config.yaml", run_handlers, run_nhandlers, &r.rc,
	    NULL);
	assert_non_null(r.ld);
	r.error = loader_load_string(r.ld, c->yaml, c->len, &r.tree);
	if (r.error == 0)
		fail_msg("%sloaded", c->title);
	e = loader_error(r.ld);
	snprintf(got, sizeof(got), "%s:%zu:%zu: %s", e->file, e->mark.line,
	    e->mark.column, e->message);
	if (strcmp(got, c->want) != 0)
		fail_msg("%sgot      %s\nexpected %s", c->title, got, c->want);
	/* A resource the system does not give, or a mistake in the text. */
	if (r.rc.resource_failed != (c->status == 66))
		fail_msg("%sresource_failed %d", c->title,
		    r.rc.resource_failed);
	run_done(&r);
}

static void
test_tags__malformed_golden(void **state)
{
	(void)state;
	assert_true(
	    malformed_each(getenv("MALFORMED"), check_malformed, NULL) >= 40);
}

static int
group_setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* The group, which main.c runs. */
int run_tags_tests(void);

int
run_tags_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE_SETUP(test_tag_file__access, setup, test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_file__create_truncate_exclusive_mode,
	        setup, test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_file__errors, setup, test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_file__fifo_does_not_block, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_dir__opens_and_records_write, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_socket__tcp_and_udp, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_socket__unix_bind_connect_and_cleanup,
	        setup, test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_socket__abstract, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_socket__errors, setup, test_fds_teardown),
	    TEST_CASE_SETUP(test_run_distinct_addresses__lists_them, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_socket__several_addresses, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_fd__inherited_only, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_executable__one_descriptor, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tag_executable__another_program, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_plain_grants__exec_script_grants_interpreter,
	        setup, test_fds_teardown),
	    TEST_CASE_SETUP(test_tags__alias_is_one_descriptor, setup,
	        test_fds_teardown),
	    TEST_CASE_SETUP(test_tags__full_form, setup, test_fds_teardown),
	    TEST_CASE_SETUP(test_tags__malformed_golden, setup,
	        test_fds_teardown),
	};

	return cmocka_run_group_tests_name("tags", tests, group_setup,
	    group_teardown);
}
