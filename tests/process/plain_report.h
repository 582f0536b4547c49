/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plain_report.h - the report of fdreport and fdreport-plain
 * (tests/helpers/fdreport.c) taken apart, for the tests of arguments and
 * the plain layout, and checks on it (plain_report.c).
 */
#ifndef TESTS_PROCESS_PLAIN_REPORT_H
#define TESTS_PROCESS_PLAIN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAXLINES 64

/* What fdreport said. */
struct report {
	long pid;
	char argv0[64];
	size_t nargs, nenv, nfds;
	char args[MAXLINES][128];
	char env[MAXLINES][128];
	struct {
		int fd, fdflags;
		uintmax_t dev, ino;
	} fd[MAXLINES];
	bool yaml;
	bool complete;
};

/* Reads fd to its end and parses what it holds. */
void plain_report_read(int fd, struct report *r);

/* Descriptor i of the report is the file open at fd here. */
void assert_fd_is(const struct report *r, size_t i, int fd);
void assert_fd_is_devnull(const struct report *r, size_t i);

/* The report's environment is exactly the n entries given, in any order. */
void assert_env(const struct report *r, size_t n, ...);

#endif
