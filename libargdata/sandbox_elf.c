/*
 * sandbox_elf.c - finds the files a dynamically linked program needs before
 * its first instruction runs: the loader named by PT_INTERP and the shared
 * libraries named by DT_NEEDED, transitively, searched as the glibc loader
 * searches them (DT_RPATH, DT_RUNPATH with $ORIGIN, /etc/ld.so.cache, the
 * default directories). Every file is hostile input: all offsets and sizes
 * are checked against the file and against fixed limits.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__x86_64__)
#define ELF_MACHINE EM_X86_64
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
#define ELF_MACHINE EM_AARCH64
/* ld.so.cache flags: FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64. */
#define LDCACHE_FLAGS 0x0a03
#define MULTIARCH "aarch64-linux-gnu"
static const char *const hwcaps_dirs[] = {
	"",
};
#else
#error "the sandbox knows the ELF loaders of x86-64 and arm64 only"
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

/* Limits far above what real programs use, to bound hostile files. */
#define MAX_OBJECTS 1024      /* program, loader and libraries */
#define MAX_NEEDED 1024       /* DT_NEEDED entries of one object */
#define MAX_PHNUM 1024        /* program headers */
#define MAX_DYNAMIC 65536     /* entries of the dynamic section */
#define MAX_STRING PATH_MAX   /* names, paths, search lists */
#define MAX_LDCACHE (64 << 20) /* bytes of /etc/ld.so.cache */

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
	struct object objects[MAX_OBJECTS];
	size_t nobjects;
	sandbox_elf_add_fn *add;
	void *ctx;
	/* /etc/ld.so.cache, mapped on first use. */
	bool cache_tried;
	const unsigned char *cache;
	size_t cache_size;
	size_t cache_new; /* offset of the new-format header */
};

/* What one ELF file says about its loading. */
struct elf_info {
	char *interp;
	char *rpath;
	char *runpath;
	char **needed;
	size_t nneeded;
};

static void
elf_info_free(struct elf_info *info)
{
	free(info->interp);
	free(info->rpath);
	free(info->runpath);
	for (size_t i = 0; i < info->nneeded; i++)
		free(info->needed[i]);
	free(info->needed);
	memset(info, 0, sizeof(*info));
}

/* Reads exactly len bytes at off, or fails with ENOEXEC at end of file. */
static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - len)
		return ENOEXEC;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
		    (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			return ENOEXEC;
		done += (size_t)n;
	}
	return 0;
}

/*
 * Reads the NUL-terminated string at off within the region [base, base+size)
 * of the file, at most MAX_STRING bytes. Returns 0 with *out allocated.
 */
static int
read_string(int fd, uint64_t base, uint64_t size, uint64_t off, char **out)
{
	uint64_t avail;
	size_t len;
	char *buf;
	ssize_t n;

	if (off >= size)
		return ENOEXEC;
	avail = size - off;
	len = avail < MAX_STRING ? (size_t)avail : MAX_STRING;
	if (base > (uint64_t)INT64_MAX - size)
		return ENOEXEC;
	buf = malloc(len + 1);
	if (buf == NULL)
		return ENOMEM;
	do
		n = pread(fd, buf, len, (off_t)(base + off));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int error = errno;
		free(buf);
		return error;
	}
	if (memchr(buf, '\0', (size_t)n) == NULL) {
		free(buf);
		return ENOEXEC;
	}
	*out = buf;
	return 0;
}

/* Checks that the ELF header describes a file this machine's loader runs. */
static int
check_header(const Elf64_Ehdr *eh)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_machine != ELF_MACHINE ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
		return ENOEXEC;
	return 0;
}

/* Maps a virtual address to a file offset through the PT_LOAD segments. */
static int
vaddr_to_offset(const Elf64_Phdr *ph, size_t phnum, uint64_t addr,
    uint64_t *off, uint64_t *room)
{
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (addr < ph[i].p_vaddr || addr - ph[i].p_vaddr >=
		    ph[i].p_filesz)
			continue;
		*off = ph[i].p_offset + (addr - ph[i].p_vaddr);
		*room = ph[i].p_filesz - (addr - ph[i].p_vaddr);
		if (*off < ph[i].p_offset)
			return ENOEXEC;
		return 0;
	}
	return ENOEXEC;
}

/*
 * Reads the loading information of the ELF file open at fd: PT_INTERP and,
 * from PT_DYNAMIC, DT_NEEDED, DT_RPATH and DT_RUNPATH.
 */
static int
read_elf(int fd, struct elf_info *info)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	Elf64_Dyn *dyn = NULL;
	struct stat st;
	uint64_t fsize, strtab = 0, strsz = 0, stroff, strroom;
	uint64_t rpath = UINT64_MAX, runpath = UINT64_MAX;
	size_t ndyn = 0;
	bool have_strtab = false, have_strsz = false;
	int error;

	memset(info, 0, sizeof(*info));
	if (fstat(fd, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return ENOEXEC;
	fsize = (uint64_t)st.st_size;
	if ((error = read_at(fd, &eh, sizeof(eh), 0)) != 0)
		return error;
	if ((error = check_header(&eh)) != 0)
		return error;
	if (eh.e_phnum == 0)
		return 0;
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > MAX_PHNUM ||
	    eh.e_phoff > fsize ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > fsize - eh.e_phoff)
		return ENOEXEC;
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (ph == NULL)
		return ENOMEM;
	error = read_at(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff);
	if (error != 0)
		goto fail;

	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_offset > fsize ||
		    ph[i].p_filesz > fsize - ph[i].p_offset) {
			if (ph[i].p_type == PT_INTERP ||
			    ph[i].p_type == PT_DYNAMIC) {
				error = ENOEXEC;
				goto fail;
			}
			continue;
		}
		if (ph[i].p_type == PT_INTERP && info->interp == NULL) {
			error = read_string(fd, ph[i].p_offset, ph[i].p_filesz,
			    0, &info->interp);
			if (error != 0)
				goto fail;
		} else if (ph[i].p_type == PT_DYNAMIC && dyn == NULL) {
			ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
			if (ndyn > MAX_DYNAMIC) {
				error = ENOEXEC;
				goto fail;
			}
			if (ndyn == 0)
				continue;
			dyn = calloc(ndyn, sizeof(*dyn));
			if (dyn == NULL) {
				error = ENOMEM;
				goto fail;
			}
			error = read_at(fd, dyn, ndyn * sizeof(*dyn),
			    ph[i].p_offset);
			if (error != 0)
				goto fail;
		}
	}
	if (dyn == NULL)
		goto done;

	/* First pass: where the strings are, and how many names. */
	size_t nneeded = 0;
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		switch (dyn[i].d_tag) {
		case DT_STRTAB:
			strtab = dyn[i].d_un.d_ptr;
			have_strtab = true;
			break;
		case DT_STRSZ:
			strsz = dyn[i].d_un.d_val;
			have_strsz = true;
			break;
		case DT_NEEDED:
			nneeded++;
			break;
		case DT_RPATH:
			rpath = dyn[i].d_un.d_val;
			break;
		case DT_RUNPATH:
			runpath = dyn[i].d_un.d_val;
			break;
		}
	}
	if (nneeded == 0 && rpath == UINT64_MAX && runpath == UINT64_MAX)
		goto done;
	if (!have_strtab || !have_strsz || nneeded > MAX_NEEDED) {
		error = ENOEXEC;
		goto fail;
	}
	error = vaddr_to_offset(ph, eh.e_phnum, strtab, &stroff, &strroom);
	if (error != 0)
		goto fail;
	if (strsz > strroom) {
		error = ENOEXEC;
		goto fail;
	}
	if (rpath != UINT64_MAX &&
	    (error = read_string(fd, stroff, strsz, rpath, &info->rpath)) != 0)
		goto fail;
	if (runpath != UINT64_MAX && (error = read_string(fd, stroff, strsz,
	    runpath, &info->runpath)) != 0)
		goto fail;
	if (nneeded > 0) {
		info->needed = calloc(nneeded, sizeof(*info->needed));
		if (info->needed == NULL) {
			error = ENOMEM;
			goto fail;
		}
	}
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag != DT_NEEDED)
			continue;
		error = read_string(fd, stroff, strsz, dyn[i].d_un.d_val,
		    &info->needed[info->nneeded]);
		if (error != 0)
			goto fail;
		if (info->needed[info->nneeded][0] == '\0') {
			free(info->needed[info->nneeded]);
			error = ENOEXEC;
			goto fail;
		}
		info->nneeded++;
	}
done:
	free(dyn);
	free(ph);
	return 0;
fail:
	free(dyn);
	free(ph);
	elf_info_free(info);
	return error;
}

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
 * Records an object and hands its descriptor to the caller; parses its
 * dynamic section unless it is the loader (parse false). The descriptor
 * stays the caller's.
 */
static int
add_object(struct resolver *r, int fd, const struct stat *st,
    const char *path, enum sandbox_role role, long parent,
    struct elf_info *info)
{
	struct object *o;
	int error;

	if (r->nobjects == MAX_OBJECTS)
		return ENOEXEC;
	error = r->add(r->ctx, fd, path, role);
	if (error != 0)
		return error;
	o = &r->objects[r->nobjects++];
	memset(o, 0, sizeof(*o));
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->parent = parent;
	if (path != NULL && (o->path = strdup(path)) == NULL)
		return ENOMEM;
	if (info != NULL) {
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
 * Tries the library at path for the object at index parent. Returns 0 with
 * *found set when it exists and suits this machine, 0 with *found clear
 * when the loader would go on searching, or an errno value.
 */
static int
try_library(struct resolver *r, const char *path, long parent, bool *found)
{
	struct elf_info info;
	struct stat st;
	Elf64_Ehdr eh;
	int fd, error;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			return errno;
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    read_at(fd, &eh, sizeof(eh), 0) != 0 || check_header(&eh) != 0) {
		close(fd);
		return 0;
	}
	*found = true;
	if (seen(r, &st)) {
		close(fd);
		return 0;
	}
	/* A library that does not parse would not load either. */
	if (read_elf(fd, &info) != 0) {
		close(fd);
		return 0;
	}
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
try_directory(struct resolver *r, const char *dir, size_t dirlen,
    const char *name, long parent, bool *found)
{
	char path[PATH_MAX];
	int error, n;

	for (size_t i = 0; i < sizeof(hwcaps_dirs) / sizeof(hwcaps_dirs[0]);
	    i++) {
		if (hwcaps_dirs[i][0] == '\0')
			continue;
		n = snprintf(path, sizeof(path), "%.*s/%s%s", (int)dirlen, dir,
		    hwcaps_dirs[i], name);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if ((error = try_library(r, path, parent, found)) != 0)
			return error;
	}
	n = snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen, dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return try_library(r, path, parent, found);
}

/*
 * Expands one entry of an RPATH or RUNPATH list into buf: $ORIGIN and
 * ${ORIGIN} become the directory of the object. Returns false for entries
 * the loader would not use either ($LIB, $PLATFORM and unknown origins are
 * left out: they only ever lose a grant, and the loader then reports it).
 */
static bool
expand_entry(const char *entry, size_t len, const char *origin, char *buf,
    size_t size)
{
	size_t out = 0;

	if (len == 0) {
		entry = ".";
		len = 1;
	}
	for (size_t i = 0; i < len;) {
		const char *add = NULL;
		size_t addlen = 0, skip = 1;

		if (entry[i] == '$') {
			if (len - i >= 7 && memcmp(entry + i, "$ORIGIN", 7) == 0)
				skip = 7;
			else if (len - i >= 9 &&
			    memcmp(entry + i, "${ORIGIN}", 9) == 0)
				skip = 9;
			else
				return false;
			if (origin == NULL)
				return false;
			add = origin;
			addlen = strlen(origin);
		} else {
			add = entry + i;
			addlen = 1;
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
try_list(struct resolver *r, const char *list, const char *objpath,
    const char *name, long parent, bool *found)
{
	char origin[PATH_MAX], dir[PATH_MAX];
	const char *originp = NULL;
	int error;

	if (objpath != NULL) {
		const char *slash = strrchr(objpath, '/');
		if (slash != NULL && (size_t)(slash - objpath) < sizeof(origin)) {
			size_t n = (size_t)(slash - objpath);
			memcpy(origin, objpath, n);
			origin[n == 0 ? 1 : n] = '\0';
			if (n == 0)
				origin[0] = '/';
			originp = origin;
		}
	}
	for (const char *p = list; !*found;) {
		const char *colon = strchr(p, ':');
		size_t len = colon != NULL ? (size_t)(colon - p) : strlen(p);

		if (expand_entry(p, len, originp, dir, sizeof(dir))) {
			error = try_directory(r, dir, strlen(dir), name, parent,
			    found);
			if (error != 0)
				return error;
		}
		if (colon == NULL)
			break;
		p = colon + 1;
	}
	return 0;
}

/* Maps /etc/ld.so.cache and finds its new-format table; once. */
static int
open_cache(struct resolver *r)
{
	static const char old_magic[] = "ld.so-1.7.0";
	static const char new_magic[] = "glibc-ld.so.cache1.1";
	struct stat st;
	size_t off = 0;
	void *map;
	int fd, error;

	r->cache_tried = true;
	fd = open(LDCACHE_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 48 ||
	    st.st_size > MAX_LDCACHE) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return 0;
	}
	r->cache = map;
	r->cache_size = (size_t)st.st_size;
	/* The old format, if present, comes first: 12-byte entries. */
	if (memcmp(r->cache, old_magic, sizeof(old_magic) - 1) == 0) {
		uint32_t n;
		memcpy(&n, r->cache + 12, sizeof(n));
		if (n > (r->cache_size - 16) / 12)
			goto unusable;
		off = (16 + (size_t)n * 12 + 7) & ~(size_t)7;
	}
	if (off > r->cache_size || r->cache_size - off < 48 ||
	    memcmp(r->cache + off, new_magic, sizeof(new_magic) - 1) != 0)
		goto unusable;
	r->cache_new = off;
	/* The loader reads it too: grant it so that it finds what we found. */
	error = r->add(r->ctx, fd, LDCACHE_PATH, SANDBOX_LDCACHE);
	close(fd);
	return error;
unusable:
	munmap(map, r->cache_size);
	r->cache = NULL;
	close(fd);
	return 0;
}

/* Looks name up in the loader cache, trying every entry of that name. */
static int
try_cache(struct resolver *r, const char *name, long parent, bool *found)
{
	const unsigned char *base;
	size_t size, namelen = strlen(name);
	uint32_t nlibs;
	int error;

	if (!r->cache_tried && (error = open_cache(r)) != 0)
		return error;
	if (r->cache == NULL)
		return 0;
	base = r->cache + r->cache_new;
	size = r->cache_size - r->cache_new;
	memcpy(&nlibs, base + 20, sizeof(nlibs));
	if (nlibs > (size - 48) / 24)
		return 0;
	for (uint32_t i = 0; i < nlibs; i++) {
		const unsigned char *e = base + 48 + (size_t)i * 24;
		int32_t flags;
		uint32_t key, value;
		char path[PATH_MAX];
		const void *end;

		memcpy(&flags, e, 4);
		memcpy(&key, e + 4, 4);
		memcpy(&value, e + 8, 4);
		if ((flags & 0xffff) != LDCACHE_FLAGS || key >= size ||
		    value >= size)
			continue;
		if (size - key <= namelen || memcmp(base + key, name,
		    namelen + 1) != 0)
			continue;
		end = memchr(base + value, '\0', size - value);
		if (end == NULL ||
		    (size_t)((const unsigned char *)end - (base + value)) >=
		    sizeof(path))
			continue;
		memcpy(path, base + value,
		    (size_t)((const unsigned char *)end - (base + value)) + 1);
		if ((error = try_library(r, path, parent, found)) != 0)
			return error;
	}
	return 0;
}

/* Finds the library name needed by the object at index parent. */
static int
resolve_needed(struct resolver *r, const char *name, long parent)
{
	const struct object *o = &r->objects[parent];
	bool found = false;
	int error;

	/* A name with a slash is a path, used as it is. */
	if (strchr(name, '/') != NULL)
		return try_library(r, name, parent, &found);
	/* DT_RPATH of the object and of those that loaded it, unless the
	 * object has DT_RUNPATH. */
	if (o->runpath == NULL) {
		for (long i = parent; i >= 0 && !found;
		     i = r->objects[i].parent) {
			if (r->objects[i].rpath == NULL)
				continue;
			error = try_list(r, r->objects[i].rpath,
			    r->objects[i].path, name, parent, &found);
			if (error != 0)
				return error;
		}
	} else {
		error = try_list(r, o->runpath, o->path, name, parent, &found);
		if (error != 0)
			return error;
	}
	if (!found && (error = try_cache(r, name, parent, &found)) != 0)
		return error;
	for (size_t i = 0; !found &&
	     i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++) {
		error = try_directory(r, default_dirs[i],
		    strlen(default_dirs[i]), name, parent, &found);
		if (error != 0)
			return error;
	}
	return 0;
}

/* The path of the file open at fd, for $ORIGIN; NULL when unknown. */
static char *
fd_path(int fd)
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

int
sandbox_elf_resolve(int execfd, sandbox_elf_add_fn *add, void *ctx)
{
	struct resolver *r;
	struct elf_info info;
	struct stat st;
	char *path = NULL;
	int fd, error;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return ENOMEM;
	r->add = add;
	r->ctx = ctx;
	fd = open_program(execfd);
	if (fd < 0) {
		error = errno;
		free(r);
		return error;
	}
	if (fstat(fd, &st) != 0) {
		error = errno;
		goto out;
	}
	if ((error = read_elf(fd, &info)) != 0)
		goto out;
	path = fd_path(execfd);
	/* The program's own rule is anchored on execfd by the caller; here it
	 * only roots the search. */
	r->objects[0] = (struct object){
		.dev = st.st_dev,
		.ino = st.st_ino,
		.path = path,
		.rpath = info.rpath,
		.runpath = info.runpath,
		.needed = info.needed,
		.nneeded = info.nneeded,
		.parent = -1,
	};
	r->nobjects = 1;
	info.rpath = info.runpath = NULL;
	info.needed = NULL;
	info.nneeded = 0;

	if (info.interp != NULL) {
		int ifd = open(info.interp,
		    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		struct stat ist;
		Elf64_Ehdr eh;

		if (ifd < 0) {
			error = errno;
			elf_info_free(&info);
			goto out;
		}
		if (fstat(ifd, &ist) != 0 || !S_ISREG(ist.st_mode) ||
		    read_at(ifd, &eh, sizeof(eh), 0) != 0 ||
		    check_header(&eh) != 0)
			error = ENOEXEC;
		else
			error = add_object(r, ifd, &ist, info.interp,
			    SANDBOX_LOADER, 0, NULL);
		close(ifd);
		if (error != 0) {
			elf_info_free(&info);
			goto out;
		}
	}
	elf_info_free(&info);

	/* Breadth first over the objects as they are found: no recursion,
	 * and each object enters the list once. */
	for (size_t i = 0; i < r->nobjects; i++)
		for (size_t j = 0; j < r->objects[i].nneeded; j++) {
			error = resolve_needed(r, r->objects[i].needed[j],
			    (long)i);
			if (error != 0)
				goto out;
		}
out:
	close(fd);
	for (size_t i = 0; i < r->nobjects; i++) {
		struct object *o = &r->objects[i];
		free(o->path);
		free(o->rpath);
		free(o->runpath);
		for (size_t j = 0; j < o->nneeded; j++)
			free(o->needed[j]);
		free(o->needed);
	}
	if (r->nobjects == 0)
		free(path);
	if (r->cache != NULL)
		munmap((void *)r->cache, r->cache_size);
	free(r);
	return error;
}
