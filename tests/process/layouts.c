/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layouts.c - the property test of the shuffle: random layouts of descriptors
 * (cycles, holes, duplicates, high numbers) started with program_exec in a
 * child, each reported back by fdreport and checked.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/close_range.h>

#include <argdata.h>
#include <program.h>

#include "process.h"
#include "testutil.h"
#include "process_test.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static uint32_t
rnd(uint32_t bound)
{
	/* xorshift64*: reproducible from SEED, good enough for layouts. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % bound;
}

static bool
slot_taken(const struct layout *l, int fd)
{
	for (size_t i = 0; i < l->nslots; i++)
		if (l->slot[i] == fd)
			return true;
	return fd == l->execslot;
}

static int
random_number(const struct layout *l)
{
	int fd;

	do
		fd = rnd(10) < 8 ? (int)rnd(10) : 10 + (int)rnd(11000 - 10);
	while (slot_taken(l, fd));
	return fd;
}

static void
layout_make(struct layout *l, int pipe_wr)
{
	memset(l, 0, sizeof(*l));
	l->execslot = -1;
	l->nid = 1 + rnd(LAYOUT_MAXID);
	for (size_t i = 0; i < l->nid; i++) {
		l->file[i] = memfd_create("layout", MFD_CLOEXEC);
		assert_true(l->file[i] >= 0);
		assert_int_equal(
		    lseek(l->file[i], (off_t)rnd(100000), SEEK_SET) >= 0, 1);
		if (rnd(3) == 0)
			fcntl(l->file[i], F_SETFL, O_APPEND);
	}
	l->file[l->nid] = pipe_wr;
	for (size_t i = 0; i <= l->nid; i++)
		fd_state(l->file[i], &l->state[i]);
	for (size_t i = 0; i <= l->nid; i++) {
		size_t copies = 1 + rnd(3);

		for (size_t c = 0; c < copies; c++) {
			l->slot[l->nslots] = random_number(l);
			l->slot_id[l->nslots] = (int)i;
			l->slot_cloexec[l->nslots] = rnd(2);
			if (c == 0 && i == l->nid)
				l->out = l->slot[l->nslots];
			l->nslots++;
		}
	}
	l->ntree = rnd(12);
	for (size_t i = 0; i < l->ntree; i++)
		l->tree[i] = l->slot[rnd((uint32_t)l->nslots)];
	if (rnd(4) == 0)
		l->execslot = random_number(l);
	l->spawn = rnd(4) == 0;
}

/* The child's side: build the layout, add strays, start fdreport. */
static void
layout_child(const struct layout *l)
{
	int tmp[LAYOUT_MAXID + 2], execfd = fdreport_fd, pidfd;
	argdata_t *parts[80], *ad;
	int error;

	/* Move the originals above every layout number first. */
	for (size_t i = 0; i <= l->nid; i++)
		tmp[i] = fcntl(l->file[i], F_DUPFD_CLOEXEC, 11500);
	tmp[l->nid + 1] = fcntl(fdreport_fd, F_DUPFD_CLOEXEC, 11500);
	for (size_t i = 0; i < l->nslots; i++) {
		if (dup2(tmp[l->slot_id[i]], l->slot[i]) < 0)
			_exit(90);
		if (l->slot_cloexec[i])
			fcntl(l->slot[i], F_SETFD, FD_CLOEXEC);
	}
	if (l->execslot >= 0) {
		dup2(tmp[l->nid + 1], l->execslot);
		execfd = l->execslot;
	} else {
		execfd = tmp[l->nid + 1];
	}
	/* Strays: one inheritable, one close-on-exec, at free numbers. */
	for (int fd = 20; fd < 40; fd++) {
		if (!slot_taken(l, fd) && fcntl(fd, F_GETFD) < 0) {
			open("/dev/null", O_RDONLY);
			break;
		}
	}
	open("/dev/null", O_RDONLY | O_CLOEXEC);

	ad = tree_create(l->tree, l->ntree, l->out, 0, parts);
	if (ad == NULL)
		_exit(91);
	if (!l->spawn) {
		error = program_exec(execfd, ad);
		_exit(100 + error);
	}
	error = program_spawn(execfd, ad, NULL, &pidfd);
	if (error != 0)
		_exit(100 + error);
	/* The report pipe must reach only the grandchild. */
	for (size_t i = 0; i < l->nslots; i++)
		close(l->slot[i]);
	for (size_t i = 0; i <= l->nid; i++)
		close(tmp[i]);
	_exit(wait_pidfd(pidfd));
}

static void
layout_check(const struct layout *l, const struct report *r, pid_t child)
{
	int order[LAYOUT_MAXSLOTS];
	size_t n = 0;

	/* Numbers in order of first appearance: the sequence, then out. */
	for (size_t i = 0; i <= l->ntree; i++) {
		int fd = i < l->ntree ? l->tree[i] : l->out;
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen = seen || order[k] == fd;
		if (!seen)
			order[n++] = fd;
	}
	if (getenv("REPORT_DEBUG") != NULL) {
		fprintf(stderr, "layout: spawn %d exec at %d, out %d, tree",
		    l->spawn, l->execslot, l->out);
		for (size_t i = 0; i < l->ntree; i++)
			fprintf(stderr, " %d", l->tree[i]);
		fprintf(stderr, "\nslots:");
		for (size_t i = 0; i < l->nslots; i++)
			fprintf(stderr, " %d=%d%s", l->slot[i], l->slot_id[i],
			    l->slot_cloexec[i] ? "e" : "");
		fprintf(stderr, "\n");
	}
	assert_true(r->complete);
	if (!l->spawn)
		assert_int_equal(r->pid, child);
	assert_int_equal(r->nenv, 0);
	assert_int_equal(r->sigmask, 0);
	assert_int_equal(r->nfds, n);
	for (size_t i = 0; i < n; i++) {
		const struct fdstate *want;
		size_t s = 0;

		while (l->slot[s] != order[i])
			s++;
		want = &l->state[l->slot_id[s]];
		assert_int_equal(r->fd[i].fd, (int)i);
		assert_int_equal(r->fd[i].fdflags, 0);
		assert_int_equal(r->fd[i].flags, want->flags);
		assert_int_equal(r->fd[i].offset, want->offset);
		assert_int_equal(r->fd[i].dev, want->dev);
		assert_int_equal(r->fd[i].ino, want->ino);
	}
}

static void
run_layouts(size_t count)
{
	for (size_t iter = 0; iter < count; iter++) {
		struct layout l;
		struct report r;
		int p[2], status;
		pid_t child;

		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		layout_make(&l, p[1]);
		child = fork();
		assert_true(child >= 0);
		if (child == 0)
			layout_child(&l);
		close(p[1]);
		report_read(p[0], &r);
		close(p[0]);
		status = wait_pid(child);
		if (status != 0 || !r.complete)
			fail_msg("layout %zu: child exit status %d", iter,
			    status);
		layout_check(&l, &r, child);
		for (size_t i = 0; i < l.nid; i++)
			close(l.file[i]);
	}
	assert_no_children();
}

static void
test_program_exec__random_layouts(void **state)
{
	const char *count = getenv("LAYOUTS");

	run_layouts(count != NULL ? strtoul(count, NULL, 10) : 1200);
}

int
run_layouts_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_program_exec__random_layouts),
	};

	return cmocka_run_group_tests_name("layouts", tests,
	    process_group_setup, process_group_teardown);
}
