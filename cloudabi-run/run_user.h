/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run_user.h - cloudabi-run's --user and --allow: the user the program
 * runs as, resolved from names or numbers before anything is opened, and
 * the widening groups of the sandbox's filter.
 */
#ifndef CLOUDABI_RUN_USER_H
#define CLOUDABI_RUN_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <program.h>

struct run_user {
	bool set;
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups */
	size_t ngroups;
	unsigned allow; /* the filter's widening groups, a mask */
};

/*
 * Resolves spec, USER[:GROUP] (names or numbers; NULL: no switch), and the
 * --allow names allow[0..nallow-1] into u. A user name brings its
 * supplementary groups from the group database, as login does; a number
 * without an entry there needs :GROUP and gets no supplementary groups.
 * On error prints one line and exits, nothing opened yet: with
 * RUN_EXIT_USAGE for an unknown user, group or widening group, or for a
 * switch this process has no privilege to make; RUN_EXIT_OSERR without
 * memory.
 */
void run_user_resolve(const char *spec, const char *const *allow, size_t nallow,
    struct run_user *u);

/* Sets u on attr (program_attr_setuser, program_attr_allow). */
int run_user_apply(const struct run_user *u, program_attr_t *attr);

/* The dry run's line on the user, for a start without the sandbox. */
void run_user_describe(const struct run_user *u, FILE *f);

void run_user_release(struct run_user *u);

#endif
