/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz harness for argdata-dump's printers: the bytes as JSON, as YAML and
 * as the annotated hex view (with the validator's defect, when there is
 * one, and descriptors flagged beyond a number the input picks), and its
 * hints about input. Each printer must succeed or report ENOMEM (JSON:
 * or EINVAL for data the validator refuses), and write output linear in
 * the size of the input.
 */
#include <argdata.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dump.h"
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t offset = 0;
	const char *reason = NULL;
	int verror = argdata_validate(data, size, &offset, &reason);
	if (verror == ENOMEM)
		return 0;
	FUZZ_CHECK(verror == 0 || verror == EINVAL);

	/*
	 * The hex view gives each subfield a line of up to about a hundred
	 * characters (the indentation stops growing): linear, with a wide
	 * bound.
	 */
	FILE *fp = fuzz_devnull();
	fuzz_count_reset();
	/* Descriptors at or above a number the input picks are flagged. */
	size_t nfds = size > 0 ? data[size - 1] % 8 : DUMP_FDS_ANY;
	int error =
	    dump_hex(data, size, nfds, offset, verror ? reason : NULL, fp);
	FUZZ_CHECK(error == 0 || error == ENOMEM);
	FUZZ_CHECK(fuzz_count() <= 128 * size + 1024);

	argdata_t *ad = argdata_from_buffer(data, size, fuzz_convert_fd, NULL);
	if (ad == NULL)
		return 0;
	fuzz_count_reset();
	/* JSON refuses corrupt data (EINVAL), and only that. */
	error = dump_json(ad, nfds, fp);
	FUZZ_CHECK(error == 0 || error == ENOMEM ||
	    (error == EINVAL && verror == EINVAL));
	FUZZ_CHECK(fuzz_count() <= 32 * size + 256);
	FUZZ_CHECK(fuzz_print_size(ad) <= 32 * size + 256);
	argdata_free(ad);

	/*
	 * The hints take any input without fault, and the list of
	 * descriptors not received stays within its buffer.
	 */
	(void)dump_looks_like_yaml(data, size);
	(void)dump_looks_like_stream(data, size);
	if (verror == 0) {
		char list[160];
		size_t n =
		    dump_unreceived_fds(data, size, nfds, list, sizeof(list));

		FUZZ_CHECK(n == SIZE_MAX || strlen(list) < sizeof(list));
		FUZZ_CHECK(n != 0 || list[0] == '\0');
	}
	return 0;
}
