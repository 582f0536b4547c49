/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the YAML loader: the core schema, explicit tags, anchors
 * and aliases, tag handlers, error places and the bounds on hostile input.
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "loader.h"
#include "testutil.h"

/* Loads yaml with handlers; returns the loader (free it) and the tree. */
static loader_t *
load(const char *yaml, const loader_handler_t *h, size_t nh, void *ctx,
    const loader_limits_t *limits, const argdata_t **tree, int *error)
{
	loader_t *ld = loader_create("t.yaml", h, nh, ctx, limits);

	assert_non_null(ld);
	*error = loader_load_string(ld, yaml, strlen(yaml), tree);
	return ld;
}

static void
hex(const void *buf, size_t len, char *out)
{
	const unsigned char *p = buf;

	out[0] = '\0';
	for (size_t i = 0; i < len; i++)
		sprintf(out + strlen(out), "%s%02x", i == 0 ? "" : " ", p[i]);
}

/* Checks that yaml loads to the bytes written in hex as "07 81 05". */
static void
check_bytes(const char *yaml, const char *expected)
{
	const argdata_t *tree;
	loader_t *ld;
	void *buf;
	size_t len;
	char got[4096];
	int error;

	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	if (error != 0)
		fail_msg("%s: %s", yaml, loader_error(ld)->message);
	assert_int_equal(loader_serialize(tree, &buf, &len), 0);
	assert_true(len * 3 < sizeof(got));
	hex(buf, len, got);
	if (strcmp(got, expected) != 0)
		fail_msg("%s: got %s, expected %s", yaml, got, expected);
	free(buf);
	loader_free(ld);
}

/* Checks that yaml fails with "t.yaml:LINE:COL: message". */
static void
check_error(const char *yaml, const char *expected)
{
	const argdata_t *tree;
	const loader_error_t *e;
	loader_t *ld;
	char got[1024];
	int error;

	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	if (error == 0)
		fail_msg("%s: loaded, expected %s", yaml, expected);
	assert_int_equal(error, EINVAL);
	e = loader_error(ld);
	assert_non_null(e);
	snprintf(got, sizeof(got), "%s:%zu:%zu: %s", e->file, e->mark.line,
	    e->mark.column, e->message);
	if (strcmp(got, expected) != 0)
		fail_msg("%s: got \"%s\", expected \"%s\"", yaml, got,
		    expected);
	loader_free(ld);
}

static void
test_loader_load__wire_examples(void **state)
{
	(void)state;
	check_bytes("[0, true, \"A\"]", "07 81 05 82 02 01 83 08 41 00");
	check_bytes("\"123\"", "08 31 32 33 00");
	check_bytes("a: 1", "06 83 08 61 00 82 05 01");
}

static void
test_loader_load__core_null(void **state)
{
	(void)state;
	check_bytes("[~, null, Null, NULL, ]", "07 80 80 80 80");
	check_bytes("a:", "06 83 08 61 00 80");
	check_bytes("[nULL, \"null\", '~']",
	    "07 86 08 6e 55 4c 4c 00 86 08 6e 75 6c 6c 00 83 08 7e 00");
}

static void
test_loader_load__core_bool(void **state)
{
	(void)state;
	check_bytes("[true, True, TRUE, false, False, FALSE]",
	    "07 82 02 01 82 02 01 82 02 01 81 02 81 02 81 02");
	/* YAML 1.1's yes/no/on/off are strings in 1.2. */
	check_bytes("[yes, tRUE]", "07 85 08 79 65 73 00 86 08 74 52 55 45 00");
}

static void
test_loader_load__core_int(void **state)
{
	(void)state;
	check_bytes("[0, 1, -1, 255, -128, +7, 007]",
	    "07 81 05 82 05 01 82 05 ff 83 05 00 ff 82 05 80 82 05 07 "
	    "82 05 07");
	check_bytes("[0o17, 0x1F, 0xff]", "07 82 05 0f 82 05 1f 83 05 00 ff");
	check_bytes("18446744073709551615", "05 00 ff ff ff ff ff ff ff ff");
	check_bytes("-9223372036854775808", "05 80 00 00 00 00 00 00 00");
	/* Not integers in the core schema: strings. */
	check_bytes("[0o8, 0x, -0x1, 1_000]",
	    "07 85 08 30 6f 38 00 84 08 30 78 00 86 08 2d 30 78 31 00 "
	    "87 08 31 5f 30 30 30 00");
	check_error("18446744073709551616",
	    "t.yaml:1:1: integer out of range: 18446744073709551616");
	check_error("-9223372036854775809",
	    "t.yaml:1:1: integer out of range: -9223372036854775809");
}

static void
test_loader_load__core_float(void **state)
{
	(void)state;
	check_bytes("1.5", "04 3f f8 00 00 00 00 00 00");
	check_bytes("[.5, 1., 1e3, -2.5E-1]",
	    "07 89 04 3f e0 00 00 00 00 00 00 89 04 3f f0 00 00 00 00 00 00 "
	    "89 04 40 8f 40 00 00 00 00 00 89 04 bf d0 00 00 00 00 00 00");
	check_bytes("[.inf, -.Inf, +.INF]",
	    "07 89 04 7f f0 00 00 00 00 00 00 89 04 ff f0 00 00 00 00 00 00 "
	    "89 04 7f f0 00 00 00 00 00 00");
	check_bytes(".nan", "04 7f f8 00 00 00 00 00 00");
	check_bytes("-0.0", "04 80 00 00 00 00 00 00 00");
	/* Strings. */
	check_bytes("[., 1e, inf, .NAn]",
	    "07 83 08 2e 00 84 08 31 65 00 85 08 69 6e 66 00 "
	    "86 08 2e 4e 41 6e 00");
}

static void
test_loader_load__quoted_and_block_are_strings(void **state)
{
	(void)state;
	check_bytes("['1', \"true\", \"\"]",
	    "07 83 08 31 00 86 08 74 72 75 65 00 82 08 00");
	check_bytes("|\n  12\n", "08 31 32 0a 00");
	check_bytes("! 12", "08 31 32 00");
	check_bytes("\"caf\\u00e9\"", "08 63 61 66 c3 a9 00");
}

static void
test_loader_load__explicit_tags(void **state)
{
	(void)state;
	check_bytes("[!!str 12, !!int \"12\", !!float 1, !!bool \"true\", "
	            "!!null \"\"]",
	    "07 84 08 31 32 00 82 05 0c 89 04 3f f0 00 00 00 00 00 00 "
	    "82 02 01 80");
	check_bytes("!!binary aGVsbG8=", "01 68 65 6c 6c 6f");
	check_bytes("!!binary |\n  aGVs\n  bG8\n", "01 68 65 6c 6c 6f");
	check_bytes("!!binary \"\"", "01");
	check_bytes("!!seq [1]", "07 82 05 01");
	check_bytes("!!map {}", "06");
	check_bytes("!<tag:yaml.org,2002:int> 3", "05 03");
	check_error("!!int 1.5",
	    "t.yaml:1:1: !!int takes an integer (decimal, 0o or 0x): 1.5");
	check_error("!!bool yes",
	    "t.yaml:1:1: !!bool takes true or false: yes");
	check_error("!!null 0",
	    "t.yaml:1:1: !!null takes null, ~ or nothing: 0");
	check_error("!!float x",
	    "t.yaml:1:1: !!float takes a number, .inf, -.inf or .nan: x");
	check_error("!!binary a@==", "t.yaml:1:1: !!binary takes base64 text");
	check_error("!!binary a", "t.yaml:1:1: !!binary takes base64 text");
	check_error("!!seq 1", "t.yaml:1:1: !!seq on a scalar: 1");
	check_error("!!map [1]", "t.yaml:1:1: !!map on a sequence");
	check_error("!!str {}", "t.yaml:1:1: !!str on a map");
	check_error("!!set {a: ~}", "t.yaml:1:1: !!set on a map");
	check_error("!!omap 1", "t.yaml:1:1: unknown tag !!omap");
}

static void
test_loader_load__timestamps(void **state)
{
	(void)state;
	/* 1 s = 3b9aca00 ns. */
	check_bytes("!!timestamp 1970-01-01T00:00:01Z", "09 3b 9a ca 00");
	check_bytes("!!timestamp 1970-01-01 00:00:01", "09 3b 9a ca 00");
	check_bytes("!!timestamp 1970-01-01T01:00:01+01:00", "09 3b 9a ca 00");
	check_bytes("!!timestamp 1970-1-1t0:00:01.000000001 Z",
	    "09 3b 9a ca 01");
	check_bytes("!!timestamp 1969-12-31T23:00:00-01", "09");
	/* One day: 86400e9 ns = 0x4e94914f0000. */
	check_bytes("!!timestamp 1970-01-02", "09 4e 94 91 4f 00 00");
	/* Before 1970: negative. -1 ns. */
	check_bytes("!!timestamp 1969-12-31T23:59:59.999999999Z", "09 ff");
	/* 2000-03-01 after a leap day: 951868800 s. */
	check_bytes("!!timestamp 2000-03-01", "09 0d 35 b7 a1 60 c7 00 00");
	check_error("!!timestamp 2001-02-29",
	    "t.yaml:1:1: !!timestamp takes a date (2001-12-14) or a time "
	    "(2001-12-14T21:59:43.10Z): 2001-02-29");
	check_error("!!timestamp 2001-12-14T25:00:00Z",
	    "t.yaml:1:1: !!timestamp takes a date (2001-12-14) or a time "
	    "(2001-12-14T21:59:43.10Z): 2001-12-14T25:00:00Z");
	/* Plain timestamps are strings in the core schema. */
	check_bytes("2001-12-14", "08 32 30 30 31 2d 31 32 2d 31 34 00");
}

static void
test_loader_load__maps_and_duplicate_keys(void **state)
{
	(void)state;
	check_bytes("{a: 1, a: 2}",
	    "06 83 08 61 00 82 05 01 83 08 61 00 82 05 02");
	check_bytes("? [1]\n: x\n", "06 84 07 82 05 01 83 08 78 00");
	check_bytes("{}", "06");
	check_bytes("[]", "07");
}

static void
test_loader_load__nul_in_string(void **state)
{
	(void)state;
	/* Argdata strings may hold NUL bytes, as in CloudABI. */
	check_bytes("x: \"a\\0b\"", "06 83 08 78 00 85 08 61 00 62 00");
	check_bytes("[&x \"a\\0b\", *x]",
	    "07 85 08 61 00 62 00 85 08 61 00 62 00");
}

static void
test_loader_load__aliases_share_values(void **state)
{
	const argdata_t *tree, *a, *b;
	argdata_seq_iterator_t it;
	loader_t *ld;
	int error;

	(void)state;
	ld = load("[&x {k: [1, 2]}, *x, &s str, *s]", NULL, 0, NULL, NULL,
	    &tree, &error);
	assert_int_equal(error, 0);
	argdata_seq_iterate(tree, &it);
	assert_true(argdata_seq_get(&it, &a));
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &b));
	/* No copy: the alias is the anchor's value itself. */
	assert_ptr_equal(a, b);
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &a));
	argdata_seq_next(&it);
	assert_true(argdata_seq_get(&it, &b));
	assert_ptr_equal(a, b);
	loader_free(ld);
	check_bytes("[&x 1, *x]", "07 82 05 01 82 05 01");
	/* Anchors may be redefined; an alias takes the latest. */
	check_bytes("[&x 1, &x 2, *x]", "07 82 05 01 82 05 02 82 05 02");
}

static void
test_loader_load__alias_errors(void **state)
{
	(void)state;
	check_error("[*nope]", "t.yaml:1:2: unknown anchor *nope");
	check_error("&a [1, *a]",
	    "t.yaml:1:8: alias *a refers to a node that contains it");
}

static void
test_loader_load__documents(void **state)
{
	(void)state;
	check_bytes("--- 1\n...\n", "05 01");
	check_bytes("%YAML 1.2\n--- 1\n", "05 01");
	check_error("",
	    "t.yaml:1:1: no YAML document: the configuration is "
	    "empty (write ~ for null)");
	check_error("# only a comment\n",
	    "t.yaml:2:1: no YAML document: the configuration is empty (write ~ "
	    "for null)");
	check_error("--- 1\n--- 2\n",
	    "t.yaml:2:1: a second YAML document: the configuration holds "
	    "exactly one");
}

static void
test_loader_load__syntax_errors(void **state)
{
	(void)state;
	check_error("a: [1, 2\n",
	    "t.yaml:2:1: did not find expected ',' or ']' (while parsing a "
	    "flow sequence at line 1, column 4)");
	check_error("a: b: c\n",
	    "t.yaml:1:5: mapping values are not allowed in this context");
	check_error("\t- 1\n",
	    "t.yaml:1:1: found character that cannot start any token (while "
	    "scanning for the next token at line 1, column 1)");
}

/* Handlers for the tests: !t records what it sees, !bad fails. */
struct seen {
	int calls;
	loader_mark_t mark;
	loader_kind_t kind;
	size_t count;
	char tag[64];
};

static const argdata_t *
tag_t(loader_t *ld, const loader_node_t *node, void *ctx)
{
	struct seen *s = ctx;

	s->calls++;
	s->mark = node->mark;
	s->kind = node->kind;
	s->count = node->count;
	snprintf(s->tag, sizeof(s->tag), "%s", node->tag);
	return loader_adopt(ld, argdata_create_fd(7), node->mark);
}

static const argdata_t *
tag_bad(loader_t *ld, const loader_node_t *node, void *ctx)
{
	(void)ctx;
	if (node->kind == LOADER_MAPPING)
		return loader_fail(ld, node->items[0]->mark, "bad key %s",
		    node->items[0]->value);
	errno = ENOENT;
	return NULL;
}

static const argdata_t *
tag_typed(loader_t *ld, const loader_node_t *node, void *ctx)
{
	const char *s;
	bool b;
	uintmax_t u;

	(void)ctx;
	if (node->kind != LOADER_MAPPING || node->count != 6)
		return loader_fail(ld, node->mark, "want a map of three");
	if (loader_node_str(ld, node->items[1], "s", &s) != 0 ||
	    loader_node_bool(ld, node->items[3], "b", &b) != 0 ||
	    loader_node_uint(ld, node->items[5], "u", 100, &u) != 0)
		return NULL;
	return loader_adopt(ld, argdata_create_int_u(u + b + strlen(s)),
	    node->mark);
}

static const loader_handler_t handlers[] = {
    {"t", tag_t},
    {"bad", tag_bad},
    {"typed", tag_typed},
};

static void
test_loader_load__handlers(void **state)
{
	struct seen s = {0};
	const argdata_t *tree;
	loader_t *ld;
	void *buf;
	size_t len;
	char got[256];
	int error;

	(void)state;
	ld = load("x:\n  - !t {a: 1, b: [2]}\n", handlers, 3, &s, NULL, &tree,
	    &error);
	assert_int_equal(error, 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.kind, LOADER_MAPPING);
	assert_int_equal(s.count, 4);
	assert_int_equal(s.mark.line, 2);
	assert_int_equal(s.mark.column, 5);
	assert_string_equal(s.tag, "!t");
	assert_int_equal(loader_serialize(tree, &buf, &len), 0);
	hex(buf, len, got);
	assert_string_equal(got, "06 83 08 78 00 87 07 85 03 00 00 00 07");
	free(buf);
	loader_free(ld);
}

static void
test_loader_load__handler_full_tags(void **state)
{
	struct seen s = {0};
	const argdata_t *tree;
	loader_t *ld;
	int error;

	(void)state;
	ld = load("%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n[!t 1, "
	          "!<tag:nuxi.nl,2015:cloudabi/t> 2]\n",
	    handlers, 3, &s, NULL, &tree, &error);
	assert_int_equal(error, 0);
	assert_int_equal(s.calls, 2);
	assert_string_equal(s.tag, "tag:nuxi.nl,2015:cloudabi/t");
	loader_free(ld);
}

static void
test_loader_load__alias_of_handler_node_calls_once(void **state)
{
	struct seen s = {0};
	const argdata_t *tree;
	loader_t *ld;
	int error;

	(void)state;
	ld = load("[&r !t x, *r, *r]", handlers, 3, &s, NULL, &tree, &error);
	assert_int_equal(error, 0);
	assert_int_equal(s.calls, 1);
	loader_free(ld);
}

static void
test_loader_load__handler_errors(void **state)
{
	const argdata_t *tree;
	const loader_error_t *e;
	struct seen s = {0};
	loader_t *ld;
	int error;

	(void)state;
	ld = load("a:\n  !bad {k: v}\n", handlers, 3, &s, NULL, &tree, &error);
	assert_int_equal(error, EINVAL);
	e = loader_error(ld);
	assert_int_equal(e->mark.line, 2);
	assert_int_equal(e->mark.column, 9);
	assert_string_equal(e->message, "bad key k");
	loader_free(ld);

	ld = load("!bad x", handlers, 3, &s, NULL, &tree, &error);
	assert_int_equal(error, EINVAL);
	assert_string_equal(loader_error(ld)->message,
	    "!bad: No such file or directory");
	loader_free(ld);

	ld = load("[!nope x]", handlers, 3, &s, NULL, &tree, &error);
	assert_int_equal(error, EINVAL);
	assert_string_equal(loader_error(ld)->message,
	    "unknown tag !nope (known: !t, !bad, !typed)");
	loader_free(ld);

	/* The nearest known tag is suggested: a swap, a letter missing. */
	ld = load("[!tpyed x]", handlers, 3, &s, NULL, &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "unknown tag !tpyed (did you mean !typed? known: !t, !bad, "
	    "!typed)");
	loader_free(ld);
	ld = load("!bd {}", handlers, 3, &s, NULL, &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "unknown tag !bd (did you mean !bad? known: !t, !bad, !typed)");
	loader_free(ld);
	/* Not when every letter would change, nor past the compared
	 * length, however long the tag. */
	ld = load("!x 1", handlers, 3, &s, NULL, &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "unknown tag !x (known: !t, !bad, !typed)");
	loader_free(ld);
	{
		char doc[5000] = "!typed";

		memset(doc + 6, 'q', 4000);
		doc[4006] = '\0';
		strcat(doc, " 1");
		ld = load(doc, handlers, 3, &s, NULL, &tree, &error);
		assert_int_equal(error, EINVAL);
		assert_non_null(strstr(loader_error(ld)->message,
		    "(known: !t, !bad, !typed)"));
		assert_null(strstr(loader_error(ld)->message, "did you"));
		loader_free(ld);
	}

	ld = load("%TAG !x! tag:example.com,2000:\n--- !x!y 1\n", handlers, 3,
	    &s, NULL, &tree, &error);
	assert_int_equal(error, EINVAL);
	assert_string_equal(loader_error(ld)->message,
	    "unknown tag !<tag:example.com,2000:y> (known: !t, !bad, !typed)");
	loader_free(ld);
}

static void
test_loader_node__typed_views(void **state)
{
	const argdata_t *tree;
	uintmax_t u;
	loader_t *ld;
	int error;

	(void)state;
	ld = load("!typed {s: abc, b: true, u: 0x10}", handlers, 3, NULL, NULL,
	    &tree, &error);
	assert_int_equal(error, 0);
	assert_int_equal(argdata_get_int(tree, &u), 0);
	assert_int_equal(u, 16 + 1 + 3);
	loader_free(ld);

	ld = load("!typed {s: 12, b: true, u: 1}", handlers, 3, NULL, NULL,
	    &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "s: expected a string, not an integer");
	loader_free(ld);
	ld = load("!typed {s: x, b: yes, u: 1}", handlers, 3, NULL, NULL, &tree,
	    &error);
	assert_string_equal(loader_error(ld)->message,
	    "b: expected a boolean, not the string yes (YAML 1.2 booleans are "
	    "true and false)");
	loader_free(ld);
	ld = load("!typed {s: x, b: OFF, u: 1}", handlers, 3, NULL, NULL, &tree,
	    &error);
	assert_string_equal(loader_error(ld)->message,
	    "b: expected a boolean, not the string OFF (YAML 1.2 booleans are "
	    "true and false)");
	loader_free(ld);
	/* Quoted, it was meant as a string; other words get no hint. */
	ld = load("!typed {s: x, b: \"yes\", u: 1}", handlers, 3, NULL, NULL,
	    &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "b: expected a boolean, not a string");
	loader_free(ld);
	ld = load("!typed {s: x, b: yess, u: 1}", handlers, 3, NULL, NULL,
	    &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "b: expected a boolean, not a string");
	loader_free(ld);
	ld = load("!typed {s: x, b: true, u: 101}", handlers, 3, NULL, NULL,
	    &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "u: 101 is out of range (0 to 100)");
	loader_free(ld);
	ld = load("!typed {s: x, b: true, u: [1]}", handlers, 3, NULL, NULL,
	    &tree, &error);
	assert_string_equal(loader_error(ld)->message,
	    "u: expected a scalar, not a sequence");
	loader_free(ld);
	ld = load("!typed {s: !t x, b: true, u: 1}", handlers, 3, NULL, NULL,
	    &tree, &error);
	assert_string_equal(loader_error(ld)->message, "s: unexpected tag !t");
	loader_free(ld);
	/* An anchor outside a tag's value serves inside it. */
	ld = load("[&n 5, !typed {s: \"\", b: false, u: *n}]", handlers, 3,
	    NULL, NULL, &tree, &error);
	assert_int_equal(error, 0);
	loader_free(ld);
}

/*
 * Processor time: bounds on time are about the work done, not about
 * other jobs sharing the machine.
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_loader_load__billion_laughs_refused_fast(void **state)
{
	char yaml[4096] = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, "
	                  "lol, lol]\n";
	const argdata_t *tree;
	loader_t *ld;
	double start;
	int error;

	(void)state;
	for (int i = 1; i < 10; i++) {
		sprintf(yaml + strlen(yaml), "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			sprintf(yaml + strlen(yaml), "%s*a%d", j ? ", " : "",
			    i - 1);
		strcat(yaml, "]\n");
	}
	start = now();
	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	assert_true(now() - start < 1.0);
	assert_int_equal(error, EINVAL);
	assert_non_null(strstr(loader_error(ld)->message,
	    "expands to more than 10000000 values"));
	assert_int_equal(loader_error(ld)->mark.line, 7);
	loader_free(ld);
}

static void
test_loader_load__expansion_bounds(void **state)
{
	loader_limits_t limits = {.max_nodes = 10};
	const argdata_t *tree;
	loader_t *ld;
	int error;

	(void)state;
	ld = load("[&a [1, 2, 3], *a]", NULL, 0, NULL, &limits, &tree, &error);
	assert_int_equal(error, 0);
	loader_free(ld);
	ld = load("[&a [1, 2, 3], *a, *a]", NULL, 0, NULL, &limits, &tree,
	    &error);
	assert_int_equal(error, EINVAL);
	assert_int_equal(loader_error(ld)->mark.column, 20);
	loader_free(ld);

	limits = (loader_limits_t){.max_bytes = 100};
	ld = load("[&a \"0123456789012345678901234567890123456789\", *a, *a]",
	    NULL, 0, NULL, &limits, &tree, &error);
	assert_int_equal(error, EINVAL);
	assert_string_equal(loader_error(ld)->message,
	    "the document expands to more than 100 bytes");
	loader_free(ld);
}

static char *
nested(size_t depth, const char *open, const char *inner, const char *close)
{
	size_t lo = strlen(open), li = strlen(inner), lc = strlen(close);
	char *s = malloc(depth * (lo + lc) + li + 2), *p = s;

	assert_non_null(s);
	for (size_t i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	for (size_t i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	strcpy(p, "\n");
	return s;
}

static void
test_loader_load__deep_nesting(void **state)
{
	const argdata_t *tree;
	loader_t *ld;
	double start;
	void *buf;
	size_t len;
	char *yaml;
	int error;

	(void)state;
	/* Deep input is refused quickly, not recursed into. */
	yaml = nested(1000000, "[", "", "]");
	start = now();
	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	assert_true(now() - start < 1.0);
	assert_int_equal(error, EINVAL);
	assert_string_equal(loader_error(ld)->message,
	    "[ and { nested deeper than 64 levels (nest deeper in block "
	    "style)");
	assert_int_equal(loader_error(ld)->mark.column, 65);
	loader_free(ld);
	free(yaml);
	yaml = nested(1000000, "- ", "", "");
	start = now();
	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	assert_true(now() - start < 1.0);
	assert_int_equal(error, EINVAL);
	assert_string_equal(loader_error(ld)->message,
	    "nesting deeper than 1000 levels");
	assert_int_equal(loader_error(ld)->mark.column, 2001);
	loader_free(ld);
	free(yaml);

	/* Up to the bounds, it loads, without recursion, in maps too. */
	yaml = nested(64, "{a: ", "1", "}");
	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	assert_int_equal(error, 0);
	assert_int_equal(loader_serialize(tree, &buf, &len), 0);
	free(buf);
	loader_free(ld);
	free(yaml);
	yaml = nested(1000, "- ", "x", "");
	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	assert_int_equal(error, 0);
	loader_free(ld);
	free(yaml);

	/*
	 * Flow collections at the flow bound cost time in proportion to
	 * their size: 100,000 items at depth 64 take a small multiple of the
	 * time they take at depth 1 (libyaml's time per token grows with the
	 * flow depth), not 64 times as much. Relative, so that it holds
	 * under valgrind too.
	 */
	{
		double t[2];

		for (int k = 0; k < 2; k++) {
			size_t depth = k == 0 ? 1 : 64, items = 100000;
			char *p = yaml = malloc(2 * depth + 2 * items + 2);

			assert_non_null(yaml);
			memset(p, '[', depth);
			p += depth;
			for (size_t i = 0; i < items; i++, p += 2)
				memcpy(p, "1,", 2);
			memset(p - 1, ']', depth);
			p[depth - 1] = '\0';
			start = now();
			ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
			t[k] = now() - start;
			assert_int_equal(error, 0);
			loader_free(ld);
			free(yaml);
		}
		if (t[1] > 16 * t[0] + 0.01)
			fail_msg("depth 64: %.3f s, depth 1: %.3f s", t[1],
			    t[0]);
	}

	/* A larger bound is honoured. */
	yaml = nested(20000, "- ", "x", "");
	{
		loader_limits_t limits = {.max_depth = 30000};

		ld = load(yaml, NULL, 0, NULL, &limits, &tree, &error);
		assert_int_equal(error, 0);
		loader_free(ld);
	}
	free(yaml);
}

/* The serialized bytes of yaml, as a string of hex; free() it. */
static char *
bytes_of(const char *yaml)
{
	const argdata_t *tree;
	loader_t *ld;
	void *buf;
	size_t len;
	char *out;
	int error;

	ld = load(yaml, NULL, 0, NULL, NULL, &tree, &error);
	if (error != 0)
		fail_msg("%s: %s", yaml, loader_error(ld)->message);
	assert_int_equal(loader_serialize(tree, &buf, &len), 0);
	out = malloc(len * 3 + 1);
	assert_non_null(out);
	hex(buf, len, out);
	free(buf);
	loader_free(ld);
	return out;
}

/*
 * Plain data is encoded straight into the output, anchored data through
 * the codec's constructors: both give the same bytes, scalar by scalar and
 * for whole trees compacted into values of their own.
 */
static void
test_loader_load__encoder_matches_codec(void **state)
{
	static const char *const scalars[] = {"~", "true", "false", "0", "1",
	    "-1", "127", "128", "255", "256", "-128", "-129", "65535",
	    "9223372036854775807", "-9223372036854775808",
	    "18446744073709551615", "0x7f", "1.5", "-0.0", ".inf", ".nan",
	    "1e300", "x", "\"\"", "'caf\u00e9'",
	    "\"a longer string that needs a two-byte length prefix, since "
	    "it has more than one hundred and twenty-seven bytes in it, "
	    "which this one does by now\"",
	    "!!binary aGVsbG8=", "!!binary \"\"", "!!timestamp 2001-12-14",
	    "!!timestamp 1969-07-20T20:17:40.5Z", "!!str 1", "!!float 3"};
	static const char *const trees[] = {"[]", "{}", "[[], {}]",
	    "{a: [1, {b: c}], d: [[[x]]]}",
	    "[1, [2, [3, [4, [5, [6]]]]], {k: {k: {k: v}}}]",
	    "{? [a, b] : {c: d}, e: [\"f\", !!binary AAEC]}"};
	char yaml[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		char *plain, *anchored;

		snprintf(yaml, sizeof(yaml), "[%s, x]", scalars[i]);
		plain = bytes_of(yaml);
		snprintf(yaml, sizeof(yaml), "[&a %s, x]", scalars[i]);
		anchored = bytes_of(yaml);
		if (strcmp(plain, anchored) != 0)
			fail_msg("%s: %s != %s", scalars[i], plain, anchored);
		free(plain);
		free(anchored);
	}
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		char *a, *b;

		/* Compacted as the root, and as a value inside a value. */
		snprintf(yaml, sizeof(yaml), "[0, %s, 0]", trees[i]);
		a = bytes_of(yaml);
		snprintf(yaml, sizeof(yaml), "[&z 0, &t %s, *z]", trees[i]);
		b = bytes_of(yaml);
		if (strcmp(a, b) != 0)
			fail_msg("%s: %s != %s", trees[i], a, b);
		free(b);
		snprintf(yaml, sizeof(yaml), "[&z 0, %s, *z]", trees[i]);
		b = bytes_of(yaml);
		if (strcmp(a, b) != 0)
			fail_msg("%s: %s != %s", trees[i], a, b);
		free(a);
		free(b);
	}
}

static void
test_loader_bytes__plain_documents_only(void **state)
{
	const argdata_t *tree;
	const void *bytes;
	loader_t *ld;
	void *buf;
	size_t len, blen;
	int error;

	(void)state;
	ld = load("{a: [1, 2.5, x], b: !!binary AAE=}", NULL, 0, NULL, NULL,
	    &tree, &error);
	assert_int_equal(error, 0);
	assert_true(loader_bytes(ld, &bytes, &blen));
	assert_int_equal(loader_serialize(tree, &buf, &len), 0);
	assert_int_equal(len, blen);
	assert_memory_equal(buf, bytes, len);
	free(buf);
	loader_free(ld);

	ld = load("[&a 1, *a]", NULL, 0, NULL, NULL, &tree, &error);
	assert_int_equal(error, 0);
	assert_false(loader_bytes(ld, &bytes, &blen));
	loader_free(ld);
	ld = load("[1, 2", NULL, 0, NULL, NULL, &tree, &error);
	assert_false(loader_bytes(ld, &bytes, &blen));
	loader_free(ld);
}

/* Random trees for the round trip: values and what to free. */
struct forest {
	argdata_t **made;
	size_t nmade, cap;
	uint64_t rng;
	void **blocks;
	size_t nblocks;
};

static uint64_t
rnd(struct forest *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static argdata_t *
keep(struct forest *f, argdata_t *ad)
{
	assert_non_null(ad);
	if (f->nmade == f->cap) {
		f->cap = f->cap == 0 ? 64 : f->cap * 2;
		f->made = realloc(f->made, f->cap * sizeof(*f->made));
		assert_non_null(f->made);
	}
	return f->made[f->nmade++] = ad;
}

static void *
block(struct forest *f, size_t size)
{
	f->blocks = realloc(f->blocks, (f->nblocks + 1) * sizeof(*f->blocks));
	assert_non_null(f->blocks);
	f->blocks[f->nblocks] = malloc(size == 0 ? 1 : size);
	assert_non_null(f->blocks[f->nblocks]);
	return f->blocks[f->nblocks++];
}

/* Strings that a YAML printer must take care with. */
static const char *const tricky[] = {"", " ", "~", "null", "Null", "true",
    "FALSE", "yes", "0", "-1", "0x1F", "0o7", "1e3", ".inf", ".nan", "-", "- x",
    ": ", "a: b", "#", "a #b", "&a", "*a", "!x", "!!str", "%TAG", "---", "...",
    "[", "]", "{}", ",", "?", "|", ">", "'", "\"", "\\", "@", "`", "\t", "\n",
    "a\nb", "a\n", " a", "a ", "caf\u00e9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
    "\x01\x7f", "\xc2\x85", "\xe2\x80\xa8", "\xef\xbb\xbf", "2001-12-14", "<<",
    "=",
    ("a long string that goes on and on and on and on and on and on and "
     "on and on, longer than any line a printer would want to write")};

static argdata_t *
random_tree(struct forest *f, int depth)
{
	uint64_t r = rnd(f);
	size_t n;

	switch (r % (depth > 4 ? 8 : 10)) {
	case 0:
		return (argdata_t *)(r & 8 ? &argdata_null
		        : r & 16           ? &argdata_true
		                           : &argdata_false);
	case 1: {
		static const intmax_t edges[] = {0, 1, -1, 127, 128, -128, -129,
		    255, 256, INTMAX_MAX, INTMAX_MIN};

		if (r & 16)
			return keep(f,
			    argdata_create_int_s(edges[(r >> 8) % 11]));
		if (r & 32)
			return keep(f, argdata_create_int_u(rnd(f)));
		return keep(f,
		    argdata_create_int_s((intmax_t)rnd(f) >> (r >> 8) % 64));
	}
	case 2: {
		static const double edges[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e300,
		    5e-324, 1.7976931348623157e308, INFINITY, -INFINITY, NAN,
		    123456789.125};
		uint64_t bits = rnd(f);
		double d;

		memcpy(&d, &bits, sizeof(d));
		/* NaN payloads are not YAML's: one NaN only. */
		if (isnan(d) || r & 16)
			d = edges[(r >> 8) % 12];
		return keep(f, argdata_create_float(d));
	}
	case 3:
		if (r & 16) {
			const char *s = tricky[(r >> 8) %
			    (sizeof(tricky) / sizeof(tricky[0]))];

			return keep(f, argdata_create_str_c(s));
		} else {
			/* Random printable ASCII and a NUL now and then. */
			char *s;

			n = (r >> 8) % 24;
			s = block(f, n);
			for (size_t i = 0; i < n; i++) {
				uint64_t c = rnd(f) % 100;

				s[i] = c == 0 ? '\0' : (char)(' ' + c % 95);
			}
			return keep(f, argdata_create_str(s, n));
		}
	case 4: {
		unsigned char *b;

		n = (r >> 8) % 40;
		b = block(f, n);
		for (size_t i = 0; i < n; i++)
			b[i] = (unsigned char)rnd(f);
		return keep(f, argdata_create_binary(b, n));
	}
	case 5: {
		struct timespec ts = {
		    .tv_sec = (time_t)(rnd(f) % 20000000000ULL) - 10000000000LL,
		    .tv_nsec = (long)(rnd(f) % 1000000000)};

		if (r & 16)
			ts.tv_sec = (time_t)(r >> 8) % 100000;
		return keep(f, argdata_create_timestamp(&ts));
	}
	case 6:
	case 7:
		return keep(f, argdata_create_str_c(tricky[0]));
	case 8: {
		const argdata_t **e;

		n = (r >> 8) % 6;
		e = block(f, n * sizeof(*e));
		for (size_t i = 0; i < n; i++)
			e[i] = random_tree(f, depth + 1);
		return keep(f, argdata_create_seq(e, n));
	}
	default: {
		const argdata_t **k, **v;

		n = (r >> 8) % 6;
		k = block(f, n * sizeof(*k));
		v = block(f, n * sizeof(*v));
		for (size_t i = 0; i < n; i++) {
			/* Keys of every kind, containers included. */
			k[i] = random_tree(f, depth + 2);
			v[i] = random_tree(f, depth + 1);
		}
		return keep(f, argdata_create_map(k, v, n));
	}
	}
}

/*
 * The round trip: any tree without descriptors, printed by
 * argdata_print_yaml(), loads back to the same bytes.
 */
static void
test_loader_load__print_yaml_round_trip(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3000; seed++) {
		struct forest f = {.rng = seed * 0x9e3779b97f4a7c15ULL};
		argdata_t *tree = random_tree(&f, 0);
		const argdata_t *back;
		char *yaml = NULL;
		size_t ylen = 0, len, blen;
		void *a, *b;
		FILE *mem = open_memstream(&yaml, &ylen);
		loader_t *ld;

		assert_non_null(mem);
		argdata_print_yaml(tree, mem);
		fclose(mem);
		assert_int_equal(loader_serialize(tree, &a, &len), 0);
		ld = loader_create("t.yaml", NULL, 0, NULL, NULL);
		assert_non_null(ld);
		if (loader_load_string(ld, yaml, ylen, &back) != 0)
			fail_msg("seed %ju: %zu:%zu: %s\n%s", (uintmax_t)seed,
			    loader_error(ld)->mark.line,
			    loader_error(ld)->mark.column,
			    loader_error(ld)->message, yaml);
		assert_int_equal(loader_serialize(back, &b, &blen), 0);
		if (len != blen || memcmp(a, b, len) != 0)
			fail_msg("seed %ju: different bytes after\n%s",
			    (uintmax_t)seed, yaml);
		free(a);
		free(b);
		free(yaml);
		loader_free(ld);
		for (size_t i = 0; i < f.nmade; i++)
			argdata_free(f.made[i]);
		for (size_t i = 0; i < f.nblocks; i++)
			free(f.blocks[i]);
		free(f.made);
		free(f.blocks);
	}
}

/*
 * Deep trees: the printer turns to flow style past some depth to keep its
 * output linear, and the loader takes flow nesting up to 64 levels, so
 * chains of 80 maps and sequences still make the round trip.
 */
static void
test_loader_load__print_yaml_round_trip_deep(void **state)
{
	const argdata_t *kids[80], *back;
	argdata_t *made[80];
	const argdata_t *key = &argdata_null;
	char *yaml = NULL;
	size_t ylen = 0, len, blen;
	void *a, *b;
	FILE *mem;
	loader_t *ld;

	(void)state;
	for (size_t i = 0; i < 80; i++) {
		kids[i] = i == 0 ? &argdata_true : made[i - 1];
		made[i] = i % 2 ? argdata_create_seq(&kids[i], 1)
		                : argdata_create_map(&key, &kids[i], 1);
		assert_non_null(made[i]);
	}
	mem = open_memstream(&yaml, &ylen);
	assert_non_null(mem);
	argdata_print_yaml(made[79], mem);
	fclose(mem);
	ld = loader_create("t.yaml", NULL, 0, NULL, NULL);
	assert_non_null(ld);
	if (loader_load_string(ld, yaml, ylen, &back) != 0)
		fail_msg("%s\n%s", loader_error(ld)->message, yaml);
	assert_int_equal(loader_serialize(made[79], &a, &len), 0);
	assert_int_equal(loader_serialize(back, &b, &blen), 0);
	assert_int_equal(len, blen);
	assert_memory_equal(a, b, len);
	free(a);
	free(b);
	free(yaml);
	loader_free(ld);
	for (size_t i = 0; i < 80; i++)
		argdata_free(made[i]);
}

static void
test_loader_load__once(void **state)
{
	const argdata_t *tree;
	loader_t *ld;
	int error;

	(void)state;
	ld = load("1", NULL, 0, NULL, NULL, &tree, &error);
	assert_int_equal(error, 0);
	assert_int_equal(loader_load_string(ld, "1", 1, &tree), EINVAL);
	loader_free(ld);
	loader_free(NULL);
}

/* The group, which main.c runs. */
int run_loader_tests(void);

int
run_loader_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_loader_load__wire_examples),
	    TEST_CASE(test_loader_load__core_null),
	    TEST_CASE(test_loader_load__core_bool),
	    TEST_CASE(test_loader_load__core_int),
	    TEST_CASE(test_loader_load__core_float),
	    TEST_CASE(test_loader_load__quoted_and_block_are_strings),
	    TEST_CASE(test_loader_load__explicit_tags),
	    TEST_CASE(test_loader_load__timestamps),
	    TEST_CASE(test_loader_load__maps_and_duplicate_keys),
	    TEST_CASE(test_loader_load__nul_in_string),
	    TEST_CASE(test_loader_load__aliases_share_values),
	    TEST_CASE(test_loader_load__alias_errors),
	    TEST_CASE(test_loader_load__documents),
	    TEST_CASE(test_loader_load__syntax_errors),
	    TEST_CASE(test_loader_load__handlers),
	    TEST_CASE(test_loader_load__handler_full_tags),
	    TEST_CASE(test_loader_load__alias_of_handler_node_calls_once),
	    TEST_CASE(test_loader_load__handler_errors),
	    TEST_CASE(test_loader_node__typed_views),
	    TEST_CASE(test_loader_load__billion_laughs_refused_fast),
	    TEST_CASE(test_loader_load__expansion_bounds),
	    TEST_CASE(test_loader_load__deep_nesting),
	    TEST_CASE(test_loader_load__encoder_matches_codec),
	    TEST_CASE(test_loader_bytes__plain_documents_only),
	    TEST_CASE(test_loader_load__print_yaml_round_trip),
	    TEST_CASE(test_loader_load__print_yaml_round_trip_deep),
	    TEST_CASE(test_loader_load__once),
	};

	return cmocka_run_group_tests_name("loader", tests, test_fds_setup,
	    test_fds_teardown);
}
