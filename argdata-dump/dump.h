/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dump.h - the output formats of argdata-dump. Each returns 0 or an errno
 * value (ENOMEM; EIO when writing failed; EINVAL from dump_json on corrupt
 * data, which argdata-dump's validation before printing rules out) and
 * never recurses.
 */
#ifndef ARGDATA_DUMP_H
#define ARGDATA_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <argdata.h>

/*
 * nfds is the number of descriptors that arrived with the data: the
 * printers flag descriptor numbers that are not below it. DUMP_FDS_ANY
 * flags nothing, for data that could not carry descriptors (a file).
 */
#define DUMP_FDS_ANY SIZE_MAX

/* JSON; see argdata-dump(1) for the forms of the types JSON lacks. */
int dump_json(const argdata_t *ad, size_t nfds, FILE *fp);

/*
 * The annotated hex view of the encoded value buf[0 .. len). When reason
 * is not NULL the data has a defect at offset defect: lines stop there and
 * the bytes around it are shown with the reason.
 */
int dump_hex(const uint8_t *buf, size_t len, size_t nfds, size_t defect,
    const char *reason, FILE *fp);

/*
 * The hints of detect.c, each linear in the input and only ever added to
 * the report of a defect:
 *  - text that fails validation and reads as printable text: YAML, most
 *    likely, which -e encodes;
 *  - data that splits into framed messages whose first one is valid
 *    argdata: a stream, which -s reads.
 */
bool dump_looks_like_yaml(const uint8_t *buf, size_t len);
bool dump_looks_like_stream(const uint8_t *buf, size_t len);

/*
 * The descriptor numbers of the valid value buf[0 .. len) that are not
 * below nfds: returns how many fd values there are (0 when none), and
 * writes the distinct numbers, up to eight of them and then "...", to list
 * as "fd 5, fd 7". Returns SIZE_MAX when out of memory.
 */
size_t dump_unreceived_fds(const uint8_t *buf, size_t len, size_t nfds,
    char *list, size_t size);

/*
 * Reads YAML (cloudabi-run's loader) and writes the argdata it describes:
 * each document as one encoded value, or, when framed, as a message of the
 * stream format. Returns 0, or 1 after reporting bad YAML on stderr, or 2
 * after reporting a system error.
 */
int encode_yaml(FILE *in, const char *name, int out, int framed);

/*
 * --schema (schema.c): prints the table the program at path publishes.
 * Returns the exit status: 0, or 1 when it publishes none or a malformed
 * one (said in one line); exits with 2 when the file cannot be read.
 */
int dump_schema(const char *path);

#endif
