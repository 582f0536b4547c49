/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_attr.c - the sandbox as options of program_attr_t: whether a
 * start is confined and which directories the program may change, and the
 * step that builds the sandbox from the tree's descriptors for exec.c and
 * spawn.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "process.h"
#include "sandbox.h"

int
program_attr_setsandbox(program_attr_t *attr, int flags)
{
	if (attr == NULL || (flags & ~PROGRAM_SANDBOX) != 0)
		return EINVAL;
	attr->sandbox = flags;
	return 0;
}

int
program_attr_addwritable(program_attr_t *attr, int fd)
{
	int *writable;

	if (attr == NULL)
		return EINVAL;
	if (fd < 0)
		return EBADF;
	for (size_t i = 0; i < attr->nwritable; i++)
		if (attr->writable[i] == fd)
			return 0;
	writable = reallocarray(attr->writable, attr->nwritable + 1,
	    sizeof(*writable));
	if (writable == NULL)
		return ENOMEM;
	writable[attr->nwritable++] = fd;
	attr->writable = writable;
	return 0;
}

void
ad_attr_free_sandbox(program_attr_t *attr)
{
	free(attr->writable);
	free(attr->grants);
}

/* The confinement hook: everything was prepared by sandbox_create(). */
static int
confine(const void *arg)
{
	return sandbox_apply(arg);
}

int
ad_sandbox_prepare(const program_attr_t *attr, struct ad_exec_plan *plan,
    const int *fds, size_t nfds, struct sandbox **sbp)
{
	struct sandbox *sb;
	int error;

	*sbp = NULL;
	if (attr == NULL)
		return 0;
	if ((attr->sandbox & PROGRAM_SANDBOX) == 0) {
		ad_user_prepare(attr, plan);
		return 0;
	}
	struct sandbox_user user = {.uid = attr->uid,
	    .gid = attr->gid,
	    .groups = attr->groups,
	    .ngroups = attr->ngroups};
	struct sandbox_spec spec = {.fds = fds,
	    .nfds = nfds,
	    .writable = attr->writable,
	    .nwritable = attr->nwritable,
	    .user = attr->has_user ? &user : NULL,
	    .allow = attr->allow,
	    .grants = attr->grants,
	    .ngrants = attr->ngrants};
	error = sandbox_create(plan->execfd, &spec, &sb);
	if (error != 0)
		return error;
	plan->confine = confine;
	plan->confine_arg = sb;
	*sbp = sb;
	return 0;
}
