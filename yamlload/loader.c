/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The YAML loader: a libyaml event stream to an argdata tree, with an
 * explicit stack instead of recursion, an anchor table whose aliases share
 * values, bounds on depth and alias expansion, and tag handlers that
 * receive the tagged node as written.
 *
 * Plain data is encoded as it arrives, straight into one output buffer, so
 * that a large configuration costs no allocation per value: a scalar is
 * written with its length prefix; a map or sequence reserves room for its
 * prefix when it opens and writes it, right-aligned, when it closes, leaving
 * a gap that one pass removes at the end. Only where a value must exist on
 * its own (an anchor, whose aliases share it, or a handler's value) does
 * the loader make argdata_t values, and then for the containers on the
 * path from it to the root, whose plain children become values over their
 * compacted bytes.
 *
 * Why one long file: the event state machine, the output buffer with its
 * gaps and the anchor table share struct loader and the invariants between
 * them (where a frame's prefix room lies, which gaps a compaction skips,
 * what an anchor's value points into). Split, each part would need all of
 * that in a header. The node API for tag handlers is node.c's.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grow.h"
#include "codec.h"
#include "encode.h"
#include "keyed_hash.h"
#include "loader.h"
#include "schema.h"

/* Memory freed all at once with the loader: strings, arrays, nodes. */
struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

#define CHUNK_SIZE ((size_t)64 << 10)

/* Values made or adopted by the loader, freed with it. */
struct owned {
	struct owned *next;
	size_t count;
	argdata_t *ad[1022];
};

struct anchor {
	const char *name;
	size_t hash;
	const argdata_t *ad;      /* NULL until the node is read, or in a tag */
	const loader_node_t *raw; /* the node as written, when kept */
	uint64_t nodes;           /* what an alias of it adds to the tree */
	bool open;                /* the node is still being read */
};

enum frame_kind { FRAME_SEQ, FRAME_MAP, FRAME_RAW_SEQ, FRAME_RAW_MAP };

/* Room a map or sequence keeps for its length prefix: any size_t fits. */
#define PREFIX_ROOM 10

/* Unused bytes in out, at off, removed when the bytes are compacted. */
struct gap {
	size_t off;
	size_t len;
};

struct frame {
	enum frame_kind kind;
	/* A raw frame whose node carries a handler's tag. */
	const loader_handler_t *handler;
	const char *tag;       /* raw frames: the tag, kept in the arena */
	size_t base;           /* the frame's first entry in its stack */
	uint64_t nodes_before; /* ld->nodes when the frame started */
	/* Cooked frames: where their bytes begin in out, their gap. */
	size_t pos;
	size_t gap;
	size_t gap_sum_before;
	bool has_value; /* a child is an argdata_t: the frame will be one */
	bool flow;      /* written in flow style, [ ] or { } */
	size_t anchor;  /* index + 1 in ld->anchors, or 0 */
	loader_mark_t mark;
};

struct loader {
	const char *file;
	const loader_handler_t *handlers;
	size_t nhandlers;
	void *ctx;
	loader_limits_t limits;

	struct chunk *chunks;
	struct owned *owned;

	struct frame *frames;
	size_t nframes, frames_cap;
	size_t raw_depth;  /* how many open frames are raw */
	size_t flow_depth; /* how many open frames are in flow style */

	/*
	 * Children of the open cooked frames: a value (an argdata_t pointer,
	 * even) or plain bytes in out (their offset times 2, plus 1).
	 */
	uintptr_t *kids;
	size_t nkids, kids_cap;
	/* Encoded plain data, and the gaps left before maps and sequences. */
	uint8_t *out;
	size_t out_len, out_cap;
	struct gap *gaps;
	size_t ngaps, gaps_cap;
	size_t gap_sum;             /* the lengths of all the gaps */
	const loader_node_t **raws; /* children of the open raw frames */
	size_t nraws, raws_cap;

	struct anchor *anchors;
	size_t nanchors, anchors_cap;
	size_t *slots;     /* hash table: index + 1 in anchors, 0 when free */
	uint64_t hash_key; /* see hash_name() */
	size_t nslots;

	uint64_t nodes; /* nodes of the tree so far, aliases expanded */
	/*
	 * Where the root node begins and, when it is a map, where each of its
	 * keys and values begins (loader_root_marks()).
	 */
	loader_mark_t root_mark;
	bool root_map;
	loader_mark_t *top_marks;
	size_t ntop, top_cap;
	/* The input, when known: to place the reader's errors. */
	const unsigned char *input;
	size_t input_len;
	FILE *input_file;
	const argdata_t *root;
	bool root_is_out; /* the root is the compacted bytes of out */
	bool loaded;
	bool failed;
	bool nomem;
	loader_error_t error;
};

static loader_mark_t
mark_of(yaml_mark_t m)
{
	return (loader_mark_t){.line = m.line + 1, .column = m.column + 1};
}

static void *
arena_alloc(loader_t *ld, size_t size)
{
	struct chunk *c = ld->chunks;
	size_t align = alignof(max_align_t);

	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	if (c == NULL || c->size - c->used < size) {
		size_t csize = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;

		if (csize > SIZE_MAX - sizeof(*c))
			return NULL;
		c = malloc(sizeof(*c) + csize);
		if (c == NULL)
			return NULL;
		c->size = csize;
		c->used = 0;
		/*
		 * A large block gets a chunk of its own, kept behind the
		 * current one so that the current one's room is not lost.
		 */
		if (csize != CHUNK_SIZE && ld->chunks != NULL) {
			c->next = ld->chunks->next;
			ld->chunks->next = c;
		} else {
			c->next = ld->chunks;
			ld->chunks = c;
		}
	}
	c->used += size;
	return c->data + c->used - size;
}

char *
loader_strdup(loader_t *ld, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX || (p = arena_alloc(ld, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void
set_error(loader_t *ld, loader_mark_t mark, const char *fmt, va_list ap)
{
	if (ld->failed)
		return;
	ld->failed = true;
	ld->error.file = ld->file;
	ld->error.mark = mark;
	vsnprintf(ld->error.message, sizeof(ld->error.message), fmt, ap);
	/* Keep the report on one line whatever the input held. */
	for (char *p = ld->error.message; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

const argdata_t *
loader_fail(loader_t *ld, loader_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(ld, mark, fmt, ap);
	va_end(ap);
	return NULL;
}

static int fail(loader_t *ld, loader_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(loader_t *ld, loader_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(ld, mark, fmt, ap);
	va_end(ap);
	return -1;
}

static int
fail_nomem(loader_t *ld, loader_mark_t mark)
{
	if (!ld->failed)
		ld->nomem = true;
	return fail(ld, mark, "out of memory");
}

static const argdata_t *
nomem_value(loader_t *ld, loader_mark_t mark)
{
	fail_nomem(ld, mark);
	return NULL;
}

const argdata_t *
loader_adopt(loader_t *ld, argdata_t *ad, loader_mark_t mark)
{
	struct owned *o = ld->owned;

	if (ad == NULL) {
		if (errno == ENOMEM) {
			return nomem_value(ld, mark);
		}
		return loader_fail(ld, mark, "%s",
		    errno == EILSEQ ? "a string of invalid UTF-8"
		                    : strerror(errno));
	}
	if (o == NULL || o->count == sizeof(o->ad) / sizeof(o->ad[0])) {
		o = malloc(sizeof(*o));
		if (o == NULL) {
			argdata_free(ad);
			return nomem_value(ld, mark);
		}
		o->count = 0;
		o->next = ld->owned;
		ld->owned = o;
	}
	o->ad[o->count++] = ad;
	return ad;
}

loader_t *
loader_create(const char *file, const loader_handler_t *handlers,
    size_t nhandlers, void *ctx, const loader_limits_t *limits)
{
	loader_t *ld = calloc(1, sizeof(*ld));

	if (ld == NULL)
		return NULL;
	ld->file = file;
	ld->hash_key = ad_hash_key(ld);
	ld->handlers = handlers;
	ld->nhandlers = nhandlers;
	ld->ctx = ctx;
	if (limits != NULL)
		ld->limits = *limits;
	if (ld->limits.max_depth == 0)
		ld->limits.max_depth = LOADER_DEFAULT_MAX_DEPTH;
	if (ld->limits.max_flow_depth == 0)
		ld->limits.max_flow_depth = LOADER_DEFAULT_MAX_FLOW_DEPTH;
	if (ld->limits.max_nodes == 0)
		ld->limits.max_nodes = LOADER_DEFAULT_MAX_NODES;
	if (ld->limits.max_bytes == 0)
		ld->limits.max_bytes = LOADER_DEFAULT_MAX_BYTES;
	return ld;
}

void
loader_free(loader_t *ld)
{
	int saved = errno;

	if (ld == NULL)
		return;
	while (ld->owned != NULL) {
		struct owned *o = ld->owned;

		ld->owned = o->next;
		for (size_t i = 0; i < o->count; i++)
			argdata_free(o->ad[i]);
		free(o);
	}
	while (ld->chunks != NULL) {
		struct chunk *c = ld->chunks;

		ld->chunks = c->next;
		free(c);
	}
	free(ld->frames);
	free(ld->kids);
	free(ld->out);
	free(ld->gaps);
	free(ld->raws);
	free(ld->anchors);
	free(ld->slots);
	free(ld->top_marks);
	free(ld);
	errno = saved;
}

const loader_error_t *
loader_error(const loader_t *ld)
{
	return ld->failed ? &ld->error : NULL;
}

const char *
loader_tag_display(loader_t *ld, const char *tag)
{
	size_t plen = strlen(LOADER_TAG_PREFIX);
	size_t ylen = strlen(SCHEMA_YAML_PREFIX);
	const char *p, *name;
	size_t len;
	char *s;

	if (strncmp(tag, LOADER_TAG_PREFIX, plen) == 0) {
		p = "!";
		name = tag + plen;
	} else if (strncmp(tag, SCHEMA_YAML_PREFIX, ylen) == 0) {
		p = "!!";
		name = tag + ylen;
	} else if (tag[0] == '!') {
		p = "";
		name = tag;
	} else {
		p = "!<";
		name = tag;
	}
	len = strlen(p) + strlen(name) + 2;
	s = arena_alloc(ld, len);
	if (s == NULL)
		return "(out of memory)";
	snprintf(s, len, "%s%s%s", p, name, strcmp(p, "!<") == 0 ? ">" : "");
	return s;
}

/* The name a tag gives a handler ("fd" of "!fd"), or NULL for none. */
static const char *
handler_name(const char *tag)
{
	size_t plen = strlen(LOADER_TAG_PREFIX);

	if (tag[0] == '!' && tag[1] != '\0')
		return tag + 1;
	if (strncmp(tag, LOADER_TAG_PREFIX, plen) == 0)
		return tag + plen;
	return NULL;
}

/* The handler whose tag tag is, or NULL. */
static const loader_handler_t *
find_handler(const loader_t *ld, const char *tag)
{
	const char *name = handler_name(tag);

	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < ld->nhandlers; i++)
		if (strcmp(ld->handlers[i].name, name) == 0)
			return &ld->handlers[i];
	return NULL;
}

/* Tag names longer than this are compared by their first bytes only. */
#define SUGGEST_MAX 32

/*
 * The edit distance between a and b (insertions, deletions, substitutions
 * and swaps of two neighbours, each costing one), over their first
 * SUGGEST_MAX bytes: the text is the document's, so the cost is bounded.
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	size_t la = strnlen(a, SUGGEST_MAX), lb = strnlen(b, SUGGEST_MAX);

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/*
 * Fails for a tag no handler takes, naming the tags there are and, when
 * one is a likely typo away (one edit for names of up to four characters,
 * two for longer ones), suggesting it: "unknown tag !flie (did you mean
 * !file? known: !fd, !file, ...)".
 */
static int
fail_unknown_tag(loader_t *ld, loader_mark_t mark, const char *tag)
{
	const char *name = handler_name(tag), *nearest = NULL, *shown, *cut;
	char known[256] = "", hint[64] = "";
	size_t best = 3, used = 0;

	for (size_t i = 0; i < ld->nhandlers; i++) {
		const char *h = ld->handlers[i].name;
		int n = snprintf(known + used, sizeof(known) - used, "%s!%s",
		    i == 0 ? "" : ", ", h);
		size_t dist;

		if (n > 0 && (size_t)n < sizeof(known) - used)
			used += (size_t)n;
		if (name == NULL)
			continue;
		dist = edit_distance(name, h);
		if (dist < best && dist <= (strnlen(name, 5) < 5 ? 1u : 2u) &&
		    dist < strnlen(name, SUGGEST_MAX)) {
			best = dist;
			nearest = h;
		}
	}
	if (nearest != NULL)
		snprintf(hint, sizeof(hint), "did you mean !%.32s? ", nearest);
	/* A long tag is cut short, so that the list still fits. */
	shown = loader_tag_display(ld, tag);
	cut = strlen(shown) > 80 ? "..." : "";
	if (ld->nhandlers == 0)
		return fail(ld, mark, "unknown tag %.80s%s", shown, cut);
	return fail(ld, mark, "unknown tag %.80s%s (%sknown: %s)", shown, cut,
	    hint, known);
}

/* Anchors. */

/* Anchor names come from the document: hashed with a key (keyed_hash.h). */
static size_t
hash_name(const loader_t *ld, const char *s)
{
	return (size_t)ad_hash_string(ld->hash_key, s);
}

static struct anchor *
find_anchor(loader_t *ld, const char *name)
{
	size_t h = hash_name(ld, name);

	if (ld->nslots == 0)
		return NULL;
	for (size_t i = h & (ld->nslots - 1);; i = (i + 1) & (ld->nslots - 1)) {
		size_t slot = ld->slots[i];

		if (slot == 0)
			return NULL;
		if (ld->anchors[slot - 1].hash == h &&
		    strcmp(ld->anchors[slot - 1].name, name) == 0)
			return &ld->anchors[slot - 1];
	}
}

static void
insert_slot(size_t *slots, size_t nslots, size_t hash, size_t index)
{
	size_t i = hash & (nslots - 1);

	while (slots[i] != 0)
		i = (i + 1) & (nslots - 1);
	slots[i] = index + 1;
}

/*
 * Defines (or redefines, as YAML allows) the anchor name, open until its
 * node is read. Returns its index + 1, or 0 when out of memory.
 */
static size_t
define_anchor(loader_t *ld, const char *name)
{
	struct anchor *a = find_anchor(ld, name);

	if (a == NULL) {
		if (ad_grow(&ld->anchors, &ld->anchors_cap, ld->nanchors, 1,
		        sizeof(*ld->anchors), NULL) != 0)
			return 0;
		if (ld->nanchors * 2 >= ld->nslots) {
			size_t n = ld->nslots == 0 ? 64 : ld->nslots * 2;
			size_t *slots = calloc(n, sizeof(*slots));

			if (slots == NULL)
				return 0;
			for (size_t i = 0; i < ld->nanchors; i++)
				insert_slot(slots, n, ld->anchors[i].hash, i);
			free(ld->slots);
			ld->slots = slots;
			ld->nslots = n;
		}
		a = &ld->anchors[ld->nanchors];
		a->name = loader_strdup(ld, name, strlen(name));
		if (a->name == NULL)
			return 0;
		a->hash = hash_name(ld, name);
		insert_slot(ld->slots, ld->nslots, a->hash, ld->nanchors);
		ld->nanchors++;
	}
	a->ad = NULL;
	a->raw = NULL;
	a->nodes = 0;
	a->open = true;
	return (size_t)(a - ld->anchors) + 1;
}

static void
close_anchor(loader_t *ld, size_t anchor, const argdata_t *ad,
    const loader_node_t *raw, uint64_t nodes)
{
	struct anchor *a;

	if (anchor == 0)
		return;
	a = &ld->anchors[anchor - 1];
	a->ad = ad;
	a->raw = raw;
	a->nodes = nodes;
	a->open = false;
}

/* Counts nodes added to the tree and enforces the expansion bound. */
static int
count_nodes(loader_t *ld, uint64_t n, loader_mark_t mark)
{
	ld->nodes += n;
	if (ld->nodes > ld->limits.max_nodes)
		return fail(ld, mark,
		    "the document expands to more than %llu values "
		    "(aliases are counted as often as they are used)",
		    (unsigned long long)ld->limits.max_nodes);
	return 0;
}

static int
push_kid(loader_t *ld, uintptr_t kid, loader_mark_t mark)
{
	if (ad_grow(&ld->kids, &ld->kids_cap, ld->nkids, 1, sizeof(*ld->kids),
	        NULL) != 0)
		return fail_nomem(ld, mark);
	ld->kids[ld->nkids++] = kid;
	return 0;
}

/* A child that is a value of its own. */
static int
push_value(loader_t *ld, const argdata_t *ad, loader_mark_t mark)
{
	if (ld->nframes > 0)
		ld->frames[ld->nframes - 1].has_value = true;
	return push_kid(ld, (uintptr_t)ad, mark);
}

/* A child that is plain bytes in out, from pos. */
static int
push_bytes(loader_t *ld, size_t pos, loader_mark_t mark)
{
	return push_kid(ld, (uintptr_t)pos << 1 | 1, mark);
}

/* Room for n more bytes in out; NULL when out of memory. */
static uint8_t *
reserve(loader_t *ld, size_t n)
{
	/* Scalars come in small pieces: grow by 4 KiB at least. */
	if (n > ld->out_cap - ld->out_len &&
	    ad_grow(&ld->out, &ld->out_cap, ld->out_len, n < 4096 ? 4096 : n, 1,
	        NULL) != 0)
		return NULL;
	return ld->out + ld->out_len;
}

/*
 * Copies the bytes of out in [from, to) to dst, leaving out the gaps,
 * starting with gap *gi (which lies at or after from) and moving *gi past
 * the gaps it skipped. dst may be out itself, at or below from. Returns
 * the number of bytes written.
 */
static size_t
compact(loader_t *ld, size_t from, size_t to, size_t *gi, uint8_t *dst)
{
	size_t n = 0;

	while (from < to) {
		size_t stop = to;

		if (*gi < ld->ngaps && ld->gaps[*gi].off < to)
			stop = ld->gaps[*gi].off;
		memmove(dst + n, ld->out + from, stop - from);
		n += stop - from;
		if (stop == to)
			break;
		from = stop + ld->gaps[*gi].len;
		(*gi)++;
	}
	return n;
}

/*
 * Finds the encoding of the plain child whose bytes span [pos, end) of
 * out: skips the gap before a map or sequence and the length prefix.
 * Stores where the encoding starts and its length; moves *gi past the gap.
 */
static void
child_encoding(loader_t *ld, size_t pos, size_t end, size_t *gi, size_t *enc,
    size_t *len)
{
	const uint8_t *p, *field = NULL;
	size_t n = 0;

	if (*gi < ld->ngaps && ld->gaps[*gi].off == pos) {
		pos += ld->gaps[*gi].len;
		(*gi)++;
	}
	/*
	 * The loader wrote the prefix itself, so it reads; the bytes after
	 * it may still hold gaps, which only make the span longer than the
	 * length it gives.
	 */
	p = ld->out + pos;
	if (ad_read_subfield(&p, ld->out + end, &field, &n) != NULL) {
		field = ld->out + end;
		n = 0;
	}
	*enc = (size_t)(field - ld->out);
	*len = n;
}

/*
 * A value of its own over a compacted copy of the plain child whose bytes
 * span [pos, end) of out.
 */
static const argdata_t *
bytes_value(loader_t *ld, size_t pos, size_t end, size_t *gi,
    loader_mark_t mark)
{
	size_t enc, len;
	uint8_t *copy;

	child_encoding(ld, pos, end, gi, &enc, &len);
	copy = arena_alloc(ld, len);
	if (copy == NULL)
		return nomem_value(ld, mark);
	compact(ld, enc, end, gi, copy);
	return loader_adopt(ld, argdata_from_buffer(copy, len, NULL, NULL),
	    mark);
}

/* Forgets the bytes and gaps of out from pos and gap on. */
static void
truncate_out(loader_t *ld, size_t pos, size_t gap, size_t gap_sum)
{
	ld->out_len = pos;
	ld->ngaps = gap;
	ld->gap_sum = gap_sum;
}

static int
push_raw(loader_t *ld, const loader_node_t *node)
{
	if (ad_grow(&ld->raws, &ld->raws_cap, ld->nraws, 1, sizeof(*ld->raws),
	        NULL) != 0)
		return fail_nomem(ld, node->mark);
	ld->raws[ld->nraws++] = node;
	return 0;
}

static loader_node_t *
new_raw_scalar(loader_t *ld, const char *tag, const char *value, size_t len,
    bool plain, loader_mark_t mark)
{
	loader_node_t *n = arena_alloc(ld, sizeof(*n));

	if (n == NULL)
		return NULL;
	*n = (loader_node_t){
	    .kind = LOADER_SCALAR,
	    .tag = tag,
	    .mark = mark,
	    .value = loader_strdup(ld, value, len),
	    .length = len,
	    .plain = plain,
	};
	return n->value == NULL ? NULL : n;
}

/* Turns a scalar into a value. tag is NULL for none or "!". */
static const argdata_t *
cook_scalar(loader_t *ld, const char *tag, const char *value, size_t len,
    bool plain, loader_mark_t mark)
{
	struct scalar sc;
	const char *why;
	unsigned char *bin;
	size_t binlen;

	if (schema_resolve(tag, value, len, plain, &sc, &why) != 0) {
		if (strcmp(why, "unknown tag") == 0)
			return loader_fail(ld, mark, "unknown tag %s",
			    loader_tag_display(ld, tag));
		return loader_fail(ld, mark, "%s: %s", why, value);
	}
	switch (sc.type) {
	case ARGDATA_TYPE_NULL:
		return &argdata_null;
	case ARGDATA_TYPE_BOOL:
		return sc.boolean ? &argdata_true : &argdata_false;
	case ARGDATA_TYPE_INT:
		return loader_adopt(ld,
		    sc.negative ? argdata_create_int_s(
		                      -(intmax_t)(sc.magnitude - 1) - 1)
		                : argdata_create_int_u(sc.magnitude),
		    mark);
	case ARGDATA_TYPE_FLOAT:
		return loader_adopt(ld, argdata_create_float(sc.number), mark);
	case ARGDATA_TYPE_TIMESTAMP:
		return loader_adopt(ld, argdata_create_timestamp(&sc.ts), mark);
	case ARGDATA_TYPE_BINARY:
		bin = arena_alloc(ld, len / 4 * 3 + 3);
		if (bin == NULL)
			return nomem_value(ld, mark);
		if (schema_base64(value, len, bin, &binlen) != 0)
			return loader_fail(ld, mark,
			    "!!binary takes base64 text");
		return loader_adopt(ld, argdata_create_binary(bin, binlen),
		    mark);
	default:
		/* The codec copies strings, NUL bytes and all. */
		return loader_adopt(ld, argdata_create_str(value, len), mark);
	}
}

/* Writes the length prefix and the tag of an n-byte encoding into out. */
static uint8_t *
begin_scalar(loader_t *ld, size_t n, uint8_t tag)
{
	uint8_t *p = reserve(ld, ad_prefix_size(n) + n);

	if (p == NULL)
		return NULL;
	p += ad_write_prefix(p, n);
	if (n > 0)
		*p++ = tag;
	return p;
}

/*
 * Encodes a plain scalar straight into out, as the codec would, and adds
 * it to the open frame. tag is NULL for none or "!"; escaped: the text
 * was double-quoted and may hold escapes.
 */
static int
encode_scalar(loader_t *ld, const char *tag, const char *value, size_t len,
    bool plain, bool escaped, loader_mark_t mark)
{
	size_t pos = ld->out_len, n, binlen;
	struct scalar sc;
	const char *why;
	uint8_t buf[16], *p;
	bool valid;

	if (schema_resolve(tag, value, len, plain, &sc, &why) != 0) {
		if (strcmp(why, "unknown tag") == 0)
			return fail(ld, mark, "unknown tag %s",
			    loader_tag_display(ld, tag));
		return fail(ld, mark, "%s: %s", why, value);
	}
	switch (sc.type) {
	case ARGDATA_TYPE_NULL:
		p = begin_scalar(ld, 0, 0);
		break;
	case ARGDATA_TYPE_BOOL:
		p = begin_scalar(ld, sc.boolean ? 2 : 1, ARGDATA_TYPE_BOOL);
		if (p != NULL && sc.boolean)
			*p++ = 1;
		break;
	case ARGDATA_TYPE_INT:
		n = sc.negative
		    ? ad_encode_int_s(buf, -(intmax_t)(sc.magnitude - 1) - 1)
		    : ad_encode_int_u(buf, sc.magnitude);
		p = begin_scalar(ld, 1 + n, ARGDATA_TYPE_INT);
		if (p != NULL) {
			memcpy(p, buf, n);
			p += n;
		}
		break;
	case ARGDATA_TYPE_FLOAT:
		p = begin_scalar(ld, 9, ARGDATA_TYPE_FLOAT);
		if (p != NULL) {
			ad_encode_float(p, sc.number);
			p += 8;
		}
		break;
	case ARGDATA_TYPE_TIMESTAMP:
		n = ad_encode_timestamp(buf, &sc.ts, &valid);
		if (!valid)
			return fail(ld, mark, "timestamp out of range: %s",
			    value);
		p = begin_scalar(ld, 1 + n, ARGDATA_TYPE_TIMESTAMP);
		if (p != NULL) {
			memcpy(p, buf, n);
			p += n;
		}
		break;
	case ARGDATA_TYPE_BINARY:
		/* The decoded size, from the number of base64 digits. */
		n = 0;
		for (size_t i = 0; i < len; i++)
			n += value[i] != ' ' && value[i] != '\t' &&
			    value[i] != '\n' && value[i] != '\r' &&
			    value[i] != '=';
		p = begin_scalar(ld,
		    1 + n / 4 * 3 + (n % 4 > 1 ? n % 4 - 1 : 0),
		    ARGDATA_TYPE_BINARY);
		if (p == NULL)
			break;
		/* Decoding may write up to 3 bytes past: keep room for them. */
		ld->out_len = (size_t)(p - ld->out);
		if (reserve(ld, n / 4 * 3 + 3) == NULL) {
			ld->out_len = pos;
			return fail_nomem(ld, mark);
		}
		p = ld->out + ld->out_len;
		ld->out_len = pos;
		if (schema_base64(value, len, p, &binlen) != 0)
			return fail(ld, mark, "!!binary takes base64 text");
		p += binlen;
		break;
	default:
		/*
		 * libyaml's reader lets only valid UTF-8 in, so only escapes
		 * could make anything else.
		 */
		if (escaped && !ad_utf8_valid((const uint8_t *)value, len))
			return fail(ld, mark, "a string of invalid UTF-8");
		p = begin_scalar(ld, len + 2, ARGDATA_TYPE_STR);
		if (p != NULL) {
			memcpy(p, value, len);
			p += len;
			*p++ = '\0';
		}
		break;
	}
	if (p == NULL)
		return fail_nomem(ld, mark);
	ld->out_len = (size_t)(p - ld->out);
	return push_bytes(ld, pos, mark);
}

/* Calls the handler of a tagged node and checks what it gives back. */
static const argdata_t *
call_handler(loader_t *ld, const loader_handler_t *h, const loader_node_t *n)
{
	const argdata_t *ad = h->fn(ld, n, ld->ctx);

	if (ad == NULL && !ld->failed)
		loader_fail(ld, n->mark, "%s: %s",
		    loader_tag_display(ld, n->tag), strerror(errno));
	return ad;
}

bool
loader_at_root(const loader_t *ld)
{
	/* A handler runs after its node's frame was closed. */
	return ld->nframes == 0;
}

const argdata_t *
loader_node_value(loader_t *ld, const loader_node_t *node)
{
	const loader_handler_t *h;
	loader_node_t *made;

	if (node->value_made != NULL)
		return node->value_made;
	if (node->tag == NULL)
		return loader_fail(ld, node->mark,
		    "expected a tagged value, such as !fd or !file");
	if ((h = find_handler(ld, node->tag)) == NULL)
		return loader_fail(ld, node->mark, "unknown tag %s",
		    loader_tag_display(ld, node->tag));
	/*
	 * The loader made every node in its arena; the const of the
	 * handlers' view does not apply to it.
	 */
	made = (loader_node_t *)node;
	made->value_made = call_handler(ld, h, node);
	return made->value_made;
}

static int
push_frame(loader_t *ld, enum frame_kind kind, bool flow, const char *tag,
    const loader_handler_t *handler, const char *anchor, yaml_mark_t ymark)
{
	loader_mark_t mark = mark_of(ymark);
	struct frame *f;
	bool raw = kind == FRAME_RAW_SEQ || kind == FRAME_RAW_MAP;

	if (ld->nframes >= ld->limits.max_depth)
		return fail(ld, mark, "nesting deeper than %zu levels",
		    ld->limits.max_depth);
	/*
	 * libyaml's scanner spends time in proportion to the flow depth on
	 * every token: keep it small, so that the cost stays linear.
	 */
	if (flow && ld->flow_depth >= ld->limits.max_flow_depth)
		return fail(ld, mark,
		    "[ and { nested deeper than %zu levels (nest deeper in "
		    "block style)",
		    ld->limits.max_flow_depth);
	if (ad_grow(&ld->frames, &ld->frames_cap, ld->nframes, 1,
	        sizeof(*ld->frames), NULL) != 0)
		return fail_nomem(ld, mark);
	f = &ld->frames[ld->nframes];
	*f = (struct frame){
	    .kind = kind,
	    .handler = handler,
	    .base = raw ? ld->nraws : ld->nkids,
	    .nodes_before = ld->nodes,
	    .mark = mark,
	    .flow = flow,
	};
	if (!raw) {
		/* Room for the prefix, then the tag. */
		uint8_t *p = reserve(ld, PREFIX_ROOM + 1);

		if (p == NULL ||
		    ad_grow(&ld->gaps, &ld->gaps_cap, ld->ngaps, 1,
		        sizeof(*ld->gaps), NULL) != 0)
			return fail_nomem(ld, mark);
		p[PREFIX_ROOM] =
		    kind == FRAME_MAP ? ARGDATA_TYPE_MAP : ARGDATA_TYPE_SEQ;
		f->pos = ld->out_len;
		f->gap = ld->ngaps;
		f->gap_sum_before = ld->gap_sum;
		ld->gaps[ld->ngaps++] = (struct gap){.off = f->pos, .len = 0};
		ld->out_len += PREFIX_ROOM + 1;
	}
	if (raw && tag != NULL &&
	    (f->tag = loader_strdup(ld, tag, strlen(tag))) == NULL)
		return fail_nomem(ld, mark);
	if (anchor != NULL && (f->anchor = define_anchor(ld, anchor)) == 0)
		return fail_nomem(ld, mark);
	ld->nframes++;
	ld->flow_depth += flow;
	if (raw)
		ld->raw_depth++;
	return count_nodes(ld, 1, mark);
}

/*
 * Ends a cooked frame. With plain children only, the frame stays bytes:
 * its prefix goes into the room kept for it. Otherwise, or when an anchor
 * names it, it becomes a value of its own.
 */
static int
pop_cooked(loader_t *ld, struct frame *f, uint64_t nodes)
{
	size_t n = ld->nkids - f->base, size, gi;
	const argdata_t **items;
	argdata_t *ad;
	const argdata_t *value;

	if (!f->has_value) {
		size_t room = PREFIX_ROOM;

		size = ld->out_len - f->pos - room -
		    (ld->gap_sum - f->gap_sum_before);
		if (size > ld->limits.max_bytes)
			return fail(ld, f->mark,
			    "the document expands to more than %zu bytes",
			    ld->limits.max_bytes);
		room -= ad_prefix_size(size);
		ad_write_prefix(ld->out + f->pos + room, size);
		ld->gaps[f->gap].len = room;
		ld->gap_sum += room;
		ld->nkids = f->base;
		if (f->anchor == 0)
			return push_bytes(ld, f->pos, f->mark);
		gi = f->gap;
		value = bytes_value(ld, f->pos, ld->out_len, &gi, f->mark);
		truncate_out(ld, f->pos, f->gap, f->gap_sum_before);
		if (value == NULL)
			return -1;
		close_anchor(ld, f->anchor, value, NULL, nodes);
		return push_value(ld, value, f->mark);
	}

	/* A value of its own: the plain children become values too. */
	items = arena_alloc(ld, n * sizeof(*items));
	if (items == NULL)
		return fail_nomem(ld, f->mark);
	gi = f->gap + 1;
	for (size_t i = 0; i < n; i++) {
		uintptr_t kid = ld->kids[f->base + i];
		size_t end = ld->out_len;
		const argdata_t *v;

		if ((kid & 1) == 0) {
			v = (const argdata_t *)kid;
		} else {
			/* It ends where the next plain child begins. */
			for (size_t j = i + 1; j < n; j++)
				if (ld->kids[f->base + j] & 1) {
					end = ld->kids[f->base + j] >> 1;
					break;
				}
			v = bytes_value(ld, kid >> 1, end, &gi, f->mark);
			if (v == NULL)
				return -1;
		}
		/* Maps: keys in the first half, values in the second. */
		if (f->kind == FRAME_MAP)
			items[i % 2 * (n / 2) + i / 2] = v;
		else
			items[i] = v;
	}
	ad = f->kind == FRAME_SEQ
	    ? argdata_create_seq(items, n)
	    : argdata_create_map(items, items + n / 2, n / 2);
	ld->nkids = f->base;
	truncate_out(ld, f->pos, f->gap, f->gap_sum_before);
	/*
	 * The limits keep every encoded size far below SIZE_MAX, so ENOMEM
	 * here is memory: loader_adopt() reports it as such.
	 */
	value = loader_adopt(ld, ad, f->mark);
	if (value == NULL)
		return -1;
	argdata_serialized_length(value, &size, NULL);
	if (size > ld->limits.max_bytes)
		return fail(ld, f->mark,
		    "the document expands to more than %zu bytes",
		    ld->limits.max_bytes);
	close_anchor(ld, f->anchor, value, NULL, nodes);
	return push_value(ld, value, f->mark);
}

/* Ends the innermost frame and hands its value to the frame around it. */
static int
pop_frame(loader_t *ld)
{
	struct frame *f = &ld->frames[--ld->nframes];
	uint64_t nodes = ld->nodes - f->nodes_before;

	ld->flow_depth -= f->flow;
	if (f->kind == FRAME_RAW_SEQ || f->kind == FRAME_RAW_MAP) {
		size_t n = ld->nraws - f->base;
		loader_node_t *node = arena_alloc(ld, sizeof(*node));
		const loader_node_t **items =
		    arena_alloc(ld, n * sizeof(*items));

		if (node == NULL || items == NULL)
			return fail_nomem(ld, f->mark);
		if (n > 0)
			memcpy(items, ld->raws + f->base, n * sizeof(*items));
		ld->nraws = f->base;
		ld->raw_depth--;
		*node = (loader_node_t){
		    .kind = f->kind == FRAME_RAW_SEQ ? LOADER_SEQUENCE
		                                     : LOADER_MAPPING,
		    .tag = f->tag,
		    .mark = f->mark,
		    .items = items,
		    .count = n,
		};
		if (f->handler != NULL) {
			const argdata_t *ad =
			    call_handler(ld, f->handler, node);

			if (ad == NULL)
				return -1;
			close_anchor(ld, f->anchor, ad, node, nodes);
			return push_value(ld, ad, f->mark);
		}
		close_anchor(ld, f->anchor, NULL, node, nodes);
		return push_raw(ld, node);
	}
	return pop_cooked(ld, f, nodes);
}

static int
on_scalar(loader_t *ld, const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	loader_mark_t mark = mark_of(ev->start_mark);
	const loader_handler_t *h = NULL;
	loader_node_t *raw = NULL;
	const argdata_t *ad = NULL;
	size_t a = 0;

	if (count_nodes(ld, 1, mark) != 0)
		return -1;
	/* The non-specific tag "!" makes a scalar a string. */
	if (tag != NULL && strcmp(tag, "!") == 0) {
		tag = NULL;
		plain = false;
	}
	if (tag != NULL && ld->raw_depth == 0 &&
	    (h = find_handler(ld, tag)) == NULL &&
	    strncmp(tag, SCHEMA_YAML_PREFIX, strlen(SCHEMA_YAML_PREFIX)) != 0)
		return fail_unknown_tag(ld, mark, tag);
	if (anchor != NULL && (a = define_anchor(ld, anchor)) == 0)
		return fail_nomem(ld, mark);

	/*
	 * Inside a tag's value, and for tagged or anchored scalars, the
	 * node as written is kept for the handlers.
	 */
	if (ld->raw_depth > 0 || h != NULL || a != 0) {
		const char *t =
		    tag == NULL ? NULL : loader_strdup(ld, tag, strlen(tag));

		raw = new_raw_scalar(ld, t, value, len, plain, mark);
		if (raw == NULL || (tag != NULL && t == NULL))
			return fail_nomem(ld, mark);
	}
	if (ld->raw_depth > 0) {
		close_anchor(ld, a, NULL, raw, 1);
		return push_raw(ld, raw);
	}
	/* Plain data goes straight into the output. */
	if (h == NULL && a == 0)
		return encode_scalar(ld, tag, value, len, plain,
		    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE,
		    mark);
	ad = h != NULL ? call_handler(ld, h, raw)
	               : cook_scalar(ld, tag, value, len, plain, mark);
	if (ad == NULL)
		return -1;
	close_anchor(ld, a, ad, raw, 1);
	return push_value(ld, ad, mark);
}

static int
on_alias(loader_t *ld, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	loader_mark_t mark = mark_of(ev->start_mark);
	struct anchor *a = find_anchor(ld, name);

	if (a == NULL)
		return fail(ld, mark, "unknown anchor *%s", name);
	if (a->open)
		return fail(ld, mark,
		    "alias *%s refers to a node that contains it", name);
	if (count_nodes(ld, a->nodes, mark) != 0)
		return -1;
	if (ld->raw_depth > 0) {
		if (a->raw == NULL)
			return fail(ld, mark,
			    "alias *%s refers to a collection outside this "
			    "tag's value",
			    name);
		return push_raw(ld, a->raw);
	}
	if (a->ad == NULL) {
		/* The anchor lies inside a tag's value: read it as plain data.
		 */
		if (a->raw->kind != LOADER_SCALAR)
			return fail(ld, mark,
			    "alias *%s refers to a collection inside a tag's "
			    "value",
			    name);
		a->ad = cook_scalar(ld, a->raw->tag, a->raw->value,
		    a->raw->length, a->raw->plain, mark);
		if (a->ad == NULL)
			return -1;
	}
	return push_value(ld, a->ad, mark);
}

static int
on_collection(loader_t *ld, const yaml_event_t *ev, bool map)
{
	const char *tag = (const char *)(map ? ev->data.mapping_start.tag
	                                     : ev->data.sequence_start.tag);
	const char *anchor =
	    (const char *)(map ? ev->data.mapping_start.anchor
	                       : ev->data.sequence_start.anchor);
	const loader_handler_t *h = NULL;
	loader_mark_t mark = mark_of(ev->start_mark);
	bool flow;

	if (tag != NULL && strcmp(tag, "!") == 0)
		tag = NULL;
	if (ld->raw_depth > 0 || tag == NULL)
		;
	else if (schema_is_yaml_tag(tag, map ? "map" : "seq"))
		tag = NULL;
	else if (strncmp(tag, SCHEMA_YAML_PREFIX, strlen(SCHEMA_YAML_PREFIX)) ==
	    0)
		return fail(ld, mark, "%s on a %s", loader_tag_display(ld, tag),
		    map ? "map" : "sequence");
	else if ((h = find_handler(ld, tag)) == NULL)
		return fail_unknown_tag(ld, mark, tag);

	flow = map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
	           : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
	if (ld->raw_depth > 0 || h != NULL)
		return push_frame(ld, map ? FRAME_RAW_MAP : FRAME_RAW_SEQ, flow,
		    tag, h, anchor, ev->start_mark);
	return push_frame(ld, map ? FRAME_MAP : FRAME_SEQ, flow, NULL, NULL,
	    anchor, ev->start_mark);
}

/*
 * The line and column of the reader's problem_offset, read again from the
 * input when it can be (a buffer, or a file that can seek), else the
 * scanner's position.
 */
static loader_mark_t
offset_mark(loader_t *ld, yaml_parser_t *parser)
{
	loader_mark_t m = {1, 1};
	size_t off = parser->problem_offset;
	int c;

	if (ld->input != NULL) {
		for (size_t i = 0; i < off && i < ld->input_len; i++) {
			c = ld->input[i];
			if (c == '\n')
				m = (loader_mark_t){m.line + 1, 1};
			else if ((c & 0xc0) != 0x80)
				m.column++;
		}
		return m;
	}
	if (ld->input_file != NULL && fseek(ld->input_file, 0, SEEK_SET) == 0) {
		for (size_t i = 0; i < off && (c = getc(ld->input_file)) != EOF;
		     i++) {
			if (c == '\n')
				m = (loader_mark_t){m.line + 1, 1};
			else if ((c & 0xc0) != 0x80)
				m.column++;
		}
		return m;
	}
	return mark_of(parser->mark);
}

static int
parse_error(loader_t *ld, yaml_parser_t *parser)
{
	yaml_mark_t m = parser->problem_mark;
	const char *problem =
	    parser->problem != NULL ? parser->problem : "invalid YAML";

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		return fail_nomem(ld, mark_of(parser->mark));
	case YAML_READER_ERROR:
		/* A file that cannot be read: say why, in its own words. */
		if (ld->input_file != NULL && ferror(ld->input_file)) {
			int e = errno;

			return fail(ld, mark_of(parser->mark),
			    "cannot read: %s", strerror(e));
		}
		/* The reader reports a byte offset: find its place. */
		if (parser->problem_value != -1)
			return fail(ld, offset_mark(ld, parser),
			    "%s (byte %#x at offset %zu)", problem,
			    parser->problem_value, parser->problem_offset);
		return fail(ld, offset_mark(ld, parser), "%s at offset %zu",
		    problem, parser->problem_offset);
	default:
		if (parser->context != NULL)
			return fail(ld, mark_of(m),
			    "%s (%s at line %zu, column %zu)", problem,
			    parser->context, parser->context_mark.line + 1,
			    parser->context_mark.column + 1);
		return fail(ld, mark_of(m), "%s", problem);
	}
}

/*
 * Makes the root a value: plain bytes are compacted where they lie, in
 * one pass, and out shrinks to them.
 */
static int
finish_root(loader_t *ld, loader_mark_t mark)
{
	size_t enc, len, gi = 0;
	uintptr_t kid;
	uint8_t *p;

	/* libyaml ends a document only after its one node. */
	if (ld->nkids != 1)
		return fail(ld, mark, "a document without a value");
	kid = ld->kids[0];
	ld->nkids = 0;
	if ((kid & 1) == 0) {
		ld->root = (const argdata_t *)kid;
		return 0;
	}
	child_encoding(ld, kid >> 1, ld->out_len, &gi, &enc, &len);
	compact(ld, enc, ld->out_len, &gi, ld->out);
	ld->out_len = len;
	p = realloc(ld->out, len == 0 ? 1 : len);
	if (p != NULL)
		ld->out = p;
	ld->root = loader_adopt(ld,
	    argdata_from_buffer(ld->out, len, NULL, NULL), mark);
	ld->root_is_out = true;
	return ld->root == NULL ? -1 : 0;
}

bool
loader_bytes(const loader_t *ld, const void **buf, size_t *len)
{
	if (ld->failed || !ld->root_is_out)
		return false;
	*buf = ld->out;
	*len = ld->out_len;
	return true;
}

/*
 * Records where the root begins and, when it is a map, where each of its
 * entries does: what cloudabi-run points at when a configuration does not
 * fit what the program expects. 0, or ENOMEM.
 */
static int
note_root_marks(loader_t *ld, const yaml_event_t *ev)
{
	if (ev->type != YAML_SCALAR_EVENT && ev->type != YAML_ALIAS_EVENT &&
	    ev->type != YAML_SEQUENCE_START_EVENT &&
	    ev->type != YAML_MAPPING_START_EVENT)
		return 0;
	if (ld->nframes == 0) {
		ld->root_mark = mark_of(ev->start_mark);
		ld->root_map = ev->type == YAML_MAPPING_START_EVENT;
		return 0;
	}
	if (ld->nframes != 1 || !ld->root_map)
		return 0;
	if (ld->ntop == ld->top_cap) {
		size_t cap = ld->top_cap == 0 ? 16 : ld->top_cap * 2;
		loader_mark_t *m = reallocarray(ld->top_marks, cap, sizeof(*m));

		if (m == NULL)
			return ENOMEM;
		ld->top_marks = m;
		ld->top_cap = cap;
	}
	ld->top_marks[ld->ntop++] = mark_of(ev->start_mark);
	return 0;
}

size_t
loader_root_marks(const loader_t *ld, loader_mark_t *root,
    const loader_mark_t **entries)
{
	*root = ld->root_mark;
	*entries = ld->top_marks;
	return ld->root_map ? ld->ntop : 0;
}

int
loader_load(loader_t *ld, yaml_parser_t *parser, const argdata_t **tree)
{
	yaml_event_t ev;
	int documents = 0;
	bool done = false;

	if (ld->loaded) {
		fail(ld, (loader_mark_t){1, 1}, "the loader was already used");
		return EINVAL;
	}
	ld->loaded = true;
	while (!done && !ld->failed) {
		int r = 0;

		if (!yaml_parser_parse(parser, &ev)) {
			parse_error(ld, parser);
			break;
		}
		if (note_root_marks(ld, &ev) != 0)
			r = fail_nomem(ld, mark_of(ev.start_mark));
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			if (documents == 0)
				r = fail(ld, mark_of(ev.start_mark),
				    "no YAML document: the configuration is "
				    "empty (write ~ for null)");
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				r = fail(ld, mark_of(ev.start_mark),
				    "a second YAML document: the configuration "
				    "holds exactly one");
			break;
		case YAML_DOCUMENT_END_EVENT:
			r = finish_root(ld, mark_of(ev.start_mark));
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(ld, &ev);
			break;
		case YAML_ALIAS_EVENT:
			r = on_alias(ld, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			r = on_collection(ld, &ev, false);
			break;
		case YAML_MAPPING_START_EVENT:
			r = on_collection(ld, &ev, true);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			r = pop_frame(ld);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		(void)r;
	}
	if (ld->failed)
		return ld->nomem ? ENOMEM : EINVAL;
	*tree = ld->root;
	return 0;
}

/*
 * Makes room in out for the encoding of len bytes of YAML, which is rarely
 * longer than the text, so that large inputs spare the copies of growing
 * (room never written costs no memory). Small inputs grow as they go.
 */
static void
reserve_for_input(loader_t *ld, size_t len)
{
	if (len >= (size_t)1 << 20 && len <= ld->limits.max_bytes)
		reserve(ld, len + len / 8);
}

int
loader_load_string(loader_t *ld, const void *buf, size_t len,
    const argdata_t **tree)
{
	yaml_parser_t parser;
	int error;

	if (!yaml_parser_initialize(&parser)) {
		fail_nomem(ld, (loader_mark_t){1, 1});
		return ENOMEM;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	reserve_for_input(ld, len);
	ld->input = buf;
	ld->input_len = len;
	error = loader_load(ld, &parser, tree);
	ld->input = NULL;
	yaml_parser_delete(&parser);
	return error;
}

int
loader_load_file(loader_t *ld, FILE *fp, const argdata_t **tree)
{
	yaml_parser_t parser;
	struct stat st;
	int error;

	if (!yaml_parser_initialize(&parser)) {
		fail_nomem(ld, (loader_mark_t){1, 1});
		return ENOMEM;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 0)
		reserve_for_input(ld,
		    (uint64_t)st.st_size > SIZE_MAX ? SIZE_MAX
		                                    : (size_t)st.st_size);
	ld->input_file = fp;
	error = loader_load(ld, &parser, tree);
	ld->input_file = NULL;
	if (error == 0 && ferror(fp)) {
		fail(ld, (loader_mark_t){1, 1}, "read error");
		error = EIO;
	}
	yaml_parser_delete(&parser);
	return error;
}

int
loader_serialize(const argdata_t *ad, void **buf, size_t *len)
{
	size_t size;
	void *p;

	argdata_serialized_length(ad, &size, NULL);
	p = malloc(size == 0 ? 1 : size);
	if (p == NULL)
		return ENOMEM;
	argdata_serialize(ad, p, NULL);
	*buf = p;
	*len = size;
	return 0;
}
