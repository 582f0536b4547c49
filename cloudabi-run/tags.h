/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tags.h - cloudabi-run's tag handlers (!fd, !file, !dir, !socket,
 * !executable) and the record of what they opened, which the dry run
 * prints and the sandbox reads.
 */
#ifndef CLOUDABI_RUN_TAGS_H
#define CLOUDABI_RUN_TAGS_H

#include <sys/socket.h>
#include <sys/types.h>

#include <limits.h>
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>

#include "loader.h"

enum run_kind {
	RUN_FD,
	RUN_FILE,
	RUN_DIR,
	RUN_SOCKET,
	RUN_EXECUTABLE,
};

/* One descriptor a tag produced. */
struct run_resource {
	int fd;
	enum run_kind kind;
	bool owned;     /* opened by cloudabi-run, closed by it on failure */
	bool write;     /* RUN_DIR: the program may change what lies beneath */
	bool listening; /* RUN_SOCKET: listens, also in a dry run */
	int accmode;    /* RUN_FILE: O_RDONLY, O_WRONLY or O_RDWR, the same */
	char *path;     /* file, dir, unix socket or program path, or NULL */
	char *source;   /* one line for people: "tcp 127.0.0.1:80 listening" */
	/*
	 * A file this start created (create: true, or a bound unix socket),
	 * removed again when the start fails: its name within the directory
	 * unlink_dirfd, both owned. unlink_dirfd is only valid with a name.
	 */
	char *unlink_name;
	int unlink_dirfd;
	loader_mark_t mark; /* the tagged node */
};

/* A descriptor received through systemd's socket activation (listen.c). */
struct run_listen {
	int fd;
	char *name; /* from LISTEN_FDNAMES, "unknown" without it */
};

/* One argument of a plain program: text, or text, a descriptor, text. */
struct run_plain_arg {
	const char *prefix; /* the text, or the text before the descriptor */
	const char *suffix; /* NULL when there is no descriptor */
	int fd;             /* cloudabi-run's descriptor, or -1 */
};

/* A named descriptor of a plain program, installed from 3 in order. */
struct run_plain_fd {
	const char *name;
	int fd;
	loader_mark_t mark;
};

struct run_plain_env {
	const char *name;
	const char *value;
};

/*
 * The configuration of a plain program (!plain, tag_plain.c). Strings
 * live as long as the loader.
 */
struct run_plain {
	struct run_context *rc; /* where its grants go */
	loader_mark_t mark;     /* the !plain node */
	const argdata_t *value; /* what the handler gave: the tree */
	struct run_plain_arg *args;
	size_t nargs;
	int stdio[3]; /* cloudabi-run's descriptors; -1 for /dev/null */
	struct run_plain_fd *fds;
	size_t nfds;
	struct run_plain_env *env;
	size_t nenv;
};

/*
 * A grant by path (grants.c): a file or directory the program may open
 * although it holds no descriptor of it, anchored on a descriptor that
 * cloudabi-run opened only for the sandbox's rule.
 */
struct run_grant {
	int fd;             /* O_PATH, or a resource's descriptor */
	bool owned;         /* opened for the grant: closed with the context */
	int rights;         /* PROGRAM_GRANT_* */
	char *path;         /* as written */
	loader_mark_t mark; /* where the configuration asks for it */
};

/* What the handlers share: see run_context_init(). */
struct run_context {
	struct run_resource *res;
	size_t nres;
	size_t cap;
	int *inherited; /* descriptors open when cloudabi-run started, sorted */
	size_t ninherited;
	int execfd; /* the program, for !executable; -1 when none */
	const char *program;
	int selffd; /* the descriptor !executable hands out, or -1 */
	/* Received from systemd: see run_listen_init(). */
	struct run_listen *listen;
	size_t nlisten;
	const char *listen_note;  /* why there are none, for errors */
	struct run_plain *plain;  /* !plain's configuration, or NULL */
	struct run_grant *grants; /* grants by path, in order */
	size_t ngrants, grantcap;
	/* The load failed on a resource, not on what was written. */
	bool resource_failed;
	/*
	 * Set before loading for --dry-run: the handlers check what a start
	 * would check and change nothing (no file created or truncated, no
	 * connection made, no unix socket file bound).
	 */
	bool dry_run;
};

/* The handler table for loader_create(). */
extern const loader_handler_t run_handlers[];
extern const size_t run_nhandlers;

/*
 * Prepares a context: records the descriptors open now, which are the ones
 * !fd may name, so call it before opening anything. execfd and program
 * (not copied) are what !executable refers to. Returns 0 or an errno value.
 */
int run_context_init(struct run_context *rc, int execfd, const char *program);

/*
 * Undoes everything the handlers did: closes the descriptors they opened
 * and removes the files and unix socket files they created. Keeps errno.
 */
void run_context_release(struct run_context *rc);

/* The resource whose descriptor is fd, or NULL. */
const struct run_resource *run_context_find(const struct run_context *rc,
    int fd);

/*
 * The distinct addresses of a getaddrinfo() result: stores the first in
 * *first, lists them all, numeric and separated by ", ", in list (size
 * bytes, cut short when too long) and returns how many there are. !socket
 * refuses a name with more than one.
 */
size_t run_distinct_addresses(const struct addrinfo *res,
    struct sockaddr_storage *first, socklen_t *firstlen, char *list,
    size_t size);

/* One attribute of a tag's map: its name, and what was written. */
struct run_attr {
	const char *name;
	const loader_node_t *key;
	const loader_node_t *value;
};

/*
 * For the handlers (tags.c, tag_socket.c): reads the map of attributes of
 * node (tagged tag) into attrs, which lists every attribute the tag knows.
 * Returns 0, or -1 with the loader's error set.
 */
int run_read_attrs(loader_t *ld, const loader_node_t *node, const char *tag,
    struct run_attr *attrs, size_t nattrs);

/* An attribute's value as a string or a boolean, when it was given. */
int run_attr_str(loader_t *ld, const struct run_attr *a, const char **value);
int run_attr_bool(loader_t *ld, const struct run_attr *a, bool *value);

/* A formatted new string, or NULL without memory. */
char *run_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Records a resource and makes its descriptor value. Takes ownership of
 * fd (when owned), path, source, unlink_name and unlink_dirfd, even on
 * failure.
 */
const argdata_t *run_add_resource(loader_t *ld, struct run_context *rc,
    const struct run_resource *res);

/*
 * Opens path (relative to dirfd, AT_FDCWD or a directory) with open(2)'s
 * flags and mode, never through a symbolic link unless follow: no
 * component of path may be one, the last included (openat2() with
 * RESOLVE_NO_SYMLINKS, or a walk one component at a time where the kernel
 * has no openat2()). Links above dirfd are not looked at. Returns a
 * descriptor, or -1 with errno set and why (size bytes) saying what went
 * wrong for an error line "PATH: WHY": strerror(errno), or which component
 * is a symbolic link, where it leads and how to allow it (errno ELOOP).
 */
int run_open_path(int dirfd, const char *path, int flags, mode_t mode,
    bool follow, char *why, size_t size);

/*
 * Opens the directory that holds the last component of path (O_PATH, as
 * run_open_path() does) and points *name at that component within path.
 * Returns the descriptor, or -1 with errno and why set; a path ending in
 * "/" has no such component (EISDIR).
 */
int run_open_parent(const char *path, bool follow, const char **name, char *why,
    size_t size);

/*
 * run_open_path() for the name that run_open_parent() found in path,
 * within the directory it opened: errors name the components as path
 * spells them.
 */
int run_open_name(int dirfd, const char *path, const char *name, int flags,
    mode_t mode, bool follow, char *why, size_t size);

/*
 * Removes the file r created (r->unlink_name within r->unlink_dirfd) if
 * the name still leads to it: the file r->fd holds, or for a socket, a
 * socket file. Does not close anything.
 */
void run_unlink_created(const struct run_resource *r);

/* Room for run_open_path()'s why. */
#define RUN_WHY_SIZE (PATH_MAX + 512)

/* The !socket handler (tag_socket.c). */
const argdata_t *run_tag_socket(loader_t *ld, const loader_node_t *node,
    void *ctx);

/* The !plain handler (tag_plain.c) and what frees its record. */
const argdata_t *run_tag_plain(loader_t *ld, const loader_node_t *node,
    void *ctx);
void run_plain_free(struct run_plain *p);

/*
 * The grant keys of !plain (grants.c): read, write and exec, each a
 * sequence of paths of files or directories, opened O_PATH now and
 * recorded in p->rc's grants with the rights PROGRAM_GRANT_READ, _WRITE
 * or _EXEC. Returns 0, or -1 with the loader's error set.
 */
int run_read_grants_read(loader_t *ld, const loader_node_t *v,
    struct run_plain *p);
int run_read_grants_write(loader_t *ld, const loader_node_t *v,
    struct run_plain *p);
int run_read_grants_exec(loader_t *ld, const loader_node_t *v,
    struct run_plain *p);

/*
 * Records a grant of fd (taking it when owned, even on failure) with
 * rights; path is copied. Returns 0 or ENOMEM.
 */
int run_add_grant(struct run_context *rc, int fd, bool owned, int rights,
    const char *path, loader_mark_t mark);

/*
 * !executable /path (grants.c): a descriptor of another program, which
 * the program may execute (program_spawn() a worker) with its loader and
 * libraries, as an exec grant of it gives.
 */
const argdata_t *run_tag_executable_path(loader_t *ld,
    const loader_node_t *node, struct run_context *rc);

/* Closes the grants' own descriptors and forgets them. */
void run_grants_release(struct run_context *rc);

/* "read", "write" or "exec": the key that asks for rights. */
const char *run_grant_name(int rights);

/*
 * Reads systemd's socket activation variables (listen.c): when LISTEN_PID
 * is this process, records the LISTEN_FDS descriptors from 3 with their
 * LISTEN_FDNAMES names, checking that each is open. Returns 0, or -1 with
 * a one-line reason in why (size bytes) when the variables are wrong.
 */
int run_listen_init(struct run_context *rc, char *why, size_t size);
void run_listen_release(struct run_context *rc);

/*
 * The first received descriptor named name, or NULL; *count says how
 * many bear the name.
 */
const struct run_listen *run_listen_find(const struct run_context *rc,
    const char *name, size_t *count);

/*
 * loader_fail() for a resource the configuration names correctly but that
 * the system will not give: a path that does not open, an address that
 * does not resolve, bind or connect, a descriptor that is not open. Marks
 * rc, so that cloudabi-run exits with a status of its own for those.
 */
const argdata_t *run_fail_resource(loader_t *ld, struct run_context *rc,
    loader_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The name of a kind: "fd", "file", "dir", "socket", "executable". */
const char *run_kind_name(enum run_kind kind);

#endif
