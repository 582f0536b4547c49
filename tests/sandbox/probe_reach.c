/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_reach.c - tries what a red team tried beyond files and sockets:
 * reaching other processes of the same user (scheduling, limits, I/O
 * priority, memory advice, whether they exist), System V IPC, terminals,
 * root's capabilities, locks and leases on files it may only read, and
 * what paths reveal without opening them (extended attributes, inotify,
 * mounts). Reports "name result" lines, result 0 or the errno name; the
 * tests hold the expectations, confined and unconfined, as root and not.
 *
 * Descriptors, in the order of the tree that started it:
 *   0  instructions: lines "key=value"
 *   1  where the report goes
 *   2  a read-only directory holding lockme, a file of the probe's user
 *   3  the subsidiary side of a pseudo-terminal, the controlling terminal
 *      of no session
 *   4  a UDP socket
 * Every attempt that would change something outside changes it to what
 * it was (the same priority, limits, flags, host name), or undoes it.
 * With "i386=1" among the instructions it only makes an i386 system call
 * (on x86-64), which the sandbox answers by killing it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#define FD_INSTR 0
#define FD_REPORT 1
#define FD_RO 2
#define FD_TTY 3
#define FD_UDP 4

static pid_t outside_pid;
static pid_t outside_sid;
static int shm_id = -1, msq_id = -1;
static unsigned long madv_addr, madv_len;
static char outside_file[4096], outside_dir[4096];
static bool i386_call;
static FILE *report;

static int
res(long rc)
{
	return rc < 0 ? errno : 0;
}

/* Runs fn in a child, whose exit status carries the outcome: for
 * attempts that change the process (a session, a terminal). */
static int
in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

/* Its own nice value, set again: allowed where it changes nothing. */
static int
try_setpriority(pid_t pid)
{
	errno = 0;
	int prio = getpriority(PRIO_PROCESS, (id_t)pid);

	if (prio == -1 && errno != 0)
		return errno;
	return res(setpriority(PRIO_PROCESS, (id_t)pid, prio));
}

/* The outside process's nice value, 0, set again. */
static int
try_setpriority_outside(void)
{
	return res(setpriority(PRIO_PROCESS, (id_t)outside_pid, 0));
}

/* RLIMIT_CPU of pid, set to what the caller's is (the outside process is
 * its sibling and has the same): one second here would kill it. */
static int
try_prlimit(pid_t pid)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_CPU, &rl) != 0)
		return errno;
	return res(prlimit(pid, RLIMIT_CPU, &rl, NULL));
}

static int
try_affinity(pid_t pid)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return errno;
	return res(sched_setaffinity(pid, sizeof(set), &set));
}

/* SCHED_IDLE: what the red team used to starve an outside process. */
static int
try_sched_idle(pid_t pid)
{
	struct sched_param p = {.sched_priority = 0};

	return res(sched_setscheduler(pid, SCHED_IDLE, &p));
}

/* Best effort, level 4 (the default): IOPRIO_WHO_PROCESS. */
static int
try_ioprio(pid_t pid)
{
	return res(syscall(SYS_ioprio_set, 1, (int)pid, (2 << 13) | 4));
}

/* MADV_COLD over a page the outside process has mapped. */
static int
try_process_madvise(void)
{
	struct iovec iov = {(void *)madv_addr, madv_len};
	long pidfd = syscall(SYS_pidfd_open, outside_pid, 0);
	int error;

	if (pidfd < 0)
		return errno;
	error = res(
	    syscall(SYS_process_madvise, (int)pidfd, &iov, 1UL, MADV_COLD, 0U));
	close((int)pidfd);
	return error;
}

/* Signal 0 queued with data: whether the process exists. */
static int
try_sigqueue_zero(void)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	return res(syscall(SYS_rt_sigqueueinfo, outside_pid, 0, &info));
}

static int
try_shm_read(void)
{
	volatile const char *p = shmat(shm_id, NULL, SHM_RDONLY);

	if (p == (void *)-1)
		return errno;
	int error = p[0] == 's' ? 0 : EIO;
	shmdt((const void *)p);
	return error;
}

static int
try_msg_send(void)
{
	struct {
		long type;
		char text[4];
	} m = {1, "msg"};

	return res(msgsnd(msq_id, &m, sizeof(m.text), IPC_NOWAIT));
}

/* The window size, set again: SIGWINCH to the terminal's foreground. */
static int
try_tiocswinsz(void)
{
	struct winsize ws;

	if (ioctl(FD_TTY, TIOCGWINSZ, &ws) != 0)
		return errno;
	return res(ioctl(FD_TTY, TIOCSWINSZ, &ws));
}

/* setsid, then the terminal as its controlling one. */
static int
take_terminal(void)
{
	if (setsid() < 0)
		return errno;
	return res(ioctl(FD_TTY, TIOCSCTTY, 0));
}

static int
hang_up(void)
{
	if (setsid() < 0)
		return errno;
	return res(vhangup());
}

/* The console redirected to the terminal, and back at once. */
static int
try_tioccons(void)
{
	int error = res(ioctl(FD_TTY, TIOCCONS));

	if (error == 0) {
		int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, TIOCCONS) != 0)
			error = EIO; /* not undone: say so */
		if (fd >= 0)
			close(fd);
	}
	return error;
}

static int
try_lease(void)
{
	int fd = openat(FD_RO, "lockme", O_RDONLY | O_CLOEXEC), error;

	if (fd < 0)
		return errno;
	error = res(fcntl(fd, F_SETLEASE, F_RDLCK));
	if (error == 0)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	return error;
}

/* The same, the command's upper 32 bits set: the kernel ignores them. */
static int
try_lease_high_bits(void)
{
	int fd = openat(FD_RO, "lockme", O_RDONLY | O_CLOEXEC), error;

	if (fd < 0)
		return errno;
	error = res(syscall(SYS_fcntl, fd, (1L << 32) | F_SETLEASE, F_RDLCK));
	if (error == 0)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	return error;
}

static int
try_setflags(void)
{
	int fd = openat(FD_RO, "lockme", O_RDONLY | O_CLOEXEC), error;
	int flags;

	if (fd < 0)
		return errno;
	error = res(ioctl(fd, FS_IOC_GETFLAGS, &flags));
	if (error == 0)
		error = res(ioctl(fd, FS_IOC_SETFLAGS, &flags));
	close(fd);
	return error;
}

static int
try_flock(void)
{
	int fd = openat(FD_RO, "lockme", O_RDONLY | O_CLOEXEC), error;

	if (fd < 0)
		return errno;
	error = res(flock(fd, LOCK_EX | LOCK_NB));
	close(fd); /* releases it */
	return error;
}

static int
try_sethostname(void)
{
	char name[256] = "";

	if (gethostname(name, sizeof(name) - 1) != 0)
		return errno;
	return res(sethostname(name, strlen(name)));
}

static int
try_setdomainname(void)
{
	char name[256] = "";

	if (getdomainname(name, sizeof(name) - 1) != 0)
		return errno;
	return res(setdomainname(name, strlen(name)));
}

/* The loopback interface's flags, set again through the given socket. */
static int
try_ifflags(void)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(FD_UDP, SIOCGIFFLAGS, &ifr) != 0)
		return errno;
	return res(ioctl(FD_UDP, SIOCSIFFLAGS, &ifr));
}

/* A message that claims to come from the outside process. */
static int
try_scm_credentials(void)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct ucred cred = {outside_pid, getuid(), getgid()};
	struct iovec iov = {"x", 1};
	struct msghdr msg = {.msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = u.buf,
	    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int sv[2], error;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(cred));
	memcpy(CMSG_DATA(c), &cred, sizeof(cred));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return errno;
	error = res(sendmsg(sv[0], &msg, 0));
	close(sv[0]);
	close(sv[1]);
	return error;
}

static int
try_getxattrat(void)
{
	struct {
		uint64_t value;
		uint32_t size, flags;
	} args = {0, 0, 0};

	/* getxattrat(2) of Linux 6.13, by number (464 on both machines). */
	return res(syscall(464, AT_FDCWD, outside_file, 0, "user.probe", &args,
	    sizeof(args)));
}

static int
try_inotify(void)
{
	int fd = inotify_init1(IN_CLOEXEC), error;

	if (fd < 0)
		return errno;
	error = res(inotify_add_watch(fd, outside_dir, IN_CREATE));
	close(fd);
	return error;
}

/* listmount(2) of Linux 6.8, by number (458): the mounts under "/". */
static int
try_listmount(void)
{
	struct {
		uint32_t size, spare;
		uint64_t mnt_id, param, mnt_ns_id;
	} req = {32, 0, 0xffffffffffffffffULL /* LSMT_ROOT */, 0, 0};
	uint64_t ids[16];

	return res(syscall(458, &req, ids, 16UL, 0U));
}

/* statmount(2) (457) of the first mount listmount names. */
static int
try_statmount(void)
{
	struct {
		uint32_t size, spare;
		uint64_t mnt_id, param, mnt_ns_id;
	} req = {32, 0, 0xffffffffffffffffULL, 0, 0};
	uint64_t ids[1], buf[512];

	/* Asked unconfined, so the id is real; confined, any id will do. */
	if (syscall(458, &req, ids, 1UL, 0U) < 1)
		ids[0] = 1;
	req.mnt_id = ids[0];
	req.param = 0x1; /* STATMOUNT_SB_BASIC */
	return res(syscall(457, &req, buf, sizeof(buf), 0U));
}

/* Whether the given terminal is the controlling terminal of the probe. */
static int
given_terminal_is_ctty(void)
{
	pid_t sid;

	return res(ioctl(FD_TTY, TIOCGSID, &sid));
}

/* Whether the process holds any capability in its effective set. */
static int
holds_capability(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return errno;
	return d[0].effective | d[1].effective | d[0].permitted | d[1].permitted
	    ? 0
	    : EPERM;
}

static int
bounding_has_sys_admin(void)
{
	return prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1 ? 0 : EPERM;
}

/* A child of its own, killed: signals to its children must work. */
static int
try_kill_child(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return errno;
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (kill(pid, SIGKILL) != 0) {
		int error = errno;
		waitpid(pid, &status, 0);
		return error;
	}
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : EIO;
}

static void
check(const char *name, int result)
{
	fprintf(report, "%s %s\n", name,
	    result == 0 ? "0" : strerrorname_np(result));
}

static void
read_instructions(void)
{
	char line[4200];
	FILE *f = fdopen(dup(FD_INSTR), "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (eq == NULL || strlen(eq + 1) >= sizeof(outside_file))
			continue;
		*eq++ = '\0';
		if (strcmp(line, "outside_pid") == 0)
			outside_pid = atoi(eq);
		else if (strcmp(line, "outside_sid") == 0)
			outside_sid = atoi(eq);
		else if (strcmp(line, "shm_id") == 0)
			shm_id = atoi(eq);
		else if (strcmp(line, "msq_id") == 0)
			msq_id = atoi(eq);
		else if (strcmp(line, "madv_addr") == 0)
			madv_addr = strtoul(eq, NULL, 0);
		else if (strcmp(line, "madv_len") == 0)
			madv_len = strtoul(eq, NULL, 0);
		else if (strcmp(line, "outside_file") == 0)
			strcpy(outside_file, eq);
		else if (strcmp(line, "outside_dir") == 0)
			strcpy(outside_dir, eq);
		else if (strcmp(line, "i386") == 0)
			i386_call = atoi(eq) != 0;
	}
	fclose(f);
}

int
main(void)
{
	char list[256];

	report = fdopen(fcntl(FD_REPORT, F_DUPFD_CLOEXEC, 10), "w");
	if (report == NULL)
		return 111;
	setvbuf(report, NULL, _IOLBF, 0);
	read_instructions();
	fprintf(report, "uid %d gid %d\n", (int)getuid(), (int)getgid());
#ifdef __x86_64__
	if (i386_call) {
		/* getpid (20) through the i386 entry: the filter kills. */
		long nr = 20;

		__asm__ volatile("int $0x80" : "+a"(nr) : : "memory");
		fprintf(report, "i386_survived %ld\n", nr);
		return 0;
	}
#endif

	/* Ways out. */
	check("setpriority_outside", try_setpriority_outside());
	check("prlimit_outside", try_prlimit(outside_pid));
	check("affinity_outside", try_affinity(outside_pid));
	check("sched_idle_outside", try_sched_idle(outside_pid));
	check("ioprio_outside", try_ioprio(outside_pid));
	check("process_madvise_outside", try_process_madvise());
	check("kill0_outside", res(kill(outside_pid, 0)));
	check("sigqueue0_outside", try_sigqueue_zero());
	check("getsid_outside", res(getsid(outside_pid)));
	check("shm_read_outside", try_shm_read());
	check("msg_send_outside", try_msg_send());
	check("tiocswinsz", try_tiocswinsz());
	check("tiocsctty", in_child(take_terminal));
	check("vhangup", in_child(hang_up));
	check("tioccons", try_tioccons());
	check("shares_session", getsid(0) == outside_sid ? 0 : EPERM);
	check("ctty_is_given_terminal", given_terminal_is_ctty());
	check("holds_capability", holds_capability());
	check("bounding_sys_admin", bounding_has_sys_admin());
	check("lease_ro", try_lease());
	check("lease_ro_high_bits", try_lease_high_bits());
	check("setflags_ro", try_setflags());
	check("flock_ro", try_flock());
	check("sethostname", try_sethostname());
	check("setdomainname", try_setdomainname());
	check("ifflags_udp", try_ifflags());
	check("scm_credentials_outside", try_scm_credentials());
	check("getxattr_outside",
	    res(getxattr(outside_file, "user.probe", NULL, 0)));
	check("listxattr_outside",
	    res(listxattr(outside_file, list, sizeof(list))));
	check("getxattrat_outside", try_getxattrat());
	check("inotify_outside", try_inotify());
	check("listmount", try_listmount());
	check("statmount", try_statmount());

	/* Ways that stay open: the same calls on itself. */
	check("setpriority_self", try_setpriority(0));
	check("setpriority_self_pid", try_setpriority(getpid()));
	check("prlimit_self", try_prlimit(0));
	check("prlimit_self_pid", try_prlimit(getpid()));
	check("affinity_self", try_affinity(0));
	check("ioprio_self", try_ioprio(0));
	check("kill0_self", res(kill(getpid(), 0)));
	check("kill_child", try_kill_child());
	fputs("end\n", report);
	fclose(report);
	return 0;
}
