/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.c - tries every way out of the sandbox, and every way the sandbox
 * should leave open, and reports each outcome as one line "name result",
 * where result is 0 or the errno name. The tests hold the expectations.
 *
 * Descriptors, in the order of the tree that started it:
 *   0  instructions: lines "key=value" (outside_file, outside_sock, x32)
 *   1  where the report goes
 *   2  a read-only directory holding hello, sub/inner, link-out (an
 *      absolute symlink to outside_file) and link-up (../outside.txt)
 *   3  a writable directory, empty
 *   4  a listening TCP socket with one connection waiting
 * The probe uses only the C library, so that it starts under the sandbox
 * in any build (sanitizer run-times read /proc, which the sandbox denies).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define FD_INSTR 0
#define FD_REPORT 1
#define FD_RO 2
#define FD_RW 3
#define FD_LISTEN 4

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static char outside_file[4096];
static char outside_sock[108];
static bool x32;
static FILE *report;

/* Turns a system call result into 0 or its errno. */
static int
res(long rc)
{
	return rc < 0 ? errno : 0;
}

/* Opens, then closes: the outcome is whether the open worked. */
static int
try_open(int dirfd, const char *path, int flags)
{
	int fd = openat(dirfd, path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* openat2(2), by number: the C library may not wrap it. */
static int
try_openat2(const char *path)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = {O_RDONLY | O_CLOEXEC, 0, 0};
	long fd = syscall(437, AT_FDCWD, path, &how, sizeof(how));

	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

/*
 * file_setattr(2) of Linux 6.17, by number (469 on x86-64 and arm64): it
 * changes inode flags by path. Setting no flag is enough to see whether
 * the call is let through.
 */
static int
try_file_setattr(const char *path)
{
	uint32_t attr[6] = {0};

	return res(syscall(469, AT_FDCWD, path, attr, sizeof(attr), 0));
}

static int
try_socket(int domain, int type, int protocol)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int
try_tcp_connect(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd, error = 0;

	/* The port of the listener the probe was given: it exists. */
	if (getsockname(FD_LISTEN, (struct sockaddr *)&sin, &len) != 0)
		return errno;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		error = errno;
	close(fd);
	return error;
}

static int
try_tcp_bind(void)
{
	struct sockaddr_in sin = {
	    .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd, error = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		error = errno;
	close(fd);
	return error;
}

static int
try_unix_connect(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, error = 0;

	memcpy(sun.sun_path, outside_sock, sizeof(outside_sock));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		error = errno;
	close(fd);
	return error;
}

static int
try_socketpair(long domain, long type)
{
	int sv[2];

	if (syscall(SYS_socketpair, domain, type | SOCK_CLOEXEC, 0L, sv) != 0)
		return errno;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static int
try_io_uring(void)
{
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, 1, &p);
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

/* Runs /bin/true in a child: its exit status carries exec's errno. */
static int
try_exec(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return errno;
	if (pid == 0) {
		char *argv[] = {(char *)path, NULL};
		char *envp[] = {NULL};
		execve(path, argv, envp);
		_exit(errno);
	}
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

static int
try_reopen_write(void)
{
	char path[64];
	int fd = openat(FD_RO, "hello", O_RDONLY | O_CLOEXEC), error;

	if (fd < 0)
		return errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	error = try_open(AT_FDCWD, path, O_WRONLY);
	close(fd);
	return error;
}

static int
try_read_parent_memory(void)
{
	char c;
	struct iovec local = {&c, 1}, remote = {NULL, 1};

	/* Address 0 faults if access is allowed: nothing is read. */
	return res(process_vm_readv(getppid(), &local, 1, &remote, 1, 0));
}

static int
try_read_hello(void)
{
	char buf[16];
	int fd = openat(FD_RO, "hello", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return errno;
	return n == 6 && memcmp(buf, "hello\n", 6) == 0 ? 0 : EIO;
}

static int
try_readdir(void)
{
	int fd = openat(FD_RO, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (fd < 0)
		return errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return errno;
	}
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, "hello") == 0;
	closedir(d);
	return n == 1 ? 0 : ENOENT;
}

static int
try_write_rw(void)
{
	int fd =
	    openat(FD_RW, "new", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int error = 0;

	if (fd < 0)
		return errno;
	if (write(fd, "data\n", 5) != 5 || fchmod(fd, 0640) != 0)
		error = errno;
	close(fd);
	return error;
}

static int
try_changes_rw(void)
{
	if (mkdirat(FD_RW, "d", 0700) != 0 ||
	    renameat(FD_RW, "new", FD_RW, "d/moved") != 0)
		return errno;
	int fd = openat(FD_RW, "d/moved", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	if (unlinkat(FD_RW, "d/moved", 0) != 0 ||
	    unlinkat(FD_RW, "d", AT_REMOVEDIR) != 0)
		return errno;
	return 0;
}

static int
try_rw_symlink_escape(void)
{
	if (symlinkat(outside_file, FD_RW, "escape") != 0)
		return errno;
	int error = try_open(FD_RW, "escape", O_RDONLY);
	unlinkat(FD_RW, "escape", 0);
	return error;
}

static int
try_accept(void)
{
	int fd, flags = fcntl(FD_LISTEN, F_GETFL);

	/* Never block: the connection was made before the probe started. */
	if (flags < 0 || fcntl(FD_LISTEN, F_SETFL, flags | O_NONBLOCK) != 0)
		return errno;
	fd = accept4(FD_LISTEN, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* A descriptor of the parent's, through a pidfd: ptrace rights needed. */
static int
try_steal_parent_fd(void)
{
	long pidfd = syscall(SYS_pidfd_open, getppid(), 0);
	long fd;

	if (pidfd < 0)
		return errno;
	fd = syscall(SYS_pidfd_getfd, (int)pidfd, 0, 0);
	close((int)pidfd);
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

static int
try_pidfd_signal_parent(void)
{
	long pidfd = syscall(SYS_pidfd_open, getppid(), 0);
	int error;

	if (pidfd < 0)
		return errno;
	error = res(syscall(SYS_pidfd_send_signal, (int)pidfd, 0, NULL, 0));
	close((int)pidfd);
	return error;
}

/* In a child, which keeps the mount namespace it makes to itself. */
static int
try_mount(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) != 0)
			_exit(errno);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
			_exit(errno);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static int
try_signal_self(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	if (sigaction(SIGUSR1, &sa, NULL) != 0 || kill(getpid(), SIGUSR1) != 0)
		return errno;
	return got_signal == SIGUSR1 ? 0 : EINTR;
}

static void
check(const char *name, int result)
{
	fprintf(report, "%s %s\n", name,
	    result == 0 ? "0" : strerrorname_np(result));
}

/* Copies value into dst when it fits, as a whole. */
static void
set(char *dst, size_t size, const char *value)
{
	size_t len = strlen(value);

	if (len < size)
		memcpy(dst, value, len + 1);
}

static void
read_instructions(void)
{
	char line[4200];
	FILE *f = fdopen(dup(FD_INSTR), "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "outside_file=", 13) == 0)
			set(outside_file, sizeof(outside_file), line + 13);
		else if (strncmp(line, "outside_sock=", 13) == 0)
			set(outside_sock, sizeof(outside_sock), line + 13);
		else if (strcmp(line, "x32=1") == 0)
			x32 = true;
	}
	fclose(f);
}

/* Lists the open descriptors without /proc, which may be out of reach. */
static void
report_fds(void)
{
	const char *argdata = getenv("ARGDATA_FD");
	int skip = argdata != NULL ? atoi(argdata) : -1;
	bool first = true;

	fputs("fds", report);
	for (int fd = 0; fd < 1024; fd++) {
		if (fd == skip || fileno(report) == fd ||
		    fcntl(fd, F_GETFD) < 0)
			continue;
		fprintf(report, "%s%d", first ? " " : ",", fd);
		first = false;
	}
	fputc('\n', report);
}

int
main(void)
{
	/* Report through a duplicate so that descriptor 1 stays countable. */
	report = fdopen(fcntl(FD_REPORT, F_DUPFD_CLOEXEC, 10), "w");
	if (report == NULL)
		return 111;
	setvbuf(report, NULL, _IOLBF, 0);
	report_fds();
	read_instructions();

	if (x32) {
		/* getpid as an x32 call: the sandbox kills the process. */
		syscall(0x40000000L | SYS_getpid);
		check("x32_survived", 0);
		return 0;
	}

	/* Ways out. */
	check("etc_passwd", try_open(AT_FDCWD, "/etc/passwd", O_RDONLY));
	check("outside_file", try_open(AT_FDCWD, outside_file, O_RDONLY));
	check("root_dir", try_open(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY));
	check("proc_status", try_open(AT_FDCWD, "/proc/self/status", O_RDONLY));
	check("proc_reopen_write", try_reopen_write());
	check("dotdot_dir", try_open(FD_RO, "..", O_RDONLY | O_DIRECTORY));
	check("dotdot_file", try_open(FD_RO, "../outside.txt", O_RDONLY));
	check("symlink_absolute", try_open(FD_RO, "link-out", O_RDONLY));
	check("symlink_relative", try_open(FD_RO, "link-up", O_RDONLY));
	check("rw_symlink_escape", try_rw_symlink_escape());
	check("ro_create", try_open(FD_RO, "new", O_WRONLY | O_CREAT | O_EXCL));
	check("ro_write", try_open(FD_RO, "hello", O_WRONLY));
	check("ro_truncate", try_open(FD_RO, "hello", O_RDONLY | O_TRUNC));
	check("ro_mkdir", res(mkdirat(FD_RO, "d", 0700)));
	check("ro_unlink", res(unlinkat(FD_RO, "hello", 0)));
	check("ro_rename_out", res(renameat(FD_RO, "hello", FD_RW, "moved")));
	check("ro_link_out", res(linkat(FD_RO, "hello", FD_RW, "linked", 0)));
	check("rw_mknod_char",
	    res(mknodat(FD_RW, "null", S_IFCHR | 0600, makedev(1, 3))));
	check("tcp_connect", try_tcp_connect());
	check("tcp_bind", try_tcp_bind());
	check("udp_socket", try_socket(AF_INET, SOCK_DGRAM, 0));
	check("mptcp_socket", try_socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP));
	check("unix_socket", try_socket(AF_UNIX, SOCK_DGRAM, 0));
	check("unix_connect_outside", try_unix_connect());
	check("socketpair_dgram", try_socketpair(AF_UNIX, SOCK_DGRAM));
	check("socketpair_inet", try_socketpair(AF_INET, SOCK_STREAM));
	check("socketpair_high_bits",
	    try_socketpair(AF_UNIX | (1L << 32), SOCK_STREAM));
	check("io_uring", try_io_uring());
	check("kill_parent", res(kill(getppid(), 0)));
	check("pidfd_signal_parent", try_pidfd_signal_parent());
	check("steal_parent_fd", try_steal_parent_fd());
	check("read_parent_memory", try_read_parent_memory());
	check("exec_other", try_exec("/bin/true"));
	check("mount", try_mount());
	/* Mode 3 opens for neither reading nor writing: no Landlock check. */
	check("open_mode3_outside",
	    try_open(AT_FDCWD, outside_file, O_RDWR | O_WRONLY));
	check("openat2_outside", try_openat2(outside_file));
	check("file_setattr_outside", try_file_setattr(outside_file));
	check("chmod_outside", res(chmod(outside_file, 0644)));
	check("chown_outside", res(chown(outside_file, 0, 0)));
	check("chmod_beneath_ro", res(fchmodat(FD_RO, "hello", 0644, 0)));
	check("utimes_outside",
	    res(utimensat(AT_FDCWD, outside_file, NULL, 0)));
	check("setxattr_outside",
	    res(setxattr(outside_file, "user.probe", "1", 1, 0)));
	/* Last of those on outside_file: unconfined, they change it. */
	check("truncate_outside", res(truncate(outside_file, 0)));
	check("link_outside_into_rw",
	    res(linkat(AT_FDCWD, outside_file, FD_RW, "stolen", 0)));
	check("rename_outside_into_rw",
	    res(renameat(AT_FDCWD, outside_file, FD_RW, "moved-in")));
	check("tiocsti", res(ioctl(FD_REPORT, TIOCSTI, "x")));
	check("tiocsti_high_bits",
	    res(syscall(SYS_ioctl, FD_REPORT, (1L << 32) | TIOCSTI, "x")));

	/* Ways that stay open. */
	check("ro_read", try_read_hello());
	check("ro_readdir", try_readdir());
	check("ro_read_beneath", try_open(FD_RO, "sub/inner", O_RDONLY));
	check("rw_write", try_write_rw());
	check("rw_changes", try_changes_rw());
	check("accept", try_accept());
	check("socketpair_stream", try_socketpair(AF_UNIX, SOCK_STREAM));
	check("signal_self", try_signal_self());
	check("kill_self", res(kill(getpid(), 0)));
	fputs("end\n", report);
	fclose(report);
	return 0;
}
