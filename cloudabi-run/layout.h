/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layout.h - a plain program's configuration as program_attr_t options,
 * and the dry run's table of descriptors, argv and environment
 * (layout.c).
 */
#ifndef CLOUDABI_RUN_LAYOUT_H
#define CLOUDABI_RUN_LAYOUT_H

#include <stdio.h>

#include <program.h>

#include "tags.h"

/*
 * Sets attr for the plain program rc->plain describes: the layout, its
 * standard descriptors, named descriptors, arguments and environment.
 * Returns 0 or an errno value.
 */
int run_attr_plain(program_attr_t *attr, const struct run_context *rc);

/*
 * Prints what the program would get with attr: its descriptor table
 * (number, name, kind, where it comes from, where the configuration names
 * it), argv and environment. fds are the tree's descriptors (none for a
 * plain program, whose tree is NULL), named by where they first appear
 * in it. Stores in *slots (free() it) the program's descriptors
 * in cloudabi-run's numbers, /dev/null left out, and their count in
 * *nslots. Returns 0 or an errno value.
 */
int run_print_layout(FILE *out, const program_attr_t *attr,
    const struct run_context *rc, const argdata_t *tree, const int *fds,
    size_t nfds, const char *config_name, int **slots, size_t *nslots);

#endif
