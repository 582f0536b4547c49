/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plan.c - what exec and spawn prepare before touching the descriptor
 * table (the serialized tree, the sealed memfd, argv and envp) and the last
 * step they share: ad_exec_final().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "process.h"
#include "sandbox.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

int
ad_serialize(const argdata_t *ad, void **bufp, size_t *lenp, int **fdsp,
    size_t *nfdsp)
{
	size_t len, nfds;
	void *buf;
	int *fds;

	argdata_serialized_length(ad, &len, &nfds);
	buf = malloc(len > 0 ? len : 1);
	fds = malloc((nfds > 0 ? nfds : 1) * sizeof(int));
	if (buf == NULL || fds == NULL) {
		free(buf);
		free(fds);
		return ENOMEM;
	}
	*nfdsp = argdata_serialize(ad, buf, fds);
	*bufp = buf;
	*lenp = len;
	*fdsp = fds;
	return 0;
}

int
ad_memfd_create(const void *data, size_t len, int minfd, int *fdp)
{
	const char *p = data;
	int fd, error;

	/*
	 * Ask for a memfd that can never become executable; kernels older
	 * than 6.3 do not know the flag.
	 */
	fd = memfd_create("argdata",
	    MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("argdata", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return errno;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fcntl(fd, F_ADD_SEALS,
	        F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
		goto fail;
	/* The memfd must not sit in a slot the shuffle fills. */
	if (fd < minfd) {
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, minfd);

		if (moved < 0)
			goto fail;
		close(fd);
		fd = moved;
	}
	*fdp = fd;
	return 0;

fail:
	error = errno;
	close(fd);
	return error;
}

/* The name of the file open at execfd, for argv[0]. */
static char *
executable_name(int execfd)
{
	char link[64], path[4096];
	const char *base;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", execfd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len <= 0)
		return strdup("program");
	path[len] = '\0';
	base = strrchr(path, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : path;
	return strdup(base);
}

int
ad_plan_init(struct ad_exec_plan *plan, int execfd, const struct ad_layout *l,
    const program_attr_t *attr)
{
	size_t nenv = attr != NULL ? attr->nenv : 0;
	size_t nargs = attr != NULL ? attr->nargs : 0, n = 0;
	int error;

	memset(plan, 0, sizeof(*plan));
	plan->execfd = execfd;
	plan->name = attr != NULL && attr->name != NULL
	    ? strdup(attr->name)
	    : executable_name(execfd);
	/* ARGDATA_FD or the three LISTEN_* variables, and a NULL. */
	plan->envp = calloc(nenv + 4, sizeof(char *));
	plan->argv = calloc(nargs + 2, sizeof(char *));
	plan->strings = calloc(nargs + 3, sizeof(char *));
	if (plan->name == NULL || plan->envp == NULL || plan->argv == NULL ||
	    plan->strings == NULL) {
		ad_plan_free(plan);
		return ENOMEM;
	}
	plan->argv[0] = plan->name;
	if ((error = ad_plan_args(plan, l, attr)) != 0)
		goto fail;
	if (l->plain) {
		if ((error = ad_plan_listen_env(plan, &n, attr)) != 0)
			goto fail;
	} else {
		snprintf(plan->fdvar, sizeof(plan->fdvar), "ARGDATA_FD=%zu",
		    l->nprog);
		plan->envp[n++] = plan->fdvar;
	}
	for (size_t i = 0; i < nenv; i++)
		plan->envp[n++] = attr->env[i];
	if (attr != NULL) {
		plan->nofile_set = attr->nofile_set;
		plan->nofile = attr->nofile;
	}
	sigemptyset(&plan->mask);
	return 0;
fail:
	ad_plan_free(plan);
	return error;
}

void
ad_plan_free(struct ad_exec_plan *plan)
{
	int saved_errno = errno;

	free(plan->name);
	free(plan->envp);
	free(plan->argv);
	for (size_t i = 0; i < plan->nstrings; i++)
		free(plan->strings[i]);
	free(plan->strings);
	plan->name = NULL;
	plan->envp = NULL;
	plan->argv = NULL;
	plan->strings = NULL;
	plan->nstrings = 0;
	plan->pid_digits = NULL;
	errno = saved_errno;
}

/*
 * /dev/null for the plain layout's standard descriptors that the caller
 * did not give, opened close-on-exec above the slots like the memfd.
 */
static int
devnull_open(int minfd, int *fdp)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (fd < minfd) {
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, minfd);

		close(fd);
		if (moved < 0)
			return errno;
		fd = moved;
	}
	*fdp = fd;
	return 0;
}

int
ad_start_prepare(struct ad_start *s, int execfd, const void *data,
    size_t datalen, const int *fds, size_t nfds, const program_attr_t *attr)
{
	struct ad_layout *l = &s->layout;
	int error;

	*s = (struct ad_start){.memfd = -1, .devnull = -1};
	/*
	 * Everything that can fail for want of a descriptor, of memory or of
	 * a valid argument fails here, before the table changes.
	 */
	if ((datalen > 0 && data == NULL) || (nfds > 0 && fds == NULL))
		return EINVAL;
	error = ad_check_fds(execfd, fds, nfds);
	if (error != 0)
		return error;
	error = ad_layout_init(l, fds, nfds, attr);
	if (error == 0 && l->plain && (data != NULL || nfds > 0))
		error = EINVAL;
	if (error == 0)
		error = ad_check_layout(execfd, l);
	if (error != 0)
		goto fail;
	/*
	 * Now that the caller's descriptors are known to be open, /dev/null
	 * cannot take the number of one of them.
	 */
	for (size_t i = 0; i < l->nprog && error == 0; i++)
		if (l->slots[i] < 0 && s->devnull < 0)
			error = devnull_open((int)l->nslots, &s->devnull);
	for (size_t i = 0; i < l->nprog; i++)
		if (l->slots[i] < 0)
			l->slots[i] = s->devnull;
	if (error == 0)
		error = ad_plan_init(&s->plan, execfd, l, attr);
	if (error != 0)
		goto fail;
	/* The sandbox sees the program's descriptors, as the caller's. */
	error =
	    ad_sandbox_prepare(attr, &s->plan, l->slots, l->nprog, &s->sandbox);
	if (error == 0 && !l->plain)
		error =
		    ad_memfd_create(data, datalen, (int)l->nslots, &s->memfd);
	if (error != 0)
		goto fail;
	if (!l->plain)
		l->slots[l->nprog] = s->memfd;
	s->slots = l->slots;
	s->nslots = l->nslots;
	return 0;
fail:
	ad_start_release(s);
	return error;
}

void
ad_start_release(struct ad_start *s)
{
	int saved_errno = errno;

	if (s->memfd >= 0)
		close(s->memfd);
	if (s->devnull >= 0)
		close(s->devnull);
	ad_layout_free(&s->layout);
	sandbox_free(s->sandbox);
	ad_plan_free(&s->plan);
	*s = (struct ad_start){.memfd = -1, .devnull = -1};
	errno = saved_errno;
}

bool
ad_caught_signal_pending(const sigset_t *mask)
{
	sigset_t pending;

	if (sigpending(&pending) != 0)
		return false;
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigismember(&pending, sig) != 1 ||
		    sigismember(mask, sig) == 1)
			continue;
		if (sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)
			return true;
	}
	return false;
}

/*
 * The value of LISTEN_PID: the pid of the process about to exec, which
 * in program_spawn()'s child only the child knows. Async-signal-safe.
 */
AD_CHILD_CODE static void
write_pid(char *digits)
{
	char tmp[AD_PID_DIGITS];
	unsigned long v = (unsigned long)getpid();
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < sizeof(tmp) - 1);
	for (size_t i = 0; i < n; i++)
		digits[i] = tmp[n - 1 - i];
	digits[n] = '\0';
}

AD_CHILD_CODE int
ad_exec_final(const struct ad_exec_plan *plan)
{
	struct rlimit caller = {0, 0};
	sigset_t all;
	int error;

	/*
	 * The program's descriptor limit, once the shuffle no longer needs
	 * the caller's, and before a confinement that may forbid setting it.
	 */
	if (plan->nofile_set &&
	    (getrlimit(RLIMIT_NOFILE, &caller) != 0 ||
	        setrlimit(RLIMIT_NOFILE, &plan->nofile) != 0))
		return errno;
	/*
	 * Confinement (session, capabilities, user, no_new_privs, Landlock,
	 * seccomp; or the user switch alone) goes here, after the
	 * shuffle so that it can forbid dup2 and close, and before the
	 * caller's signal mask returns so that no handler runs half-confined.
	 */
	if (plan->confine != NULL) {
		error = plan->confine(plan->confine_arg);
		if (error != 0)
			goto fail;
	}
	if (plan->pid_digits != NULL)
		write_pid(plan->pid_digits);
	/*
	 * The program inherits the signal mask, so the caller's comes back
	 * now; a signal arriving in the instant before execveat sees the
	 * shuffled table (program_exec(3) documents it).
	 */
	pthread_sigmask(SIG_SETMASK, &plan->mask, NULL);
	execveat(plan->execfd, "", plan->argv, plan->envp, AT_EMPTY_PATH);
	error = errno;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
fail:
	if (plan->nofile_set)
		(void)setrlimit(RLIMIT_NOFILE, &caller);
	return error;
}

/*
 * Whether the file open at fd starts with "#!". An O_PATH descriptor
 * cannot be read, so the file is opened again for reading through /proc.
 */
static bool
starts_with_hashbang(int fd)
{
	char magic[2], link[64];
	ssize_t r = pread(fd, magic, 2, 0);

	if (r < 0 && errno == EBADF) {
		int rfd;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		rfd = open(link, O_RDONLY | O_CLOEXEC);
		if (rfd < 0)
			return false;
		r = pread(rfd, magic, 2, 0);
		close(rfd);
	}
	return r == 2 && magic[0] == '#' && magic[1] == '!';
}

int
ad_exec_errno(int execfd, int error)
{
	/*
	 * Linux runs a #! script by handing its interpreter /dev/fd/N, which
	 * a close-on-exec execfd cannot provide: execveat fails with ENOENT.
	 * Keeping execfd open would break the promise that the program gets
	 * nothing but its tree's descriptors, so such scripts are refused
	 * with ENOEXEC, the errno of a file the exec cannot run.
	 */
	if (error == ENOENT && starts_with_hashbang(execfd))
		return ENOEXEC;
	return error;
}
