/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * detect.c - what argdata-dump says about input beyond its defects: text
 * that looks like YAML, data that looks like a stream of framed messages,
 * and descriptor numbers beyond those that arrived with a message. Every
 * check is linear in the input and validates at most once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "codec.h"

/* How much of the input the YAML check reads. */
#define TEXT_CHECKED 4096
/* How many distinct descriptor numbers a list names before "...". */
#define LISTED_MAX 8

bool
dump_looks_like_yaml(const uint8_t *buf, size_t len)
{
	size_t n = len < TEXT_CHECKED ? len : TEXT_CHECKED;

	/*
	 * Argdata starts with a tag byte, 01 to 09, and holds NUL bytes in
	 * every string; YAML is text, something visible among blanks. Tab
	 * (09, the timestamp tag) and line ends are the control characters
	 * that text has.
	 */
	bool visible = false;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			return false;
		/* Blank input, such as a lone line end, is not a hint. */
		if (c > 0x20)
			visible = true;
	}
	return visible;
}

bool
dump_looks_like_stream(const uint8_t *buf, size_t len)
{
	size_t pos = 0, messages = 0;

	/* The framing must tile the whole input, message after message. */
	while (pos < len) {
		uint64_t length = 0;

		if (len - pos < 8)
			return false;
		for (size_t i = 0; i < 8; i++)
			length = length << 8 | buf[pos + i];
		pos += 8;
		if (length > len - pos)
			return false;
		if (messages == 0) {
			size_t offset;
			const char *reason;

			if (argdata_validate(buf + pos, (size_t)length, &offset,
			        &reason) != 0)
				return false;
		}
		pos += (size_t)length;
		messages++;
	}
	return messages > 0;
}

size_t
dump_unreceived_fds(const uint8_t *buf, size_t len, size_t nfds, char *list,
    size_t size)
{
	uint32_t listed[LISTED_MAX];
	size_t nlisted = 0, count = 0, used = 0;
	bool more = false;
	struct ad_walk w;
	struct ad_walk_event ev;
	argdata_t root;
	int error;

	if (size > 0)
		list[0] = '\0';
	if (nfds == DUMP_FDS_ANY)
		return 0;
	ad_init_buffer(&root, buf, len, NULL, NULL);
	ad_walk_init(&w, &root);
	while (
	    (error = ad_walk_next(&w, &ev)) == 0 && ev.kind != AD_WALK_DONE) {
		const uint8_t *p;
		uint32_t number;
		size_t i;

		if (ev.kind != AD_WALK_VALUE || ev.value->repr != AD_BUFFER ||
		    ev.value->length != 5 ||
		    ev.value->u.buffer.data[0] != AD_TAG_FD)
			continue;
		p = ev.value->u.buffer.data + 1;
		number = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
		if (number < nfds)
			continue;
		count++;
		for (i = 0; i < nlisted && listed[i] != number; i++)
			;
		if (i < nlisted)
			continue;
		if (nlisted == LISTED_MAX) {
			more = true;
			continue;
		}
		listed[nlisted++] = number;
		if (used < size)
			used += (size_t)snprintf(list + used, size - used,
			    "%sfd %" PRIu32, nlisted > 1 ? ", " : "", number);
	}
	ad_walk_free(&w);
	if (error == ENOMEM)
		return SIZE_MAX;
	if (more && used < size)
		snprintf(list + used, size - used, ", ...");
	return count;
}
