/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_io.h - what the end-to-end tests of plain programs share
 * (proc_io.c): the programs under test, found through the environment;
 * starting one with pipes for its standard descriptors; reading what it
 * says without hanging; files in a scratch directory; reports of
 * fdreport and hello-server taken apart; HTTP over 127.0.0.1.
 */
#ifndef TESTS_RUN_PROC_IO_H
#define TESTS_RUN_PROC_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How long any one read may wait: a bound on a hang, never a delay. */
#define TIMEOUT_MS 30000

/* From the environment: see proc_io_group_setup(). */
extern const char *tool;           /* CLOUDABI_RUN */
extern const char *fdreport;       /* FDREPORT */
extern const char *fdreport_plain; /* FDREPORT_PLAIN */
extern const char *server;         /* HELLO_SERVER */
extern const char *examples;       /* EXAMPLES: the source's examples/ */
extern const char *ssa;            /* SYSTEMD_SOCKET_ACTIVATE, or NULL */
extern char dir[];                 /* a scratch directory */
extern bool unconfined;            /* cloudabi-run gets --no-sandbox */

/* A started process and our ends of its standard descriptors. */
struct proc {
	pid_t pid;
	int in, out, err;
};

/* How to start it: extra environment entries, LISTEN_PID set to itself. */
struct how {
	const char *const *env; /* NAME=VALUE..., NULL; or NULL */
	bool listen_pid_self;
	const char *cwd;
};

/*
 * The cmocka group fixture of the groups that use this file: reads the
 * environment, makes the scratch directory, and finds out whether
 * cloudabi-run must run unconfined (in sanitized builds, SANITIZED, or on
 * a kernel that cannot confine). Returns 0, or -1 when something is
 * missing. The teardown removes the scratch directory, which must be
 * empty.
 */
int proc_io_group_setup(void **state);
int proc_io_group_teardown(void **state);

void start(struct proc *p, const struct how *how, char *const argv[]);
void read_line(int fd, char *buf, size_t size);
char *read_all(int fd);
int finish(struct proc *p, char **out, char **err);
int run(const struct how *how, const char *input, char **out, char **err,
    char *const argv[]);
char *write_file(const char *name, const char *text);
void remove_file(char *path);
size_t count_lines(const char *text, const char *prefix);
bool has_line(const char *text, const char *line);
bool report_fd(const char *report, int fd, char *kind, unsigned long long *ino);
void assert_report_fd(const char *report, int fd, const char *kind,
    const char *path);
char *fetch(int port);
int free_port(void);

#endif
