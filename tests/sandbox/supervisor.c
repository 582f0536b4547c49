/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * supervisor.c - a program that starts another: its argdata is a map with
 * worker (a descriptor of the program to start), out (where to report)
 * and optionally sandbox: true (the worker confined in a sandbox of its
 * own too). It spawns the worker with the tree [out] and writes
 * "spawn ERRNO" or "worker exit N" to out, so that the tests can see
 * whether a confined program may start the program it was given.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

/*
 * The descriptor or boolean under key name in the map ad; the values an
 * iterator gives live in the iterator, so they are read within the loop.
 * Returns 0, or -1 when there is none of that type.
 */
static int
get(const argdata_t *ad, const char *name, int *fd, bool *b)
{
	argdata_map_iterator_t it;
	const argdata_t *key, *value;
	const char *k;

	for (argdata_map_iterate(ad, &it); argdata_map_get(&it, &key, &value);
	     argdata_map_next(&it))
		if (argdata_get_str_c(key, &k) == 0 && strcmp(k, name) == 0)
			return (fd != NULL ? argdata_get_fd(value, fd)
			                   : argdata_get_bool(value, b)) == 0
			    ? 0
			    : -1;
	return -1;
}

void
program_main(const argdata_t *ad)
{
	program_attr_t *attr = NULL;
	argdata_t *elem, *tree;
	bool confine = false;
	int worker, out, pidfd, error;
	siginfo_t info;

	if (get(ad, "worker", &worker, NULL) != 0 ||
	    get(ad, "out", &out, NULL) != 0)
		exit(2);
	(void)get(ad, "sandbox", NULL, &confine);
	elem = argdata_create_fd(out);
	tree = elem == NULL
	    ? NULL
	    : argdata_create_seq((const argdata_t *const *)&elem, 1);
	if (tree == NULL)
		exit(3);
	/* A sandbox of its own for the worker, within the supervisor's. */
	if (confine &&
	    ((attr = program_attr_create()) == NULL ||
	        program_attr_setsandbox(attr, PROGRAM_SANDBOX) != 0))
		exit(5);
	error = program_spawn(worker, tree, attr, &pidfd);
	program_attr_free(attr);
	if (error != 0) {
		dprintf(out, "spawn %s\n", strerrorname_np(error));
		exit(0);
	}
	if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) != 0)
		exit(4);
	dprintf(out, "worker exit %d\n", info.si_status);
}
