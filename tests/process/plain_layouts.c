/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The property test of the plain layout: random layouts of a few distinct
 * files at random descriptor numbers (0, 1 and 2 among them, so that the
 * sources of standard input, output and error often sit in each other's
 * slots), random standard descriptors (a file or /dev/null), random named
 * descriptors (repeats included), random arguments naming files, and
 * stray descriptors without close-on-exec. A forked child builds each
 * layout and starts fdreport-plain with program_exec_attr() or
 * program_spawn(); the report must show exactly 0..2, the named ones from
 * 3, then the arguments' own, each the right file, the arguments with the
 * right numbers, and LISTEN_* for the names. SEED replays a run, LAYOUTS
 * sets how many (300).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <program.h>

#include "plain_report.h"
#include "testutil.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define NFILES 4 /* files; the report pipe is one more */
#define MAXNAMED 4
#define MAXARGS 3

static int plain_fd = -1;
static uint64_t rng_state;

static uint32_t
rnd(uint32_t bound)
{
	/* xorshift64*, reproducible from SEED. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % bound;
}

/*
 * One layout. File NFILES is the report pipe's writing end. Each file sits
 * at target[i] in the child; the options name files by index, -1 for
 * /dev/null.
 */
struct layout {
	int target[NFILES + 1];
	int stdio[3];
	int named[MAXNAMED];
	size_t nnamed;
	int arg[MAXARGS]; /* argument 0 is --report-fd= with the pipe */
	size_t nargs;
	bool spawn;
};

static void
layout_make(struct layout *l)
{
	static const int numbers[] = {0, 1, 2, 3, 4, 5, 6, 7, 50, 300};
	bool used[sizeof(numbers) / sizeof(numbers[0])] = {false};

	memset(l, 0, sizeof(*l));
	for (int i = 0; i <= NFILES; i++) {
		uint32_t k;

		do
			k = rnd(sizeof(numbers) / sizeof(numbers[0]));
		while (used[k]);
		used[k] = true;
		l->target[i] = numbers[k];
	}
	for (int i = 0; i < 3; i++)
		l->stdio[i] = rnd(3) == 0 ? -1 : (int)rnd(NFILES);
	l->nnamed = rnd(MAXNAMED + 1);
	for (size_t i = 0; i < l->nnamed; i++)
		l->named[i] = (int)rnd(NFILES);
	l->arg[0] = NFILES;
	l->nargs = 1 + rnd(MAXARGS);
	for (size_t i = 1; i < l->nargs; i++)
		l->arg[i] = (int)rnd(NFILES);
	l->spawn = rnd(2) == 0;
}

/*
 * The child: moves file i (open here at src[i]) to target[i], adds stray
 * descriptors without close-on-exec, and starts fdreport-plain. Reports
 * trouble only through its exit status.
 */
static void
child(const struct layout *l, const int *src)
{
	static const char *const names[] = {"a", "b", "c", "d"};
	program_attr_t *attr = program_attr_create();
	int tmp[NFILES + 1], stdio[3], pidfd, error = 0;
	char arg[32];

	if (attr == NULL)
		_exit(90);
	/* Out of the way first, then into place: cycles need no care. */
	for (int i = 0; i <= NFILES; i++)
		if ((tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 1000)) < 0)
			_exit(91);
	for (int i = 0; i <= NFILES; i++)
		if (dup2(tmp[i], l->target[i]) < 0)
			_exit(92);
	for (int i = 0; i <= NFILES; i++)
		close(tmp[i]);
	/* Strays: they must not reach the program. */
	if (dup2(l->target[0], 40) < 0 || dup2(l->target[1], 400) < 0)
		_exit(93);
	for (int i = 0; i < 3; i++)
		stdio[i] = l->stdio[i] < 0 ? -1 : l->target[l->stdio[i]];
	error = program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN);
	if (error == 0)
		error =
		    program_attr_setstdio(attr, stdio[0], stdio[1], stdio[2]);
	for (size_t i = 0; error == 0 && i < l->nnamed; i++)
		error =
		    program_attr_addfd(attr, names[i], l->target[l->named[i]]);
	for (size_t i = 0; error == 0 && i < l->nargs; i++) {
		snprintf(arg, sizeof(arg),
		    i == 0 ? "--report-fd=" : "--f%zu=", i);
		error = program_attr_addarg_fd(attr, arg, l->target[l->arg[i]],
		    NULL);
	}
	if (error != 0)
		_exit(94);
	if (!l->spawn)
		_exit(100 + program_exec_attr(plain_fd, NULL, attr));
	error = program_spawn(plain_fd, NULL, attr, &pidfd);
	if (error != 0)
		_exit(100 + error);
	/* The report pipe must close with the program alone. */
	close(l->target[NFILES]);
	{
		siginfo_t info;

		memset(&info, 0, sizeof(info));
		if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) != 0)
			_exit(95);
		_exit(info.si_code == CLD_EXITED ? info.si_status : 96);
	}
}

/* The program's number for file f: its lowest slot. */
static int
slot_of(const int *slot, size_t nslots, int f)
{
	for (size_t i = 0; i < nslots; i++)
		if (slot[i] == f)
			return (int)i;
	return -1;
}

static void
check_one(const struct layout *l, const int *src)
{
	static const char *const names[] = {"a", "b", "c", "d"};
	int slot[3 + MAXNAMED + MAXARGS], p[2], status;
	size_t nslots = 0;
	struct report r;
	char want[64], fdnames[64] = "";
	pid_t pid;

	/* What the program must hold: files by index, -1 for /dev/null. */
	for (int i = 0; i < 3; i++)
		slot[nslots++] = l->stdio[i];
	for (size_t i = 0; i < l->nnamed; i++)
		slot[nslots++] = l->named[i];
	for (size_t i = 0; i < l->nargs; i++)
		if (slot_of(slot, nslots, l->arg[i]) < 0)
			slot[nslots++] = l->arg[i];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int all[NFILES + 1];

		memcpy(all, src, NFILES * sizeof(int));
		all[NFILES] = p[1];
		close(p[0]);
		child(l, all);
	}
	close(p[1]);
	plain_report_read(p[0], &r);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !r.complete)
		fail_msg("status %d, report %s", status,
		    r.complete ? "complete" : "incomplete");

	assert_int_equal(r.nfds, nslots);
	for (size_t i = 0; i < nslots; i++) {
		if (slot[i] < 0)
			assert_fd_is_devnull(&r, i);
		else if (slot[i] == NFILES)
			assert_fd_is(&r, i, p[0]); /* one inode */
		else
			assert_fd_is(&r, i, src[slot[i]]);
	}
	assert_int_equal(r.nargs, l->nargs);
	for (size_t i = 0; i < l->nargs; i++) {
		if (i == 0)
			snprintf(want, sizeof(want), "--report-fd=%d",
			    slot_of(slot, nslots, l->arg[i]));
		else
			snprintf(want, sizeof(want), "--f%zu=%d", i,
			    slot_of(slot, nslots, l->arg[i]));
		assert_string_equal(r.args[i], want);
	}
	close(p[0]);
	if (l->nnamed == 0) {
		assert_int_equal(r.nenv, 0);
		return;
	}
	for (size_t i = 0; i < l->nnamed; i++)
		snprintf(fdnames + strlen(fdnames),
		    sizeof(fdnames) - strlen(fdnames), "%s%s", i > 0 ? ":" : "",
		    names[i]);
	{
		char fds[32], namesvar[96], pidvar[48];

		snprintf(fds, sizeof(fds), "LISTEN_FDS=%zu", l->nnamed);
		snprintf(namesvar, sizeof(namesvar), "LISTEN_FDNAMES=%s",
		    fdnames);
		snprintf(pidvar, sizeof(pidvar), "LISTEN_PID=%ld", r.pid);
		assert_env(&r, 3, fds, namesvar, pidvar);
	}
}

static void
test_program_exec_attr__random_plain_layouts(void **state)
{
	const char *n = getenv("LAYOUTS");
	long layouts = n != NULL ? atol(n) : 300;
	int src[NFILES];

	(void)state;
	for (int i = 0; i < NFILES; i++) {
		src[i] = memfd_create("file", MFD_CLOEXEC);
		assert_true(src[i] >= 0);
	}
	for (long k = 0; k < layouts; k++) {
		struct layout l;

		layout_make(&l);
		check_one(&l, src);
	}
	for (int i = 0; i < NFILES; i++)
		close(src[i]);
}

/* The group, which main.c runs. */
int run_plain_layouts_tests(void);

int
run_plain_layouts_tests(void)
{
	const char *plain = getenv("FDREPORT_PLAIN");
	const char *seed = getenv("SEED");
	int fd;
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_program_exec_attr__random_plain_layouts),
	};

	/* Above every number a layout uses. */
	if (plain == NULL || (fd = open(plain, O_PATH | O_CLOEXEC)) < 0 ||
	    (plain_fd = fcntl(fd, F_DUPFD_CLOEXEC, 2000)) < 0)
		return 1;
	close(fd);
	rng_state = seed != NULL ? strtoull(seed, NULL, 0)
	                         : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	if (rng_state == 0)
		rng_state = 1;
	fprintf(stderr, "# SEED=%" PRIu64 "\n", rng_state);
	return cmocka_run_group_tests_name("plain-layouts", tests, NULL, NULL);
}
