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

#include "process_internal.h"

/*
 * How many times a signal arriving during the shuffle may send it back to
 * the start, before the exec goes ahead regardless: a steady stream of
 * signals must not keep the caller from ever starting the program.
 */
#define EXEC_SIGNAL_RETRIES 16

int
ad_proc_exec(int execfd, const void *data, size_t datalen, const int *fds,
    size_t nfds, const program_attr_t *attr)
{
	struct ad_exec_plan plan;
	struct ad_remap remap;
	sigset_t all;
	int *want = NULL, memfd = -1;
	int error;

	/*
	 * Everything that can fail for want of a descriptor, of memory or of
	 * a valid argument fails here, before the table changes.
	 */
	if (datalen > 0 && data == NULL)
		return EINVAL;
	if (nfds > 0 && fds == NULL)
		return EINVAL;
	error = ad_check_fds(execfd, fds, nfds);
	if (error != 0)
		return error;
	error = ad_plan_init(&plan, execfd, nfds, attr);
	if (error != 0)
		return error;
	want = malloc((nfds + 1) * sizeof(int));
	if (want == NULL) {
		error = ENOMEM;
		goto out_plan;
	}
	error = ad_memfd_create(data, datalen, (int)nfds + 1, &memfd);
	if (error != 0)
		goto out_plan;
	for (size_t i = 0; i < nfds; i++)
		want[i] = fds[i];
	want[nfds] = memfd;
	for (int attempt = 0;; attempt++) {
		error = ad_remap_prepare(&remap, want, nfds + 1, execfd);
		if (error != 0)
			goto out_memfd;
		plan.execfd = remap.execfd;

		/*
		 * No signal handler may run while the table is half
		 * shuffled: it would write to the wrong descriptors.
		 */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &plan.mask);
		error = ad_remap_apply(&remap);
		if (error == 0 && attempt < EXEC_SIGNAL_RETRIES &&
		    ad_caught_signal_pending(&plan.mask)) {
			/*
			 * A signal that arrived during the shuffle would be
			 * handled the moment ad_exec_final() unblocks it,
			 * with the shuffled table. Let it be handled with
			 * the caller's table instead, then start again from
			 * what the handler left.
			 */
			ad_remap_restore(&remap);
			pthread_sigmask(SIG_SETMASK, &plan.mask, NULL);
			ad_remap_release(&remap);
			continue;
		}
		if (error == 0)
			error = ad_exec_final(&plan);
		ad_remap_restore(&remap);
		pthread_sigmask(SIG_SETMASK, &plan.mask, NULL);
		ad_remap_release(&remap);
		break;
	}
	error = ad_exec_errno(execfd, error);
out_memfd:
	close(memfd);
out_plan:
	free(want);
	ad_plan_free(&plan);
	return error;
}

int
proc_exec(int execfd, const void *data, size_t datalen, const int *fds,
    size_t fdslen)
{
	return ad_proc_exec(execfd, data, datalen, fds, fdslen, NULL);
}

int
program_exec_attr(int execfd, const argdata_t *ad, const program_attr_t *attr)
{
	void *buf;
	size_t len, nfds;
	int *fds, error;

	if (ad == NULL)
		return EINVAL;
	error = ad_serialize(ad, &buf, &len, &fds, &nfds);
	if (error != 0)
		return error;
	error = ad_proc_exec(execfd, buf, len, fds, nfds, attr);
	free(buf);
	free(fds);
	return error;
}

int
program_exec(int execfd, const argdata_t *ad)
{
	return program_exec_attr(execfd, ad, NULL);
}
