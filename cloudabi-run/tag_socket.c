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

	if (run_read_attrs(ld, node, "!socket", a, 4) != 0 ||
	    run_attr_str(ld, &a[0], &text) != 0 ||
	    run_attr_str(ld, &a[1], &text) != 0 ||
	    run_attr_str(ld, &a[2], &typename) != 0)
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
	return run_add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_SOCKET,
	        .owned = true,
	        .path = addr.ss.ss_family == AF_UNIX && text[0] != '@'
	                    ? strdup(text)
	                    : NULL,
	        .source = run_format("%s %s %s",
	            addr.ss.ss_family == AF_UNIX ? types[t].local
	                                         : types[t].inet,
	            shown, state),
	        .unlink_path = addr.unix_path,
	        .mark = node->mark});
}
