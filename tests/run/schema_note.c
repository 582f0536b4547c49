/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of the published table: PROGRAM_SCHEMA() in this very test
 * program, with an entry of every kind, read back from the program file by
 * the reader cloudabi-run uses (cloudabi-run/schema_note.c) and put into
 * words; and the loader's marks of the root map's entries, which
 * cloudabi-run points at when a configuration does not fit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

#include "loader.h"
#include "schema_note.h"
#include "testutil.h"

struct worker {
	const char *name;
};

struct config {
	int log;
	int16_t offset;
	uint16_t ports[8];
	size_t nports;
	int dirs[4];
	size_t ndirs;
	struct worker workers[3];
	size_t nworkers;
	struct worker others[5];
	size_t nothers;
	struct worker main_worker;
	struct timespec when;
	bool verbose;
	const char *averyveryverylongkeyofexactly32;
};

static const struct argdata_field worker_fields[] = {
    ARGDATA_KEY(struct worker, name, "name", ARGDATA_REQUIRED),
};
static const struct argdata_schema worker_schema =
    ARGDATA_SCHEMA(worker_fields, 0);

static int
each(const argdata_t *element, size_t index, void *out, void *arg)
{
	return 0;
}

#define CONFIG_KEYS(X)                                                         \
	X(KEY_FD, struct config, log, "log",                                   \
	    ARGDATA_REQUIRED | ARGDATA_FD_WRITABLE)                            \
	X(KEY, struct config, offset, "offset", 0, .def_int = -1)              \
	X(KEY_ARRAY, struct config, ports, nports, "ports", 0)                 \
	X(KEY_ARRAY_OF_FDS, struct config, dirs, ndirs, "dirs",                \
	    ARGDATA_FD_DIRECTORY)                                              \
	X(KEY_ARRAY_OF_MAPS, struct config, workers, nworkers, "workers",      \
	    worker_schema, 0)                                                  \
	X(KEY_MAP, struct config, main_worker, "main", worker_schema, 0)       \
	X(KEY_TIMESTAMP, struct config, when, "when", 0)                       \
	X(KEY, struct config, verbose, "verbose", 0)                           \
	X(KEY, struct config, averyveryverylongkeyofexactly32,                 \
	    "averyveryverylongkeyofexactly32!", 0)                             \
	X(KEY_EACH, "each", each, NULL, 0)                                     \
	X(OTHER_KEYS, struct config, others, nothers, struct worker, name,     \
	    worker_schema)
PROGRAM_SCHEMA(config_fields, CONFIG_KEYS, 0);

static void
test_schema_note__own_table_read_back(void **state)
{
	static struct schema_table t;
	char what[256];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	static const struct {
		const char *key, *what;
		unsigned flags;
	} want[] = {
	    {"log", "a descriptor open for writing",
	        ARGDATA_REQUIRED | ARGDATA_FD_WRITABLE},
	    {"offset", "an integer from -32768 to 32767", 0},
	    {"ports", "a sequence of up to 8, each an integer from 0 to 65535",
	        0},
	    {"dirs", "a sequence of up to 4, each a directory",
	        ARGDATA_FD_DIRECTORY},
	    {"workers", "a sequence of up to 3, each a map", 0},
	    {"main", "a map", 0},
	    {"when", "a timestamp", 0},
	    {"verbose", "a boolean", 0},
	    {"averyveryverylongkeyofexactly32!", "a string", 0},
	    {"each", "a sequence", 0},
	    {"", "a sequence of up to 5, each a map", 0},
	};

	assert_true(fd >= 0);
	assert_int_equal(schema_note_read_fd(fd, &t), 0);
	close(fd);
	/* The same fields as the schema the program reads with. */
	assert_int_equal(program_schema.nfields, t.nkeys);
	assert_int_equal(t.nkeys, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < t.nkeys; i++) {
		assert_string_equal(t.keys[i].key, want[i].key);
		assert_string_equal(
		    schema_describe(&t.keys[i], what, sizeof(what)),
		    want[i].what);
		assert_int_equal(t.keys[i].flags, want[i].flags);
		assert_int_equal(t.keys[i].type, config_fields[i].type);
	}
}

static void
test_schema_note__files_without_table(void **state)
{
	static struct schema_table t;
	int fd = open("/bin/sh", O_RDONLY | O_CLOEXEC);
	int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int mem = memfd_create("not elf", MFD_CLOEXEC);
	char self[4096];
	ssize_t n;

	assert_true(fd >= 0 && dir >= 0 && mem >= 0);
	/* An ELF program that publishes nothing. */
	assert_int_equal(schema_note_read_fd(fd, &t), ENOENT);
	close(fd);
	/*
	 * Open O_PATH only, as cloudabi-run opens an execute-only program;
	 * by its path, since valgrind hands out a readable descriptor for
	 * opens of /proc/self/exe itself.
	 */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	fd = open(self, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(schema_note_read_fd(fd, &t), EBADF);
	assert_int_equal(schema_note_read_fd(dir, &t), ENOEXEC);
	assert_int_equal(write(mem, "#!/bin/sh\n", 10), 10);
	assert_int_equal(schema_note_read_fd(mem, &t), ENOEXEC);
	close(fd);
	close(dir);
	close(mem);
}

/* The marks of yaml's root entries, as "L:C L:C ...", into out. */
static void
root_marks(const char *yaml, char *out, size_t size, loader_mark_t *root)
{
	loader_t *ld = loader_create("t.yaml", NULL, 0, NULL, NULL);
	const loader_mark_t *m;
	const argdata_t *tree;
	size_t n;

	assert_non_null(ld);
	assert_int_equal(loader_load_string(ld, yaml, strlen(yaml), &tree), 0);
	n = loader_root_marks(ld, root, &m);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%zu:%zu",
		    i == 0 ? "" : " ", m[i].line, m[i].column);
	loader_free(ld);
}

static void
test_loader_root_marks__keys_and_values(void **state)
{
	loader_mark_t root;
	char got[256];

	root_marks("# c\na: 1\nbb:\n  - x\n  - {y: 2}\n&k c: *k\n", got,
	    sizeof(got), &root);
	assert_string_equal(got, "2:1 2:4 3:1 4:3 6:1 6:7");
	assert_int_equal(root.line, 2);
	assert_int_equal(root.column, 1);
	root_marks("--- {a: [1, 2], b: 3}\n", got, sizeof(got), &root);
	assert_string_equal(got, "1:6 1:9 1:17 1:20");
	/* Not a map: no entries. */
	root_marks("- a: 1\n", got, sizeof(got), &root);
	assert_string_equal(got, "");
	root_marks("7\n", got, sizeof(got), &root);
	assert_string_equal(got, "");
	assert_int_equal(root.line, 1);
}

/* The group, which main.c runs. */
int run_schema_note_tests(void);

int
run_schema_note_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_schema_note__own_table_read_back),
	    TEST_CASE(test_schema_note__files_without_table),
	    TEST_CASE(test_loader_root_marks__keys_and_values),
	};

	return cmocka_run_group_tests_name("schema-note", tests, NULL, NULL);
}
