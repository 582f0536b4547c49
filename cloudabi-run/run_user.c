/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run_user.c - cloudabi-run's --user USER[:GROUP] and --allow GROUP,
 * resolved before anything is opened: the user database is read while the
 * launcher still sees the whole filesystem, and a mistake costs nothing.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run_start.h"
#include "run_user.h"
#include "sandbox.h"

/* A decimal id that fits and is not (id_t)-1, or -1. */
static long long
parse_id(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v >= (unsigned long long)UINT_MAX)
		return -1;
	return (long long)v;
}

/* The supplementary groups of name with primary group gid. */
static void
user_groups(const char *name, gid_t gid, struct run_user *u)
{
	int n = 16;

	for (;;) {
		gid_t *groups = reallocarray(NULL, (size_t)n, sizeof(gid_t));
		int want = n;

		if (groups == NULL)
			err(RUN_EXIT_OSERR, NULL);
		if (getgrouplist(name, gid, groups, &want) >= 0) {
			u->groups = groups;
			u->ngroups = (size_t)want;
			return;
		}
		free(groups);
		if (want <= n || want > NGROUPS_MAX)
			errx(RUN_EXIT_USAGE, "--user %s: too many groups",
			    name);
		n = want;
	}
}

/* Whether this process may switch users: CAP_SETUID and CAP_SETGID. */
static bool
may_switch(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	const uint32_t need = (1U << CAP_SETUID) | (1U << CAP_SETGID);

	if (syscall(SYS_capget, &h, d) != 0)
		return true; /* let the switch itself say */
	return (d[0].effective & need) == need;
}

void
run_user_resolve(const char *spec, const char *const *allow, size_t nallow,
    struct run_user *u)
{
	const struct passwd *pw = NULL;
	char *user, *group;
	long long id;

	*u = (struct run_user){.set = false};
	for (size_t i = 0; i < nallow; i++) {
		int bit = sandbox_allow_group(allow[i]);

		if (bit < 0)
			errx(RUN_EXIT_USAGE,
			    "--allow %s: unknown group (known: "
			    "sysv-ipc, mqueue, flock, inotify, xattr-read)",
			    allow[i]);
		u->allow |= (unsigned)bit;
	}
	if (spec == NULL)
		return;
	if ((user = strdup(spec)) == NULL)
		err(RUN_EXIT_OSERR, NULL);
	group = strchr(user, ':');
	if (group != NULL)
		*group++ = '\0';
	if ((id = parse_id(user)) >= 0)
		pw = getpwuid((uid_t)id);
	else if (user[0] != '\0')
		pw = getpwnam(user);
	if (pw == NULL && id < 0)
		errx(RUN_EXIT_USAGE, "--user %s: no such user", spec);
	u->uid = pw != NULL ? pw->pw_uid : (uid_t)id;
	if (group != NULL) {
		const struct group *gr;

		if ((id = parse_id(group)) >= 0)
			u->gid = (gid_t)id;
		else if (group[0] != '\0' && (gr = getgrnam(group)) != NULL)
			u->gid = gr->gr_gid;
		else
			errx(RUN_EXIT_USAGE, "--user %s: no such group", spec);
	} else if (pw != NULL) {
		u->gid = pw->pw_gid;
	} else {
		errx(RUN_EXIT_USAGE,
		    "--user %s: no such user; give its group as "
		    "%s:GROUP",
		    spec, user);
	}
	if (pw != NULL)
		user_groups(pw->pw_name, u->gid, u);
	if (!may_switch())
		errx(RUN_EXIT_USAGE,
		    "--user %s: switching users needs CAP_SETUID and "
		    "CAP_SETGID (run as root)",
		    spec);
	u->set = true;
	free(user);
}

int
run_user_apply(const struct run_user *u, program_attr_t *attr)
{
	int error = 0;

	if (u->set)
		error = program_attr_setuser(attr, u->uid, u->gid, u->groups,
		    u->ngroups);
	for (size_t i = 0; error == 0 && i < SANDBOX_ALLOW_NGROUPS; i++)
		if (u->allow & (1U << i))
			error =
			    program_attr_allow(attr, sandbox_allow_names[i]);
	return error;
}

void
run_user_describe(const struct run_user *u, FILE *f)
{
	if (!u->set)
		return;
	fprintf(f, "user: uid %u, gid %u, groups", (unsigned)u->uid,
	    (unsigned)u->gid);
	for (size_t i = 0; i < u->ngroups; i++)
		fprintf(f, "%s%u", i == 0 ? " " : ",", (unsigned)u->groups[i]);
	fputs(u->ngroups == 0 ? " none\n" : "\n", f);
}

void
run_user_release(struct run_user *u)
{
	free(u->groups);
	u->groups = NULL;
}
