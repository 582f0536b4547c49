/*
 * Allocation failure injection for tests linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=reallocarray,
 * --wrap=free,--wrap=strdup,--wrap=strndup: the n-th allocation from now
 * fails, and every block handed out is tracked, so that a test can check
 * that nothing leaked.
 */
#ifndef ARGDATA_ALLOC_INJECT_H
#define ARGDATA_ALLOC_INJECT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Starts counting allocations from zero; the n-th one from now (counting
 * from 1) fails with ENOMEM, and only that one. 0: none fails.
 */
void alloc_inject_reset(size_t fail_at);

/* The number of allocations attempted since the last reset. */
size_t alloc_inject_count(void);

/* Whether the injected failure has happened since the last reset. */
bool alloc_inject_failed(void);

/* The number of blocks handed out by the wrappers and not yet freed. */
size_t alloc_inject_live(void);

#endif
