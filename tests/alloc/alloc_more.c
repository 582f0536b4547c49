/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failure scenarios beyond the codec: the YAML printer, the
 * stream writer and reader, and cloudabi-run's YAML loader. Each returns 0
 * or ENOMEM after freeing everything it made; test_alloc.c runs them with
 * every allocation failing in turn.
 */
#define _GNU_SOURCE
#include <argdata.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc_scenarios.h"

/* The printer reports nothing; it must neither crash nor leak. */
int
print_yaml(void)
{
	char *text = NULL;
	size_t len = 0;
	/* open_memstream allocates inside libc, outside the wrappers. */
	FILE *fp = open_memstream(&text, &len);
	assert_non_null(fp);
	argdata_t *ad = argdata_from_buffer(alloc_reference,
	    alloc_reference_len, alloc_convert_fd, NULL);
	int error = 0;
	if (ad == NULL) {
		assert_int_equal(errno, ENOMEM);
		error = ENOMEM;
	} else {
		argdata_print_yaml(ad, fp);
		argdata_free(ad);
	}
	fclose(fp);
	free(text);
	return error;
}

static int
pipe_end(void *arg, size_t number)
{
	const int *p = arg;
	return p[number % 2];
}

/*
 * A message with descriptors through a socketpair: writer, then reader.
 * Every descriptor received is closed by the reader or by the socket.
 */
int
stream_roundtrip(void)
{
	int sv[2], p[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	/* The tree's descriptor numbers stand for the two ends of p. */
	argdata_t *ad = argdata_from_buffer(alloc_reference,
	    alloc_reference_len, pipe_end, p);
	argdata_writer_t *writer = argdata_writer_create();
	argdata_reader_t *reader = argdata_reader_create(1 << 16, 64);
	int error = 0;
	if (ad == NULL || writer == NULL || reader == NULL) {
		assert_int_equal(errno, ENOMEM);
		error = ENOMEM;
		goto out;
	}
	argdata_writer_set(writer, ad);
	if ((error = argdata_writer_push(writer, sv[1])) != 0) {
		assert_int_equal(error, ENOMEM);
		goto out;
	}
	if ((error = argdata_reader_pull(reader, sv[0])) != 0) {
		assert_int_equal(error, ENOMEM);
		goto out;
	}
	const argdata_t *msg = argdata_reader_get(reader);
	assert_non_null(msg);
	size_t len;
	argdata_serialized_length(msg, &len, NULL);
	assert_int_equal(len, alloc_reference_len);
out:
	argdata_reader_free(reader);
	argdata_writer_free(writer);
	argdata_free(ad);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	return error;
}
