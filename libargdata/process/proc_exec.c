/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exec.c - proc_exec(), program_exec() and program_exec_attr(): replacing
 * the calling process, or returning with its descriptor table as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "process.h"

/*
 * How many times a signal arriving during the shuffle may send it back to
 * the start, before the exec goes ahead regardless: a steady stream of
 * signals must not keep the caller from ever starting the program.
 */
#define EXEC_SIGNAL_RETRIES 16

int
ad_exec_start(struct ad_start *sp, int execfd)
{
	struct ad_start st = *sp;
	struct ad_remap remap;
	sigset_t all;
	int error;

	for (int attempt = 0;; attempt++) {
		error = ad_remap_prepare(&remap, st.slots, st.nslots, execfd);
		if (error != 0)
			return error;
		st.plan.execfd = remap.execfd;

		/*
		 * No signal handler may run while the table is half
		 * shuffled: it would write to the wrong descriptors.
		 */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &st.plan.mask);
		error = ad_remap_apply(&remap);
		if (error == 0 && attempt < EXEC_SIGNAL_RETRIES &&
		    ad_caught_signal_pending(&st.plan.mask)) {
			/*
			 * A signal that arrived during the shuffle would be
			 * handled the moment ad_exec_final() unblocks it,
			 * with the shuffled table. Let it be handled with
			 * the caller's table instead, then start again from
			 * what the handler left.
			 */
			ad_remap_restore(&remap);
			pthread_sigmask(SIG_SETMASK, &st.plan.mask, NULL);
			ad_remap_release(&remap);
			continue;
		}
		if (error == 0)
			error = ad_exec_final(&st.plan);
		ad_remap_restore(&remap);
		pthread_sigmask(SIG_SETMASK, &st.plan.mask, NULL);
		ad_remap_release(&remap);
		break;
	}
	return ad_exec_errno(execfd, error);
}

static int
proc_exec_attr(int execfd, const void *data, size_t datalen, const int *fds,
    size_t nfds, const program_attr_t *attr)
{
	struct ad_start st;
	int error;

	error = ad_start_prepare(&st, execfd, data, datalen, fds, nfds, attr);
	if (error != 0)
		return error;
	error = ad_exec_start(&st, execfd);
	ad_start_release(&st);
	return error;
}

int
proc_exec(int execfd, const void *data, size_t datalen, const int *fds,
    size_t fdslen)
{
	return proc_exec_attr(execfd, data, datalen, fds, fdslen, NULL);
}

int
program_exec_attr(int execfd, const argdata_t *ad, const program_attr_t *attr)
{
	void *buf;
	size_t len, nfds;
	int *fds, error;

	/* The plain layout has no argdata: nothing to serialize. */
	if (attr != NULL && attr->layout == PROGRAM_LAYOUT_PLAIN)
		return ad != NULL
		    ? EINVAL
		    : proc_exec_attr(execfd, NULL, 0, NULL, 0, attr);
	if (ad == NULL)
		return EINVAL;
	error = ad_serialize(ad, &buf, &len, &fds, &nfds);
	if (error != 0)
		return error;
	error = proc_exec_attr(execfd, buf, len, fds, nfds, attr);
	free(buf);
	free(fds);
	return error;
}

int
program_exec(int execfd, const argdata_t *ad)
{
	return program_exec_attr(execfd, ad, NULL);
}
