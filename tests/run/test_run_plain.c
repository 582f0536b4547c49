/*
 * End-to-end tests of cloudabi-run with plain programs, ones that do not
 * read argdata (!plain configurations), and with systemd on the outside:
 * cat with standard input and output, hello-server told its socket with
 * --fd N, hello-server socket-activated through systemd-socket-activate
 * and fetched over 127.0.0.1, arguments after --, the dry run, and the
 * checks on what systemd hands over. fdreport-plain and hello-server
 * report their descriptor tables and environments, which must be exactly
 * what the configuration says.
 *
 * SYSTEMD_SOCKET_ACTIVATE names systemd-socket-activate; without it the
 * socket activation test is skipped, saying why.
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

#include "testutil.h"

/* How long any one read may wait: a bound on a hang, never a delay. */
#define TIMEOUT_MS 30000

static const char *tool, *fdreport, *fdreport_plain, *server, *ssa;
static const char *examples;
static char dir[] = "/tmp/test_run_plain.XXXXXX";
static bool unconfined;

/* A started process and our ends of its standard descriptors. */
struct proc {
	pid_t pid;
	int in, out, err;
};

/* How to start it: extra environment entries, LISTEN_PID set to itself. */
struct how {
	const char *const *env;	/* NAME=VALUE..., NULL; or NULL */
	bool listen_pid_self;
	const char *cwd;
};

/*
 * Starts argv (argv[0] a path) with pipes for its standard input, output
 * and error. cloudabi-run gets --no-sandbox where it must (sanitized
 * builds, a kernel that cannot confine), wherever it is in argv.
 */
static void
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
		for (size_t i = 0; how != NULL && how->env != NULL &&
		     how->env[i] != NULL; i++)
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

/* Reads one line (without its newline) from fd into buf. */
static void
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

/* Reads fd to its end into a new string; closes fd. */
static char *
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

/* Waits for p, closing its input; returns its status (128 + signal). */
static int
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

/* Runs argv to its end with input on its standard input. */
static int
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

static void
remove_file(char *path)
{
	unlink(path);
	free(path);
}

/* How many lines of text start with prefix. */
static size_t
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

/* Whether text holds line as a whole line. */
static bool
has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') &&
		    (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

/* fdreport's line for descriptor fd: its kind and inode, or false. */
static bool
report_fd(const char *report, int fd, char *kind, unsigned long long *ino)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "\nfd %d ", fd);
	if ((p = strstr(report, key)) == NULL)
		return false;
	return sscanf(p + strlen(key),
	    "fdflags 0 flags 0x%*x dev %*u ino %llu mode %*o offset %*d "
	    "kind %15s", ino, kind) == 2;
}

static void
assert_report_fd(const char *report, int fd, const char *kind,
    const char *path)
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
	    (char *const[]){(char *)tool, "cat", cfg, NULL}), 0);
	assert_string_equal(out, "one\ntwo\n");
	assert_string_equal(err, "");
	free(out);
	free(err);

	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, "cat", cfg, "--", "-n", NULL}), 0);
	assert_string_equal(out, "     1\tone\n     2\ttwo\n");
	free(out);
	free(err);

	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, "--",
	        "a b", "--c", NULL}), 0);
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
 * Fetches http://127.0.0.1:port/ with HTTP/1.0 and returns the body of
 * the answer, which must be 200.
 */
static char *
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
	start(&p, NULL, (char *const[]){(char *)tool, (char *)server, cfg,
	    NULL});
	read_line(p.out, line, sizeof(line));
	assert_int_equal(sscanf(line,
	    "hello-server: listening on 127.0.0.1:%d (descriptor 3)", &port),
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
	        (char *)fdreport_plain,
	        cfg, NULL}), 0);
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
	    (char *const[]){(char *)tool, (char *)fdreport, "-", "--", "one",
	        "--two", NULL}), 0);
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
	    (char *const[]){(char *)tool, (char *)fdreport, "--", "x", NULL}),
	    0);
	assert_true(has_line(out, "arg x"));
	free(out);
	free(err);

	/* Anything after the configuration but -- is a usage error. */
	assert_int_equal(run(NULL, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport, "-", "x", NULL}),
	    127);
	assert_non_null(strstr(err, "usage: cloudabi-run"));
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
	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, "--dry-run", "--argv0", "srv",
	        (char *)fdreport_plain, cfg, "--", "last", NULL}), 0);
	assert_string_equal(err, "");
	assert_null(strstr(out, "\npid "));
	assert_non_null(strstr(out, "FD  NAME    KIND "));
	assert_non_null(strstr(out, "\n0   stdin   null        /dev/null "));
	assert_non_null(strstr(out, "\n1   stdout  fd          inherited 1 "));
	assert_non_null(strstr(out, "\n2   stderr  null        /dev/null "));
	assert_non_null(strstr(out, "\n3   http    fd          inherited 2 "));
	assert_non_null(strstr(out, "dry.yaml:5:9\n"));
	assert_non_null(strstr(out,
	    "\nARGV\n0  srv\n1  -v\n2  --fd=1\n3  last\n"));
	assert_non_null(strstr(out,
	    "\nENVIRONMENT\nLISTEN_FDS=1\nLISTEN_FDNAMES=http\nLISTEN_PID="));
	assert_true(has_line(out, "LANG=C"));
	free(out);
	free(err);
	remove_file(cfg);
}

/* The FileDescriptorName= of examples/hello-server.socket. */
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

/* A port that was free a moment ago, from the kernel. */
static int
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
		start(p, NULL, (char *const[]){(char *)ssa, "-l", l1, "-l", l2,
		    fdname, (char *)tool,
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
test_run_plain__socket_activation(void **state)
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

/* Connects to 127.0.0.1:port, so that systemd-socket-activate goes on. */
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
test_run_plain__socket_activation_argdata(void **state)
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
	assert_int_equal(finish(&p, &out, &err), 127);
	assert_non_null(strstr(err, "twice.yaml:1:9: !fd http: 2 received "
	    "descriptors bear that name; name one by its number\n"));
	free(out);
	free(err);
	remove_file(cfg);
	remove_file(twice);
}

/*
 * What cloudabi-run checks of what systemd hands over, each failure one
 * line and status 127: LISTEN_FDS naming a closed descriptor, names that
 * do not match the count, LISTEN_* meant for another process (ignored, so
 * a name is unknown), and --env trying to pass LISTEN_* on.
 */
static void
test_run_plain__listen_checks(void **state)
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
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, NULL}),
	    127);
	/* 3, or 4 should the test's own 3 lack close-on-exec. */
	assert_non_null(strstr(err, "cloudabi-run: LISTEN_FDS=2: descriptor "));
	assert_non_null(strstr(err, " is not open\n"));
	free(out);
	free(err);

	how.env = miscount;
	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, NULL}),
	    127);
	assert_non_null(strstr(err,
	    "LISTEN_FDNAMES=a:b names 2 descriptors, LISTEN_FDS=1\n"));
	free(out);
	free(err);

	how = (struct how){.env = other};
	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, NULL}),
	    127);
	assert_non_null(strstr(err, "listen.yaml:2:13: !fd http: not a "
	    "number, stdin, stdout, stderr or a name in LISTEN_FDNAMES "
	    "(LISTEN_PID names another process)\n"));
	free(out);
	free(err);

	how = (struct how){.env = nopid};
	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, NULL}),
	    127);
	assert_non_null(strstr(err, "(LISTEN_PID is not set)\n"));
	free(out);
	free(err);

	how = (struct how){.env = badpid};
	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, NULL}),
	    127);
	assert_string_equal(err, "cloudabi-run: LISTEN_PID=12x: expected a "
	    "process id\n");
	free(out);
	free(err);

	assert_int_equal(run(NULL, NULL, &out, &err,
	    (char *const[]){(char *)tool, "--env", "LISTEN_FDS=1",
	        (char *)fdreport_plain, cfg, NULL}), 127);
	assert_string_equal(err, "cloudabi-run: --env LISTEN_FDS=1: set by "
	    "cloudabi-run itself, never passed on\n");
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
	len = (size_t)snprintf(text, size,
	    "!plain\nstdout: !fd stdout\nenv:\n");
	for (int i = 0; i < 4096; i++)
		len += (size_t)snprintf(text + len, size - len, "  V%d: x\n",
		    i);
	cfg = write_file("env.yaml", text);
	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, NULL}),
	    0);
	assert_int_equal(count_lines(out, "env "), 4096);
	free(out);
	free(err);
	snprintf(text + len, size - len, "  W: x\n");
	remove_file(cfg);
	cfg = write_file("env.yaml", text);
	assert_int_equal(run(&how, NULL, &out, &err,
	    (char *const[]){(char *)tool, (char *)fdreport_plain, cfg, NULL}),
	    127);
	assert_non_null(strstr(err, "env.yaml:4:3: env: more than 4096 "
	    "variables\n"));
	free(out);
	free(err);
	remove_file(cfg);
	free(text);
}

static bool
kernel_cannot_confine(void)
{
	char cmd[4200], line[512];
	bool refused = false;
	FILE *fp;

	if (getenv("ARGDATA_TEST_REQUIRE_SANDBOX") != NULL)
		return false;
	snprintf(cmd, sizeof(cmd), "printf '~\\n' | '%s' --dry-run '%s' -",
	    tool, tool);
	if ((fp = popen(cmd, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "refused: ", 9) == 0)
			refused = true;
	pclose(fp);
	return refused;
}

static int
group_setup(void **state)
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
	unconfined = SANITIZED || kernel_cannot_confine();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_fds_setup, \
	    test_fds_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_run_plain__cat),
	    T(test_run_plain__fd_argument),
	    T(test_run_plain__joined_arguments),
	    T(test_run_plain__argdata_program_arguments),
	    T(test_run_plain__dry_run),
	    T(test_run_plain__socket_activation),
	    T(test_run_plain__socket_activation_argdata),
	    T(test_run_plain__listen_checks),
	    T(test_run_plain__env_bound),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
