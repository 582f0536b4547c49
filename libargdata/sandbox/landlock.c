/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * landlock.c - the Landlock ruleset the sandbox anchors a program's rights
 * on: creating it, adding a rule beneath a descriptor, restricting the
 * calling thread, and the rights each ABI knows. See landlock.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

/* Every filesystem right the given ABI knows. */
uint64_t
landlock_fs_rights(int abi)
{
	uint64_t rights = (LL_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		rights |= LL_FS_REFER;
	if (abi >= 3)
		rights |= LL_FS_TRUNCATE;
	if (abi >= 5)
		rights |= LL_FS_IOCTL_DEV;
	return rights;
}

const char *const landlock_fs_names[LANDLOCK_NFS] = {
    "execute",
    "write_file",
    "read_file",
    "read_dir",
    "remove_dir",
    "remove_file",
    "make_char",
    "make_dir",
    "make_reg",
    "make_sock",
    "make_fifo",
    "make_block",
    "make_sym",
    "refer",
    "truncate",
    "ioctl_dev",
};

long
landlock_abi(void)
{
	return syscall(__NR_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);
}

int
landlock_create_ruleset(const struct ll_ruleset_attr *handled)
{
	return (int)syscall(__NR_landlock_create_ruleset, handled,
	    sizeof(*handled), 0);
}

int
landlock_allow_beneath(int ruleset, int fd, uint64_t access)
{
	struct ll_path_beneath_attr attr = {
	    .allowed_access = access,
	    .parent_fd = fd,
	};

	if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH,
	        &attr, 0) != 0)
		return errno;
	return 0;
}

__attribute__((no_sanitize("address", "undefined"))) int
landlock_restrict(int ruleset)
{
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) != 0)
		return errno;
	return 0;
}
