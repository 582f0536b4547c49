/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz harness for the argdata decoder: validate the bytes, decode them,
 * walk everything, print, serialize again. The validator must accept
 * exactly what a full walk reads without a defect.
 */
#include <argdata.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t offset = SIZE_MAX;
	const char *reason = NULL;
	int verror = argdata_validate(data, size, &offset, &reason);
	if (verror == ENOMEM)
		return 0;
	FUZZ_CHECK(verror == 0 || verror == EINVAL);
	if (verror == EINVAL)
		FUZZ_CHECK(offset <= size && reason != NULL && *reason != '\0');

	argdata_t *ad = argdata_from_buffer(data, size, fuzz_convert_fd, NULL);
	if (ad == NULL)
		return 0;
	struct fuzz_walk w;
	if (fuzz_walk(ad, &w) == 0) {
		FUZZ_CHECK((verror == 0) == (w.defect == 0));
		fuzz_check_value(ad, &w, verror == 0, true);
		fuzz_walk_free(&w);
	}
	argdata_free(ad);
	return 0;
}
