/*
 * The codec tests: one executable, one group per file. With an argument it
 * runs only the named group, so that meson runs the groups in parallel; the
 * manpage group takes the path of argdata.5 as a second argument.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "codec_test.h"

static const struct {
	const char *name;
	int (*run)(void);
} groups[] = {
    {"wire", run_wire_tests},
    {"getters", run_getter_tests},
    {"iterators", run_iterator_tests},
    {"serialize", run_serialize_tests},
    {"validate", run_validate_tests},
    {"roundtrip", run_roundtrip_tests},
    {"deep", run_deep_tests},
    {"memory", run_memory_tests},
    {"manpage", run_manpage_tests},
    {"encoder", run_encoder_tests},
    {"typed", run_typed_tests},
};

int
main(int argc, char **argv)
{
	size_t i;
	int failed = 0, found = 0;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (argc > 1 && strcmp(argv[1], groups[i].name) != 0)
			continue;
		found = 1;
		if (argc > 2)
			manpage_path = argv[2];
		failed += groups[i].run();
	}
	if (!found) {
		fprintf(stderr, "usage: %s [group]\n", argv[0]);
		return 2;
	}
	return failed != 0;
}
