/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema.h - the meaning of YAML scalars: the YAML 1.2 core schema for
 * plain scalars and the explicit !! tags (int, float, bool, null, binary,
 * timestamp, str). Internal to the loader and its handlers.
 */
#ifndef YAMLLOAD_SCHEMA_H
#define YAMLLOAD_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <argdata.h>

#define SCHEMA_YAML_PREFIX "tag:yaml.org,2002:"

/* What a scalar means. */
struct scalar {
	argdata_type_t type;
	bool boolean;
	bool negative;       /* int: the value is -magnitude */
	uintmax_t magnitude; /* int */
	double number;       /* float */
	struct timespec ts;  /* timestamp */
};

/*
 * Resolves the scalar s (len bytes, NUL-terminated) written with tag (full
 * form, or NULL when untagged) in plain style or not. Strings and binary
 * leave the text to the caller: type says which. Returns 0, or -1 with a
 * static English reason in *why (the tag is unknown, the text does not fit
 * the tag, an integer is out of range). Tags outside the tag:yaml.org,2002:
 * family are unknown here.
 */
int schema_resolve(const char *tag, const char *s, size_t len, bool plain,
    struct scalar *out, const char **why);

/*
 * Decodes base64 text (whitespace ignored, padding optional) into out,
 * which holds at least len / 4 * 3 + 3 bytes; the decoded size goes to
 * *outlen. Returns 0, or -1 when the text is not base64.
 */
int schema_base64(const char *s, size_t len, unsigned char *out,
    size_t *outlen);

/* Whether tag is the full form of YAML's !!name. */
bool schema_is_yaml_tag(const char *tag, const char *name);

/* The type as a message names it: "an integer", "a map", ... */
const char *schema_type_name(argdata_type_t type);

#endif
