/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.h - YAML to argdata: one function turns a libyaml event stream
 * into an argdata tree and hands every node with an application tag (such
 * as !fd or !file) to a table of tag handlers.
 *
 * cloudabi-run uses it with handlers that open resources, argdata-dump with
 * handlers that only record numbers, the fuzzer with handlers that open
 * nothing. The loader itself never prints, exits or opens anything; every
 * error is reported as a file name, line, column and message.
 *
 * YAML rules: exactly one document. Plain scalars follow the YAML 1.2 core
 * schema (null, bool, int in decimal, 0o and 0x, float with .inf and .nan,
 * anything else a string); quoted and block scalars are strings. Explicit
 * !!str, !!int, !!float, !!bool, !!null, !!binary (base64), !!timestamp,
 * !!seq and !!map are honoured, and the non-specific tag "!" makes a scalar
 * a string. Strings may hold NUL bytes (from "\0"). Anchors and aliases
 * share values: an alias yields the very argdata_t of its anchor, so an
 * alias of a resource is the same descriptor and an alias of a subtree is
 * not a copy. Duplicate map keys are kept, as argdata maps allow them.
 *
 * The tree: plain data (no anchor, no tag handled by a handler) is encoded
 * as it is read, into one buffer of serialized argdata that the tree's
 * values point into (see loader_bytes()); anchored and handled values are
 * argdata_t values of their own, and so are the maps and sequences that
 * hold them. Either way the tree is only read through the argdata API.
 *
 * Usage:
 *
 *	loader_t *ld = loader_create("config.yaml", handlers, n, ctx, NULL);
 *	const argdata_t *tree;
 *	if (ld == NULL)
 *		... ENOMEM ...
 *	if (loader_load_file(ld, fp, &tree) != 0) {
 *		const loader_error_t *e = loader_error(ld);
 *		fprintf(stderr, "%s:%zu:%zu: %s\n", e->file, e->mark.line,
 *		    e->mark.column, e->message);
 *	}
 *	... use tree ...
 *	loader_free(ld);
 *
 * Hostile input: nothing recurses as deep as the input (an explicit stack),
 * nesting is bounded, flow nesting ([ ], { }) more tightly (libyaml's
 * scanner costs time proportional to the flow depth for every token), and
 * so are the number of nodes the document
 * expands to through aliases and its serialized size, so that a "billion
 * laughs" document is refused as soon as an alias crosses the bound.
 */
#ifndef YAMLLOAD_LOADER_H
#define YAMLLOAD_LOADER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include <argdata.h>

typedef struct loader loader_t;

/* A place in the input; both numbers count from 1, columns in characters. */
typedef struct {
	size_t line;
	size_t column;
} loader_mark_t;

/* The first error of a load. */
typedef struct {
	const char *file;   /* the name given to loader_create() */
	loader_mark_t mark; /* where the problem lies */
	char message[512];  /* one line, no trailing newline */
} loader_error_t;

/* Bounds on what a document may cost; zero fields take the defaults. */
typedef struct {
	size_t max_depth;      /* nesting of sequences and maps (1000) */
	size_t max_flow_depth; /* of them, in flow style: [ ], { } (64) */
	uint64_t max_nodes;    /* nodes after alias expansion (10,000,000) */
	size_t max_bytes;      /* serialized size (256 MiB) */
} loader_limits_t;

#define LOADER_DEFAULT_MAX_DEPTH 1000
#define LOADER_DEFAULT_MAX_FLOW_DEPTH 64
#define LOADER_DEFAULT_MAX_NODES 10000000
#define LOADER_DEFAULT_MAX_BYTES ((size_t)256 << 20)

typedef enum {
	LOADER_SCALAR,
	LOADER_SEQUENCE,
	LOADER_MAPPING,
} loader_kind_t;

/*
 * A node as written in the YAML, handed to tag handlers: the tagged node
 * itself and everything beneath it, uninterpreted. Owned by the loader and
 * valid until loader_free().
 */
typedef struct loader_node loader_node_t;
struct loader_node {
	loader_kind_t kind;
	/*
	 * The full tag ("tag:nuxi.nl,2015:cloudabi/fd", "!fd",
	 * "tag:yaml.org,2002:str"), or NULL when the node has none or the
	 * non-specific "!".
	 */
	const char *tag;
	loader_mark_t mark;
	/* Scalars: the text (followed by a NUL byte), and its style. */
	const char *value;
	size_t length;
	bool plain;
	/*
	 * Sequences: the items. Mappings: key, value, key, value, ... in the
	 * order written. count is the number of entries of items.
	 */
	const loader_node_t *const *items;
	size_t count;
	/* The loader's own: what loader_node_value() made of the node. */
	const argdata_t *value_made;
};

/*
 * A tag handler: turns node (whose tag names this handler) into a value,
 * registered with loader_adopt() unless it is one of the argdata constants.
 * On failure it calls loader_fail() and returns NULL. ctx is the pointer
 * given to loader_create().
 */
typedef const argdata_t *loader_tag_fn(loader_t *ld, const loader_node_t *node,
    void *ctx);

/*
 * One entry of a handler table. name is the tag without its handle: "fd"
 * matches both "!fd" and "tag:nuxi.nl,2015:cloudabi/fd" (what
 * "%TAG ! tag:nuxi.nl,2015:cloudabi/" makes of "!fd").
 */
typedef struct {
	const char *name;
	loader_tag_fn *fn;
} loader_handler_t;

/* CloudABI's tag prefix. */
#define LOADER_TAG_PREFIX "tag:nuxi.nl,2015:cloudabi/"

/*
 * A loader for one document. file is the name used in error reports (it
 * is not opened). The handler table (nhandlers entries) and file are not
 * copied and must outlive the loader; limits may be NULL for the defaults.
 * Returns NULL with errno ENOMEM.
 */
loader_t *loader_create(const char *file, const loader_handler_t *handlers,
    size_t nhandlers, void *ctx, const loader_limits_t *limits);

/*
 * Frees the loader, every value and node it made and every value adopted
 * from the handlers. Resources the handlers opened are theirs to release.
 * Accepts NULL; keeps errno.
 */
void loader_free(loader_t *ld);

/*
 * Reads one document from parser (initialized, with its input set, by the
 * caller) to the end of the stream. Returns 0 and stores the tree in *tree,
 * valid until loader_free(), or returns EINVAL (bad document, limit
 * crossed, handler failure) or ENOMEM with loader_error() describing it.
 * Call once per loader.
 */
int loader_load(loader_t *ld, yaml_parser_t *parser, const argdata_t **tree);

/* loader_load() from a buffer (not copied) or a stdio stream. */
int loader_load_string(loader_t *ld, const void *buf, size_t len,
    const argdata_t **tree);
int loader_load_file(loader_t *ld, FILE *fp, const argdata_t **tree);

/* The error of a failed load, or NULL when there was none. */
const loader_error_t *loader_error(const loader_t *ld);

/*
 * Where the nodes of the root of a successful load begin: stores the root's
 * mark in *root and, when the root is a map, points *entries at the marks
 * of its keys and values in the order written (key, value, key, value,
 * ...: entry i of the map's iteration has its key at 2i and its value at
 * 2i + 1) and returns how many there are; 0 when the root is no map.
 * Valid until loader_free().
 */
size_t loader_root_marks(const loader_t *ld, loader_mark_t *root,
    const loader_mark_t **entries);

/*
 * For handlers: records an error at mark (the first one recorded wins) and
 * returns NULL, so that a handler can write "return loader_fail(...)".
 */
const argdata_t *loader_fail(loader_t *ld, loader_mark_t mark, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/*
 * For handlers: hands ownership of ad to the loader, which frees it in
 * loader_free(), and returns it. When ad is NULL (a constructor failed),
 * records the failure (errno) at mark and returns NULL.
 */
const argdata_t *loader_adopt(loader_t *ld, argdata_t *ad, loader_mark_t mark);

/*
 * For handlers: copies len bytes into memory that lives as long as the
 * loader, adding a NUL byte. NULL when out of memory.
 */
char *loader_strdup(loader_t *ld, const char *s, size_t len);

/*
 * For handlers: typed views of scalar nodes, following the same rules as
 * the loader outside tags (core schema for plain scalars, explicit !!
 * tags). Each returns 0 and stores the value, or records an error naming
 * what (an attribute name, for instance) and returns -1.
 */
int loader_node_str(loader_t *ld, const loader_node_t *node, const char *what,
    const char **str);
int loader_node_bool(loader_t *ld, const loader_node_t *node, const char *what,
    bool *value);
int loader_node_uint(loader_t *ld, const loader_node_t *node, const char *what,
    uintmax_t max, uintmax_t *value);
/*
 * The node as if it had no tag: what a handler reads its own scalar with,
 * since the node it is handed carries the handler's tag ("!fd 3": the
 * untagged 3 is an integer).
 */
loader_node_t loader_node_untagged(const loader_node_t *node);

/*
 * For handlers whose value holds tagged nodes of other handlers (the
 * configuration of a plain program, say, whose descriptors are !fd or
 * !socket nodes): the value of node, a node within the handler's own
 * whose tag names a handler, made by that handler as the loader would
 * outside a tag's value. The handler runs once per node: an alias of it
 * gives the very same value, as aliases do outside tags. On failure
 * (an untagged node, an unknown tag, the handler's failure) records an
 * error and returns NULL.
 */
const argdata_t *loader_node_value(loader_t *ld, const loader_node_t *node);

/*
 * For handlers: whether the node being handled is the document's root,
 * the whole configuration (a tag that says what the document is for).
 */
bool loader_at_root(const loader_t *ld);

/* True for a scalar that reads as null (empty, ~, null), untagged or !!null. */
bool loader_node_is_null(const loader_node_t *node);

/*
 * The tag of node as a person would write it: "!fd" for CloudABI's and
 * local tags, "!!str" for YAML's, "!<...>" otherwise. Lives as long as the
 * loader; "(out of memory)" when out of memory.
 */
const char *loader_tag_display(loader_t *ld, const char *tag);

/*
 * Serializes ad into a new buffer (free() it), descriptor numbers written
 * as they are in the tree. Returns 0, or ENOMEM.
 */
int loader_serialize(const argdata_t *ad, void **buf, size_t *len);

/*
 * The serialized bytes of the tree of a successful load, when the loader
 * holds them already (a document without anchors or tags is encoded as it
 * is read): stores them, owned by the loader, and returns true. Returns
 * false otherwise; loader_serialize() then makes them.
 */
bool loader_bytes(const loader_t *ld, const void **buf, size_t *len);

#endif
