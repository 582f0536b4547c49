/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * process_test.h - what the process tests share: the fdreport helper's
 * reports read and parsed, descriptor tables taken and compared, trees for fdreport, the
 * group fixture (FDREPORT, SEED, the descriptor limit).
 */
#ifndef ARGDATA_PROCESS_TEST_H
#define ARGDATA_PROCESS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include <argdata.h>
#include <program.h>

/* The fdreport helper (FDREPORT), its descriptor, the random seed. */
extern const char *fdreport_path;
extern int fdreport_fd;
extern uint64_t rng_state;

/* One descriptor as the tests compare them. */
struct fdstate {
	int fd;
	int fdflags;
	int flags;
	long long offset;
	dev_t dev;
	ino_t ino;
};

void fd_state(int fd, struct fdstate *s);

/* The whole descriptor table of this process, by probing. */
struct table {
	size_t n;
	struct fdstate fd[512];
};

void table_take(struct table *t);

void table_assert_equal(const struct table *a, const struct table *b);

/* What fdreport said: the descriptors it had, its environment, its pid. */
struct report {
	long pid;
	char argv0[64];
	size_t nenv;
	char env[8][128];
	unsigned long long sigmask;
	unsigned long long nofile_cur, nofile_max;
	size_t nfds;
	struct fdstate fd[1024];
	size_t nyaml;
	char yaml[4096];
	bool complete;
};

void report_parse(char *text, struct report *r);

/*
 * Reads fd to end-of-file and parses it as a report. Safe in threads (no
 * cmocka assertions, no shared buffer); an incomplete report says so.
 */
void report_read_r(int fd, struct report *r);

void report_read(int fd, struct report *r);

int wait_pidfd(int pidfd);

int wait_pid(pid_t pid);

/* No child of ours is left, running or as a zombie. */
void assert_no_children(void);

/*
 * The map {fds: [fd...], out: fd, exit: status} that fdreport reads. The
 * arrays the map and sequence are built on must outlive them: one set per
 * thread, so each thread can have one such tree at a time.
 */
argdata_t *tree_create(const int *fds, size_t n, int out, int status,
    argdata_t **parts);

void tree_free(argdata_t *ad, argdata_t **parts);

int process_group_setup(void **state);

int process_group_teardown(void **state);

/*
 * The property test. A random layout: some distinct files (memfds with
 * their own offsets and status flags), each installed at one to three
 * random descriptor numbers (small ones, so that cycles and holes are
 * common, and some in the thousands), each number close-on-exec or not,
 * and a tree naming a random sequence of those numbers, duplicates
 * included. A child process builds the layout, adds stray descriptors and
 * starts fdreport; the report must show exactly the tree's files, in
 * order of first appearance, at 0..n-1, with nothing else.
 */
#define LAYOUT_MAXID 7

#define LAYOUT_MAXSLOTS (3 * (LAYOUT_MAXID + 1))

struct layout {
	size_t nid; /* files, the last one the report pipe */
	int file[LAYOUT_MAXID + 1];
	size_t nslots;
	int slot[LAYOUT_MAXSLOTS];    /* a descriptor number in the child */
	int slot_id[LAYOUT_MAXSLOTS]; /* the file it holds */
	bool slot_cloexec[LAYOUT_MAXSLOTS];
	size_t ntree;
	int tree[16]; /* slot numbers the tree refers to */
	int out;      /* slot of the report pipe */
	int execslot; /* where the executable is, or -1 */
	bool spawn;
	struct fdstate state[LAYOUT_MAXID + 1]; /* of each file */
};

/*
 * A file with the given contents and mode, open for reading. It is made
 * next to fdreport, where executing files is known to be allowed (/tmp
 * may be mounted noexec).
 */
int make_file(const void *data, size_t len, mode_t mode);

/* Runs fdreport in a forked child through fn and returns its report. */
int start_in_child(void (*fn)(int out, void *), void *arg, struct report *r);

void exec_with_attr(int out, void *arg);

/* The groups of test-process, one per file; main.c runs them. */
int run_layouts_tests(void);
int run_exec_tests(void);
int run_spawn_tests(void);
int run_startup_tests(void);
int run_hooks_tests(void);
int run_startup_fd_tests(void);
int run_plain_tests(void);
int run_plain_layouts_tests(void);
int run_plain_nomem_tests(void);

#endif
