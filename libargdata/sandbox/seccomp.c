/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seccomp.c - the seccomp filter of the sandbox: an allowlist, compiled
 * with libseccomp once per process (or once at build time, by seccomp-gen)
 * and kept as a BPF program in memory, which each start copies, fills in
 * (widening groups, then the child's own pid) and hands to the kernel.
 * Every rule of the filter is defined here.
 *
 * What the filter does not name fails with ENOSYS, as on a kernel that
 * lacks the call, so that C libraries fall back to older calls and a
 * system call newer than this file is refused, not allowed. Calls named
 * because they reach outside what Landlock checks fail with a specific
 * errno (the table denied[] below): new sockets (EACCES), changes by path
 * (EPERM), host administration, other processes' memory and namespaces
 * (EPERM), extended attributes read by path (ENOTSUP, as on a filesystem
 * without them), inotify watches (EACCES), System V IPC and POSIX message
 * queues (EPERM), flock (ENOLCK). Calls that take a pid act only on the
 * caller: pid 0 or its own pid, patched into the program just before it is
 * attached (sandbox_seccomp_patch()); any other pid fails with EPERM.
 * System calls of other architectures (i386 on x86-64, arm on arm64) and
 * x32 system call numbers kill the process.
 *
 * Why one long file: every rule of the filter is here, tables and argument
 * checks together, so that the filter can be read, reviewed and compiled
 * ahead of time from one place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdbool.h>
#include <seccomp.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox.h"

/* The return of a uprobe (Linux 6.11), on x86-64 only. */
#ifdef __x86_64__
#define UPROBE_RETURN " uretprobe:335"
#else
#define UPROBE_RETURN ""
#endif

/*
 * The allowlist, in groups for the description: what ordinary server
 * software calls (systemd's @system-service set was the starting point),
 * less what reaches past the program's descriptors. Names that the
 * running libseccomp does not know carry their number after a colon (the
 * same on x86-64 and arm64 for calls since 5.1); names an architecture
 * lacks (open, fork on arm64) are left out there.
 */
static const struct {
	const char *group;
	const char *names;
} allowed[] = {
    {"descriptors",
        "read write readv writev pread64 pwrite64 preadv "
        "pwritev preadv2 pwritev2 lseek close close_range dup dup2 dup3 "
        "sendfile copy_file_range splice tee vmsplice readahead fadvise64 "
        "fallocate ftruncate fsync fdatasync sync_file_range syncfs pipe "
        "pipe2 eventfd eventfd2 memfd_create fstat fstatfs fchmod fchown "
        "fchdir getdents getdents64 fgetxattr flistxattr fsetxattr "
        "fremovexattr inotify_init inotify_init1 inotify_rm_watch "
        "io_setup io_destroy io_submit io_cancel io_getevents "
        "io_pgetevents"},
    {"paths, which Landlock checks",
        "creat access faccessat faccessat2 "
        "stat lstat newfstatat statx statfs readlink readlinkat getcwd "
        "chdir mkdir mkdirat rmdir unlink unlinkat rename renameat "
        "renameat2 link linkat symlink symlinkat mknod mknodat truncate "
        "umask execve execveat"},
    {"sockets given or paired",
        "accept accept4 listen getsockname "
        "getpeername getsockopt setsockopt shutdown recvfrom recvmsg "
        "recvmmsg sendto sendmsg sendmmsg"},
    {"events and time",
        "poll ppoll select pselect6 epoll_create "
        "epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 "
        "nanosleep clock_nanosleep clock_gettime clock_getres "
        "gettimeofday time alarm getitimer setitimer timer_create "
        "timer_delete timer_getoverrun timer_gettime timer_settime "
        "timerfd_create timerfd_gettime timerfd_settime pause "
        "restart_syscall"},
    {"memory",
        "brk mmap munmap mprotect mremap madvise mincore msync "
        "mlock mlock2 munlock mlockall munlockall membarrier pkey_alloc "
        "pkey_free pkey_mprotect get_mempolicy set_mempolicy mbind "
        "set_mempolicy_home_node remap_file_pages cachestat mseal:462 "
        "map_shadow_stack"},
    {"signals",
        "rt_sigaction rt_sigprocmask rt_sigpending "
        "rt_sigsuspend rt_sigtimedwait rt_sigreturn sigaltstack signalfd "
        "signalfd4 pidfd_open pidfd_send_signal"},
    {"the process itself",
        "fork vfork exit exit_group wait4 waitid "
        "set_tid_address set_robust_list get_robust_list futex "
        "futex_waitv futex_wake futex_wait futex_requeue rseq arch_prctl "
        "prctl gettid getpid getppid getpgrp setpgid setsid getuid "
        "geteuid getgid getegid getgroups getresuid getresgid setuid "
        "setgid setreuid setregid setresuid setresgid setgroups setfsuid "
        "setfsgid capget capset personality sched_yield "
        "sched_get_priority_max sched_get_priority_min getcpu getrusage "
        "times sysinfo uname getrandom getrlimit setrlimit" UPROBE_RETURN},
    {"confining itself further",
        "landlock_create_ruleset "
        "landlock_add_rule landlock_restrict_self seccomp"},
};

/*
 * Named and refused with their own errno, unless a widening group of
 * program_attr_allow() (the bit in widen) allows them. The bits follow
 * the order of sandbox_allow_names (sandbox.c).
 */
enum {
	WIDEN_SYSV_IPC = 1U << 0,
	WIDEN_MQUEUE = 1U << 1,
	WIDEN_FLOCK = 1U << 2,
	WIDEN_INOTIFY = 1U << 3,
	WIDEN_XATTR_READ = 1U << 4,
};

static const struct {
	int error;
	unsigned widen;
	const char *group;
	const char *names;
} denied[] = {
    {EACCES, 0, "new sockets", "socket bind connect"},
    {ENOSYS, 0, "io_uring, whose operations pass no filter",
        "io_uring_setup io_uring_enter io_uring_register"},
    {ENOSYS, 0, "openat2 and clone3 (arguments out of a filter's reach)",
        "openat2 clone3"},
    {EPERM, 0, "changes by path",
        "chmod fchmodat fchmodat2 chown lchown "
        "fchownat utime utimes futimesat setxattr lsetxattr removexattr "
        "lremovexattr setxattrat:463 removexattrat:466 file_setattr:469"},
    {ENOTSUP, WIDEN_XATTR_READ, "extended attributes read by path",
        "getxattr lgetxattr listxattr llistxattr getxattrat:464 "
        "listxattrat:465"},
    {EACCES, WIDEN_INOTIFY, "inotify watches by path", "inotify_add_watch"},
    {ENOLCK, WIDEN_FLOCK, "flock, which needs no write access", "flock"},
    {EPERM, WIDEN_SYSV_IPC, "System V IPC",
        "shmget shmat shmdt shmctl "
        "msgget msgsnd msgrcv msgctl semget semop semtimedop semctl"},
    {EPERM, WIDEN_MQUEUE, "POSIX message queues",
        "mq_open mq_unlink "
        "mq_timedsend mq_timedreceive mq_notify mq_getsetattr"},
    {EPERM, 0, "other processes",
        "ptrace process_vm_readv "
        "process_vm_writev process_madvise process_mrelease pidfd_getfd "
        "kcmp"},
    {EPERM, 0, "namespaces and mounts",
        "unshare setns mount umount2 "
        "pivot_root chroot fsopen fsconfig fsmount fspick move_mount "
        "open_tree mount_setattr open_tree_attr:467 statmount:457 "
        "listmount:458"},
    {EPERM, 0, "host administration",
        "init_module finit_module "
        "delete_module kexec_load kexec_file_load reboot swapon swapoff "
        "acct syslog quotactl quotactl_fd bpf perf_event_open "
        "userfaultfd fanotify_init name_to_handle_at open_by_handle_at "
        "add_key request_key keyctl iopl ioperm sethostname "
        "setdomainname settimeofday clock_settime clock_adjtime adjtimex "
        "vhangup"},
};

/* Allowed only on the caller: the pid at argument arg is 0 or its own. */
static const struct {
	const char *name;
	unsigned arg;
} self_only[] = {
    {"prlimit64", 0},
    {"sched_setaffinity", 0},
    {"sched_getaffinity", 0},
    {"sched_setscheduler", 0},
    {"sched_getscheduler", 0},
    {"sched_setparam", 0},
    {"sched_getparam", 0},
    {"sched_setattr", 0},
    {"sched_getattr", 0},
    {"sched_rr_get_interval", 0},
    {"migrate_pages", 0},
    {"move_pages", 0},
    {"getpgid", 0},
    {"getsid", 0},
};

/* Allowed only when "which" names one process and "who" is the caller. */
static const struct {
	const char *name;
	unsigned which;
} which_who[] = {
    {"getpriority", 0}, {"setpriority", 0}, /* PRIO_PROCESS */
    {"ioprio_get", 1}, {"ioprio_set", 1},   /* IOPRIO_WHO_PROCESS */
};

/* Signal 0 (is it there?) only to the caller; other signals go where
 * Landlock lets them. */
static const struct {
	const char *name;
	unsigned pid, sig;
} signal_zero[] = {
    {"kill", 0, 1},
    {"tkill", 0, 1},
    {"tgkill", 0, 2},
    {"rt_sigqueueinfo", 0, 1},
    {"rt_tgsigqueueinfo", 0, 2},
};

/* Namespace flags of clone(). */
#define CLONE_NAMESPACES 0x7e020000UL

/* Refused ioctl requests: the terminal family that reaches other
 * processes or the terminal's session, and inode flags. */
static const struct {
	const char *name;
	unsigned long request;
} denied_ioctls[] = {
    {"TIOCSTI", TIOCSTI},
    {"TIOCLINUX", TIOCLINUX},
    {"TIOCSWINSZ", TIOCSWINSZ},
    {"TIOCSCTTY", TIOCSCTTY},
    {"TIOCNOTTY", TIOCNOTTY},
    {"TIOCCONS", TIOCCONS},
    {"TIOCSPGRP", TIOCSPGRP},
    {"TIOCSETD", TIOCSETD},
    {"TIOCVHANGUP", TIOCVHANGUP},
    {"TIOCSIG", TIOCSIG},
    {"TIOCSLCKTRMIOS", TIOCSLCKTRMIOS},
    {"TIOCSSERIAL", TIOCSSERIAL},
    {"TIOCMSET", TIOCMSET},
    {"TIOCMBIS", TIOCMBIS},
    {"TIOCMBIC", TIOCMBIC},
    {"TIOCSBRK", TIOCSBRK},
    {"TIOCCBRK", TIOCCBRK},
    {"FS_IOC_SETFLAGS", FS_IOC_SETFLAGS},
    {"FS_IOC32_SETFLAGS", FS_IOC32_SETFLAGS},
    {"FS_IOC_FSSETXATTR", FS_IOC_FSSETXATTR},
};

/* Built on first use, under the lock; a failure is retried next time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sandbox_filter built;
static uint16_t pid_slots[SANDBOX_PID_SLOTS];
static struct sandbox_widen_slot widen_slots[SANDBOX_WIDEN_SLOTS];

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The next name of a list: copies it into buf (without its ":number"),
 * stores the number, or -1, in *fallback and advances *p. Returns false
 * at the end of the list.
 */
static bool
next_name(const char **p, char buf[32], int *fallback)
{
	size_t len;
	const char *colon;

	*p += strspn(*p, " ");
	if (**p == '\0')
		return false;
	len = strcspn(*p, " ");
	colon = memchr(*p, ':', len);
	*fallback = colon != NULL ? atoi(colon + 1) : -1;
	if (colon != NULL)
		len = (size_t)(colon - *p);
	if (len >= 32)
		len = 31; /* no name is this long */
	memcpy(buf, *p, len);
	buf[len] = '\0';
	*p += strcspn(*p, " ");
	return true;
}

/* The number of the call on this machine, or -1 where it has none. */
static int
syscall_number(const char *name, int fallback)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return fallback;
	/* Negative numbers are libseccomp's stand-ins for calls this
	 * architecture does not have. */
	return nr < 0 ? -1 : nr;
}

/* The name of the group of the single bit in widen. */
static const char *
allow_name(unsigned widen)
{
	return sandbox_allow_names[__builtin_ctz(widen)];
}

/* Adds one unconditional rule for every name of the list. */
static int
add_names(scmp_filter_ctx ctx, uint32_t action, const char *list)
{
	char name[32];
	int nr, fallback, rc;

	while (next_name(&list, name, &fallback)) {
		if ((nr = syscall_number(name, fallback)) < 0)
			continue;
		if ((rc = seccomp_rule_add(ctx, action, nr, 0)) != 0)
			return rc;
	}
	return 0;
}

/* pid 0 or the caller's own: allowed; any other: EPERM. */
static int
add_self_only(scmp_filter_ctx ctx, int nr, unsigned arg)
{
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
	    SCMP_CMP(arg, SCMP_CMP_EQ, 0, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
		    SCMP_CMP(arg, SCMP_CMP_EQ, SANDBOX_PID_PLACEHOLDER, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
		    SCMP_CMP(arg, SCMP_CMP_GE, 1, 0));
	return rc;
}

/* The calls about other processes whose arguments the filter checks. */
static int
add_pid_rules(scmp_filter_ctx ctx)
{
	int rc = 0, nr;

	for (size_t i = 0; rc == 0 && i < COUNT(self_only); i++)
		if ((nr = syscall_number(self_only[i].name, -1)) >= 0)
			rc = add_self_only(ctx, nr, self_only[i].arg);
	/* Groups and users of processes are refused: "which" must name
	 * one process. */
	for (size_t i = 0; rc == 0 && i < COUNT(which_who); i++) {
		unsigned which = which_who[i].which;

		if ((nr = syscall_number(which_who[i].name, -1)) < 0)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
		    SCMP_A0(SCMP_CMP_EQ, which, 0), SCMP_A1(SCMP_CMP_EQ, 0, 0));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
			    SCMP_A0(SCMP_CMP_EQ, which, 0),
			    SCMP_A1(SCMP_CMP_EQ, SANDBOX_PID_PLACEHOLDER, 0));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
			    SCMP_A0(SCMP_CMP_NE, which, 0));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 2,
			    SCMP_A0(SCMP_CMP_EQ, which, 0),
			    SCMP_A1(SCMP_CMP_GE, 1, 0));
	}
	/*
	 * A signal with any of the low seven bits set is not signal 0 (the
	 * kernel reads the low 32 bits); the rest, signal 0 and numbers past
	 * the last signal, is checked like a pid-taking call.
	 */
	for (size_t i = 0; rc == 0 && i < COUNT(signal_zero); i++) {
		if ((nr = syscall_number(signal_zero[i].name, -1)) < 0)
			continue;
		for (unsigned long bit = 1; rc == 0 && bit < 0x80; bit <<= 1)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			    SCMP_CMP(signal_zero[i].sig, SCMP_CMP_MASKED_EQ,
			        bit, bit));
		if (rc == 0)
			rc = add_self_only(ctx, nr, signal_zero[i].pid);
	}
	return rc;
}

/* The calls whose other arguments the filter checks. */
static int
add_argument_rules(scmp_filter_ctx ctx)
{
	int rc = 0, nr;

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
	for (size_t i = 0; rc == 0 && i < COUNT(opens); i++) {
		if ((nr = syscall_number(opens[i].name, -1)) < 0)
			continue; /* arm64 has no open() */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 1,
		    SCMP_CMP(opens[i].arg, SCMP_CMP_MASKED_EQ, O_ACCMODE,
		        O_ACCMODE));
		for (unsigned mode = 0; rc == 0 && mode < 3; mode++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			    SCMP_CMP(opens[i].arg, SCMP_CMP_MASKED_EQ,
			        O_ACCMODE, mode));
	}

	/* utimensat() with a NULL path is futimens() on a descriptor. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(utimensat),
		    1, SCMP_A1(SCMP_CMP_EQ, 0, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(utimensat), 1, SCMP_A1(SCMP_CMP_NE, 0, 0));

	/* ioctl requests are 32 bits wide: the kernel ignores the upper
	 * half, so the filter does too. */
	for (size_t i = 0; rc == 0 && i < COUNT(denied_ioctls); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
		        denied_ioctls[i].request));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_GE, 0, 0));

	/* fcntl: everything but leases, which hold off other openers of a
	 * file the program may only read. The command is 32 bits wide. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(fcntl), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, F_SETLEASE));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
		    SCMP_A1(SCMP_CMP_GE, 0, 0));

	/* clone(): threads and processes, never new namespaces. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NAMESPACES, 0));
	for (unsigned long bit = 1; rc == 0 && bit != 0; bit <<= 1)
		if (bit & CLONE_NAMESPACES)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
			    SCMP_SYS(clone), 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));

	/*
	 * socketpair(): only AF_UNIX stream sockets, which reach nothing but
	 * each other (a datagram socket could send to any named socket). The
	 * domain must be exactly AF_UNIX. The kernel reads the type as an
	 * int whose low four bits are the type, the rest flags, and creates
	 * AF_UNIX pairs of four types only: stream, and the three denied
	 * here (SOCK_RAW makes a datagram pair).
	 */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX, 0));
	static const unsigned long unix_types[] = {SOCK_DGRAM, SOCK_RAW,
	    SOCK_SEQPACKET};
	for (size_t i = 0; rc == 0 && i < COUNT(unix_types); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socketpair), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfUL, unix_types[i]));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair),
		    2, SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0),
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfUL, SOCK_STREAM));
	return rc;
}

/* The rules, added to ctx. Returns 0 or a negative errno value, as
 * libseccomp does. */
static int
add_rules(scmp_filter_ctx ctx)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < COUNT(allowed); i++)
		rc = add_names(ctx, SCMP_ACT_ALLOW, allowed[i].names);
	/*
	 * Those refused with ENOSYS are named for the description only:
	 * libseccomp refuses rules that repeat the default action. Those a
	 * group widens return a marker (a trace action, whose data may be
	 * larger than an errno's), made into their errno or an allow for
	 * each start (sandbox_seccomp_widen()).
	 */
	for (size_t i = 0; rc == 0 && i < COUNT(denied); i++) {
		uint32_t action = SCMP_ACT_ERRNO((uint32_t)denied[i].error);

		if (denied[i].widen != 0)
			action = SCMP_ACT_TRACE(SANDBOX_WIDEN_MARK |
			    (unsigned)__builtin_ctz(denied[i].widen) << 8 |
			    (uint32_t)denied[i].error);
		else if (denied[i].error == ENOSYS)
			continue;
		rc = add_names(ctx, action, denied[i].names);
	}
	if (rc == 0)
		rc = add_pid_rules(ctx);
	if (rc == 0)
		rc = add_argument_rules(ctx);
	return rc;
}

/* Exports the filter into f through a memfd (libseccomp 2.5 writes only
 * to descriptors), and finds the instructions to fill in. */
static int export(scmp_filter_ctx ctx, struct sandbox_filter *f)
{
	struct sock_filter *buf;
	size_t len, npid = 0, nwiden = 0;
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
	len = (size_t)size / sizeof(struct sock_filter);
	if ((buf = malloc((size_t)size)) == NULL) {
		error = ENOMEM;
		goto out;
	}
	n = pread(fd, buf, (size_t)size, 0);
	if (n != size) {
		error = n < 0 ? errno : EIO;
		free(buf);
		goto out;
	}
	/* The placeholder is only ever a constant compared for equality;
	 * anywhere else it would be patched wrongly. */
	for (size_t i = 0; i < len; i++) {
		if (buf[i].k != SANDBOX_PID_PLACEHOLDER)
			continue;
		if (buf[i].code != (BPF_JMP | BPF_JEQ | BPF_K) ||
		    npid == SANDBOX_PID_SLOTS) {
			free(buf);
			error = EINVAL;
			goto out;
		}
		pid_slots[npid++] = (uint16_t)i;
	}
	for (size_t i = 0; i < len; i++) {
		uint32_t k = buf[i].k;

		if (buf[i].code != (BPF_RET | BPF_K) ||
		    (k & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_TRACE ||
		    (k & SANDBOX_WIDEN_MARK) == 0)
			continue;
		if (nwiden == SANDBOX_WIDEN_SLOTS) {
			free(buf);
			error = EINVAL;
			goto out;
		}
		widen_slots[nwiden++] =
		    (struct sandbox_widen_slot){.insn = (uint16_t)i,
		        .group = (uint16_t)((k >> 8) & 0x7f),
		        .error = (uint16_t)(k & 0xff)};
	}
	f->insns = buf;
	f->len = len;
	f->pid_slots = pid_slots;
	f->npid = npid;
	f->widen = widen_slots;
	f->nwiden = nwiden;
out:
	close(fd);
	return error;
}

static int
build(struct sandbox_filter *f)
{
	scmp_filter_ctx ctx;
	int rc, error;

	ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
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
	error = rc == 0 ? export(ctx, f) : -rc;
	seccomp_release(ctx);
	return error;
}

int
sandbox_seccomp_filter(const struct sandbox_filter **out)
{
	int error = 0;

	pthread_mutex_lock(&lock);
	if (built.insns == NULL)
		error = build(&built);
	if (error == 0)
		*out = &built;
	pthread_mutex_unlock(&lock);
	return error;
}

/* Writes the names of list that this machine has, comma-separated. */
static int
put_names(FILE *f, const char *list)
{
	char name[32];
	bool first = true;
	int fallback;

	while (next_name(&list, name, &fallback)) {
		if (syscall_number(name, fallback) < 0)
			continue;
		if (fprintf(f, "%s%s", first ? " " : ", ", name) < 0)
			return EIO;
		first = false;
	}
	return 0;
}

/* The line of denied[i], allowed by its group or not. */
static int
describe_denied(size_t i, bool allow, FILE *f)
{
	if (fputs(allow ? "seccomp: allow" : "seccomp: deny", f) == EOF ||
	    put_names(f, denied[i].names) != 0)
		return EIO;
	if (strcmp(denied[i].group, "changes by path") == 0 &&
	    fputs(", utimensat with a path", f) == EOF)
		return EIO;
	if (allow ? fprintf(f, ": %s (--allow %s)\n", denied[i].group,
	                allow_name(denied[i].widen)) < 0
	          : fprintf(f, " (%s): %s\n", strerrorname_np(denied[i].error),
	                denied[i].group) < 0)
		return EIO;
	return 0;
}

int
sandbox_seccomp_describe_group(unsigned index, bool allow, FILE *f)
{
	for (size_t i = 0; i < COUNT(denied); i++)
		if (denied[i].widen == 1U << index)
			return describe_denied(i, allow, f);
	return EINVAL;
}

int
sandbox_seccomp_describe_common(FILE *f)
{
	int error;

	if (fputs("seccomp: an allowlist; other system calls fail with "
	          "ENOSYS\n",
	        f) == EOF)
		return EIO;
	for (size_t i = 0; i < COUNT(allowed); i++)
		if (fputs("seccomp: allow", f) == EOF ||
		    (error = put_names(f, allowed[i].names)) != 0 ||
		    fprintf(f, ": %s\n", allowed[i].group) < 0)
			return EIO;
	for (size_t i = 0; i < COUNT(denied); i++)
		if (denied[i].widen == 0 &&
		    (error = describe_denied(i, false, f)) != 0)
			return error;
	if (fputs("seccomp: only on itself (pid 0 or its own, else EPERM):",
	        f) == EOF)
		return EIO;
	for (size_t i = 0; i < COUNT(self_only); i++)
		if (fprintf(f, "%s%s", i == 0 ? " " : ", ", self_only[i].name) <
		    0)
			return EIO;
	for (size_t i = 0; i < COUNT(which_who); i++)
		if (fprintf(f, ", %s", which_who[i].name) < 0)
			return EIO;
	if (fputs("\nseccomp: deny kill, tkill, tgkill, rt_sigqueueinfo, "
	          "rt_tgsigqueueinfo with signal 0 to "
	          "another process (EPERM): whether it exists\n"
	          "seccomp: deny ioctl",
	        f) == EOF)
		return EIO;
	for (size_t i = 0; i < COUNT(denied_ioctls); i++)
		if (fprintf(f, "%s%s", i == 0 ? " " : ", ",
		        denied_ioctls[i].name) < 0)
			return EIO;
	if (fputs(
	        " (EPERM): terminals of other processes, inode flags\n"
	        "seccomp: deny fcntl F_SETLEASE (EPERM): leases\n"
	        "seccomp: deny clone with namespace flags (EPERM)\n"
	        "seccomp: deny open, openat with access mode 3 (EACCES): "
	        "opens that Landlock cannot check\n"
	        "seccomp: deny socketpair except AF_UNIX SOCK_STREAM (EACCES)\n"
	        "seccomp: kill on system calls of another architecture or "
	        "x32\n",
	        f) == EOF)
		return EIO;
	return 0;
}

int
sandbox_seccomp_describe(unsigned groups, FILE *f)
{
	int error = sandbox_seccomp_describe_common(f);

	for (unsigned i = 0; error == 0 && i < SANDBOX_ALLOW_NGROUPS; i++)
		error = sandbox_seccomp_describe_group(i, (groups >> i) & 1, f);
	return error;
}
