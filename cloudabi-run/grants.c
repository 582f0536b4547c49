/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grants.c - grants by path for programs that open files themselves: the
 * read, write and exec keys of !plain, each a sequence of paths that
 * cloudabi-run opens O_PATH only to anchor the sandbox's rule, and the
 * record of every grant (the keys, !executable with a path, a #! script)
 * that main.c hands to program_attr_addgrant(); and !executable with a
 * path, a descriptor of another program that the program may execute.
 * An exec grant of a #! script grants its interpreter too.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <program.h>

#include "script.h"
#include "tags.h"

const char *
run_grant_name(int rights)
{
	if (rights & PROGRAM_GRANT_EXEC)
		return "exec";
	if (rights & PROGRAM_GRANT_WRITE)
		return "write";
	return "read";
}

int
run_add_grant(struct run_context *rc, int fd, bool owned, int rights,
    const char *path, loader_mark_t mark)
{
	struct run_grant *g;
	char *copy = strdup(path);

	if (copy == NULL || rc->ngrants == rc->grantcap) {
		size_t cap = rc->grantcap == 0 ? 8 : rc->grantcap * 2;

		g = copy == NULL ? NULL
		                 : reallocarray(rc->grants, cap, sizeof(*g));
		if (g == NULL) {
			free(copy);
			if (owned)
				close(fd);
			return ENOMEM;
		}
		rc->grants = g;
		rc->grantcap = cap;
	}
	rc->grants[rc->ngrants++] = (struct run_grant){.fd = fd,
	    .owned = owned,
	    .rights = rights,
	    .path = copy,
	    .mark = mark};
	return 0;
}

void
run_grants_release(struct run_context *rc)
{
	int saved = errno;

	for (size_t i = 0; i < rc->ngrants; i++) {
		if (rc->grants[i].owned)
			close(rc->grants[i].fd);
		free(rc->grants[i].path);
	}
	free(rc->grants);
	rc->grants = NULL;
	rc->ngrants = rc->grantcap = 0;
	errno = saved;
}

/* An untagged string scalar: a path as written. */
static bool
is_path(const loader_node_t *n)
{
	return n->kind == LOADER_SCALAR &&
	    (n->tag == NULL || strcmp(n->tag, "tag:yaml.org,2002:str") == 0) &&
	    strlen(n->value) == n->length && n->length > 0;
}

/*
 * A path of a grant or of !executable: written as it is, or as a map
 * {path: ..., follow: true} to allow symbolic links in it. Stores the path
 * and the node that holds it. Returns 0, or -1 with the loader's error
 * set (what names the place, example a path to suggest).
 */
static int
read_path(loader_t *ld, const loader_node_t *item, const char *what,
    const char *example, const char **path, const loader_node_t **at,
    bool *follow)
{
	struct run_attr a[] = {{.name = "path"}, {.name = "follow"}};

	*follow = false;
	*at = item;
	if (is_path(item)) {
		*path = item->value;
		return 0;
	}
	if (item->kind != LOADER_MAPPING ||
	    (item->tag != NULL &&
	        strcmp(item->tag, "tag:yaml.org,2002:map") != 0)) {
		loader_fail(ld, item->mark,
		    "%s: expected a path, such as %s, "
		    "or {path: ..., follow: true}",
		    what, example);
		return -1;
	}
	if (run_read_attrs(ld, item, what, a, 2) != 0 ||
	    run_attr_bool(ld, &a[1], follow) != 0)
		return -1;
	if (a[0].value == NULL || !is_path(a[0].value)) {
		loader_fail(ld,
		    a[0].value != NULL ? a[0].value->mark : item->mark,
		    "%s: expected a path, such as %s", what, example);
		return -1;
	}
	*path = a[0].value->value;
	*at = a[0].value;
	return 0;
}

/*
 * Grants executing the program called name, found as run_program_find()
 * finds it, the interpreter of the #! script at path.
 */
static int
grant_program(loader_t *ld, const char *name, const char *script,
    const loader_node_t *at, struct run_context *rc)
{
	char *found;
	int fd, error;

	fd = run_program_find(name, &found, &error);
	if (fd == -1) {
		run_fail_resource(ld, rc, at->mark,
		    "exec: %s: its interpreter %s: %s", script, name,
		    strerror(error));
		return -1;
	}
	error =
	    run_add_grant(rc, fd, true, PROGRAM_GRANT_EXEC, found, at->mark);
	free(found);
	if (error != 0) {
		loader_fail(ld, at->mark, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * An exec grant of a #! script: the kernel starts its interpreter when
 * the program runs it, so the interpreter is granted too, with its
 * libraries; for "#!/usr/bin/env NAME", env and NAME as found in this
 * $PATH. A script that cannot be read, or whose line cannot be followed,
 * gets no more: the program will see why when it runs it.
 */
static int
grant_interpreter(loader_t *ld, const char *path, bool follow,
    const loader_node_t *at, struct run_context *rc)
{
	struct run_script script;
	char why[512];
	int fd, error;

	fd = run_open_path(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
	    follow, why, sizeof(why));
	if (fd == -1)
		return 0;
	error = run_script_read(fd, &script, why, sizeof(why));
	close(fd);
	if (error != 0 || !script.is_script || script.interp[0] != '/')
		return 0;
	if (grant_program(ld, script.interp, path, at, rc) != 0)
		return -1;
	if (script.via_env)
		return grant_program(ld, script.arg, path, at, rc);
	return 0;
}

/*
 * One path of a grant key: opened O_PATH (nothing is read, no device
 * opened, no FIFO waited on), through no symbolic link unless follow:
 * true, and checked for what the grant needs.
 */
static int
read_grant(loader_t *ld, const loader_node_t *item, const char *key, int rights,
    struct run_context *rc)
{
	const char *example =
	    rights & PROGRAM_GRANT_EXEC ? "/usr/bin/wc" : "/usr/share/doc";
	const loader_node_t *at;
	const char *path, *why;
	char buf[512];
	struct stat st;
	bool follow;
	int fd, error;

	if (read_path(ld, item, key, example, &path, &at, &follow) != 0)
		return -1;
	fd = run_open_path(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0, follow, buf,
	    sizeof(buf));
	if (fd == -1) {
		run_fail_resource(ld, rc, at->mark, "%s: %s: %s", key, path,
		    buf);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		error = errno;
		close(fd);
		run_fail_resource(ld, rc, at->mark, "%s: %s: %s", key, path,
		    strerror(error));
		return -1;
	}
	why = NULL;
	if (S_ISSOCK(st.st_mode))
		why = "a socket cannot be granted by path";
	else if (S_ISBLK(st.st_mode))
		why = "a block device cannot be granted by path";
	else if ((rights & PROGRAM_GRANT_EXEC) && !S_ISDIR(st.st_mode) &&
	    (!S_ISREG(st.st_mode) ||
	        faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0))
		why = "not an executable file or a directory";
	if (why != NULL) {
		close(fd);
		run_fail_resource(ld, rc, at->mark, "%s: %s: %s", key, path,
		    why);
		return -1;
	}
	if (run_add_grant(rc, fd, true, rights, path, at->mark) != 0) {
		loader_fail(ld, at->mark, "out of memory");
		return -1;
	}
	if ((rights & PROGRAM_GRANT_EXEC) && S_ISREG(st.st_mode))
		return grant_interpreter(ld, path, follow, at, rc);
	return 0;
}

static int
read_grants(loader_t *ld, const loader_node_t *v, struct run_plain *p,
    const char *key, int rights)
{
	if (v->kind != LOADER_SEQUENCE ||
	    (v->tag != NULL && strcmp(v->tag, "tag:yaml.org,2002:seq") != 0)) {
		loader_fail(ld, v->mark,
		    "%s: expected a sequence of paths, such as [%s]", key,
		    rights & PROGRAM_GRANT_EXEC ? "/usr/bin/wc"
		                                : "/usr/share/doc");
		return -1;
	}
	for (size_t i = 0; i < v->count; i++)
		if (read_grant(ld, v->items[i], key, rights, p->rc) != 0)
			return -1;
	return 0;
}

int
run_read_grants_read(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	return read_grants(ld, v, p, "read", PROGRAM_GRANT_READ);
}

int
run_read_grants_write(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	return read_grants(ld, v, p, "write", PROGRAM_GRANT_WRITE);
}

int
run_read_grants_exec(loader_t *ld, const loader_node_t *v, struct run_plain *p)
{
	return read_grants(ld, v, p, "exec", PROGRAM_GRANT_EXEC);
}

const argdata_t *
run_tag_executable_path(loader_t *ld, const loader_node_t *node,
    struct run_context *rc)
{
	loader_node_t untagged = loader_node_untagged(node);
	const loader_node_t *at;
	const char *path;
	char why[512];
	struct stat st;
	bool follow;
	int fd;

	if (untagged.kind == LOADER_SEQUENCE ||
	    (untagged.kind == LOADER_SCALAR && !is_path(&untagged)))
		return loader_fail(ld, node->mark,
		    "!executable takes nothing "
		    "(the program itself), the path of another program or "
		    "{path: ..., follow: true}");
	if (read_path(ld, &untagged, "!executable", "/usr/bin/worker", &path,
	        &at, &follow) != 0)
		return NULL;
	if (at == &untagged)
		at = node;
	/* An execute-only program can still be executed through O_PATH. */
	fd = run_open_path(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
	    follow, why, sizeof(why));
	if (fd == -1 && errno == EACCES)
		fd = run_open_path(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0,
		    follow, why, sizeof(why));
	if (fd == -1)
		return run_fail_resource(ld, rc, at->mark,
		    "!executable: %s: %s", path, why);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0) {
		close(fd);
		return run_fail_resource(ld, rc, at->mark,
		    "!executable: %s: not an executable file", path);
	}
	/* The resource owns the descriptor; the grant only names it. */
	if (run_add_grant(rc, fd, false, PROGRAM_GRANT_EXEC, path, at->mark) !=
	    0) {
		close(fd);
		return loader_fail(ld, at->mark, "out of memory");
	}
	return run_add_resource(ld, rc,
	    &(struct run_resource){.fd = fd,
	        .kind = RUN_EXECUTABLE,
	        .owned = true,
	        .path = strdup(path),
	        .source = run_format("executable %s", path),
	        .mark = node->mark});
}
