/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rules.c - the sandbox built from a program's descriptors: its errors,
 * the rules it describes, and the resolution cache (keys, changes seen).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <argdata.h>
#include <program.h>

#include "sandbox.h"
#include "testutil.h"
#include "sandbox_test.h"

#if !defined(PROBE_PATH) || !defined(HELLO_PATH) || !defined(SANITIZED) ||     \
    !defined(CLOUDABI_RUN_PATH)
#error                                                                         \
    "meson.build defines PROBE_PATH, HELLO_PATH, SANITIZED, CLOUDABI_RUN_PATH"
#endif

static void
test_sandbox_create__cache_sees_changes(void **state)
{
	static const char *const needs[] = {"libone.so"};
	static const char *const none[] = {NULL};
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = "$ORIGIN",
	    .needed = needs,
	    .nneeded = 1};
	struct elf_spec lib = {.needed = none};
	char root[64] = "/tmp/sandbox-cache.XXXXXX", path[256], *text;
	struct sandbox *sb;
	size_t size;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "libone.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* Twice the same: the second from the cache, with the same rules. */
	for (int round = 0; round < 3; round++) {
		unsigned long hits = sandbox_cache_hits();

		if (round == 2) {
			/* The library replaced: resolved afresh, and the
			 * replacement is what is granted. */
			snprintf(path, sizeof(path), "%s/libone.so", root);
			assert_int_equal(unlink(path), 0);
			put_elf(root, "libone.so", &lib, 0);
		}
		assert_int_equal(
		    sandbox_create(fd, &(struct sandbox_spec){}, &sb), 0);
		assert_int_equal(sandbox_cache_hits() - hits, round == 1);
		f = open_memstream(&text, &size);
		assert_non_null(f);
		assert_int_equal(sandbox_describe(sb, f), 0);
		fclose(f);
		snprintf(path, sizeof(path),
		    "landlock: allow read_file library "
		    "%s/libone.so\n",
		    root);
		assert_non_null(strstr(text, path));
		free(text);
		sandbox_free(sb);
	}
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/*
 * A launcher's check fills the cache: the sandbox made right after for the
 * same program does not resolve again, and grants what a fresh resolution
 * grants; a library missing at the check and there later is granted,
 * not kept out.
 */
static void
test_sandbox_elf_check__fills_the_cache(void **state)
{
	static const char *const needs[] = {"libone.so", "libtwo.so"};
	static const char *const none[] = {NULL};
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = "$ORIGIN",
	    .needed = needs,
	    .nneeded = 2};
	struct elf_spec lib = {.needed = none};
	char root[64] = "/tmp/sandbox-check.XXXXXX", path[256], *text;
	struct sandbox_elf_deps deps = {.probes = 0};
	unsigned long hits;
	struct sandbox *sb;
	size_t size;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "libone.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(sandbox_elf_check(fd, &deps), 0);
		assert_int_equal(deps.nmissing, round == 0 ? 1 : 0);
		sandbox_elf_deps_clear(&deps);
		hits = sandbox_cache_hits();
		assert_int_equal(
		    sandbox_create(fd, &(struct sandbox_spec){}, &sb), 0);
		assert_int_equal(sandbox_cache_hits() - hits, 1);
		f = open_memstream(&text, &size);
		assert_non_null(f);
		assert_int_equal(sandbox_describe(sb, f), 0);
		fclose(f);
		snprintf(path, sizeof(path),
		    "landlock: allow read_file "
		    "library %s/libone.so\n",
		    root);
		assert_non_null(strstr(text, path));
		snprintf(path, sizeof(path),
		    "landlock: allow read_file "
		    "library %s/libtwo.so\n",
		    root);
		assert_true((strstr(text, path) != NULL) == (round == 1));
		free(text);
		sandbox_free(sb);
		/* The missing library appears: a cache hit now would keep it
		 * out. */
		put_elf(root, "libtwo.so", &lib, 0);
		hits = sandbox_cache_hits();
		if (round == 0) {
			assert_int_equal(
			    sandbox_create(fd, &(struct sandbox_spec){}, &sb),
			    0);
			assert_int_equal(sandbox_cache_hits() - hits, 0);
			f = open_memstream(&text, &size);
			assert_non_null(f);
			assert_int_equal(sandbox_describe(sb, f), 0);
			fclose(f);
			assert_non_null(strstr(text, path));
			free(text);
			sandbox_free(sb);
		}
	}
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* The rules sandbox_create() makes for the program open at execfd. */
static char *
rules_of(int execfd)
{
	struct sandbox *sb;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){}, &sb),
	    0);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(sandbox_describe(sb, f), 0);
	assert_int_equal(fclose(f), 0);
	sandbox_free(sb);
	return text;
}

/* The rules for the program at root/name, started from there. */
static char *
rules_of_path(const char *root, const char *name)
{
	char path[256], *text;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = open(path, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	text = rules_of(fd);
	close(fd);
	return text;
}

/* Whether text grants reading the library at prefix/name. */
static bool
grants_library(const char *text, const char *prefix, const char *name)
{
	char want[512];

	snprintf(want, sizeof(want),
	    "landlock: allow read_file library "
	    "%s%s%s\n",
	    prefix, prefix[0] != '\0' ? "/" : "", name);
	return strstr(text, want) != NULL;
}

/*
 * Makes the fresh directory root (a mkdtemp template) with a, b, b/lib
 * and common inside, and stores the paths of a, b and common.
 */
static void
make_dirs(char *root, char a[128], char b[128], char common[128])
{
	static const char *const dirs[] = {"a", "b", "b/lib", "common"};
	char path[256];

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	snprintf(a, 128, "%s/a", root);
	snprintf(b, 128, "%s/b", root);
	snprintf(common, 128, "%s/common", root);
}

static void
test_sandbox_create__cache_keys_on_origin(void **state)
{
	static const char *const needs[] = {"libx.so"};
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-origin.XXXXXX", runpath[256];
	char a[128], b[128], common[128], path[256], other[256], *text;
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = runpath,
	    .needed = needs,
	    .nneeded = 1};
	struct elf_spec lib = {.needed = none};

	(void)state;
	make_dirs(root, a, b, common);
	/* One program, two names: a/prog finds libx.so in common/ (a/lib
	 * has none), b/prog, the same inode, in its own b/lib first. */
	snprintf(runpath, sizeof(runpath), "$ORIGIN/lib:%s", common);
	put_elf(root, "a/prog", &spec, 0);
	snprintf(path, sizeof(path), "%s/b/prog", root);
	snprintf(other, sizeof(other), "%s/a/prog", root);
	assert_int_equal(link(other, path), 0);
	put_elf(root, "common/libx.so", &lib, 0);
	put_elf(root, "b/lib/libx.so", &lib, 0);

	for (int round = 0; round < 2; round++) {
		/* Each start is granted its own libx.so, and only that,
		 * however often the other was started before. */
		text = rules_of_path(a, "prog");
		assert_true(grants_library(text, common, "libx.so"));
		assert_false(grants_library(text, b, "lib/libx.so"));
		free(text);
		text = rules_of_path(b, "prog");
		assert_true(grants_library(text, b, "lib/libx.so"));
		assert_false(grants_library(text, common, "libx.so"));
		free(text);
	}
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_create__cache_keys_on_cwd(void **state)
{
	static const char *const needs[] = {"libx.so"};
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-cwd.XXXXXX", runpath[256];
	char a[128], b[128], common[128], path[256], *text;
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = runpath,
	    .needed = needs,
	    .nneeded = 1};
	struct elf_spec lib = {.needed = none};
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	(void)state;
	assert_true(here >= 0);
	make_dirs(root, a, b, common);
	/* A relative entry: the loader looks in lib/ of the working
	 * directory, which has libx.so in b only. */
	snprintf(runpath, sizeof(runpath), "lib:%s", common);
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "common/libx.so", &lib, 0);
	put_elf(root, "b/lib/libx.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);

	for (int round = 0; round < 2; round++) {
		assert_int_equal(chdir(a), 0);
		text = rules_of(fd);
		assert_true(grants_library(text, common, "libx.so"));
		assert_false(grants_library(text, "", "lib/libx.so"));
		free(text);
		assert_int_equal(chdir(b), 0);
		text = rules_of(fd);
		assert_true(grants_library(text, "", "lib/libx.so"));
		assert_false(grants_library(text, common, "libx.so"));
		free(text);
	}
	assert_int_equal(fchdir(here), 0);
	close(here);
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_create__cache_sees_new_library(void **state)
{
	static const char *const needs[] = {"libx.so"};
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-newlib.XXXXXX", runpath[256];
	char first[128], second[128], path[256], *text;
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = runpath,
	    .needed = needs,
	    .nneeded = 1};
	struct elf_spec lib = {.needed = none};

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(first, sizeof(first), "%s/first", root);
	snprintf(second, sizeof(second), "%s/second", root);
	assert_int_equal(mkdir(first, 0755), 0);
	assert_int_equal(mkdir(second, 0755), 0);
	snprintf(runpath, sizeof(runpath), "%s:%s", first, second);
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "second/libx.so", &lib, 0);
	text = rules_of_path(root, "prog");
	assert_true(grants_library(text, second, "libx.so"));
	free(text);
	/* A library put earlier in the search path, nothing else changed:
	 * the loader will open it, so it and only it is granted. */
	put_elf(root, "first/libx.so", &lib, 0);
	for (int round = 0; round < 2; round++) {
		text = rules_of_path(root, "prog");
		assert_true(grants_library(text, first, "libx.so"));
		assert_false(grants_library(text, second, "libx.so"));
		free(text);
	}
	/* And gone again: back to the second. */
	snprintf(path, sizeof(path), "%s/libx.so", first);
	assert_int_equal(unlink(path), 0);
	text = rules_of_path(root, "prog");
	assert_true(grants_library(text, second, "libx.so"));
	assert_false(grants_library(text, first, "libx.so"));
	free(text);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_describe__write_error(void **state)
{
	struct sandbox *sb;
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	FILE *full = fopen("/dev/full", "we");

	(void)state;
	assert_true(execfd >= 0);
	assert_non_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){}, &sb),
	    0);
	assert_int_equal(sandbox_describe(sb, full), EIO);
	assert_int_equal(sandbox_seccomp_describe(0, full), EIO);
	sandbox_free(sb);
	sandbox_free(NULL);
	fclose(full);
	close(execfd);
}

static void
test_sandbox_create__errors(void **state)
{
	struct sandbox *sb = NULL;
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int text = memfd_create("text", MFD_CLOEXEC);
	int closed = dup(dir), other = 1000;

	(void)state;
	assert_true(execfd >= 0 && dir >= 0 && text >= 0 && closed >= 0);
	close(closed);
	assert_int_equal(write(text, "plain text\n", 11), 11);
	/* A writable descriptor that is not among the tree's. */
	assert_int_equal(sandbox_create(execfd,
	                     &(struct sandbox_spec){.fds = &dir,
	                         .nfds = 1,
	                         .writable = &other,
	                         .nwritable = 1},
	                     &sb),
	    EINVAL);
	assert_int_equal(sandbox_create(execfd,
	                     &(struct sandbox_spec){.fds = &closed, .nfds = 1},
	                     &sb),
	    EBADF);
	assert_int_equal(sandbox_create(closed,
	                     &(struct sandbox_spec){.fds = &dir, .nfds = 1},
	                     &sb),
	    EBADF);
	assert_int_equal(sandbox_create(dir,
	                     &(struct sandbox_spec){.fds = &dir, .nfds = 1},
	                     &sb),
	    EACCES);
	assert_int_equal(sandbox_create(text,
	                     &(struct sandbox_spec){.fds = &dir, .nfds = 1},
	                     &sb),
	    ENOEXEC);
	/* A writable descriptor must be a directory. */
	assert_int_equal(sandbox_create(execfd,
	                     &(struct sandbox_spec){.fds = &text,
	                         .nfds = 1,
	                         .writable = &text,
	                         .nwritable = 1},
	                     &sb),
	    ENOTDIR);
	assert_null(sb);
	close(execfd);
	close(dir);
	close(text);
}

static void
test_sandbox_describe__rules(void **state)
{
	struct sandbox *sb;
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	int dirs[2] = {open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
	    open("/var/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	assert_true(execfd >= 0 && dirs[0] >= 0 && dirs[1] >= 0);
	assert_int_equal(sandbox_create(execfd,
	                     &(struct sandbox_spec){.fds = dirs,
	                         .nfds = 2,
	                         .writable = &dirs[1],
	                         .nwritable = 1},
	                     &sb),
	    0);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(sandbox_describe(sb, f), 0);
	fclose(f);
	assert_non_null(strstr(text,
	    "landlock: allow read_file,read_dir "
	    "directory /tmp\n"));
	/* Never device nodes, device ioctls or execution, even where
	 * writing is allowed. */
	assert_non_null(strstr(text,
	    "landlock: allow write_file,read_file,"
	    "read_dir,remove_dir,remove_file,make_dir,make_reg,make_sock,"
	    "make_fifo,make_sym,refer,truncate writable directory /var/tmp\n"));
	assert_non_null(strstr(text,
	    "landlock: allow execute,read_file "
	    "program " PROBE_PATH "\n"));
	assert_non_null(strstr(text, "execute,read_file loader /"));
	assert_non_null(strstr(text, "/libc.so.6\n"));
	assert_non_null(strstr(text,
	    "landlock: denied network rights "
	    "bind_tcp,connect_tcp\n"));
	assert_non_null(strstr(text,
	    "landlock: scoped "
	    "abstract_unix_socket,signal\n"));
	assert_non_null(strstr(text,
	    "seccomp: deny socket, bind, connect "
	    "(EACCES): new sockets\n"));
	free(text);
	sandbox_free(sb);
	close(execfd);
	close(dirs[0]);
	close(dirs[1]);
}

static void
test_program_attr_setsandbox__errors(void **state)
{
	program_attr_t *attr = program_attr_create();
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int file = open(PROBE_PATH, O_RDONLY | O_CLOEXEC);
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	argdata_t *elems[2], *tree;
	int pidfd = -1;

	(void)state;
	assert_non_null(attr);
	assert_true(dir >= 0 && file >= 0 && execfd >= 0);
	assert_int_equal(program_attr_setsandbox(NULL, PROGRAM_SANDBOX),
	    EINVAL);
	assert_int_equal(program_attr_setsandbox(attr, 2), EINVAL);
	assert_int_equal(program_attr_addwritable(NULL, dir), EINVAL);
	assert_int_equal(program_attr_addwritable(attr, -1), EBADF);
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	elems[0] = argdata_create_fd(dir);
	elems[1] = argdata_create_fd(file);
	tree = argdata_create_seq((const argdata_t *const *)elems, 2);
	assert_non_null(tree);
	/* Writable, but not among the tree's descriptors. */
	assert_int_equal(program_attr_addwritable(attr, 1000), 0);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), EINVAL);
	program_attr_free(attr);
	/* Writable, but no directory. */
	attr = program_attr_create();
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	assert_int_equal(program_attr_addwritable(attr, file), 0);
	assert_int_equal(program_attr_addwritable(attr, file), 0);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), ENOTDIR);
	assert_int_equal(program_exec_attr(execfd, tree, attr), ENOTDIR);
	assert_int_equal(pidfd, -1);
	argdata_free(tree);
	argdata_free(elems[0]);
	argdata_free(elems[1]);
	program_attr_free(attr);
	close(dir);
	close(file);
	close(execfd);
}

static void
test_sandbox_unsupported__no_seccomp(void **state)
{
	(void)state;
	refuse_without(SYS_seccomp, EINVAL, "seccomp filters");
}

static void
test_sandbox_unsupported__this_kernel(void **state)
{
	int abi = -1;

	(void)state;
	/* The machine the tests run on has what the sandbox needs. */
	assert_null(sandbox_unsupported(&abi));
	assert_true(abi >= SANDBOX_LANDLOCK_ABI_MIN);
}

int
run_rules_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_sandbox_unsupported__this_kernel),
	    TEST_CASE(test_sandbox_unsupported__no_seccomp),
	    TEST_CASE(test_sandbox_create__errors),
	    TEST_CASE(test_program_attr_setsandbox__errors),
	    TEST_CASE(test_sandbox_describe__rules),
	    TEST_CASE(test_sandbox_create__cache_sees_changes),
	    TEST_CASE(test_sandbox_elf_check__fills_the_cache),
	    TEST_CASE(test_sandbox_create__cache_keys_on_origin),
	    TEST_CASE(test_sandbox_create__cache_keys_on_cwd),
	    TEST_CASE(test_sandbox_create__cache_sees_new_library),
	    TEST_CASE(test_sandbox_describe__write_error),
	};

	return sandbox_run_confined("rules", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
