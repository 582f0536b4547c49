/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cloudabi-run's tag handlers: each turns a tagged node of the
 * configuration into a descriptor value, opening the resource it names
 * close-on-exec, and records what it opened so that a failure closes it
 * again and the dry run can show it.
 *
 * Why one long file: the handlers of !fd, !file, !dir and !executable share
 * the attribute reader and the record of what was opened, which a failure
 * unwinds.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "tags.h"

const char *
run_kind_name(enum run_kind kind)
{
	switch (kind) {
	case RUN_FD:
		return "fd";
	case RUN_FILE:
		return "file";
	case RUN_DIR:
		return "dir";
	case RUN_SOCKET:
		return "socket";
	case RUN_EXECUTABLE:
		return "executable";
	}
	return "?";
}

static int
compare_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Adds fd to the inherited descriptors. Returns 0 or ENOMEM. */
static int
add_inherited(struct run_context *rc, size_t *cap, int fd)
{
	if (ad_grow(&rc->inherited, cap, rc->ninherited, 1,
	        sizeof(*rc->inherited), NULL) != 0)
		return ENOMEM;
	rc->inherited[rc->ninherited++] = fd;
	return 0;
}

int
run_context_init(struct run_context *rc, int execfd, const char *program)
{
	struct rlimit rl;
	struct dirent *e;
	size_t cap = 0;
	int error = 0;
	DIR *d;

	*rc = (struct run_context){.execfd = execfd,
	    .program = program,
	    .selffd = -1,
	    .listen_note = "cloudabi-run was started without LISTEN_FDS"};
	d = opendir("/proc/self/fd");
	if (d != NULL) {
		while (error == 0 && (e = readdir(d)) != NULL) {
			char *end;
			long fd = strtol(e->d_name, &end, 10);

			if (e->d_name[0] != '.' && *end == '\0' &&
			    fd != dirfd(d) && fd != execfd)
				error = add_inherited(rc, &cap, (int)fd);
		}
		closedir(d);
	} else {
		/* Without /proc, every number below the limit is asked. */
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > 65536)
			rl.rlim_cur = 65536;
		for (int fd = 0; error == 0 && (rlim_t)fd < rl.rlim_cur; fd++)
			if (fd != execfd && fcntl(fd, F_GETFD) != -1)
				error = add_inherited(rc, &cap, fd);
	}
	if (error != 0) {
		free(rc->inherited);
		rc->inherited = NULL;
		rc->ninherited = 0;
		return error;
	}
	qsort(rc->inherited, rc->ninherited, sizeof(int), compare_int);
	return 0;
}

void
run_context_release(struct run_context *rc)
{
	int saved = errno;

	for (size_t i = rc->nres; i-- > 0;) {
		struct run_resource *r = &rc->res[i];

		run_unlink_created(r);
		if (r->unlink_name != NULL)
			close(r->unlink_dirfd);
		if (r->owned)
			close(r->fd);
		free(r->path);
		free(r->source);
		free(r->unlink_name);
	}
	free(rc->res);
	free(rc->inherited);
	run_listen_release(rc);
	run_plain_free(rc->plain);
	rc->plain = NULL;
	run_grants_release(rc);
	rc->res = NULL;
	rc->inherited = NULL;
	rc->nres = rc->cap = rc->ninherited = 0;
	rc->selffd = -1;
	errno = saved;
}

const struct run_resource *
run_context_find(const struct run_context *rc, int fd)
{
	for (size_t i = 0; i < rc->nres; i++)
		if (rc->res[i].fd == fd)
			return &rc->res[i];
	return NULL;
}

/*
 * Records a resource and makes its descriptor value. Takes ownership of
 * fd (when owned), path, source, unlink_name and unlink_dirfd, even on
 * failure.
 */
const argdata_t *
run_add_resource(loader_t *ld, struct run_context *rc,
    const struct run_resource *res)
{
	struct run_resource *r;

	if (res->source == NULL || rc->nres == rc->cap) {
		size_t cap = rc->cap == 0 ? 8 : rc->cap * 2;
		struct run_resource *p = res->source == NULL
		    ? NULL
		    : realloc(rc->res, cap * sizeof(*p));

		if (p == NULL) {
			run_unlink_created(res);
			if (res->unlink_name != NULL)
				close(res->unlink_dirfd);
			if (res->owned)
				close(res->fd);
			free(res->path);
			free(res->source);
			free(res->unlink_name);
			return loader_fail(ld, res->mark, "out of memory");
		}
		rc->res = p;
		rc->cap = cap;
	}
	r = &rc->res[rc->nres++];
	*r = *res;
	return loader_adopt(ld, argdata_create_fd(r->fd), r->mark);
}

/*
 * Reads the map of attributes of node (tagged tag) into attrs, which
 * lists every attribute the tag knows. Returns 0 or -1 with the error set.
 */
int
run_read_attrs(loader_t *ld, const loader_node_t *node, const char *tag,
    struct run_attr *attrs, size_t nattrs)
{
	if (node->kind != LOADER_MAPPING) {
		loader_fail(ld, node->mark,
		    "%s takes a map of attributes, such as {%s: ...}", tag,
		    attrs[0].name);
		return -1;
	}
	for (size_t i = 0; i < node->count; i += 2) {
		const loader_node_t *key = node->items[i];
		const char *name;
		size_t j;

		if (loader_node_str(ld, key, "attribute name", &name) != 0)
			return -1;
		for (j = 0; j < nattrs; j++)
			if (strcmp(attrs[j].name, name) == 0)
				break;
		if (j == nattrs) {
			char known[256] = "";

			for (size_t k = 0; k < nattrs; k++)
				snprintf(known + strlen(known),
				    sizeof(known) - strlen(known), "%s%s",
				    k == 0 ? "" : ", ", attrs[k].name);
			loader_fail(ld, key->mark,
			    "%s: unknown attribute %s (known: %s)", tag, name,
			    known);
			return -1;
		}
		if (attrs[j].value != NULL) {
			loader_fail(ld, key->mark,
			    "%s: %s given twice (first at line %zu)", tag, name,
			    attrs[j].key->mark.line);
			return -1;
		}
		attrs[j].key = key;
		attrs[j].value = node->items[i + 1];
	}
	return 0;
}

int
run_attr_str(loader_t *ld, const struct run_attr *a, const char **value)
{
	return a->value == NULL ? 0
	                        : loader_node_str(ld, a->value, a->name, value);
}

int
run_attr_bool(loader_t *ld, const struct run_attr *a, bool *value)
{
	return a->value == NULL
	    ? 0
	    : loader_node_bool(ld, a->value, a->name, value);
}

const argdata_t *
run_fail_resource(loader_t *ld, struct run_context *rc, loader_mark_t mark,
    const char *fmt, ...)
{
	char msg[sizeof(((loader_error_t *)0)->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rc->resource_failed = true;
	return loader_fail(ld, mark, "%s", msg);
}

static char *
run_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

char *
run_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static bool
is_inherited(const struct run_context *rc, int fd)
{
	return bsearch(&fd, rc->inherited, rc->ninherited, sizeof(int),
	           compare_int) != NULL;
}

/* !fd: a descriptor cloudabi-run was started with. */
static const argdata_t *
tag_fd(loader_t *ld, const loader_node_t *node, void *ctx)
{
	static const char *const names[] = {"stdin", "stdout", "stderr"};
	struct run_context *rc = ctx;
	loader_node_t plain;
	uintmax_t n = INT_MAX + (uintmax_t)1;
	char target[PATH_MAX], link[64], *name;
	ssize_t len;

	if (node->kind != LOADER_SCALAR)
		return loader_fail(ld, node->mark,
		    "!fd takes a number, stdin, stdout, stderr or the name of "
		    "a descriptor received from systemd");
	for (int i = 0; i < 3; i++)
		if (strcmp(node->value, names[i]) == 0)
			n = (uintmax_t)i;
	/* A name from LISTEN_FDNAMES: a descriptor systemd handed over. */
	if (n > INT_MAX && node->length > 0 &&
	    strchr("0123456789+-", node->value[0]) == NULL) {
		size_t count;
		const struct run_listen *l =
		    run_listen_find(rc, node->value, &count);

		if (l == NULL)
			return loader_fail(ld, node->mark,
			    "!fd %s: not a number, stdin, stdout, stderr or a "
			    "name in LISTEN_FDNAMES (%s)",
			    node->value, rc->listen_note);
		if (count > 1)
			return loader_fail(ld, node->mark,
			    "!fd %s: %zu received descriptors bear that name; "
			    "name one by its number",
			    node->value, count);
		n = (uintmax_t)l->fd;
	}
	if (n > INT_MAX) {
		/* The number is read as if the tag were not there, quoted or
		 * not. */
		plain = loader_node_untagged(node);
		plain.plain = true;
		if (loader_node_uint(ld, &plain, "!fd", INT_MAX, &n) != 0)
			return NULL;
	}
	if (!is_inherited(rc, (int)n) || fcntl((int)n, F_GETFD) == -1)
		return run_fail_resource(ld, rc, node->mark,
		    "!fd %ju: descriptor %ju is not open", n, n);
	/* What the descriptor is, for the dry run's table. */
	snprintf(link, sizeof(link), "/proc/self/fd/%ju", n);
	len = readlink(link, target, sizeof(target) - 1);
	target[len < 0 ? 0 : len] = '\0';
	name = n <= 2 ? run_format("inherited %ju (%s) %s", n, names[n], target)
	              : run_format("inherited %ju %s", n, target);
	for (size_t i = 0; i < rc->nlisten && name != NULL; i++) {
		char *with = NULL;

		if (rc->listen[i].fd != (int)n)
			continue;
		with = run_format("%s (systemd: %s)", name, rc->listen[i].name);
		free(name);
		name = with;
	}
	return run_add_resource(ld, rc,
	    &(struct run_resource){.fd = (int)n,
	        .kind = RUN_FD,
	        .source = name,
	        .mark = node->mark});
}

/*
 * The dry run's !file: resolves the path as a start would, checks the
 * access and that the file may be created, and opens nothing for reading
 * or writing (O_PATH only): no file created or truncated, not even a FIFO's
 * peer woken. A file that would be created is stood for by an empty memfd.
 * Returns a descriptor, or -1 with why set.
 */
static int
file_dry_run(int flags, bool create, bool exclusive, const char *path,
    bool follow, bool *would_create, char *why, size_t size)
{
	int amode = (flags & O_ACCMODE) == O_RDONLY ? R_OK
	    : (flags & O_ACCMODE) == O_WRONLY       ? W_OK
	                                            : R_OK | W_OK;
	int dirfd = AT_FDCWD, fd, e;
	const char *name = path;
	struct stat st;

	if (create &&
	    (dirfd = run_open_parent(path, follow, &name, why, size)) == -1)
		return -1;
	fd = run_open_name(dirfd, path, name, O_PATH | O_CLOEXEC, 0, follow,
	    why, size);
	e = errno;
	if (fd == -1 && e == ENOENT && create) {
		/* Creating needs to write and search the directory. */
		if (faccessat(dirfd, ".", W_OK | X_OK, AT_EACCESS) == 0)
			fd = memfd_create("cloudabi-run dry run", MFD_CLOEXEC);
		*would_create = true;
		e = errno;
		snprintf(why, size, "%s", strerror(e));
	} else if (fd != -1 && create && exclusive) {
		close(fd);
		fd = -1;
		e = EEXIST;
		snprintf(why, size, "%s", strerror(e));
	} else if (fd != -1 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		fd = -1;
		e = EISDIR;
		snprintf(why, size, "%s", strerror(e));
	} else if (fd != -1 &&
	    faccessat(fd, "", amode, AT_EACCESS | AT_EMPTY_PATH) != 0) {
		e = errno;
		close(fd);
		fd = -1;
		snprintf(why, size, "%s", strerror(e));
	}
	if (dirfd != AT_FDCWD)
		close(dirfd);
	errno = e;
	return fd;
}

/*
 * Opens a file to be created if missing. It is created with O_EXCL, so
 * that this start knows whether it made it: then *dirfd and *name say
 * where it is, for removing it again if the start fails. Returns a
 * descriptor, or -1 with why set.
 */
static int
file_create(int flags, mode_t mode, bool exclusive, const char *path,
    bool follow, int *dirfd, const char **name, char *why, size_t size)
{
	int fd;

	*dirfd = run_open_parent(path, follow, name, why, size);
	if (*dirfd == -1)
		return -1;
	fd = run_open_name(*dirfd, path, *name,
	    (flags & ~O_TRUNC) | O_CREAT | O_EXCL, mode, follow, why, size);
	if (fd != -1)
		return fd;
	if (errno == EEXIST && !exclusive) {
		fd = run_open_name(*dirfd, path, *name, flags, 0, follow, why,
		    size);
		/*
		 * Removed in between, or a dangling link to follow: created
		 * all the same, but not known to be this start's own.
		 */
		if (fd == -1 && errno == ENOENT)
			fd = run_open_name(*dirfd, path, *name, flags | O_CREAT,
			    mode, follow, why, size);
	}
	{
		int e = errno;

		close(*dirfd);
		*dirfd = -1;
		errno = e;
	}
	return fd;
}

/* !file: a file opened as the attributes say; never a directory. */
static const argdata_t *
tag_file(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct run_context *rc = ctx;
	struct run_attr a[] = {{.name = "path"}, {.name = "access"},
	    {.name = "create"}, {.name = "truncate"}, {.name = "exclusive"},
	    {.name = "mode"}, {.name = "follow"}};
	const char *path = NULL, *access = "read", *name = NULL, *note = "";
	bool create = false, truncate = false, exclusive = false;
	bool follow = false, would_create = false;
	char *unlink_name = NULL;
	mode_t mode = 0666;
	int flags, fd, dirfd = -1;
	char why[RUN_WHY_SIZE];
	struct stat st;

	if (run_read_attrs(ld, node, "!file", a, 7) != 0 ||
	    run_attr_str(ld, &a[0], &path) != 0 ||
	    run_attr_str(ld, &a[1], &access) != 0 ||
	    run_attr_bool(ld, &a[2], &create) != 0 ||
	    run_attr_bool(ld, &a[3], &truncate) != 0 ||
	    run_attr_bool(ld, &a[4], &exclusive) != 0 ||
	    run_attr_bool(ld, &a[6], &follow) != 0)
		return NULL;
	if (path == NULL)
		return loader_fail(ld, node->mark, "!file: path is missing");
	if (strcmp(access, "read") == 0)
		flags = O_RDONLY;
	else if (strcmp(access, "write") == 0)
		flags = O_WRONLY;
	else if (strcmp(access, "read-write") == 0)
		flags = O_RDWR;
	else if (strcmp(access, "append") == 0)
		flags = O_WRONLY | O_APPEND;
	else
		return loader_fail(ld, a[1].value->mark,
		    "access: %s is not read, write, read-write or append",
		    access);
	if (a[5].value != NULL) {
		const loader_node_t *m = a[5].value;
		const char *s = m->value;
		char *end;
		unsigned long v;

		/* Modes are octal, as for chmod: 644, 0644 and 0o644. */
		if (m->kind == LOADER_SCALAR && m->tag == NULL &&
		    strncmp(s, "0o", 2) == 0)
			s += 2;
		if (m->kind != LOADER_SCALAR || m->tag != NULL || *s < '0' ||
		    *s > '7' || (v = strtoul(s, &end, 8), *end != '\0') ||
		    v > 07777)
			return loader_fail(ld, m->mark,
			    "mode: expected an octal mode such as 0644");
		if (!create)
			return loader_fail(ld, a[5].key->mark,
			    "mode: only applies with create: true");
		mode = (mode_t)v;
	}
	if (exclusive && !create)
		return loader_fail(ld, a[4].key->mark,
		    "exclusive: only applies with create: true");
	if (truncate && (flags & O_ACCMODE) == O_RDONLY)
		return loader_fail(ld, a[3].key->mark,
		    "truncate: needs access write or read-write");
	/*
	 * Opened without blocking, so that a FIFO without a peer does not
	 * hang the start (writing to one is ENXIO), then made blocking again
	 * for the program.
	 */
	flags |= (truncate ? O_TRUNC : 0) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	if (rc->dry_run) {
		fd = file_dry_run(flags, create, exclusive, path, follow,
		    &would_create, why, sizeof(why));
		note = would_create ? " (dry run: not created)"
		    : truncate      ? " (dry run: not truncated)"
		                    : "";
	} else if (create) {
		fd = file_create(flags, mode, exclusive, path, follow, &dirfd,
		    &name, why, sizeof(why));
	} else {
		fd = run_open_path(AT_FDCWD, path, flags, 0, follow, why,
		    sizeof(why));
	}
	if (fd == -1)
		return run_fail_resource(ld, rc, a[0].value->mark,
		    "!file: %s: %s%s", path, why,
		    errno == EISDIR ? " (use !dir for directories)" : "");
	if (!rc->dry_run &&
	    fcntl(fd, F_SETFL,
	        flags & ~(O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) != 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(why, sizeof(why), "%s", strerror(EISDIR));
		goto fail;
	}
	if (dirfd != -1 && (unlink_name = strdup(name)) == NULL) {
		snprintf(why, sizeof(why), "%s", strerror(ENOMEM));
		goto fail;
	}
	return run_add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_FILE,
	        .owned = true,
	        .accmode = flags & O_ACCMODE,
	        .path = run_strdup(path),
	        .source = run_format("file %s %s%s%s%s%s%s", path, access,
	            create ? " create" : "", truncate ? " truncate" : "",
	            exclusive ? " exclusive" : "", follow ? " follow" : "",
	            note),
	        .unlink_name = unlink_name,
	        .unlink_dirfd = dirfd,
	        .mark = node->mark});
fail:
	if (dirfd != -1) {
		run_unlink_created(&(struct run_resource){.fd = fd,
		    .kind = RUN_FILE,
		    .unlink_name = (char *)name,
		    .unlink_dirfd = dirfd});
		close(dirfd);
	}
	close(fd);
	return run_fail_resource(ld, rc, a[0].value->mark, "!file: %s: %s%s",
	    path, why,
	    strcmp(why, strerror(EISDIR)) == 0 ? " (use !dir for directories)"
	                                       : "");
}

/* !dir: a directory, giving access to what lies beneath it. */
static const argdata_t *
tag_dir(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct run_context *rc = ctx;
	struct run_attr a[] = {{.name = "path"}, {.name = "write"},
	    {.name = "follow"}};
	const char *path = NULL;
	bool write = false, follow = false;
	char why[RUN_WHY_SIZE];
	int fd;

	if (run_read_attrs(ld, node, "!dir", a, 3) != 0 ||
	    run_attr_str(ld, &a[0], &path) != 0 ||
	    run_attr_bool(ld, &a[1], &write) != 0 ||
	    run_attr_bool(ld, &a[2], &follow) != 0)
		return NULL;
	if (path == NULL)
		return loader_fail(ld, node->mark, "!dir: path is missing");
	/* Opening a directory changes nothing: the dry run does it too. */
	fd = run_open_path(AT_FDCWD, path,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY, 0, follow, why,
	    sizeof(why));
	if (fd == -1)
		return run_fail_resource(ld, rc, a[0].value->mark,
		    "!dir: %s: %s%s", path, why,
		    errno == ENOTDIR ? " (use !file for files)" : "");
	return run_add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_DIR,
	        .owned = true,
	        .write = write,
	        .path = run_strdup(path),
	        .source = run_format("dir %s %s%s", path,
	            write ? "read-write" : "read-only",
	            follow ? " follow" : ""),
	        .mark = node->mark});
}

/*
 * !executable: the program's own descriptor; with a path, another
 * program's, with the grant to execute it (grants.c).
 */
static const argdata_t *
tag_executable(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct run_context *rc = ctx;
	bool first = rc->selffd == -1;
	loader_node_t untagged = loader_node_untagged(node);

	/* The value is read as if the tag were not there: nothing or ~. */
	if (!loader_node_is_null(&untagged))
		return run_tag_executable_path(ld, node, rc);
	if (rc->execfd == -1)
		return loader_fail(ld, node->mark,
		    "!executable: there is no program");
	/*
	 * A descriptor of its own, so that the exec descriptor and the
	 * program's copy of it can be shuffled independently.
	 */
	if (first) {
		rc->selffd = fcntl(rc->execfd, F_DUPFD_CLOEXEC, 0);
		if (rc->selffd == -1)
			return run_fail_resource(ld, rc, node->mark,
			    "!executable: %s", strerror(errno));
	}
	return run_add_resource(ld, rc,
	    &(struct run_resource){.fd = rc->selffd,
	        .kind = RUN_EXECUTABLE,
	        .owned = first,
	        .path = run_strdup(rc->program),
	        .source = run_format("executable %s", rc->program),
	        .mark = node->mark});
}

const loader_handler_t run_handlers[] = {
    {"fd", tag_fd},
    {"file", tag_file},
    {"dir", tag_dir},
    {"socket", run_tag_socket},
    {"executable", tag_executable},
    {"plain", run_tag_plain},
};
const size_t run_nhandlers = sizeof(run_handlers) / sizeof(run_handlers[0]);
