/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * program_attr_grants.c - grants by path as options of program_attr_t:
 * files and directories a confined program may read, change or execute
 * although it holds no descriptor of them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "process.h"
#include "sandbox.h"

_Static_assert(PROGRAM_GRANT_READ == SANDBOX_GRANT_READ_BIT &&
        PROGRAM_GRANT_WRITE == SANDBOX_GRANT_WRITE_BIT &&
        PROGRAM_GRANT_EXEC == SANDBOX_GRANT_EXEC_BIT,
    "the sandbox takes the public grant bits as they are");

int
program_attr_addgrant(program_attr_t *attr, int fd, int rights)
{
	const int all =
	    PROGRAM_GRANT_READ | PROGRAM_GRANT_WRITE | PROGRAM_GRANT_EXEC;
	struct sandbox_grant *grants;

	if (attr == NULL || rights == 0 || (rights & ~all) != 0)
		return EINVAL;
	if (fd < 0)
		return EBADF;
	/* One rule per descriptor, so that the description lists it once. */
	for (size_t i = 0; i < attr->ngrants; i++) {
		if (attr->grants[i].fd == fd) {
			attr->grants[i].rights |= rights;
			return 0;
		}
	}
	grants = reallocarray(attr->grants, attr->ngrants + 1, sizeof(*grants));
	if (grants == NULL)
		return ENOMEM;
	grants[attr->ngrants++] =
	    (struct sandbox_grant){.fd = fd, .rights = rights};
	attr->grants = grants;
	return 0;
}
