/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failure scenarios of typed extraction and the streaming
 * encoder. The reader allocates nothing of its own (only the value of
 * argdata_from_buffer); the encoder grows its buffer, its stack of open
 * containers, its list of long containers and its descriptor tables, and
 * any of those failing must end in ENOMEM with nothing leaked.
 */
#include <argdata.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_scenarios.h"

struct item {
	const char *key;
	int64_t n;
	int fd;
};

static const struct argdata_field item_fields[] = {
    ARGDATA_KEY(struct item, n, "n", ARGDATA_REQUIRED),
    ARGDATA_KEY_FD(struct item, fd, "fd", 0),
};
static const struct argdata_schema item_schema =
    ARGDATA_SCHEMA(item_fields, ARGDATA_IGNORE_UNKNOWN);

struct items {
	struct item item[64];
	size_t n;
};

static const struct argdata_field items_fields[] = {
    ARGDATA_OTHER_KEYS(struct items, item, n, struct item, key, item_schema),
};
static const struct argdata_schema items_schema =
    ARGDATA_SCHEMA(items_fields, 0);

/*
 * Writes a map of 40 items, with descriptors large and small, some
 * repeated, and a long string that makes its container long.
 */
static int
encode_items(argdata_encoder_t *e)
{
	static const char long_text[] =
	    "a string long enough that the map holding it needs a length "
	    "of two bytes, so that finishing inserts it";

	argdata_encode_map_begin(e);
	for (int i = 0; i < 40; i++) {
		char key[8] = {'k', (char)('0' + i / 10), (char)('0' + i % 10)};

		argdata_encode_str_c(e, key);
		argdata_encode_map_begin(e);
		argdata_encode_str_c(e, "n");
		argdata_encode_int_s(e, i);
		argdata_encode_str_c(e, "fd");
		argdata_encode_fd(e, i % 3 == 0 ? 100000 + i : i % 7);
		if (i % 10 == 0) {
			argdata_encode_str_c(e, "text");
			argdata_encode_str_c(e, long_text);
		}
		argdata_encode_end(e);
	}
	return argdata_encode_end(e);
}

int
encode_stream(void)
{
	argdata_encoder_t *e = argdata_encoder_create();
	const void *data;
	const int *fds;
	size_t len, nfds;
	argdata_t *ad;
	int error;

	if (e == NULL) {
		assert_int_equal(errno, ENOMEM);
		return ENOMEM;
	}
	encode_items(e);
	error = argdata_encoder_finish(e, &data, &len, &fds, &nfds);
	if (error != 0) {
		assert_int_equal(error, ENOMEM);
		argdata_encoder_free(e);
		return error;
	}
	/* 40 items, a third of them with large descriptors, 7 small ones. */
	assert_int_equal(nfds, 14 + 7);
	ad = argdata_encoder_value(e);
	if (ad == NULL) {
		assert_int_equal(errno, ENOMEM);
		argdata_encoder_free(e);
		return ENOMEM;
	}
	argdata_free(ad);
	argdata_encoder_free(e);
	return 0;
}

int
typed_read(void)
{
	static unsigned char buf[4096];
	static struct items out;
	static size_t len;
	argdata_t *ad;
	char msg[128];
	int error;

	/* The input, made once, outside the injection's count. */
	if (len == 0) {
		argdata_encoder_t *e =
		    argdata_encoder_create_buffer(buf, sizeof(buf));
		const void *data;

		assert_non_null(e);
		encode_items(e);
		assert_int_equal(
		    argdata_encoder_finish(e, &data, &len, NULL, NULL), 0);
		argdata_encoder_free(e);
		return typed_read();
	}
	ad = argdata_from_buffer(buf, len, alloc_convert_fd, NULL);
	if (ad == NULL) {
		assert_int_equal(errno, ENOMEM);
		return ENOMEM;
	}
	error = argdata_read_map(ad, &items_schema, &out, msg, sizeof(msg));
	assert_int_equal(error, 0);
	assert_int_equal(out.n, 40);
	assert_string_equal(out.item[39].key, "k39");
	assert_int_equal(out.item[39].n, 39);
	argdata_free(ad);
	return 0;
}
