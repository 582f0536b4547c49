/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata_reader_*: reads framed argdata messages (an 8-byte big-endian
 * length, then the data) from a stream socket, a pipe or a file, with the
 * descriptors that travel as SCM_RIGHTS alongside the first bytes.
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

/*
 * Linux refuses to carry more than SCM_MAX_FD descriptors in one message,
 * and one recvmsg() never returns descriptors of two messages.
 */
#define KERNEL_MAX_FDS 253

/* The first allocation for message data; it grows as bytes arrive. */
#define DATA_MIN_CAPACITY 4096

enum reader_state {
	/* Reading the 8-byte header of a message. */
	READ_HEADER,
	/* Reading (or, when skipping, discarding) the data of a message. */
	READ_DATA,
	/* A message is complete (or end-of-file reached); see message. */
	COMPLETE,
};

struct argdata_reader_t {
	size_t max_data_len;
	size_t max_fds;

	enum reader_state state;
	/*
	 * Set when the current message broke a limit or lost descriptors:
	 * the error has been reported and the rest of the message is read
	 * and thrown away, descriptors included.
	 */
	bool skipping;

	unsigned char header[8];
	size_t header_len;

	/* The length announced by the header, and how much has arrived. */
	uint64_t data_len;
	uint64_t data_received;
	unsigned char *data;
	size_t data_capacity;

	/*
	 * The descriptors of the current message, in order of arrival, which
	 * is the numbering the message uses. A released descriptor is -1.
	 */
	int *fds;
	size_t nfds;
	size_t fds_capacity;

	/* The completed message, or NULL at end-of-file. */
	argdata_t *message;

	/* Room for one SCM_RIGHTS message and credentials, if enabled. */
	size_t control_len;
	union {
		struct cmsghdr align;
		unsigned char bytes[1];
	} * control;
};

/* Maps a descriptor number in the message to a received descriptor. */
static int
convert_fd(void *arg, size_t number)
{
	const argdata_reader_t *reader = arg;

	if (number >= reader->nfds)
		return -1;
	return reader->fds[number];
}

argdata_reader_t *
argdata_reader_create(size_t max_data_len, size_t max_fds)
{
	argdata_reader_t *reader;
	size_t room;

	reader = calloc(1, sizeof(*reader));
	if (reader == NULL)
		return NULL;
	reader->max_data_len = max_data_len;
	reader->max_fds = max_fds;
	reader->state = READ_HEADER;

	/*
	 * Room for one descriptor more than allowed, so that a message with
	 * too many is told apart from a control message truncated for other
	 * reasons. The count is checked exactly, whatever CMSG_SPACE rounds
	 * up to. Credentials fit too, for sockets with SO_PASSCRED set.
	 */
	room = max_fds < KERNEL_MAX_FDS ? max_fds + 1 : KERNEL_MAX_FDS + 1;
	reader->control_len =
	    CMSG_SPACE(room * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred));
	reader->control = malloc(reader->control_len);
	if (reader->control == NULL) {
		free(reader);
		return NULL;
	}
	return reader;
}

/* Closes the descriptors of the current message that were not released. */
static void
close_fds(argdata_reader_t *reader)
{
	for (size_t i = 0; i < reader->nfds; i++)
		if (reader->fds[i] >= 0)
			close(reader->fds[i]);
	reader->nfds = 0;
}

/* Forgets the current message and prepares for the next header. */
static void
reset(argdata_reader_t *reader)
{
	argdata_free(reader->message);
	reader->message = NULL;
	close_fds(reader);
	reader->state = READ_HEADER;
	reader->skipping = false;
	reader->header_len = 0;
	reader->data_len = 0;
	reader->data_received = 0;
}

void
argdata_reader_free(argdata_reader_t *reader)
{
	int saved_errno = errno;

	if (reader == NULL)
		return;
	reset(reader);
	free(reader->fds);
	free(reader->data);
	free(reader->control);
	free(reader);
	errno = saved_errno;
}

const argdata_t *
argdata_reader_get(const argdata_reader_t *reader)
{
	return reader->state == COMPLETE ? reader->message : NULL;
}

int
argdata_reader_release_fd_checked(argdata_reader_t *reader, int fd)
{
	if (fd < 0 || reader->state != COMPLETE)
		return EBADF;
	for (size_t i = 0; i < reader->nfds; i++) {
		if (reader->fds[i] == fd) {
			reader->fds[i] = -1;
			return 0;
		}
	}
	return EBADF;
}

void
argdata_reader_release_fd(argdata_reader_t *reader, int fd)
{
	(void)argdata_reader_release_fd_checked(reader, fd);
}

/*
 * Takes the descriptors of a received control message. Returns 0, or
 * EMSGSIZE when the message now has more than max_fds, or EBADMSG when the
 * kernel truncated the control data (so descriptors were lost), or ENOMEM.
 * After an error, or while the message is skipped anyway, every descriptor
 * of the message is closed and the rest of the message will be skipped.
 */
static int
take_fds(argdata_reader_t *reader, const struct msghdr *msg)
{
	bool was_skipping = reader->skipping;
	int error = 0;

	for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	     cmsg = CMSG_NXTHDR((struct msghdr *)msg, cmsg)) {
		const unsigned char *p;
		size_t n;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		p = CMSG_DATA(cmsg);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, p + i * sizeof(int), sizeof(int));
			if (was_skipping || error != 0) {
				close(fd);
				continue;
			}
			if (reader->nfds >= reader->max_fds) {
				error = EMSGSIZE;
				close(fd);
				continue;
			}
			if (reader->nfds == reader->fds_capacity) {
				size_t cap = reader->fds_capacity * 2 + 8;
				int *fds;

				if (cap > reader->max_fds)
					cap = reader->max_fds;
				fds =
				    reallocarray(reader->fds, cap, sizeof(int));
				if (fds == NULL) {
					error = ENOMEM;
					close(fd);
					continue;
				}
				reader->fds = fds;
				reader->fds_capacity = cap;
			}
			reader->fds[reader->nfds++] = fd;
		}
	}
	if (was_skipping)
		return 0;
	if (error == 0 && (msg->msg_flags & MSG_CTRUNC) != 0)
		error = EBADMSG;
	if (error != 0) {
		close_fds(reader);
		reader->skipping = true;
	}
	return error;
}

/*
 * Reads at most len bytes into buf: with recvmsg() on a socket, so that
 * descriptors are received, or with read() on anything else. Stores the
 * number of bytes read in *got (0 at end-of-file) and returns 0, or returns
 * an errno value. Bytes that arrived with descriptors the reader refused
 * are stored in *got too: they belong to the message being skipped.
 */
static int
receive(argdata_reader_t *reader, int fd, bool *is_socket, void *buf,
    size_t len, size_t *got)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	*got = 0;
	if (*is_socket) {
		msg.msg_control = reader->control;
		msg.msg_controllen = reader->control_len;
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n >= 0) {
			/* Descriptors first: none may be dropped unseen. */
			int error = take_fds(reader, &msg);

			if ((msg.msg_flags & MSG_TRUNC) != 0) {
				/* A datagram was cut short: not a stream. */
				reset(reader);
				return EBADMSG;
			}
			*got = (size_t)n;
			return error;
		}
		if (errno != ENOTSOCK)
			return errno;
		*is_socket = false;
	}
	n = read(fd, buf, len);
	if (n < 0)
		return errno;
	*got = (size_t)n;
	return 0;
}

/* Makes room for more data; the buffer grows with what has arrived. */
static int
grow_data(argdata_reader_t *reader)
{
	size_t cap = reader->data_capacity;
	unsigned char *data;

	if (cap < DATA_MIN_CAPACITY)
		cap = DATA_MIN_CAPACITY;
	else if (cap <= SIZE_MAX / 2)
		cap *= 2;
	else
		cap = SIZE_MAX;
	/* data_len is at most max_data_len, so it fits in a size_t. */
	if (cap > reader->data_len)
		cap = (size_t)reader->data_len;
	data = realloc(reader->data, cap);
	if (data == NULL)
		return ENOMEM;
	reader->data = data;
	reader->data_capacity = cap;
	return 0;
}

int
argdata_reader_pull(argdata_reader_t *reader, int fd)
{
	static const unsigned char empty[1];
	unsigned char scratch[4096];
	bool is_socket = true;
	size_t got, want;
	void *dest;
	int error;

	if (reader->state == COMPLETE)
		reset(reader);
	for (;;) {
		if (reader->state == READ_HEADER &&
		    reader->header_len < sizeof(reader->header)) {
			error = receive(reader, fd, &is_socket,
			    reader->header + reader->header_len,
			    sizeof(reader->header) - reader->header_len, &got);
			reader->header_len += got;
			if (error != 0)
				return error;
			if (got == 0) {
				if (reader->header_len == 0) {
					/* End-of-file between messages. */
					reader->state = COMPLETE;
					return 0;
				}
				reset(reader);
				return EBADMSG;
			}
			continue;
		}
		if (reader->state == READ_HEADER) {
			reader->data_len = 0;
			for (size_t i = 0; i < sizeof(reader->header); i++)
				reader->data_len =
				    reader->data_len << 8 | reader->header[i];
			reader->data_received = 0;
			reader->state = READ_DATA;
			if (!reader->skipping &&
			    reader->data_len > reader->max_data_len) {
				close_fds(reader);
				reader->skipping = true;
				return EMSGSIZE;
			}
			continue;
		}

		if (reader->data_received == reader->data_len) {
			if (reader->skipping) {
				reset(reader);
				continue;
			}
			reader->message = argdata_from_buffer(
			    reader->data != NULL ? reader->data : empty,
			    (size_t)reader->data_len, convert_fd, reader);
			if (reader->message == NULL)
				return errno != 0 ? errno : ENOMEM;
			reader->state = COMPLETE;
			return 0;
		}
		if (reader->skipping) {
			dest = scratch;
			want = sizeof(scratch);
		} else {
			if (reader->data_received == reader->data_capacity) {
				error = grow_data(reader);
				if (error != 0)
					return error;
			}
			dest = reader->data + reader->data_received;
			want = reader->data_capacity -
			    (size_t)reader->data_received;
		}
		if (want > reader->data_len - reader->data_received)
			want =
			    (size_t)(reader->data_len - reader->data_received);
		error = receive(reader, fd, &is_socket, dest, want, &got);
		reader->data_received += got;
		if (error != 0)
			return error;
		if (got == 0) {
			reset(reader);
			return EBADMSG;
		}
	}
}
