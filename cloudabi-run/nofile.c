/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nofile.c - cloudabi-run's descriptor limit: raised for the start, whose
 * shuffle keeps a copy of every descriptor it displaces, checked the same
 * way by the dry run and the start, and handed back to the program.
 */
#define _GNU_SOURCE
#include <sys/resource.h>

#include <dirent.h>
#include <err.h>
#include <stdint.h>

#include "process.h"
#include "run_start.h"

/* Descriptors a program may open beyond those it is given. */
#define NOFILE_SPARE 64

/*
 * Descriptors the start may open at once besides the copies: the memfd,
 * /proc/self/fd while the shuffle lists it, the sandbox's ruleset and the
 * files its resolver has open, with room to spare.
 */
#define NOFILE_START_EXTRA 8

void
run_raise_nofile(struct rlimit *saved)
{
	struct rlimit raised;

	if (getrlimit(RLIMIT_NOFILE, saved) != 0)
		err(RUN_EXIT_OSERR, "RLIMIT_NOFILE");
	raised = *saved;
	raised.rlim_cur = raised.rlim_max;
	/* A hard limit above what the kernel allows keeps the soft one. */
	(void)setrlimit(RLIMIT_NOFILE, &raised);
}

/*
 * The lowest descriptor limit under which the exec of a program with nfds
 * descriptors fits, from now: they and the memfd (or /dev/null) fill slots
 * 0..nfds, and each descriptor open now is either above them or copied
 * above them, so new descriptors are numbered up to nfds + 1 + (those
 * open now) + the extra.
 */
static rlim_t
start_needs(size_t nfds)
{
	size_t open = 0;
	struct dirent *e;
	DIR *d;

	if ((d = opendir("/proc/self/fd")) == NULL)
		err(RUN_EXIT_OSERR, "/proc/self/fd");
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			open++;
	closedir(d);
	/* The directory's own descriptor was counted. */
	return (rlim_t)nfds + 1 + (open - 1) + NOFILE_START_EXTRA;
}

void
run_check_nofile(const char *config_name, size_t nfds)
{
	rlim_t need = start_needs(nfds);
	struct rlimit now;

	if (getrlimit(RLIMIT_NOFILE, &now) != 0)
		err(RUN_EXIT_OSERR, "RLIMIT_NOFILE");
	if (now.rlim_cur != RLIM_INFINITY && need > now.rlim_cur)
		errx(RUN_EXIT_OSERR,
		    "%s: too many descriptors for the limit of %ju: the start "
		    "needs %ju (ulimit -Hn)",
		    config_name, (uintmax_t)now.rlim_cur, (uintmax_t)need);
}

void
run_program_nofile(program_attr_t *attr, const struct rlimit *saved,
    size_t nfds)
{
	struct rlimit rl = *saved;

	if (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)nfds + NOFILE_SPARE) {
		rl.rlim_cur = (rlim_t)nfds + NOFILE_SPARE;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
	}
	ad_attr_setnofile(attr, &rl);
}
