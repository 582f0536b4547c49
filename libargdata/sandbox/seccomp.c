/*
 * sandbox_seccomp.c - the seccomp filter of the sandbox, compiled once per
 * process with libseccomp and kept as a BPF program in memory, so that the
 * child only has to hand it to the kernel.
 *
 * The filter allows by default and denies a list. An allow-list would have
 * to follow every C library and every kernel release, and a program that
 * dies on a harmless new system call is a worse default than one that
 * cannot reach outside. The list is what Landlock leaves open:
 *  - new sockets (socket(), and socketpair() of anything but AF_UNIX
 *    stream sockets): Landlock governs TCP only, and a new UDP, raw,
 *    netlink, MPTCP or unix socket would reach outside the descriptors;
 *    bind() and connect() too, since sockets arrive bound or connected;
 *  - io_uring, whose operations do not pass through the system calls
 *    filtered here;
 *  - the TIOCSTI and TIOCLINUX ioctls, which type into a terminal;
 *  - changes of mode, owner, times and extended attributes by path, which
 *    Landlock does not check: a program running as root could otherwise
 *    chmod anything it can name. The same changes through a descriptor
 *    stay allowed: the descriptor is the capability;
 *  - host-wide administration that reaches past every descriptor: kernel
 *    modules, kexec, reboot, swap, process accounting, the kernel log,
 *    quotas, BPF, perf events, userfaultfd, fanotify, file handles and the
 *    kernel keyrings (shared with the session that started the program).
 * System calls of other architectures (i386 on x86-64, arm on arm64) and
 * x32 system call numbers kill the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <pthread.h>
#include <stdbool.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox.h"

/*
 * Denied system calls by name, with the errno they fail with. Names the
 * running libseccomp does not know fall back to their number, which is the
 * same on x86-64 and arm64 for these recent calls; names an architecture
 * lacks (chmod on arm64) are left out there.
 */
struct denied {
	const char *name;
	int nr; /* fallback number, or -1 */
	int error;
	const char *group; /* for the description: one line per group */
};

static const struct denied denied[] = {
	{"socket", -1, EACCES, "new sockets"},
	{"bind", -1, EACCES, "new sockets"},
	{"connect", -1, EACCES, "new sockets"},
	{"io_uring_setup", -1, ENOSYS, "io_uring"},
	{"io_uring_enter", -1, ENOSYS, "io_uring"},
	{"io_uring_register", -1, ENOSYS, "io_uring"},
	{"chmod", -1, EPERM, "changes by path"},
	{"fchmodat", -1, EPERM, "changes by path"},
	{"fchmodat2", 452, EPERM, "changes by path"},
	{"chown", -1, EPERM, "changes by path"},
	{"lchown", -1, EPERM, "changes by path"},
	{"fchownat", -1, EPERM, "changes by path"},
	{"utime", -1, EPERM, "changes by path"},
	{"utimes", -1, EPERM, "changes by path"},
	{"futimesat", -1, EPERM, "changes by path"},
	{"setxattr", -1, EPERM, "changes by path"},
	{"lsetxattr", -1, EPERM, "changes by path"},
	{"removexattr", -1, EPERM, "changes by path"},
	{"lremovexattr", -1, EPERM, "changes by path"},
	{"setxattrat", 463, EPERM, "changes by path"},
	{"removexattrat", 466, EPERM, "changes by path"},
	{"file_setattr", 469, EPERM, "changes by path"},
	{"init_module", -1, EPERM, "host administration"},
	{"finit_module", -1, EPERM, "host administration"},
	{"delete_module", -1, EPERM, "host administration"},
	{"kexec_load", -1, EPERM, "host administration"},
	{"kexec_file_load", -1, EPERM, "host administration"},
	{"reboot", -1, EPERM, "host administration"},
	{"swapon", -1, EPERM, "host administration"},
	{"swapoff", -1, EPERM, "host administration"},
	{"acct", -1, EPERM, "host administration"},
	{"syslog", -1, EPERM, "host administration"},
	{"quotactl", -1, EPERM, "host administration"},
	{"quotactl_fd", 443, EPERM, "host administration"},
	{"bpf", -1, EPERM, "host administration"},
	{"perf_event_open", -1, EPERM, "host administration"},
	{"userfaultfd", -1, EPERM, "host administration"},
	{"fanotify_init", -1, EPERM, "host administration"},
	{"name_to_handle_at", -1, EPERM, "host administration"},
	{"open_by_handle_at", -1, EPERM, "host administration"},
	{"add_key", -1, EPERM, "host administration"},
	{"request_key", -1, EPERM, "host administration"},
	{"keyctl", -1, EPERM, "host administration"},
	{"iopl", -1, EPERM, "host administration"},
	{"ioperm", -1, EPERM, "host administration"},
	{"mount_setattr", 442, EPERM, "host administration"},
	{"open_tree_attr", 467, EPERM, "host administration"},
	/*
	 * openat2() takes its flags in a structure a filter cannot read, so
	 * the access-mode rule below could not apply to it: it fails as if
	 * the kernel lacked it, and C libraries fall back to openat().
	 */
	{"openat2", 437, ENOSYS, "openat2 (flags out of a filter's reach)"},
};

/* ioctl requests are 32 bits wide: the kernel ignores the upper half. */
static const struct {
	const char *name;
	unsigned long request;
} denied_ioctls[] = {
	{"TIOCSTI", TIOCSTI},
	{"TIOCLINUX", TIOCLINUX},
};

/* Built on first use, under the lock; a failure is retried next time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sock_filter *filter;
static size_t filter_len;

static int
syscall_number(const struct denied *d)
{
	int nr = seccomp_syscall_resolve_name(d->name);

	if (nr == __NR_SCMP_ERROR)
		return d->nr;
	/* Negative numbers are libseccomp's stand-ins for calls this
	 * architecture does not have. */
	return nr < 0 ? -1 : nr;
}

/*
 * The rules, added to ctx. Returns 0 or a negative errno value, as
 * libseccomp does.
 */
static int
add_rules(scmp_filter_ctx ctx)
{
	int rc, nr;

	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		if ((nr = syscall_number(&denied[i])) < 0)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(denied[i].error), nr,
		    0);
		if (rc != 0)
			return rc;
	}

	/*
	 * Access mode 3 (O_RDWR | O_WRONLY) opens a file for neither reading
	 * nor writing, so Landlock sees no access to check and lets it open
	 * anywhere; the descriptor would then take fchmod(), fchown(),
	 * fsetxattr() and ioctls on a file outside the tree. Linux uses the
	 * mode only for a few drivers' ioctl-only opens: refused here.
	 */
	static const struct {
		const char *name;
		unsigned arg;
	} opens[] = {{"open", 1}, {"openat", 2}};
	for (size_t i = 0; i < sizeof(opens) / sizeof(opens[0]); i++) {
		nr = seccomp_syscall_resolve_name(opens[i].name);
		if (nr < 0)
			continue; /* arm64 has no open() */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 1,
		    SCMP_CMP(opens[i].arg, SCMP_CMP_MASKED_EQ, O_ACCMODE,
			O_ACCMODE));
		if (rc != 0)
			return rc;
	}

	/* utimensat() with a NULL path is futimens() on a descriptor. */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(utimensat),
	    1, SCMP_A1(SCMP_CMP_NE, 0, 0));
	if (rc != 0)
		return rc;

	for (size_t i = 0;
	     i < sizeof(denied_ioctls) / sizeof(denied_ioctls[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
		    1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
		    denied_ioctls[i].request));
		if (rc != 0)
			return rc;
	}

	/*
	 * socketpair(): only AF_UNIX stream sockets, which reach nothing but
	 * each other (a datagram socket could send to any named socket). The
	 * domain must be exactly AF_UNIX. The kernel reads the type as an
	 * int whose low four bits are the type, the rest flags, and creates
	 * AF_UNIX pairs of four types only: stream, and the three denied
	 * here (SOCK_RAW makes a datagram pair).
	 */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair),
	    1, SCMP_A0(SCMP_CMP_NE, AF_UNIX, 0));
	if (rc != 0)
		return rc;
	static const unsigned long unix_types[] = {SOCK_DGRAM, SOCK_RAW,
		SOCK_SEQPACKET};
	for (size_t i = 0; i < sizeof(unix_types) / sizeof(unix_types[0]);
	     i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socketpair), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfUL, unix_types[i]));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Exports the filter into memory through a memfd (libseccomp 2.5 writes
 * only to descriptors). */
static int
export(scmp_filter_ctx ctx)
{
	struct sock_filter *buf;
	off_t size;
	ssize_t n;
	int fd, rc, error = 0;

	fd = memfd_create("sandbox-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return errno;
	if ((rc = seccomp_export_bpf(ctx, fd)) != 0) {
		error = -rc;
		goto out;
	}
	size = lseek(fd, 0, SEEK_CUR);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		error = EINVAL;
		goto out;
	}
	buf = malloc((size_t)size);
	if (buf == NULL) {
		error = ENOMEM;
		goto out;
	}
	n = pread(fd, buf, (size_t)size, 0);
	if (n != size) {
		error = n < 0 ? errno : EIO;
		free(buf);
		goto out;
	}
	filter = buf;
	filter_len = (size_t)size / sizeof(struct sock_filter);
out:
	close(fd);
	return error;
}

static int
build(void)
{
	scmp_filter_ctx ctx;
	int rc, error;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL)
		return ENOMEM;
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	/*
	 * A binary tree of system call numbers instead of a list: the kernel
	 * runs the filter for every number when it attaches it (to cache
	 * what is always allowed), so the depth of the tree is most of the
	 * cost of starting a program confined.
	 */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc == 0)
		rc = add_rules(ctx);
	error = rc == 0 ? export(ctx) : -rc;
	seccomp_release(ctx);
	return error;
}

int
sandbox_seccomp_filter(const struct sock_filter **out, size_t *len)
{
	int error = 0;

	pthread_mutex_lock(&lock);
	if (filter == NULL)
		error = build();
	if (error == 0) {
		*out = filter;
		*len = filter_len;
	}
	pthread_mutex_unlock(&lock);
	return error;
}

int
sandbox_seccomp_describe(FILE *f)
{
	const size_t n = sizeof(denied) / sizeof(denied[0]);

	/* One line per group of consecutive entries. */
	for (size_t i = 0; i < n;) {
		const char *group = denied[i].group;
		bool first = true;

		if (fputs("seccomp: deny", f) == EOF)
			return EIO;
		for (; i < n && strcmp(denied[i].group, group) == 0; i++) {
			if (syscall_number(&denied[i]) < 0)
				continue;
			if (fprintf(f, "%s %s", first ? "" : ",",
			    denied[i].name) < 0)
				return EIO;
			first = false;
		}
		if (strcmp(group, "changes by path") == 0 &&
		    fputs(", utimensat with a path", f) == EOF)
			return EIO;
		if (fprintf(f, " (%s): %s\n", strerrorname_np(denied[i - 1].error),
		    group) < 0)
			return EIO;
	}
	if (fprintf(f, "seccomp: deny ioctl") < 0)
		return EIO;
	for (size_t i = 0;
	     i < sizeof(denied_ioctls) / sizeof(denied_ioctls[0]); i++)
		if (fprintf(f, "%s %s", i == 0 ? "" : ",",
		    denied_ioctls[i].name) < 0)
			return EIO;
	if (fprintf(f, " (EPERM): typing into a terminal\n"
	    "seccomp: deny open, openat with access mode 3 (EACCES): "
	    "opens that Landlock cannot check\n"
	    "seccomp: deny socketpair except AF_UNIX SOCK_STREAM (EACCES)\n"
	    "seccomp: kill on system calls of another architecture or "
	    "x32\n") < 0)
		return EIO;
	return 0;
}
