/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layout.c - what cloudabi-run hands a program besides its argdata: a
 * plain program's configuration (!plain) as program_attr_t options, and
 * the dry run's view of the start: the descriptor table with numbers and
 * names, the argv and the environment, computed by the library's own
 * functions so that they are what the exec would give.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "process.h"

int
run_attr_plain(program_attr_t *attr, const struct run_context *rc)
{
	const struct run_plain *p = rc->plain;
	int error;

	error = program_attr_setlayout(attr, PROGRAM_LAYOUT_PLAIN);
	if (error == 0)
		error = program_attr_setstdio(attr, p->stdio[0], p->stdio[1],
		    p->stdio[2]);
	for (size_t i = 0; error == 0 && i < p->nfds; i++)
		error = program_attr_addfd(attr, p->fds[i].name, p->fds[i].fd);
	for (size_t i = 0; error == 0 && i < p->nargs; i++)
		error = p->args[i].fd < 0
		    ? program_attr_addarg(attr, p->args[i].prefix)
		    : program_attr_addarg_fd(attr, p->args[i].prefix,
		          p->args[i].fd, p->args[i].suffix);
	for (size_t i = 0; error == 0 && i < p->nenv; i++)
		error =
		    program_attr_setenv(attr, p->env[i].name, p->env[i].value);
	return error;
}

/* The source of the argdata's own descriptor in the table. */
#define ARGDATA_ROW "the argdata above, in a sealed memfd"

/* One open map or sequence of the walk below. */
struct walk_frame {
	bool map;
	argdata_map_iterator_t mit;
	argdata_seq_iterator_t sit;
	size_t pathlen; /* the path's length at this collection */
	size_t index;
};

/* Appends to the growing path. Returns false when out of memory. */
static bool path_add(char **path, size_t *len, size_t *cap, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static bool
path_add(char **path, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*path + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return false;
		if ((size_t)n < *cap - *len)
			break;
		char *p = realloc(*path, *cap * 2 + (size_t)n);

		if (p == NULL)
			return false;
		*path = p;
		*cap = *cap * 2 + (size_t)n;
	}
	*len += (size_t)n;
	return true;
}

/*
 * The names of an argdata program's descriptors: where each first
 * appears in the tree ("listen", "workers[2].log"), which is the order in
 * which serializing numbers them. names[i] (free()d by the caller)
 * stays NULL where the walk finds nothing or runs out of memory.
 */
static void
tree_names(const argdata_t *tree, const int *fds, size_t nfds, char **names)
{
	struct walk_frame *stack = NULL;
	size_t depth = 0, cap = 0, len = 0, pcap = 64, next = 0;
	char *path = malloc(pcap);
	const argdata_t *v = tree;

	if (path == NULL)
		return;
	path[0] = '\0';
	for (;;) {
		argdata_type_t type = ARGDATA_TYPE_NULL;
		int fd;

		/* Visit v: a descriptor gets the path, a collection opens. */
		if (v != NULL && argdata_get_type(v, &type) == 0 &&
		    type == ARGDATA_TYPE_FD && argdata_get_fd(v, &fd) == 0 &&
		    next < nfds && fds[next] == fd)
			names[next++] = strdup(len == 0 ? "(root)" : path);
		if (v != NULL &&
		    (type == ARGDATA_TYPE_MAP || type == ARGDATA_TYPE_SEQ)) {
			if (depth == cap) {
				size_t ncap = cap == 0 ? 16 : 2 * cap;
				struct walk_frame *s =
				    realloc(stack, ncap * sizeof(*s));

				if (s == NULL)
					break;
				stack = s;
				cap = ncap;
			}
			stack[depth] =
			    (struct walk_frame){.map = type == ARGDATA_TYPE_MAP,
			        .pathlen = len};
			if (type == ARGDATA_TYPE_MAP)
				argdata_map_iterate(v, &stack[depth].mit);
			else
				argdata_seq_iterate(v, &stack[depth].sit);
			depth++;
		}
		/* The next value: the innermost collection's next item. */
		v = NULL;
		while (depth > 0 && v == NULL) {
			struct walk_frame *f = &stack[depth - 1];
			const argdata_t *key, *value;
			const char *k;

			len = f->pathlen;
			path[len] = '\0';
			if (f->map && argdata_map_get(&f->mit, &key, &value)) {
				argdata_map_next(&f->mit);
				if (argdata_get_str_c(key, &k) != 0)
					k = "?";
				if (!path_add(&path, &len, &pcap, "%s%s",
				        len == 0 ? "" : ".", k))
					goto out;
				/* A descriptor as a key: visited, named. */
				if (argdata_get_fd(key, &fd) == 0 &&
				    next < nfds && fds[next] == fd)
					names[next++] = strdup(path);
				v = value;
			} else if (!f->map &&
			    argdata_seq_get(&f->sit, &value)) {
				argdata_seq_next(&f->sit);
				if (!path_add(&path, &len, &pcap, "[%zu]",
				        f->index++))
					goto out;
				v = value;
			} else {
				depth--;
			}
		}
		if (v == NULL)
			break;
	}
out:
	free(stack);
	free(path);
}

/* The name a plain program knows descriptor i by. */
static const char *
slot_name(const struct run_context *rc, char *const *names, size_t i)
{
	static const char *const stdio[] = {"stdin", "stdout", "stderr"};

	if (rc->plain == NULL)
		return names != NULL && names[i] != NULL ? names[i] : "-";
	if (i < 3)
		return stdio[i];
	if (i - 3 < rc->plain->nfds)
		return rc->plain->fds[i - 3].name;
	return "-";
}

/* Whether plain slot i is /dev/null: a standard one the config left out. */
static bool
slot_devnull(const struct run_context *rc, size_t i)
{
	return rc->plain != NULL && i < 3 && rc->plain->stdio[i] < 0;
}

int
run_print_layout(FILE *out, const program_attr_t *attr,
    const struct run_context *rc, const argdata_t *tree, const int *fds,
    size_t nfds, const char *config_name, int **slots, size_t *nslots)
{
	struct ad_layout l;
	struct ad_exec_plan plan;
	size_t width = 6, nwidth = 4;
	char **names = NULL;
	int error;

	error = ad_layout_init(&l, fds, nfds, attr);
	if (error != 0)
		return error;
	error = ad_plan_init(&plan, rc->execfd, &l, attr);
	if (error != 0) {
		ad_layout_free(&l);
		return error;
	}
	if (tree != NULL && (names = calloc(l.nprog + 1, sizeof(*names))))
		tree_names(tree, fds, nfds, names);
	for (size_t i = 0; i < l.nprog; i++) {
		const struct run_resource *r = run_context_find(rc, l.slots[i]);
		size_t w = r == NULL ? strlen("/dev/null") : strlen(r->source);

		if (w > width)
			width = w;
		if (strlen(slot_name(rc, names, i)) > nwidth)
			nwidth = strlen(slot_name(rc, names, i));
	}
	if (!l.plain && width < strlen(ARGDATA_ROW))
		width = strlen(ARGDATA_ROW);
	fprintf(out, "%sFD  %-*s  KIND        %-*s  CONFIG\n",
	    rc->plain != NULL ? "" : "\n", (int)nwidth, "NAME", (int)width,
	    "SOURCE");
	for (size_t i = 0; i < l.nprog; i++) {
		const struct run_resource *r = run_context_find(rc, l.slots[i]);

		if (slot_devnull(rc, i))
			fprintf(out, "%-2zu  %-*s  %-10s  %-*s  -\n", i,
			    (int)nwidth, slot_name(rc, names, i), "null",
			    (int)width, "/dev/null");
		else if (r == NULL)
			fprintf(out, "%-2zu  %-*s  %-10s  %-*s  -\n", i,
			    (int)nwidth, slot_name(rc, names, i), "?",
			    (int)width, "?");
		else
			fprintf(out, "%-2zu  %-*s  %-10s  %-*s  %s:%zu:%zu\n",
			    i, (int)nwidth, slot_name(rc, names, i),
			    run_kind_name(r->kind), (int)width, r->source,
			    config_name, r->mark.line, r->mark.column);
	}
	if (!l.plain)
		fprintf(out, "%-2zu  %-*s  %-10s  %-*s  -\n", l.nprog,
		    (int)nwidth, "-", "argdata", (int)width, ARGDATA_ROW);
	fprintf(out, "\nARGV\n");
	for (size_t i = 0; plan.argv[i] != NULL; i++)
		fprintf(out, "%zu  %s\n", i, plan.argv[i]);
	fprintf(out, "\nENVIRONMENT\n%s",
	    plan.envp[0] == NULL ? "(empty)\n" : "");
	for (size_t i = 0; plan.envp[i] != NULL; i++)
		fprintf(out, "%s%s\n", plan.envp[i],
		    strncmp(plan.envp[i], "LISTEN_PID=", 11) == 0
		        ? "(the program's pid, which is cloudabi-run's)"
		        : "");
	ad_plan_free(&plan);
	for (size_t i = 0; names != NULL && i < l.nprog; i++)
		free(names[i]);
	free(names);
	/* The caller's descriptors, for the sandbox's rules; not /dev/null. */
	*nslots = 0;
	for (size_t i = 0; i < l.nprog; i++)
		if (l.slots[i] >= 0)
			l.slots[(*nslots)++] = l.slots[i];
	*slots = l.slots;
	l.slots = NULL;
	ad_layout_free(&l);
	return 0;
}
