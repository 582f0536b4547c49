/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz harness for the stream reader: the input is a header of three
 * bytes, then the bytes of a stream, which go through a socketpair into
 * argdata_reader_pull(). Every message read is walked and checked like
 * decoded data; descriptors ride along when the header asks, and none may
 * be left open afterwards.
 *
 * Header: byte 0 bit 0 - send descriptors with the first chunk, bits 1-2
 * how many (1 to 4), bit 3 - a non-blocking reader fed in small chunks
 * (EAGAIN and resumption); byte 1 - max_fds (0 to 7); byte 2 - max_data_len
 * is 2 to the power (byte 2 mod 20).
 */
#define _GNU_SOURCE
#include <argdata.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Larger streams would fill the socket buffer before the reader runs. */
#define MAX_STREAM 65536
/* Received descriptors land in the lowest free numbers: check this many. */
#define FD_WINDOW 64

/* Sends [data, data + len), with nfds copies of fd on the first chunk. */
static ssize_t
send_chunk(int sock, const uint8_t *data, size_t len, int fd, int nfds)
{
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control;
	if (nfds > 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		for (int i = 0; i < nfds; i++)
			memcpy(CMSG_DATA(c) + i * sizeof(int), &fd,
			    sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

/* Checks a completed message, and takes one of its descriptors. */
static void
check_message(argdata_reader_t *reader)
{
	const argdata_t *ad = argdata_reader_get(reader);
	if (ad == NULL)
		return;
	struct fuzz_walk w;
	if (fuzz_walk(ad, &w) != 0)
		return;
	fuzz_check_value(ad, &w, w.defect == 0, false);
	if (w.nfds > 0) {
		int fd = w.fds[0];
		FUZZ_CHECK(argdata_reader_release_fd_checked(reader, fd) == 0);
		FUZZ_CHECK(
		    argdata_reader_release_fd_checked(reader, fd) == EBADF);
		FUZZ_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
		close(fd);
	}
	fuzz_walk_free(&w);
}

/*
 * Pulls until end-of-file or an error that ends the stream; EAGAIN ends a
 * round when the writer has more to send. Returns whether the stream ended.
 */
static int
pull_all(argdata_reader_t *reader, int sock, size_t limit)
{
	for (size_t i = 0; i < limit; i++) {
		int error = argdata_reader_pull(reader, sock);
		if (error == 0) {
			if (argdata_reader_get(reader) == NULL)
				return 1;
			check_message(reader);
			continue;
		}
		if (error == EAGAIN)
			return 0;
		/* A refused or truncated message: the stream goes on. */
		if (error == EMSGSIZE || error == EBADMSG)
			continue;
		FUZZ_CHECK(error == ENOMEM);
		return 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int passed = -1;
	if (passed < 0)
		passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	FUZZ_CHECK(passed >= 0);
	if (size < 3)
		return 0;
	int send_fds = data[0] & 1 ? 1 + (data[0] >> 1 & 3) : 0;
	int chunked = data[0] & 8;
	size_t max_fds = data[1] & 7;
	size_t max_len = (size_t)1 << (data[2] % 20);
	data += 3;
	size -= 3;
	if (size > MAX_STREAM)
		size = MAX_STREAM;

	/*
	 * Descriptors are numbered lowest first: the sockets and whatever
	 * the reader receives land in a window from the lowest free number.
	 * Note what is open there now, to compare afterwards.
	 */
	int base = fcntl(passed, F_DUPFD_CLOEXEC, 0);
	FUZZ_CHECK(base >= 0);
	close(base);
	bool open_before[FD_WINDOW];
	for (int i = 0; i < FD_WINDOW; i++)
		open_before[i] = fcntl(base + i, F_GETFD) != -1;

	int sv[2];
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	argdata_reader_t *reader = argdata_reader_create(max_len, max_fds);
	if (reader == NULL)
		goto out;
	/* Enough pulls for every byte to be its own message, and some. */
	size_t limit = size + 16;
	if (chunked) {
		FUZZ_CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
		size_t off = 0, step = 1;
		while (off < size) {
			size_t n = step < size - off ? step : size - off;
			FUZZ_CHECK(send_chunk(sv[1], data + off, n, passed,
			               off == 0 ? send_fds : 0) == (ssize_t)n);
			off += n;
			step = step * 3 % 17 + 1;
			if (pull_all(reader, sv[0], limit))
				break;
		}
		shutdown(sv[1], SHUT_WR);
		pull_all(reader, sv[0], limit);
	} else {
		/* A stream socket carries descriptors only with data. */
		if (size > 0)
			FUZZ_CHECK(send_chunk(sv[1], data, size, passed,
			               send_fds) == (ssize_t)size);
		shutdown(sv[1], SHUT_WR);
		pull_all(reader, sv[0], limit);
	}
	argdata_reader_free(reader);
out:
	close(sv[0]);
	close(sv[1]);
	/* Descriptors still in flight in the socket went with it. */
	for (int i = 0; i < FD_WINDOW; i++)
		FUZZ_CHECK((fcntl(base + i, F_GETFD) != -1) == open_before[i]);
	return 0;
}
