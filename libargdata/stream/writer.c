/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata_writer_*: writes framed argdata messages (an 8-byte big-endian
 * length, then the data) to a stream socket, a pipe or a file, sending the
 * descriptors of a message as SCM_RIGHTS with its first bytes.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argdata.h"

/* Linux refuses to carry more than SCM_MAX_FD descriptors in one message. */
#define KERNEL_MAX_FDS 253

struct argdata_writer_t {
	/* The message to send, until push has written all of it. */
	const argdata_t *message;
	/* Whether buf and fds hold the serialization of message. */
	bool prepared;

	/* The header and the serialized message. */
	unsigned char *buf;
	size_t len;
	size_t capacity;
	size_t written;

	/* Its descriptors, numbered as the serialized data refers to them. */
	int *fds;
	size_t nfds;
	size_t fds_capacity;
};

argdata_writer_t *
argdata_writer_create(void)
{
	return calloc(1, sizeof(argdata_writer_t));
}

void
argdata_writer_free(argdata_writer_t *writer)
{
	int saved_errno = errno;

	if (writer == NULL)
		return;
	free(writer->buf);
	free(writer->fds);
	free(writer);
	errno = saved_errno;
}

void
argdata_writer_set(argdata_writer_t *writer, const argdata_t *ad)
{
	writer->message = ad;
	writer->prepared = false;
	writer->written = 0;
}

/* Serializes the message behind its header, renumbering descriptors. */
static int
prepare(argdata_writer_t *writer)
{
	size_t size, maxfds, total;
	int unused;

	argdata_serialized_length(writer->message, &size, &maxfds);
	if (size > SIZE_MAX - 8)
		return ENOMEM;
	total = size + 8;
	if (total > writer->capacity) {
		unsigned char *buf = realloc(writer->buf, total);

		if (buf == NULL)
			return ENOMEM;
		writer->buf = buf;
		writer->capacity = total;
	}
	if (maxfds > writer->fds_capacity) {
		int *fds = reallocarray(writer->fds, maxfds, sizeof(int));

		if (fds == NULL)
			return ENOMEM;
		writer->fds = fds;
		writer->fds_capacity = maxfds;
	}
	/* A non-NULL array asks for renumbering even without descriptors. */
	writer->nfds = argdata_serialize(writer->message, writer->buf + 8,
	    writer->fds != NULL ? writer->fds : &unused);
	for (size_t i = 0; i < 8; i++)
		writer->buf[i] =
		    (unsigned char)((uint64_t)size >> (56 - 8 * i));
	writer->len = total;
	writer->written = 0;
	writer->prepared = true;
	return 0;
}

/* Sends the first bytes of the message with its descriptors attached. */
static ssize_t
send_with_fds(argdata_writer_t *writer, int fd)
{
	union {
		struct cmsghdr align;
		unsigned char bytes[CMSG_SPACE(KERNEL_MAX_FDS * sizeof(int))];
	} control;
	struct iovec iov = {
	    .iov_base = writer->buf,
	    .iov_len = writer->len,
	};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.bytes,
	    .msg_controllen = CMSG_SPACE(writer->nfds * sizeof(int)),
	};
	struct cmsghdr *cmsg;

	memset(&control, 0, sizeof(control));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(writer->nfds * sizeof(int));
	memcpy(CMSG_DATA(cmsg), writer->fds, writer->nfds * sizeof(int));
	return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

int
argdata_writer_push(argdata_writer_t *writer, int fd)
{
	bool is_socket = true;
	int error;

	if (writer->message == NULL)
		return 0;
	if (!writer->prepared) {
		error = prepare(writer);
		if (error != 0)
			return error;
	}
	/* Refused before anything is sent, so the stream stays intact. */
	if (writer->nfds > KERNEL_MAX_FDS)
		return EMSGSIZE;

	while (writer->written < writer->len) {
		const unsigned char *p = writer->buf + writer->written;
		size_t left = writer->len - writer->written;
		ssize_t n;

		if (writer->written == 0 && writer->nfds > 0) {
			n = send_with_fds(writer, fd);
		} else if (is_socket) {
			n = send(fd, p, left, MSG_NOSIGNAL);
			if (n < 0 && errno == ENOTSOCK) {
				is_socket = false;
				n = write(fd, p, left);
			}
		} else {
			n = write(fd, p, left);
		}
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		writer->written += (size_t)n;
	}
	writer->message = NULL;
	writer->prepared = false;
	writer->written = 0;
	return 0;
}
