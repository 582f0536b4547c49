/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sandbox tests, one group per file: the ELF resolver (resolver.c),
 * cloudabi-run without the sandbox (cloudabi_run.c), the sandbox's rules
 * and cache (rules.c), the escape checks of the probe (escapes.c), what a
 * red team tried beyond files and sockets (reach.c), and real programs
 * under the allowlist (programs.c), grants by path (grants.c) and a
 * confined supervisor starting its worker (grants_run.c). Groups that need a kernel that
 * confines say so when it cannot (sandbox_run_confined()). See
 * test_main() in testutil.h for the command line.
 */
#define _GNU_SOURCE
#include "sandbox_test.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {
	    {"resolver", run_resolver_tests},
	    {"cloudabi-run", run_cloudabi_run_tests},
	    {"rules", run_rules_tests},
	    {"escapes", run_escapes_tests},
	    {"reach", run_reach_tests},
	    {"programs", run_programs_tests},
	    {"grants", run_grants_tests},
	    {"grants-run", run_grants_run_tests},
	};

	return test_main(argc, argv, groups,
	    sizeof(groups) / sizeof(groups[0]));
}
