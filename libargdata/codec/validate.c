/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata_validate(): one pass over an encoded value, checking everything
 * that a full walk with the iterators and getters would check, and
 * reporting the first defect with its byte offset. An explicit stack holds
 * the end of every open container (never recursion), so the pass is linear
 * in the input and any depth is fine.
 */
#include <errno.h>
#include <stdlib.h>

#include "grow.h"
#include "codec.h"

struct open_container {
	const uint8_t *end;
	size_t count; /* subfields seen so far */
	bool map;
};

int
argdata_validate(const void *buf, size_t len, size_t *offset,
    const char **reason)
{
	const uint8_t *base = buf, *pos = base;
	const uint8_t *value = base, *vend = base + len;
	struct open_container local[64], *stack = local;
	size_t top = 0, cap = sizeof(local) / sizeof(local[0]);
	const char *why = NULL;
	size_t at = 0;

	for (;;) {
		/* Check the value at [value, vend): null, scalar or container. */
		if (value < vend) {
			if (*value == AD_TAG_MAP || *value == AD_TAG_SEQ) {
				if (ad_grow(&stack, &cap, top, 1,
				        sizeof(*stack), local) != 0) {
					if (stack != local)
						free(stack);
					return ENOMEM;
				}
				stack[top++] = (struct open_container){vend, 0,
				    *value == AD_TAG_MAP};
				pos = value + 1;
			} else {
				size_t where;

				why = ad_check_scalar(value,
				    (size_t)(vend - value), &where);
				if (why != NULL) {
					at = (size_t)(value - base) + where;
					break;
				}
				pos = vend;
			}
		}
		/* Close finished containers, then read the next subfield. */
		while (top > 0 && pos == stack[top - 1].end) {
			if (stack[top - 1].map &&
			    stack[top - 1].count % 2 != 0) {
				why = "map ends with a key that has no value";
				at = (size_t)(pos - base);
				goto out;
			}
			top--;
		}
		if (top == 0)
			break;
		const uint8_t *field;
		size_t flen;
		why = ad_read_subfield(&pos, stack[top - 1].end, &field, &flen);
		if (why != NULL) {
			at = (size_t)(pos - base);
			break;
		}
		stack[top - 1].count++;
		value = field;
		vend = field + flen;
	}
out:
	if (stack != local)
		free(stack);
	if (why == NULL)
		return 0;
	if (offset != NULL)
		*offset = at;
	if (reason != NULL)
		*reason = why;
	return EINVAL;
}
