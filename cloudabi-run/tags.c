/*
 * cloudabi-run's tag handlers: each turns a tagged node of the
 * configuration into a descriptor value, opening the resource it names
 * close-on-exec, and records what it opened so that a failure closes it
 * again and the dry run can show it.
 */
#define _GNU_SOURCE
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
	if (rc->ninherited == *cap) {
		size_t ncap = *cap == 0 ? 16 : *cap * 2;
		int *p = realloc(rc->inherited, ncap * sizeof(*p));

		if (p == NULL)
			return ENOMEM;
		rc->inherited = p;
		*cap = ncap;
	}
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

	*rc = (struct run_context){
	    .execfd = execfd, .program = program, .selffd = -1};
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

		if (r->unlink_path != NULL)
			unlink(r->unlink_path);
		if (r->owned)
			close(r->fd);
		free(r->path);
		free(r->source);
		free(r->unlink_path);
	}
	free(rc->res);
	free(rc->inherited);
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
 * fd (when owned), path, source and unlink_path, even on failure.
 */
static const argdata_t *
add_resource(
    loader_t *ld, struct run_context *rc, const struct run_resource *res)
{
	struct run_resource *r;

	if (res->source == NULL || rc->nres == rc->cap) {
		size_t cap = rc->cap == 0 ? 8 : rc->cap * 2;
		struct run_resource *p =
		    res->source == NULL ? NULL
		                        : realloc(rc->res, cap * sizeof(*p));

		if (p == NULL) {
			if (res->unlink_path != NULL)
				unlink(res->unlink_path);
			if (res->owned)
				close(res->fd);
			free(res->path);
			free(res->source);
			free(res->unlink_path);
			return loader_fail(ld, res->mark, "out of memory");
		}
		rc->res = p;
		rc->cap = cap;
	}
	r = &rc->res[rc->nres++];
	*r = *res;
	return loader_adopt(ld, argdata_create_fd(r->fd), r->mark);
}

/* One attribute of a tag's map: its name, and what was written. */
struct attr {
	const char *name;
	const loader_node_t *key;
	const loader_node_t *value;
};

/*
 * Reads the map of attributes of node (tagged tag) into attrs, which
 * lists every attribute the tag knows. Returns 0 or -1 with the error set.
 */
static int
read_attrs(loader_t *ld, const loader_node_t *node, const char *tag,
    struct attr *attrs, size_t nattrs)
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

static int
attr_str(loader_t *ld, const struct attr *a, const char **value)
{
	return a->value == NULL ? 0
	                        : loader_node_str(ld, a->value, a->name, value);
}

static int
attr_bool(loader_t *ld, const struct attr *a, bool *value)
{
	return a->value == NULL
	           ? 0
	           : loader_node_bool(ld, a->value, a->name, value);
}

static char *
dup_str(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
format(const char *fmt, ...)
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
		    "!fd takes a number, stdin, stdout or stderr");
	for (int i = 0; i < 3; i++)
		if (strcmp(node->value, names[i]) == 0)
			n = (uintmax_t)i;
	if (n > INT_MAX) {
		/* The number is read as if the tag were not there, quoted or
		 * not. */
		plain = loader_node_untagged(node);
		plain.plain = true;
		if (loader_node_uint(ld, &plain, "!fd", INT_MAX, &n) != 0)
			return NULL;
	}
	if (!is_inherited(rc, (int)n) || fcntl((int)n, F_GETFD) == -1)
		return loader_fail(ld, node->mark,
		    "!fd %ju: descriptor %ju is not open", n, n);
	/* What the descriptor is, for the dry run's table. */
	snprintf(link, sizeof(link), "/proc/self/fd/%ju", n);
	len = readlink(link, target, sizeof(target) - 1);
	target[len < 0 ? 0 : len] = '\0';
	name = n <= 2 ? format("inherited %ju (%s) %s", n, names[n], target)
	              : format("inherited %ju %s", n, target);
	return add_resource(ld, rc,
	    &(struct run_resource){.fd = (int)n,
	        .kind = RUN_FD,
	        .source = name,
	        .mark = node->mark});
}

/* !file: a file opened as the attributes say; never a directory. */
static const argdata_t *
tag_file(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct run_context *rc = ctx;
	struct attr a[] = {{.name = "path"}, {.name = "access"},
	    {.name = "create"}, {.name = "truncate"}, {.name = "exclusive"},
	    {.name = "mode"}};
	const char *path = NULL, *access = "read";
	bool create = false, truncate = false, exclusive = false;
	mode_t mode = 0666;
	int flags, fd;
	struct stat st;

	if (read_attrs(ld, node, "!file", a, 6) != 0 ||
	    attr_str(ld, &a[0], &path) != 0 ||
	    attr_str(ld, &a[1], &access) != 0 ||
	    attr_bool(ld, &a[2], &create) != 0 ||
	    attr_bool(ld, &a[3], &truncate) != 0 ||
	    attr_bool(ld, &a[4], &exclusive) != 0)
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
	flags |= (create ? O_CREAT : 0) | (truncate ? O_TRUNC : 0) |
	         (exclusive ? O_EXCL : 0) | O_CLOEXEC | O_NOCTTY;
	/*
	 * Opened without blocking, so that a FIFO without a peer does not
	 * hang the start (writing to one is ENXIO), then made blocking again
	 * for the program.
	 */
	fd = open(path, flags | O_NONBLOCK, mode);
	if (fd == -1)
		return loader_fail(ld, a[0].value->mark, "!file: %s: %s%s",
		    path, strerror(errno),
		    errno == EISDIR ? " (use !dir for directories)" : "");
	if (fcntl(fd, F_SETFL,
	        flags & ~(O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC | O_NOCTTY)) !=
	    0) {
		int e = errno;

		close(fd);
		return loader_fail(
		    ld, a[0].value->mark, "!file: %s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return loader_fail(ld, a[0].value->mark,
		    "!file: %s: Is a directory (use !dir for directories)",
		    path);
	}
	return add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_FILE,
	        .owned = true,
	        .path = dup_str(path),
	        .source = format("file %s %s%s%s%s", path, access,
	            create ? " create" : "", truncate ? " truncate" : "",
	            exclusive ? " exclusive" : ""),
	        .mark = node->mark});
}

/* !dir: a directory, giving access to what lies beneath it. */
static const argdata_t *
tag_dir(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct run_context *rc = ctx;
	struct attr a[] = {{.name = "path"}, {.name = "write"}};
	const char *path = NULL;
	bool write = false;
	int fd;

	if (read_attrs(ld, node, "!dir", a, 2) != 0 ||
	    attr_str(ld, &a[0], &path) != 0 ||
	    attr_bool(ld, &a[1], &write) != 0)
		return NULL;
	if (path == NULL)
		return loader_fail(ld, node->mark, "!dir: path is missing");
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return loader_fail(ld, a[0].value->mark, "!dir: %s: %s%s", path,
		    strerror(errno),
		    errno == ENOTDIR ? " (use !file for files)" : "");
	return add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_DIR,
	        .owned = true,
	        .write = write,
	        .path = dup_str(path),
	        .source = format(
	            "dir %s %s", path, write ? "read-write" : "read-only"),
	        .mark = node->mark});
}

/* !executable: the program's own descriptor. */
static const argdata_t *
tag_executable(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct run_context *rc = ctx;
	bool first = rc->selffd == -1;
	loader_node_t untagged = loader_node_untagged(node);

	/* The value is read as if the tag were not there: nothing or ~. */
	if (!loader_node_is_null(&untagged))
		return loader_fail(
		    ld, node->mark, "!executable takes no value");
	if (rc->execfd == -1)
		return loader_fail(
		    ld, node->mark, "!executable: there is no program");
	/*
	 * A descriptor of its own, so that the exec descriptor and the
	 * program's copy of it can be shuffled independently.
	 */
	if (first) {
		rc->selffd = fcntl(rc->execfd, F_DUPFD_CLOEXEC, 0);
		if (rc->selffd == -1)
			return loader_fail(
			    ld, node->mark, "!executable: %s", strerror(errno));
	}
	return add_resource(ld, rc,
	    &(struct run_resource){.fd = rc->selffd,
	        .kind = RUN_EXECUTABLE,
	        .owned = first,
	        .path = dup_str(rc->program),
	        .source = format("executable %s", rc->program),
	        .mark = node->mark});
}

/* A socket address as written in the configuration. */
struct address {
	struct sockaddr_storage ss;
	socklen_t len;
	char *unix_path; /* a file to remove if bound and the start fails */
};

static int
address_unix(loader_t *ld, const loader_node_t *at, const char *text,
    struct address *addr)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&addr->ss;
	bool abstract = text[0] == '@';
	size_t len = strlen(text);

	if (len >= sizeof(sun->sun_path) || (abstract && len == 1)) {
		loader_fail(ld, at->mark, "%s: unix socket address %s", text,
		    abstract ? "is empty" : "is too long");
		return -1;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, text, len);
	if (abstract)
		sun->sun_path[0] = '\0';
	addr->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	                        (abstract ? 0 : 1));
	return 0;
}

size_t
run_distinct_addresses(const struct addrinfo *res,
    struct sockaddr_storage *first, socklen_t *firstlen, char *list,
    size_t size)
{
	size_t naddrs = 0;

	if (size > 0)
		list[0] = '\0';
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		/* Numeric addresses: INET6_ADDRSTRLEN and a scope. */
		char num[64];
		bool seen = false;

		for (const struct addrinfo *p = res; p != ai; p = p->ai_next)
			if (p->ai_addrlen == ai->ai_addrlen &&
			    memcmp(p->ai_addr, ai->ai_addr, ai->ai_addrlen) ==
			        0)
				seen = true;
		if (seen || ai->ai_addrlen > sizeof(*first))
			continue;
		naddrs++;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num),
		        NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(num, sizeof(num), "?");
		/* A long list is cut short; the first addresses tell enough. */
		if (strlen(list) + strlen(num) + 2 < size)
			snprintf(list + strlen(list), size - strlen(list),
			    "%s%s", naddrs == 1 ? "" : ", ", num);
		if (naddrs == 1) {
			memcpy(first, ai->ai_addr, ai->ai_addrlen);
			*firstlen = ai->ai_addrlen;
		}
	}
	return naddrs;
}

/* host:port or [v6]:port, resolved to exactly one address. */
static int
address_inet(loader_t *ld, const loader_node_t *at, const char *text, int type,
    bool bind, struct address *addr)
{
	const char *colon, *host_end, *host = text;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = type};
	struct addrinfo *res;
	char hostbuf[256], list[256] = "";
	size_t naddrs = 0;
	int error;

	if (text[0] == '[') {
		host_end = strchr(text, ']');
		if (host_end == NULL || host_end[1] != ':') {
			loader_fail(
			    ld, at->mark, "%s: expected [address]:port", text);
			return -1;
		}
		host++;
		colon = host_end + 1;
		hints.ai_flags |= AI_NUMERICHOST;
		hints.ai_family = AF_INET6;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL ||
		    memchr(text, ':', (size_t)(colon - text))) {
			loader_fail(ld, at->mark,
			    colon == NULL
			        ? "%s: expected host:port, [address]:port, "
			          "/unix/path or @abstract"
			        : "%s: write IPv6 addresses in brackets, "
			          "as in [::1]:80",
			    text);
			return -1;
		}
		host_end = colon;
	}
	if ((size_t)(host_end - host) >= sizeof(hostbuf) || host_end == host ||
	    colon[1] == '\0') {
		loader_fail(ld, at->mark, "%s: %s", text,
		    colon[1] == '\0' ? "the port is missing"
		                     : "the host is missing or too long");
		return -1;
	}
	/* getaddrinfo() takes numeric ports past 65535 modulo 65536. */
	if (strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
	    (strlen(colon + 1) > 5 || atoi(colon + 1) > 65535)) {
		loader_fail(ld, at->mark, "%s: port %s is out of range", text,
		    colon + 1);
		return -1;
	}
	memcpy(hostbuf, host, (size_t)(host_end - host));
	hostbuf[host_end - host] = '\0';
	if (bind)
		hints.ai_flags |= AI_PASSIVE;
	error = getaddrinfo(hostbuf, colon + 1, &hints, &res);
	if (error != 0) {
		loader_fail(ld, at->mark, "%s: %s", text,
		    error == EAI_SYSTEM ? strerror(errno)
		                        : gai_strerror(error));
		return -1;
	}
	naddrs = run_distinct_addresses(
	    res, &addr->ss, &addr->len, list, sizeof(list));
	freeaddrinfo(res);
	if (naddrs > 1) {
		loader_fail(ld, at->mark,
		    "%s: %s resolves to several addresses (%s); name one", text,
		    hostbuf, list);
		return -1;
	}
	return 0;
}

/* The address of a socket as people write it: 127.0.0.1:80, [::1]:80. */
static void
format_address(
    const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t size)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (ss->ss_family == AF_UNIX) {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (n > 0 && sun->sun_path[0] == '\0')
			snprintf(buf, size, "@%.*s", (int)(n - 1),
			    sun->sun_path + 1);
		else
			snprintf(buf, size, "%.*s",
			    (int)strnlen(sun->sun_path, n), sun->sun_path);
		return;
	}
	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host),
	        port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, port);
}

/*
 * Removes the unix socket file at addr when it is stale: a socket file
 * that nothing listens on any more, as a program that stopped leaves
 * behind. Returns whether it did; errno is EADDRINUSE when it did not.
 */
static bool
remove_stale(const struct address *addr, int type)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&addr->ss;
	struct stat st;
	bool stale = false;
	int probe;

	if (lstat(sun->sun_path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		errno = EADDRINUSE;
		return false;
	}
	probe = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe != -1) {
		stale = connect(probe, (const struct sockaddr *)&addr->ss,
		            addr->len) != 0 &&
		        errno == ECONNREFUSED;
		close(probe);
	}
	if (stale && unlink(sun->sun_path) == 0)
		return true;
	errno = EADDRINUSE;
	return false;
}

/* !socket: a bound (and listening) or connected socket. */
static const argdata_t *
tag_socket(loader_t *ld, const loader_node_t *node, void *ctx)
{
	static const struct {
		const char *name;
		int type;
		const char *inet, *local;
	} types[] = {
	    {"stream", SOCK_STREAM, "tcp", "unix"},
	    {"dgram", SOCK_DGRAM, "udp", "unix-dgram"},
	    {"seqpacket", SOCK_SEQPACKET, "sctp", "unix-seqpacket"},
	};
	struct run_context *rc = ctx;
	struct attr a[] = {{.name = "bind"}, {.name = "connect"},
	    {.name = "type"}, {.name = "backlog"}};
	const char *text = NULL, *typename = "stream", *state;
	const loader_node_t *at;
	struct address addr = {.len = 0};
	uintmax_t backlog = SOMAXCONN;
	bool bind_it, listens;
	size_t t;
	int fd, one = 1;
	char shown[256];
	struct sockaddr_storage local;
	socklen_t locallen = sizeof(local);

	if (read_attrs(ld, node, "!socket", a, 4) != 0 ||
	    attr_str(ld, &a[0], &text) != 0 ||
	    attr_str(ld, &a[1], &text) != 0 ||
	    attr_str(ld, &a[2], &typename) != 0)
		return NULL;
	if ((a[0].value == NULL) == (a[1].value == NULL))
		return loader_fail(ld,
		    a[1].key != NULL ? a[1].key->mark : node->mark,
		    "!socket takes exactly one of bind and connect");
	bind_it = a[0].value != NULL;
	at = bind_it ? a[0].value : a[1].value;
	for (t = 0; t < 3; t++)
		if (strcmp(types[t].name, typename) == 0)
			break;
	if (t == 3)
		return loader_fail(ld, a[2].value->mark,
		    "type: %s is not stream, dgram or seqpacket", typename);
	listens = bind_it && types[t].type != SOCK_DGRAM;
	if (a[3].value != NULL) {
		if (!listens)
			return loader_fail(ld, a[3].key->mark,
			    "backlog: only for a listening socket (bind, "
			    "type stream or seqpacket)");
		if (loader_node_uint(
		        ld, a[3].value, "backlog", INT_MAX, &backlog) != 0)
			return NULL;
	}

	if (text[0] == '@' || strchr(text, '/') != NULL) {
		if (address_unix(ld, at, text, &addr) != 0)
			return NULL;
	} else if (address_inet(ld, at, text, types[t].type, bind_it, &addr) !=
	           0) {
		return NULL;
	}

	fd = socket(addr.ss.ss_family, types[t].type | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return loader_fail(
		    ld, at->mark, "!socket: %s: %s", text, strerror(errno));
	if (bind_it) {
		if (addr.ss.ss_family != AF_UNIX &&
		    types[t].type == SOCK_STREAM)
			setsockopt(
			    fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&addr.ss, addr.len) != 0 &&
		    (errno != EADDRINUSE || addr.ss.ss_family != AF_UNIX ||
		        text[0] == '@' || !remove_stale(&addr, types[t].type) ||
		        bind(fd, (struct sockaddr *)&addr.ss, addr.len) != 0)) {
			int e = errno;

			close(fd);
			return loader_fail(ld, at->mark, "!socket: bind %s: %s",
			    text, strerror(e));
		}
		if (addr.ss.ss_family == AF_UNIX && text[0] != '@' &&
		    (addr.unix_path = strdup(text)) == NULL) {
			unlink(text);
			close(fd);
			return loader_fail(ld, at->mark, "out of memory");
		}
		if (listens && listen(fd, (int)backlog) != 0) {
			int e = errno;

			if (addr.unix_path != NULL)
				unlink(addr.unix_path);
			free(addr.unix_path);
			close(fd);
			return loader_fail(ld, at->mark,
			    "!socket: listen %s: %s", text, strerror(e));
		}
		state = listens ? "listening" : "bound";
		if (getsockname(fd, (struct sockaddr *)&local, &locallen) != 0)
			locallen = 0;
	} else {
		if (connect(fd, (struct sockaddr *)&addr.ss, addr.len) != 0) {
			int e = errno;

			close(fd);
			return loader_fail(ld, at->mark,
			    "!socket: connect %s: %s", text, strerror(e));
		}
		state = "connected";
		if (getpeername(fd, (struct sockaddr *)&local, &locallen) != 0)
			locallen = 0;
	}
	/* Show the address the kernel chose, such as a port for port 0. */
	if (locallen == 0 || addr.ss.ss_family == AF_UNIX)
		snprintf(shown, sizeof(shown), "%s", text);
	else
		format_address(&local, locallen, shown, sizeof(shown));
	return add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_SOCKET,
	        .owned = true,
	        .path = addr.ss.ss_family == AF_UNIX && text[0] != '@'
	                    ? strdup(text)
	                    : NULL,
	        .source = format("%s %s %s",
	            addr.ss.ss_family == AF_UNIX ? types[t].local
	                                         : types[t].inet,
	            shown, state),
	        .unlink_path = addr.unix_path,
	        .mark = node->mark});
}

const loader_handler_t run_handlers[] = {
    {"fd", tag_fd},
    {"file", tag_file},
    {"dir", tag_dir},
    {"socket", tag_socket},
    {"executable", tag_executable},
};
const size_t run_nhandlers = sizeof(run_handlers) / sizeof(run_handlers[0]);
