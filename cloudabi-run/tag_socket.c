/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The !socket handler: a bound and listening, or connected, socket, and
 * the socket addresses of the configuration (host:port, [v6]:port,
 * /unix/path, @abstract) it resolves and shows.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tags.h"

/* A socket address as written in the configuration. */
struct address {
	struct sockaddr_storage ss;
	socklen_t len;
	/*
	 * For a unix socket path: the directory to bind in (name is the
	 * socket file's name there), or the socket file to connect to,
	 * opened O_PATH without following links (unless follow: true). The
	 * address reaches it through /proc/self/fd, so that the kernel does
	 * not resolve the path again. -1 for other addresses.
	 */
	int pathfd;
	const char *name;
};

/*
 * A unix socket address: @abstract, or a path, reached through a
 * descriptor (see struct address).
 */
static int
address_unix(loader_t *ld, struct run_context *rc, const loader_node_t *at,
    const char *text, bool bind, bool follow, struct address *addr)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&addr->ss;
	bool abstract = text[0] == '@';
	size_t len = strlen(text);
	char why[RUN_WHY_SIZE], path[PATH_MAX];
	int n;

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
	if (abstract)
		return 0;
	addr->pathfd = bind
	    ? run_open_parent(text, follow, &addr->name, why, sizeof(why))
	    : run_open_path(AT_FDCWD, text, O_PATH | O_CLOEXEC, 0, follow, why,
	          sizeof(why));
	if (addr->pathfd == -1) {
		run_fail_resource(ld, rc, at->mark, "!socket: %s %s: %s",
		    bind ? "bind" : "connect", text, why);
		return -1;
	}
	n = bind
	    ? snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", addr->pathfd,
	          addr->name)
	    : snprintf(path, sizeof(path), "/proc/self/fd/%d", addr->pathfd);
	if (n < 0 || (size_t)n >= sizeof(sun->sun_path)) {
		/* Where links may be followed, the path itself will do. */
		if (follow)
			return 0;
		loader_fail(ld, at->mark,
		    "!socket: %s: the file name is too long to reach through "
		    "/proc/self/fd (which keeps links from being followed); "
		    "shorten it or add follow: true",
		    text);
		return -1;
	}
	memcpy(sun->sun_path, path, (size_t)n + 1);
	addr->len =
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
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
address_inet(loader_t *ld, struct run_context *rc, const loader_node_t *at,
    const char *text, int type, bool bind, struct address *addr)
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
			loader_fail(ld, at->mark, "%s: expected [address]:port",
			    text);
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
		run_fail_resource(ld, rc, at->mark, "%s: %s", text,
		    error == EAI_SYSTEM ? strerror(errno)
		                        : gai_strerror(error));
		return -1;
	}
	naddrs = run_distinct_addresses(res, &addr->ss, &addr->len, list,
	    sizeof(list));
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
format_address(const struct sockaddr_storage *ss, socklen_t len, char *buf,
    size_t size)
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
 * Removes the unix socket file at addr (a path) when it is stale: a
 * socket file that nothing listens on any more, as a program that stopped
 * leaves behind. Returns whether it did; errno is EADDRINUSE when it did
 * not.
 */
static bool
remove_stale(const struct address *addr, int type)
{
	struct stat st;
	bool stale = false;
	int probe;

	if (fstatat(addr->pathfd, addr->name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISSOCK(st.st_mode)) {
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
	if (stale && unlinkat(addr->pathfd, addr->name, 0) == 0)
		return true;
	errno = EADDRINUSE;
	return false;
}

/*
 * The dry run's check of a unix socket path (addr->pathfd), instead of
 * binding or connecting: what the start would meet there, with nothing
 * created and nothing sent.
 * Returns 0 with *note saying what was not done, or an errno value.
 */
static int
check_unix_path(const struct address *addr, bool bind, const char **note)
{
	struct stat st;

	if (!bind) {
		*note = "not connected (dry run)";
		/* Connecting needs a socket file and write access to it. */
		if (fstat(addr->pathfd, &st) != 0)
			return errno;
		if (!S_ISSOCK(st.st_mode))
			return ECONNREFUSED;
		if (faccessat(addr->pathfd, "", W_OK,
		        AT_EACCESS | AT_EMPTY_PATH) != 0)
			return errno;
		return 0;
	}
	if (fstatat(addr->pathfd, addr->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		*note = "not bound (dry run; the socket file there is replaced "
		        "if nothing listens on it, not probed)";
		return S_ISSOCK(st.st_mode) ? 0 : EADDRINUSE;
	}
	if (errno != ENOENT)
		return errno;
	*note = "not bound (dry run)";
	/* Binding creates the file: the directory must allow it. */
	if (faccessat(addr->pathfd, ".", W_OK | X_OK, AT_EACCESS) != 0)
		return errno;
	return 0;
}

/*
 * Binds fd to addr (listening when listens), or connects it: what a start
 * does. Returns 0 with *state set, or -1 with the error set.
 */
static int
socket_open(loader_t *ld, const loader_node_t *at, const char *text, int fd,
    int type, struct address *addr, bool bind_it, bool listens,
    uintmax_t backlog, const char **state)
{
	int one = 1;

	if (!bind_it) {
		*state = "connected";
		if (connect(fd, (struct sockaddr *)&addr->ss, addr->len) == 0)
			return 0;
		loader_fail(ld, at->mark, "!socket: connect %s: %s", text,
		    strerror(errno));
		return -1;
	}
	*state = listens ? "listening" : "bound";
	if (addr->ss.ss_family != AF_UNIX && type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr->ss, addr->len) != 0 &&
	    (errno != EADDRINUSE || addr->pathfd == -1 ||
	        !remove_stale(addr, type) ||
	        bind(fd, (struct sockaddr *)&addr->ss, addr->len) != 0)) {
		loader_fail(ld, at->mark, "!socket: bind %s: %s", text,
		    strerror(errno));
		return -1;
	}
	if (listens && listen(fd, (int)backlog) != 0) {
		int e = errno;

		if (addr->pathfd != -1)
			unlinkat(addr->pathfd, addr->name, 0);
		loader_fail(ld, at->mark, "!socket: listen %s: %s", text,
		    strerror(e));
		return -1;
	}
	return 0;
}

/*
 * What the dry run does instead of socket_open(): checks what a start
 * would meet and leaves fd unbound and unconnected. An address and port is
 * bound for an instant to see that it is free, and closed; nothing
 * listens, connects or is sent, and no file is created. Returns 0 with
 * *state set, or -1 with the error set.
 */
static int
socket_dry_run(loader_t *ld, const loader_node_t *at, const char *text,
    int type, struct address *addr, bool bind_it, const char **state)
{
	int error = 0, probe, one = 1;

	if (addr->pathfd != -1) {
		error = check_unix_path(addr, bind_it, state);
	} else if (!bind_it) {
		*state = "not connected (dry run)";
	} else {
		*state = "not bound (dry run; free when checked)";
		probe = socket(addr->ss.ss_family, type | SOCK_CLOEXEC, 0);
		if (probe == -1)
			error = errno;
		else {
			if (addr->ss.ss_family != AF_UNIX &&
			    type == SOCK_STREAM)
				setsockopt(probe, SOL_SOCKET, SO_REUSEADDR,
				    &one, sizeof(one));
			if (bind(probe, (struct sockaddr *)&addr->ss,
			        addr->len) != 0)
				error = errno;
			close(probe);
		}
	}
	if (error == 0)
		return 0;
	loader_fail(ld, at->mark, "!socket: %s %s: %s",
	    bind_it ? "bind" : "connect", text, strerror(error));
	return -1;
}

/* !socket: a bound (and listening) or connected socket. */
const argdata_t *
run_tag_socket(loader_t *ld, const loader_node_t *node, void *ctx)
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
	struct run_attr a[] = {{.name = "bind"}, {.name = "connect"},
	    {.name = "type"}, {.name = "backlog"}, {.name = "follow"}};
	const char *text = NULL, *typename = "stream", *state = "";
	const loader_node_t *at;
	struct address addr = {.len = 0, .pathfd = -1};
	uintmax_t backlog = SOMAXCONN;
	bool bind_it, listens, follow = false, ok;
	size_t t;
	int fd;
	char shown[256], *unlink_name = NULL;
	struct sockaddr_storage local;
	socklen_t locallen = sizeof(local);

	if (run_read_attrs(ld, node, "!socket", a, 5) != 0 ||
	    run_attr_str(ld, &a[0], &text) != 0 ||
	    run_attr_str(ld, &a[1], &text) != 0 ||
	    run_attr_str(ld, &a[2], &typename) != 0 ||
	    run_attr_bool(ld, &a[4], &follow) != 0)
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
		if (loader_node_uint(ld, a[3].value, "backlog", INT_MAX,
		        &backlog) != 0)
			return NULL;
	}
	if (a[4].value != NULL && (text[0] == '@' || strchr(text, '/') == NULL))
		return loader_fail(ld, a[4].key->mark,
		    "follow: only applies to a unix socket path");

	if (text[0] == '@' || strchr(text, '/') != NULL) {
		if (address_unix(ld, rc, at, text, bind_it, follow, &addr) != 0)
			goto fail;
	} else if (address_inet(ld, rc, at, text, types[t].type, bind_it,
	               &addr) != 0) {
		return NULL;
	}

	fd = socket(addr.ss.ss_family, types[t].type | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		run_fail_resource(ld, rc, at->mark, "!socket: %s: %s", text,
		    strerror(errno));
		goto fail;
	}
	ok = rc->dry_run ? socket_dry_run(ld, at, text, types[t].type, &addr,
	                       bind_it, &state) == 0
	                 : socket_open(ld, at, text, fd, types[t].type, &addr,
	                       bind_it, listens, backlog, &state) == 0;
	/* Both fail only on what the system refused. */
	if (!ok)
		rc->resource_failed = true;
	/* A bound socket file is removed again if the start fails. */
	if (ok && !rc->dry_run && bind_it && addr.pathfd != -1 &&
	    (unlink_name = strdup(addr.name)) == NULL) {
		unlinkat(addr.pathfd, addr.name, 0);
		loader_fail(ld, at->mark, "out of memory");
		ok = false;
	}
	if (!ok) {
		close(fd);
		goto fail;
	}
	if (rc->dry_run)
		locallen = 0;
	else if ((bind_it
	                 ? getsockname(fd, (struct sockaddr *)&local, &locallen)
	                 : getpeername(fd, (struct sockaddr *)&local,
	                       &locallen)) != 0)
		locallen = 0;
	/* Show the address the kernel chose, such as a port for port 0. */
	if (locallen == 0 || addr.ss.ss_family == AF_UNIX)
		snprintf(shown, sizeof(shown), "%s", text);
	else
		format_address(&local, locallen, shown, sizeof(shown));
	if (unlink_name == NULL && addr.pathfd != -1) {
		close(addr.pathfd);
		addr.pathfd = -1;
	}
	return run_add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_SOCKET,
	        .owned = true,
	        .listening = listens,
	        .path = addr.ss.ss_family == AF_UNIX && text[0] != '@'
	            ? strdup(text)
	            : NULL,
	        .source = run_format("%s %s %s%s",
	            addr.ss.ss_family == AF_UNIX ? types[t].local
	                                         : types[t].inet,
	            shown, state, follow ? " follow" : ""),
	        .unlink_name = unlink_name,
	        .unlink_dirfd = addr.pathfd,
	        .mark = node->mark});
fail:
	if (addr.pathfd != -1)
		close(addr.pathfd);
	return NULL;
}
