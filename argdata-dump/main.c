/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata-dump: shows argdata from a file, a pipe, a socket or its own
 * start-up data as YAML, JSON or an annotated hex view, after validating
 * it; reads streams of framed messages; turns YAML into argdata. See
 * argdata-dump(1).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "dump.h"
#include "codec.h"
#include "startup_fd.h"
#include "text.h"

/* Exit statuses, as argdata-dump(1) documents them. */
#define EXIT_INVALID 1 /* the input is not valid argdata (or YAML) */
#define EXIT_TROUBLE 2 /* usage, I/O or memory */

/* What --stream accepts in one message. */
#define STREAM_MAX_BYTES ((size_t)256 << 20)
#define STREAM_MAX_FDS 253

enum format { FORMAT_YAML, FORMAT_JSON, FORMAT_HEX };

/* err(3) with an errno value given, as BSD's errc(3). */
static void __attribute__((noreturn, format(printf, 3, 4)))
errc(int status, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errno = error;
	verr(status, fmt, ap);
}

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: argdata-dump [-j | -x | -y] [-s] [file | -]\n"
	    "       argdata-dump -e [-s] [file | -]\n"
	    "       argdata-dump -S program\n"
	    "       argdata-dump -h | -V\n"
	    "\n"
	    "  -y, --yaml    print YAML (the default)\n"
	    "  -j, --json    print JSON\n"
	    "  -x, --hex     print an annotated hex view of the encoding\n"
	    "  -s, --stream  read (or with -e, write) framed messages\n"
	    "  -e, --encode  read YAML, write binary argdata\n"
	    "  -S, --schema  print the table of keys a program publishes\n"
	    "  -h, --help    print this help\n"
	    "  -V, --version print the version\n");
	exit(status);
}

/*
 * Opens the input: standard input for NULL or "-", a connection for a
 * unix socket, the file otherwise.
 */
static int
open_input(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		if (strlen(path) >= sizeof(sun.sun_path))
			errc(EXIT_TROUBLE, ENAMETOOLONG, "%s", path);
		strcpy(sun.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
			err(EXIT_TROUBLE, "%s", path);
		return fd;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(EXIT_TROUBLE, "%s", path);
	return fd;
}

/* Waits until fd is readable, for inputs that are non-blocking. */
static void
wait_readable(int fd, const char *name)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			err(EXIT_TROUBLE, "%s", name);
}

/* Reads everything from fd into a new buffer. */
static uint8_t *
read_all(int fd, const char *name, size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	for (;;) {
		ssize_t got;

		/* Reads of 64 KiB at least, as the buffer doubles. */
		if (n == cap && ad_grow(&buf, &cap, n, 65536, 1, NULL) != 0)
			errc(EXIT_TROUBLE, ENOMEM, "%s", name);
		got = read(fd, buf + n, cap - n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				wait_readable(fd, name);
				continue;
			}
			err(EXIT_TROUBLE, "%s", name);
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	return buf;
}

/*
 * The start-up data of this process, when cloudabi-run(1) or
 * program_exec(3) started it (ARGDATA_FD names the memfd holding it, and
 * *nfds is set to its number: the descriptors below it are the ones the
 * data refers to), or NULL. ARGDATA_FD is read as argdata-main reads it.
 */
static uint8_t *
read_startup(size_t *len, size_t *nfds)
{
	const char *env = getenv("ARGDATA_FD");
	struct stat st;
	uint8_t *buf;
	int fd;

	if (env == NULL)
		return NULL;
	if (!startup_parse_fd(env, &fd) || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || lseek(fd, 0, SEEK_SET) != 0)
		errx(EXIT_TROUBLE,
		    "ARGDATA_FD=%s does not name the start-up argdata", env);
	buf = read_all(fd, "<start-up data>", len);
	close(fd);
	unsetenv("ARGDATA_FD");
	*nfds = (size_t)fd;
	return buf;
}

/* Prints one valid value in the chosen format. */
static void
print_value(enum format format, const uint8_t *buf, size_t len, size_t nfds)
{
	argdata_t *ad;
	int error;

	if (format == FORMAT_HEX) {
		error = dump_hex(buf, len, nfds, 0, NULL, stdout);
	} else {
		ad = argdata_from_buffer(buf, len, NULL, NULL);
		if (ad == NULL)
			err(EXIT_TROUBLE, NULL);
		error = format == FORMAT_JSON ? dump_json(ad, nfds, stdout)
		                              : ad_print_yaml(ad, stdout);
		argdata_free(ad);
	}
	if (error == 0 && fflush(stdout) != 0)
		error = errno;
	if (error != 0)
		errc(EXIT_TROUBLE, error, "standard output");
}

/*
 * Validates buf and prints it, or reports its first defect as
 * "name: offset N: reason" (in the hex view also showing where), adding
 * hint, when not NULL, in parentheses. Data that refers to descriptors
 * that did not arrive with it (nfds of them did; DUMP_FDS_ANY when it
 * could not carry any) is printed with those flagged, and reported.
 * Returns whether it was valid and complete.
 */
static bool
show(enum format format, const char *name, const uint8_t *buf, size_t len,
    size_t nfds, const char *hint)
{
	const char *reason;
	size_t offset, missing;
	char list[160];
	int error;

	error = argdata_validate(buf, len, &offset, &reason);
	if (error == ENOMEM)
		errc(EXIT_TROUBLE, error, "%s", name);
	if (error == 0) {
		missing =
		    dump_unreceived_fds(buf, len, nfds, list, sizeof(list));
		if (missing == SIZE_MAX)
			errc(EXIT_TROUBLE, ENOMEM, "%s", name);
		/* YAML has comments; JSON and hex flag each value. */
		if (missing > 0 && format == FORMAT_YAML)
			printf("# not received: %s (%zu descriptor%s came with "
			       "it)\n",
			    list, nfds, nfds == 1 ? "" : "s");
		print_value(format, buf, len, nfds);
		if (missing == 0)
			return true;
		fprintf(stderr,
		    "%s: refers to descriptors that did not come with it: "
		    "%s (%zu did)\n",
		    name, list, nfds);
		return false;
	}
	if (format == FORMAT_HEX) {
		error =
		    dump_hex(buf, len, DUMP_FDS_ANY, offset, reason, stdout);
		if (error == 0 && fflush(stdout) != 0)
			error = errno;
		if (error != 0)
			errc(EXIT_TROUBLE, error, "standard output");
	}
	if (hint != NULL)
		fprintf(stderr, "%s: offset %zu: %s (%s)\n", name, offset,
		    reason, hint);
	else
		fprintf(stderr, "%s: offset %zu: %s\n", name, offset, reason);
	return false;
}

/* What invalid input read without -s looks like, or NULL. */
static const char *
plain_hint(const uint8_t *buf, size_t len)
{
	if (dump_looks_like_stream(buf, len))
		return "this looks like a stream of framed messages; "
		       "-s reads it";
	if (dump_looks_like_yaml(buf, len))
		return "this looks like YAML; -e encodes YAML";
	return NULL;
}

/*
 * Whether the input of --stream, whose first message could not be read,
 * is a regular file that holds plain argdata instead: its first 8 bytes
 * then read as a length that is absurd or runs past the end, and the
 * whole file validates. Files larger than a message may be are not read.
 */
static bool
stream_is_plain(int fd)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0, offset;
	const char *reason;
	bool plain;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > STREAM_MAX_BYTES)
		return false;
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (buf == NULL)
		return false;
	while (len < (size_t)st.st_size) {
		ssize_t n =
		    pread(fd, buf + len, (size_t)st.st_size - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	plain = len == (size_t)st.st_size &&
	    argdata_validate(buf, len, &offset, &reason) == 0;
	free(buf);
	return plain;
}

/* The number of descriptors a message from the reader came with. */
static size_t
count_fds(const argdata_t *message)
{
	size_t n = 0;

	if (message->repr != AD_BUFFER || message->u.buffer.convert_fd == NULL)
		return 0;
	while (n < STREAM_MAX_FDS &&
	    message->u.buffer.convert_fd(message->u.buffer.convert_fd_arg, n) >=
	        0)
		n++;
	return n;
}

/* --stream: every message as its own document. Returns the exit status. */
static int
show_stream(enum format format, const char *name, int fd)
{
	argdata_reader_t *reader;
	struct stat st;
	int status = 0;
	size_t number = 0;
	char label[4096];
	/* Only a socket carries descriptors; elsewhere numbers are shown. */
	bool from_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	const char *hint = "this looks like plain argdata, not a stream; "
	                   "read it without -s";

	reader = argdata_reader_create(STREAM_MAX_BYTES, STREAM_MAX_FDS);
	if (reader == NULL)
		err(EXIT_TROUBLE, NULL);
	for (;;) {
		const argdata_t *message = NULL;
		int error = argdata_reader_pull(reader, fd);

		if (error == EINTR)
			continue;
		if (error == EAGAIN) {
			wait_readable(fd, name);
			continue;
		}
		if (error == 0 &&
		    (message = argdata_reader_get(reader)) == NULL)
			break;
		number++;
		snprintf(label, sizeof(label), "%s: message %zu", name, number);
		if ((error == EMSGSIZE || error == EBADMSG) && number == 1 &&
		    stream_is_plain(fd)) {
			fprintf(stderr, "%s: %s (%s)\n", label,
			    error == EMSGSIZE ? "its length is too large"
			                      : "truncated",
			    hint);
			/* The rest is that same data: nothing more to read. */
			status = EXIT_INVALID;
			break;
		}
		if (error == EMSGSIZE) {
			fprintf(stderr,
			    "%s: more than %zu bytes or %d "
			    "descriptors: skipped\n",
			    label, STREAM_MAX_BYTES, STREAM_MAX_FDS);
			status = EXIT_INVALID;
			continue;
		}
		if (error == EBADMSG) {
			fprintf(stderr,
			    "%s: truncated, or its descriptors "
			    "were lost\n",
			    label);
			status = EXIT_INVALID;
			continue;
		}
		if (error != 0 || message == NULL)
			errc(EXIT_TROUBLE, error, "%s", name);
		if (format == FORMAT_HEX)
			printf("# message %zu: %zu bytes, %zu descriptors\n",
			    number, message->length, count_fds(message));
		if (!show(format, label, message->u.buffer.data,
		        message->length,
		        from_socket ? count_fds(message) : DUMP_FDS_ANY, NULL))
			status = EXIT_INVALID;
	}
	argdata_reader_free(reader);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"yaml", no_argument, NULL, 'y'},
	    {"json", no_argument, NULL, 'j'},
	    {"hex", no_argument, NULL, 'x'},
	    {"stream", no_argument, NULL, 's'},
	    {"encode", no_argument, NULL, 'e'},
	    {"schema", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	enum format format = FORMAT_YAML;
	bool stream = false, encode = false, format_set = false;
	const char *path, *name;
	int c, fd, status;

	while (
	    (c = getopt_long(argc, argv, "yjxseS:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			format = FORMAT_YAML;
			format_set = true;
			break;
		case 'j':
			format = FORMAT_JSON;
			format_set = true;
			break;
		case 'x':
			format = FORMAT_HEX;
			format_set = true;
			break;
		case 's':
			stream = true;
			break;
		case 'e':
			encode = true;
			break;
		case 'S':
			if (argc != optind)
				usage(stderr, EXIT_TROUBLE);
			return dump_schema(optarg);
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			printf("argdata-dump (argdata) %s\n", VERSION);
			return 0;
		default:
			usage(stderr, EXIT_TROUBLE);
		}
	}
	if (argc - optind > 1 || (encode && format_set))
		usage(stderr, EXIT_TROUBLE);
	path = optind < argc ? argv[optind] : NULL;
	name = path == NULL || strcmp(path, "-") == 0 ? "<stdin>" : path;

	if (encode) {
		FILE *in = path == NULL || strcmp(path, "-") == 0
		    ? stdin
		    : fopen(path, "re");

		if (in == NULL)
			err(EXIT_TROUBLE, "%s", path);
		status = encode_yaml(in, name, STDOUT_FILENO, stream);
		if (in != stdin)
			fclose(in);
		return status;
	}

	if (path == NULL && !stream) {
		size_t len, nfds;
		uint8_t *buf = read_startup(&len, &nfds);

		if (buf != NULL) {
			status = show(format, "<start-up data>", buf, len, nfds,
			             NULL)
			    ? 0
			    : EXIT_INVALID;
			free(buf);
			return status;
		}
	}
	fd = open_input(path);
	if (stream) {
		status = show_stream(format, name, fd);
	} else {
		size_t len;
		uint8_t *buf = read_all(fd, name, &len);

		status = show(format, name, buf, len, DUMP_FDS_ANY,
		             plain_hint(buf, len))
		    ? 0
		    : EXIT_INVALID;
		free(buf);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return status;
}
