/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run_start.h - what cloudabi-run decides around the start itself: its
 * exit statuses for its own failures, one per kind (cloudabi-run(1), EXIT
 * STATUS), the checks of the program that come before anything is opened
 * (program_check.c), and the descriptor limit (nofile.c).
 */
#ifndef RUN_START_H
#define RUN_START_H

#include <stdbool.h>
#include <sys/resource.h>

#include <argdata.h>
#include <program.h>

/* sysexits(3)'s numbers where one fits, the shell's 126 and 127. */
#define RUN_EXIT_USAGE 64        /* the command line is wrong */
#define RUN_EXIT_CONFIG 65       /* the configuration is wrong */
#define RUN_EXIT_NOINPUT 66      /* it, or a resource it names, won't open */
#define RUN_EXIT_UNAVAILABLE 69  /* this kernel cannot confine */
#define RUN_EXIT_OSERR 71        /* out of memory, descriptors, /proc */
#define RUN_EXIT_IOERR 74        /* --dry-run's output cannot be written */
#define RUN_EXIT_CANNOT_EXEC 126 /* found, but it cannot start */
#define RUN_EXIT_NOT_FOUND 127   /* no such program */

/*
 * Checks that the program open at execfd (name as given) can start here:
 * a regular file this user may execute, an ELF program of this machine
 * (not a #! script) and, when libraries is true, one whose loader and
 * libraries can be found where the loader looks. Returns when it can, or
 * says why not in one line and exits with RUN_EXIT_CANNOT_EXEC.
 */
void run_check_program(const char *name, int execfd, bool libraries);

/*
 * Stores the descriptor limit in *saved and raises the soft limit to the
 * hard one, for the start: the exec keeps a copy of each descriptor it
 * displaces until the program runs, so it needs about twice the
 * configuration's descriptors.
 */
void run_raise_nofile(struct rlimit *saved);

/*
 * Refuses, in one line naming config_name, a start of a program with nfds
 * descriptors (the tree's, or a plain program's) that would run out of
 * descriptors under the current limit. The dry run and the start both
 * call it after loading the configuration, so that they agree.
 */
void run_check_nofile(const char *config_name, size_t nfds);

/*
 * Gives the program started with attr the limit saved, unless its nfds
 * descriptors would leave it fewer than 64 more (its loader still opens
 * its libraries): then 64 more than it holds, within the hard limit.
 */
void run_program_nofile(program_attr_t *attr, const struct rlimit *saved,
    size_t nfds);

#endif
