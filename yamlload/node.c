/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The node API for tag handlers: typed views of the scalar nodes a handler
 * is given (strings, booleans, bounded integers, null), read by the same
 * rules as the loader applies outside tags, with errors naming what was
 * expected. See loader.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "loader.h"
#include "schema.h"

/* loader_fail() for functions that return -1 on failure. */
static int fail(loader_t *ld, loader_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(loader_t *ld, loader_mark_t mark, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	loader_fail(ld, mark, "%s", msg);
	return -1;
}

static int
node_resolve(loader_t *ld, const loader_node_t *node, const char *what,
    struct scalar *sc)
{
	const char *why;

	if (node->kind != LOADER_SCALAR) {
		fail(ld, node->mark, "%s: expected a scalar, not %s", what,
		    node->kind == LOADER_MAPPING ? "a map" : "a sequence");
		return -1;
	}
	if (schema_resolve(node->tag, node->value, node->length, node->plain,
	        sc, &why) != 0) {
		if (strcmp(why, "unknown tag") == 0)
			fail(ld, node->mark, "%s: unexpected tag %s", what,
			    loader_tag_display(ld, node->tag));
		else
			fail(ld, node->mark, "%s: %s: %s", what, why,
			    node->value);
		return -1;
	}
	return 0;
}

static int
node_expect(loader_t *ld, const loader_node_t *node, const char *what,
    const struct scalar *sc, argdata_type_t type)
{
	if (sc->type == type)
		return 0;
	fail(ld, node->mark, "%s: expected %s, not %s", what,
	    schema_type_name(type), schema_type_name(sc->type));
	return -1;
}

int
loader_node_str(loader_t *ld, const loader_node_t *node, const char *what,
    const char **str)
{
	struct scalar sc;

	if (node_resolve(ld, node, what, &sc) != 0 ||
	    node_expect(ld, node, what, &sc, ARGDATA_TYPE_STR) != 0)
		return -1;
	if (memchr(node->value, '\0', node->length) != NULL)
		return fail(ld, node->mark,
		    "%s: a string cannot hold a NUL character", what);
	*str = node->value;
	return 0;
}

/*
 * Whether a plain scalar is one of the words YAML 1.1 read as booleans
 * and YAML 1.2, which the loader follows, reads as strings.
 */
static bool
is_yaml11_bool(const loader_node_t *node)
{
	static const char *const words[] = {"yes", "no", "on", "off", "y", "n"};

	if (!node->plain || node->tag != NULL)
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (node->length == strlen(words[i]) &&
		    strncasecmp(node->value, words[i], node->length) == 0)
			return true;
	return false;
}

int
loader_node_bool(loader_t *ld, const loader_node_t *node, const char *what,
    bool *value)
{
	struct scalar sc;

	if (node_resolve(ld, node, what, &sc) != 0)
		return -1;
	if (sc.type == ARGDATA_TYPE_STR && is_yaml11_bool(node))
		return fail(ld, node->mark,
		    "%s: expected a boolean, not the string %s (YAML 1.2 "
		    "booleans are true and false)",
		    what, node->value);
	if (node_expect(ld, node, what, &sc, ARGDATA_TYPE_BOOL) != 0)
		return -1;
	*value = sc.boolean;
	return 0;
}

int
loader_node_uint(loader_t *ld, const loader_node_t *node, const char *what,
    uintmax_t max, uintmax_t *value)
{
	struct scalar sc;

	if (node_resolve(ld, node, what, &sc) != 0 ||
	    node_expect(ld, node, what, &sc, ARGDATA_TYPE_INT) != 0)
		return -1;
	if (sc.negative || sc.magnitude > max)
		return fail(ld, node->mark, "%s: %s is out of range (0 to %ju)",
		    what, node->value, max);
	*value = sc.magnitude;
	return 0;
}

loader_node_t
loader_node_untagged(const loader_node_t *node)
{
	loader_node_t n = *node;

	n.tag = NULL;
	return n;
}

bool
loader_node_is_null(const loader_node_t *node)
{
	struct scalar sc;
	const char *why;

	if (node->kind != LOADER_SCALAR ||
	    (node->tag != NULL && !schema_is_yaml_tag(node->tag, "null")))
		return false;
	return schema_resolve(node->tag, node->value, node->length,
	           node->plain || node->tag != NULL, &sc, &why) == 0 &&
	    sc.type == ARGDATA_TYPE_NULL;
}
