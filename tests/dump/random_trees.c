/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * random_trees SEED COUNT BINARY YAML [small-ints]: writes COUNT random
 * trees (with integers within 64 bits if asked) twice, as
 * framed messages (an 8-byte big-endian length, then the data, descriptor
 * numbers as they are) to the file BINARY and as YAML documents
 * (argdata_print_yaml) to the file YAML, for yaml_round_trip.py to compare.
 * The trees hold every type, strings chosen to trip up YAML readers, keys
 * of every type, and now and then a chain deep enough for flow style.
 */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "argdata.h"

static uint64_t rng;
/* Whether to keep integers within 64 bits, as YAML loaders want. */
static bool small_ints;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t
below(size_t n)
{
	return (size_t)(next() % n);
}

/* Everything a tree is made of, freed once it has been written. */
static void **owned;
static size_t nowned, capowned;

static void *
own(void *p)
{
	if (p == NULL)
		err(1, "out of memory");
	if (nowned == capowned) {
		capowned = capowned * 2 + 64;
		owned = realloc(owned, capowned * sizeof(*owned));
		if (owned == NULL)
			err(1, "realloc");
	}
	owned[nowned++] = p;
	return p;
}

static const argdata_t *
value(argdata_t *ad)
{
	if (ad == NULL)
		err(1, "argdata_create");
	/* Values are freed with argdata_free, tagged by the low bit. */
	own((void *)((uintptr_t)ad | 1));
	return ad;
}

static void
free_owned(void)
{
	for (size_t i = nowned; i-- > 0;) {
		uintptr_t p = (uintptr_t)owned[i];

		if (p & 1)
			argdata_free((argdata_t *)(p & ~(uintptr_t)1));
		else
			free((void *)p);
	}
	nowned = 0;
}

static const char *const pieces[] = {"a", "key", "hello world", "null", "Null",
    "NULL", "~", "true", "False", "yes", "No", "on", "OFF", "y", "n", "123",
    "-1", "+1", "0x1F", "0o17", "0b1", "1_000", "12:30", "2001-12-14",
    "2001-12-14 21:59:43.10 -5", ".inf", "-.Inf", ".nan", "1e3", "1.5", ".5",
    "", " ", "- x", "-", "a: b", ":", "#", " #c", "?", "[", "]", "{", "}", ",",
    "*a", "&a", "!t", "!!str", "%", "@", "`", "|", ">", "'", "\"", "\\", "=",
    "<<", "---", "...", "\t", "\n", "\r", "\x01", "\x1b", "\x7f", "é", "日本",
    "😀", "\xc2\x85", "\xc2\xa0", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf",
    "\xef\xbf\xbe", "\xc2\x80", "/", "_"};

static const argdata_t *
random_str(void)
{
	size_t n = below(4), len = 0;
	char *s = own(malloc(64));

	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[below(sizeof(pieces) / sizeof(*pieces))];

		if (len + strlen(p) >= 64)
			break;
		strcat(s, p);
		len += strlen(p);
	}
	return value(argdata_create_str(s, len));
}

/* An integer in encoded form, up to 24 bytes: beyond any C type. */
static const argdata_t *
random_big_int(void)
{
	size_t len = 9 + below(16);
	unsigned char *b = own(malloc(len + 1));

	b[0] = 0x05;
	for (size_t i = 1; i <= len; i++)
		b[i] = (unsigned char)next();
	return value(argdata_from_buffer(b, len + 1, NULL, NULL));
}

static const argdata_t *
random_scalar(void)
{
	switch (below(12)) {
	case 0:
		return &argdata_null;
	case 1:
		return below(2) ? &argdata_true : &argdata_false;
	case 2: {
		size_t len = below(12);
		unsigned char *b = own(malloc(len + 1));

		for (size_t i = 0; i < len; i++)
			b[i] = (unsigned char)next();
		return value(argdata_create_binary(b, len));
	}
	case 3:
		return value(argdata_create_fd((int)below(1000)));
	case 4: {
		uint64_t bits = next();
		double d;

		if (below(2)) {
			d = (double)(int64_t)(next() % 2000001) / 1000 - 1000;
		} else {
			memcpy(&d, &bits, sizeof(d));
		}
		return value(argdata_create_float(d));
	}
	case 5:
		return value(
		    argdata_create_int_s((intmax_t)next() >> below(64)));
	case 6:
		return value(argdata_create_int_u(next()));
	case 7:
		if (!small_ints)
			return random_big_int();
		return value(argdata_create_int_s(-(intmax_t)below(1000)));
	case 8: {
		/* Years 1 to 9999, which every YAML reader can represent. */
		struct timespec ts = {
		    .tv_sec =
		        (time_t)(next() % 315537897600ULL) - 62135596800LL,
		    .tv_nsec = (long)(next() % 1000000000),
		};

		return value(argdata_create_timestamp(&ts));
	}
	default:
		return random_str();
	}
}

static const argdata_t *
random_tree(size_t depth)
{
	size_t n;

	if (depth == 0 || below(3) == 0)
		return random_scalar();
	n = below(5);
	if (below(2)) {
		const argdata_t **e = own(calloc(n + 1, sizeof(*e)));

		for (size_t i = 0; i < n; i++)
			e[i] = random_tree(depth - 1);
		return value(argdata_create_seq(e, n));
	} else {
		const argdata_t **k = own(calloc(n + 1, sizeof(*k)));
		const argdata_t **v = own(calloc(n + 1, sizeof(*v)));

		/* Mostly scalar keys, sometimes collections. */
		for (size_t i = 0; i < n; i++) {
			k[i] = below(4)
			    ? random_scalar()
			    : random_tree(depth > 2 ? 2 : depth - 1);
			v[i] = random_tree(depth - 1);
		}
		return value(argdata_create_map(k, v, n));
	}
}

/* A chain of one-element containers, deep enough for flow style. */
static const argdata_t *
random_chain(void)
{
	size_t depth = 20 + below(60);
	const argdata_t *prev = random_tree(2);

	for (size_t i = 0; i < depth; i++) {
		const argdata_t **kid = own(malloc(sizeof(*kid) * 2));

		kid[0] = prev;
		kid[1] = random_scalar();
		if (below(2))
			prev = value(argdata_create_seq(kid, 1 + below(2)));
		else
			prev = value(argdata_create_map(&kid[1], kid, 1));
	}
	return prev;
}

int
main(int argc, char **argv)
{
	size_t count;
	FILE *yaml;
	int bin;

	if (argc == 6 && strcmp(argv[5], "small-ints") == 0)
		small_ints = true;
	else if (argc != 5)
		errx(2,
		    "usage: random_trees seed count binary yaml "
		    "[small-ints]");
	rng = strtoull(argv[1], NULL, 0) * 2654435761ULL + 1;
	count = strtoul(argv[2], NULL, 0);
	bin = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	yaml = fopen(argv[4], "we");
	if (bin < 0 || yaml == NULL)
		err(2, "cannot create the output");
	for (size_t i = 0; i < count; i++) {
		const argdata_t *tree =
		    i % 10 == 9 ? random_chain() : random_tree(5);
		unsigned char *buf;
		size_t len;

		argdata_serialized_length(tree, &len, NULL);
		buf = own(malloc(len + 8));
		for (int j = 0; j < 8; j++)
			buf[j] = (unsigned char)((uint64_t)len >> (56 - 8 * j));
		argdata_serialize(tree, buf + 8, NULL);
		if (write(bin, buf, len + 8) != (ssize_t)(len + 8))
			err(2, "write");
		argdata_print_yaml(tree, yaml);
		free_owned();
	}
	if (fclose(yaml) != 0 || close(bin) != 0)
		err(2, "write");
	free(owned);
	return 0;
}
