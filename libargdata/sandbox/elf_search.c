/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_search.c - finds the files a dynamically linked program needs before
 * its first instruction runs: the loader named by PT_INTERP and the shared
 * libraries named by DT_NEEDED, transitively, searched as the glibc loader
 * searches them (DT_RPATH, DT_RUNPATH with $ORIGIN, /etc/ld.so.cache, the
 * default directories). Each file's headers are read by elf_parse.c; the
 * ld.so.cache is hostile input too, checked here. The work as a whole is
 * bounded (SANDBOX_ELF_MAX_PROBES and its kin). This runs on every
 * confined start, so it makes as few system calls as it can.
 *
 * Why one long file: the search order (DT_RPATH, DT_RUNPATH with $ORIGIN,
 * the cache, the default directories and their hwcaps subdirectories) is
 * one algorithm, and its work bounds must be counted in one place.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"
#include "elf_resolve.h"
#include "keyed_hash.h"
#include "sandbox.h"

#if defined(__x86_64__)
/* ld.so.cache flags: FLAG_ELF_LIBC6 | FLAG_X8664_LIB64. */
#define LDCACHE_FLAGS 0x0303
#define MULTIARCH "x86_64-linux-gnu"
/* Subdirectories the loader prefers on CPUs that support them. */
static const char *const hwcaps_dirs[] = {
    "glibc-hwcaps/x86-64-v4/",
    "glibc-hwcaps/x86-64-v3/",
    "glibc-hwcaps/x86-64-v2/",
};
#elif defined(__aarch64__)
/* ld.so.cache flags: FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64. */
#define LDCACHE_FLAGS 0x0a03
#define MULTIARCH "aarch64-linux-gnu"
static const char *const hwcaps_dirs[] = {
    "",
};
#else
/* Elsewhere sandbox_unsupported() refuses before anything gets here. */
#define LDCACHE_FLAGS 0
#define MULTIARCH "unknown"
static const char *const hwcaps_dirs[] = {
    "",
};
#endif

/*
 * The loader's built-in directories: Debian's multiarch ones, then those of
 * other distributions. Searching one the loader skips only ever grants a
 * file of the very name the program asked for.
 */
static const char *const default_dirs[] = {
    "/lib/" MULTIARCH,
    "/usr/lib/" MULTIARCH,
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
};

#define LDCACHE_PATH "/etc/ld.so.cache"

/*
 * A name in the set of names searched for, with its hash: probes compare
 * hashes first, so that names crafted to collide in the table's low bits
 * cost a comparison of two numbers each, not of two long strings.
 */
struct name_slot {
	uint64_t hash;
	char *name;
};

/* A loaded object and what its dependencies are searched with. */
struct object {
	dev_t dev;
	ino_t ino;
	char *path;    /* where it was found; NULL if unknown */
	char *rpath;   /* DT_RPATH, or NULL */
	char *runpath; /* DT_RUNPATH, or NULL */
	char **needed; /* DT_NEEDED names */
	size_t nneeded;
	long parent; /* the object that needed it, -1 for the program */
};

struct resolver {
	struct object *objects;
	size_t nobjects, cap;
	/* Names already searched for: the loader, too, looks a name up
	 * once and reuses what it found for every later request. A hash
	 * set (open addressing, at most half full): names may be many and
	 * long, and comparing each with all would be quadratic. */
	struct name_slot *names;
	size_t nnames, namecap;
	uint64_t name_key;
	sandbox_elf_add_fn *add;
	void *ctx;
	int execfd; /* for the program's path, asked lazily */
	bool program_path_tried;
	/* What the result depends on, and the work done so far. */
	struct sandbox_elf_deps *deps;
	size_t nneeded; /* DT_NEEDED entries of the objects found */
	/* /etc/ld.so.cache, read on first use. */
	bool cache_tried;
	unsigned char *cache;
	size_t cache_size;
	/* Where the name being searched for was looked for, for deps when
	 * it is not found; see struct sandbox_elf_deps. */
	char where[sizeof(((struct sandbox_elf_deps *)0)->missing_where)];
	size_t wherelen;
	bool where_cut, where_unsure;
};

/* Whether the object with this identity has been seen already. */
static bool
seen(const struct resolver *r, const struct stat *st)
{
	for (size_t i = 0; i < r->nobjects; i++)
		if (r->objects[i].dev == st->st_dev &&
		    r->objects[i].ino == st->st_ino)
			return true;
	return false;
}

/*
 * Records an object and hands its descriptor to the caller, taking over
 * what info holds (info may be NULL). The descriptor stays the caller's.
 */
static int
add_object(struct resolver *r, int fd, const struct stat *st, const char *path,
    enum sandbox_role role, long parent, struct elf_info *info)
{
	struct object *o;
	int error;

	if (r->nobjects == SANDBOX_ELF_MAX_OBJECTS)
		return E2BIG;
	/* Counted when read: each costs a look-up later, and memory now. */
	if (info != NULL && info->nneeded > SANDBOX_ELF_MAX_NEEDED - r->nneeded)
		return E2BIG;
	if (ad_grow(&r->objects, &r->cap, r->nobjects, 1, sizeof(*o), NULL) !=
	    0)
		return ENOMEM;
	error = r->add(r->ctx, fd, path, role);
	if (error != 0)
		return error;
	o = &r->objects[r->nobjects];
	memset(o, 0, sizeof(*o));
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->parent = parent;
	if (path != NULL && (o->path = strdup(path)) == NULL)
		return ENOMEM;
	r->nobjects++;
	if (info != NULL) {
		r->nneeded += info->nneeded;
		o->rpath = info->rpath;
		o->runpath = info->runpath;
		o->needed = info->needed;
		o->nneeded = info->nneeded;
		info->rpath = info->runpath = NULL;
		info->needed = NULL;
		info->nneeded = 0;
	}
	return 0;
}

/*
 * Remembers that name has been searched for; *fresh tells whether it is
 * new. Returns 0, or ENOMEM.
 */
static int
note_name(struct resolver *r, const char *name, bool *fresh)
{
	uint64_t hash = ad_hash_string(r->name_key, name);
	size_t mask, i;
	char *copy;

	*fresh = false;
	if (2 * (r->nnames + 1) > r->namecap) {
		size_t cap = r->namecap == 0 ? 64 : r->namecap * 2;
		struct name_slot *names = calloc(cap, sizeof(*names));
		if (names == NULL)
			return ENOMEM;
		for (size_t j = 0; j < r->namecap; j++) {
			if (r->names[j].name == NULL)
				continue;
			i = r->names[j].hash & (cap - 1);
			while (names[i].name != NULL)
				i = (i + 1) & (cap - 1);
			names[i] = r->names[j];
		}
		free(r->names);
		r->names = names;
		r->namecap = cap;
	}
	mask = r->namecap - 1;
	for (i = hash & mask; r->names[i].name != NULL; i = (i + 1) & mask)
		if (r->names[i].hash == hash &&
		    strcmp(r->names[i].name, name) == 0)
			return 0;
	if ((copy = strdup(name)) == NULL)
		return ENOMEM;
	r->names[i] = (struct name_slot){hash, copy};
	r->nnames++;
	*fresh = true;
	return 0;
}

/*
 * Keeps what trying path gave (error, or the file of identity st) for the
 * cache, which tries every path again before reusing the result: the same
 * outcomes everywhere make a fresh resolution find the same files. What
 * cannot be kept makes the result uncacheable, not the resolution fail.
 */
static void
note_tried(struct resolver *r, const char *path, int error,
    const struct stat *st)
{
	struct sandbox_elf_deps *d = r->deps;
	struct sandbox_file *f;

	if (d->tried_lost)
		return;
	if (d->ntried == SANDBOX_ELF_MAX_TRIED_KEPT) {
		d->tried_lost = true;
		return;
	}
	if (ad_grow(&d->tried, &d->triedcap, d->ntried, 1, sizeof(*f), NULL) !=
	    0) {
		d->tried_lost = true;
		return;
	}
	f = &d->tried[d->ntried];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(path)) == NULL) {
		d->tried_lost = true;
		return;
	}
	f->error = error;
	if (error == 0)
		sandbox_file_set(f, st);
	d->ntried++;
}

/*
 * Opens path for reading, but only when it is a regular file. Library and
 * loader names come from the program's headers, which may be hostile, and
 * opening a device or a FIFO for real can do something by itself (arm a
 * watchdog, rewind a tape, wake a writer): so the file is looked at through
 * an O_PATH descriptor first, then reopened through that descriptor, which
 * names the same file. Returns the descriptor, or -1 with errno (ENOEXEC
 * for anything but a regular file).
 */
static int
open_regular(struct resolver *r, const char *path)
{
	char link[32];
	struct stat st;
	int pfd = elf_open(path, O_PATH | O_CLOEXEC), fd, saved;

	if (pfd < 0) {
		note_tried(r, path, errno, NULL);
		return -1;
	}
	if (fstat(pfd, &st) != 0) {
		saved = errno;
		r->deps->tried_lost = true;
		close(pfd);
		errno = saved;
		return -1;
	}
	note_tried(r, path, 0, &st);
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		errno = ENOEXEC;
		return -1;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	fd = open(link, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	saved = errno;
	close(pfd);
	errno = saved;
	return fd;
}

/*
 * Counts one path about to be tried against the budget (or, with path
 * NULL, one search-path entry: entries that lead to no open, such as
 * $PLATFORM ones, must cost something too), and notes that the
 * result depends on the working directory when the path is relative (a
 * relative search-path entry, an empty one, a relative name): the loader
 * resolves those against the working directory of the process, so the
 * cache must not reuse the result elsewhere. Returns 0 or E2BIG.
 */
static int
spend_probe(struct resolver *r, const char *path)
{
	struct sandbox_elf_deps *d = r->deps;

	if (d->probes >= SANDBOX_ELF_MAX_PROBES)
		return E2BIG;
	d->probes++;
	if (path == NULL)
		return 0;
	if (path[0] != '/' && !d->cwd_used) {
		d->cwd_used = true;
		/* Unknown, it makes the result uncacheable. */
		(void)sandbox_cwd(&d->cwd, &d->cwd_dev, &d->cwd_ino);
	}
	return 0;
}

/* Adds a place searched to the list for the name being searched for. */
static void
note_where(struct resolver *r, const char *place, size_t len)
{
	size_t room = sizeof(r->where) - r->wherelen;
	size_t sep = r->wherelen == 0 ? 0 : 2;

	if (r->where_cut)
		return;
	/* Room for the place and for ", ..." after it. */
	if (sep + len + 6 > room) {
		if (room >= 6) {
			memcpy(r->where + r->wherelen, ", ...", 6);
			r->wherelen += 5;
		}
		r->where_cut = true;
		return;
	}
	memcpy(r->where + r->wherelen, ", ", sep);
	memcpy(r->where + r->wherelen + sep, place, len);
	r->wherelen += sep + len;
	r->where[r->wherelen] = '\0';
}

/*
 * Records that name was not found: the first such name, where it was
 * looked for, and the count. What cannot be kept (out of memory) leaves
 * the count without a name, which callers treat as unknown.
 */
static void
note_missing(struct resolver *r, const char *name, long parent, bool loader)
{
	struct sandbox_elf_deps *d = r->deps;

	if (d->nmissing++ > 0)
		return;
	d->missing = strdup(name);
	/* A library's own need: which library, for the message. */
	if (parent > 0 && r->objects[parent].path != NULL)
		d->missing_for = strdup(r->objects[parent].path);
	d->missing_loader = loader;
	d->missing_unsure = r->where_unsure;
	memcpy(d->missing_where, r->where, r->wherelen + 1);
}

/*
 * Tries the library at path for the object at index parent. Returns 0 with
 * *found set when it exists and suits this machine, 0 with *found clear
 * when the loader would go on searching, or an errno value.
 */
static int
try_library(struct resolver *r, const char *path, long parent, bool *found)
{
	struct elf_info info;
	struct stat st;
	int fd, error;

	if ((error = spend_probe(r, path)) != 0)
		return error;
	fd = open_regular(r, path);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			return errno;
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	if (seen(r, &st)) {
		*found = true;
		close(fd);
		return 0;
	}
	error = elf_read_info(fd, (uint64_t)st.st_size, false, &info);
	if (error == ENOMEM) {
		close(fd);
		return error;
	}
	if (error != 0) {
		/* Another machine's library: the loader searches on. A
		 * broken one of ours: it stops, and fails to load it. */
		*found = error == EMALFORMED;
		/*
		 * A read that failed (EIO) says nothing about the file, whose
		 * identity is unchanged: a search that went on because of it
		 * must not be kept for the cache to replay.
		 */
		if (error != EMALFORMED && error != ENOEXEC)
			r->deps->tried_lost = true;
		close(fd);
		return 0;
	}
	*found = true;
	error = add_object(r, fd, &st, path, SANDBOX_LIBRARY, parent, &info);
	elf_info_free(&info);
	close(fd);
	return error;
}

/*
 * Tries name in one directory of a search list: the glibc-hwcaps
 * subdirectories the loader may prefer, then the directory itself. Every
 * variant that exists is granted, since the loader picks by CPU.
 */
static int
try_directory(struct resolver *r, const char *dir, const char *name,
    long parent, bool *found)
{
	char path[PATH_MAX];
	int error, n;

	for (size_t i = 0; i < sizeof(hwcaps_dirs) / sizeof(hwcaps_dirs[0]);
	     i++) {
		if (hwcaps_dirs[i][0] == '\0')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s%s", dir, hwcaps_dirs[i],
		    name);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if ((error = try_library(r, path, parent, found)) != 0)
			return error;
	}
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return try_library(r, path, parent, found);
}

char *
sandbox_fd_path(int fd)
{
	char link[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

int
sandbox_cwd(char **path, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (stat(".", &st) != 0)
		return (*path = NULL, errno);
	if ((*path = getcwd(NULL, 0)) == NULL)
		return errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

void
sandbox_elf_deps_clear(struct sandbox_elf_deps *deps)
{
	for (size_t i = 0; i < deps->ntried; i++)
		free(deps->tried[i].path);
	free(deps->tried);
	free(deps->origin);
	free(deps->cwd);
	free(deps->missing);
	free(deps->missing_for);
	memset(deps, 0, sizeof(*deps));
}

/*
 * The path of object i, looked up for the program only when needed: what
 * $ORIGIN gives then depends on the path the program was reached by (the
 * same file can be linked into two directories), so the cache keys the
 * result on that path too. A library's path follows from the program's and
 * from absolute or relative search paths, which are accounted for already.
 */
static const char *
object_path(struct resolver *r, long i)
{
	if (i == 0 && !r->program_path_tried) {
		r->program_path_tried = true;
		r->objects[0].path = sandbox_fd_path(r->execfd);
		/* Handed to deps at the end, known or not. */
		r->deps->origin_used = true;
	}
	return r->objects[i].path;
}

/*
 * Expands one entry of an RPATH or RUNPATH list into buf: $ORIGIN and
 * ${ORIGIN} become the directory of the object. Returns false for entries
 * the loader would not use either ($LIB, $PLATFORM and unknown origins are
 * left out: they only ever lose a grant, and the loader then reports it).
 */
static bool
expand_entry(const char *entry, size_t len, const char *objpath, char *buf,
    size_t size)
{
	size_t out = 0;

	if (len == 0) {
		entry = ".";
		len = 1;
	}
	for (size_t i = 0; i < len;) {
		const char *add;
		size_t addlen, skip;

		if (entry[i] == '$') {
			const char *slash;
			if (len - i >= 7 &&
			    memcmp(entry + i, "$ORIGIN", 7) == 0)
				skip = 7;
			else if (len - i >= 9 &&
			    memcmp(entry + i, "${ORIGIN}", 9) == 0)
				skip = 9;
			else
				return false;
			if (objpath == NULL ||
			    (slash = strrchr(objpath, '/')) == NULL)
				return false;
			add = objpath;
			/* The directory: "/" for an object at the root. */
			addlen =
			    slash == objpath ? 1 : (size_t)(slash - objpath);
		} else {
			add = entry + i;
			addlen = 1;
			skip = 1;
		}
		if (addlen >= size - out)
			return false;
		memcpy(buf + out, add, addlen);
		out += addlen;
		i += skip;
	}
	buf[out] = '\0';
	return true;
}

/* Searches name in a colon-separated list, as the loader does. */
static int
try_list(struct resolver *r, const char *list, long owner, const char *name,
    long parent, bool *found)
{
	char dir[PATH_MAX];
	int error;

	for (const char *p = list; !*found;) {
		const char *colon = strchr(p, ':');
		size_t len = colon != NULL ? (size_t)(colon - p) : strlen(p);
		const char *objpath =
		    memchr(p, '$', len) != NULL ? object_path(r, owner) : NULL;

		if ((error = spend_probe(r, NULL)) != 0)
			return error;
		if (expand_entry(p, len, objpath, dir, sizeof(dir))) {
			note_where(r, dir, strlen(dir));
			error = try_directory(r, dir, name, parent, found);
			if (error != 0)
				return error;
		} else {
			r->where_unsure = true;
		}
		if (colon == NULL)
			break;
		p = colon + 1;
	}
	return 0;
}

/*
 * Reads /etc/ld.so.cache, once, and keeps its new-format table (skipping
 * the old one in front, if any). Grants it: the loader reads it too, and
 * must find there what was found here.
 */
static int
open_cache(struct resolver *r)
{
	static const char old_magic[] = "ld.so-1.7.0";
	static const char new_magic[] = "glibc-ld.so.cache1.1";
	unsigned char *buf;
	struct stat st;
	size_t off = 0, size;
	int fd, error = 0;

	r->cache_tried = true;
	fd = elf_open(LDCACHE_PATH,
	    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		note_tried(r, LDCACHE_PATH, errno, NULL);
		return 0;
	}
	if (fstat(fd, &st) != 0) {
		r->deps->tried_lost = true;
		goto out;
	}
	note_tried(r, LDCACHE_PATH, 0, &st);
	if (!S_ISREG(st.st_mode) || st.st_size < 48 || st.st_size > MAX_LDCACHE)
		goto out;
	size = (size_t)st.st_size;
	if ((buf = malloc(size)) == NULL) {
		error = ENOMEM;
		goto out;
	}
	if (elf_read_at(fd, buf, size, 0) != 0)
		goto unusable;
	if (memcmp(buf, old_magic, sizeof(old_magic) - 1) == 0) {
		uint32_t n;
		memcpy(&n, buf + 12, sizeof(n));
		if (n > (size - 16) / 12)
			goto unusable;
		off = (16 + (size_t)n * 12 + 7) & ~(size_t)7;
	}
	if (off > size || size - off < 48 ||
	    memcmp(buf + off, new_magic, sizeof(new_magic) - 1) != 0)
		goto unusable;
	/* String offsets count from the new-format header. */
	memmove(buf, buf + off, size - off);
	r->cache = buf;
	r->cache_size = size - off;
	error = r->add(r->ctx, fd, LDCACHE_PATH, SANDBOX_LDCACHE);
	goto out;
unusable:
	free(buf);
out:
	close(fd);
	return error;
}

/* Looks name up in the loader cache, trying every entry of that name. */
static int
try_cache(struct resolver *r, const char *name, long parent, bool *found)
{
	const unsigned char *base = r->cache;
	size_t size = r->cache_size, namelen = strlen(name);
	uint32_t nlibs;
	int error;

	if (!r->cache_tried && (error = open_cache(r)) != 0)
		return error;
	if ((base = r->cache) == NULL)
		return 0;
	note_where(r, LDCACHE_PATH, strlen(LDCACHE_PATH));
	size = r->cache_size;
	memcpy(&nlibs, base + 20, sizeof(nlibs));
	if (nlibs > (size - 48) / 24)
		return 0;
	for (uint32_t i = 0; i < nlibs; i++) {
		const unsigned char *e = base + 48 + (size_t)i * 24;
		const unsigned char *end;
		char path[PATH_MAX];
		uint32_t key, value;
		int32_t flags;
		size_t len;

		memcpy(&flags, e, 4);
		memcpy(&key, e + 4, 4);
		memcpy(&value, e + 8, 4);
		if ((flags & 0xffff) != LDCACHE_FLAGS || key >= size ||
		    value >= size || size - key <= namelen ||
		    memcmp(base + key, name, namelen + 1) != 0)
			continue;
		end = memchr(base + value, '\0', size - value);
		if (end == NULL ||
		    (len = (size_t)(end - (base + value))) >= sizeof(path))
			continue;
		memcpy(path, base + value, len + 1);
		if ((error = try_library(r, path, parent, found)) != 0)
			return error;
	}
	return 0;
}

/* Finds the library name needed by the object at index parent. */
static int
resolve_needed(struct resolver *r, const char *name, long parent)
{
	bool found = false, fresh;
	int error;

	if ((error = note_name(r, name, &fresh)) != 0 || !fresh)
		return error;
	r->wherelen = 0;
	r->where[0] = '\0';
	r->where_cut = r->where_unsure = false;
	/* A name with a slash is a path, used as it is. */
	if (strchr(name, '/') != NULL) {
		error = try_library(r, name, parent, &found);
		if (error == 0 && !found)
			note_missing(r, name, parent, false);
		return error;
	}
	/* DT_RPATH of the object and of those that loaded it, unless the
	 * object has DT_RUNPATH. */
	if (r->objects[parent].runpath == NULL) {
		for (long i = parent; i >= 0 && !found;
		     i = r->objects[i].parent) {
			if (r->objects[i].rpath == NULL)
				continue;
			error = try_list(r, r->objects[i].rpath, i, name,
			    parent, &found);
			if (error != 0)
				return error;
		}
	} else {
		error = try_list(r, r->objects[parent].runpath, parent, name,
		    parent, &found);
		if (error != 0)
			return error;
	}
	if (!found && (error = try_cache(r, name, parent, &found)) != 0)
		return error;
	for (size_t i = 0;
	     !found && i < sizeof(default_dirs) / sizeof(default_dirs[0]);
	     i++) {
		note_where(r, default_dirs[i], strlen(default_dirs[i]));
		error = try_directory(r, default_dirs[i], name, parent, &found);
		if (error != 0)
			return error;
	}
	if (!found)
		note_missing(r, name, parent, false);
	return 0;
}

/* Opens the program for reading: execfd may have been opened O_PATH. */
static int
open_program(int execfd)
{
	char link[64];
	int flags = fcntl(execfd, F_GETFL);

	if (flags < 0)
		return -1;
	if ((flags & O_PATH) == 0 && (flags & O_ACCMODE) != O_WRONLY)
		return fcntl(execfd, F_DUPFD_CLOEXEC, 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", execfd);
	return open(link, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/* Opens and grants the loader named by PT_INTERP. */
static int
add_loader(struct resolver *r, const char *interp)
{
	const char *base = strrchr(interp, '/');
	struct stat st;
	Elf64_Ehdr eh;
	bool fresh;
	int fd, error;

	if ((error = spend_probe(r, interp)) != 0)
		return error;
	fd = open_regular(r, interp);
	if (fd < 0) {
		error = errno;
		if (error == ENOENT || error == ENOTDIR) {
			r->wherelen = 0;
			r->where[0] = '\0';
			r->where_unsure = false;
			note_missing(r, interp, 0, true);
		}
		return error;
	}
	/* The loader needs nothing itself: its header is all there is to
	 * check. */
	if (fstat(fd, &st) != 0)
		error = errno;
	else if (!S_ISREG(st.st_mode))
		error = ENOEXEC;
	else if ((error = elf_read_at(fd, &eh, sizeof(eh), 0)) == 0)
		error = elf_check_header(&eh);
	if (error == 0)
		error = add_object(r, fd, &st, interp, SANDBOX_LOADER, 0, NULL);
	close(fd);
	/* Libraries that name the loader get the loaded one. */
	if (error == 0)
		error = note_name(r, base != NULL ? base + 1 : interp, &fresh);
	return error == EMALFORMED ? ENOEXEC : error;
}

int
sandbox_elf_resolve(int execfd, sandbox_elf_add_fn *add, void *ctx,
    struct sandbox_elf_deps *deps)
{
	struct sandbox_elf_deps own = {.probes = 0};
	struct resolver r = {.add = add,
	    .ctx = ctx,
	    .execfd = execfd,
	    .deps = deps != NULL ? deps : &own};
	struct elf_info info;
	struct stat st;
	int fd, error;

	/* The program's headers choose the names: see keyed_hash.h. */
	r.name_key = ad_hash_key(&r);
	fd = open_program(execfd);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) != 0) {
		error = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error = ENOEXEC;
		goto out;
	}
	r.cap = 8;
	r.objects = calloc(r.cap, sizeof(*r.objects));
	if (r.objects == NULL) {
		error = ENOMEM;
		goto out;
	}
	if ((error = elf_read_info(fd, (uint64_t)st.st_size, true, &info)) != 0)
		goto out;
	/* The program's own rule is anchored on execfd by the caller; here
	 * it only roots the search. */
	r.objects[0] = (struct object){
	    .dev = st.st_dev,
	    .ino = st.st_ino,
	    .rpath = info.rpath,
	    .runpath = info.runpath,
	    .needed = info.needed,
	    .nneeded = info.nneeded,
	    .parent = -1,
	};
	r.nobjects = 1;
	r.nneeded = info.nneeded;
	info.rpath = info.runpath = NULL;
	info.needed = NULL;
	info.nneeded = 0;
	if (info.interp != NULL)
		error = add_loader(&r, info.interp);
	elf_info_free(&info);
	if (error != 0)
		goto out;

	/* Breadth first over the objects as they are found: no recursion,
	 * and each object enters the list once. */
	for (size_t i = 0; i < r.nobjects; i++)
		for (size_t j = 0; j < r.objects[i].nneeded; j++) {
			error =
			    resolve_needed(&r, r.objects[i].needed[j], (long)i);
			if (error != 0)
				goto out;
		}
out:
	close(fd);
	if (r.nobjects > 0 && r.deps->origin_used) {
		r.deps->origin = r.objects[0].path;
		r.objects[0].path = NULL;
	}
	sandbox_elf_deps_clear(&own);
	for (size_t i = 0; i < r.nobjects; i++) {
		struct object *o = &r.objects[i];
		free(o->path);
		free(o->rpath);
		free(o->runpath);
		for (size_t j = 0; j < o->nneeded; j++)
			free(o->needed[j]);
		free(o->needed);
	}
	free(r.objects);
	for (size_t i = 0; i < r.namecap; i++)
		free(r.names[i].name);
	free(r.names);
	free(r.cache);
	return error == EMALFORMED ? ENOEXEC : error;
}
