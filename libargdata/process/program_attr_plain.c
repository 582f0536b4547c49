/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * program_attr_plain.c - command-line arguments and the plain layout
 * (standard input, output and error, systemd's socket activation) as
 * options of program_attr_t, and what exec and spawn make of them: the
 * program's descriptor table, its argv and its LISTEN_* variables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "process.h"

/* systemd's limit on a FileDescriptorName=. */
#define NAME_MAX_LEN 255

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int
push_arg(program_attr_t *attr, const char *prefix, int fd, const char *suffix)
{
	struct ad_arg a = {.fd = fd};

	if (ad_grow(&attr->args, &attr->argscap, attr->nargs, 1,
	        sizeof(*attr->args), NULL) != 0)
		return ENOMEM;
	a.prefix = dup_or_empty(prefix);
	if (fd >= 0)
		a.suffix = dup_or_empty(suffix);
	if (a.prefix == NULL || (fd >= 0 && a.suffix == NULL)) {
		free(a.prefix);
		free(a.suffix);
		return ENOMEM;
	}
	attr->args[attr->nargs++] = a;
	return 0;
}

int
program_attr_addarg(program_attr_t *attr, const char *arg)
{
	if (attr == NULL || arg == NULL)
		return EINVAL;
	return push_arg(attr, arg, -1, NULL);
}

int
program_attr_addarg_fd(program_attr_t *attr, const char *prefix, int fd,
    const char *suffix)
{
	if (attr == NULL)
		return EINVAL;
	if (fd < 0)
		return EBADF;
	return push_arg(attr, prefix, fd, suffix);
}

int
program_attr_setlayout(program_attr_t *attr, int layout)
{
	if (attr == NULL ||
	    (layout != PROGRAM_LAYOUT_ARGDATA &&
	        layout != PROGRAM_LAYOUT_PLAIN))
		return EINVAL;
	attr->layout = layout;
	return 0;
}

int
program_attr_setstdio(program_attr_t *attr, int in, int out, int err)
{
	if (attr == NULL)
		return EINVAL;
	if (in < -1 || out < -1 || err < -1)
		return EBADF;
	attr->stdio[0] = in;
	attr->stdio[1] = out;
	attr->stdio[2] = err;
	attr->stdio_set = true;
	return 0;
}

/* A name systemd would accept in FileDescriptorName= and LISTEN_FDNAMES. */
static bool
valid_name(const char *name)
{
	size_t len = 0;

	for (const char *p = name; *p != '\0'; p++, len++)
		if (*p < ' ' || *p > '~' || *p == ':')
			return false;
	return len > 0 && len <= NAME_MAX_LEN;
}

int
program_attr_addfd(program_attr_t *attr, const char *name, int fd)
{
	char *copy;

	if (attr == NULL || name == NULL || !valid_name(name))
		return EINVAL;
	if (fd < 0)
		return EBADF;
	if (ad_grow(&attr->named, &attr->namedcap, attr->nnamed, 1,
	        sizeof(*attr->named), NULL) != 0 ||
	    (copy = strdup(name)) == NULL)
		return ENOMEM;
	attr->named[attr->nnamed++] = (struct ad_named){.name = copy, .fd = fd};
	return 0;
}

void
ad_attr_free_plain(program_attr_t *attr)
{
	for (size_t i = 0; i < attr->nargs; i++) {
		free(attr->args[i].prefix);
		free(attr->args[i].suffix);
	}
	free(attr->args);
	for (size_t i = 0; i < attr->nnamed; i++)
		free(attr->named[i].name);
	free(attr->named);
}

/*
 * For finding each argument's descriptor among the slots in O(n log n):
 * a slot or an argument, sorted by descriptor, then by order (slots
 * before arguments, each in its own order).
 */
struct fdref {
	int fd;
	size_t order; /* slot i: i; argument k: nbase + k */
};

static int
fdref_cmp(const void *a, const void *b)
{
	const struct fdref *x = a, *y = b;

	if (x->fd != y->fd)
		return x->fd < y->fd ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/*
 * Numbers the arguments' descriptors: one among the first nbase slots
 * keeps its lowest slot; the others are appended to slots (room for them
 * is there) in order of first appearance. Fills l->argnum and l->nslots.
 */
static int
number_args(struct ad_layout *l, size_t nbase, const program_attr_t *attr)
{
	size_t nargs = attr != NULL ? attr->nargs : 0, nref = 0, nextra = 0;
	struct fdref *ref;
	size_t *first, *extra;

	l->nslots = nbase;
	for (size_t k = 0; k < nargs; k++)
		l->argnum[k] = -1;
	if (nargs == 0)
		return 0;
	ref = malloc((nbase + nargs) * sizeof(*ref));
	first = malloc(nargs * sizeof(*first));
	extra = malloc(nargs * sizeof(*extra));
	if (ref == NULL || first == NULL || extra == NULL) {
		free(ref);
		free(first);
		free(extra);
		return ENOMEM;
	}
	for (size_t i = 0; i < nbase; i++)
		if (l->slots[i] >= 0)
			ref[nref++] = (struct fdref){l->slots[i], i};
	for (size_t k = 0; k < nargs; k++)
		if (attr->args[k].fd >= 0)
			ref[nref++] =
			    (struct fdref){attr->args[k].fd, nbase + k};
	qsort(ref, nref, sizeof(*ref), fdref_cmp);
	/*
	 * In each run of one descriptor, the first entry decides: a slot
	 * gives its number at once; an argument marks an extra descriptor,
	 * known by the order of its first appearance.
	 */
	for (size_t i = 0, head = 0; i < nref; i++) {
		if (i == 0 || ref[i].fd != ref[i - 1].fd) {
			head = ref[i].order;
			if (head >= nbase)
				extra[nextra++] = head;
		}
		if (ref[i].order < nbase)
			continue;
		if (head < nbase)
			l->argnum[ref[i].order - nbase] = (int)head;
		else
			first[ref[i].order - nbase] = head;
	}
	qsort(extra, nextra, sizeof(*extra), size_cmp);
	for (size_t j = 0; j < nextra; j++)
		l->slots[nbase + j] = attr->args[extra[j] - nbase].fd;
	for (size_t k = 0; k < nargs; k++) {
		size_t *at;

		if (attr->args[k].fd < 0 || l->argnum[k] >= 0)
			continue;
		at =
		    bsearch(&first[k], extra, nextra, sizeof(*extra), size_cmp);
		l->argnum[k] = (int)(nbase + (size_t)(at - extra));
	}
	l->nslots = nbase + nextra;
	free(ref);
	free(first);
	free(extra);
	return 0;
}

int
ad_layout_init(struct ad_layout *l, const int *fds, size_t nfds,
    const program_attr_t *attr)
{
	size_t nargs = attr != NULL ? attr->nargs : 0;
	size_t nnamed = attr != NULL ? attr->nnamed : 0;
	size_t nbase;
	int error;

	*l = (struct ad_layout){
	    .plain = attr != NULL && attr->layout == PROGRAM_LAYOUT_PLAIN};
	if (!l->plain && nnamed + (attr != NULL && attr->stdio_set) > 0)
		return EINVAL;
	nbase = l->plain ? 3 + nnamed : nfds;
	/* Every count is bounded by memory already allocated: no overflow. */
	l->slots = malloc((nbase + nargs + 1) * sizeof(*l->slots));
	l->argnum = malloc((nargs > 0 ? nargs : 1) * sizeof(*l->argnum));
	if (l->slots == NULL || l->argnum == NULL) {
		ad_layout_free(l);
		return ENOMEM;
	}
	if (l->plain) {
		for (size_t i = 0; i < 3; i++)
			l->slots[i] = attr->stdio_set ? attr->stdio[i] : -1;
		for (size_t i = 0; i < nnamed; i++)
			l->slots[3 + i] = attr->named[i].fd;
	} else if (nfds > 0) {
		memcpy(l->slots, fds, nfds * sizeof(*fds));
	}
	error = number_args(l, nbase, attr);
	if (error != 0) {
		ad_layout_free(l);
		return error;
	}
	l->nprog = l->nslots;
	if (!l->plain)
		l->slots[l->nslots++] = -1;
	return 0;
}

void
ad_layout_free(struct ad_layout *l)
{
	free(l->slots);
	free(l->argnum);
	*l = (struct ad_layout){.plain = false};
}

/* Keeps s (allocated, or NULL for ENOMEM) in plan->strings. */
static char *
keep(struct ad_exec_plan *plan, char *s)
{
	if (s != NULL)
		plan->strings[plan->nstrings++] = s;
	return s;
}

int
ad_plan_args(struct ad_exec_plan *plan, const struct ad_layout *l,
    const program_attr_t *attr)
{
	size_t nargs = attr != NULL ? attr->nargs : 0;

	for (size_t k = 0; k < nargs; k++) {
		const struct ad_arg *a = &attr->args[k];
		char *s;

		if (a->fd < 0)
			s = strdup(a->prefix);
		else if (asprintf(&s, "%s%d%s", a->prefix, l->argnum[k],
		             a->suffix) < 0)
			s = NULL;
		if ((plan->argv[1 + k] = keep(plan, s)) == NULL)
			return ENOMEM;
	}
	return 0;
}

int
ad_plan_listen_env(struct ad_exec_plan *plan, size_t *nenv,
    const program_attr_t *attr)
{
	size_t nnamed = attr->nnamed, len = 0;
	char *fds, *names, *pid, *p;

	if (nnamed == 0)
		return 0;
	if (asprintf(&fds, "LISTEN_FDS=%zu", nnamed) < 0)
		fds = NULL;
	if (keep(plan, fds) == NULL)
		return ENOMEM;
	for (size_t i = 0; i < nnamed; i++)
		len += strlen(attr->named[i].name) + 1;
	names = malloc(sizeof("LISTEN_FDNAMES=") + len);
	if (keep(plan, names) == NULL)
		return ENOMEM;
	p = stpcpy(names, "LISTEN_FDNAMES=");
	for (size_t i = 0; i < nnamed; i++) {
		if (i > 0)
			*p++ = ':';
		p = stpcpy(p, attr->named[i].name);
	}
	/* The digits are written just before the exec: see ad_exec_final. */
	pid = calloc(1, sizeof("LISTEN_PID=") + AD_PID_DIGITS);
	if (keep(plan, pid) == NULL)
		return ENOMEM;
	memcpy(pid, "LISTEN_PID=", sizeof("LISTEN_PID=") - 1);
	plan->pid_digits = pid + sizeof("LISTEN_PID=") - 1;
	plan->envp[(*nenv)++] = fds;
	plan->envp[(*nenv)++] = names;
	plan->envp[(*nenv)++] = pid;
	return 0;
}
