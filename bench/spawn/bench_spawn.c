/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_spawn - what starting a program through libargdata costs against
 * the plain system interfaces, measured in the same run:
 *
 *   program_spawn of a small static program with three descriptors,
 *   against posix_spawn with the equivalent dup2 file actions;
 *   fork and proc_exec in the child, against fork, dup2 and execve;
 *   program_spawn confined by the sandbox, against program_spawn, of the
 *   static program and, when EXIT0-dynamic exists beside it, of the same
 *   program linked dynamically (whose loader and libraries the sandbox
 *   resolves and grants on every start).
 *
 * Each time is from the start of the call to the child's exit collected,
 * the two sides of a pair alternating so that drift hits both alike. The
 * table shows medians in microseconds and the ratio of each pair.
 *
 * Usage: bench_spawn EXIT0 [ITERATIONS]   (default 1000)
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

#include "stats.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

static const char *exit0_path;
static int exit0_fd;
static int dynamic_fd = -1;
static program_attr_t *sandboxed;
static int fds[3];
static const argdata_t *tree;

/* err(3) with an errno value passed in, as the library returns them. */
static void
fail(int error, const char *what)
{
	errno = error;
	err(1, "%s", what);
}

static void
run_program_spawn(void)
{
	siginfo_t info;
	int pidfd, error;

	error = program_spawn(exit0_fd, tree, NULL, &pidfd);
	if (error != 0)
		fail(error, "program_spawn");
	if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) != 0)
		err(1, "waitid");
	close(pidfd);
}

static void
spawn_wait(int execfd, const program_attr_t *attr)
{
	siginfo_t info;
	int pidfd, error;

	error = program_spawn(execfd, tree, attr, &pidfd);
	if (error != 0)
		fail(error, "program_spawn");
	if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) != 0)
		err(1, "waitid");
	if (info.si_code != CLD_EXITED || info.si_status != 0)
		errx(1, "the program did not exit with 0");
	close(pidfd);
}

static void
run_program_spawn_sandboxed(void)
{
	spawn_wait(exit0_fd, sandboxed);
}

static void
run_dynamic(void)
{
	spawn_wait(dynamic_fd, NULL);
}

static void
run_dynamic_sandboxed(void)
{
	spawn_wait(dynamic_fd, sandboxed);
}

static void
run_posix_spawn(void)
{
	static char *argv[] = {"exit0", NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int error;

	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < 3; i++)
		posix_spawn_file_actions_adddup2(&fa, fds[i], i);
	error = posix_spawn(&pid, exit0_path, &fa, NULL, argv, environ);
	if (error != 0)
		fail(error, "posix_spawn");
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, NULL, 0) != pid)
		err(1, "waitpid");
}

static void
run_fork_proc_exec(void)
{
	pid_t pid = fork();

	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		program_exec(exit0_fd, tree);
		_exit(127);
	}
	if (waitpid(pid, NULL, 0) != pid)
		err(1, "waitpid");
}

static void
run_fork_execve(void)
{
	static char *argv[] = {"exit0", NULL};
	pid_t pid = fork();

	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			dup2(fds[i], i);
		execve(exit0_path, argv, environ);
		_exit(127);
	}
	if (waitpid(pid, NULL, 0) != pid)
		err(1, "waitpid");
}

struct pair {
	const char *name_ref, *name_ours;
	void (*ref)(void), (*ours)(void);
};

static void
measure(const struct pair *p, size_t iterations)
{
	double *ref = malloc(iterations * sizeof(double));
	double *ours = malloc(iterations * sizeof(double));
	double mref, mours;

	if (ref == NULL || ours == NULL)
		err(1, "malloc");
	/* A few rounds first, so that caches and page tables are warm. */
	for (size_t i = 0; i < 20; i++) {
		p->ref();
		p->ours();
	}
	for (size_t i = 0; i < iterations; i++) {
		double t0 = bench_wall_us();

		p->ref();
		double t1 = bench_wall_us();

		p->ours();
		double t2 = bench_wall_us();

		ref[i] = t1 - t0;
		ours[i] = t2 - t1;
	}
	mref = bench_median(ref, iterations);
	mours = bench_median(ours, iterations);
	printf("%-34s %10.1f\n", p->name_ref, mref);
	printf("%-34s %10.1f %8.3f %+9.1f\n", p->name_ours, mours, mours / mref,
	    mours - mref);
	free(ref);
	free(ours);
}

int
main(int argc, char **argv)
{
	static const struct pair pairs[] = {
	    {"posix_spawn, 3 dup2 actions", "program_spawn, 3 descriptors",
	        run_posix_spawn, run_program_spawn},
	    {"fork, 3 dup2, execve", "fork, program_exec, 3 descriptors",
	        run_fork_execve, run_fork_proc_exec},
	    {"program_spawn, 3 descriptors", "program_spawn, sandboxed",
	        run_program_spawn, run_program_spawn_sandboxed},
	};
	static const struct pair dynamic_pair = {"program_spawn, dynamic",
	    "program_spawn, dynamic, sandboxed", run_dynamic,
	    run_dynamic_sandboxed};
	char *dynamic_path;
	argdata_t *elems[3], *seq;
	size_t iterations = 1000;

	if (argc < 2 || argc > 3)
		errx(2, "usage: bench_spawn EXIT0 [ITERATIONS]");
	exit0_path = argv[1];
	if (argc == 3)
		iterations = strtoul(argv[2], NULL, 10);
	if (iterations == 0)
		errx(2, "ITERATIONS must be at least 1");
	exit0_fd = open(exit0_path, O_PATH | O_CLOEXEC);
	if (exit0_fd < 0)
		err(1, "%s", exit0_path);
	if (asprintf(&dynamic_path, "%s-dynamic", exit0_path) < 0)
		err(1, "asprintf");
	dynamic_fd = open(dynamic_path, O_PATH | O_CLOEXEC);
	free(dynamic_path);
	sandboxed = program_attr_create();
	if (sandboxed == NULL)
		err(1, "program_attr_create");
	if ((errno = program_attr_setsandbox(sandboxed, PROGRAM_SANDBOX)) != 0)
		err(1, "program_attr_setsandbox");
	for (int i = 0; i < 3; i++) {
		fds[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fds[i] < 0)
			err(1, "/dev/null");
		elems[i] = argdata_create_fd(fds[i]);
	}
	seq = argdata_create_seq((const argdata_t *const *)elems, 3);
	if (seq == NULL)
		err(1, "argdata_create_seq");
	tree = seq;

	printf("%zu runs each, medians in microseconds\n\n", iterations);
	printf("%-34s %10s %8s %9s\n", "", "median", "ratio", "overhead");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		measure(&pairs[i], iterations);
	if (dynamic_fd >= 0)
		measure(&dynamic_pair, iterations);
	program_attr_free(sandboxed);
	return 0;
}
