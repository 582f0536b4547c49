/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema_note.c - the reader of the table a program publishes in an ELF
 * note (PROGRAM_SCHEMA() in <program.h>), and its description in words.
 * The file is hostile input: every offset and size is checked against the
 * file before it is used, the work is bounded by fixed limits, nothing
 * recurses, and the table lands in a fixed-size struct.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <argdata.h>

#include "schema_note.h"

/* Far above what programs use; beyond them the file is malformed. */
#define MAX_PHNUM 1024
#define MAX_NOTE_SEGMENT (64 * 1024)
#define MAX_NOTE_TOTAL (1024 * 1024)

/* The bytes of a note key entry and of the descriptor's head. */
#define KEY_SIZE 48
#define DESC_HEAD 8

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool
valid_type(unsigned type)
{
	return type >= ARGDATA_FIELD_INT && type <= ARGDATA_FIELD_STRLEN;
}

static bool
valid_int_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* One key entry of the descriptor into k: 0, or EBADMSG. */
static int
parse_key(const unsigned char *p, struct schema_key *k)
{
	bool ints;

	memcpy(k->key, p, PROGRAM_NOTE_KEY_MAX);
	k->key[PROGRAM_NOTE_KEY_MAX] = '\0';
	k->type = p[32];
	k->elem_type = p[33];
	k->size = p[34];
	k->flags = get32(p + 36);
	k->max = get32(p + 40);
	/* Printed as they are: no control characters. */
	for (const char *c = k->key; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return EBADMSG;
	if (!valid_type(k->type))
		return EBADMSG;
	if (k->type == ARGDATA_FIELD_ARRAY &&
	    (!valid_type(k->elem_type) || k->elem_type == ARGDATA_FIELD_ARRAY ||
	        k->elem_type == ARGDATA_FIELD_EACH))
		return EBADMSG;
	ints = k->type == ARGDATA_FIELD_INT || k->type == ARGDATA_FIELD_UINT ||
	    (k->type == ARGDATA_FIELD_ARRAY &&
	        (k->elem_type == ARGDATA_FIELD_INT ||
	            k->elem_type == ARGDATA_FIELD_UINT));
	if (ints && !valid_int_size(k->size))
		return EBADMSG;
	/* The entry for other keys takes maps, as ARGDATA_OTHER_KEYS does. */
	if (k->key[0] == '\0' &&
	    (k->type != ARGDATA_FIELD_ARRAY ||
	        k->elem_type != ARGDATA_FIELD_MAP))
		return EBADMSG;
	return 0;
}

static int
parse_desc(const unsigned char *d, uint64_t len, struct schema_table *t)
{
	uint64_t n;

	if (len < DESC_HEAD || get32(d) != PROGRAM_NOTE_VERSION ||
	    (len - DESC_HEAD) % KEY_SIZE != 0)
		return EBADMSG;
	n = (len - DESC_HEAD) / KEY_SIZE;
	if (n > PROGRAM_NOTE_KEYS)
		return EBADMSG;
	t->flags = get32(d + 4);
	t->nkeys = (size_t)n;
	for (size_t i = 0; i < t->nkeys; i++) {
		int error =
		    parse_key(d + DESC_HEAD + i * KEY_SIZE, &t->keys[i]);

		if (error != 0)
			return error;
	}
	return 0;
}

/*
 * The notes of one segment, len bytes at buf, padded to align: parses the
 * table when it finds it, counting in *found. 0 or EBADMSG.
 */
static int
scan_notes(const unsigned char *buf, uint64_t len, uint64_t align,
    struct schema_table *t, int *found)
{
	uint64_t pos = 0;

	while (len - pos >= 12) {
		uint64_t namesz = get32(buf + pos);
		uint64_t descsz = get32(buf + pos + 4);
		uint32_t type = get32(buf + pos + 8);
		uint64_t name = pos + 12, desc;

		/* Both at most 2^32, so that none of this overflows. */
		if (namesz > len - name)
			return EBADMSG;
		desc = (name + namesz + align - 1) & ~(align - 1);
		if (desc > len || descsz > len - desc)
			return EBADMSG;
		if (namesz == 8 && memcmp(buf + name, "argdata", 8) == 0 &&
		    type == PROGRAM_NOTE_SCHEMA) {
			int error;

			if (++*found > 1)
				return EBADMSG;
			if ((error = parse_desc(buf + desc, descsz, t)) != 0)
				return error;
		}
		pos = (desc + descsz + align - 1) & ~(align - 1);
		if (pos > len)
			break;
	}
	return 0;
}

int
schema_note_read(schema_read_fn *rd, void *ctx, uint64_t size,
    struct schema_table *t)
{
	static const uint16_t one = 1;
	unsigned char native =
	    *(const unsigned char *)&one == 1 ? ELFDATA2LSB : ELFDATA2MSB;
	Elf64_Ehdr eh;
	unsigned char *buf = NULL;
	uint64_t total = 0;
	int error, found = 0;

	if (size < sizeof(eh))
		return ENOEXEC;
	if ((error = rd(ctx, &eh, sizeof(eh), 0)) != 0)
		return error;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != native)
		return ENOEXEC;
	if (eh.e_phnum == 0)
		return ENOENT;
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > MAX_PHNUM ||
	    eh.e_phoff > size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > size - eh.e_phoff)
		return EBADMSG;
	for (size_t i = 0; i < eh.e_phnum && error == 0; i++) {
		Elf64_Phdr ph;

		error = rd(ctx, &ph, sizeof(ph),
		    eh.e_phoff + i * sizeof(Elf64_Phdr));
		if (error != 0 || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset ||
		    ph.p_filesz > MAX_NOTE_SEGMENT ||
		    (total += ph.p_filesz) > MAX_NOTE_TOTAL) {
			error = EBADMSG;
			break;
		}
		if (buf == NULL && (buf = malloc(MAX_NOTE_SEGMENT)) == NULL) {
			error = ENOMEM;
			break;
		}
		error = rd(ctx, buf, (size_t)ph.p_filesz, ph.p_offset);
		if (error == 0)
			error = scan_notes(buf, ph.p_filesz,
			    ph.p_align == 8 ? 8 : 4, t, &found);
	}
	free(buf);
	if (error != 0)
		return error;
	return found == 0 ? ENOENT : 0;
}

static int
read_fd(void *ctx, void *buf, size_t len, uint64_t off)
{
	int fd = *(int *)ctx;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
		    (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EBADMSG;
		done += (size_t)n;
	}
	return 0;
}

int
schema_note_read_fd(int fd, struct schema_table *t)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return ENOEXEC;
	return schema_note_read(read_fd, &fd, (uint64_t)st.st_size, t);
}

/* What a value of type (an element's when elem) is, in words. */
static void
describe_type(unsigned type, unsigned size, unsigned flags, char *buf, size_t n)
{
	const char *what = "a value", *how = "";

	switch (type) {
	case ARGDATA_FIELD_INT:
		snprintf(buf, n, "an integer from %" PRIdMAX " to %" PRIdMAX,
		    -SCHEMA_SMAX(size) - 1, SCHEMA_SMAX(size));
		return;
	case ARGDATA_FIELD_UINT:
		snprintf(buf, n, "an integer from 0 to %" PRIuMAX,
		    SCHEMA_UMAX(size));
		return;
	case ARGDATA_FIELD_BOOL:
		what = "a boolean";
		break;
	case ARGDATA_FIELD_FLOAT:
		what = "a number";
		break;
	case ARGDATA_FIELD_STR:
	case ARGDATA_FIELD_STRLEN:
		what = "a string";
		break;
	case ARGDATA_FIELD_BINARY:
		what = "binary data (!!binary)";
		break;
	case ARGDATA_FIELD_TIMESTAMP:
		what = "a timestamp";
		break;
	case ARGDATA_FIELD_MAP:
		what = "a map";
		break;
	case ARGDATA_FIELD_EACH:
		what = "a sequence";
		break;
	case ARGDATA_FIELD_FD:
		what = flags & ARGDATA_FD_LISTENING
		    ? "a listening stream socket"
		    : flags & ARGDATA_FD_DIRECTORY ? "a directory"
		    : flags & ARGDATA_FD_REGULAR   ? "a regular file"
		    : flags & ARGDATA_FD_SOCKET    ? "a socket"
		                                   : "a descriptor";
		if ((flags & ARGDATA_FD_READABLE) &&
		    (flags & ARGDATA_FD_WRITABLE))
			how = " open for reading and writing";
		else if (flags & ARGDATA_FD_READABLE)
			how = " open for reading";
		else if (flags & ARGDATA_FD_WRITABLE)
			how = " open for writing";
		break;
	}
	snprintf(buf, n, "%s%s", what, how);
}

const char *
schema_describe(const struct schema_key *k, char *buf, size_t size)
{
	char elem[128];

	if (k->type != ARGDATA_FIELD_ARRAY) {
		describe_type(k->type, k->size, k->flags, buf, size);
		return buf;
	}
	describe_type(k->elem_type, k->size, k->flags, elem, sizeof(elem));
	snprintf(buf, size, "a sequence of up to %u, each %s", k->max, elem);
	return buf;
}

int
schema_print(const struct schema_table *t, const char *title, FILE *fp)
{
	size_t width = 0;
	char what[256];

	for (size_t i = 0; i < t->nkeys; i++) {
		size_t w = t->keys[i].key[0] == '\0' ? strlen("(other keys)")
		                                     : strlen(t->keys[i].key);

		if (w > width)
			width = w;
	}
	fprintf(fp, "%s\n", title);
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct schema_key *k = &t->keys[i];

		if (k->key[0] == '\0')
			describe_type(k->elem_type, 0, k->flags, what,
			    sizeof(what));
		else
			schema_describe(k, what, sizeof(what));
		fprintf(fp, "  %-*s  %s%s\n", (int)width,
		    k->key[0] == '\0' ? "(other keys)" : k->key, what,
		    k->flags & ARGDATA_REQUIRED ? ", required" : "");
	}
	if (t->flags & ARGDATA_IGNORE_UNKNOWN)
		fprintf(fp, "  (other keys are ignored)\n");
	return ferror(fp) ? -1 : 0;
}
