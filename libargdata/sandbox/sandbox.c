/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox.c - a program's rights are the descriptors it was given: a
 * Landlock ruleset (landlock.c) anchored on those descriptors, on grants
 * and on the files its loader needs, the seccomp filter (seccomp.c), the user to become, and
 * the async-signal-safe steps that apply them just before the exec, with
 * those of privileges.c (session, capabilities, user).
 *
 * Why one long file: the ruleset, the rules derived from descriptors and
 * grants, and the description --dry-run prints are one structure (struct
 * sandbox) built and read in one place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "grow.h"
#include "landlock.h"
#include "sandbox.h"

static const char *const role_names[] = {
    [SANDBOX_DIR_READ] = "directory",
    [SANDBOX_DIR_WRITE] = "writable directory",
    [SANDBOX_PROGRAM] = "program",
    [SANDBOX_LOADER] = "loader",
    [SANDBOX_LIBRARY] = "library",
    [SANDBOX_LDCACHE] = "loader cache",
    [SANDBOX_GRANT_READ] = "granted read",
    [SANDBOX_GRANT_WRITE] = "granted write",
    [SANDBOX_GRANT_EXEC] = "granted exec",
};

/*
 * A rule as the description shows it: by path, or by the caller's
 * descriptor, whose path is only looked up when described.
 */
struct rule {
	enum sandbox_role role;
	uint64_t access;
	char *path;
	int fd;
};

struct sandbox {
	int abi;
	int ruleset;
	/* What the resolver found, while sandbox_create() runs. */
	struct sandbox_file *found;
	size_t nfound, foundcap;
	struct ll_ruleset_attr handled;
	/* The filter, and the copy the child patches with its pid. */
	const struct sandbox_filter *filter;
	struct sock_fprog fprog;
	unsigned allow;
	/* The user to switch to, with a copy of its groups. */
	bool switch_user;
	struct sandbox_user user;
	gid_t *groups;
	struct rule *rules;
	size_t nrules, cap;
};

const char *
sandbox_missing(int abi, int landlock_error, bool seccomp)
{
	if (!SANDBOX_MACHINE)
		return "an x86-64 or arm64 machine";
	if (abi <= 0)
		return landlock_error == EOPNOTSUPP
		    ? "Landlock (disabled at boot: add landlock to lsm=)"
		    : "Landlock (Linux 5.13 or later)";
	if (abi < 4)
		return "Landlock ABI 4 (TCP bind and connect rules, "
		       "Linux 6.7 or later)";
	if (abi < SANDBOX_LANDLOCK_ABI_MIN)
		return "Landlock ABI 6 (scoping of signals and abstract unix "
		       "sockets, Linux 6.12 or later)";
	if (!seccomp)
		return "seccomp filters";
	return NULL;
}

const char *
sandbox_unsupported(int *abip)
{
	uint32_t action = SECCOMP_RET_ERRNO;
	int landlock_error = 0;
	bool seccomp;
	long abi;

	abi = landlock_abi();
	if (abi < 0) {
		landlock_error = errno;
		abi = 0;
	}
	if (abip != NULL)
		*abip = (int)abi;
	seccomp =
	    syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
	return sandbox_missing((int)abi, landlock_error, seccomp);
}

/* Remembers a rule for the description; path may be NULL. */
static int
record(struct sandbox *sb, enum sandbox_role role, uint64_t access,
    const char *path, int fd)
{
	struct rule *r;

	if (ad_grow(&sb->rules, &sb->cap, sb->nrules, 1, sizeof(*r), NULL) != 0)
		return ENOMEM;
	r = &sb->rules[sb->nrules];
	r->role = role;
	r->access = access;
	r->path = NULL;
	r->fd = fd;
	if (path != NULL && (r->path = strdup(path)) == NULL)
		return ENOMEM;
	sb->nrules++;
	return 0;
}

/* Where the descriptor leads, for the description only. */
static char *
describe_fd(int fd)
{
	char link[64], buf[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		snprintf(buf, sizeof(buf), "descriptor %d", fd);
	else
		buf[n] = '\0';
	return strdup(buf);
}

/* Adds a rule anchored on fd, whatever path it was opened by. */
static int
add_rule(struct sandbox *sb, int fd, uint64_t access, enum sandbox_role role,
    const char *path)
{
	uint64_t allowed = access & sb->handled.handled_access_fs;
	int error = landlock_allow_beneath(sb->ruleset, fd, allowed);

	if (error != 0)
		return error;
	return record(sb, role, allowed, path, fd);
}

/* A file the loader needs, as the cache hands it over. */
static int
add_elf_file(void *ctx, int fd, const char *path, enum sandbox_role role)
{
	return add_rule(ctx, fd,
	    role == SANDBOX_LOADER ? ACCESS_EXEC : ACCESS_READ, role, path);
}

/* The same, from the resolver: also noted down for the cache. */
static int
add_found_file(void *ctx, int fd, const char *path, enum sandbox_role role)
{
	struct sandbox *sb = ctx;
	struct sandbox_file *f;
	struct stat st;
	int error;

	if ((error = add_elf_file(ctx, fd, path, role)) != 0)
		return error;
	if (fstat(fd, &st) != 0)
		return errno;
	if (ad_grow(&sb->found, &sb->foundcap, sb->nfound, 1, sizeof(*f),
	        NULL) != 0)
		return ENOMEM;
	f = &sb->found[sb->nfound];
	sandbox_file_set(f, &st);
	f->role = role;
	if ((f->path = strdup(path)) == NULL)
		return ENOMEM;
	sb->nfound++;
	return 0;
}

/* Forgets what the resolver found. */
static void
forget_found(struct sandbox *sb)
{
	for (size_t i = 0; i < sb->nfound; i++)
		free(sb->found[i].path);
	free(sb->found);
	sb->found = NULL;
	sb->nfound = sb->foundcap = 0;
}

/*
 * The loader and libraries of the program open at fd (st its fstat), as
 * found the last time, or afresh; this also checks that the program is an
 * ELF file of this machine (ENOEXEC otherwise).
 */
static int
add_elf_deps(struct sandbox *sb, int fd, const struct stat *st)
{
	struct sandbox_elf_deps deps = {.probes = 0};
	int error;

	error = sandbox_cache_apply(st, fd, add_elf_file, sb);
	if (error != ENOENT)
		return error;
	error = sandbox_elf_resolve(fd, add_found_file, sb, &deps);
	if (error == 0)
		sandbox_cache_store(st, &deps, sb->found, sb->nfound);
	sandbox_elf_deps_clear(&deps);
	forget_found(sb);
	return error;
}

#define GRANT_ALL                                                              \
	(SANDBOX_GRANT_READ_BIT | SANDBOX_GRANT_WRITE_BIT |                    \
	    SANDBOX_GRANT_EXEC_BIT)

/*
 * The Landlock rights of a grant. A rule on a file may only hold rights
 * that apply to files: a directory's rights would make it EINVAL.
 */
static uint64_t
grant_access(int rights, bool dir)
{
	uint64_t access = 0;

	if (rights & SANDBOX_GRANT_READ_BIT)
		access |= dir ? ACCESS_DIR_READ : LL_FS_READ_FILE;
	if (rights & SANDBOX_GRANT_WRITE_BIT)
		access |= dir
		    ? ACCESS_DIR_WRITE
		    : LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE;
	if (rights & SANDBOX_GRANT_EXEC_BIT)
		access |= dir ? ACCESS_DIR_READ | LL_FS_EXECUTE : ACCESS_EXEC;
	return access;
}

/*
 * The rules of the grants, st[i] being the fstat of grants[i]. An
 * executable ELF file also gets its loader and libraries; any other
 * executable file (a #! script, another machine's program) only its own
 * rule, as the exec will say what is wrong.
 */
static int
add_grants(struct sandbox *sb, const struct sandbox_grant *grants,
    size_t ngrants, const struct stat *st)
{
	for (size_t i = 0; i < ngrants; i++) {
		int rights = grants[i].rights, error;
		bool dir = S_ISDIR(st[i].st_mode);
		enum sandbox_role role = SANDBOX_GRANT_READ;

		if (rights & SANDBOX_GRANT_WRITE_BIT)
			role = SANDBOX_GRANT_WRITE;
		if (rights & SANDBOX_GRANT_EXEC_BIT)
			role = SANDBOX_GRANT_EXEC;
		error = add_rule(sb, grants[i].fd, grant_access(rights, dir),
		    role, NULL);
		if (error == 0 && !dir && (rights & SANDBOX_GRANT_EXEC_BIT))
			error = add_elf_deps(sb, grants[i].fd, &st[i]);
		if (error != 0 && error != ENOEXEC)
			return error;
	}
	return 0;
}

/*
 * Checks the grants and takes their fstat into st (ngrants entries):
 * EINVAL for rights none or unknown, EBADF for a closed descriptor,
 * EACCES for a grant Landlock cannot anchor or the exec could not use: a
 * socket or block device, or execution of anything but a file or a
 * directory. Character devices (/dev/urandom) and FIFOs may be read and
 * written by path.
 */
static int
check_grants(const struct sandbox_grant *grants, size_t ngrants,
    struct stat *st)
{
	for (size_t i = 0; i < ngrants; i++) {
		mode_t type;
		bool usable;

		if (grants[i].rights == 0 || (grants[i].rights & ~GRANT_ALL))
			return EINVAL;
		if (fstat(grants[i].fd, &st[i]) != 0)
			return errno;
		type = st[i].st_mode & S_IFMT;
		usable = type == S_IFREG || type == S_IFDIR ||
		    type == S_IFCHR || type == S_IFIFO;
		if (!usable ||
		    ((grants[i].rights & SANDBOX_GRANT_EXEC_BIT) &&
		        type != S_IFREG && type != S_IFDIR))
			return EACCES;
	}
	return 0;
}

static bool
contains(const int *list, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == fd)
			return true;
	return false;
}

int
sandbox_create(int execfd, const struct sandbox_spec *spec,
    struct sandbox **out)
{
	const int *fds = spec->fds, *writable = spec->writable;
	size_t nfds = spec->nfds, nwritable = spec->nwritable;
	const struct sandbox_filter *filter;
	struct sandbox *sb = NULL;
	struct stat st, program, *grantst = NULL;
	bool *isdir;
	int abi, error;

	if (sandbox_unsupported(&abi) != NULL)
		return ENOTSUP;
	if (fstat(execfd, &program) != 0)
		return errno;
	if (!S_ISREG(program.st_mode))
		return EACCES;
	/* What the exec would say first, before what the sandbox says:
	 * a file nobody may execute is EACCES, not ENOEXEC. */
	if (faccessat(execfd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0)
		return errno;
	for (size_t i = 0; i < nwritable; i++)
		if (!contains(fds, nfds, writable[i]))
			return EINVAL;
	if (spec->allow >= 1U << SANDBOX_ALLOW_NGROUPS)
		return EINVAL;
	if ((error = sandbox_seccomp_filter(&filter)) != 0)
		return error;

	/* Look at the caller's descriptors before opening any of ours: a
	 * closed number must not name our ruleset by the time it is used. */
	isdir = calloc(nfds > 0 ? nfds : 1, sizeof(*isdir));
	grantst =
	    calloc(spec->ngrants > 0 ? spec->ngrants : 1, sizeof(*grantst));
	if (isdir == NULL || grantst == NULL) {
		error = ENOMEM;
		goto fail;
	}
	if ((error = check_grants(spec->grants, spec->ngrants, grantst)) != 0)
		goto fail;
	for (size_t i = 0; i < nfds; i++) {
		if (fstat(fds[i], &st) != 0) {
			error = errno;
			goto fail;
		}
		isdir[i] = S_ISDIR(st.st_mode);
		if (!isdir[i] && contains(writable, nwritable, fds[i])) {
			error = ENOTDIR;
			goto fail;
		}
	}

	sb = calloc(1, sizeof(*sb));
	if (sb == NULL) {
		error = ENOMEM;
		goto fail;
	}
	sb->abi =
	    abi > SANDBOX_LANDLOCK_ABI_KNOWN ? SANDBOX_LANDLOCK_ABI_KNOWN : abi;
	sb->ruleset = -1;
	sb->filter = filter;
	sb->allow = spec->allow;
	sb->fprog.len = (unsigned short)filter->len;
	sb->fprog.filter = malloc(filter->len * sizeof(*filter->insns));
	if (sb->fprog.filter == NULL) {
		error = ENOMEM;
		goto fail;
	}
	memcpy(sb->fprog.filter, filter->insns,
	    filter->len * sizeof(*filter->insns));
	sandbox_seccomp_widen(filter, sb->fprog.filter, spec->allow);
	if (spec->user != NULL) {
		const struct sandbox_user *u = spec->user;

		sb->switch_user = true;
		sb->user = *u;
		sb->groups =
		    calloc(u->ngroups > 0 ? u->ngroups : 1, sizeof(gid_t));
		if (sb->groups == NULL) {
			error = ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < u->ngroups; i++)
			sb->groups[i] = u->groups[i];
		sb->user.groups = sb->groups;
	}
	sb->handled.handled_access_fs = landlock_fs_rights(sb->abi);
	sb->handled.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	sb->handled.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
	sb->ruleset = landlock_create_ruleset(&sb->handled);
	if (sb->ruleset < 0) {
		error = errno;
		goto fail;
	}
	/* Above the slots the exec fills (the tree's descriptors and the
	 * memfd), so that the shuffle leaves it alone. */
	if (sb->ruleset <= (int)nfds) {
		int moved = fcntl(sb->ruleset, F_DUPFD_CLOEXEC, (int)nfds + 1);
		if (moved < 0) {
			error = errno;
			goto fail;
		}
		close(sb->ruleset);
		sb->ruleset = moved;
	}

	/* Each directory among the descriptors, once per descriptor; a
	 * duplicate only repeats a rule. Other descriptors carry their
	 * rights with them and need no rule. */
	for (size_t i = 0; i < nfds; i++) {
		bool w;
		if (!isdir[i])
			continue;
		w = contains(writable, nwritable, fds[i]);
		error =
		    add_rule(sb, fds[i], w ? ACCESS_DIR_WRITE : ACCESS_DIR_READ,
		        w ? SANDBOX_DIR_WRITE : SANDBOX_DIR_READ, NULL);
		if (error != 0)
			goto fail;
	}
	/* The loader and the libraries it will open. */
	if ((error = add_elf_deps(sb, execfd, &program)) != 0)
		goto fail;
	if ((error = add_grants(sb, spec->grants, spec->ngrants, grantst)) != 0)
		goto fail;
	/* The program: exec reads and executes it. */
	if ((error = add_rule(sb, execfd, ACCESS_EXEC, SANDBOX_PROGRAM,
	         NULL)) != 0)
		goto fail;
	free(isdir);
	free(grantst);
	*out = sb;
	return 0;
fail:
	free(isdir);
	free(grantst);
	sandbox_free(sb);
	return error;
}

void
sandbox_free(struct sandbox *sb)
{
	int saved = errno;

	if (sb == NULL)
		return;
	if (sb->ruleset >= 0)
		close(sb->ruleset);
	forget_found(sb);
	free(sb->fprog.filter);
	free(sb->groups);
	for (size_t i = 0; i < sb->nrules; i++)
		free(sb->rules[i].path);
	free(sb->rules);
	free(sb);
	errno = saved;
}

int
sandbox_apply_steps(const struct sandbox *sb, unsigned steps)
{
	int error;

	if ((steps & SANDBOX_STEP_SESSION) &&
	    (error = sandbox_new_session()) != 0)
		return error;
	/* While still root: dropping the bounding set needs CAP_SETPCAP. */
	if ((steps & SANDBOX_STEP_BOUNDING) &&
	    (error = sandbox_drop_bounding(
	         sb->switch_user ? &sb->user : NULL)) != 0)
		return error;
	if ((steps & SANDBOX_STEP_USER) && sb->switch_user &&
	    (error = sandbox_switch_user(&sb->user)) != 0)
		return error;
	if ((steps & SANDBOX_STEP_CAPS) && (error = sandbox_clear_caps()) != 0)
		return error;
	/* Without no_new_privs neither Landlock nor seccomp accepts an
	 * unprivileged caller, and a set-user-ID program could shed both. */
	if ((steps & SANDBOX_STEP_NNP) &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return errno;
	if ((steps & SANDBOX_STEP_LANDLOCK) &&
	    (error = landlock_restrict(sb->ruleset)) != 0)
		return error;
	if (steps & SANDBOX_STEP_SECCOMP) {
		/* The copy is this start's alone: the spawn child writes it
		 * while its parent waits. */
		sandbox_seccomp_patch(sb->filter, sb->fprog.filter,
		    (pid_t)syscall(__NR_getpid));
		if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		        &sb->fprog) != 0)
			return errno;
	}
	return 0;
}

int
sandbox_apply(const struct sandbox *sb)
{
	return sandbox_apply_steps(sb, SANDBOX_STEPS_ALL);
}

/* Writes the names of the rights in mask, separated by commas. */
static int
print_rights(FILE *f, uint64_t mask, const char *const *names, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if ((mask & (1ULL << i)) == 0)
			continue;
		if (fprintf(f, "%s%s", first ? "" : ",", names[i]) < 0)
			return EIO;
		first = false;
	}
	if (first && fputs("none", f) < 0)
		return EIO;
	return 0;
}

int
sandbox_describe(const struct sandbox *sb, FILE *f)
{
	static const char *const net_names[] = {"bind_tcp", "connect_tcp"};
	static const char *const scope_names[] = {"abstract_unix_socket",
	    "signal"};
	const size_t nfs = LANDLOCK_NFS;
	int error;

	if (fprintf(f, "landlock: ABI %d, no_new_privs\n", sb->abi) < 0 ||
	    fputs("landlock: handled filesystem rights ", f) < 0)
		return EIO;
	if ((error = print_rights(f, sb->handled.handled_access_fs,
	         landlock_fs_names, nfs)) != 0)
		return error;
	if (fputs("\nlandlock: denied network rights ", f) < 0 ||
	    (error = print_rights(f, sb->handled.handled_access_net, net_names,
	         2)) != 0 ||
	    fputs("\nlandlock: scoped ", f) < 0 ||
	    (error = print_rights(f, sb->handled.scoped, scope_names, 2)) !=
	        0 ||
	    fputc('\n', f) == EOF)
		return error != 0 ? error : EIO;
	for (size_t i = 0; i < sb->nrules; i++) {
		const struct rule *r = &sb->rules[i];
		char *path = r->path != NULL ? r->path : describe_fd(r->fd);
		if (path == NULL)
			return ENOMEM;
		if (fprintf(f, "landlock: allow ") < 0 ||
		    (error = print_rights(f, r->access, landlock_fs_names,
		         nfs)) != 0 ||
		    fprintf(f, " %s %s\n", role_names[r->role], path) < 0)
			error = error != 0 ? error : EIO;
		if (path != r->path)
			free(path);
		if (error != 0)
			return error;
	}
	if (sb->switch_user) {
		if (fprintf(f, "user: uid %u, gid %u, groups",
		        (unsigned)sb->user.uid, (unsigned)sb->user.gid) < 0)
			return EIO;
		for (size_t i = 0; i < sb->user.ngroups; i++)
			if (fprintf(f, "%s%u", i == 0 ? " " : ",",
			        (unsigned)sb->user.groups[i]) < 0)
				return EIO;
		if (fputs(sb->user.ngroups == 0 ? " none\n" : "\n", f) == EOF)
			return EIO;
	}
	if (fputs(
	        "session: a new one, without a controlling terminal\n"
	        "capabilities: none (bounding, ambient, permitted, effective, "
	        "inheritable emptied)\n",
	        f) == EOF)
		return EIO;
	return sandbox_seccomp_describe(sb->allow, f);
}
