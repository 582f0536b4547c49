/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * program_attr_user.c - the user a program runs as and the widening groups
 * of its filter, as options of program_attr_t; and the user switch on its
 * own, for a start without the sandbox.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "process.h"
#include "sandbox.h"

int
program_attr_setuser(program_attr_t *attr, uid_t uid, gid_t gid,
    const gid_t *groups, size_t ngroups)
{
	gid_t *copy;

	/* -1 means "unchanged" to setresuid(): never a user to become. */
	if (attr == NULL || uid == (uid_t)-1 || gid == (gid_t)-1 ||
	    ngroups > NGROUPS_MAX || (ngroups > 0 && groups == NULL))
		return EINVAL;
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == (gid_t)-1)
			return EINVAL;
	copy = calloc(ngroups > 0 ? ngroups : 1, sizeof(*copy));
	if (copy == NULL)
		return ENOMEM;
	if (ngroups > 0)
		memcpy(copy, groups, ngroups * sizeof(*copy));
	free(attr->groups);
	attr->groups = copy;
	attr->ngroups = ngroups;
	attr->uid = uid;
	attr->gid = gid;
	attr->has_user = true;
	return 0;
}

int
program_attr_allow(program_attr_t *attr, const char *group)
{
	int bit;

	if (attr == NULL || group == NULL ||
	    (bit = sandbox_allow_group(group)) < 0)
		return EINVAL;
	attr->allow |= (unsigned)bit;
	return 0;
}

void
ad_attr_free_user(program_attr_t *attr)
{
	free(attr->groups);
}

/*
 * The confinement hook without the sandbox: only the user switch. The
 * kernel clears the capabilities of a process whose user ids all leave 0;
 * the bounding set stays, as unconfined means.
 */
AD_CHILD_CODE static int
switch_user(const void *arg)
{
	const program_attr_t *attr = arg;
	struct sandbox_user user = {.uid = attr->uid,
	    .gid = attr->gid,
	    .groups = attr->groups,
	    .ngroups = attr->ngroups};

	return sandbox_switch_user(&user);
}

void
ad_user_prepare(const program_attr_t *attr, struct ad_exec_plan *plan)
{
	if (!attr->has_user)
		return;
	plan->confine = switch_user;
	plan->confine_arg = attr;
}
