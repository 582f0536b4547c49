/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hello-server - a plain program, one that knows nothing of argdata: an
 * HTTP server that takes its listening sockets the way systemd hands them
 * over (LISTEN_FDS, LISTEN_PID, from descriptor 3) or as --fd N, and
 * answers every request with a greeting and what it holds: its
 * descriptors and its environment, as plain text. Started by
 * cloudabi-run, that is exactly what the configuration names.
 *
 *	hello-server [--once] [--fd N]
 *
 * --once answers one connection and exits. On start it writes
 * "hello-server: listening on ADDRESS (descriptor N)" to standard output
 * for each socket, once it is ready for connections.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_SOCKETS 16

extern char **environ;

/* A socket's local address as text: 127.0.0.1:8080, [::1]:80, unix... */
static void
address(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	snprintf(buf, size, "?");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else if (ss.ss_family == AF_UNIX) {
		snprintf(buf, size, "unix");
	}
}

/* What descriptor fd is, in a few words. */
static void
describe(int fd, char *buf, size_t size)
{
	struct stat st;
	char addr[128];

	if (fstat(fd, &st) != 0) {
		snprintf(buf, size, "?");
		return;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFSOCK:
		address(fd, addr, sizeof(addr));
		snprintf(buf, size, "socket %s", addr);
		break;
	case S_IFCHR:
		snprintf(buf, size, "character device %u:%u", major(st.st_rdev),
		    minor(st.st_rdev));
		break;
	case S_IFREG:
		snprintf(buf, size, "file");
		break;
	case S_IFDIR:
		snprintf(buf, size, "directory");
		break;
	case S_IFIFO:
		snprintf(buf, size, "pipe");
		break;
	default:
		snprintf(buf, size, "other");
	}
}

/*
 * Reads the request up to its blank line (or 8 KiB, or the end), so that
 * closing the connection afterwards does not reset it under the client.
 * The request itself does not matter: every path gets the same answer.
 */
static void
read_request(int conn)
{
	char buf[8192];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		ssize_t n = read(conn, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL ||
		    strstr(buf, "\n\n") != NULL)
			return;
	}
}

/*
 * The greeting: the open descriptors (found by asking each number, since
 * a confined program may not read /proc) and the environment.
 */
static void
greet(int conn, const int *fds, size_t nfds)
{
	char what[160];
	FILE *fp;

	read_request(conn);
	if ((fp = fdopen(conn, "w")) == NULL) {
		close(conn);
		return;
	}
	fprintf(fp, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
	fprintf(fp, "hello from a plain program, pid %ld\n", (long)getpid());
	for (int fd = 0; fd < 1024; fd++) {
		bool listening = false;

		if (fd == conn || fcntl(fd, F_GETFD) == -1)
			continue;
		for (size_t i = 0; i < nfds; i++)
			listening |= fds[i] == fd;
		describe(fd, what, sizeof(what));
		fprintf(fp, "fd %d %s%s\n", fd, what,
		    listening ? " (listening)" : "");
	}
	for (char **e = environ; *e != NULL; e++)
		fprintf(fp, "env %s\n", *e);
	fclose(fp);
}

/* The sockets systemd handed over: LISTEN_FDS from 3, if meant for us. */
static size_t
listen_fds(int *fds)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	long count;

	if (pid == NULL || n == NULL || atol(pid) != (long)getpid())
		return 0;
	count = atol(n);
	if (count < 0 || count > MAX_SOCKETS)
		return 0;
	for (long i = 0; i < count; i++)
		fds[i] = 3 + (int)i;
	return (size_t)count;
}

int
main(int argc, char **argv)
{
	struct pollfd pfd[MAX_SOCKETS];
	int fds[MAX_SOCKETS];
	size_t nfds = 0;
	bool once = false;
	char addr[128];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0) {
			once = true;
		} else if (strcmp(argv[i], "--fd") == 0 && i + 1 < argc &&
		    nfds < MAX_SOCKETS) {
			fds[nfds++] = atoi(argv[++i]);
		} else {
			fprintf(stderr,
			    "usage: hello-server [--once] "
			    "[--fd N] ...\n");
			return 64;
		}
	}
	if (nfds == 0)
		nfds = listen_fds(fds);
	if (nfds == 0) {
		fprintf(stderr,
		    "hello-server: no socket: give --fd N, or "
		    "start it socket-activated (LISTEN_FDS)\n");
		return 1;
	}
	for (size_t i = 0; i < nfds; i++) {
		address(fds[i], addr, sizeof(addr));
		printf("hello-server: listening on %s (descriptor %d)\n", addr,
		    fds[i]);
		pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	}
	fflush(stdout);
	for (;;) {
		if (poll(pfd, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("hello-server: poll");
			return 1;
		}
		for (size_t i = 0; i < nfds; i++) {
			int conn;

			if ((pfd[i].revents & POLLIN) == 0)
				continue;
			conn = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC);
			if (conn < 0) {
				if (errno == EINTR || errno == EAGAIN ||
				    errno == ECONNABORTED)
					continue;
				perror("hello-server: accept");
				return 1;
			}
			greet(conn, fds, nfds);
			if (once)
				return 0;
		}
	}
}
