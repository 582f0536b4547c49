/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema_note.h - the table a program publishes (PROGRAM_SCHEMA() in
 * <program.h>: an ELF note named "argdata"), read back from the program
 * file with every offset and size checked, and put into words for people.
 * cloudabi-run checks configurations against it, argdata-dump prints it,
 * and fuzz/fuzz_note.c feeds it made-up files.
 */
#ifndef RUN_SCHEMA_NOTE_H
#define RUN_SCHEMA_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <program.h>

/* One key of the table, as read: the key NUL-terminated. */
struct schema_key {
	char key[PROGRAM_NOTE_KEY_MAX + 1];
	unsigned char type;
	unsigned char elem_type;
	unsigned char size;
	unsigned flags;
	unsigned max;
};

/* The largest integer of size bytes (1, 2, 4 or 8), signed or unsigned. */
#define SCHEMA_SMAX(size) ((intmax_t)((UINTMAX_C(1) << ((size)*8 - 1)) - 1))
#define SCHEMA_UMAX(size)                                                      \
	((size) == 8 ? UINTMAX_MAX : (UINTMAX_C(1) << ((size)*8)) - 1)

/* A program's table: fixed size, nothing allocated. */
struct schema_table {
	unsigned flags; /* ARGDATA_IGNORE_UNKNOWN */
	size_t nkeys;
	struct schema_key keys[PROGRAM_NOTE_KEYS];
};

/*
 * Reads exactly len bytes at off of the file into buf: 0, or an errno
 * value (EBADMSG when the file is shorter).
 */
typedef int schema_read_fn(void *ctx, void *buf, size_t len, uint64_t off);

/*
 * Finds the table in an ELF file of size bytes, read through rd, by its
 * program headers (PT_NOTE segments). Returns 0 with *t filled, ENOENT
 * when the file is an ELF file without a table, ENOEXEC when it is no
 * 64-bit ELF file of this byte order, EBADMSG when the headers, the notes
 * or the table are malformed (out of the file, a table twice, an unknown
 * version or type, more than PROGRAM_NOTE_KEYS keys), or rd's error. The
 * work is bounded: at most 1024 program headers, notes of up to 64 KiB.
 */
int schema_note_read(schema_read_fn *rd, void *ctx, uint64_t size,
    struct schema_table *t);

/* schema_note_read() of the file open at fd. */
int schema_note_read_fd(int fd, struct schema_table *t);

/*
 * What key k expects, in words: "a listening stream socket", "an integer
 * from 0 to 65535", "a sequence of up to 8 descriptors". Written to buf
 * (size bytes, cut short when too long); returns buf.
 */
const char *schema_describe(const struct schema_key *k, char *buf, size_t size);

/*
 * Prints the table as a section of lines "  KEY  WHAT[, required]",
 * headed by title, to fp. Returns 0 or -1 (errno set) when writing fails.
 */
int schema_print(const struct schema_table *t, const char *title, FILE *fp);

#endif
