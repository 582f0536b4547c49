/*
 * Unit tests of how cloudabi-run's tag handlers open the paths and
 * addresses of a configuration: no symbolic link followed unless the tag
 * says follow: true (each refusal with a control showing that the link
 * leads somewhere that would otherwise have been opened), the dry run that
 * creates, truncates, binds and connects nothing, and the files a failed
 * start created removed again.
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

#include "tags.h"
#include "testutil.h"

/* dir/in is writable by the program; dir/out lies outside of it. */
static char dir[] = "/tmp/test_paths.XXXXXX";
static char in[64], out[64], secret[128], outdir[128];

struct run {
	struct run_context rc;
	loader_t *ld;
	const argdata_t *tree;
	int error;
};

/* Loads yaml with cloudabi-run's handlers, as a dry run when dry. */
static void
load(struct run *r, bool dry, const char *fmt, ...)
{
	char yaml[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(yaml, sizeof(yaml), fmt, ap);
	va_end(ap);
	assert_int_equal(run_context_init(&r->rc, -1, "/bin/true"), 0);
	r->rc.dry_run = dry;
	r->ld =
	    loader_create("c.yaml", run_handlers, run_nhandlers, &r->rc, NULL);
	assert_non_null(r->ld);
	r->error = loader_load_string(r->ld, yaml, strlen(yaml), &r->tree);
}

static void
done(struct run *r)
{
	run_context_release(&r->rc);
	loader_free(r->ld);
}

/* Expects the load to have failed with "c.yaml:" then want. */
static void
expect_error(struct run *r, const char *fmt, ...)
{
	const loader_error_t *e = loader_error(r->ld);
	char got[8192], want[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (r->error == 0)
		fail_msg("loaded; expected %s", want);
	snprintf(got, sizeof(got), "c.yaml:%zu:%zu: %s", e->mark.line,
	    e->mark.column, e->message);
	if (strcmp(got, want) != 0)
		fail_msg("got      \"%s\"\nexpected \"%s\"", got, want);
}

/* The descriptor of the last resource, which must have loaded. */
static int
last_fd(const struct run *r)
{
	if (r->error != 0)
		fail_msg("%s", loader_error(r->ld)->message);
	assert_true(r->rc.nres > 0);
	return r->rc.res[r->rc.nres - 1].fd;
}

static const char *
last_source(const struct run *r)
{
	last_fd(r);
	return r->rc.res[r->rc.nres - 1].source;
}

static bool
same_file(int fd, const char *p)
{
	struct stat a, b;

	assert_int_equal(fstat(fd, &a), 0);
	return stat(p, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static void
write_file(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The whole content of p, or "(absent)"; in buf. */
static const char *
content(const char *p, char *buf, size_t size)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return "(absent)";
	n = read(fd, buf, size - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static bool
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

/* A link at in/name to target, replacing whatever was there. */
static void
plant(const char *name, const char *target, char *p, size_t size)
{
	snprintf(p, size, "%s/%s", in, name);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

#define LINK_WHY "(not followed, so that a confined program cannot " \
	"plant one that the next start opens; write the path it leads " \
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
	load(&r, false,
	    "[!dir {path: %s, write: true}, "
	    "!file {path: %s, access: append}]",
	    in, log);
	expect_error(&r,
	    "c.yaml:1:%zu: !file: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    strlen(in) + 43, log, log, secret);
	done(&r);
	/* The same with create: true, truncate: true, for writing. */
	load(&r, false,
	    "!file {path: %s, access: write, create: true, truncate: true}",
	    log);
	expect_error(&r,
	    "c.yaml:1:14: !file: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    log, log, secret);
	done(&r);
	assert_string_equal(content(secret, buf, sizeof(buf)), "secret");

	/* Control: allowed to follow, the start opens the outside file. */
	load(&r, false, "!file {path: %s, access: append, follow: true}", log);
	assert_true(same_file(last_fd(&r), secret));
	assert_non_null(strstr(last_source(&r), " follow"));
	done(&r);
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
	load(&r, false, "!dir {path: %s}", data);
	expect_error(&r,
	    "c.yaml:1:13: !dir: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    data, data, outdir);
	done(&r);
	/* A file beneath the link: the link is named, not the file. */
	snprintf(mid, sizeof(mid), "%s/f", data);
	write_file(mid, "x");
	load(&r, false, "!file {path: %s}", mid);
	expect_error(&r,
	    "c.yaml:1:14: !file: %s: %s is a symbolic link (to %s) " LINK_WHY,
	    mid, data, outdir);
	done(&r);

	/* Control: followed, it is the outside directory. */
	load(&r, false, "!dir {path: %s, follow: true}", data);
	assert_true(same_file(last_fd(&r), outdir));
	done(&r);
	load(&r, false, "!file {path: %s, follow: true}", mid);
	assert_true(same_file(last_fd(&r), mid));
	done(&r);
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
	load(&r, false, "!socket {bind: %s}", sock);
	expect_error(&r,
	    "c.yaml:1:16: !socket: bind %s: %s is a symbolic link (to %s) "
	    LINK_WHY,
	    sock, data, outdir);
	done(&r);
	assert_false(exists(outsock));

	/* Control: followed, the socket file appears outside. */
	load(&r, false, "!socket {bind: %s, follow: true}", sock);
	last_fd(&r);
	assert_true(exists(outsock));

	/* Connecting through a link to that socket file. */
	plant("ls", outsock, ls, sizeof(ls));
	load(&c, false, "!socket {connect: %s}", ls);
	expect_error(&c,
	    "c.yaml:1:19: !socket: connect %s: %s is a symbolic link (to %s) "
	    LINK_WHY,
	    ls, ls, outsock);
	done(&c);
	load(&c, false, "!socket {connect: %s, follow: true}", ls);
	last_fd(&c);
	done(&c);
	/* Named without the link, it connects. */
	load(&c, false, "!socket {connect: %s}", outsock);
	last_fd(&c);
	done(&c);
	done(&r);
	assert_false(exists(outsock));
	unlink(ls);
	unlink(data);

	load(&r, false, "!socket {bind: 127.0.0.1:0, follow: true}");
	expect_error(&r, "c.yaml:1:29: follow: only applies to a unix socket "
	                 "path");
	done(&r);
}

/* A configuration with no link in it opens as before. */
static void
test_paths__no_link_no_change(void **state)
{
	char p[4300], rel[64];
	struct run r;

	(void)state;
	snprintf(p, sizeof(p), "%s/plain", in);
	write_file(p, "x");
	load(&r, false, "!file {path: %s}", p);
	assert_true(same_file(last_fd(&r), p));
	done(&r);
	/* "..", "." and repeated slashes are not links. */
	snprintf(p, sizeof(p), "%s/..//in/./plain", in);
	load(&r, false, "!file {path: %s}", p);
	assert_true(same_file(last_fd(&r), p));
	done(&r);
	/* Relative to the working directory. */
	snprintf(rel, sizeof(rel), "plain");
	assert_int_equal(chdir(in), 0);
	load(&r, false, "!file {path: %s}", rel);
	assert_true(same_file(last_fd(&r), p));
	done(&r);
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
	struct sock_fprog prog = {
	    .len = sizeof(filter) / sizeof(filter[0]), .filter = filter};
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
		        sizeof(why)) != -1 || errno != ELOOP ||
		    strncmp(why, data, strlen(data)) != 0)
			_exit(13);
		if (run_open_path(AT_FDCWD, data, O_RDONLY | O_DIRECTORY, 0,
		        false, why, sizeof(why)) != -1 || errno != ELOOP)
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

/* A dry run truncates nothing; the start does (the control). */
static void
test_paths__dry_run_truncates_nothing(void **state)
{
	char keep[4300], buf[64];
	struct run r;

	(void)state;
	snprintf(keep, sizeof(keep), "%s/keep.txt", in);
	write_file(keep, "keep me");
	load(&r, true, "!file {path: %s, access: write, truncate: true}",
	    keep);
	assert_non_null(strstr(last_source(&r), " (dry run: not truncated)"));
	/* It holds an O_PATH descriptor of the file: no access at all. */
	assert_int_equal(fcntl(last_fd(&r), F_GETFL) & O_PATH, O_PATH);
	done(&r);
	assert_string_equal(content(keep, buf, sizeof(buf)), "keep me");

	load(&r, false, "!file {path: %s, access: write, truncate: true}",
	    keep);
	assert_true(same_file(last_fd(&r), keep));
	done(&r);
	assert_string_equal(content(keep, buf, sizeof(buf)), "");
	unlink(keep);
}

/*
 * A dry run creates nothing and still checks what creating would meet; a
 * failed start removes what it created, and only that.
 */
static void
test_paths__dry_run_creates_nothing(void **state)
{
	char p[4300], missing[4300], buf[64];
	struct run r;

	(void)state;
	snprintf(p, sizeof(p), "%s/new.txt", in);
	snprintf(missing, sizeof(missing), "%s/no/new.txt", in);
	load(&r, true, "!file {path: %s, access: write, create: true}", p);
	assert_non_null(strstr(last_source(&r), " (dry run: not created)"));
	done(&r);
	assert_false(exists(p));
	/* What the start would refuse, the dry run refuses. */
	load(&r, true, "!file {path: %s, access: write, create: true}",
	    missing);
	expect_error(&r, "c.yaml:1:14: !file: %s: No such file or directory",
	    missing);
	done(&r);
	write_file(p, "there");
	load(&r, true,
	    "!file {path: %s, access: write, create: true, exclusive: true}",
	    p);
	expect_error(&r, "c.yaml:1:14: !file: %s: File exists", p);
	done(&r);
	unlink(p);

	/*
	 * Control: the start creates it. Then a later tag fails, and the
	 * file goes again; a file that was there stays.
	 */
	load(&r, false,
	    "[!file {path: %s, access: write, create: true}, "
	    "!file {path: %s}]",
	    p, missing);
	assert_int_not_equal(r.error, 0);
	assert_true(r.rc.nres == 1 && same_file(r.rc.res[0].fd, p));
	done(&r);
	assert_false(exists(p));
	write_file(p, "there");
	load(&r, false,
	    "[!file {path: %s, access: write, create: true}, "
	    "!file {path: %s}]",
	    p, missing);
	assert_true(r.rc.nres == 1 && same_file(r.rc.res[0].fd, p));
	done(&r);
	assert_string_equal(content(p, buf, sizeof(buf)), "there");
	/* Nor one that took the created file's name meanwhile. */
	unlink(p);
	load(&r, false, "!file {path: %s, access: write, create: true}", p);
	last_fd(&r);
	unlink(p);
	write_file(p, "other");
	done(&r);
	assert_string_equal(content(p, buf, sizeof(buf)), "other");
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
test_paths__dry_run_connects_nothing(void **state)
{
	struct sockaddr_in sin;
	struct run r;
	int lfd, cfd;

	(void)state;
	lfd = listener(&sin);
	load(&r, true, "!socket {connect: \"127.0.0.1:%d\"}",
	    ntohs(sin.sin_port));
	assert_non_null(strstr(last_source(&r), " not connected (dry run)"));
	done(&r);
	assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EAGAIN);

	load(&r, false, "!socket {connect: \"127.0.0.1:%d\"}",
	    ntohs(sin.sin_port));
	last_fd(&r);
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd >= 0);
	close(cfd);
	done(&r);

	/* A port in use: the dry run says so, as the start would. */
	load(&r, true, "!socket {bind: \"127.0.0.1:%d\"}", ntohs(sin.sin_port));
	expect_error(&r, "c.yaml:1:16: !socket: bind 127.0.0.1:%d: Address "
	                 "already in use",
	    ntohs(sin.sin_port));
	done(&r);
	close(lfd);
	/* Free, it is left unbound. */
	load(&r, true, "!socket {bind: \"127.0.0.1:0\"}");
	assert_non_null(strstr(last_source(&r), " not bound (dry run"));
	{
		socklen_t len = sizeof(sin);

		assert_int_equal(getsockname(last_fd(&r),
		                     (struct sockaddr *)&sin, &len),
		    0);
		assert_int_equal(sin.sin_port, 0);
	}
	done(&r);
}

/* A dry run binds no unix socket file, and checks the directory. */
static void
test_paths__dry_run_binds_no_file(void **state)
{
	char sock[4300], missing[4300];
	struct run r;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/s.sock", in);
	snprintf(missing, sizeof(missing), "%s/no/s.sock", in);
	load(&r, true, "!socket {bind: %s}", sock);
	assert_non_null(strstr(last_source(&r), " not bound (dry run)"));
	done(&r);
	assert_false(exists(sock));
	load(&r, true, "!socket {bind: %s}", missing);
	expect_error(&r,
	    "c.yaml:1:16: !socket: bind %s: No such file or directory",
	    missing);
	done(&r);
	/* A file that is no socket is in the way, as for the start. */
	write_file(sock, "x");
	load(&r, true, "!socket {bind: %s}", sock);
	expect_error(&r, "c.yaml:1:16: !socket: bind %s: Address already in "
	                 "use",
	    sock);
	done(&r);
	unlink(sock);

	/* Control: the start binds it. */
	load(&r, false, "!socket {bind: %s}", sock);
	last_fd(&r);
	assert_true(exists(sock));
	done(&r);
	assert_false(exists(sock));
}

/*
 * The dry run's unix sockets: connecting needs a socket file and connects
 * nothing (the listener's queue stays empty; the control fills it); an
 * abstract name is checked free.
 */
static void
test_paths__dry_run_unix_connect(void **state)
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

	load(&r, true, "!socket {connect: %s}", sock);
	assert_non_null(strstr(last_source(&r), " not connected (dry run)"));
	done(&r);
	assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EAGAIN);
	write_file(notsock, "x");
	load(&r, true, "!socket {connect: %s}", notsock);
	expect_error(&r, "c.yaml:1:19: !socket: connect %s: Connection refused",
	    notsock);
	done(&r);
	/* The start refuses the same. */
	load(&r, false, "!socket {connect: %s}", notsock);
	expect_error(&r, "c.yaml:1:19: !socket: connect %s: Connection refused",
	    notsock);
	done(&r);
	unlink(notsock);
	/* Control: the start connects. */
	load(&r, false, "!socket {connect: %s}", sock);
	last_fd(&r);
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd >= 0);
	close(cfd);
	done(&r);
	close(lfd);
	unlink(sock);

	load(&r, true, "!socket {bind: \"%s\"}", abstract);
	assert_non_null(strstr(last_source(&r), " not bound (dry run"));
	done(&r);
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
	load(&r, false, "!socket {bind: %s}", sock);
	expect_error(&r,
	    "c.yaml:1:16: !socket: %s: the file name is too long to reach "
	    "through /proc/self/fd (which keeps links from being followed); "
	    "shorten it or add follow: true",
	    sock);
	done(&r);
	load(&r, false, "!socket {bind: %s, follow: true}", sock);
	last_fd(&r);
	assert_true(exists(name));
	done(&r);
	assert_false(exists(name));
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
	write_file(secret, "secret");
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

#define T(f)                                                                   \
	cmocka_unit_test_setup_teardown(f, test_fds_setup, test_fds_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_paths__planted_file_link_refused),
	    T(test_paths__planted_dir_link_refused),
	    T(test_paths__socket_link_refused),
	    T(test_paths__no_link_no_change),
	    T(test_paths__without_openat2),
	    T(test_paths__dry_run_truncates_nothing),
	    T(test_paths__dry_run_creates_nothing),
	    T(test_paths__dry_run_connects_nothing),
	    T(test_paths__dry_run_binds_no_file),
	    T(test_paths__dry_run_unix_connect),
	    T(test_paths__unix_name_too_long),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
