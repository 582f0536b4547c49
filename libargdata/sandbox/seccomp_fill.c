/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seccomp_fill.c - what every start does with the compiled seccomp filter,
 * whichever way it was compiled (seccomp.c at run time, seccomp_bpf.c from
 * the build): the names of the widening groups, and filling in a copy of
 * the program for one start (the groups it widens, the child's own pid).
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "sandbox.h"

const char *const sandbox_allow_names[SANDBOX_ALLOW_NGROUPS] = {
    "sysv-ipc",
    "mqueue",
    "flock",
    "inotify",
    "xattr-read",
};

int
sandbox_allow_group(const char *name)
{
	for (size_t i = 0; i < SANDBOX_ALLOW_NGROUPS; i++)
		if (strcmp(name, sandbox_allow_names[i]) == 0)
			return (int)(1U << i);
	return -1;
}

void
sandbox_seccomp_widen(const struct sandbox_filter *f, struct sock_filter *copy,
    unsigned groups)
{
	for (size_t i = 0; i < f->nwiden; i++) {
		const struct sandbox_widen_slot *w = &f->widen[i];

		copy[w->insn].k = (groups >> w->group) & 1
		    ? SECCOMP_RET_ALLOW
		    : SECCOMP_RET_ERRNO | w->error;
	}
}

void
sandbox_seccomp_patch(const struct sandbox_filter *f, struct sock_filter *copy,
    pid_t pid)
{
	for (size_t i = 0; i < f->npid; i++)
		copy[f->pid_slots[i]].k = (uint32_t)pid;
}
