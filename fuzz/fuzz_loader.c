/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz harness for cloudabi-run's YAML loader, with tag handlers that open
 * nothing: each reads its node's attributes through the loader's typed
 * views and returns a descriptor value with a made-up number, !fail
 * refuses its node, and !plain has the tagged nodes within it made as
 * cloudabi-run's !plain does. A loaded tree must walk without a defect
 * and pass the round-trip checks; a refused document must come with an
 * error message.
 */
#include <argdata.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_walk.h"
#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every attribute of a mapping node as its tag handler would. */
static int
read_attributes(loader_t *ld, const loader_node_t *node)
{
	static const char *const strings[] = {"path", "access", "bind",
	    "connect", "type"};
	static const char *const bools[] = {"create", "truncate", "exclusive",
	    "write"};
	for (size_t i = 0; i + 1 < node->count; i += 2) {
		const char *key, *str;
		bool b;
		uintmax_t u;
		const loader_node_t *value = node->items[i + 1];
		if (loader_node_str(ld, node->items[i], "attribute", &key) != 0)
			return -1;
		for (size_t j = 0; j < sizeof(strings) / sizeof(strings[0]);
		     j++)
			if (strcmp(key, strings[j]) == 0 &&
			    loader_node_str(ld, value, key, &str) != 0)
				return -1;
		for (size_t j = 0; j < sizeof(bools) / sizeof(bools[0]); j++)
			if (strcmp(key, bools[j]) == 0 &&
			    loader_node_bool(ld, value, key, &b) != 0)
				return -1;
		if ((strcmp(key, "mode") == 0 || strcmp(key, "backlog") == 0) &&
		    loader_node_uint(ld, value, key, 07777, &u) != 0)
			return -1;
	}
	return 0;
}

/* A resource that is not opened: a descriptor number from a counter. */
static const argdata_t *
fake_resource(loader_t *ld, const loader_node_t *node, void *ctx)
{
	int *next = ctx;
	if (node->kind == LOADER_MAPPING && read_attributes(ld, node) != 0)
		return NULL;
	if (node->kind == LOADER_SCALAR && !loader_node_is_null(node)) {
		uintmax_t n;
		const char *name;
		if (node->plain && node->length > 0 && node->value[0] >= '0' &&
		    node->value[0] <= '9') {
			if (loader_node_uint(ld, node, "descriptor", 1 << 20,
			        &n) != 0)
				return NULL;
		} else if (loader_node_str(ld, node, "descriptor", &name) !=
		    0) {
			return NULL;
		}
	}
	return loader_adopt(ld, argdata_create_fd((*next)++), node->mark);
}

static const argdata_t *
refuse(loader_t *ld, const loader_node_t *node, void *ctx)
{
	(void)ctx;
	return loader_fail(ld, node->mark, "%s refused",
	    loader_tag_display(ld, node->tag));
}

/*
 * A document tag such as cloudabi-run's !plain: only at the root, and the
 * tagged nodes among its values and their items are made by their own
 * handlers, once each however many aliases name them.
 */
static const argdata_t *
document(loader_t *ld, const loader_node_t *node, void *ctx)
{
	(void)ctx;
	if (!loader_at_root(ld))
		return loader_fail(ld, node->mark, "not at the root");
	for (size_t i = 0; i < node->count; i++) {
		const loader_node_t *v = node->items[i];
		size_t n =
		    v->tag == NULL && v->kind != LOADER_SCALAR ? v->count : 0;

		if (v->tag != NULL && loader_node_value(ld, v) == NULL)
			return NULL;
		for (size_t j = 0; j < n; j++)
			if (v->items[j]->tag != NULL &&
			    loader_node_value(ld, v->items[j]) == NULL)
				return NULL;
	}
	return &argdata_null;
}

static const loader_handler_t handlers[] = {
    {"plain", document},
    {"fd", fake_resource},
    {"file", fake_resource},
    {"dir", fake_resource},
    {"socket", fake_resource},
    {"executable", fake_resource},
    {"fail", refuse},
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small bounds keep each run short and the limits within reach. */
	static const loader_limits_t limits = {
	    .max_depth = 64,
	    .max_nodes = 20000,
	    .max_bytes = 1 << 20,
	};
	int next = 100;
	loader_t *ld = loader_create("fuzz.yaml", handlers,
	    sizeof(handlers) / sizeof(handlers[0]), &next, &limits);
	if (ld == NULL)
		return 0;
	const argdata_t *tree = NULL;
	int error = loader_load_string(ld, data, size, &tree);
	if (error == 0) {
		struct fuzz_walk w;
		FUZZ_CHECK(tree != NULL);
		if (fuzz_walk(tree, &w) == 0) {
			FUZZ_CHECK(w.defect == 0);
			fuzz_check_value(tree, &w, true, true);
			fuzz_walk_free(&w);
		}
		void *buf;
		size_t len;
		if (loader_serialize(tree, &buf, &len) == 0) {
			FUZZ_CHECK(
			    argdata_validate(buf, len, NULL, NULL) != EINVAL);
			free(buf);
		}
	} else {
		FUZZ_CHECK(error == EINVAL || error == ENOMEM);
		const loader_error_t *e = loader_error(ld);
		FUZZ_CHECK(e != NULL && e->message[0] != '\0');
		FUZZ_CHECK(strchr(e->message, '\n') == NULL);
		FUZZ_CHECK(e->mark.line >= 1 && e->mark.column >= 1);
	}
	loader_free(ld);
	return 0;
}
