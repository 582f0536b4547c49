/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * privileges.c - the steps of the sandbox that shed what the process holds
 * besides its descriptors: its session and controlling terminal, its
 * capabilities, and its user. All are raw system calls, async-signal-safe
 * and allocation-free, for a child between clone and exec that shares the
 * caller's memory. The C library's setgroups() and setres[ug]id() are not
 * used: they signal every thread of the process to switch them all, which
 * a child made with CLONE_VM must not do to its parent's threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

int
sandbox_new_session(void)
{
	long fd;

	if (syscall(SYS_setsid) >= 0)
		return 0;
	if (errno != EPERM)
		return errno;
	/*
	 * A process group leader (cloudabi-run started by an interactive
	 * shell, program_exec() in a service that leads its session)
	 * cannot start a session without a new process, and exec keeps the
	 * pid. Leading its session already, it owns its terminal; else it
	 * lets go of the terminal of the session it shares, so that it can
	 * neither open /dev/tty nor be that terminal's to take.
	 */
	if (syscall(SYS_getsid, 0) == syscall(SYS_getpid))
		return 0;
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/tty",
	    O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	/* None (ENXIO), or none to reach: nothing to let go of. */
	if (fd < 0)
		return 0;
	if (syscall(SYS_ioctl, (int)fd, TIOCNOTTY) != 0) {
		int error = errno;
		syscall(SYS_close, (int)fd);
		return error;
	}
	syscall(SYS_close, (int)fd);
	return 0;
}

int
sandbox_drop_bounding(const struct sandbox_user *user)
{
	bool root;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL)
		return errno;
	/* Whether the exec will run as root: then the bounding set is
	 * what it would get back. */
	if (user != NULL) {
		root = user->uid == 0;
	} else {
		uid_t r, e, s;

		if (syscall(SYS_getresuid, &r, &e, &s) != 0)
			return errno;
		root = r == 0 || e == 0 || s == 0;
	}
	/*
	 * One system call per capability: capabilities past the kernel's
	 * last are EINVAL, the end. Dropping one already dropped succeeds.
	 */
	for (unsigned long cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			return 0;
		if (errno != EPERM)
			return errno;
		/* Without CAP_SETPCAP: harmless unless the exec runs as
		 * root and the set still holds something it would get. */
		for (cap = 0; cap < 64; cap++) {
			int has = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

			if (has < 0)
				return 0;
			if (has == 1)
				return root ? EPERM : 0;
		}
		return 0;
	}
	return 0;
}

int
sandbox_switch_user(const struct sandbox_user *u)
{
	if (syscall(SYS_setgroups, u->ngroups, u->groups) != 0 ||
	    syscall(SYS_setresgid, u->gid, u->gid, u->gid) != 0 ||
	    syscall(SYS_setresuid, u->uid, u->uid, u->uid) != 0)
		return errno;
	return 0;
}

int
sandbox_clear_caps(void)
{
	struct __user_cap_header_struct header = {
	    .version = _LINUX_CAPABILITY_VERSION_3,
	    .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};

	if (syscall(SYS_capset, &header, data) != 0)
		return errno;
	return 0;
}
