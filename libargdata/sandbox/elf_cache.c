/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_cache.c - what the ELF resolver found for a program, kept so that
 * starting the same program again (a server's workers) opens each file once
 * instead of parsing them all again.
 *
 * A hit must never grant what resolving afresh for this start would not.
 * An entry is keyed by the program's identity (device, inode, size, change
 * and modification times) and by what else the resolution depended on:
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
 * cached.
 *
 * The entry lists every path the resolver tried, in order, with what was
 * there: a file of some identity, or an error. The resolver's every choice
 * follows from those outcomes and from the files' contents, which their
 * identities stand for. So a hit tries every path again, and grants the
 * files granted before only when each path still gives the same: a library
 * newly put earlier in a search path, a changed one, a changed
 * /etc/ld.so.cache, and the caller resolves afresh. This costs an open and
 * an fstat per path tried, about one per library for most programs, and
 * spares reading and parsing every file.
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

#include "grow.h"
#include "sandbox.h"

#define CACHE_ENTRIES 8

struct entry {
	struct sandbox_file program;
	/* What else the resolution depended on; see above. */
	bool origin_used;
	char *origin; /* NULL: the path was unknown */
	bool cwd_used;
	char *cwd;
	dev_t cwd_dev;
	ino_t cwd_ino;
	/* The paths tried, those granted marked; NULL for a free entry. */
	struct sandbox_file *tried;
	size_t ntried;
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
static unsigned long hits;

static bool
same_identity(const struct sandbox_file *a, const struct sandbox_file *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec &&
	    a->ctim.tv_sec == b->ctim.tv_sec &&
	    a->ctim.tv_nsec == b->ctim.tv_nsec;
}

static bool
same_file(const struct sandbox_file *a, const struct stat *st)
{
	return a->dev == st->st_dev && a->ino == st->st_ino &&
	    a->size == st->st_size && a->mtim.tv_sec == st->st_mtim.tv_sec &&
	    a->mtim.tv_nsec == st->st_mtim.tv_nsec &&
	    a->ctim.tv_sec == st->st_ctim.tv_sec &&
	    a->ctim.tv_nsec == st->st_ctim.tv_nsec;
}

void
sandbox_file_set(struct sandbox_file *f, const struct stat *st)
{
	f->type = st->st_mode & S_IFMT;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtim = st->st_mtim;
	f->ctim = st->st_ctim;
}

static void
entry_clear(struct entry *e)
{
	for (size_t i = 0; i < e->ntried; i++)
		free(e->tried[i].path);
	free(e->tried);
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
	return e->tried != NULL && same_file(&e->program, program) &&
	    e->origin_used == deps->origin_used &&
	    (!deps->origin_used || same_string(e->origin, deps->origin)) &&
	    e->cwd_used == deps->cwd_used &&
	    (!deps->cwd_used ||
	        (same_string(e->cwd, deps->cwd) &&
	            e->cwd_dev == deps->cwd_dev &&
	            e->cwd_ino == deps->cwd_ino));
}

/* What trying a path again gave, against what the resolution had. */
enum outcome {
	OUTCOME_SAME,
	OUTCOME_CHANGED,
	/* Out of descriptors or memory: says nothing about the path. */
	OUTCOME_UNKNOWN,
};

static bool
transient(int error)
{
	return error == EMFILE || error == ENFILE || error == ENOMEM ||
	    error == EINTR || error == EAGAIN;
}

/*
 * Tries path as the resolver did (an O_PATH open and its fstat, or the
 * error) and compares the outcome with the one recorded in f. Returns
 * the descriptor in *fd when it opened and matched, else -1.
 */
static enum outcome
same_outcome(const struct sandbox_file *f, int *fd)
{
	struct sandbox_file now = {.error = 0};
	struct stat st;

	*fd = open(f->path, O_PATH | O_CLOEXEC);
	if (*fd < 0) {
		if (f->error != 0 && errno == f->error)
			return OUTCOME_SAME;
		return transient(errno) ? OUTCOME_UNKNOWN : OUTCOME_CHANGED;
	}
	if (f->error == 0 && fstat(*fd, &st) == 0) {
		sandbox_file_set(&now, &st);
		if (now.type == f->type && same_identity(&now, f))
			return OUTCOME_SAME;
	}
	close(*fd);
	*fd = -1;
	return OUTCOME_CHANGED;
}

int
sandbox_cache_apply(const struct stat *program, int execfd,
    sandbox_elf_add_fn *add, void *ctx)
{
	int fds[SANDBOX_ELF_MAX_TRIED_KEPT];
	struct where w = {.execfd = execfd};
	struct entry *e = NULL;
	enum outcome outcome = OUTCOME_SAME;
	size_t tried = 0;
	int error = ENOENT;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CACHE_ENTRIES && e == NULL; i++)
		if (entries[i].tried != NULL &&
		    same_file(&entries[i].program, program) &&
		    same_where(&entries[i], &w))
			e = &entries[i];
	if (e == NULL)
		goto out;
	/*
	 * Every path first, then the grants: a miss grants nothing. A path
	 * that gives something else now ends the entry; a lack of
	 * descriptors or memory only ends this try.
	 */
	for (; tried < e->ntried; tried++) {
		outcome = same_outcome(&e->tried[tried], &fds[tried]);
		if (outcome != OUTCOME_SAME)
			break;
		if (fds[tried] >= 0 && !e->tried[tried].granted) {
			close(fds[tried]);
			fds[tried] = -1;
		}
	}
	if (tried < e->ntried) {
		if (outcome == OUTCOME_CHANGED)
			entry_clear(e);
		goto out;
	}
	error = 0;
	for (size_t i = 0; i < e->ntried && error == 0; i++)
		if (e->tried[i].granted)
			error = add(ctx, fds[i], e->tried[i].path,
			    e->tried[i].role);
	hits += error == 0;
out:
	while (tried > 0)
		if (fds[--tried] >= 0)
			close(fds[tried]);
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
	size_t n = deps->ntried;
	struct entry *e;

	/* Without every path tried, or the working directory it depended
	 * on, no entry could be checked. */
	if (deps->tried_lost || (deps->cwd_used && deps->cwd == NULL))
		return;
	if ((deps->origin_used && deps->origin != NULL &&
	        (origin = strdup(deps->origin)) == NULL) ||
	    (deps->cwd_used && (cwd = strdup(deps->cwd)) == NULL)) {
		free(origin);
		return;
	}
	/* Static programs try nothing, but their entry says so. */
	copy = calloc(n > 0 ? n : 1, sizeof(*copy));
	if (copy == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		copy[i] = deps->tried[i];
		copy[i].granted = false;
		if ((copy[i].path = strdup(deps->tried[i].path)) == NULL) {
			n = i;
			goto fail;
		}
	}
	/* Each file granted is the outcome of a path tried. */
	for (size_t i = 0; i < nfiles; i++) {
		size_t j = 0;

		while (j < n &&
		    (copy[j].granted || copy[j].error != 0 ||
		        strcmp(copy[j].path, files[i].path) != 0 ||
		        !same_identity(&copy[j], &files[i])))
			j++;
		if (j == n)
			goto fail;
		copy[j].granted = true;
		copy[j].role = files[i].role;
	}
	pthread_mutex_lock(&lock);
	e = NULL;
	for (size_t i = 0; i < CACHE_ENTRIES && e == NULL; i++)
		if (same_key(&entries[i], program, deps))
			e = &entries[i];
	/* A free entry (one a miss cleared) before a round-robin victim. */
	for (size_t i = 0; i < CACHE_ENTRIES && e == NULL; i++)
		if (entries[i].tried == NULL)
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
	e->tried = copy;
	e->ntried = n;
	pthread_mutex_unlock(&lock);
	return;
fail:
	if (copy != NULL) {
		for (size_t i = 0; i < n; i++)
			free(copy[i].path);
		free(copy);
	}
	free(origin);
	free(cwd);
}

unsigned long
sandbox_cache_hits(void)
{
	unsigned long n;

	pthread_mutex_lock(&lock);
	n = hits;
	pthread_mutex_unlock(&lock);
	return n;
}

/* What sandbox_elf_check() found, as sandbox_create() notes it down. */
struct found {
	struct sandbox_file *files;
	size_t n, cap;
};

static int
note_found(void *ctx, int fd, const char *path, enum sandbox_role role)
{
	struct found *fs = ctx;
	struct sandbox_file *f;
	struct stat st;

	if (fstat(fd, &st) != 0)
		return errno;
	if (ad_grow(&fs->files, &fs->cap, fs->n, 1, sizeof(*f), NULL) != 0)
		return ENOMEM;
	f = &fs->files[fs->n];
	memset(f, 0, sizeof(*f));
	sandbox_file_set(f, &st);
	f->role = role;
	if ((f->path = strdup(path)) == NULL)
		return ENOMEM;
	fs->n++;
	return 0;
}

int
sandbox_elf_check(int execfd, struct sandbox_elf_deps *deps)
{
	struct found fs = {.n = 0};
	struct stat program;
	int error;

	if (fstat(execfd, &program) != 0)
		return errno;
	error = sandbox_elf_resolve(execfd, note_found, &fs, deps);
	/* Missing names are no grants: the entry holds the files found. */
	if (error == 0)
		sandbox_cache_store(&program, deps, fs.files, fs.n);
	for (size_t i = 0; i < fs.n; i++)
		free(fs.files[i].path);
	free(fs.files);
	return error;
}
