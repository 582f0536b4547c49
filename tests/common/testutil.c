/* SPDX-License-Identifier: BSD-2-Clause */
/* Descriptor accounting and the runner of the tests; see testutil.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

int
test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	/* The directory stream's own descriptor was open while counting. */
	return n - 1;
}

static int fds_before = -1;

void
test_fds_begin(void)
{
	fds_before = test_count_fds();
	assert_true(fds_before >= 0);
}

void
test_fds_end(void)
{
	int after = test_count_fds();

	if (after != fds_before)
		fail_msg("descriptor leak: %d open before the test, %d after",
		    fds_before, after);
}

int
test_fds_setup(void **state)
{
	(void)state;
	test_fds_begin();
	return 0;
}

int
test_fds_teardown(void **state)
{
	(void)state;
	test_fds_end();
	return 0;
}

const char *test_group_arg;

int
test_main(int argc, char **argv, const struct test_group *groups,
    size_t ngroups)
{
	const char *which = argc > 1 ? argv[1] : NULL;
	int failed = 0;
	size_t i;

	for (i = 0; which != NULL && i < ngroups; i++)
		if (strcmp(groups[i].name, which) == 0)
			break;
	if (which != NULL && i < ngroups) {
		test_group_arg = argc > 2 ? argv[2] : NULL;
		return groups[i].run() != 0;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: %s [group [argument] | case]\n",
		    argv[0]);
		return 2;
	}
	/* Not a group: a case, or cases by pattern, in every group. */
	if (which != NULL)
		cmocka_set_test_filter(which);
	for (i = 0; i < ngroups; i++)
		failed += groups[i].run();
	return failed != 0;
}

bool
test_cloudabi_run_cannot_confine(const char *path)
{
	char cmd[4200], line[512];
	bool refused = false;
	FILE *fp;

	if (getenv("ARGDATA_TEST_REQUIRE_SANDBOX") != NULL)
		return false;
	snprintf(cmd, sizeof(cmd), "printf '~\\n' | '%s' --dry-run '%s' -",
	    path, path);
	if ((fp = popen(cmd, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "refused: ", 9) == 0)
			refused = true;
	pclose(fp);
	if (refused)
		print_message("this kernel cannot confine: cloudabi-run gets "
		              "--no-sandbox\n");
	return refused;
}
