/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz harness for the sandbox's ELF resolver (libargdata/sandbox_elf.c):
 * the program's headers, its libraries' and /etc/ld.so.cache are hostile.
 *
 * The whole resolution runs, sandbox_elf_resolve() on a memfd, rather than
 * the header parser alone: search lists, $ORIGIN, names, the loader cache
 * and the bounds on the work all come from the input too. It runs on a
 * copy of sandbox_elf.c built with SANDBOX_ELF_FUZZ, whose every open goes
 * to sandbox_elf_fuzz_open() below: a made-up filesystem, so that an input
 * costs no search of the real one (thousands of exec/s) and gives the same
 * answer everywhere.
 *
 * Input: files separated by SEPARATOR (at most MAX_FILES). File 0 is the
 * program, handed over as a memfd (as an O_PATH descriptor of it when the
 * input's length is odd, as cloudabi-run does). The made-up filesystem:
 *   - a path containing "/v/" is a file chosen by its last byte (the
 *     digit n: file n mod the number of files), the same file (same
 *     inode) for every path that chooses it;
 *   - a path containing "/u/" is chosen the same way but is a fresh copy,
 *     another inode, at every open: so that few bytes can make the
 *     resolver find many objects, up to its limits;
 *   - /etc/ld.so.cache is the last file, when there are two or more;
 *   - a path starting "/d/" is a directory, one starting "/m/" fails with
 *     EMFILE (the resolver must give up), anything else does not exist.
 * add() fails with EDQUOT for a path containing "/fail": the resolver must
 * stop and return that.
 *
 * Checked: no crash and no out-of-bounds access (ASan), no descriptor left
 * open, bounded work (opens and steps within SANDBOX_ELF_MAX_PROBES, files
 * granted within SANDBOX_ELF_MAX_OBJECTS; libFuzzer's -timeout catches the
 * rest), and that only files of the made-up filesystem are ever granted
 * (the first crash it found was this check's: a library may be the file
 * at /etc/ld.so.cache too).
 */
#define _GNU_SOURCE
#define SANDBOX_ELF_FUZZ 1
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_walk.h"
#include "sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEPARATOR "@@next@@"
#define MAX_FILES 8
/* Descriptors are numbered lowest first: check this many from there. */
#define FD_WINDOW 64

/* The made-up filesystem of the current input. */
static struct {
	const uint8_t *data[MAX_FILES];
	size_t size[MAX_FILES];
	int fd[MAX_FILES]; /* a memfd, made on first use, or -1 */
	size_t nfiles;
	size_t opens; /* calls of sandbox_elf_fuzz_open() */
	size_t adds;  /* calls of add() */
	bool add_failed;
} fs;

/* Makes (once) and returns the memfd holding file i. */
static int
file_fd(size_t i)
{
	if (fs.fd[i] < 0) {
		fs.fd[i] = memfd_create("elf", MFD_CLOEXEC);
		FUZZ_CHECK(fs.fd[i] >= 0);
		if (fs.size[i] > 0)
			FUZZ_CHECK(write(fs.fd[i], fs.data[i], fs.size[i]) ==
			    (ssize_t)fs.size[i]);
	}
	return fs.fd[i];
}

int
sandbox_elf_fuzz_open(const char *path, int flags)
{
	size_t len = strlen(path), i;

	(void)flags;
	fs.opens++;
	if (strcmp(path, "/etc/ld.so.cache") == 0) {
		if (fs.nfiles < 2) {
			errno = ENOENT;
			return -1;
		}
		i = fs.nfiles - 1;
	} else if (strstr(path, "/v/") != NULL) {
		i = (unsigned char)(path[len - 1] - '0') % fs.nfiles;
	} else if (strstr(path, "/u/") != NULL) {
		int fd = memfd_create("copy", MFD_CLOEXEC);
		i = (unsigned char)(path[len - 1] - '0') % fs.nfiles;
		FUZZ_CHECK(fd >= 0);
		if (fs.size[i] > 0)
			FUZZ_CHECK(write(fd, fs.data[i], fs.size[i]) ==
			    (ssize_t)fs.size[i]);
		return fd;
	} else if (strncmp(path, "/d/", 3) == 0) {
		return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else if (strncmp(path, "/m/", 3) == 0) {
		errno = EMFILE;
		return -1;
	} else {
		errno = ENOENT;
		return -1;
	}
	return fcntl(file_fd(i), F_DUPFD_CLOEXEC, 0);
}

static int
add(void *ctx, int fd, const char *path, enum sandbox_role role)
{
	struct stat st;

	(void)ctx;
	/* After a failed add() the resolver stops. */
	FUZZ_CHECK(!fs.add_failed);
	FUZZ_CHECK(++fs.adds <= SANDBOX_ELF_MAX_OBJECTS + 1);
	FUZZ_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	FUZZ_CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	FUZZ_CHECK(path != NULL);
	switch (role) {
	case SANDBOX_LDCACHE:
		FUZZ_CHECK(strcmp(path, "/etc/ld.so.cache") == 0);
		break;
	case SANDBOX_LOADER:
	case SANDBOX_LIBRARY:
		/* The cache's file is also one a name can lead to. */
		FUZZ_CHECK(strstr(path, "/v/") != NULL ||
		    strstr(path, "/u/") != NULL ||
		    strcmp(path, "/etc/ld.so.cache") == 0);
		break;
	default:
		FUZZ_CHECK(!"a role the resolver never grants");
	}
	if (strstr(path, "/fail") != NULL) {
		fs.add_failed = true;
		return EDQUOT;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = SEPARATOR;
	const size_t seplen = sizeof(sep) - 1;
	struct sandbox_elf_deps deps = {.probes = 0};
	bool open_before[FD_WINDOW];
	int base, execfd, error;

	memset(&fs, 0, sizeof(fs));
	for (size_t i = 0; i < MAX_FILES; i++)
		fs.fd[i] = -1;
	/* Split the input into files. */
	const uint8_t *p = data, *end = data + size;
	while (fs.nfiles < MAX_FILES - 1) {
		const uint8_t *next = memmem(p, (size_t)(end - p), sep, seplen);
		if (next == NULL)
			break;
		fs.data[fs.nfiles] = p;
		fs.size[fs.nfiles++] = (size_t)(next - p);
		p = next + seplen;
	}
	fs.data[fs.nfiles] = p;
	fs.size[fs.nfiles++] = (size_t)(end - p);

	base = open("/", O_PATH | O_CLOEXEC);
	FUZZ_CHECK(base >= 0);
	close(base);
	for (int i = 0; i < FD_WINDOW; i++)
		open_before[i] = fcntl(base + i, F_GETFD) != -1;

	execfd = fcntl(file_fd(0), F_DUPFD_CLOEXEC, 0);
	FUZZ_CHECK(execfd >= 0);
	if (size % 2 == 1) {
		char link[64];
		int pathfd;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", execfd);
		pathfd = open(link, O_PATH | O_CLOEXEC);
		FUZZ_CHECK(pathfd >= 0);
		close(execfd);
		execfd = pathfd;
	}
	error = sandbox_elf_resolve(execfd, add, NULL, &deps);
	FUZZ_CHECK(error == 0 || error == ENOEXEC || error == E2BIG ||
	    error == ENOENT || error == EMFILE || error == EDQUOT ||
	    error == ENOMEM);
	FUZZ_CHECK((error == EDQUOT) == fs.add_failed);
	/* Each open is a step but the cache's, which is opened once. */
	FUZZ_CHECK(deps.probes <= SANDBOX_ELF_MAX_PROBES);
	FUZZ_CHECK(fs.opens <= deps.probes + 1);
	FUZZ_CHECK(deps.ntried <= SANDBOX_ELF_MAX_TRIED_KEPT);
	/* What was not found is named within its bounds, or not at all. */
	FUZZ_CHECK(memchr(deps.missing_where, '\0',
	               sizeof(deps.missing_where)) != NULL);
	FUZZ_CHECK(deps.missing == NULL || deps.nmissing > 0);
	FUZZ_CHECK(error != ENOENT || deps.missing_loader);
	sandbox_elf_deps_clear(&deps);

	close(execfd);
	for (size_t i = 0; i < MAX_FILES; i++)
		if (fs.fd[i] >= 0)
			close(fs.fd[i]);
	for (int i = 0; i < FD_WINDOW; i++)
		FUZZ_CHECK((fcntl(base + i, F_GETFD) != -1) == open_before[i]);
	return 0;
}
