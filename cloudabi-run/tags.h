/*
 * tags.h - cloudabi-run's tag handlers (!fd, !file, !dir, !socket,
 * !executable) and the record of what they opened, which the dry run
 * prints and the sandbox reads.
 */
#ifndef CLOUDABI_RUN_TAGS_H
#define CLOUDABI_RUN_TAGS_H

#include <sys/socket.h>

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
	bool owned;   /* opened by cloudabi-run, closed by it on failure */
	bool write;   /* RUN_DIR: the program may change what lies beneath */
	char *path;   /* file, dir, unix socket or program path, or NULL */
	char *source; /* one line for people: "tcp 127.0.0.1:80 listening" */
	char *unlink_path;  /* a unix socket file to remove on failure */
	loader_mark_t mark; /* the tagged node */
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
 * and removes the unix socket files they created. Keeps errno.
 */
void run_context_release(struct run_context *rc);

/* The resource whose descriptor is fd, or NULL. */
const struct run_resource *run_context_find(
    const struct run_context *rc, int fd);

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

/* An attribute's value as a string, when it was given. */
int run_attr_str(loader_t *ld, const struct run_attr *a, const char **value);

/* A formatted new string, or NULL without memory. */
char *run_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Records a resource and makes its descriptor value. Takes ownership of
 * fd (when owned), path, source and unlink_path, even on failure.
 */
const argdata_t *run_add_resource(loader_t *ld, struct run_context *rc,
    const struct run_resource *res);

/* The !socket handler (tag_socket.c). */
const argdata_t *run_tag_socket(loader_t *ld, const loader_node_t *node,
    void *ctx);

/* The name of a kind: "fd", "file", "dir", "socket", "executable". */
const char *run_kind_name(enum run_kind kind);

#endif
