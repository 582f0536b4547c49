/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn.c - program_spawn(): the same start-up as proc_exec(), in a child
 * made with clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD), so that the
 * caller's descriptor table never changes and it gets a pidfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/*
 * The child runs on its own small stack: it only shuffles descriptors,
 * calls the confinement hook and execs.
 */
#define SPAWN_STACK_SIZE (64 * 1024)

/*
 * Shared between parent and child (CLONE_VM). The parent sleeps until the
 * child has exec'd or exited (CLONE_VFORK), so the child's error, written
 * here, is there for the parent when it wakes: no pipe needed, and no
 * descriptor to keep out of the target range.
 */
struct spawn_shared {
	const struct ad_exec_plan *plan;
	int *work; /* nslots sources, scratch for the child */
	size_t nslots;
	int error; /* 0, or why the child did not exec */
};

/*
 * The child. It shares the parent's memory, so it only makes system calls
 * (async-signal-safe) and writes nothing of the parent's but shared->error
 * and the scratch array.
 */
AD_CHILD_CODE static int
spawn_child(void *arg)
{
	struct spawn_shared *shared = arg;
	struct ad_exec_plan plan = *shared->plan;
	int error;

	/*
	 * A handler installed by the parent would run on the parent's data
	 * in a process that is about to become something else: signals the
	 * parent catches get their default action back, as at exec.
	 */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) != 0)
			continue;
		if (sa.sa_handler == SIG_IGN || sa.sa_handler == SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	error = ad_remap_child(shared->work, shared->nslots, &plan.execfd);
	if (error == 0)
		error = ad_exec_final(&plan);
	shared->error = error;
	_exit(127);
}

int
ad_spawn_start(struct ad_start *sp, int execfd, int *pidfdp)
{
	struct ad_start st = *sp;
	struct spawn_shared shared;
	sigset_t all;
	void *stack;
	int pidfd = -1;
	pid_t pid;
	int error = 0;

	stack = mmap(NULL, SPAWN_STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return ENOMEM;
	/* The child shuffles st.slots in place: it is its scratch space. */
	shared = (struct spawn_shared){.plan = &st.plan,
	    .work = st.slots,
	    .nslots = st.nslots,
	    .error = 0};

	/*
	 * Signals stay blocked from before the clone until the child has
	 * reset its handlers; the child gets the caller's mask back in
	 * ad_exec_final().
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &st.plan.mask);
	pid = clone(spawn_child, (char *)stack + SPAWN_STACK_SIZE,
	    CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &shared, &pidfd);
	if (pid < 0)
		error = errno;
	pthread_sigmask(SIG_SETMASK, &st.plan.mask, NULL);

	if (pid >= 0 && shared.error != 0) {
		siginfo_t info;

		/* Reap the failed child: no zombie, no pidfd left behind. */
		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) !=
		        0 &&
		    errno == EINTR)
			;
		close(pidfd);
		error = ad_exec_errno(execfd, shared.error);
	} else if (pid >= 0) {
		*pidfdp = pidfd;
	}
	munmap(stack, SPAWN_STACK_SIZE);
	return error;
}

static int
proc_spawn_attr(int execfd, const void *data, size_t datalen, const int *fds,
    size_t nfds, const program_attr_t *attr, int *pidfdp)
{
	struct ad_start st;
	int error;

	if (pidfdp == NULL)
		return EINVAL;
	error = ad_start_prepare(&st, execfd, data, datalen, fds, nfds, attr);
	if (error != 0)
		return error;
	error = ad_spawn_start(&st, execfd, pidfdp);
	ad_start_release(&st);
	return error;
}

int
program_spawn(int execfd, const argdata_t *ad, const program_attr_t *attr,
    int *pidfd)
{
	void *buf;
	size_t len, nfds;
	int *fds, error;

	if (attr != NULL && attr->layout == PROGRAM_LAYOUT_PLAIN)
		return ad != NULL
		    ? EINVAL
		    : proc_spawn_attr(execfd, NULL, 0, NULL, 0, attr, pidfd);
	if (ad == NULL)
		return EINVAL;
	error = ad_serialize(ad, &buf, &len, &fds, &nfds);
	if (error != 0)
		return error;
	error = proc_spawn_attr(execfd, buf, len, fds, nfds, attr, pidfd);
	free(buf);
	free(fds);
	return error;
}
