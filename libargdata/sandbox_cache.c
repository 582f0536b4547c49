/*
 * sandbox_cache.c - what the ELF resolver found for a program, kept so that
 * starting the same program again (a server's workers) opens each file once
 * instead of parsing them all again.
 *
 * An entry is keyed by the program's identity (device, inode, size, change
 * and modification times) and lists the files granted for it with their
 * own identities. A hit opens every listed path and checks that it still
 * is the very file that was parsed before granting any; one changed file,
 * or a changed /etc/ld.so.cache, and the caller resolves afresh. What this
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
	struct sandbox_file *files;
	size_t nfiles;
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
	memset(e, 0, sizeof(*e));
}

int
sandbox_cache_apply(const struct stat *program, sandbox_elf_add_fn *add,
    void *ctx)
{
	int fds[CACHE_FILES];
	struct entry *e = NULL;
	size_t opened = 0;
	int error = ENOENT;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CACHE_ENTRIES && e == NULL; i++)
		if (entries[i].files != NULL &&
		    same_file(&entries[i].program, program))
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
	return error;
}

void
sandbox_cache_store(const struct stat *program,
    const struct sandbox_file *files, size_t nfiles)
{
	struct sandbox_file *copy;
	struct entry *e;

	if (nfiles > CACHE_FILES)
		return;
	/* Static programs have nothing to list, but their entry says so. */
	copy = calloc(nfiles > 0 ? nfiles : 1, sizeof(*copy));
	if (copy == NULL)
		return;
	for (size_t i = 0; i < nfiles; i++) {
		copy[i] = files[i];
		if ((copy[i].path = strdup(files[i].path)) == NULL) {
			while (i > 0)
				free(copy[--i].path);
			free(copy);
			return;
		}
	}
	pthread_mutex_lock(&lock);
	e = NULL;
	for (size_t i = 0; i < CACHE_ENTRIES && e == NULL; i++)
		if (entries[i].files != NULL &&
		    same_file(&entries[i].program, program))
			e = &entries[i];
	if (e == NULL) {
		e = &entries[next_victim];
		next_victim = (next_victim + 1) % CACHE_ENTRIES;
	}
	entry_clear(e);
	sandbox_file_set(&e->program, program);
	e->files = copy;
	e->nfiles = nfiles;
	pthread_mutex_unlock(&lock);
}
