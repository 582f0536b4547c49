/*
 * dump.h - the output formats of argdata-dump. Each returns 0 or an errno
 * value (ENOMEM, or EIO when writing failed) and never recurses.
 */
#ifndef ARGDATA_DUMP_H
#define ARGDATA_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <argdata.h>

/* JSON; see argdata-dump(1) for the forms of the types JSON lacks. */
int dump_json(const argdata_t *ad, FILE *fp);

/*
 * The annotated hex view of the encoded value buf[0 .. len). When reason
 * is not NULL the data has a defect at offset defect: lines stop there and
 * the bytes around it are shown with the reason.
 */
int dump_hex(const uint8_t *buf, size_t len, size_t defect, const char *reason,
    FILE *fp);

/*
 * Reads YAML (cloudabi-run's loader) and writes the argdata it describes:
 * each document as one encoded value, or, when framed, as a message of the
 * stream format. Returns 0, or 1 after reporting bad YAML on stderr, or 2
 * after reporting a system error.
 */
int encode_yaml(FILE *in, const char *name, int out, int framed);

#endif
