/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cloudabi_compat.c - compiled as C and as C++ by cloudabi-compat.sh: every
 * function of CloudABI's <argdata.h> taken by address as the type that
 * header gives it, its macros, and the include guard of its <program.h>.
 * A signature that differs (argdata_reader_release_fd returned int here
 * once) fails to compile; the program then checks the alignment macros.
 */
#include <argdata.h>
#include <program.h>

#include <stdio.h>

#ifndef CLOUDABI_PROGRAM_H
#error "program.h does not define CloudABI's include guard"
#endif
#ifndef ARGDATA_MAX_ALIGN
#error "argdata.h does not define ARGDATA_MAX_ALIGN"
#endif
/* CloudABI's header includes <stdalign.h>, so programs may rely on it. */
#ifndef __cplusplus
#ifndef __alignas_is_defined
#error "argdata.h does not include <stdalign.h>"
#endif
#endif

struct timespec;

/*
 * Each entry converts the function to CloudABI's type first: the implicit
 * conversion of an initializer, which compilers refuse (C++) or warn about
 * (C, an error with -Werror) when the types differ.
 */
typedef void (*release_fd_t)(argdata_reader_t *, int);
static const release_fd_t release_fd = argdata_reader_release_fd;
typedef argdata_t *(
    *from_buffer_t)(const void *, size_t, int (*)(void *, size_t), void *);
static const from_buffer_t from_buffer = argdata_from_buffer;
typedef argdata_t *(*create_binary_t)(const void *, size_t);
static const create_binary_t create_binary = argdata_create_binary;
typedef argdata_t *(*create_fd_t)(int);
static const create_fd_t create_fd = argdata_create_fd;
typedef argdata_t *(*create_float_t)(double);
static const create_float_t create_float = argdata_create_float;
typedef argdata_t *(*create_int_s_t)(intmax_t);
static const create_int_s_t create_int_s = argdata_create_int_s;
typedef argdata_t *(*create_int_u_t)(uintmax_t);
static const create_int_u_t create_int_u = argdata_create_int_u;
typedef argdata_t *(
    *create_map_t)(argdata_t const *const *, argdata_t const *const *, size_t);
static const create_map_t create_map = argdata_create_map;
typedef argdata_t *(*create_seq_t)(argdata_t const *const *, size_t);
static const create_seq_t create_seq = argdata_create_seq;
typedef argdata_t *(*create_str_t)(const char *, size_t);
static const create_str_t create_str = argdata_create_str;
typedef argdata_t *(*create_str_c_t)(const char *);
static const create_str_c_t create_str_c = argdata_create_str_c;
typedef argdata_t *(*create_timestamp_t)(const struct timespec *);
static const create_timestamp_t create_timestamp = argdata_create_timestamp;
typedef void (*free_t)(argdata_t *);
static const free_t free_value = argdata_free;
typedef void (*serialized_length_t)(const argdata_t *, size_t *, size_t *);
static const serialized_length_t serialized_length = argdata_serialized_length;
typedef size_t (*serialize_t)(const argdata_t *, void *, int *);
static const serialize_t serialize = argdata_serialize;
typedef int (*get_binary_t)(const argdata_t *, const void **, size_t *);
static const get_binary_t get_binary = argdata_get_binary;
typedef int (*get_bool_t)(const argdata_t *, bool *);
static const get_bool_t get_bool = argdata_get_bool;
typedef int (*get_fd_t)(const argdata_t *, int *);
static const get_fd_t get_fd = argdata_get_fd;
typedef int (*get_float_t)(const argdata_t *, double *);
static const get_float_t get_float = argdata_get_float;
typedef int (*get_int_s_t)(const argdata_t *, intmax_t *, intmax_t, intmax_t);
static const get_int_s_t get_int_s = argdata_get_int_s;
typedef int (*get_int_u_t)(const argdata_t *, uintmax_t *, uintmax_t);
static const get_int_u_t get_int_u = argdata_get_int_u;
typedef int (*get_str_t)(const argdata_t *, const char **, size_t *);
static const get_str_t get_str = argdata_get_str;
typedef int (*get_str_c_t)(const argdata_t *, const char **);
static const get_str_c_t get_str_c = argdata_get_str_c;
typedef int (*get_timestamp_t)(const argdata_t *, struct timespec *);
static const get_timestamp_t get_timestamp = argdata_get_timestamp;
typedef void (*map_iterate_t)(const argdata_t *, argdata_map_iterator_t *);
static const map_iterate_t map_iterate = argdata_map_iterate;
typedef bool (*map_get_t)(const argdata_map_iterator_t *, const argdata_t **,
    const argdata_t **);
static const map_get_t map_get = argdata_map_get;
typedef void (*map_next_t)(argdata_map_iterator_t *);
static const map_next_t map_next = argdata_map_next;
typedef void (*seq_iterate_t)(const argdata_t *, argdata_seq_iterator_t *);
static const seq_iterate_t seq_iterate = argdata_seq_iterate;
typedef bool (*seq_get_t)(const argdata_seq_iterator_t *, const argdata_t **);
static const seq_get_t seq_get = argdata_seq_get;
typedef void (*seq_next_t)(argdata_seq_iterator_t *);
static const seq_next_t seq_next = argdata_seq_next;
typedef void (*print_yaml_t)(const argdata_t *, FILE *);
static const print_yaml_t print_yaml = argdata_print_yaml;
typedef argdata_reader_t *(*reader_create_t)(size_t, size_t);
static const reader_create_t reader_create = argdata_reader_create;
typedef void (*reader_free_t)(argdata_reader_t *);
static const reader_free_t reader_free = argdata_reader_free;
typedef const argdata_t *(*reader_get_t)(const argdata_reader_t *);
static const reader_get_t reader_get = argdata_reader_get;
typedef int (*reader_pull_t)(argdata_reader_t *, int);
static const reader_pull_t reader_pull = argdata_reader_pull;
typedef argdata_writer_t *(*writer_create_t)(void);
static const writer_create_t writer_create = argdata_writer_create;
typedef void (*writer_free_t)(argdata_writer_t *);
static const writer_free_t writer_free = argdata_writer_free;
typedef int (*writer_push_t)(argdata_writer_t *, int);
static const writer_push_t writer_push = argdata_writer_push;
typedef void (*writer_set_t)(argdata_writer_t *, const argdata_t *);
static const writer_set_t writer_set = argdata_writer_set;

/* A type aligned with CloudABI's macro, as its iterators are. */
struct aligned {
	ARGDATA_MAX_ALIGN char c;
};

int
main(void)
{
	const void *entries[] = {
	    (const void *)&release_fd,
	    (const void *)&from_buffer,
	    (const void *)&create_binary,
	    (const void *)&create_fd,
	    (const void *)&create_float,
	    (const void *)&create_int_s,
	    (const void *)&create_int_u,
	    (const void *)&create_map,
	    (const void *)&create_seq,
	    (const void *)&create_str,
	    (const void *)&create_str_c,
	    (const void *)&create_timestamp,
	    (const void *)&free_value,
	    (const void *)&serialized_length,
	    (const void *)&serialize,
	    (const void *)&get_binary,
	    (const void *)&get_bool,
	    (const void *)&get_fd,
	    (const void *)&get_float,
	    (const void *)&get_int_s,
	    (const void *)&get_int_u,
	    (const void *)&get_str,
	    (const void *)&get_str_c,
	    (const void *)&get_timestamp,
	    (const void *)&map_iterate,
	    (const void *)&map_get,
	    (const void *)&map_next,
	    (const void *)&seq_iterate,
	    (const void *)&seq_get,
	    (const void *)&seq_next,
	    (const void *)&print_yaml,
	    (const void *)&reader_create,
	    (const void *)&reader_free,
	    (const void *)&reader_get,
	    (const void *)&reader_pull,
	    (const void *)&writer_create,
	    (const void *)&writer_free,
	    (const void *)&writer_push,
	    (const void *)&writer_set,
	};
	argdata_reader_t *reader;

	(void)entries;
	if (alignof(struct aligned) != alignof(max_align_t) ||
	    alignof(argdata_map_iterator_t) != alignof(max_align_t) ||
	    alignof(argdata_seq_iterator_t) != alignof(max_align_t)) {
		puts("iterators are not aligned as max_align_t");
		return 1;
	}
	/* The CloudABI form of release_fd, called through its own type. */
	reader = reader_create(64, 1);
	if (reader == NULL)
		return 1;
	release_fd(reader, 0);
	reader_free(reader);
	puts("compatible");
	return 0;
}
