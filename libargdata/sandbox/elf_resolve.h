/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_resolve.h - what the ELF resolver's two halves share: the parser of one
 * file's headers (elf_parse.c) and the search for the files a program
 * needs (elf_search.c). Internal to the sandbox layer.
 */
#ifndef ARGDATA_ELF_RESOLVE_H
#define ARGDATA_ELF_RESOLVE_H

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#define ELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define ELF_MACHINE EM_AARCH64
#else
/* Elsewhere sandbox_unsupported() refuses before anything gets here. */
#define ELF_MACHINE EM_NONE
#endif

/*
 * Every file the resolver tries is opened here. The fuzz harness
 * (fuzz/fuzz_elf.c) compiles this file again with SANDBOX_ELF_FUZZ, which
 * confines the search to the files it makes up from its input: fast and
 * the same on every machine. The library never has the seam.
 */
#ifdef SANDBOX_ELF_FUZZ
#define elf_open(path, flags) sandbox_elf_fuzz_open(path, flags)
#else
#define elf_open(path, flags) open(path, flags)
#endif

/*
 * Limits far above what real programs use, to bound hostile files. Those
 * on one file make it malformed (ENOEXEC); those on the work as a whole,
 * in sandbox.h, make the resolution fail with E2BIG.
 */
#define MAX_NEEDED 1024       /* DT_NEEDED entries of one object */
#define MAX_PHNUM 1024        /* program headers */
#define MAX_DYNAMIC 65536     /* entries of the dynamic section */
#define MAX_STRING PATH_MAX   /* names, paths, search lists */
#define MAX_STRTAB (1 << 20)  /* string table read in one go up to this */
#define MAX_LDCACHE (8 << 20) /* bytes of /etc/ld.so.cache */
#define HEAD_SIZE 4096        /* first read: the headers, usually */

/*
 * Internal: the file is an ELF file of this machine but malformed. The
 * program gets ENOEXEC for it; a library is skipped, as the loader would
 * fail on it.
 */
#define EMALFORMED EBADMSG

/* What one ELF file says about its loading. */
struct elf_info {
	char *interp;
	char *rpath;
	char *runpath;
	char **needed;
	size_t nneeded;
};

void elf_info_free(struct elf_info *info);

/* Reads exactly len bytes at off of fd; 0, EMALFORMED when short, or errno. */
int elf_read_at(int fd, void *buf, size_t len, uint64_t off);

/*
 * Whether the ELF header describes a file this machine's loader runs: 0,
 * or ENOEXEC.
 */
int elf_check_header(const Elf64_Ehdr *eh);

/*
 * Reads the headers of the ELF file open at fd, fsize bytes long, into
 * *info: the interpreter when want_interp, the search paths and the
 * needed names. Returns 0, ENOEXEC when it is not an ELF file of this
 * machine, EMALFORMED when it is but is malformed, or the read's error.
 */
int elf_read_info(int fd, uint64_t fsize, bool want_interp,
    struct elf_info *info);

#endif
