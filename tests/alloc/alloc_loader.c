/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The allocation failure scenario of cloudabi-run's YAML loader, with tag
 * handlers that open nothing (built only with the tools).
 */
#include <argdata.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_scenarios.h"
#include "loader.h"

static const argdata_t *
fake_fd(loader_t *ld, const loader_node_t *node, void *ctx)
{
	(void)ctx;
	return loader_adopt(ld, argdata_create_fd(7), node->mark);
}

static const loader_handler_t handlers[] = {
    {"fd", fake_fd},
    {"file", fake_fd},
};

/* Every kind of node the loader builds, anchors and aliases included. */
static const char config[] =
    "%TAG ! tag:nuxi.nl,2015:cloudabi/\n"
    "---\n"
    "name: server\n"
    "port: 8080\n"
    "ratio: 0.25\n"
    "on: true\n"
    "none: ~\n"
    "blob: !!binary aGVsbG8=\n"
    "when: !!timestamp 2001-12-14t21:59:43.10-05:00\n"
    "out: &o !fd stdout\n"
    "again: *o\n"
    "conf: !file {path: /etc/x, access: read}\n"
    "list: &l [1, -2, 0x10, 'three', [nested, [deeper]]]\n"
    "copies: [*l, *l]\n"
    "? [complex, key]\n"
    ": {a: b}\n";

int
yaml_load(void)
{
	loader_t *ld = loader_create("alloc.yaml", handlers,
	    sizeof(handlers) / sizeof(handlers[0]), NULL, NULL);
	if (ld == NULL) {
		assert_int_equal(errno, ENOMEM);
		return ENOMEM;
	}
	const argdata_t *tree;
	int error = loader_load_string(ld, config, strlen(config), &tree);
	if (error != 0) {
		/* A clean error names itself as out of memory. */
		const loader_error_t *e = loader_error(ld);
		assert_non_null(e);
		if (error != ENOMEM)
			fail_msg("loader_load_string: %d: %s", error,
			    e->message);
	} else {
		void *buf;
		size_t len;
		error = loader_serialize(tree, &buf, &len);
		if (error == 0) {
			assert_int_equal(argdata_validate(buf, len, NULL, NULL),
			    0);
			free(buf);
		} else {
			assert_int_equal(error, ENOMEM);
		}
	}
	loader_free(ld);
	return error;
}
