/*
 * sandbox_cache.c - what the ELF resolver found for a program, kept so that
 * starting the same program again (a server's workers) opens each file once
 * instead of parsing them all again.
 *
 * An entry is keyed by the program's identity (device, inode, size, change
 * and modification times) and by everything else the resolution depended
 * on, and lists the files granted for it with their own identities:
 *
 * - With $ORIGIN, the directories searched are named after the path the
 *   program was reached by. The same file linked into two directories, or
 *   reached through a bind mount, finds other libraries in each: the entry
 *   keeps that path and only a start from the same path hits it.
 * - With a relative path (a relative or empty search-path entry, a
 *   relative name), the working directory decides: the entry keeps its
 *   path and identity, and only a start from there hits it.
 *
 * Keying on them rather than not caching keeps the common case of a server
 * starting a worker from its build tree (meson's RUNPATH is $ORIGIN-based)
 * cached. Verifying a hit by resolving again would cost what the cache
 * saves. A hit opens every listed path and checks that it still is the
 * very file that was parsed before granting any; one changed file, or a
 * changed /etc/ld.so.cache, and the caller resolves afresh. What this
 * cannot see (a library newly put earlier in a search path without
 * ldconfig) makes the loader fail with EACCES: closed, not open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"

#define CACHE_ENTRIES 8
#define CACHE_FILES 64 /* programs needing more are not cached */

struct entry {
	struct sandbox_file program;
	/* What else the resolution depended on; see above. */
	bool origin_used;
	char *origin; /* NULL: the path was unknown */
	bool cwd_used;
	char *cwd;
	dev_t cwd_dev;
	ino_t cwd_ino;
	struct sandbox_file *files;
	size_t nfiles;
};

/* Where a start happens, looked up only when an entry needs it. */
struct where {
	int execfd;
	bool origin_known;
	char *origin;
	bool cwd_known;
	char *cwd;
	dev_t cwd_dev;
	ino_t cwd_ino;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry entries[CACHE_ENTRIES];
static size_t next_victim;

static bool
same_file(const struct sandbox_file *a, const struct stat *st)
{
	return a->dev == st->st_dev && a->ino == st->st_ino &&
	    a->size == st->st_size &&
	    a->mtim.tv_sec == st->st_mtim.tv_sec &&
	    a->mtim.tv_nsec == st->st_mtim.tv_nsec &&
	    a->ctim.tv_sec == st->st_ctim.tv_sec &&
	    a->ctim.tv_nsec == st->st_ctim.tv_nsec;
}

void
sandbox_file_set(struct sandbox_file *f, const struct stat *st)
{
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtim = st->st_mtim;
	f->ctim = st->st_ctim;
}

static void
entry_clear(struct entry *e)
{
	for (size_t i = 0; i < e->nfiles; i++)
		free(e->files[i].path);
	free(e->files);
	free(e->origin);
	free(e->cwd);
	memset(e, 0, sizeof(*e));
}

static bool
same_string(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Whether a start from w would have found what e found. */
static bool
same_where(const struct entry *e, struct where *w)
{
	if (e->origin_used) {
		if (!w->origin_known) {
			w->origin = sandbox_fd_path(w->execfd);
			w->origin_known = true;
		}
		if (!same_string(e->origin, w->origin))
			return false;
	}
	if (e->cwd_used) {
		if (!w->cwd_known) {
			(void)sandbox_cwd(&w->cwd, &w->cwd_dev, &w->cwd_ino);
			w->cwd_known = true;
		}
		/* An unknown one never matches: entries have a known one. */
		if (w->cwd == NULL || !same_string(e->cwd, w->cwd) ||
		    e->cwd_dev != w->cwd_dev || e->cwd_ino != w->cwd_ino)
			return false;
	}
	return true;
}

/* Whether e was stored for the same program and the same dependencies. */
static bool
same_key(const struct entry *e, const struct stat *program,
    const struct sandbox_elf_deps *deps)
{
	return e->files != NULL && same_file(&e->program, program) &&
	    e->origin_used == deps->origin_used &&
	    (!deps->origin_used || same_string(e->origin, deps->origin)) &&
	    e->cwd_used == deps->cwd_used &&
	    (!deps->cwd_used || (same_string(e->cwd, deps->cwd) &&
	    e->cwd_dev == deps->cwd_dev && e->cwd_ino == deps->cwd_ino));
}

int
sandbox_cache_apply(const struct stat *program, int execfd,
    sandbox_elf_add_fn *add, void *ctx)
{
	int fds[CACHE_FILES];
	struct where w = {.execfd = execfd};
	struct entry *e = NULL;
	size_t opened = 0;
	int error = ENOENT;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CACHE_ENTRIES && e == NULL; i++)
		if (entries[i].files != NULL &&
		    same_file(&entries[i].program, program) &&
		    same_where(&entries[i], &w))
			e = &entries[i];
	if (e == NULL)
		goto out;
	/* Every file first, then the grants: a miss grants nothing. */
	for (; opened < e->nfiles; opened++) {
		struct stat st;

		fds[opened] = open(e->files[opened].path, O_PATH | O_CLOEXEC);
		if (fds[opened] < 0)
			break;
		if (fstat(fds[opened], &st) != 0 ||
		    !same_file(&e->files[opened], &st)) {
			close(fds[opened]);
			break;
		}
	}
	if (opened < e->nfiles) {
		entry_clear(e);
		goto out;
	}
	error = 0;
	for (size_t i = 0; i < e->nfiles && error == 0; i++)
		error = add(ctx, fds[i], e->files[i].path, e->files[i].role);
out:
	while (opened > 0)
		close(fds[--opened]);
	pthread_mutex_unlock(&lock);
	free(w.origin);
	free(w.cwd);
	return error;
}

void
sandbox_cache_store(const struct stat *program,
    const struct sandbox_elf_deps *deps, const struct sandbox_file *files,
    size_t nfiles)
{
	struct sandbox_file *copy;
	char *origin = NULL, *cwd = NULL;
	struct entry *e;

	/* Without the working directory it depended on, no key fits. */
	if (nfiles > CACHE_FILES || (deps->cwd_used && deps->cwd == NULL))
		return;
	if ((deps->origin_used && deps->origin != NULL &&
	    (origin = strdup(deps->origin)) == NULL) ||
	    (deps->cwd_used && (cwd = strdup(deps->cwd)) == NULL)) {
		free(origin);
		return;
	}
	/* Static programs have nothing to list, but their entry says so. */
	copy = calloc(nfiles > 0 ? nfiles : 1, sizeof(*copy));
	if (copy == NULL)
		goto fail;
	for (size_t i = 0; i < nfiles; i++) {
		copy[i] = files[i];
		if ((copy[i].path = strdup(files[i].path)) == NULL) {
			while (i > 0)
				free(copy[--i].path);
			free(copy);
			goto fail;
		}
	}
	pthread_mutex_lock(&lock);
	e = NULL;
	for (size_t i = 0; i < CACHE_ENTRIES && e == NULL; i++)
		if (same_key(&entries[i], program, deps))
			e = &entries[i];
	if (e == NULL) {
		e = &entries[next_victim];
		next_victim = (next_victim + 1) % CACHE_ENTRIES;
	}
	entry_clear(e);
	sandbox_file_set(&e->program, program);
	e->origin_used = deps->origin_used;
	e->origin = origin;
	e->cwd_used = deps->cwd_used;
	e->cwd = cwd;
	e->cwd_dev = deps->cwd_dev;
	e->cwd_ino = deps->cwd_ino;
	e->files = copy;
	e->nfiles = nfiles;
	pthread_mutex_unlock(&lock);
	return;
fail:
	free(origin);
	free(cwd);
}
