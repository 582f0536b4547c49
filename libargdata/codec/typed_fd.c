/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * typed_fd.c - descriptors read by argdata_read_map() checked for the
 * kind their field asks for: fstat(2) for the file type, getsockopt(2)
 * for a listening stream socket, fcntl(2) for the access mode. Nothing
 * is changed and nothing is kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "typed.h"

/* What a descriptor is, by fstat(2), for messages. */
static const char *
fd_kind(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return "descriptor that cannot be examined";
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFSOCK:
		return "socket";
	case S_IFIFO:
		return "pipe";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "descriptor of another kind";
	}
}

/* Checks that fd is of the kinds flags ask for. */
int
ad_typed_check_fd(struct ctx *c, const struct path *p, int fd, unsigned flags)
{
	struct stat st;

	if ((flags &
	        (ARGDATA_FD_DIRECTORY | ARGDATA_FD_REGULAR |
	            ARGDATA_FD_SOCKET)) != 0) {
		if (fstat(fd, &st) != 0)
			return ad_typed_fail(c, p, EBADF,
			    "descriptor cannot be "
			    "examined");
		if ((flags & ARGDATA_FD_DIRECTORY) && !S_ISDIR(st.st_mode))
			return ad_typed_fail(c, p, EINVAL,
			    "expected a directory, "
			    "found a %s",
			    fd_kind(fd));
		if ((flags & ARGDATA_FD_REGULAR) && !S_ISREG(st.st_mode))
			return ad_typed_fail(c, p, EINVAL,
			    "expected a regular file, "
			    "found a %s",
			    fd_kind(fd));
		if ((flags & ARGDATA_FD_SOCKET) && !S_ISSOCK(st.st_mode))
			return ad_typed_fail(c, p, EINVAL,
			    "expected a socket, found "
			    "a %s",
			    fd_kind(fd));
	}
	if (flags & ARGDATA_FD_LISTENING) {
		int type = 0, listening = 0;
		socklen_t len = sizeof(type);

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
			return ad_typed_fail(c, p, EINVAL,
			    "expected a listening "
			    "stream socket, found a %s",
			    fd_kind(fd));
		len = sizeof(listening);
		if (type != SOCK_STREAM ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		        &len) != 0 ||
		    !listening)
			return ad_typed_fail(c, p, EINVAL,
			    "expected a listening "
			    "stream socket, found a %s that is not",
			    type == SOCK_STREAM ? "stream socket" : "socket");
	}
	if (flags & (ARGDATA_FD_READABLE | ARGDATA_FD_WRITABLE)) {
		int fl = fcntl(fd, F_GETFL);
		int mode = fl & O_ACCMODE;

		if (fl < 0)
			return ad_typed_fail(c, p, EBADF,
			    "descriptor cannot be "
			    "examined");
#ifdef O_PATH
		if (fl & O_PATH)
			mode = -1;
#endif
		if ((flags & ARGDATA_FD_READABLE) && mode != O_RDONLY &&
		    mode != O_RDWR)
			return ad_typed_fail(c, p, EINVAL,
			    "expected a descriptor "
			    "open for reading, found one that is not");
		if ((flags & ARGDATA_FD_WRITABLE) && mode != O_WRONLY &&
		    mode != O_RDWR)
			return ad_typed_fail(c, p, EINVAL,
			    "expected a descriptor "
			    "open for writing, found one that is not");
	}
	return 0;
}
