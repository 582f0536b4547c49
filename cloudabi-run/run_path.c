/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening the paths of a configuration without following symbolic links:
 * run_open_path() and the walk that names the link that stopped it.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "tags.h"

/*
 * Why a link stops the start. One line, because it ends the error that
 * names the configuration's line and column.
 */
#define LINK_WHY                                                               \
	"is a symbolic link%s%s%s (not followed, so that a "                   \
	"confined program cannot plant one that the next start opens; "        \
	"write the path it leads to, or add follow: true)"

/*
 * Describes, in why, the component of path at [0, end) that is the
 * symbolic link name within dirfd.
 */
static void
describe_link(int dirfd, const char *name, const char *path, size_t end,
    char *why, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

	target[n < 0 ? 0 : n] = '\0';
	snprintf(why, size, "%.*s " LINK_WHY, (int)end, path,
	    n > 0 ? " (to " : "", target, n > 0 ? ")" : "");
}

/*
 * Opens the part of path from rel on beneath dirfd (which stands for the
 * part before rel) one component at a time, none of them followed if it
 * is a symbolic link: for kernels without openat2(), and to find the link
 * when openat2() refused one. Returns a descriptor, or -1 with errno set
 * and, when a link was the reason, ELOOP and why filled in.
 */
static int
walk(int dirfd, const char *path, const char *rel, int flags, mode_t mode,
    char *why, size_t size)
{
	const char *p = rel;
	int cur = dirfd, fd;

	/* As open() has it, "" names nothing. */
	if (*p == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (*p == '/') {
		cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cur == -1)
			return -1;
		while (*p == '/')
			p++;
	}
	for (;;) {
		size_t len = strcspn(p, "/");
		size_t skip = len + strspn(p + len, "/");
		char name[NAME_MAX + 1];
		bool last = p[skip] == '\0';
		struct stat st;
		int e;

		if (len > NAME_MAX) {
			fd = -1;
			errno = ENAMETOOLONG;
			break;
		}
		memcpy(name, len == 0 ? "." : p, len == 0 ? 1 : len);
		name[len == 0 ? 1 : len] = '\0';
		/*
		 * A trailing slash asks for a directory, as open() takes it.
		 */
		if (last && p[len] == '/')
			flags |= O_DIRECTORY;
		fd = openat(cur, name,
		    last ? flags | O_NOFOLLOW
		         : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		    mode);
		e = errno;
		if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)) {
			describe_link(cur, name, path, (size_t)(p - path) + len,
			    why, size);
			if (fd != -1)
				close(fd);
			fd = -1;
			e = ELOOP;
		}
		errno = e;
		if (fd == -1 || last)
			break;
		if (cur != dirfd)
			close(cur);
		cur = fd;
		p += skip;
	}
	if (cur != dirfd) {
		int e = errno;

		close(cur);
		errno = e;
	}
	return fd;
}

/* run_open_path() and run_open_name(): rel is where path goes on. */
static int
open_path(int dirfd, const char *path, const char *rel, int flags, mode_t mode,
    bool follow, char *why, size_t size)
{
	struct open_how how = {
	    .flags = (unsigned)flags,
	    .mode = flags & (O_CREAT | O_TMPFILE) ? mode : 0,
	    .resolve = RESOLVE_NO_SYMLINKS,
	};
	int fd;

	snprintf(why, size, "%s", "");
	if (follow) {
		fd = openat(dirfd, rel, flags, mode);
	} else {
		fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd == -1 && errno == ENOSYS) {
			fd = walk(dirfd, path, rel, flags, mode, why, size);
		} else if (fd == -1 && errno == ELOOP) {
			/* Which link it was, for the message. */
			fd = walk(dirfd, path, rel, O_PATH | O_CLOEXEC, 0, why,
			    size);
			if (fd != -1)
				close(fd);
			fd = -1;
			errno = ELOOP;
		}
	}
	if (fd == -1 && why[0] == '\0')
		snprintf(why, size, "%s", strerror(errno));
	return fd;
}

int
run_open_path(int dirfd, const char *path, int flags, mode_t mode, bool follow,
    char *why, size_t size)
{
	return open_path(dirfd, path, path, flags, mode, follow, why, size);
}

int
run_open_name(int dirfd, const char *path, const char *name, int flags,
    mode_t mode, bool follow, char *why, size_t size)
{
	return open_path(dirfd, path, name, flags, mode, follow, why, size);
}

int
run_open_parent(const char *path, bool follow, const char **name, char *why,
    size_t size)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	int fd;

	*name = slash == NULL ? path : slash + 1;
	if (**name == '\0') {
		errno = EISDIR;
		snprintf(why, size, "%s", strerror(errno));
		return -1;
	}
	if (slash == NULL)
		return run_open_path(AT_FDCWD, ".",
		    O_PATH | O_DIRECTORY | O_CLOEXEC, 0, follow, why, size);
	if ((size_t)(slash - path) + 2 > sizeof(parent)) {
		errno = ENAMETOOLONG;
		snprintf(why, size, "%s", strerror(errno));
		return -1;
	}
	/* "/name" is beneath "/", "a/b/name" beneath "a/b". */
	memcpy(parent, path, slash == path ? 1 : (size_t)(slash - path));
	parent[slash == path ? 1 : slash - path] = '\0';
	fd = run_open_path(AT_FDCWD, parent, O_PATH | O_DIRECTORY | O_CLOEXEC,
	    0, follow, why, size);
	return fd;
}

void
run_unlink_created(const struct run_resource *r)
{
	struct stat st, own;

	if (r->unlink_name == NULL ||
	    fstatat(r->unlink_dirfd, r->unlink_name, &st,
	        AT_SYMLINK_NOFOLLOW) != 0)
		return;
	/*
	 * Only what this start made: a file is still the one it holds open,
	 * a socket file still a socket file.
	 */
	if (r->kind == RUN_SOCKET ? S_ISSOCK(st.st_mode)
	                          : fstat(r->fd, &own) == 0 &&
	            own.st_dev == st.st_dev && own.st_ino == st.st_ino)
		unlinkat(r->unlink_dirfd, r->unlink_name, 0);
}
