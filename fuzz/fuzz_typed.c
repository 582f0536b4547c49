/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz harness for typed extraction: the bytes read with argdata_read_map()
 * through a schema that uses every field type, once as the encoded root
 * and once inside a map made in memory. Whatever the bytes, the result is
 * 0 or a documented errno value with a message, strings point inside the
 * input, and counts stay within their arrays.
 */
#include <argdata.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

struct worker {
	const char *name;
	uint16_t port;
	int8_t nice;
	bool enabled;
	double weight;
};

static const struct argdata_field worker_fields[] = {
    ARGDATA_KEY(struct worker, name, "name", ARGDATA_REQUIRED),
    ARGDATA_KEY(struct worker, port, "port", 0, .def_int = 80),
    ARGDATA_KEY(struct worker, nice, "nice", 0),
    ARGDATA_KEY(struct worker, enabled, "enabled", 0),
    ARGDATA_KEY(struct worker, weight, "weight", 0),
};
static const struct argdata_schema worker_schema =
    ARGDATA_SCHEMA(worker_fields, ARGDATA_IGNORE_UNKNOWN);

struct entry {
	const char *key;
	int64_t value;
};

static const struct argdata_field entry_fields[] = {
    ARGDATA_KEY(struct entry, value, "value", 0),
};
static const struct argdata_schema entry_schema =
    ARGDATA_SCHEMA(entry_fields, 0);

struct extra {
	struct entry e[4];
	size_t n;
	uint64_t id;
};

static const struct argdata_field extra_fields[] = {
    ARGDATA_KEY(struct extra, id, "id", 0),
    ARGDATA_OTHER_KEYS(struct extra, e, n, struct entry, key, entry_schema),
};
static const struct argdata_schema extra_schema =
    ARGDATA_SCHEMA(extra_fields, 0);

struct config {
	int listen;
	int logs[3];
	size_t nlogs;
	const char *title;
	struct argdata_bytes blob;
	struct timespec start;
	int32_t ints[5];
	size_t nints;
	struct worker workers[3];
	size_t nworkers;
	struct extra extra;
	size_t each;
	uint8_t small;
	int64_t big;
};

static int
each(const argdata_t *element, size_t index, void *out, void *arg)
{
	struct config *c = out;
	argdata_type_t type;

	(void)arg;
	if (argdata_get_type(element, &type) != 0)
		return EINVAL;
	c->each += index;
	return type == ARGDATA_TYPE_MAP ? EDOM : 0;
}

static const struct argdata_field config_fields[] = {
    ARGDATA_KEY_FD(struct config, listen, "listen", 0),
    ARGDATA_KEY_ARRAY_OF_FDS(struct config, logs, nlogs, "logs",
        ARGDATA_FD_WRITABLE),
    ARGDATA_KEY(struct config, title, "title", 0, .def_str = "t"),
    ARGDATA_KEY(struct config, blob, "blob", 0),
    ARGDATA_KEY_TIMESTAMP(struct config, start, "start", 0),
    ARGDATA_KEY_ARRAY(struct config, ints, nints, "ints", 0),
    ARGDATA_KEY_ARRAY_OF_MAPS(struct config, workers, nworkers, "workers",
        worker_schema, 0),
    ARGDATA_KEY_MAP(struct config, extra, "extra", extra_schema, 0),
    ARGDATA_KEY_EACH("each", each, NULL, 0),
    ARGDATA_KEY(struct config, small, "small", 0),
    ARGDATA_KEY(struct config, big, "big", ARGDATA_REQUIRED),
};
static const struct argdata_schema config_schema =
    ARGDATA_SCHEMA(config_fields, 0);

/* A map of names the user chose, each a worker: its own fast path. */
struct named_worker {
	struct worker w;
	const char *name;
};

static const struct argdata_field named_fields[] = {
    ARGDATA_KEY(struct named_worker, w.name, "name", ARGDATA_REQUIRED),
    ARGDATA_KEY(struct named_worker, w.port, "port", 0),
    ARGDATA_KEY(struct named_worker, w.enabled, "enabled", 0),
};
static const struct argdata_schema named_schema =
    ARGDATA_SCHEMA(named_fields, 0);

struct dict {
	struct named_worker e[4];
	size_t n;
};

static const struct argdata_field dict_fields[] = {
    ARGDATA_OTHER_KEYS(struct dict, e, n, struct named_worker, name,
        named_schema),
};
static const struct argdata_schema dict_schema = ARGDATA_SCHEMA(dict_fields, 0);

/* The input wrapped in a map made in memory: {"config": input}. */
struct wrapper {
	struct config config;
};

static const struct argdata_field wrapper_fields[] = {
    ARGDATA_KEY_MAP(struct wrapper, config, "config", config_schema,
        ARGDATA_REQUIRED),
};
static const struct argdata_schema wrapper_schema =
    ARGDATA_SCHEMA(wrapper_fields, 0);

/*
 * Descriptor numbers 0 to 2 stand for the standard descriptors, which the
 * kind checks may examine but nothing changes; the rest are unavailable.
 */
static int
convert_std(void *arg, size_t number)
{
	(void)arg;
	return number < 3 ? (int)number : -1;
}

static bool
inside(const void *p, const uint8_t *data, size_t size)
{
	const uint8_t *q = p;

	return q >= data && q <= data + size;
}

static void
check(int error, const char *msg, const struct config *c, const uint8_t *data,
    size_t size)
{
	FUZZ_CHECK(error == 0 || error == EINVAL || error == ERANGE ||
	    error == EILSEQ || error == EBADF || error == EDOM);
	FUZZ_CHECK(strlen(msg) < 256);
	if (error != 0) {
		FUZZ_CHECK(msg[0] != '\0');
		return;
	}
	FUZZ_CHECK(msg[0] == '\0');
	FUZZ_CHECK(c->nlogs <= 3 && c->nints <= 5 && c->nworkers <= 3);
	FUZZ_CHECK(c->extra.n <= 4);
	FUZZ_CHECK(strcmp(c->title, "t") == 0 || inside(c->title, data, size));
	for (size_t i = 0; i < c->nworkers; i++)
		FUZZ_CHECK(inside(c->workers[i].name, data, size));
	for (size_t i = 0; i < c->extra.n; i++)
		FUZZ_CHECK(inside(c->extra.e[i].key, data, size));
	FUZZ_CHECK(c->start.tv_nsec >= 0 && c->start.tv_nsec < 1000000000);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wrapper w;
	char msg[256];
	argdata_t *ad, *key, *map;
	int error;

	ad = argdata_from_buffer(data, size, convert_std, NULL);
	if (ad == NULL)
		return 0;
	memset(&w, 0, sizeof(w));
	error =
	    argdata_read_map(ad, &config_schema, &w.config, msg, sizeof(msg));
	check(error, msg, &w.config, data, size);

	/* The same inside a map made in memory: its own path, then bytes. */
	key = argdata_create_str_c("config");
	map = key == NULL ? NULL
	                  : argdata_create_map((const argdata_t *const *)&key,
	                        (const argdata_t *const *)&ad, 1);
	if (map != NULL) {
		int error2;

		memset(&w, 0, sizeof(w));
		error2 = argdata_read_map(map, &wrapper_schema, &w, msg,
		    sizeof(msg));
		FUZZ_CHECK(error2 == error);
		check(error2, msg, &w.config, data, size);
		FUZZ_CHECK(error2 == 0 || strncmp(msg, "config", 6) == 0);
	}
	argdata_free(map);
	argdata_free(key);

	/* The same bytes as a map of names. */
	static struct dict d;
	memset(&d, 0, sizeof(d));
	error = argdata_read_map(ad, &dict_schema, &d, msg, sizeof(msg));
	FUZZ_CHECK(error == 0 || error == EINVAL || error == ERANGE ||
	    error == EILSEQ);
	FUZZ_CHECK(error == 0 ? msg[0] == '\0' : msg[0] != '\0');
	if (error == 0) {
		FUZZ_CHECK(d.n <= 4);
		for (size_t i = 0; i < d.n; i++)
			FUZZ_CHECK(inside(d.e[i].name, data, size) &&
			    inside(d.e[i].w.name, data, size));
	}
	argdata_free(ad);
	return 0;
}
