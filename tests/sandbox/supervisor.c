/*
 * supervisor.c - a program that starts another: its argdata is a map with
 * worker (a descriptor of the program to start) and out (where to
 * report). It spawns the worker with the tree [out] and writes
 * "spawn ERRNO" or "worker exit N" to out, so that the tests can see
 * whether a confined program may start the program it was given.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

static int
get_fd(const argdata_t *ad, const char *name)
{
	argdata_map_iterator_t it;
	const argdata_t *key, *value;
	const char *k;
	int fd;

	for (argdata_map_iterate(ad, &it); argdata_map_get(&it, &key, &value);
	    argdata_map_next(&it))
		if (argdata_get_str_c(key, &k) == 0 && strcmp(k, name) == 0 &&
		    argdata_get_fd(value, &fd) == 0)
			return fd;
	exit(2);
}

void
program_main(const argdata_t *ad)
{
	int worker = get_fd(ad, "worker"), out = get_fd(ad, "out");
	argdata_t *elem = argdata_create_fd(out), *tree;
	siginfo_t info;
	int pidfd, error;

	tree = elem == NULL ? NULL :
	    argdata_create_seq((const argdata_t *const *)&elem, 1);
	if (tree == NULL)
		exit(3);
	error = program_spawn(worker, tree, NULL, &pidfd);
	if (error != 0) {
		dprintf(out, "spawn %s\n", strerrorname_np(error));
		exit(0);
	}
	if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) != 0)
		exit(4);
	dprintf(out, "worker exit %d\n", info.si_status);
}
