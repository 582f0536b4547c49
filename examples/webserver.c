/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * webserver - the web server of CloudABI's examples, for Linux: it reads
 * three things from its argdata, a map,
 *
 *	socket   a listening stream socket (!socket with bind:, or !fd)
 *	logfile  a descriptor to log to (optional)
 *	message  the text every request is answered with (optional)
 *
 * accepts connections on the socket one at a time and answers each with
 * "200 OK" and the message, logging one line per request. It opens
 * nothing by itself, so cloudabi-run(1) can confine it to exactly these
 * descriptors (webserver.yaml):
 *
 *	cloudabi-run build/examples/webserver examples/webserver.yaml
 *	curl http://127.0.0.1:8080/
 *
 * When it starts it logs the address it listens on, which is how a
 * configuration binding port 0 learns the port the kernel chose. It runs
 * until it is killed; exit status 1 when the socket is missing or broken.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

/* How much of a request is read before answering, and for how long. */
#define REQUEST_MAX 8192
#define REQUEST_TIMEOUT_SECONDS 5

struct config {
	int sockfd;
	int logfd;
	const char *message;
};

/* Reads the keys it knows from the map; others are ignored. */
static void
read_config(const argdata_t *ad, struct config *cfg)
{
	argdata_map_iterator_t it;
	const argdata_t *key, *value;
	const char *name;

	for (argdata_map_iterate(ad, &it); argdata_map_get(&it, &key, &value);
	     argdata_map_next(&it)) {
		if (argdata_get_str_c(key, &name) != 0)
			continue;
		if (strcmp(name, "socket") == 0)
			argdata_get_fd(value, &cfg->sockfd);
		else if (strcmp(name, "logfile") == 0)
			argdata_get_fd(value, &cfg->logfd);
		else if (strcmp(name, "message") == 0)
			argdata_get_str_c(value, &cfg->message);
	}
}

/* "127.0.0.1:8080", "[::1]:8080", or "unix" for other families. */
static void
format_address(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, size, "unix");
	}
}

/*
 * One log line: the time in UTC (the sandbox has no time zone files), then
 * the text, in one write so that lines of several servers sharing a log do
 * not interleave. Logging is best effort: a full disk does not stop
 * answering.
 */
static void __attribute__((format(printf, 2, 3)))
log_line(int logfd, const char *fmt, ...)
{
	char line[512];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	size_t len;
	int n;

	if (logfd < 0)
		return;
	if (gmtime_r(&now, &tm) == NULL ||
	    (len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm)) ==
	        0)
		len = 0;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n < sizeof(line) - len - 1 ? (size_t)n
	                                          : sizeof(line) - len - 2;
	line[len++] = '\n';
	if (write(logfd, line, len) < 0)
		return;
}

/*
 * Reads the request up to the blank line that ends its header, so that
 * closing the connection does not reset it under the answer, and returns
 * its first line with anything unprintable replaced.
 */
static void
read_request(int connfd, char *line, size_t size)
{
	char buf[REQUEST_MAX + 1];
	size_t len = 0, i;

	while (len < REQUEST_MAX) {
		ssize_t n = recv(connfd, buf + len, REQUEST_MAX - len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL ||
		    strstr(buf, "\n\n") != NULL)
			break;
	}
	for (i = 0; i < len && i + 1 < size && buf[i] != '\r' && buf[i] != '\n';
	     i++)
		line[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?';
	line[i] = '\0';
}

/* Sends all of buf, or gives up on this client. */
static void
send_all(int connfd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(connfd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void
answer(int connfd, const struct config *cfg, const char *peer)
{
	struct timeval timeout = {.tv_sec = REQUEST_TIMEOUT_SECONDS};
	char line[256], header[128];
	size_t len = strlen(cfg->message);

	/* A client that never finishes its request does not hold us up. */
	setsockopt(connfd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	read_request(connfd, line, sizeof(line));
	snprintf(header, sizeof(header),
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n\r\n",
	    len);
	send_all(connfd, header, strlen(header));
	send_all(connfd, cfg->message, len);
	log_line(cfg->logfd, "%s: %s", peer, line);
}

void
program_main(const argdata_t *ad)
{
	struct config cfg = {
	    .sockfd = -1,
	    .logfd = -1,
	    .message = "Hello, world\n",
	};
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char address[INET6_ADDRSTRLEN + 16];

	read_config(ad, &cfg);
	if (getsockname(cfg.sockfd, (struct sockaddr *)&ss, &sslen) != 0) {
		log_line(cfg.logfd, "no socket to listen on: %s",
		    strerror(errno));
		exit(1);
	}
	format_address(&ss, address, sizeof(address));
	log_line(cfg.logfd, "listening on %s", address);

	for (;;) {
		int connfd;

		sslen = sizeof(ss);
		connfd = accept4(cfg.sockfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_CLOEXEC);
		if (connfd < 0) {
			/* The client may be gone before we accepted it. */
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EPROTO)
				continue;
			log_line(cfg.logfd, "accept: %s", strerror(errno));
			exit(1);
		}
		format_address(&ss, address, sizeof(address));
		answer(connfd, &cfg, address);
		close(connfd);
	}
}
