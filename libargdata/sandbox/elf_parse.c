/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_parse.c - reads what one ELF file says about its loading (PT_INTERP,
 * DT_NEEDED, DT_RPATH, DT_RUNPATH) for the resolver in elf_search.c. Every
 * file is hostile input: all offsets and sizes are checked against the
 * file and against the fixed limits in elf_resolve.h, and nothing is read twice
 * that one read can cover.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_resolve.h"

void
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

/* Reads up to len bytes at off; returns how many, or -1 with errno. */
static ssize_t
read_some(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - len) {
		errno = EMALFORMED;
		return -1;
	}
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
		    (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Reads exactly len bytes at off, or fails with EMALFORMED. */
int
elf_read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = read_some(fd, buf, len, off);

	if (n < 0)
		return errno;
	return (size_t)n == len ? 0 : EMALFORMED;
}

/* Checks that the ELF header describes a file this machine's loader runs. */
int
elf_check_header(const Elf64_Ehdr *eh)
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
		if (addr < ph[i].p_vaddr ||
		    addr - ph[i].p_vaddr >= ph[i].p_filesz)
			continue;
		*off = ph[i].p_offset + (addr - ph[i].p_vaddr);
		*room = ph[i].p_filesz - (addr - ph[i].p_vaddr);
		if (*off < ph[i].p_offset)
			return EMALFORMED;
		return 0;
	}
	return EMALFORMED;
}

/* A string table: read whole when small, else string by string. */
struct strtab {
	int fd;
	uint64_t off, size;
	char *data; /* size + 1 bytes, NUL-terminated, or NULL */
};

/* Copies the NUL-terminated string at off of the table into *out. */
static int
strtab_get(const struct strtab *st, uint64_t off, char **out)
{
	size_t len;
	char *buf;
	ssize_t n;

	if (off >= st->size)
		return EMALFORMED;
	if (st->data != NULL) {
		len = strlen(st->data + off);
		if (len >= MAX_STRING)
			return EMALFORMED;
		if ((*out = strndup(st->data + off, len)) == NULL)
			return ENOMEM;
		return 0;
	}
	len =
	    st->size - off < MAX_STRING ? (size_t)(st->size - off) : MAX_STRING;
	if ((buf = malloc(len + 1)) == NULL)
		return ENOMEM;
	n = read_some(st->fd, buf, len, st->off + off);
	if (n < 0 || memchr(buf, '\0', (size_t)n) == NULL) {
		int error = n < 0 ? errno : EMALFORMED;
		free(buf);
		return error;
	}
	*out = buf;
	return 0;
}

/*
 * Reads the loading information of the ELF file open at fd, fsize bytes
 * long: PT_INTERP (when want_interp) and, from PT_DYNAMIC, DT_NEEDED,
 * DT_RPATH and DT_RUNPATH. Returns ENOEXEC when the file is no ELF file
 * of this machine, EMALFORMED when it is one but broken.
 */
int
elf_read_info(int fd, uint64_t fsize, bool want_interp, struct elf_info *info)
{
	unsigned char head[HEAD_SIZE];
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)head;
	Elf64_Phdr *ph = NULL;
	Elf64_Dyn *dyn = NULL;
	struct strtab st = {.fd = fd};
	uint64_t strtab = 0, rpath = UINT64_MAX, runpath = UINT64_MAX, room;
	size_t ndyn = 0, nneeded = 0, phnum, phsize;
	bool have_strtab = false, have_strsz = false;
	ssize_t nhead;
	int error;

	memset(info, 0, sizeof(*info));
	nhead = read_some(fd, head, sizeof(head), 0);
	if (nhead < 0)
		return errno;
	if ((size_t)nhead < sizeof(Elf64_Ehdr))
		return ENOEXEC;
	if ((error = elf_check_header(eh)) != 0)
		return error;
	phnum = eh->e_phnum;
	if (phnum == 0)
		return 0;
	phsize = phnum * sizeof(Elf64_Phdr);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || phnum > MAX_PHNUM ||
	    eh->e_phoff > fsize || phsize > fsize - eh->e_phoff)
		return EMALFORMED;
	ph = malloc(phsize);
	if (ph == NULL)
		return ENOMEM;
	/* The program headers usually follow the ELF header, within the
	 * first read. */
	if (eh->e_phoff <= (uint64_t)nhead &&
	    phsize <= (size_t)nhead - eh->e_phoff)
		memcpy(ph, head + eh->e_phoff, phsize);
	else if ((error = elf_read_at(fd, ph, phsize, eh->e_phoff)) != 0)
		goto fail;

	for (size_t i = 0; i < phnum; i++) {
		bool wanted = ph[i].p_type == PT_DYNAMIC ||
		    (want_interp && ph[i].p_type == PT_INTERP);

		if (!wanted)
			continue;
		if (ph[i].p_offset > fsize ||
		    ph[i].p_filesz > fsize - ph[i].p_offset) {
			error = EMALFORMED;
			goto fail;
		}
		if (ph[i].p_type == PT_INTERP && info->interp == NULL) {
			struct strtab it = {.fd = fd,
			    .off = ph[i].p_offset,
			    .size = ph[i].p_filesz};
			if ((error = strtab_get(&it, 0, &info->interp)) != 0)
				goto fail;
		} else if (ph[i].p_type == PT_DYNAMIC && dyn == NULL) {
			ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
			if (ndyn > MAX_DYNAMIC) {
				error = EMALFORMED;
				goto fail;
			}
			if (ndyn == 0)
				continue;
			dyn = malloc(ndyn * sizeof(*dyn));
			if (dyn == NULL) {
				error = ENOMEM;
				goto fail;
			}
			error = elf_read_at(fd, dyn, ndyn * sizeof(*dyn),
			    ph[i].p_offset);
			if (error != 0)
				goto fail;
		}
	}
	if (dyn == NULL)
		goto done;

	/* First pass: where the strings are, and how many names. */
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		switch (dyn[i].d_tag) {
		case DT_STRTAB:
			strtab = dyn[i].d_un.d_ptr;
			have_strtab = true;
			break;
		case DT_STRSZ:
			st.size = dyn[i].d_un.d_val;
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
		error = EMALFORMED;
		goto fail;
	}
	error = vaddr_to_offset(ph, phnum, strtab, &st.off, &room);
	if (error != 0)
		goto fail;
	if (st.size > room || st.off > fsize || st.size > fsize - st.off) {
		error = EMALFORMED;
		goto fail;
	}
	/* One read for all the names, unless the table is huge. */
	if (st.size <= MAX_STRTAB) {
		st.data = malloc((size_t)st.size + 1);
		if (st.data == NULL) {
			error = ENOMEM;
			goto fail;
		}
		if ((error = elf_read_at(fd, st.data, (size_t)st.size,
		         st.off)) != 0)
			goto fail;
		st.data[st.size] = '\0';
	}
	if (rpath != UINT64_MAX &&
	    (error = strtab_get(&st, rpath, &info->rpath)) != 0)
		goto fail;
	if (runpath != UINT64_MAX &&
	    (error = strtab_get(&st, runpath, &info->runpath)) != 0)
		goto fail;
	if (nneeded > 0) {
		info->needed = calloc(nneeded, sizeof(*info->needed));
		if (info->needed == NULL) {
			error = ENOMEM;
			goto fail;
		}
	}
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		char *name;

		if (dyn[i].d_tag != DT_NEEDED)
			continue;
		if ((error = strtab_get(&st, dyn[i].d_un.d_val, &name)) != 0)
			goto fail;
		if (name[0] == '\0') {
			free(name);
			error = EMALFORMED;
			goto fail;
		}
		info->needed[info->nneeded++] = name;
	}
done:
	free(st.data);
	free(dyn);
	free(ph);
	return 0;
fail:
	free(st.data);
	free(dyn);
	free(ph);
	elf_info_free(info);
	return error;
}
