/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The examples of argdata(5) are true: every ".It value" line of its
 * EXAMPLES section followed by a line of hex bytes is decoded, validated,
 * read back as the value the label names, and encoded again to the same
 * bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codec_test.h"
#include "testutil.h"

/* Parses a line of hex byte pairs; returns the count, or 0 if it is not. */
static size_t
parse_hex(const char *line, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned byte;
	int used;

	while (*line != '\0' && *line != '\n') {
		if (n == max || sscanf(line, "%2x%n", &byte, &used) != 1 ||
		    used != 2)
			return 0;
		out[n++] = (uint8_t)byte;
		line += 2;
		if (*line == ' ')
			line++;
	}
	return n;
}

/* Undoes the roff escapes the page uses in labels. */
static void
unescape(const char *in, char *out, size_t max)
{
	size_t n = 0;

	while (*in != '\0' && *in != '\n' && n + 1 < max) {
		if (strncmp(in, "\\(dq", 4) == 0) {
			out[n++] = '"';
			in += 4;
		} else if (strncmp(in, "\\-", 2) == 0) {
			out[n++] = '-';
			in += 2;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
}

/* The containers of the page, rebuilt with the constructors. */
static void
expect_container(const argdata_t *ad, const char *label)
{
	argdata_t *zero = argdata_create_int_s(0);
	argdata_t *one = argdata_create_int_s(1);
	argdata_t *a = argdata_create_str_c("A");
	argdata_t *lower_a = argdata_create_str_c("a");
	const argdata_t *seq3[] = {zero, &argdata_true, a};
	const argdata_t *seq1[] = {&argdata_null};
	const argdata_t *keys[] = {lower_a}, *values[] = {one};
	argdata_t *want = NULL;
	size_t wlen, glen;
	uint8_t wbuf[32], gbuf[32];

	if (strcmp(label, "[0, true, \"A\"]") == 0)
		want = argdata_create_seq(seq3, 3);
	else if (strcmp(label, "[null]") == 0)
		want = argdata_create_seq(seq1, 1);
	else if (strcmp(label, "{\"a\": 1}") == 0)
		want = argdata_create_map(keys, values, 1);
	if (want == NULL)
		fail_msg("argdata(5): label %s unknown to the test", label);
	argdata_serialized_length(want, &wlen, NULL);
	argdata_serialized_length(ad, &glen, NULL);
	assert_true(wlen <= sizeof(wbuf) && glen == wlen);
	argdata_serialize(want, wbuf, NULL);
	argdata_serialize(ad, gbuf, NULL);
	if (memcmp(wbuf, gbuf, wlen) != 0)
		fail_msg("argdata(5): %s is %s", label, hex(wbuf, wlen));
	argdata_free(want);
	argdata_free(zero);
	argdata_free(one);
	argdata_free(a);
	argdata_free(lower_a);
}

/* Checks that ad holds what label says. */
static void
expect_label(const argdata_t *ad, const char *label)
{
	argdata_type_t type;
	const char *s;
	size_t len;
	bool b;
	double d;
	intmax_t i;
	uintmax_t u;
	char *end;
	int fd;
	struct timespec ts;

	assert_int_equal(argdata_get_type(ad, &type), 0);
	if (strcmp(label, "null") == 0) {
		assert_int_equal(type, ARGDATA_TYPE_NULL);
	} else if (strcmp(label, "true") == 0 || strcmp(label, "false") == 0) {
		assert_int_equal(argdata_get_bool(ad, &b), 0);
		assert_int_equal(b, label[0] == 't');
	} else if (label[0] == '"') {
		assert_int_equal(argdata_get_str(ad, &s, &len), 0);
		assert_int_equal(len + 2, strlen(label));
		assert_memory_equal(s, label + 1, len);
	} else if (strncmp(label, "descriptor ", 11) == 0) {
		assert_int_equal(argdata_get_fd(ad, &fd), 0);
		assert_int_equal(fd, atoi(label + 11));
	} else if (label[0] == '[' || label[0] == '{') {
		expect_container(ad, label);
	} else if (strcmp(label, "1970-01-01T00:00:01Z") == 0) {
		assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
		assert_true(ts.tv_sec == 1 && ts.tv_nsec == 0);
	} else if (strcmp(label, "1969-12-31T23:59:59.999999999Z") == 0) {
		assert_int_equal(argdata_get_timestamp(ad, &ts), 0);
		assert_true(ts.tv_sec == -1 && ts.tv_nsec == 999999999);
	} else if (strcmp(label, "2^63 - 1") == 0) {
		assert_int_equal(
		    argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX), 0);
		assert_true(i == INTMAX_MAX);
	} else if (strcmp(label, "-2^63") == 0) {
		assert_int_equal(
		    argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX), 0);
		assert_true(i == INTMAX_MIN);
	} else if (strcmp(label, "2^64 - 1") == 0) {
		assert_int_equal(argdata_get_int_u(ad, &u, UINTMAX_MAX), 0);
		assert_true(u == UINTMAX_MAX);
	} else if (strchr(label, '.') != NULL) {
		assert_int_equal(argdata_get_float(ad, &d), 0);
		assert_true(d == strtod(label, NULL));
		assert_true(!signbit(d) == (label[0] != '-'));
	} else {
		i = strtoimax(label, &end, 10);
		if (*end != '\0' || end == label)
			fail_msg("argdata(5): label %s unknown to the test",
			    label);
		assert_int_equal(
		    argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX), 0);
		assert_true(i == strtoimax(label, NULL, 10));
	}
}

static void
test_argdata_5__examples(void **state)
{
	char *page, *line, *next, label[128], *arg;
	bool in_examples = false, have_label = false;
	uint8_t bytes[64];
	size_t n, size, checked = 0;
	argdata_t *ad;
	FILE *fp;

	/* The whole page first: a failing check must not leave it open. */
	fp = fopen(test_group_arg, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", test_group_arg);
	page = calloc(1, 1 << 16);
	assert_non_null(page);
	size = fread(page, 1, (1 << 16) - 1, fp);
	fclose(fp);
	assert_true(size < (1 << 16) - 1);

	for (line = page; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next == NULL)
			next = line + strlen(line);
		else
			*next++ = '\0';
		if (strncmp(line, ".Sh ", 4) == 0)
			in_examples = strcmp(line, ".Sh EXAMPLES") == 0;
		if (!in_examples)
			continue;
		if (strncmp(line, ".It ", 4) == 0) {
			/* Quotes around a macro argument are roff syntax. */
			arg = line + 4;
			if (arg[0] == '"') {
				arg++;
				if (strrchr(arg, '"') != NULL)
					*strrchr(arg, '"') = '\0';
			}
			unescape(arg, label, sizeof(label));
			have_label = true;
			continue;
		}
		if (!have_label)
			continue;
		have_label = false;
		n = parse_hex(line, bytes, sizeof(bytes));
		if (n == 0)
			continue;
		if (argdata_validate(bytes, n, NULL, NULL) != 0)
			fail_msg("argdata(5): %s: invalid bytes %s", label,
			    line);
		ad = argdata_from_buffer(bytes, n, convert_fd_identity, NULL);
		expect_label(ad, label);
		expect_encoding(ad, bytes, n);
		argdata_free(ad);
		checked++;
	}
	free(page);
	/* The page has some twenty of them; a broken parse finds none. */
	if (checked < 20)
		fail_msg("argdata(5): only %zu examples found", checked);
}

int
run_manpage_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_5__examples),
	};

	/* Run without arguments, the executable has no page to check. */
	if (test_group_arg == NULL) {
		fprintf(stderr,
		    "manpage: no path of argdata.5 given, skipped\n");
		return 0;
	}
	return cmocka_run_group_tests_name("manpage", tests, NULL, NULL);
}
