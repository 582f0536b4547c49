/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_sandbox - where the sandbox's share of program_spawn goes: the same
 * start (a child made with clone(CLONE_VM | CLONE_VFORK), execveat of the
 * static program, its exit collected) with one more step of the sandbox
 * each time, measured alternately in the same run:
 *
 *   unconfined;  a session of its own (setsid);  capabilities dropped
 *   (bounding and ambient sets, then capset to empty);  no_new_privs;
 *   + Landlock (the ruleset built in the parent by sandbox_create(),
 *   applied in the child);  no_new_privs + a seccomp filter of one
 *   instruction (what any filter costs the kernel);  + the sandbox's
 *   allowlist filter (patched with the child's pid, as sandbox_apply()
 *   does);  the whole sandbox (sandbox_create, sandbox_apply).
 *
 * The table shows medians in microseconds, what each start adds to the
 * unconfined one, their ratio, and how long the child spent in the seccomp
 * system call.
 * The kernel copies, checks, converts and compiles each filter it attaches,
 * runs it once for every system call number to cache what it always
 * allows, and frees it all again when the process is reaped.
 *
 * Usage: bench_sandbox EXIT0 [ITERATIONS]   (default 1000)
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

#include "stats.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

#define STACK_SIZE (64 * 1024)

enum step {
	UNCONFINED,
	SESSION,
	CAPS,
	NNP,
	NNP_LANDLOCK,
	NNP_FILTER1,
	NNP_FILTER,
	SANDBOX,
	NSTEPS,
};

static const char *const step_names[NSTEPS] = {
    [UNCONFINED] = "unconfined",
    [SESSION] = "setsid",
    [CAPS] = "capabilities dropped",
    [NNP] = "no_new_privs",
    [NNP_LANDLOCK] = "no_new_privs, Landlock",
    [NNP_FILTER1] = "no_new_privs, 1-instruction filter",
    [NNP_FILTER] = "no_new_privs, the allowlist filter",
    [SANDBOX] = "the whole sandbox",
};

/* What the child needs; it shares the parent's memory until its exec. */
struct job {
	enum step step;
	int execfd;
	const struct sandbox *sb;
	const struct sock_fprog *filter;
	const struct sandbox_filter *template; /* to patch filter from */
	double attach_us;                      /* written by the child */
};

static char *child_argv[] = {"exit0", NULL};
static char *child_envp[] = {NULL};

/* The child: the step's confinement, then the program; 127 on failure. */
static int
child(void *arg)
{
	struct job *job = arg;
	double t0;

	switch (job->step) {
	case UNCONFINED:
		break;
	case SESSION:
		if (sandbox_new_session() != 0)
			_exit(127);
		break;
	case CAPS:
		if (sandbox_drop_bounding(NULL) != 0 ||
		    sandbox_clear_caps() != 0)
			_exit(127);
		break;
	case SANDBOX:
		if (sandbox_apply(job->sb) != 0)
			_exit(127);
		break;
	default:
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(127);
		if (job->step == NNP_LANDLOCK &&
		    sandbox_apply_steps(job->sb, SANDBOX_STEP_LANDLOCK) != 0)
			_exit(127);
		if (job->filter == NULL)
			break;
		if (job->template != NULL)
			sandbox_seccomp_patch(job->template,
			    job->filter->filter, (pid_t)syscall(__NR_getpid));
		t0 = bench_wall_us();
		if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		        job->filter) != 0)
			_exit(127);
		job->attach_us = bench_wall_us() - t0;
		break;
	}
	syscall(__NR_execveat, job->execfd, "", child_argv, child_envp,
	    AT_EMPTY_PATH);
	_exit(127);
}

/* One start of the program with the step's confinement; its time. */
static double
run(struct job *job, void *stack, const int *fds, size_t nfds)
{
	struct sandbox *sb = NULL;
	siginfo_t info;
	int pidfd = -1, error;
	double t0 = bench_wall_us();

	if (job->step == NNP_LANDLOCK || job->step == SANDBOX) {
		error = sandbox_create(job->execfd,
		    &(struct sandbox_spec){.fds = fds, .nfds = nfds}, &sb);
		if (error != 0) {
			errno = error;
			err(1, "sandbox_create");
		}
	}
	job->sb = sb;
	if (clone(child, (char *)stack + STACK_SIZE,
	        CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, job,
	        &pidfd) < 0)
		err(1, "clone");
	if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) != 0)
		err(1, "waitid");
	close(pidfd);
	sandbox_free(sb);
	if (info.si_code != CLD_EXITED || info.si_status != 0)
		errx(1, "%s: the program did not exit with 0",
		    step_names[job->step]);
	return bench_wall_us() - t0;
}

int
main(int argc, char **argv)
{
	static struct sock_filter allow[] = {
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog allow_prog = {.len = 1, .filter = allow};
	struct sock_fprog sandbox_prog;
	const struct sandbox_filter *filter;
	double *times[NSTEPS], *attach[NSTEPS];
	size_t iterations = 1000, len;
	int execfd, fds[3], error;
	void *stack;

	if (argc < 2 || argc > 3)
		errx(2, "usage: bench_sandbox EXIT0 [ITERATIONS]");
	if (argc == 3)
		iterations = strtoul(argv[2], NULL, 10);
	if (iterations == 0)
		errx(2, "ITERATIONS must be at least 1");
	if (sandbox_unsupported(NULL) != NULL)
		errx(1, "this kernel cannot run the sandbox: %s",
		    sandbox_unsupported(NULL));
	execfd = open(argv[1], O_PATH | O_CLOEXEC);
	if (execfd < 0)
		err(1, "%s", argv[1]);
	for (int i = 0; i < 3; i++)
		if ((fds[i] = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
			err(1, "/dev/null");
	if ((error = sandbox_seccomp_filter(&filter)) != 0) {
		errno = error;
		err(1, "sandbox_seccomp_filter");
	}
	len = filter->len;
	sandbox_prog.len = (unsigned short)len;
	sandbox_prog.filter = calloc(len, sizeof(*filter->insns));
	if (sandbox_prog.filter == NULL)
		err(1, "calloc");
	memcpy(sandbox_prog.filter, filter->insns,
	    len * sizeof(*filter->insns));
	sandbox_seccomp_widen(filter, sandbox_prog.filter, 0);
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		err(1, "mmap");
	for (int s = 0; s < NSTEPS; s++) {
		times[s] = calloc(iterations, sizeof(double));
		attach[s] = calloc(iterations, sizeof(double));
		if (times[s] == NULL || attach[s] == NULL)
			err(1, "calloc");
	}

	/* A few rounds first, so that caches and page tables are warm;
	 * then every step once per round, so that drift hits all alike. */
	for (size_t i = 0; i < iterations + 20; i++) {
		for (int s = 0; s < NSTEPS; s++) {
			struct job job = {.step = (enum step)s,
			    .execfd = execfd};
			double t;

			if (s == NNP_FILTER1)
				job.filter = &allow_prog;
			else if (s == NNP_FILTER) {
				job.filter = &sandbox_prog;
				job.template = filter;
			}
			t = run(&job, stack, fds, 3);
			if (i < 20)
				continue;
			times[s][i - 20] = t;
			attach[s][i - 20] = job.attach_us;
		}
	}

	printf("%zu runs each, medians in microseconds; the sandbox's filter "
	       "has %zu instructions\n\n",
	    iterations, len);
	printf("%-36s %10s %9s %7s %9s\n", "", "median", "added", "ratio",
	    "seccomp");
	double base = bench_median(times[UNCONFINED], iterations);
	for (int s = 0; s < NSTEPS; s++) {
		double m = bench_median(times[s], iterations);

		printf("%-36s %10.1f", step_names[s], m);
		if (s != UNCONFINED)
			printf(" %+9.1f %7.3f", m - base, m / base);
		if (s == NNP_FILTER1 || s == NNP_FILTER)
			printf(" %9.1f", bench_median(attach[s], iterations));
		putchar('\n');
		free(times[s]);
		free(attach[s]);
	}
	munmap(stack, STACK_SIZE);
	free(sandbox_prog.filter);
	return 0;
}
