/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The codec tests: one executable, one group per file. meson runs the
 * groups as tests of their own, in parallel; the manpage group takes the
 * path of argdata.5 as its argument. See test_main() in testutil.h.
 */
#include "codec_test.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {
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
	    {"typed_fields", run_typed_field_tests},
	};

	return test_main(argc, argv, groups,
	    sizeof(groups) / sizeof(groups[0]));
}
