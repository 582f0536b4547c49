/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The process tests: proc_exec, program_exec, program_spawn, program_attr
 * (arguments and the plain layout included) and the argdata-main start-up,
 * one group per file. What a started
 * program sees is checked from inside it by the fdreport helper (FDREPORT
 * in the environment; HELLO names examples/hello), and every failure is
 * checked to leave the caller's descriptor table as it was. Set SEED to
 * replay a run of the random layouts, LAYOUTS to run more (or fewer) than
 * 1,200 of them, REPORT_DEBUG to see every report and layout on stderr.
 * See test_main() in testutil.h for the command line.
 */
#include "process_test.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {
	    {"layouts", run_layouts_tests},
	    {"exec", run_exec_tests},
	    {"spawn", run_spawn_tests},
	    {"startup", run_startup_tests},
	    {"hooks", run_hooks_tests},
	    {"startup-fd", run_startup_fd_tests},
	    {"plain", run_plain_tests},
	    {"plain-layouts", run_plain_layouts_tests},
	    {"plain-nomem", run_plain_nomem_tests},
	};

	return test_main(argc, argv, groups,
	    sizeof(groups) / sizeof(groups[0]));
}
