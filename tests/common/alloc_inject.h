/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * alloc_inject.h - allocation failure injection for the tests, the one
 * injector every test that makes allocations fail uses. A test executable
 * links tests/common's alloc_inject library with alloc_wrap_args (see
 * tests/meson.build): -Wl,--wrap= for malloc, calloc, realloc,
 * reallocarray, free, strdup and strndup. Allocations are counted, the
 * chosen ones fail with ENOMEM, and every block handed out is tracked, so
 * that a test can check that nothing leaked. By default none fails.
 */
#ifndef ARGDATA_ALLOC_INJECT_H
#define ARGDATA_ALLOC_INJECT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Starts counting allocations from zero: the n-th one from now (counting
 * from 1) fails, and only that one; 0: none fails.
 */
void alloc_inject_reset(size_t fail_at);

/*
 * A budget instead: counting from zero, the next n allocations succeed and
 * every one after them fails, until alloc_inject_stop() or a reset.
 */
void alloc_inject_budget(size_t n);

/* No allocation fails any more (counting and tracking go on). */
void alloc_inject_stop(void);

/* The number of allocations attempted since the last reset or budget. */
size_t alloc_inject_count(void);

/* Whether an injected failure has happened since then. */
bool alloc_inject_failed(void);

/* The number of blocks handed out by the wrappers and not yet freed. */
size_t alloc_inject_live(void);

#endif
