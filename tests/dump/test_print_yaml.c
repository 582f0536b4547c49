/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of argdata_print_yaml: the text of every kind of scalar (quoting
 * and escaping, floats, integers of any length, timestamps, descriptors),
 * the layout of collections, corrupt data and very deep trees.
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
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

#include "argdata.h"
#include "testutil.h"

#define HEADER "%TAG ! tag:nuxi.nl,2015:cloudabi/\n---"
#define TRAILER "...\n"

/* The whole document printed for ad; the caller frees it. */
static char *
print(const argdata_t *ad, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&text, &size);

	assert_non_null(fp);
	errno = 0;
	argdata_print_yaml(ad, fp);
	assert_int_equal(errno, 0);
	assert_int_equal(fclose(fp), 0);
	if (len != NULL)
		*len = size;
	return text;
}

/* Checks the document printed for ad: header, body, trailer. */
static void
check_body(const argdata_t *ad, const char *body)
{
	char *text = print(ad, NULL);
	size_t hl = strlen(HEADER), tl = strlen(TRAILER), n = strlen(text);

	assert_true(n >= hl + tl);
	assert_memory_equal(text, HEADER, hl);
	assert_string_equal(text + n - tl, TRAILER);
	text[n - tl] = '\0';
	assert_string_equal(text + hl, body);
	free(text);
}

/* Checks how a scalar prints as the whole document: "--- text". */
static void
check_scalar(const argdata_t *ad, const char *expected)
{
	char body[4096];

	snprintf(body, sizeof(body), " %s\n", expected);
	check_body(ad, body);
}

static void
check_str(const char *s, size_t len, const char *expected)
{
	argdata_t *ad = argdata_create_str(s, len);

	assert_non_null(ad);
	check_scalar(ad, expected);
	argdata_free(ad);
}

static void
check_buffer(const void *buf, size_t len, const char *expected)
{
	argdata_t *ad = argdata_from_buffer(buf, len, NULL, NULL);

	assert_non_null(ad);
	check_scalar(ad, expected);
	argdata_free(ad);
}

static void
test_argdata_print_yaml__plain_strings(void **state)
{
	static const char *const plain[] = {"hello", "hello world", "a-b_c.d",
	    "/usr/bin/env", "_x", "x1", "NULLs", "Yesterday", "inf", "nan", "é",
	    "日本語", "emoji😀", "a  b"};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		check_str(plain[i], strlen(plain[i]), plain[i]);
}

static void
test_argdata_print_yaml__quoted_strings(void **state)
{
	static const char *const table[][2] = {
	    /* Words that YAML 1.2 or 1.1 read as null or booleans. */
	    {"null", "\"null\""},
	    {"Null", "\"Null\""},
	    {"NULL", "\"NULL\""},
	    {"~", "\"~\""},
	    {"true", "\"true\""},
	    {"False", "\"False\""},
	    {"yes", "\"yes\""},
	    {"No", "\"No\""},
	    {"on", "\"on\""},
	    {"OFF", "\"OFF\""},
	    {"y", "\"y\""},
	    {"n", "\"n\""},
	    /* Numbers in every notation. */
	    {"123", "\"123\""},
	    {"-1", "\"-1\""},
	    {"+1", "\"+1\""},
	    {"0x1F", "\"0x1F\""},
	    {"0o17", "\"0o17\""},
	    {"0b101", "\"0b101\""},
	    {"1_000", "\"1_000\""},
	    {"12:30:00", "\"12:30:00\""},
	    {".inf", "\".inf\""},
	    {"-.inf", "\"-.inf\""},
	    {".NaN", "\".NaN\""},
	    {"1e3", "\"1e3\""},
	    {".5", "\".5\""},
	    {"2001-12-14", "\"2001-12-14\""},
	    /* Indicators and structure. */
	    {"", "\"\""},
	    {"- x", "\"- x\""},
	    {"-", "\"-\""},
	    {"a: b", "\"a: b\""},
	    {"a:b", "\"a:b\""},
	    {"a #b", "\"a #b\""},
	    {"#", "\"#\""},
	    {"? x", "\"? x\""},
	    {"[a]", "\"[a]\""},
	    {"{a}", "\"{a}\""},
	    {"a,b", "\"a,b\""},
	    {"*alias", "\"*alias\""},
	    {"&anchor", "\"&anchor\""},
	    {"!tag", "\"!tag\""},
	    {"%TAG", "\"%TAG\""},
	    {"@x", "\"@x\""},
	    {"`x", "\"`x\""},
	    {"|", "\"|\""},
	    {">", "\">\""},
	    {"'q'", "\"'q'\""},
	    {"=", "\"=\""},
	    {"<<", "\"<<\""},
	    {"---", "\"---\""},
	    {"...", "\"...\""},
	    /* Spaces at either end. */
	    {" lead", "\" lead\""},
	    {"trail ", "\"trail \""},
	    {" ", "\" \""},
	    /* Escapes. */
	    {"say \"hi\"", "\"say \\\"hi\\\"\""},
	    {"back\\slash", "\"back\\\\slash\""},
	    {"tab\there", "\"tab\\there\""},
	    {"line\nbreak", "\"line\\nbreak\""},
	    {"cr\r", "\"cr\\r\""},
	    {"\a\b\v\f\x1b", "\"\\a\\b\\v\\f\\e\""},
	    {"\x01\x1f\x7f", "\"\\x01\\x1F\\x7F\""},
	    {"nel\xc2\x85", "\"nel\\N\""},
	    {"c1\xc2\x80", "\"c1\\x80\""},
	    {"ls\xe2\x80\xa8ps\xe2\x80\xa9", "\"ls\\Lps\\P\""},
	    {"\xef\xbb\xbf"
	     "bom",
	        "\"\\uFEFFbom\""},
	    {"\xef\xbf\xbe", "\"\\uFFFE\""},
	    /* Non-ASCII stays UTF-8, even when quoted. */
	    {"é: x", "\"é: x\""},
	    {"\xc2\xa0nbsp", "\"\xc2\xa0nbsp\""},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_str(table[i][0], strlen(table[i][0]), table[i][1]);
}

static void
test_argdata_print_yaml__string_with_nul(void **state)
{
	/* Encoded data may hold a NUL inside a string. */
	static const unsigned char buf[] = {0x08, 'a', 0, 'b', 0};

	check_buffer(buf, sizeof(buf), "\"a\\0b\"");
}

static void
check_float(double value, const char *expected)
{
	argdata_t *ad = argdata_create_float(value);

	check_scalar(ad, expected);
	argdata_free(ad);
}

static void
test_argdata_print_yaml__floats(void **state)
{
	check_float(0.1, "0.1");
	check_float(1.0, "1.0");
	check_float(-2.5, "-2.5");
	check_float(0.0, "0.0");
	check_float(-0.0, "-0.0");
	check_float(1.0 / 3, "0.3333333333333333");
	check_float(0.1 + 0.2, "0.30000000000000004");
	check_float(1e300, "1.0e+300");
	check_float(1.5e-7, "1.5e-07");
	check_float(123456789012345680.0, "1.2345678901234568e+17");
	check_float(5e-324, "4.94065645841247e-324");
	check_float(1.7976931348623157e308, "1.7976931348623157e+308");
	check_float(INFINITY, ".inf");
	check_float(-INFINITY, "-.inf");
	check_float(NAN, ".nan");
}

static void
test_argdata_print_yaml__floats_round_trip(void **state)
{
	uint64_t x = 88172645463325252ULL;

	/* Random bit patterns print as text that reads back exactly. */
	for (int i = 0; i < 20000; i++) {
		argdata_t *ad;
		double d, back;
		char *text, *p;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&d, &x, sizeof(d));
		if (!isfinite(d))
			continue;
		ad = argdata_create_float(d);
		text = print(ad, NULL);
		p = text + strlen(HEADER) + 1;
		back = strtod(p, NULL);
		assert_memory_equal(&back, &d, sizeof(d));
		assert_non_null(strchr(p, '.'));
		free(text);
		argdata_free(ad);
	}
}

/*
 * Makes a locale whose decimal point is ',' available: the system's, or
 * one compiled with localedef(1) into dir. Returns whether it worked.
 */
static bool
comma_locale(char *dir)
{
	char cmd[256];

	if (setlocale(LC_ALL, "de_DE.UTF-8") != NULL)
		return true;
	if (mkdtemp(dir) == NULL)
		return false;
	snprintf(cmd, sizeof(cmd),
	    "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
	if (system(cmd) != 0)
		return false;
	setenv("LOCPATH", dir, 1);
	return setlocale(LC_ALL, "de_DE.UTF-8") != NULL;
}

static void
test_argdata_print_yaml__floats_in_any_locale(void **state)
{
	argdata_t *ad = argdata_create_float(0.5);
	char dir[] = "/tmp/test_print_yaml.XXXXXX", cmd[64], buf[8];
	bool have = comma_locale(dir);

	/* Whatever locale the program chose, the decimal point is '.'. */
	if (have) {
		snprintf(buf, sizeof(buf), "%.1f", 0.5);
		assert_string_equal(buf, "0,5");
		check_scalar(ad, "0.5");
	}
	setlocale(LC_ALL, "C");
	unsetenv("LOCPATH");
	if (strchr(dir, 'X') == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
	argdata_free(ad);
	if (!have)
		skip();
}

static void
check_int(argdata_t *ad, const char *expected)
{
	assert_non_null(ad);
	check_scalar(ad, expected);
	argdata_free(ad);
}

static void
test_argdata_print_yaml__ints(void **state)
{
	check_int(argdata_create_int(0), "0");
	check_int(argdata_create_int(-1), "-1");
	check_int(argdata_create_int(255), "255");
	check_int(argdata_create_int_s(INT64_MIN), "-9223372036854775808");
	check_int(argdata_create_int_u(UINT64_MAX), "18446744073709551615");
}

static void
test_argdata_print_yaml__big_ints(void **state)
{
	/* 2^64 and -2^64 - 1: beyond any C integer type. */
	static const unsigned char two64[] = {0x05, 0x01, 0, 0, 0, 0, 0, 0, 0,
	    0};
	static const unsigned char minus[] = {0x05, 0xfe, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff};
	/* Non-canonical sign extension is still the same number. */
	static const unsigned char padded[] = {0x05, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
	unsigned char *huge = malloc(1 + 600);
	char *text, *expected;

	check_buffer(two64, sizeof(two64), "18446744073709551616");
	check_buffer(minus, sizeof(minus), "-18446744073709551617");
	check_buffer(padded, sizeof(padded), "-2");

	/* 10^38 as a 17-byte int. */
	{
		unsigned char b[18] = {0x05};
		/* 10^38 = 0x4B3B4CA85A86C47A098A224000000000 */
		static const unsigned char v[] = {0x00, 0x4b, 0x3b, 0x4c, 0xa8,
		    0x5a, 0x86, 0xc4, 0x7a, 0x09, 0x8a, 0x22, 0x40, 0x00, 0x00,
		    0x00, 0x00};

		memcpy(b + 1, v, sizeof(v));
		check_buffer(b, sizeof(b),
		    "100000000000000000000000000000000000000");
	}

	/* Magnitudes above 512 bytes print in hexadecimal, tagged. */
	huge[0] = 0x05;
	huge[1] = 0x01;
	memset(huge + 2, 0, 599);
	expected = malloc(16 + 2 * 600);
	strcpy(expected, "!!int 0x1");
	for (int i = 0; i < 599; i++)
		strcat(expected, "00");
	check_buffer(huge, 601, expected);
	huge[1] = 0xff;
	huge[2] = 0x00;
	/* -2^4792: the magnitude is 1 and 599 zero bytes. */
	strcpy(expected, "!!int -0x1");
	for (int i = 0; i < 599; i++)
		strcat(expected, "00");
	check_buffer(huge, 601, expected);
	(void)text;
	free(expected);
	free(huge);
}

static void
check_timestamp(time_t sec, long nsec, const char *expected)
{
	struct timespec ts = {.tv_sec = sec, .tv_nsec = nsec};
	argdata_t *ad = argdata_create_timestamp(&ts);
	char text[128];

	snprintf(text, sizeof(text), "!!timestamp \"%s\"", expected);
	check_scalar(ad, text);
	argdata_free(ad);
}

static void
test_argdata_print_yaml__timestamps(void **state)
{
	check_timestamp(0, 0, "1970-01-01T00:00:00.000000000Z");
	check_timestamp(1700000000, 5, "2023-11-14T22:13:20.000000005Z");
	check_timestamp(-1, 999999999, "1969-12-31T23:59:59.999999999Z");
	check_timestamp(951782400, 0, "2000-02-29T00:00:00.000000000Z");
	check_timestamp(-62135596800, 0, "0001-01-01T00:00:00.000000000Z");
	check_timestamp(253402300799, 1, "9999-12-31T23:59:59.000000001Z");
	check_timestamp(253402300800, 0, "+10000-01-01T00:00:00.000000000Z");
	check_timestamp(-62167219201, 0, "-0001-12-31T23:59:59.000000000Z");
}

static void
test_argdata_print_yaml__other_scalars(void **state)
{
	static const unsigned char fd_big[] = {0x03, 0xff, 0xff, 0xff, 0xfe};
	static const unsigned char fd7[] = {0x03, 0, 0, 0, 7};
	argdata_t *ad;

	check_scalar(&argdata_null, "null");
	check_scalar(&argdata_true, "true");
	check_scalar(&argdata_false, "false");
	ad = argdata_create_binary("hello", 5);
	check_scalar(ad, "!!binary \"aGVsbG8=\"");
	argdata_free(ad);
	ad = argdata_create_binary("", 0);
	check_scalar(ad, "!!binary \"\"");
	argdata_free(ad);
	ad = argdata_create_binary("\xff\xfe\x00\x01", 4);
	check_scalar(ad, "!!binary \"//4AAQ==\"");
	argdata_free(ad);
	ad = argdata_create_fd(3);
	check_scalar(ad, "!fd 3");
	argdata_free(ad);
	/* Encoded descriptors print their number, convertible or not. */
	check_buffer(fd7, sizeof(fd7), "!fd 7");
	check_buffer(fd_big, sizeof(fd_big), "!fd 4294967294");
}

static void
test_argdata_print_yaml__corrupt_scalars(void **state)
{
	static const struct {
		unsigned char bytes[8];
		size_t len;
	} table[] = {
	    {{0x02, 0x02}, 2},          /* bool that is neither */
	    {{0x02, 0x01, 0x01}, 3},    /* bool too long */
	    {{0x03, 0, 0, 1}, 4},       /* fd too short */
	    {{0x04, 0, 0}, 3},          /* float too short */
	    {{0x08, 'a'}, 2},           /* string without its NUL */
	    {{0x08, 0xc0, 0x80, 0}, 4}, /* overlong UTF-8 */
	    {{0x0a, 1}, 2},             /* unknown tag */
	    {{0x00}, 1},                /* tag zero */
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_buffer(table[i].bytes, table[i].len, "!!invalid \"\"");
}

static void
test_argdata_print_yaml__corrupt_containers(void **state)
{
	/* [1, <length past the end>] */
	static const unsigned char seq[] = {0x07, 0x82, 0x05, 0x01, 0x85, 0x05};
	/* {1: 2, 3: <missing>} */
	static const unsigned char odd[] = {0x06, 0x82, 0x05, 0x01, 0x82, 0x05,
	    0x02, 0x82, 0x05, 0x03};
	/* {1: 2, <length past the end>} */
	static const unsigned char map[] = {0x06, 0x82, 0x05, 0x01, 0x82, 0x05,
	    0x02, 0x90};
	/* [<corrupt bool>] */
	static const unsigned char inner[] = {0x07, 0x82, 0x02, 0x05};
	/* [[<length past the end>]] */
	static const unsigned char nested[] = {0x07, 0x82, 0x07, 0x88};
	argdata_t *ad;

	ad = argdata_from_buffer(seq, sizeof(seq), NULL, NULL);
	check_body(ad, "\n- 1\n- !!invalid \"\"\n");
	argdata_free(ad);
	ad = argdata_from_buffer(odd, sizeof(odd), NULL, NULL);
	check_body(ad, "\n1: 2\n3: !!invalid \"\"\n");
	argdata_free(ad);
	ad = argdata_from_buffer(map, sizeof(map), NULL, NULL);
	check_body(ad, "\n1: 2\n? !!invalid \"\"\n");
	argdata_free(ad);
	ad = argdata_from_buffer(inner, sizeof(inner), NULL, NULL);
	check_body(ad, "\n- !!invalid \"\"\n");
	argdata_free(ad);
	ad = argdata_from_buffer(nested, sizeof(nested), NULL, NULL);
	check_body(ad, "\n- - !!invalid \"\"\n");
	argdata_free(ad);
}

static void
test_argdata_print_yaml__layout(void **state)
{
	argdata_t *one = argdata_create_int(1), *two = argdata_create_int(2);
	argdata_t *a = argdata_create_str_c("a"),
	          *b = argdata_create_str_c("b");
	const argdata_t *pair[] = {one, two};
	argdata_t *seq = argdata_create_seq(pair, 2);
	argdata_t *empty_seq = argdata_create_seq(NULL, 0);
	argdata_t *empty_map = argdata_create_map(NULL, NULL, 0);
	const argdata_t *keys[] = {a, seq, b, empty_seq};
	const argdata_t *values[] = {seq, a, empty_map, one};
	argdata_t *map = argdata_create_map(keys, values, 4);
	const argdata_t *outer[] = {map, seq, empty_seq, &argdata_null};
	argdata_t *top = argdata_create_seq(outer, 4);

	check_body(empty_seq, " []\n");
	check_body(empty_map, " {}\n");
	check_body(seq, "\n- 1\n- 2\n");
	check_body(map,
	    "\n"
	    "a:\n"
	    "  - 1\n"
	    "  - 2\n"
	    "? - 1\n"
	    "  - 2\n"
	    ": a\n"
	    "b: {}\n"
	    "[]: 1\n");
	check_body(top,
	    "\n"
	    "- a:\n"
	    "    - 1\n"
	    "    - 2\n"
	    "  ? - 1\n"
	    "    - 2\n"
	    "  : a\n"
	    "  b: {}\n"
	    "  []: 1\n"
	    "- - 1\n"
	    "  - 2\n"
	    "- []\n"
	    "- null\n");
	argdata_free(top);
	argdata_free(map);
	argdata_free(empty_map);
	argdata_free(empty_seq);
	argdata_free(seq);
	argdata_free(b);
	argdata_free(a);
	argdata_free(two);
	argdata_free(one);
}

static void
test_argdata_print_yaml__long_keys(void **state)
{
	char *long_str = malloc(2001);
	argdata_t *key, *map;
	char *text;

	/* Too long for an implicit key: parsers stop at 1024 characters. */
	memset(long_str, 'k', 2000);
	long_str[2000] = '\0';
	key = argdata_create_str_c(long_str);
	map = argdata_create_map((const argdata_t *const *)&key,
	    (const argdata_t *const *)&key, 1);
	text = print(map, NULL);
	assert_memory_equal(text + strlen(HEADER), "\n? kkk", 6);
	assert_non_null(strstr(text, "\n: kkk"));
	free(text);
	argdata_free(map);
	argdata_free(key);
	free(long_str);
}

/*
 * A chain of depth one-element containers, alternately sequences and maps
 * with the key "k", around the integer 7.
 */
struct chain {
	argdata_t **nodes;
	const argdata_t **kids;
	argdata_t *leaf, *key;
	size_t depth;
};

static const argdata_t *
chain_build(struct chain *c, size_t depth)
{
	const argdata_t *prev;

	c->depth = depth;
	c->nodes = malloc(depth * sizeof(*c->nodes));
	c->kids = malloc(depth * sizeof(*c->kids));
	c->leaf = argdata_create_int(7);
	c->key = argdata_create_str_c("k");
	assert_non_null(c->nodes);
	assert_non_null(c->kids);
	prev = c->leaf;
	for (size_t i = 0; i < depth; i++) {
		c->kids[i] = prev;
		if (i % 2 == 0)
			c->nodes[i] = argdata_create_seq(&c->kids[i], 1);
		else
			c->nodes[i] = argdata_create_map(
			    (const argdata_t *const *)&c->key, &c->kids[i], 1);
		assert_non_null(c->nodes[i]);
		prev = c->nodes[i];
	}
	return prev;
}

static void
chain_free(struct chain *c)
{
	for (size_t i = 0; i < c->depth; i++)
		argdata_free(c->nodes[i]);
	argdata_free(c->key);
	argdata_free(c->leaf);
	free(c->nodes);
	free(c->kids);
}

static void
test_argdata_print_yaml__deep_flow(void **state)
{
	struct chain c;
	const argdata_t *root = chain_build(&c, 30);
	char *text = print(root, NULL), *line;
	size_t lines = 0;

	/* Block style for the outer levels, flow style on one line below. */
	for (line = text; (line = strchr(line, '\n')) != NULL; line++)
		lines++;
	/* Header, 12 lines of "k:" and "- ", the flow line, "...". */
	assert_int_equal(lines, 2 + 12 + 1 + 1);
	assert_non_null(strstr(text,
	    "\n"
	    "                                              "
	    "- {k: [{k: [{k: [7]}]}]}\n...\n"));
	free(text);
	chain_free(&c);
}

static void
test_argdata_print_yaml__one_million_levels(void **state)
{
	struct chain c;
	const argdata_t *root = chain_build(&c, 1000000);
	size_t len;
	char *text = print(root, &len);
	clock_t start;

	/* Linear output: a few bytes per level. */
	assert_true(len < 6 * 1000000);
	assert_non_null(strstr(text + len - 4 * 500000, "[7]"));
	free(text);

	/* Encoded, the same depth prints too. */
	{
		size_t size;
		unsigned char *buf;
		argdata_t *ad;

		argdata_serialized_length(root, &size, NULL);
		buf = malloc(size);
		argdata_serialize(root, buf, NULL);
		ad = argdata_from_buffer(buf, size, NULL, NULL);
		start = clock();
		text = print(ad, &len);
		assert_true((clock() - start) / CLOCKS_PER_SEC < 10);
		assert_true(len < 6 * 1000000);
		free(text);
		argdata_free(ad);
		free(buf);
	}
	chain_free(&c);
}

static void
test_argdata_print_yaml__write_error(void **state)
{
	FILE *fp = fopen("/dev/full", "w");

	if (fp == NULL)
		skip();
	/* A failed write is not reported, but errno is kept. */
	errno = EDOM;
	argdata_print_yaml(&argdata_true, fp);
	assert_int_equal(errno, EDOM);
	fclose(fp);
}

static int
run_print_yaml_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_argdata_print_yaml__plain_strings),
	    TEST_CASE(test_argdata_print_yaml__quoted_strings),
	    TEST_CASE(test_argdata_print_yaml__string_with_nul),
	    TEST_CASE(test_argdata_print_yaml__floats),
	    TEST_CASE(test_argdata_print_yaml__floats_round_trip),
	    TEST_CASE(test_argdata_print_yaml__floats_in_any_locale),
	    TEST_CASE(test_argdata_print_yaml__ints),
	    TEST_CASE(test_argdata_print_yaml__big_ints),
	    TEST_CASE(test_argdata_print_yaml__timestamps),
	    TEST_CASE(test_argdata_print_yaml__other_scalars),
	    TEST_CASE(test_argdata_print_yaml__corrupt_scalars),
	    TEST_CASE(test_argdata_print_yaml__corrupt_containers),
	    TEST_CASE(test_argdata_print_yaml__layout),
	    TEST_CASE(test_argdata_print_yaml__long_keys),
	    TEST_CASE(test_argdata_print_yaml__deep_flow),
	    TEST_CASE(test_argdata_print_yaml__one_million_levels),
	    TEST_CASE(test_argdata_print_yaml__write_error),
	};

	return cmocka_run_group_tests_name("print-yaml", tests, NULL, NULL);
}

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {
	    {"print-yaml", run_print_yaml_tests}};

	return test_main(argc, argv, groups, 1);
}
