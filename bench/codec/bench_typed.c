/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The codec benchmark's other libargdata rows: building with the streaming
 * encoder (config, ints, deep), and reading "config" with typed extraction
 * into an array of structs, then walking the structs for the same sums as
 * the other codecs' walks.
 */
#include <argdata.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static void
stream_build_done(struct encoded *out)
{
	argdata_encoder_free(out->state);
	out->state = NULL;
}

static int
stream_build(const struct dataset *ds, enum subject s, struct encoded *out)
{
	argdata_encoder_t *e = argdata_encoder_create();
	const int *fds;
	const void *data;
	size_t nfds;

	out->state = e;
	if (e == NULL)
		return -1;
	switch (s) {
	case SUBJECT_CONFIG:
		argdata_encode_map_begin(e);
		for (size_t i = 0; i < ds->nconfig; i++) {
			const struct config_entry *c = &ds->config[i];

			argdata_encode_str(e, c->key, c->keylen);
			argdata_encode_map_begin(e);
			argdata_encode_str(e, "name", 4);
			argdata_encode_str(e, c->name, 20);
			argdata_encode_str(e, "port", 4);
			argdata_encode_int_s(e, c->port);
			argdata_encode_str(e, "enabled", 7);
			argdata_encode_bool(e, c->enabled);
			argdata_encode_str(e, "ratio", 5);
			argdata_encode_float(e, c->ratio);
			argdata_encode_str(e, "sock", 4);
			argdata_encode_fd(e, c->sock);
			argdata_encode_end(e);
		}
		argdata_encode_end(e);
		break;
	case SUBJECT_INTS:
		argdata_encode_seq_begin(e);
		for (size_t i = 0; i < ds->nints; i++)
			argdata_encode_int_s(e, ds->ints[i]);
		argdata_encode_end(e);
		break;
	default:
		for (size_t i = 0; i <= ds->depth; i++)
			argdata_encode_seq_begin(e);
		for (size_t i = 0; i <= ds->depth; i++)
			argdata_encode_end(e);
		break;
	}
	if (argdata_encoder_finish(e, &data, &out->len, &fds, &nfds) != 0)
		return -1;
	out->buf = data;
	return 0;
}

const struct codec codec_argdata_stream = {
    .name = "argdata-stream",
    .build = stream_build,
    .build_done = stream_build_done,
};

/* One entry of "config" as a program would hold it. */
struct typed_entry {
	struct argdata_str key;
	struct argdata_str name;
	int64_t port;
	bool enabled;
	double ratio;
	int sock;
};

struct typed_config {
	struct typed_entry entry[10000];
	size_t n;
};

static const struct argdata_field entry_fields[] = {
    ARGDATA_KEY(struct typed_entry, name, "name", ARGDATA_REQUIRED),
    ARGDATA_KEY(struct typed_entry, port, "port", ARGDATA_REQUIRED),
    ARGDATA_KEY(struct typed_entry, enabled, "enabled", 0),
    ARGDATA_KEY(struct typed_entry, ratio, "ratio", 0),
    ARGDATA_KEY_FD(struct typed_entry, sock, "sock", ARGDATA_REQUIRED),
};
static const struct argdata_schema entry_schema =
    ARGDATA_SCHEMA(entry_fields, 0);

static const struct argdata_field config_fields[] = {
    ARGDATA_OTHER_KEYS(struct typed_config, entry, n, struct typed_entry, key,
        entry_schema),
};
static const struct argdata_schema config_schema =
    ARGDATA_SCHEMA(config_fields, 0);

static struct typed_config config;

static int
convert_fd(void *arg, size_t fd)
{
	(void)arg;
	return fd <= INT_MAX ? (int)fd : -1;
}

/*
 * Reads "config" into the array and walks it, adding up what the tree
 * walks add up: every key and value (12 per entry, the root map once),
 * the bytes of every string, keys included.
 */
static int
typed_decode(const unsigned char *buf, size_t len, struct walk_sum *sum,
    void **state)
{
	argdata_t *ad = argdata_from_buffer(buf, len, convert_fd, NULL);
	char msg[128];

	*state = ad;
	if (ad == NULL)
		return -1;
	if (argdata_read_map(ad, &config_schema, &config, msg, sizeof(msg)) !=
	    0)
		return -1;
	sum->values += 1 + 12 * config.n;
	for (size_t i = 0; i < config.n; i++) {
		const struct typed_entry *e = &config.entry[i];
		uint64_t bits;

		sum->strbytes += e->key.len + e->name.len + (4 + 4 + 7 + 5 + 4);
		sum->ints += (uint64_t)e->port;
		sum->trues += e->enabled;
		sum->fds += (uint64_t)e->sock;
		memcpy(&bits, &e->ratio, sizeof(bits));
		sum->floats += bits;
	}
	return 0;
}

static void
typed_decode_done(void *state)
{
	argdata_free(state);
}

const struct codec codec_argdata_typed = {
    .name = "argdata-typed",
    .decode = typed_decode,
    .decode_done = typed_decode_done,
};
