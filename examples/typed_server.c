/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * typed_server - a small server that reads its whole configuration with
 * one call of argdata_read_map(3) and refuses a wrong one with a message
 * that names the key, for instance with this configuration for
 * cloudabi-run(1) (typed_server.yaml):
 *
 *	%TAG ! tag:nuxi.nl,2015:cloudabi/
 *	---
 *	log: !fd stderr
 *	listen: !socket {bind: "127.0.0.1:8080"}
 *	greeting: "Hello from a typed configuration\n"
 *	connections: 3
 *
 * It accepts connections on the listening socket it is given, writes the
 * greeting to each, and exits after the given number of connections (0:
 * never). A configuration with a misspelt key, a value of the wrong type,
 * a port number where a socket belongs or a log that is not open for
 * writing is refused, the reason written to the log when there is one:
 *
 *	typed_server: listen: expected a listening stream socket, found a
 *	regular file
 *
 * It publishes the table it reads with (PROGRAM_SCHEMA), so cloudabi-run
 * refuses such a configuration before starting it, pointing at the line:
 *
 *	config.yaml:4:9: listen: this program expects a listening stream
 *	socket, found !file
 *
 * Exit status 0, 78 (EX_CONFIG) for a configuration refused, 1 when the
 * socket fails.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

#define EX_CONFIG 78

struct config {
	int log;
	int listen;
	const char *greeting;
	uint32_t connections;
};

/*
 * The keys, written once: PROGRAM_SCHEMA makes config_fields,
 * program_schema (program.h: argdata-main lists these keys when started
 * without argdata) and the note that cloudabi-run(1) checks a
 * configuration against before starting the program.
 */
#define CONFIG_KEYS(X)                                                         \
	X(KEY_FD, struct config, log, "log", ARGDATA_FD_WRITABLE)              \
	X(KEY_FD, struct config, listen, "listen",                             \
	    ARGDATA_REQUIRED | ARGDATA_FD_LISTENING)                           \
	X(KEY, struct config, greeting, "greeting", 0,                         \
	    .def_str = "Hello, world\n")                                       \
	X(KEY, struct config, connections, "connections", 0)
PROGRAM_SCHEMA(config_fields, CONFIG_KEYS, 0);

/*
 * Only the log, whatever else the map holds: where to say what is wrong
 * with the rest.
 */
static const struct argdata_schema log_schema = {config_fields, 1,
    ARGDATA_IGNORE_UNKNOWN};

static void
say(int log, const char *what)
{
	char line[512];
	int n;

	if (log < 0)
		return;
	n = snprintf(line, sizeof(line), "typed_server: %s\n", what);
	if (n > 0 &&
	    write(log, line,
	        (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
		return;
}

void
program_main(const argdata_t *ad)
{
	struct config c;
	char msg[256];
	uint32_t served = 0;

	if (argdata_read_map(ad, &log_schema, &c, NULL, 0) != 0)
		c.log = -1;
	if (argdata_read_map(ad, &program_schema, &c, msg, sizeof(msg)) != 0) {
		say(c.log, msg);
		exit(EX_CONFIG);
	}
	while (c.connections == 0 || served < c.connections) {
		int conn = accept4(c.listen, NULL, NULL, SOCK_CLOEXEC);
		size_t len = strlen(c.greeting);

		if (conn < 0) {
			say(c.log, "accept failed");
			exit(1);
		}
		if (write(conn, c.greeting, len) != (ssize_t)len)
			say(c.log, "a client went away");
		close(conn);
		served++;
	}
	exit(0);
}
