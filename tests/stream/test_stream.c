/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of argdata_reader_* and argdata_writer_*: messages with and without
 * descriptors over socketpairs, pipes and files, partial I/O on
 * non-blocking sockets, and every error the header documents.
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "argdata.h"
#include "alloc_inject.h"
#include "testutil.h"

/*
 * The reader and writer call recvmsg, read, send, sendmsg and write; the
 * test links with --wrap for each, so that it can make every call move at
 * most one byte and fail with EAGAIN every other time, or shrink the
 * control buffer the reader offers to the kernel.
 */
static bool one_byte_mode;
static uint32_t io_calls;
static size_t control_limit;

ssize_t __real_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __real_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t __real_send(int fd, const void *buf, size_t len, int flags);
ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len);

/*
 * In one-byte mode, about every other call fails as if nothing were ready,
 * chosen by a fixed pseudo-random sequence so that no caller's retries
 * fall into step with it.
 */
static bool
inject_eagain(void)
{
	if (!one_byte_mode)
		return false;
	io_calls = io_calls * 1103515245 + 12345;
	if ((io_calls >> 16) & 1) {
		errno = EAGAIN;
		return true;
	}
	return false;
}

ssize_t
__wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct iovec *saved = msg->msg_iov, one;
	ssize_t n;

	if (control_limit != 0 && msg->msg_controllen > control_limit)
		msg->msg_controllen = control_limit;
	if (inject_eagain())
		return -1;
	if (!one_byte_mode || msg->msg_iovlen != 1 || saved[0].iov_len <= 1)
		return __real_recvmsg(fd, msg, flags);
	one = saved[0];
	one.iov_len = 1;
	msg->msg_iov = &one;
	n = __real_recvmsg(fd, msg, flags);
	msg->msg_iov = saved;
	return n;
}

ssize_t
__wrap_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct msghdr copy = *msg;
	struct iovec one;

	if (inject_eagain())
		return -1;
	if (!one_byte_mode || msg->msg_iovlen != 1 ||
	    msg->msg_iov[0].iov_len <= 1)
		return __real_sendmsg(fd, msg, flags);
	one = msg->msg_iov[0];
	one.iov_len = 1;
	copy.msg_iov = &one;
	return __real_sendmsg(fd, &copy, flags);
}

ssize_t
__wrap_send(int fd, const void *buf, size_t len, int flags)
{
	if (inject_eagain())
		return -1;
	return __real_send(fd, buf, one_byte_mode && len > 1 ? 1 : len, flags);
}

ssize_t
__wrap_read(int fd, void *buf, size_t len)
{
	if (inject_eagain())
		return -1;
	return __real_read(fd, buf, one_byte_mode && len > 1 ? 1 : len);
}

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	if (inject_eagain())
		return -1;
	return __real_write(fd, buf, one_byte_mode && len > 1 ? 1 : len);
}

static int
setup(void **state)
{
	one_byte_mode = false;
	io_calls = 0;
	control_limit = 0;
	return test_fds_setup(state);
}

static int
teardown(void **state)
{
	one_byte_mode = false;
	control_limit = 0;
	return test_fds_teardown(state);
}

/* Whether two descriptors refer to the same open file's inode. */
static bool
same_file(int a, int b)
{
	struct stat sa, sb;

	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(b, &sb), 0);
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
make_socketpair(int sv[2], int type)
{
	assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
}

static void
set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	assert_true(flags >= 0);
	assert_int_equal(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
}

static void
close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* Whether fd has nothing to read right now. */
static bool
nothing_to_read(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

/* Sends one message built from a single value with a writer. */
static void
push_value(int fd, const argdata_t *ad)
{
	argdata_writer_t *writer = argdata_writer_create();

	assert_non_null(writer);
	argdata_writer_set(writer, ad);
	assert_int_equal(argdata_writer_push(writer, fd), 0);
	argdata_writer_free(writer);
}

/* Sends a message of nfds descriptor values, all equal to fd. */
static void
push_fds(int sock, int fd, size_t nfds)
{
	argdata_t **fds = calloc(nfds, sizeof(*fds));
	int *dups = calloc(nfds, sizeof(int));
	argdata_t *seq;

	assert_non_null(fds);
	assert_non_null(dups);
	/* Distinct descriptors, so that each one travels. */
	for (size_t i = 0; i < nfds; i++) {
		dups[i] = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		assert_true(dups[i] >= 0);
		fds[i] = argdata_create_fd(dups[i]);
		assert_non_null(fds[i]);
	}
	seq = argdata_create_seq((argdata_t const *const *)fds, nfds);
	assert_non_null(seq);
	push_value(sock, seq);
	argdata_free(seq);
	for (size_t i = 0; i < nfds; i++) {
		argdata_free(fds[i]);
		close(dups[i]);
	}
	free(fds);
	free(dups);
}

static void
push_int(int fd, intmax_t value)
{
	argdata_t *ad = argdata_create_int(value);

	assert_non_null(ad);
	push_value(fd, ad);
	argdata_free(ad);
}

/* Pulls the next message and checks that it is the integer value. */
static void
pull_int(argdata_reader_t *reader, int fd, intmax_t value)
{
	intmax_t got;

	assert_int_equal(argdata_reader_pull(reader, fd), 0);
	assert_non_null(argdata_reader_get(reader));
	assert_int_equal(argdata_get_int_s(argdata_reader_get(reader), &got,
	                     INTMAX_MIN, INTMAX_MAX),
	    0);
	assert_int_equal(got, value);
}

/* Pulls and expects a clean end-of-file. */
static void
pull_eof(argdata_reader_t *reader, int fd)
{
	assert_int_equal(argdata_reader_pull(reader, fd), 0);
	assert_null(argdata_reader_get(reader));
}

/*
 * The tree {"in": fd a, "out": fd b, "again": [fd a, "x"]}: two distinct
 * descriptors, one of them twice.
 */
struct fd_tree {
	argdata_t *fa, *fb, *fa2, *x, *seq, *keys[3], *map;
	const argdata_t *values[3];
	const argdata_t *elems[2];
};

static void
fd_tree_build(struct fd_tree *t, int a, int b)
{
	t->fa = argdata_create_fd(a);
	t->fb = argdata_create_fd(b);
	t->fa2 = argdata_create_fd(a);
	t->x = argdata_create_str_c("x");
	t->elems[0] = t->fa2;
	t->elems[1] = t->x;
	t->seq = argdata_create_seq(t->elems, 2);
	t->keys[0] = argdata_create_str_c("in");
	t->keys[1] = argdata_create_str_c("out");
	t->keys[2] = argdata_create_str_c("again");
	t->values[0] = t->fa;
	t->values[1] = t->fb;
	t->values[2] = t->seq;
	t->map =
	    argdata_create_map((argdata_t const *const *)t->keys, t->values, 3);
	assert_non_null(t->map);
}

static void
fd_tree_free(struct fd_tree *t)
{
	argdata_free(t->map);
	for (size_t i = 0; i < 3; i++)
		argdata_free(t->keys[i]);
	argdata_free(t->seq);
	argdata_free(t->x);
	argdata_free(t->fa2);
	argdata_free(t->fb);
	argdata_free(t->fa);
}

/*
 * Finds the value of key in a map message. The value lives in *it (the
 * iterator holds the element it decoded), so the caller owns the iterator.
 */
static const argdata_t *
lookup(const argdata_t *map, const char *key, argdata_map_iterator_t *it)
{
	const argdata_t *k, *v;
	const char *s;

	argdata_map_iterate(map, it);
	while (argdata_map_get(it, &k, &v)) {
		if (argdata_get_str_c(k, &s) == 0 && strcmp(s, key) == 0)
			return v;
		argdata_map_next(it);
	}
	fail_msg("key %s missing", key);
	return NULL;
}

/* Checks a received fd_tree against the descriptors a and b. */
static void
fd_tree_check(const argdata_t *ad, int a, int b, int *ra, int *rb)
{
	argdata_map_iterator_t mit;
	argdata_seq_iterator_t it;
	const argdata_t *e;
	int again;

	assert_int_equal(argdata_get_fd(lookup(ad, "in", &mit), ra), 0);
	assert_int_equal(argdata_get_fd(lookup(ad, "out", &mit), rb), 0);
	assert_int_not_equal(*ra, a);
	assert_int_not_equal(*ra, *rb);
	assert_true(same_file(*ra, a));
	assert_true(same_file(*rb, b));
	assert_int_equal(fcntl(*ra, F_GETFD), FD_CLOEXEC);
	assert_int_equal(fcntl(*rb, F_GETFD), FD_CLOEXEC);
	argdata_seq_iterate(lookup(ad, "again", &mit), &it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &again), 0);
	assert_int_equal(again, *ra);
}

static void
test_argdata_writer_push__socketpair_fds(void **state)
{
	struct fd_tree t;
	argdata_reader_t *reader;
	int sv[2], p[2], ra, rb;

	make_socketpair(sv, SOCK_STREAM);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fd_tree_build(&t, p[0], p[1]);
	push_value(sv[0], t.map);

	reader = argdata_reader_create(4096, 2);
	assert_non_null(reader);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), 0);
	fd_tree_check(argdata_reader_get(reader), p[0], p[1], &ra, &rb);

	/* Freeing the reader closes what it received. */
	argdata_reader_free(reader);
	assert_int_equal(fcntl(ra, F_GETFD), -1);
	assert_int_equal(fcntl(rb, F_GETFD), -1);
	fd_tree_free(&t);
	close_pair(p);
	close_pair(sv);
}

static void
test_argdata_writer_push__wire_format(void **state)
{
	/* [0, true, "A"] behind its 8-byte big-endian length. */
	static const unsigned char expected[] = {0, 0, 0, 0, 0, 0, 0, 10, 0x07,
	    0x81, 0x05, 0x82, 0x02, 0x01, 0x83, 0x08, 0x41, 0x00};
	argdata_t *zero = argdata_create_int(0), *a = argdata_create_str_c("A");
	const argdata_t *elems[] = {zero, &argdata_true, a};
	argdata_t *seq = argdata_create_seq(elems, 3);
	unsigned char got[sizeof(expected) + 1];
	int sv[2];

	make_socketpair(sv, SOCK_STREAM);
	push_value(sv[0], seq);
	close(sv[0]);
	assert_int_equal(read(sv[1], got, sizeof(got)), sizeof(expected));
	assert_memory_equal(got, expected, sizeof(expected));
	close(sv[1]);
	argdata_free(seq);
	argdata_free(a);
	argdata_free(zero);
}

static void
test_argdata_reader_pull__pipe_without_fds(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(64, 0);
	int p[2];

	assert_non_null(reader);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	push_int(p[1], 1);
	push_int(p[1], -300);
	push_value(p[1], &argdata_null);
	close(p[1]);
	pull_int(reader, p[0], 1);
	pull_int(reader, p[0], -300);
	assert_int_equal(argdata_reader_pull(reader, p[0]), 0);
	assert_non_null(argdata_reader_get(reader));
	pull_eof(reader, p[0]);
	/* End-of-file stays end-of-file. */
	pull_eof(reader, p[0]);
	argdata_reader_free(reader);
	close(p[0]);
}

static void
test_argdata_reader_pull__file(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(64, 0);
	int fd = memfd_create("stream", MFD_CLOEXEC);

	assert_true(fd >= 0);
	push_int(fd, 42);
	push_int(fd, 43);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	pull_int(reader, fd, 42);
	pull_int(reader, fd, 43);
	pull_eof(reader, fd);
	argdata_reader_free(reader);
	close(fd);
}

static void
test_argdata_reader_pull__large_message(void **state)
{
	size_t len = 3 << 20;
	unsigned char *bytes = malloc(len);
	argdata_t *bin;
	argdata_reader_t *reader = argdata_reader_create(len + 16, 0);
	argdata_writer_t *writer = argdata_writer_create();
	const void *got;
	size_t gotlen;
	int sv[2], wr = EAGAIN, rd = EAGAIN, rounds = 0;

	assert_non_null(bytes);
	for (size_t i = 0; i < len; i++)
		bytes[i] = (unsigned char)(i * 7 + (i >> 9));
	bin = argdata_create_binary(bytes, len);
	make_socketpair(sv, SOCK_STREAM);
	set_nonblocking(sv[0]);
	set_nonblocking(sv[1]);
	argdata_writer_set(writer, bin);
	/* The kernel takes it in parts: both sides resume after EAGAIN. */
	while (wr != 0 || rd != 0) {
		if (wr != 0) {
			wr = argdata_writer_push(writer, sv[0]);
			assert_true(wr == 0 || wr == EAGAIN);
		}
		if (rd != 0) {
			rd = argdata_reader_pull(reader, sv[1]);
			assert_true(rd == 0 || rd == EAGAIN);
		}
		rounds++;
	}
	assert_true(rounds > 2);
	assert_int_equal(
	    argdata_get_binary(argdata_reader_get(reader), &got, &gotlen), 0);
	assert_int_equal(gotlen, len);
	assert_memory_equal(got, bytes, len);
	argdata_writer_free(writer);
	argdata_reader_free(reader);
	argdata_free(bin);
	free(bytes);
	close_pair(sv);
}

static void
test_argdata_reader_pull__one_byte_at_a_time(void **state)
{
	struct fd_tree t;
	argdata_reader_t *reader = argdata_reader_create(4096, 2);
	argdata_writer_t *writer = argdata_writer_create();
	size_t len, calls = 0;
	int sv[2], p[2], ra, rb, wr = EAGAIN, rd = EAGAIN;

	make_socketpair(sv, SOCK_STREAM);
	set_nonblocking(sv[0]);
	set_nonblocking(sv[1]);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fd_tree_build(&t, p[0], p[1]);
	argdata_serialized_length(t.map, &len, NULL);
	argdata_writer_set(writer, t.map);

	/*
	 * Every call moves one byte or fails with EAGAIN, the reader often
	 * running ahead of the writer and meeting a real EAGAIN.
	 */
	one_byte_mode = true;
	while (wr != 0 || rd != 0) {
		if (wr != 0 && calls % 3 != 2) {
			wr = argdata_writer_push(writer, sv[0]);
			assert_true(wr == 0 || wr == EAGAIN);
		}
		if (rd != 0) {
			rd = argdata_reader_pull(reader, sv[1]);
			assert_true(rd == 0 || rd == EAGAIN);
		}
		assert_true(++calls < 100 * (len + 8));
	}
	one_byte_mode = false;
	assert_true(calls > len + 8);
	fd_tree_check(argdata_reader_get(reader), p[0], p[1], &ra, &rb);

	/* The next message, after the last byte of this one, is EOF. */
	close(sv[0]);
	pull_eof(reader, sv[1]);
	argdata_writer_free(writer);
	argdata_reader_free(reader);
	fd_tree_free(&t);
	close_pair(p);
	close(sv[1]);
}

static void
test_argdata_reader_pull__pipe_one_byte_at_a_time(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(64, 0);
	argdata_writer_t *writer = argdata_writer_create();
	argdata_t *ad = argdata_create_str_c("piped");
	const char *s;
	int p[2], wr = EAGAIN, rd = EAGAIN;

	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	argdata_writer_set(writer, ad);
	one_byte_mode = true;
	while (wr != 0 || rd != 0) {
		if (wr != 0)
			wr = argdata_writer_push(writer, p[1]);
		if (rd != 0)
			rd = argdata_reader_pull(reader, p[0]);
		assert_true(wr == 0 || wr == EAGAIN);
		assert_true(rd == 0 || rd == EAGAIN);
	}
	one_byte_mode = false;
	assert_int_equal(argdata_get_str_c(argdata_reader_get(reader), &s), 0);
	assert_string_equal(s, "piped");
	argdata_writer_free(writer);
	argdata_reader_free(reader);
	argdata_free(ad);
	close_pair(p);
}

/*
 * Refused messages are skipped correctly even when every call moves one
 * byte: one with too many descriptors, one too large, then one that fits.
 */
static void
test_argdata_reader_pull__skip_one_byte_at_a_time(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(24, 1);
	argdata_writer_t *writer = argdata_writer_create();
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), sv[2];
	int dup = fcntl(null, F_DUPFD_CLOEXEC, 0);
	argdata_t *fds[2], *two, *big, *good;
	const argdata_t *messages[3];
	int expected[3] = {EMSGSIZE, EMSGSIZE, 0};
	size_t pulled = 0, pushed = 0, calls = 0;
	intmax_t v;

	fds[0] = argdata_create_fd(null);
	fds[1] = argdata_create_fd(dup);
	two = argdata_create_seq((const argdata_t *const *)fds, 2);
	big = argdata_create_str_c("a string of more than twenty-four bytes");
	good = argdata_create_int(99);
	messages[0] = two;
	messages[1] = big;
	messages[2] = good;
	make_socketpair(sv, SOCK_STREAM);
	set_nonblocking(sv[0]);
	set_nonblocking(sv[1]);

	one_byte_mode = true;
	argdata_writer_set(writer, messages[0]);
	while (pulled < 3) {
		int error;

		if (pushed < 3) {
			error = argdata_writer_push(writer, sv[0]);
			assert_true(error == 0 || error == EAGAIN);
			if (error == 0 && ++pushed < 3)
				argdata_writer_set(writer, messages[pushed]);
		}
		error = argdata_reader_pull(reader, sv[1]);
		if (error != EAGAIN) {
			assert_int_equal(error, expected[pulled]);
			pulled++;
		}
		assert_true(++calls < 100000);
	}
	one_byte_mode = false;
	assert_int_equal(argdata_get_int_s(argdata_reader_get(reader), &v,
	                     INTMAX_MIN, INTMAX_MAX),
	    0);
	assert_int_equal(v, 99);

	argdata_writer_free(writer);
	argdata_reader_free(reader);
	argdata_free(good);
	argdata_free(big);
	argdata_free(two);
	argdata_free(fds[1]);
	argdata_free(fds[0]);
	close(dup);
	close(null);
	close_pair(sv);
}

static void
test_argdata_reader_pull__max_fds_exact(void **state)
{
	argdata_reader_t *reader;
	int sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC), before;

	assert_true(null >= 0);
	make_socketpair(sv, SOCK_STREAM);
	reader = argdata_reader_create(4096, 1);
	assert_non_null(reader);

	/* One descriptor is within the limit. */
	push_fds(sv[0], null, 1);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), 0);

	/*
	 * Two are not, although the control buffer rounds up to room for
	 * two; both are closed and the next message reads normally.
	 */
	push_fds(sv[0], null, 2);
	push_int(sv[0], 7);
	before = test_count_fds();
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EMSGSIZE);
	assert_null(argdata_reader_get(reader));
	/* The one descriptor of the previous message is closed too. */
	assert_int_equal(test_count_fds(), before - 1);
	pull_int(reader, sv[1], 7);
	argdata_reader_free(reader);

	/* A limit of 0 refuses a single descriptor. */
	reader = argdata_reader_create(4096, 0);
	push_fds(sv[0], null, 1);
	push_int(sv[0], 8);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EMSGSIZE);
	pull_int(reader, sv[1], 8);
	argdata_reader_free(reader);
	close(null);
	close_pair(sv);
}

static void
test_argdata_reader_pull__far_too_many_fds(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(4096, 4);
	int sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* More than the control buffer holds: the kernel truncates. */
	make_socketpair(sv, SOCK_STREAM);
	push_fds(sv[0], null, 100);
	push_int(sv[0], 9);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EMSGSIZE);
	pull_int(reader, sv[1], 9);
	argdata_reader_free(reader);
	close(null);
	close_pair(sv);
}

static void
test_argdata_reader_pull__control_truncated(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(4096, 10);
	int sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/*
	 * Three descriptors within the limit, but the control buffer offered
	 * to the kernel only holds two: the message is refused as damaged
	 * and the two that arrived are closed.
	 */
	make_socketpair(sv, SOCK_STREAM);
	push_fds(sv[0], null, 3);
	push_int(sv[0], 10);
	control_limit = CMSG_SPACE(2 * sizeof(int));
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EBADMSG);
	assert_null(argdata_reader_get(reader));
	control_limit = 0;
	pull_int(reader, sv[1], 10);
	argdata_reader_free(reader);
	close(null);
	close_pair(sv);
}

static void
test_argdata_reader_pull__oversized(void **state)
{
	static const unsigned char oversized[] = {0, 0, 0, 0, 0, 0, 0, 100, 1,
	    2, 3};
	argdata_reader_t *reader = argdata_reader_create(16, 4);
	char big[100];
	argdata_t *ad;
	int sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC), before;

	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ad = argdata_create_str_c(big);
	make_socketpair(sv, SOCK_STREAM);

	/* An oversized message is reported, then skipped. */
	push_value(sv[0], ad);
	push_int(sv[0], 11);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EMSGSIZE);
	assert_null(argdata_reader_get(reader));
	pull_int(reader, sv[1], 11);

	/* Its descriptors are closed at once. */
	push_fds(sv[0], null, 4);
	push_int(sv[0], 12);
	before = test_count_fds();
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EMSGSIZE);
	assert_int_equal(test_count_fds(), before);
	pull_int(reader, sv[1], 12);

	/* Exactly the limit is accepted: 1 tag, 14 bytes, 1 NUL. */
	memset(big, 'c', 14);
	big[14] = '\0';
	argdata_free(ad);
	ad = argdata_create_str_c(big);
	push_value(sv[0], ad);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), 0);

	/* An oversized message cut short by end-of-file while skipped. */
	assert_int_equal(write(sv[0], oversized, sizeof(oversized)),
	    sizeof(oversized));
	shutdown(sv[0], SHUT_WR);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EMSGSIZE);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EBADMSG);
	pull_eof(reader, sv[1]);
	argdata_free(ad);
	argdata_reader_free(reader);
	close(null);
	close_pair(sv);
}

static void
test_argdata_reader_pull__truncated(void **state)
{
	static const unsigned char header[] = {0, 0, 0, 0, 0, 0, 0, 5, 8};
	argdata_reader_t *reader = argdata_reader_create(64, 0);
	int p[2];

	/* End-of-file inside the header. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write(p[1], header, 3), 3);
	close(p[1]);
	assert_int_equal(argdata_reader_pull(reader, p[0]), EBADMSG);
	assert_null(argdata_reader_get(reader));
	pull_eof(reader, p[0]);
	close(p[0]);

	/* End-of-file inside the data. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write(p[1], header, sizeof(header)), sizeof(header));
	close(p[1]);
	assert_int_equal(argdata_reader_pull(reader, p[0]), EBADMSG);
	pull_eof(reader, p[0]);
	close(p[0]);
	argdata_reader_free(reader);
}

static void
test_argdata_reader_pull__seqpacket(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(64, 0);
	int sv[2];

	/* Records are not a stream: the reader refuses to cut one short. */
	make_socketpair(sv, SOCK_SEQPACKET);
	push_int(sv[0], 5);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EBADMSG);
	argdata_reader_free(reader);
	close_pair(sv);
}

static void
test_argdata_reader_pull__read_error(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(64, 0);
	int sv[2];

	make_socketpair(sv, SOCK_STREAM);
	set_nonblocking(sv[1]);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), EAGAIN);
	assert_null(argdata_reader_get(reader));
	assert_int_equal(argdata_reader_pull(reader, -1), EBADF);
	push_int(sv[0], 13);
	pull_int(reader, sv[1], 13);
	argdata_reader_free(reader);
	close_pair(sv);
}

static void
test_argdata_reader_release_fd_checked__ownership(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(4096, 4);
	argdata_seq_iterator_t it;
	const argdata_t *e;
	int sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC), kept, other,
	           fd;

	make_socketpair(sv, SOCK_STREAM);
	/* Nothing is owned before the first message. */
	assert_int_equal(argdata_reader_release_fd_checked(reader, null),
	    EBADF);

	push_fds(sv[0], null, 2);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), 0);
	argdata_seq_iterate(argdata_reader_get(reader), &it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &kept), 0);
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &other), 0);

	assert_int_equal(argdata_reader_release_fd_checked(reader, kept), 0);
	/* Released once only; the message no longer gives it out. */
	assert_int_equal(argdata_reader_release_fd_checked(reader, kept),
	    EBADF);
	argdata_seq_iterate(argdata_reader_get(reader), &it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &fd), EBADF);
	/* Descriptors the reader never owned. */
	assert_int_equal(argdata_reader_release_fd_checked(reader, null),
	    EBADF);
	assert_int_equal(argdata_reader_release_fd_checked(reader, -1), EBADF);
	assert_int_equal(argdata_reader_release_fd_checked(reader, 100000),
	    EBADF);

	/* The next pull closes the other one but not the released one. */
	close(sv[0]);
	pull_eof(reader, sv[1]);
	assert_int_equal(fcntl(other, F_GETFD), -1);
	assert_int_equal(fcntl(kept, F_GETFD), FD_CLOEXEC);
	assert_true(same_file(kept, null));
	/* Nor does a message at end-of-file own anything. */
	assert_int_equal(argdata_reader_release_fd_checked(reader, other),
	    EBADF);
	close(kept);
	argdata_reader_free(reader);
	close(null);
	close(sv[1]);
}

/*
 * CloudABI's form returns nothing and keeps the same behaviour: a released
 * descriptor survives the next pull, and a descriptor the reader does not
 * own is left alone.
 */
static void
test_argdata_reader_release_fd__cloudabi_signature(void **state)
{
	void (*release)(argdata_reader_t *, int) = argdata_reader_release_fd;
	argdata_reader_t *reader = argdata_reader_create(4096, 4);
	argdata_seq_iterator_t it;
	const argdata_t *e;
	int sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC), kept, other,
	           fd;

	make_socketpair(sv, SOCK_STREAM);
	release(reader, null);
	push_fds(sv[0], null, 2);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), 0);
	argdata_seq_iterate(argdata_reader_get(reader), &it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &kept), 0);
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &other), 0);

	release(reader, kept);
	release(reader, kept);
	release(reader, null);
	release(reader, -1);
	argdata_seq_iterate(argdata_reader_get(reader), &it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &fd), EBADF);
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &e));
	assert_int_equal(argdata_get_fd(e, &fd), 0);
	assert_int_equal(fd, other);

	close(sv[0]);
	pull_eof(reader, sv[1]);
	assert_int_equal(fcntl(other, F_GETFD), -1);
	assert_int_equal(fcntl(kept, F_GETFD), FD_CLOEXEC);
	assert_true(same_file(kept, null));
	assert_int_equal(fcntl(null, F_GETFD), FD_CLOEXEC);
	close(kept);
	argdata_reader_free(reader);
	close(null);
	close(sv[1]);
}

static void
test_argdata_writer_push__kernel_fd_limit(void **state)
{
	argdata_reader_t *reader = argdata_reader_create(1 << 16, 300);
	argdata_writer_t *writer = argdata_writer_create();
	argdata_t *fds[254], *seq;
	int dups[254], sv[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	make_socketpair(sv, SOCK_STREAM);
	for (size_t i = 0; i < 254; i++) {
		dups[i] = fcntl(null, F_DUPFD_CLOEXEC, 0);
		assert_true(dups[i] >= 0);
		fds[i] = argdata_create_fd(dups[i]);
	}

	/* 254 distinct descriptors: refused, nothing sent. */
	seq = argdata_create_seq((argdata_t const *const *)fds, 254);
	argdata_writer_set(writer, seq);
	assert_int_equal(argdata_writer_push(writer, sv[0]), EMSGSIZE);
	assert_int_equal(argdata_writer_push(writer, sv[0]), EMSGSIZE);
	assert_true(nothing_to_read(sv[1]));
	argdata_free(seq);

	/* The writer stays usable: 253 is the most that travels. */
	seq = argdata_create_seq((argdata_t const *const *)fds, 253);
	argdata_writer_set(writer, seq);
	assert_int_equal(argdata_writer_push(writer, sv[0]), 0);
	/* A message already sent is not sent twice. */
	assert_int_equal(argdata_writer_push(writer, sv[0]), 0);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), 0);
	assert_true(nothing_to_read(sv[1]));
	argdata_free(seq);

	/* Duplicates share one slot: 254 values, 2 descriptors. */
	for (size_t i = 2; i < 254; i++) {
		argdata_free(fds[i]);
		fds[i] = argdata_create_fd(dups[i % 2]);
	}
	seq = argdata_create_seq((argdata_t const *const *)fds, 254);
	argdata_writer_set(writer, seq);
	assert_int_equal(argdata_writer_push(writer, sv[0]), 0);
	assert_int_equal(argdata_reader_pull(reader, sv[1]), 0);
	argdata_free(seq);

	for (size_t i = 0; i < 254; i++) {
		argdata_free(fds[i]);
		close(dups[i]);
	}
	argdata_writer_free(writer);
	argdata_reader_free(reader);
	close(null);
	close_pair(sv);
}

static void
test_argdata_writer_push__not_a_socket(void **state)
{
	argdata_writer_t *writer = argdata_writer_create();
	argdata_t *fd;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fd = argdata_create_fd(p[0]);
	argdata_writer_set(writer, fd);
	assert_int_equal(argdata_writer_push(writer, p[1]), ENOTSOCK);
	/* Nothing was written and another message goes through. */
	argdata_writer_set(writer, &argdata_true);
	assert_int_equal(argdata_writer_push(writer, p[1]), 0);
	close(p[1]);
	{
		argdata_reader_t *reader = argdata_reader_create(8, 0);
		bool b;

		assert_int_equal(argdata_reader_pull(reader, p[0]), 0);
		assert_int_equal(
		    argdata_get_bool(argdata_reader_get(reader), &b), 0);
		assert_true(b);
		pull_eof(reader, p[0]);
		argdata_reader_free(reader);
	}
	argdata_free(fd);
	argdata_writer_free(writer);
	close(p[0]);
}

static void
test_argdata_writer_push__errors(void **state)
{
	argdata_writer_t *writer = argdata_writer_create();
	int sv[2];

	/* Nothing set: nothing to do. */
	assert_int_equal(argdata_writer_push(writer, -1), 0);

	argdata_writer_set(writer, &argdata_false);
	assert_int_equal(argdata_writer_push(writer, -1), EBADF);

	/* A closed peer is EPIPE, without SIGPIPE. */
	make_socketpair(sv, SOCK_STREAM);
	close(sv[1]);
	assert_int_equal(argdata_writer_push(writer, sv[0]), EPIPE);
	close(sv[0]);
	argdata_writer_free(writer);
}

/* Arms the injection: allocation n from now on (counting from 0) fails. */
static void
fail_allocation(size_t n)
{
	alloc_inject_reset(n + 1);
}

/* Pushes with allocations failing; without them once it reports ENOMEM. */
static void
push_despite(argdata_writer_t *writer, int fd)
{
	int error = argdata_writer_push(writer, fd);

	alloc_inject_stop();
	if (error == ENOMEM)
		error = argdata_writer_push(writer, fd);
	assert_int_equal(error, 0);
}

static void
test_argdata_reader_pull__out_of_memory(void **state)
{
	static unsigned char payload[10000];
	argdata_t *fds[2], *bin, *seq, *seven;
	const argdata_t *elems[3];
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int dup = fcntl(null, F_DUPFD_CLOEXEC, 0);
	size_t n;

	fds[0] = argdata_create_fd(null);
	fds[1] = argdata_create_fd(dup);
	bin = argdata_create_binary(payload, sizeof(payload));
	seven = argdata_create_int(7);
	elems[0] = fds[0];
	elems[1] = fds[1];
	elems[2] = bin;
	seq = argdata_create_seq(elems, 3);

	/*
	 * Each allocation of a writer and a reader passing a message with
	 * descriptors and data fails in turn: every call reports ENOMEM (or
	 * NULL with errno ENOMEM), nothing leaks, and the stream goes on.
	 */
	for (n = 0;; n++) {
		argdata_reader_t *reader;
		argdata_writer_t *writer;
		const void *got;
		size_t len, k;
		int sv[2], error, a, b;
		bool hit;

		make_socketpair(sv, SOCK_STREAM);
		set_nonblocking(sv[1]);
		fail_allocation(n);
		reader = argdata_reader_create(1 << 16, 2);
		writer = argdata_writer_create();
		alloc_inject_stop();
		/* Creation took the first alloc_inject_count() allocations. */
		k = n - alloc_inject_count();
		if (reader == NULL || writer == NULL) {
			assert_int_equal(errno, ENOMEM);
			argdata_reader_free(reader);
			argdata_writer_free(writer);
			close_pair(sv);
			continue;
		}
		fail_allocation(k);
		argdata_writer_set(writer, seq);
		push_despite(writer, sv[0]);
		argdata_writer_set(writer, seven);
		push_despite(writer, sv[0]);
		hit = alloc_inject_failed();

		fail_allocation(k);
		error = argdata_reader_pull(reader, sv[1]);
		alloc_inject_stop();
		hit |= alloc_inject_failed();
		if (error == ENOMEM) {
			/* Retried, or the message was skipped. */
			error = argdata_reader_pull(reader, sv[1]);
		}
		assert_int_equal(error, 0);
		if (argdata_get_int_s(argdata_reader_get(reader),
		        &(intmax_t){0}, 7, 7) != 0) {
			argdata_seq_iterator_t it;
			const argdata_t *e;

			argdata_seq_iterate(argdata_reader_get(reader), &it);
			assert_true(argdata_seq_get(&it, &e));
			assert_int_equal(argdata_get_fd(e, &a), 0);
			argdata_seq_next(&it);
			assert_true(argdata_seq_get(&it, &e));
			assert_int_equal(argdata_get_fd(e, &b), 0);
			assert_true(same_file(a, null) && same_file(b, null));
			argdata_seq_next(&it);
			assert_true(argdata_seq_get(&it, &e));
			assert_int_equal(argdata_get_binary(e, &got, &len), 0);
			assert_int_equal(len, sizeof(payload));
			pull_int(reader, sv[1], 7);
		}
		argdata_reader_free(reader);
		argdata_writer_free(writer);
		close_pair(sv);
		if (!hit)
			break;
	}
	assert_true(n > 4);
	argdata_free(seq);
	argdata_free(seven);
	argdata_free(bin);
	argdata_free(fds[1]);
	argdata_free(fds[0]);
	close(dup);
	close(null);
}

static void
test_argdata_reader_free__null(void **state)
{
	errno = EDOM;
	argdata_reader_free(NULL);
	argdata_writer_free(NULL);
	assert_int_equal(errno, EDOM);
}

static int
run_stream_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE_SETUP(test_argdata_writer_push__socketpair_fds, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_writer_push__wire_format, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__pipe_without_fds, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__file, setup, teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__large_message, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__one_byte_at_a_time, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__pipe_one_byte_at_a_time,
	        setup, teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__skip_one_byte_at_a_time,
	        setup, teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__max_fds_exact, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__far_too_many_fds, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__control_truncated, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__oversized, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__truncated, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__seqpacket, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__read_error, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_release_fd_checked__ownership,
	        setup, teardown),
	    TEST_CASE_SETUP(test_argdata_reader_release_fd__cloudabi_signature,
	        setup, teardown),
	    TEST_CASE_SETUP(test_argdata_writer_push__kernel_fd_limit, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_writer_push__not_a_socket, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_writer_push__errors, setup, teardown),
	    TEST_CASE_SETUP(test_argdata_reader_pull__out_of_memory, setup,
	        teardown),
	    TEST_CASE_SETUP(test_argdata_reader_free__null, setup, teardown),
	};

	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {
	    {"stream", run_stream_tests}};

	return test_main(argc, argv, groups, 1);
}
