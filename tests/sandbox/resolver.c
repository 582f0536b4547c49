/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.c - the ELF resolver, which needs no confining kernel: what it
 * finds for real programs, hostile headers, the search order, the loader,
 * the work bound; and what the kernel is asked for (sandbox_missing).
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
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

/* Collects what the resolver hands over. */
struct seen {
	char names[64][256];
	int roles[64];
	int n;
};

static int
collect(void *ctx, int fd, const char *path, enum sandbox_role role)
{
	struct seen *s = ctx;
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	if (s->n < 64) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", path);
		s->roles[s->n++] = (int)role;
	}
	return 0;
}

static int
count_suffix(const struct seen *s, const char *suffix, int role)
{
	size_t sl = strlen(suffix);
	int n = 0;

	for (int i = 0; i < s->n; i++) {
		size_t l = strlen(s->names[i]);
		if (l >= sl && strcmp(s->names[i] + l - sl, suffix) == 0 &&
		    s->roles[i] == role)
			n++;
	}
	return n;
}

static void
test_sandbox_elf_resolve__probe(void **state)
{
	struct seen s = {.n = 0};
	int fd = open(PROBE_PATH, O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	close(fd);
	assert_int_equal(count_suffix(&s, "", SANDBOX_LOADER), 1);
	assert_true(count_suffix(&s, "/libc.so.6", SANDBOX_LIBRARY) >= 1);
}

static void
test_sandbox_elf_resolve__not_elf(void **state)
{
	struct seen s = {.n = 0};
	int fd = memfd_create("text", MFD_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOEXEC);
	close(fd);
	assert_int_equal(s.n, 0);
}

/* The same with DT_RUNPATH and no loader. */
static size_t
make_elf(unsigned char *buf, size_t size, const char *runpath,
    const char *const *needed, size_t nneeded)
{
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = runpath,
	    .needed = needed,
	    .nneeded = nneeded};

	return make_elf_spec(buf, size, &spec);
}

static void
test_sandbox_elf_resolve__runpath_origin_and_cycles(void **state)
{
	static const char *const prog_needs[] = {"liba.so", "libmissing.so"};
	static const char *const a_needs[] = {"libb.so", "liba.so"};
	static const char *const b_needs[] = {"liba.so"};
	unsigned char buf[4096];
	char root[64] = "/tmp/sandbox-elf.XXXXXX", path[256];
	struct seen s = {.n = 0};
	size_t len;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/lib", root);
	assert_int_equal(mkdir(path, 0755), 0);
	len = make_elf(buf, sizeof(buf), "$ORIGIN/lib", prog_needs, 2);
	snprintf(path, sizeof(path), "%s/prog", root);
	write_bytes(path, buf, len);
	/* liba needs libb and itself; libb needs liba: found once each. */
	len = make_elf(buf, sizeof(buf), "${ORIGIN}", a_needs, 2);
	snprintf(path, sizeof(path), "%s/lib/liba.so", root);
	write_bytes(path, buf, len);
	len = make_elf(buf, sizeof(buf), "$ORIGIN", b_needs, 1);
	snprintf(path, sizeof(path), "%s/lib/libb.so", root);
	write_bytes(path, buf, len);

	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	close(fd);
	assert_int_equal(count_suffix(&s, "/lib/liba.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "/lib/libb.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "libmissing.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "", SANDBOX_LOADER), 0);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_elf_resolve__search_order(void **state)
{
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-search.XXXXXX", path[256], abs[256];
	const char *prog_needs[5] = {"liba.so", "libbad.so", "libfifo.so",
	    "libhw.so", abs};
	static const char *const a_needs[] = {"libdep.so", "liba.so"};
	struct elf_spec spec = {.path_tag = DT_RPATH,
	    .path = "$LIB/x:${ORIGIN}/a::$ORIGIN/b",
	    .needed = prog_needs,
	    .nneeded = 5};
	struct elf_spec lib = {.needed = none, .nneeded = 0};
	struct elf_spec liba = {.needed = a_needs, .nneeded = 2};
	static const char *const dirs[] = {"a", "b", "abs", "b/glibc-hwcaps",
	    "b/glibc-hwcaps/x86-64-v3"};
	struct seen s = {.n = 0};
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	snprintf(abs, sizeof(abs), "%s/abs/libabs.so", root);
	put_elf(root, "prog", &spec, 0);
	/* a/liba.so is another machine's: the search goes on to b. */
	put_elf(root, "a/liba.so", &lib, EM_386);
	put_elf(root, "b/liba.so", &liba, 0);
	/* liba has no search path of its own: libdep comes through the
	 * program's DT_RPATH, as the loader's chain has it. */
	put_elf(root, "a/libdep.so", &lib, 0);
	/* A broken library of this machine stops the search, ungranted. */
	put_elf(root, "a/libbad.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/a/libbad.so", root);
	assert_int_equal(truncate(path, sizeof(Elf64_Ehdr) + 8), 0);
	put_elf(root, "b/libbad.so", &lib, 0);
	/* Not a regular file: passed over. */
	snprintf(path, sizeof(path), "%s/a/libfifo.so", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	put_elf(root, "b/libfifo.so", &lib, 0);
	/* The loader chooses by CPU: every variant is granted. */
	put_elf(root, "b/glibc-hwcaps/x86-64-v3/libhw.so", &lib, 0);
	put_elf(root, "b/libhw.so", &lib, 0);
	put_elf(root, "abs/libabs.so", &lib, 0);

	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	close(fd);
	assert_int_equal(count_suffix(&s, "/a/liba.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "/b/liba.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "/a/libdep.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "libbad.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "/a/libfifo.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "/b/libfifo.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "/abs/libabs.so", SANDBOX_LIBRARY),
	    1);
	assert_int_equal(count_suffix(&s, "/b/libhw.so", SANDBOX_LIBRARY), 1);
#if defined(__x86_64__)
	assert_int_equal(
	    count_suffix(&s, "/x86-64-v3/libhw.so", SANDBOX_LIBRARY), 1);
#endif
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_elf_resolve__loader(void **state)
{
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-loader.XXXXXX", path[256], interp[256];
	struct elf_spec spec = {.interp = interp, .needed = none};
	struct elf_spec lib = {.needed = none};
	struct seen s = {.n = 0};
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	/* A loader that is no loader of this machine. */
	snprintf(interp, sizeof(interp), "%s/ld.so", root);
	put_elf(root, "ld.so", &lib, EM_386);
	put_elf(root, "prog", &spec, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOEXEC);
	close(fd);
	/* A good one, as the loader; a missing one fails. */
	put_elf(root, "ld.so", &lib, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	assert_int_equal(count_suffix(&s, "/ld.so", SANDBOX_LOADER), 1);
	close(fd);
	snprintf(interp, sizeof(interp), "%s/missing.so", root);
	put_elf(root, "prog", &spec, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOENT);
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Resolves root/prog into deps; returns the resolver's result. */
static int
resolve_deps(const char *root, struct sandbox_elf_deps *deps)
{
	struct seen s = {.n = 0};
	char path[256];
	int fd, error;

	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	sandbox_elf_deps_clear(deps);
	error = sandbox_elf_resolve(fd, collect, &s, deps);
	close(fd);
	return error;
}

static void
test_sandbox_elf_resolve__missing_named(void **state)
{
	static const char *const none[] = {NULL};
	const char *needs[3] = {"liba.so", "libmissing.so", "libother.so"};
	char root[64] = "/tmp/sandbox-missing.XXXXXX", path[256], want[512];
	char *runpath, interp[256], *p;
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = path,
	    .needed = needs,
	    .nneeded = 3};
	struct elf_spec lib = {.needed = none};
	struct sandbox_elf_deps deps = {.probes = 0};
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/lib", root);
	assert_int_equal(mkdir(path, 0755), 0);
	put_elf(root, "lib/liba.so", &lib, 0);

	/* Two names missing: the first is named, with where it was
	 * looked for, in the loader's order. */
	snprintf(path, sizeof(path), "$ORIGIN/lib:/nonexistent-dir");
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_int_equal(deps.nmissing, 2);
	assert_string_equal(deps.missing, "libmissing.so");
	assert_false(deps.missing_loader);
	assert_false(deps.missing_unsure);
	snprintf(want, sizeof(want), "%s/lib, /nonexistent-dir, ", root);
	assert_int_equal(strncmp(deps.missing_where, want, strlen(want)), 0);
	len = strlen(deps.missing_where);
	assert_true(len > 10);
	assert_string_equal(deps.missing_where + len - 10, ", /usr/lib");

	assert_null(deps.missing_for);

	/* Nothing missing. */
	spec.nneeded = 1;
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_int_equal(deps.nmissing, 0);
	assert_null(deps.missing);

	/* A library's need: that library is named too. */
	{
		static const char *const deep[] = {"libdeep.so"};
		struct elf_spec needy = {.needed = deep, .nneeded = 1};

		put_elf(root, "lib/liba.so", &needy, 0);
		assert_int_equal(resolve_deps(root, &deps), 0);
		assert_int_equal(deps.nmissing, 1);
		assert_string_equal(deps.missing, "libdeep.so");
		snprintf(want, sizeof(want), "%s/lib/liba.so", root);
		assert_string_equal(deps.missing_for, want);
		put_elf(root, "lib/liba.so", &lib, 0);
	}
	spec.nneeded = 3;

	/* An entry the resolver cannot expand: the loader might find it
	 * there, so the verdict is unsure. */
	snprintf(path, sizeof(path), "$PLATFORM/lib");
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_int_equal(deps.nmissing, 3);
	assert_string_equal(deps.missing, "liba.so");
	assert_true(deps.missing_unsure);

	/* A name that is a path was looked for nowhere else. */
	needs[0] = "/nonexistent-dir/liba.so";
	path[0] = '\0';
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_string_equal(deps.missing, "/nonexistent-dir/liba.so");
	assert_string_equal(deps.missing_where, "");
	needs[0] = "liba.so";

	/* Many long entries: the list is cut short, within its bounds. */
	runpath = malloc(60 * 64);
	assert_non_null(runpath);
	p = runpath;
	for (int i = 0; i < 60; i++)
		p +=
		    sprintf(p, "%s/nonexistent-%02d-%040d", i ? ":" : "", i, 0);
	spec.path = runpath;
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	len = strlen(deps.missing_where);
	assert_true(len < sizeof(deps.missing_where));
	assert_string_equal(deps.missing_where + len - 5, ", ...");
	free(runpath);
	spec.path = path;

	/* A loader that is not there fails, and is named. */
	snprintf(interp, sizeof(interp), "%s/ld-missing.so", root);
	spec.interp = interp;
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), ENOENT);
	assert_true(deps.missing_loader);
	assert_string_equal(deps.missing, interp);
	sandbox_elf_deps_clear(&deps);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_elf_resolve__huge_string_table(void **state)
{
	static const char *const needs[] = {"libnowhere.so"};
	const size_t size = (1 << 20) + 4096;
	unsigned char *buf = calloc(1, size);
	struct seen s = {.n = 0};
	Elf64_Phdr *ph;
	Elf64_Dyn *dyn;
	size_t len;
	int fd;

	(void)state;
	assert_non_null(buf);
	/* A string table too big to read at once: names come one by one. */
	len = make_elf(buf, 4096, "/nonexistent", needs, 1);
	ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
	dyn = (Elf64_Dyn *)(buf + ph[1].p_offset);
	assert_int_equal(dyn[2].d_tag, DT_STRTAB);
	assert_int_equal(dyn[3].d_tag, DT_STRSZ);
	dyn[3].d_un.d_val = size - dyn[2].d_un.d_ptr;
	ph[0].p_filesz = ph[0].p_memsz = size;
	fd = memfd_create("elf", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	assert_int_equal(count_suffix(&s, "", SANDBOX_LIBRARY), 0);
	/* A name running past the table's end is refused. */
	memset(buf + len - 1, 'x', size - len + 1);
	assert_int_equal(pwrite(fd, buf, size, 0), (ssize_t)size);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOEXEC);
	close(fd);
	free(buf);
}

static void
test_sandbox_elf_resolve__work_is_bounded(void **state)
{
	static const char *const none[] = {NULL};
	const char *many[1000];
	char root[64] = "/tmp/sandbox-work.XXXXXX", path[256], name[64];
	char names[5][16];
	const char *five[5];
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = root,
	    .needed = many,
	    .nneeded = 1000};
	struct sandbox_elf_deps deps = {.probes = 0};
	struct seen s;
	double start;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	/* Search paths times names: stopped at the budget, quickly. */
	put_costly_program(root, "costly", "/n");
	snprintf(path, sizeof(path), "%s/costly", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	start = now();
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	assert_true(now() - start < 2.0);
	assert_int_equal(deps.probes, SANDBOX_ELF_MAX_PROBES);
	sandbox_elf_deps_clear(&deps);
	close(fd);

	/* Entries that lead to no open ($P is no variable the loader
	 * knows) still cost a step each. */
	put_costly_program(root, "skipped", "$P");
	snprintf(path, sizeof(path), "%s/skipped", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	assert_int_equal(deps.probes, SANDBOX_ELF_MAX_PROBES);
	sandbox_elf_deps_clear(&deps);
	close(fd);

	/* DT_NEEDED entries in all: five libraries naming one library a
	 * thousand times each make 5,005 look-ups of almost nothing. */
	for (int i = 0; i < 1000; i++)
		many[i] = "libc.so.6";
	for (int i = 0; i < 5; i++) {
		snprintf(names[i], sizeof(names[i]), "lib%d.so", i);
		five[i] = names[i];
		put_elf(root, names[i], &spec, 0);
	}
	spec.needed = five;
	spec.nneeded = 5;
	put_elf(root, "wide", &spec, 0);
	snprintf(path, sizeof(path), "%s/wide", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	assert_true(deps.probes < 64);
	sandbox_elf_deps_clear(&deps);
	close(fd);

	/* Objects: a chain of libraries one longer than allowed. */
	spec.nneeded = 1;
	for (int i = 0; i <= SANDBOX_ELF_MAX_OBJECTS; i++) {
		snprintf(name, sizeof(name), "c%d.so", i + 1);
		many[0] = name;
		snprintf(path, sizeof(path), "c%d.so", i);
		spec.needed = i < SANDBOX_ELF_MAX_OBJECTS ? many : none;
		spec.nneeded = i < SANDBOX_ELF_MAX_OBJECTS ? 1 : 0;
		put_elf(root, path, &spec, 0);
	}
	snprintf(path, sizeof(path), "%s/c0.so", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	sandbox_elf_deps_clear(&deps);
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_elf_resolve__normal_work(void **state)
{
	/* Real programs stay far below the budget. */
	static const char *const programs[] = {PROBE_PATH, HELLO_PATH,
	    "/bin/sh"};
	struct sandbox_elf_deps deps = {.probes = 0};
	struct seen s;

	(void)state;
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		int fd = open(programs[i], O_RDONLY | O_CLOEXEC);

		assert_true(fd >= 0);
		s.n = 0;
		assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps),
		    0);
		assert_true(deps.probes > 0);
		assert_true(deps.probes <= SANDBOX_ELF_MAX_PROBES / 64);
		sandbox_elf_deps_clear(&deps);
		close(fd);
	}
}

static void
test_sandbox_elf_resolve__hostile_headers(void **state)
{
	static const char *const needs[] = {"libc.so.6"};
	unsigned char good[4096], bad[4096];
	size_t len = make_elf(good, sizeof(good), NULL, needs, 1);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)bad;
	Elf64_Phdr *ph = (Elf64_Phdr *)(bad + sizeof(*eh));
	Elf64_Dyn *dyn = (Elf64_Dyn *)(bad + sizeof(*eh) + 2 * sizeof(*ph));
	struct seen s;
	int fd;

	(void)state;
	/* Each case breaks one bound; all must fail cleanly. */
	for (int c = 0; c < 9; c++) {
		memcpy(bad, good, sizeof(bad));
		switch (c) {
		case 0:
			eh->e_phoff = 1ULL << 62;
			break;
		case 1:
			eh->e_phnum = 0xffff;
			break;
		case 2:
			eh->e_phentsize = 12;
			break;
		case 3:
			ph[1].p_offset = len - 8;
			break;
		case 4:
			ph[1].p_filesz = ~0ULL;
			break;
		case 5:
			dyn[0].d_un.d_val = 1ULL << 40;
			break; /* NEEDED */
		case 6:
			dyn[1].d_un.d_ptr = 1ULL << 40;
			break; /* STRTAB */
		case 7:
			dyn[2].d_un.d_val = ~0ULL;
			break; /* STRSZ */
		case 8:
			eh->e_machine = EM_386;
			break;
		}
		fd = memfd_create("elf", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, bad, len), (ssize_t)len);
		s.n = 0;
		assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL),
		    ENOEXEC);
		close(fd);
	}
	/* Truncated anywhere: fails or resolves, never reads past the end. */
	for (size_t cut = 0; cut < len; cut++) {
		fd = memfd_create("elf", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, good, cut), (ssize_t)cut);
		s.n = 0;
		(void)sandbox_elf_resolve(fd, collect, &s, NULL);
		close(fd);
	}
}

static void
test_sandbox_elf_resolve__mutated_program(void **state)
{
	/* Byte flips over the headers of a real program: never a crash
	 * (the sanitizer build checks every read). */
	unsigned char orig[4096], buf[4096];
	struct seen s;
	ssize_t len;
	int fd = open(PROBE_PATH, O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	len = read(fd, orig, sizeof(orig));
	close(fd);
	assert_true(len > 512);
	srand(6);
	for (int i = 0; i < 400; i++) {
		memcpy(buf, orig, (size_t)len);
		for (int k = 0; k < 4; k++)
			buf[rand() % 512] = (unsigned char)rand();
		fd = memfd_create("elf", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, buf, (size_t)len), len);
		s.n = 0;
		(void)sandbox_elf_resolve(fd, collect, &s, NULL);
		close(fd);
	}
}

static void
test_sandbox_missing__every_abi(void **state)
{
	(void)state;
	assert_string_equal(sandbox_missing(0, ENOSYS, true),
	    "Landlock (Linux 5.13 or later)");
	assert_string_equal(sandbox_missing(0, EOPNOTSUPP, true),
	    "Landlock (disabled at boot: add landlock to lsm=)");
	for (int abi = 1; abi <= 3; abi++)
		assert_non_null(strstr(sandbox_missing(abi, 0, true),
		    "Landlock ABI 4 (TCP"));
	for (int abi = 4; abi <= 5; abi++)
		assert_non_null(strstr(sandbox_missing(abi, 0, true),
		    "Landlock ABI 6 (scoping"));
	for (int abi = 6; abi <= 9; abi++) {
		assert_null(sandbox_missing(abi, 0, true));
		assert_string_equal(sandbox_missing(abi, 0, false),
		    "seccomp filters");
	}
}

static void
test_sandbox_unsupported__no_landlock(void **state)
{
	(void)state;
	refuse_without(SYS_landlock_create_ruleset, ENOSYS,
	    "Landlock (Linux 5.13 or later)");
	refuse_without(SYS_landlock_create_ruleset, EOPNOTSUPP,
	    "Landlock (disabled at boot: add landlock to lsm=)");
}

int
run_resolver_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_sandbox_missing__every_abi),
	    TEST_CASE(test_sandbox_unsupported__no_landlock),
	    TEST_CASE(test_sandbox_elf_resolve__probe),
	    TEST_CASE(test_sandbox_elf_resolve__not_elf),
	    TEST_CASE(test_sandbox_elf_resolve__runpath_origin_and_cycles),
	    TEST_CASE(test_sandbox_elf_resolve__hostile_headers),
	    TEST_CASE(test_sandbox_elf_resolve__search_order),
	    TEST_CASE(test_sandbox_elf_resolve__loader),
	    TEST_CASE(test_sandbox_elf_resolve__missing_named),
	    TEST_CASE(test_sandbox_elf_resolve__huge_string_table),
	    TEST_CASE(test_sandbox_elf_resolve__mutated_program),
	    TEST_CASE(test_sandbox_elf_resolve__work_is_bounded),
	    TEST_CASE(test_sandbox_elf_resolve__normal_work),
	};

	return cmocka_run_group_tests_name("resolver", tests, NULL, NULL);
}
