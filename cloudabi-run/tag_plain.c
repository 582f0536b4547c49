/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tag_plain.c - !plain, the configuration of a program that does not read
 * argdata: its arguments, standard input, output and error, named
 * descriptors (systemd's socket activation) and environment, read from
 * the root map into struct run_plain for main.c.
 *
 *	!plain
 *	args: [-f, /etc/x.conf, [--listen-fd=, *sock]]
 *	stdin: !file {path: input.txt}
 *	stdout: !fd stdout
 *	fds:
 *	  http: &sock !socket {bind: 127.0.0.1:8080}
 *	env: {LANG: C.UTF-8}
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tags.h"

/* systemd's limit on a FileDescriptorName=. */
#define NAME_MAX_LEN 255
/* The most variables env may set. */
#define MAX_ENV 4096

static bool
is_yaml_tag(const char *tag)
{
	return strncmp(tag, "tag:yaml.org,2002:", 18) == 0;
}

/*
 * The descriptor of a tagged node (a !fd, !file, !socket... value), made
 * by its handler once however many aliases name it. what names the
 * place, for errors. Returns it, or -1 with the error set.
 */
static int
node_fd(loader_t *ld, const loader_node_t *node, const char *what)
{
	const argdata_t *ad;
	int fd;

	if (node->tag == NULL || is_yaml_tag(node->tag)) {
		loader_fail(ld, node->mark,
		    "%s: expected a descriptor, such as !fd stdout, !file "
		    "{path: ...} or !socket {bind: ...}",
		    what);
		return -1;
	}
	if ((ad = loader_node_value(ld, node)) == NULL)
		return -1;
	if (argdata_get_fd(ad, &fd) != 0) {
		loader_fail(ld, node->mark, "%s: %s gives no descriptor", what,
		    loader_tag_display(ld, node->tag));
		return -1;
	}
	return fd;
}

/* A scalar's text as written (args and env are text); NUL bytes refused. */
static const char *
node_text(loader_t *ld, const loader_node_t *node, const char *what)
{
	if (node->kind != LOADER_SCALAR) {
		loader_fail(ld, node->mark, "%s: expected text, not %s", what,
		    node->kind == LOADER_MAPPING ? "a map" : "a sequence");
		return NULL;
	}
	if (strlen(node->value) != node->length) {
		loader_fail(ld, node->mark, "%s: holds a NUL byte", what);
		return NULL;
	}
	return node->value;
}

/* Whether node is text (untagged, or tagged by YAML) rather than a tag's. */
static bool
is_text(const loader_node_t *node)
{
	return node->kind == LOADER_SCALAR &&
	    (node->tag == NULL || is_yaml_tag(node->tag));
}

/* Whether node carries a tag of cloudabi-run's, which gives a value. */
static bool
is_tagged(const loader_node_t *node)
{
	return node->tag != NULL && !is_yaml_tag(node->tag);
}

/*
 * One item of args: text, a descriptor, or a sequence of texts and at
 * most one descriptor, joined into one argument.
 */
static int
read_arg(loader_t *ld, const loader_node_t *item, const char *what,
    struct run_plain_arg *arg)
{
	bool joined = item->kind == LOADER_SEQUENCE && !is_tagged(item);
	size_t nparts = joined ? item->count : 1;
	const loader_node_t *const *parts = joined ? item->items : &item;
	char *buf[2] = {NULL, NULL};
	size_t len[2] = {0, 0};
	FILE *fp[2] = {NULL, NULL};
	int side = 0, error = -1;

	*arg = (struct run_plain_arg){.fd = -1};
	if (item->kind == LOADER_MAPPING && !is_tagged(item)) {
		loader_fail(ld, item->mark,
		    "%s: expected text, a descriptor or a sequence of them",
		    what);
		return -1;
	}
	/* Text before the descriptor goes to buf[0], after it to buf[1]. */
	for (int i = 0; i < 2; i++)
		if ((fp[i] = open_memstream(&buf[i], &len[i])) == NULL)
			goto nomem;
	for (size_t i = 0; i < nparts; i++) {
		const loader_node_t *part = parts[i];
		const char *text;

		if (!is_tagged(part)) {
			if (part->kind != LOADER_SCALAR) {
				loader_fail(ld, part->mark,
				    "%s: a joined argument holds text and "
				    "descriptors, not %s",
				    what,
				    part->kind == LOADER_MAPPING
				        ? "a map"
				        : "a sequence");
				goto out;
			}
			if ((text = node_text(ld, part, what)) == NULL)
				goto out;
			fputs(text, fp[side]);
			continue;
		}
		if (side == 1) {
			loader_fail(ld, part->mark,
			    "%s: one argument can hold one descriptor only",
			    what);
			goto out;
		}
		if ((arg->fd = node_fd(ld, part, what)) < 0)
			goto out;
		side = 1;
	}
	for (int i = 0; i < 2; i++) {
		if (fclose(fp[i]) != 0) {
			fp[i] = NULL;
			goto nomem;
		}
		fp[i] = NULL;
	}
	arg->prefix = loader_strdup(ld, buf[0], len[0]);
	arg->suffix = side == 1 ? loader_strdup(ld, buf[1], len[1]) : NULL;
	if (arg->prefix == NULL || (side == 1 && arg->suffix == NULL))
		goto nomem;
	error = 0;
	goto out;
nomem:
	loader_fail(ld, item->mark, "out of memory");
out:
	for (int i = 0; i < 2; i++) {
		if (fp[i] != NULL)
			fclose(fp[i]);
		free(buf[i]);
	}
	return error;
}

static int
read_args(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	char what[32];

	if (v->kind != LOADER_SEQUENCE) {
		loader_fail(ld, v->mark,
		    "args: expected a sequence, such as [-f, app.conf]");
		return -1;
	}
	if ((p->args = calloc(v->count + 1, sizeof(*p->args))) == NULL) {
		loader_fail(ld, v->mark, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < v->count; i++) {
		snprintf(what, sizeof(what), "args[%zu]", i);
		if (read_arg(ld, v->items[i], what, &p->args[i]) != 0)
			return -1;
		p->nargs++;
	}
	return 0;
}

/* stdin, stdout, stderr: a descriptor, or null for /dev/null. */
static int
read_stdio(loader_t *ld, const loader_node_t *v, const char *what, int *fd)
{
	if (is_text(v) && loader_node_is_null(v)) {
		*fd = -1;
		return 0;
	}
	return (*fd = node_fd(ld, v, what)) < 0 ? -1 : 0;
}

static int
read_stdin(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	return read_stdio(ld, v, "stdin", &p->stdio[0]);
}

static int
read_stdout(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	return read_stdio(ld, v, "stdout", &p->stdio[1]);
}

static int
read_stderr(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	return read_stdio(ld, v, "stderr", &p->stdio[2]);
}

/* A name systemd would accept in FileDescriptorName=. */
static bool
valid_fd_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (const char *c = name; *c != '\0'; c++)
		if (*c < ' ' || *c > '~' || *c == ':')
			return false;
	return true;
}

/* A name and where it was written, for finding one given twice. */
struct name_at {
	const char *name;
	loader_mark_t mark;
};

static int
compare_names(const void *a, const void *b)
{
	const struct name_at *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	if (x->mark.line != y->mark.line)
		return x->mark.line < y->mark.line ? -1 : 1;
	return (x->mark.column > y->mark.column) -
	    (x->mark.column < y->mark.column);
}

/*
 * Refuses a name given twice among the n of v (sorted here, in O(n log
 * n)), at the later of the two. what names the map. Returns 0 or -1.
 */
static int
check_unique(loader_t *ld, const char *what, struct name_at *v, size_t n)
{
	qsort(v, n, sizeof(*v), compare_names);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i - 1].name, v[i].name) == 0) {
			loader_fail(ld, v[i].mark,
			    "%s: %s given twice (first at line %zu)", what,
			    v[i].name, v[i - 1].mark.line);
			return -1;
		}
	}
	return 0;
}

static int
read_fds(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	struct name_at *names;
	size_t n = v->count / 2;
	int error;

	if (v->kind != LOADER_MAPPING) {
		loader_fail(ld, v->mark,
		    "fds: expected a map of names to descriptors, such as "
		    "{http: !socket {bind: ...}}");
		return -1;
	}
	if ((p->fds = calloc(n + 1, sizeof(*p->fds))) == NULL) {
		loader_fail(ld, v->mark, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const loader_node_t *key = v->items[2 * i];
		struct run_plain_fd *f = &p->fds[i];
		const char *name;
		char what[300];

		if (!is_text(key) ||
		    (name = node_text(ld, key, "fds: a name")) == NULL) {
			loader_fail(ld, key->mark,
			    "fds: a name is text, such as http");
			return -1;
		}
		if (!valid_fd_name(name)) {
			loader_fail(ld, key->mark,
			    "fds: %s: a name is 1 to 255 printable ASCII "
			    "characters other than ':', as systemd's "
			    "FileDescriptorName=",
			    name);
			return -1;
		}
		snprintf(what, sizeof(what), "fds: %s", name);
		f->name = name;
		f->mark = key->mark;
		if ((f->fd = node_fd(ld, v->items[2 * i + 1], what)) < 0)
			return -1;
		p->nfds++;
	}
	/* Names are unique, as keys of a map should be. */
	if ((names = malloc((n + 1) * sizeof(*names))) == NULL) {
		loader_fail(ld, v->mark, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		names[i] = (struct name_at){p->fds[i].name, p->fds[i].mark};
	error = check_unique(ld, "fds", names, n);
	free(names);
	return error;
}

/* Names of the start-up protocols, which cloudabi-run sets itself. */
static bool
reserved_env(const char *name)
{
	return strcmp(name, "ARGDATA_FD") == 0 ||
	    strcmp(name, "LISTEN_FDS") == 0 ||
	    strcmp(name, "LISTEN_FDNAMES") == 0 ||
	    strcmp(name, "LISTEN_PID") == 0;
}

static int
read_env(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	size_t n = v->count / 2;
	struct name_at *names;
	int error;

	if (v->kind != LOADER_MAPPING) {
		loader_fail(ld, v->mark,
		    "env: expected a map of names to values, such as "
		    "{LANG: C.UTF-8}");
		return -1;
	}
	/* program_attr_setenv() looks for each name among the others. */
	if (n > MAX_ENV) {
		loader_fail(ld, v->mark, "env: more than %d variables",
		    MAX_ENV);
		return -1;
	}
	if ((p->env = calloc(n + 1, sizeof(*p->env))) == NULL) {
		loader_fail(ld, v->mark, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const loader_node_t *key = v->items[2 * i];
		const loader_node_t *value = v->items[2 * i + 1];
		struct run_plain_env *e = &p->env[i];

		if ((e->name = node_text(ld, key, "env: a name")) == NULL)
			return -1;
		if (e->name[0] == '\0' || strchr(e->name, '=') != NULL) {
			loader_fail(ld, key->mark,
			    "env: %s: a name is not empty and holds no '='",
			    e->name);
			return -1;
		}
		if (reserved_env(e->name)) {
			loader_fail(ld, key->mark,
			    "env: %s is set by cloudabi-run%s", e->name,
			    e->name[0] == 'L' ? " from fds:" : "");
			return -1;
		}
		if (!is_text(value)) {
			loader_fail(ld, value->mark, "env: %s: expected text",
			    e->name);
			return -1;
		}
		if ((e->value = node_text(ld, value, e->name)) == NULL)
			return -1;
		p->nenv++;
	}
	if ((names = malloc((n + 1) * sizeof(*names))) == NULL) {
		loader_fail(ld, v->mark, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		names[i] =
		    (struct name_at){p->env[i].name, v->items[2 * i]->mark};
	error = check_unique(ld, "env", names, n);
	free(names);
	return error;
}

/*
 * The keys of !plain, the grants (read, write, exec, grants.c) among them;
 * an unknown key is refused with the list of the known ones.
 */
static const struct {
	const char *name;
	int (*read)(loader_t *, const loader_node_t *, struct run_plain *);
} plain_keys[] = {
    {"args", read_args},
    {"stdin", read_stdin},
    {"stdout", read_stdout},
    {"stderr", read_stderr},
    {"fds", read_fds},
    {"env", read_env},
    {"read", run_read_grants_read},
    {"write", run_read_grants_write},
    {"exec", run_read_grants_exec},
};
#define NKEYS (sizeof(plain_keys) / sizeof(plain_keys[0]))

static const argdata_t *
unknown_key(loader_t *ld, const loader_node_t *key, const char *name)
{
	char known[256] = "";

	for (size_t k = 0; k < NKEYS; k++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
		    "%s%s", k == 0 ? "" : ", ", plain_keys[k].name);
	return loader_fail(ld, key->mark, "!plain: unknown key %s (known: %s)",
	    name, known);
}

const argdata_t *
run_tag_plain(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct run_context *rc = ctx;
	const loader_node_t *given[NKEYS] = {NULL};
	loader_node_t untagged;
	struct run_plain *p;

	if (rc->plain != NULL || !loader_at_root(ld))
		return loader_fail(ld, node->mark,
		    "!plain: only the whole configuration can be !plain");
	untagged = loader_node_untagged(node);
	if (node->kind != LOADER_MAPPING && !loader_node_is_null(&untagged))
		return loader_fail(ld, node->mark,
		    "!plain takes a map, such as {args: [...], fds: {...}}");
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return loader_fail(ld, node->mark, "out of memory");
	*p = (struct run_plain){.rc = rc,
	    .mark = node->mark,
	    .stdio = {-1, -1, -1}};
	rc->plain = p;
	for (size_t i = 0; node->kind == LOADER_MAPPING && i < node->count;
	     i += 2) {
		const loader_node_t *key = node->items[i];
		const char *name;
		size_t k;

		if (!is_text(key) ||
		    (name = node_text(ld, key, "!plain: a key")) == NULL)
			return loader_fail(ld, key->mark,
			    "!plain: a key is text, such as args");
		for (k = 0; k < NKEYS; k++)
			if (strcmp(plain_keys[k].name, name) == 0)
				break;
		if (k == NKEYS)
			return unknown_key(ld, key, name);
		if (given[k] != NULL)
			return loader_fail(ld, key->mark,
			    "!plain: %s given twice (first at line %zu)", name,
			    given[k]->mark.line);
		given[k] = key;
		if (plain_keys[k].read(ld, node->items[i + 1], p) != 0)
			return NULL;
	}
	/* A value of its own, so that main.c can tell it is the root. */
	p->value =
	    loader_adopt(ld, argdata_create_map(NULL, NULL, 0), node->mark);
	return p->value;
}

void
run_plain_free(struct run_plain *p)
{
	if (p == NULL)
		return;
	free(p->args);
	free(p->fds);
	free(p->env);
	free(p);
}
