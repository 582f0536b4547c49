/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * landlock.h - the Landlock interface the sandbox builds its ruleset with
 * (landlock.c): the kernel's structures and rights up to ABI 7, declared
 * here because the C library headers of the build machine may predate
 * them, and the four calls: the ABI, a ruleset, a rule beneath a
 * descriptor, the restriction. Internal to the sandbox layer.
 */
#ifndef ARGDATA_LANDLOCK_H
#define ARGDATA_LANDLOCK_H

#include <stdint.h>

/*
 * The layout is the kernel's
 * (include/uapi/linux/landlock.h); the kernel reads as much of the ruleset
 * attribute as the size passed says.
 */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1

#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

#define LL_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */

#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */

/* Reading beneath a directory. */
#define ACCESS_DIR_READ (LL_FS_READ_FILE | LL_FS_READ_DIR)
/*
 * Changing what lies beneath it as well; never creating device nodes (a
 * block device node opens a whole disk) nor using device ioctls or
 * executing: those are not what a writable directory grants.
 */
#define ACCESS_DIR_WRITE                                                       \
	(ACCESS_DIR_READ | LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR |               \
	    LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR | LL_FS_MAKE_REG |              \
	    LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM | LL_FS_REFER | \
	    LL_FS_TRUNCATE)
/* Exec needs both reading and executing the file. */
#define ACCESS_EXEC (LL_FS_READ_FILE | LL_FS_EXECUTE)
#define ACCESS_READ LL_FS_READ_FILE

/* Every filesystem right the given ABI knows. */
uint64_t landlock_fs_rights(int abi);

/* The names of the filesystem rights, bit by bit, for descriptions. */
#define LANDLOCK_NFS 16
extern const char *const landlock_fs_names[LANDLOCK_NFS];

/* The running kernel's Landlock ABI, or -1 with errno (0 never). */
long landlock_abi(void);

/*
 * A new ruleset handling what handled names: its descriptor
 * (close-on-exec), or -1 with errno.
 */
int landlock_create_ruleset(const struct ll_ruleset_attr *handled);

/*
 * Allows access beneath (or at) what fd leads to, in ruleset. Returns 0
 * or an errno value.
 */
int landlock_allow_beneath(int ruleset, int fd, uint64_t access);

/*
 * Restricts the calling thread to ruleset. Async-signal-safe, and left
 * alone by the sanitizers as SANDBOX_CHILD_CODE is (sandbox.h): it runs in
 * program_spawn's child. Returns 0 or an errno value.
 */
__attribute__((no_sanitize("address", "undefined"))) int landlock_restrict(
    int ruleset);

#endif
