/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * script.c - the #! line of a script given to cloudabi-run
 * (cloudabi-run/script.c): what is followed, what is refused and why,
 * lines at and over the kernel's bound, and random bytes, which must never
 * be read beyond the bound nor crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "script.h"
#include "testutil.h"

/* A file holding len bytes of text, for run_script_read(). */
static int
file_of(const char *text, size_t len)
{
	int fd = memfd_create("script", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	return fd;
}

/* Reads text; returns run_script_read()'s result, s and why filled. */
static int
read_text(const char *text, struct run_script *s, char *why, size_t size)
{
	int fd = file_of(text, strlen(text)), r;

	why[0] = '\0';
	r = run_script_read(fd, s, why, size);
	close(fd);
	return r;
}

static void
test_run_script_read__followed(void **state)
{
	struct run_script s;
	char why[256];

	(void)state;
	assert_int_equal(read_text("\177ELF...", &s, why, sizeof(why)), 0);
	assert_false(s.is_script);
	assert_int_equal(read_text("#", &s, why, sizeof(why)), 0);
	assert_false(s.is_script);
	assert_int_equal(read_text("#!/bin/sh\necho\n", &s, why, sizeof(why)),
	    0);
	assert_true(s.is_script);
	assert_string_equal(s.interp, "/bin/sh");
	assert_false(s.has_arg);
	/* Blanks around, the rest of the line one argument, CRLF. */
	assert_int_equal(read_text("#! \t/usr/bin/python3  -u -S \t\r\n", &s,
	                     why, sizeof(why)),
	    0);
	assert_string_equal(s.interp, "/usr/bin/python3");
	assert_true(s.has_arg);
	assert_string_equal(s.arg, "-u -S");
	assert_false(s.via_env);
	assert_int_equal(
	    read_text("#!/usr/bin/env python3\n", &s, why, sizeof(why)), 0);
	assert_true(s.via_env);
	assert_string_equal(s.arg, "python3");
}

static void
test_run_script_read__refused(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
	    {"#!/bin/sh",
	        "its #! line is longer than 255 bytes or does not "
	        "end"},
	    {"#!   \n", "its #! line names no interpreter"},
	    {"#!\n", "its #! line names no interpreter"},
	    {"#!/usr/bin/env\n",
	        "its #! line runs env, which cannot be "
	        "followed"},
	    {"#!/usr/bin/env -S a b\n",
	        "its #! line runs env -S a b, which "
	        "cannot be followed"},
	    {"#!/usr/bin/env A=1\n",
	        "its #! line runs env A=1: expected the "
	        "name of a program"},
	    {"#!/usr/bin/env ./x\n",
	        "its #! line runs env ./x: expected the "
	        "name of a program"},
	};
	struct run_script s;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(read_text(cases[i].text, &s, why, sizeof(why)),
		    -1);
		assert_true(s.is_script);
		assert_string_equal(why, cases[i].why);
	}
	{
		/* A NUL byte inside the line. */
		int fd = file_of("#!/bin/sh\0x\n", 12);

		assert_int_equal(run_script_read(fd, &s, why, sizeof(why)), -1);
		assert_string_equal(why, "its #! line holds a NUL byte");
		close(fd);
	}
}

static void
test_run_script_read__bound(void **state)
{
	char text[RUN_SCRIPT_LINE_MAX + 2], why[256];
	struct run_script s;

	(void)state;
	/* 255 bytes and the newline: the longest line followed. */
	memset(text, 'x', sizeof(text));
	memcpy(text, "#!/", 3);
	text[RUN_SCRIPT_LINE_MAX - 1] = '\n';
	text[RUN_SCRIPT_LINE_MAX] = '\0';
	assert_int_equal(read_text(text, &s, why, sizeof(why)), 0);
	assert_int_equal(strlen(s.interp), RUN_SCRIPT_LINE_MAX - 3);
	/* One more byte: refused, as the kernel cuts it short. */
	text[RUN_SCRIPT_LINE_MAX - 1] = 'x';
	text[RUN_SCRIPT_LINE_MAX] = '\n';
	text[RUN_SCRIPT_LINE_MAX + 1] = '\0';
	assert_int_equal(read_text(text, &s, why, sizeof(why)), -1);
}

static void
test_run_script_read__random_bytes(void **state)
{
	char buf[RUN_SCRIPT_LINE_MAX + 64], why[256];
	struct run_script s;
	unsigned seed = 12345;

	(void)state;
	/* Lines of random bytes from a small alphabet that makes blanks,
	 * newlines, NULs and "env" likely. */
	for (int round = 0; round < 20000; round++) {
		static const char alphabet[] = " \t\r\n\0/env-=x";
		size_t len = 2 + (size_t)(rand_r(&seed) % (sizeof(buf) - 2));
		int fd, r;

		buf[0] = '#';
		buf[1] = '!';
		for (size_t i = 2; i < len; i++)
			buf[i] =
			    alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		fd = file_of(buf, len);
		r = run_script_read(fd, &s, why, sizeof(why));
		close(fd);
		assert_true(r == 0 || r == -1);
		assert_true(s.is_script);
		if (r == 0) {
			assert_true(s.interp[0] != '\0');
			assert_true(strlen(s.interp) < RUN_SCRIPT_LINE_MAX);
			assert_null(strpbrk(s.interp, " \t\n"));
		}
	}
}

static void
test_run_script_follow__not_executable(void **state)
{
	struct run_script s;
	char why[256], *path = (char *)"unset";
	char name[] = "/tmp/script-test.XXXXXX";
	int fd = mkostemp(name, O_CLOEXEC), ifd;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	/* Nobody may execute it: not followed; the exec says EACCES. */
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(
	    run_script_follow(fd, &s, &ifd, &path, why, sizeof(why)), 0);
	assert_false(s.is_script);
	assert_int_equal(ifd, -1);
	assert_null(path);
	/* Executable: its interpreter opened in its place. */
	assert_int_equal(fchmod(fd, 0755), 0);
	assert_int_equal(
	    run_script_follow(fd, &s, &ifd, &path, why, sizeof(why)), 0);
	assert_true(s.is_script);
	assert_true(ifd >= 0);
	assert_string_equal(path, "/bin/sh");
	free(path);
	close(ifd);
	close(fd);
	unlink(name);
}

/* The group, which main.c runs. */
int run_script_tests(void);

int
run_script_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_run_script_read__followed),
	    TEST_CASE(test_run_script_read__refused),
	    TEST_CASE(test_run_script_read__bound),
	    TEST_CASE(test_run_script_read__random_bytes),
	    TEST_CASE(test_run_script_follow__not_executable),
	};

	return cmocka_run_group_tests_name("script", tests, NULL, NULL);
}
