/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema_check.h - cloudabi-run's check of a configuration against the
 * table the program publishes (PROGRAM_SCHEMA() in <program.h>), before
 * the program starts: --check does only that, --dry-run prints the table
 * ("PROGRAM EXPECTS"), and a start refuses a configuration that does not
 * fit with config.yaml:LINE:COLUMN and what the program expected.
 */
#ifndef RUN_SCHEMA_CHECK_H
#define RUN_SCHEMA_CHECK_H

#include <stdio.h>

#include <argdata.h>

#include "loader.h"
#include "schema_note.h"
#include "tags.h"

/*
 * The table of the program open at execfd (name as given), or NULL when it
 * publishes none or cannot be read (execute-only: execfd is O_PATH). A
 * table that is there but malformed is refused in one line with exit
 * status RUN_EXIT_CANNOT_EXEC; out of memory with RUN_EXIT_OSERR. free()
 * the result.
 */
struct schema_table *run_schema_read(const char *name, int execfd);

/*
 * Checks the tree that ld loaded from config_name against t: the root a
 * map, every required key there, no key the program does not know (unless
 * the table ignores them), each value of the type the table says, integers
 * in the range of their member, sequences no longer than their capacity,
 * descriptors of the kind expected (a listening stream socket, a
 * directory, a regular file, a socket, open for reading or writing: from
 * rc's resources and the descriptors themselves). Nested maps are only
 * checked to be maps. Returns 0 when it fits, or prints one line
 * "config.yaml:LINE:COLUMN: KEY: this program expects ..., found ..." and
 * returns RUN_EXIT_CONFIG.
 */
int run_schema_check(const struct schema_table *t, const char *config_name,
    const loader_t *ld, const argdata_t *tree, const struct run_context *rc);

#endif
