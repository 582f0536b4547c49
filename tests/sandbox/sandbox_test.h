/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_test.h - what the sandbox tests share: the probe and its report, temporary
 * directories and programs, starting cloudabi-run, and the rule for groups
 * that need a kernel that confines.
 */
#ifndef ARGDATA_SANDBOX_TEST_H
#define ARGDATA_SANDBOX_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ftw.h>

#include <argdata.h>
#include <program.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* A scratch tree: ro/ (hello, sub/inner, link-out, link-up), rw/,
 * outside.txt, outside.sock, instructions. */
struct world {
	char root[64];
	char outside[128];
	int instr, ro, rw, listener, client, unix_listener;
	int report[2];
};

void write_file(const char *path, const char *text);

void world_create(struct world *w, const char *extra);

int remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw);

void world_destroy(struct world *w);

/* How the probe is started: the test's launcher, or the library. */
enum start {
	BY_LAUNCHER, /* fork, sandbox_apply, shuffle, execveat */
	BY_SPAWN,    /* program_spawn() */
	BY_EXEC,     /* fork, then program_exec_attr() in the child */
};

/* The result the probe reported for name, or NULL. */
const char *result_of(const char *report, const char *name, char *buf,
    size_t size);

/*
 * Makes system call nr fail with error in this process and its children
 * (no_new_privs and a seccomp filter of its own), as on a kernel that
 * lacks it. For the children of tests: returns 0 or -1.
 */
int fail_syscall(long nr, int error);

/*
 * Runs cloudabi-run with extra arguments before the probe and a config
 * naming the world's resources: the report pipe as its standard output,
 * the listener inherited at descriptor 10. With landlock_broken, its
 * kernel seems to lack Landlock (a seccomp filter of the test's). Fills
 * out (the probe's report, or the dry run) and err; returns the status.
 */
int run_tool(struct world *w, const char *const *extra, bool landlock_broken,
    char *out, size_t outsize, char *err, size_t errsize);

/* What make_elf_spec() puts in a file. */
struct elf_spec {
	const char *interp;        /* PT_INTERP, or NULL */
	long path_tag;             /* DT_RPATH or DT_RUNPATH */
	const char *path;          /* its value, or NULL */
	const char *const *needed; /* DT_NEEDED names */
	size_t nneeded;
};

/*
 * A minimal ELF file: one PT_LOAD covering the file, PT_DYNAMIC with the
 * DT_NEEDED names and the search path of spec, then PT_INTERP if any.
 */
size_t make_elf_spec(unsigned char *buf, size_t size,
    const struct elf_spec *spec);

void write_bytes(const char *path, const unsigned char *buf, size_t len);

/* Writes the ELF file of spec at root/name; fails the test otherwise. */
void put_elf(const char *root, const char *name, const struct elf_spec *spec,
    uint16_t machine);

/* Seconds since some point, for the tests of bounded work. */
double now(void);

/*
 * Writes at root/name a program whose resolution would try about 520,000
 * paths: a DT_RUNPATH of 1,300 entries (of two characters at most), each a
 * directory tried with the glibc-hwcaps variants, for 100 names found
 * nowhere.
 */
void put_costly_program(const char *root, const char *name, const char *entry);

/*
 * In a child, makes system call nr fail with error (a seccomp filter of
 * its own), then checks that the sandbox refuses, naming want. The exit
 * status says which check failed.
 */
void refuse_without(long nr, int error, const char *want);

/*
 * Runs a group whose tests need a kernel that confines; elsewhere prints
 * that they did not run, or fails when ARGDATA_TEST_REQUIRE_SANDBOX is
 * set. Returns cmocka's count of failures.
 */
int sandbox_run_confined(const char *name, const struct CMUnitTest *tests,
    size_t n);

/* The groups of test-sandbox, one per file; main.c runs them. */
int run_resolver_tests(void);
int run_cloudabi_run_tests(void);
int run_rules_tests(void);
int run_escapes_tests(void);
int run_reach_tests(void);
int run_programs_tests(void);
int run_grants_tests(void);
int run_grants_run_tests(void);

#endif
