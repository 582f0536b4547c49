/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scenarios of the allocation failure test, and the encoded tree they
 * share. Each scenario returns 0, or ENOMEM after a clean failure, and
 * frees everything it made either way.
 */
#ifndef ARGDATA_ALLOC_SCENARIOS_H
#define ARGDATA_ALLOC_SCENARIOS_H

#include <stddef.h>

/* The encoding of test_alloc.c's tree, made by its first scenario. */
extern unsigned char alloc_reference[4096];
extern size_t alloc_reference_len;
int alloc_convert_fd(void *arg, size_t fd);

int print_yaml(void);
int stream_roundtrip(void);
int yaml_load(void);

/* alloc_typed.c: the streaming encoder and typed extraction. */
int encode_stream(void);
int typed_read(void);

/* alloc_chunks.c: the chunks values are carved from. */
void test_ad_node_alloc__chunks_reused(void **state);
void test_ad_node_alloc__spares_returned(void **state);
void test_argdata_free__other_thread(void **state);
void test_argdata_free__threads_at_once(void **state);
void test_argdata_free__owner_last(void **state);
void test_argdata_free__last_destructor_round(void **state);
void test_argdata_free__swapping_threads(void **state);

#endif
