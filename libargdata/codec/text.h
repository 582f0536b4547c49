/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.h - what the YAML printer and argdata-dump's printers share
 * (text.c): a growable text buffer that flushes to a stream, and the text
 * forms of floats, integers, binary data and timestamps. Never installed.
 */
#ifndef ARGDATA_TEXT_H
#define ARGDATA_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"

/* A growable buffer; failed is set (and stays set) when out of memory. */
struct ad_sbuf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

void ad_sbuf_reserve(struct ad_sbuf *sb, size_t more);
void ad_sbuf_add(struct ad_sbuf *sb, const void *p, size_t n);
void ad_sbuf_puts(struct ad_sbuf *sb, const char *s);
void ad_sbuf_putc(struct ad_sbuf *sb, char c);

/*
 * Writes what sb holds to fp and empties it, once it holds AD_SBUF_FLUSH
 * bytes or more, or whenever it holds any when all is true: printers build
 * their output in sb and call this after each piece. Nothing is written
 * once sb has failed; write errors show in ferror(fp).
 */
#define AD_SBUF_FLUSH 65536
void ad_sbuf_flush(struct ad_sbuf *sb, FILE *fp, bool all);

/* The most bytes ad_format_float() writes, its NUL included. */
#define AD_FLOAT_MAX 40

/*
 * Writes a finite double in the shortest form that reads back as the same
 * value, always with a '.' in the mantissa ("0.1", "1.0", "-0.0",
 * "1.0e+300"): a float to YAML 1.1 and 1.2 readers and a JSON number.
 * Returns its length. Uses the C library's formatting, so the caller makes
 * sure the numeric locale is "C".
 */
size_t ad_format_float(char *out, double value);

/* Standard base64 with padding, on one line. */
void ad_format_base64(struct ad_sbuf *sb, const unsigned char *p, size_t len);

/*
 * ISO 8601 in UTC with nanoseconds, "2026-11-22T07:10:35.000000001Z";
 * years outside 0000-9999 in the expanded form "+12345-...".
 */
void ad_format_timestamp(struct ad_sbuf *sb, const struct timespec *ts);

/*
 * The integer whose payload (big-endian two's complement, len > 0 bytes)
 * is at p, exactly: in decimal, or, when its magnitude takes more than 512
 * bytes, as hexadecimal "0x..." or "-0x..." (decimal conversion of longer
 * numbers would take time growing with the square of their length).
 * Returns whether it printed hexadecimal.
 */
bool ad_format_int(struct ad_sbuf *sb, const uint8_t *p, size_t len);

/* argdata_print_yaml(), returning 0, ENOMEM or EIO (a write failed). */
int ad_print_yaml(const argdata_t *ad, FILE *fp);

#endif
