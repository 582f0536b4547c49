/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * remap.c - installing descriptors at 0..n-1: the undoable in-place shuffle
 * of proc_exec() and the one-way shuffle in the child of program_spawn().
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#ifdef __has_include
#if __has_include(<linux/close_range.h>)
#include <linux/close_range.h>
#endif
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#include "grow.h"
#include "process.h"

int
ad_check_fds(int execfd, const int *fds, size_t nfds)
{
	struct rlimit rl;

	if (execfd < 0 || fcntl(execfd, F_GETFD) < 0)
		return EBADF;
	for (size_t i = 0; i < nfds; i++)
		if (fds[i] < 0 || fcntl(fds[i], F_GETFD) < 0)
			return EBADF;
	/*
	 * Slots 0..nfds must exist, and at least one more number above them
	 * for the copies that keep displaced descriptors alive.
	 */
	if (nfds > (size_t)INT_MAX - 2)
		return EMFILE;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (rlim_t)nfds + 2 > rl.rlim_cur)
		return EMFILE;
	return 0;
}

int
ad_check_layout(int execfd, const struct ad_layout *l)
{
	struct rlimit rl;

	for (size_t i = 0; i < l->nprog; i++)
		if (l->slots[i] >= 0 && fcntl(l->slots[i], F_GETFD) < 0)
			return EBADF;
	/* The slots, and one number above them, as ad_check_fds() says. */
	if (l->nslots > (size_t)INT_MAX - 2)
		return EMFILE;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (rlim_t)l->nslots + 1 > rl.rlim_cur)
		return EMFILE;
	return execfd >= 0 ? 0 : EBADF;
}

/* Appends fd to the growing array *v of *n entries, *cap allocated. */
static int
push_fd(int **v, size_t *n, size_t *cap, int fd)
{
	if (ad_grow(v, cap, *n, 1, sizeof(**v), NULL) != 0)
		return ENOMEM;
	(*v)[(*n)++] = fd;
	return 0;
}

/*
 * Lists the descriptors numbered minfd or more that lack close-on-exec:
 * those the exec would otherwise pass on, whose flags restore must put
 * back. Reads /proc/self/fd with getdents64 into a buffer on the stack
 * (opendir's large buffer costs page faults in a freshly forked child),
 * or probes up to the descriptor limit where /proc is missing.
 */
static int
list_inheritable(int minfd, int **list, size_t *count)
{
	size_t n = 0, cap = 0;
	int *v = NULL, dir, error = 0;

	dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		char buf[2048];
		ssize_t len;

		while (error == 0 &&
		    (len = getdents64(dir, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < len && error == 0;) {
				const struct dirent64 *e =
				    (const struct dirent64 *)(buf + off);
				char *end;
				long fd = strtol(e->d_name, &end, 10);

				off += e->d_reclen;
				if (*end != '\0' || end == e->d_name ||
				    fd < minfd || fd > INT_MAX || fd == dir)
					continue;
				if (fcntl((int)fd, F_GETFD) == 0)
					error = push_fd(&v, &n, &cap, (int)fd);
			}
		}
		close(dir);
	} else {
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
		    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX)
			rl.rlim_cur = INT_MAX;
		for (int fd = minfd; (rlim_t)fd < rl.rlim_cur && error == 0;
		     fd++)
			if (fcntl(fd, F_GETFD) == 0)
				error = push_fd(&v, &n, &cap, fd);
	}
	if (error != 0) {
		free(v);
		return error;
	}
	*list = v;
	*count = n;
	return 0;
}

int
ad_remap_prepare(struct ad_remap *r, const int *want, size_t nslots, int execfd)
{
	int lim = (int)nslots;
	int error;

	*r = (struct ad_remap){.nslots = nslots, .want = want, .execfd = -1};
	r->src = malloc(nslots * sizeof(int));
	r->saved = malloc(nslots * sizeof(int));
	r->savedfl = malloc(nslots * sizeof(int));
	if (r->src == NULL || r->saved == NULL || r->savedfl == NULL) {
		error = ENOMEM;
		goto fail;
	}
	for (size_t j = 0; j < nslots; j++)
		r->saved[j] = -1;
	error = list_inheritable(lim, &r->open_hi, &r->nopen_hi);
	if (error != 0)
		goto fail;

	/*
	 * Keep a copy of every descriptor in the target range, above it:
	 * the copy is both the source for trees that refer to that number
	 * and what restore puts back. Running out of descriptors here
	 * (EMFILE) happens before anything the caller can see has changed.
	 */
	for (size_t j = 0; j < nslots; j++) {
		int fl = fcntl((int)j, F_GETFD);

		if (fl < 0)
			continue;
		r->savedfl[j] = fl;
		r->saved[j] = fcntl((int)j, F_DUPFD_CLOEXEC, lim);
		if (r->saved[j] < 0) {
			error = errno;
			goto fail;
		}
	}
	for (size_t i = 0; i < nslots; i++)
		r->src[i] = want[i] < lim ? r->saved[want[i]] : want[i];
	r->execfd = execfd < lim ? r->saved[execfd] : execfd;
	return 0;

fail:
	ad_remap_release(r);
	return error;
}

int
ad_remap_apply(struct ad_remap *r)
{
	int lim = (int)r->nslots;

	for (size_t i = 0; i < r->nslots; i++) {
		if (r->want[i] == (int)i) {
			/* Already in place: only close-on-exec goes. */
			if (fcntl((int)i, F_SETFD, 0) != 0)
				return errno;
		} else if (dup2(r->src[i], (int)i) < 0) {
			return errno;
		}
	}
	/*
	 * Everything above the slots must not reach the program. Marking it
	 * close-on-exec instead of closing it keeps it for restore; the
	 * kernel closes it only when the exec succeeds.
	 */
	if (close_range((unsigned)lim, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
		for (size_t k = 0; k < r->nopen_hi; k++)
			if (fcntl(r->open_hi[k], F_SETFD, FD_CLOEXEC) != 0)
				return errno;
	}
	return 0;
}

void
ad_remap_restore(const struct ad_remap *r)
{
	int saved_errno = errno;

	for (size_t j = 0; j < r->nslots; j++) {
		if (r->saved[j] < 0) {
			close((int)j);
			continue;
		}
		dup2(r->saved[j], (int)j);
		fcntl((int)j, F_SETFD, r->savedfl[j]);
	}
	for (size_t k = 0; k < r->nopen_hi; k++)
		fcntl(r->open_hi[k], F_SETFD, 0);
	errno = saved_errno;
}

void
ad_remap_release(struct ad_remap *r)
{
	int saved_errno = errno;

	if (r->saved != NULL)
		for (size_t j = 0; j < r->nslots; j++)
			if (r->saved[j] >= 0)
				close(r->saved[j]);
	free(r->src);
	free(r->saved);
	free(r->savedfl);
	free(r->open_hi);
	*r = (struct ad_remap){.execfd = -1};
	errno = saved_errno;
}

/*
 * Makes sure nothing numbered lim or more reaches the program: marked
 * close-on-exec, so that the confinement hook can still use its own
 * descriptors up to the exec. Kernels before 5.11 lack the flag; there
 * everything but keep is closed at once.
 */
static int
close_above(int lim, int keep)
{
	if (close_range((unsigned)lim, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (keep > lim &&
	    close_range((unsigned)lim, (unsigned)keep - 1, 0) != 0)
		return errno;
	if (keep < INT_MAX && close_range((unsigned)keep + 1, ~0U, 0) != 0)
		return errno;
	return 0;
}

AD_CHILD_CODE int
ad_remap_child(int *work, size_t nslots, int *execfd)
{
	int lim = (int)nslots;

	/*
	 * First move every source inside the target range, except one
	 * already in its own slot, above the range: the dup2 calls below
	 * then never overwrite a descriptor still needed, whatever the
	 * cycles and duplicates.
	 */
	for (size_t i = 0; i < nslots; i++) {
		if (work[i] < lim && work[i] != (int)i) {
			work[i] = fcntl(work[i], F_DUPFD_CLOEXEC, lim);
			if (work[i] < 0)
				return errno;
		}
	}
	/*
	 * The executable stays open until execveat, and must close there:
	 * the child's table is its own, so its flag can change.
	 */
	if (*execfd < lim) {
		*execfd = fcntl(*execfd, F_DUPFD_CLOEXEC, lim);
		if (*execfd < 0)
			return errno;
	} else if (fcntl(*execfd, F_SETFD, FD_CLOEXEC) != 0) {
		return errno;
	}
	for (size_t i = 0; i < nslots; i++) {
		if (work[i] == (int)i) {
			if (fcntl((int)i, F_SETFD, 0) != 0)
				return errno;
		} else if (dup2(work[i], (int)i) < 0) {
			return errno;
		}
	}
	return close_above(lim, *execfd);
}
