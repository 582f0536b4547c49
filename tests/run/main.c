/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tests of cloudabi-run and its YAML loader, one group per file: the
 * loader (loader.c, loader_nomem.c), the tag handlers (tags.c, paths.c,
 * dry_run.c, script.c), the published table (schema_note.c), and
 * cloudabi-run end to end (cli.c, start.c, plain.c, systemd.c), which start
 * the fdreport helpers and report what they received. See test_main() in
 * testutil.h for the command line.
 */
#include "testutil.h"

int run_loader_tests(void);
int run_loader_nomem_tests(void);
int run_tags_tests(void);
int run_script_tests(void);
int run_schema_note_tests(void);
int run_paths_tests(void);
int run_dry_run_tests(void);
int run_cli_tests(void);
int run_start_tests(void);
int run_plain_tests(void);
int run_systemd_tests(void);

int
main(int argc, char **argv)
{
	static const struct test_group groups[] = {
	    {"loader", run_loader_tests},
	    {"loader-nomem", run_loader_nomem_tests},
	    {"tags", run_tags_tests},
	    {"script", run_script_tests},
	    {"schema-note", run_schema_note_tests},
	    {"paths", run_paths_tests},
	    {"dry-run", run_dry_run_tests},
	    {"cli", run_cli_tests},
	    {"start", run_start_tests},
	    {"plain", run_plain_tests},
	    {"systemd", run_systemd_tests},
	};

	return test_main(argc, argv, groups,
	    sizeof(groups) / sizeof(groups[0]));
}
