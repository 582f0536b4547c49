/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argdata_serialized_length() and argdata_serialize(): the encoder.
 *
 * Sizes are known from construction, so the encoder writes each byte once,
 * front to back, walking the tree with an explicit stack (never recursion:
 * any depth works on the default stack). Descriptors are renumbered as
 * fd_renumber.h says, in linear time.
 *
 * argdata_serialize() has no way to report an error, so it must not fail:
 * when memory for the stack or the hash table cannot be had, it falls back
 * to methods that need none (finding its place again from the root, and a
 * linear search of the descriptors seen so far). They are slower, but only
 * ever used when malloc has failed.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "codec.h"
#include "encode.h"
#include "fd_renumber.h"

/*
 * An open container during scan_fds(): where it ends, whether it is a map,
 * and (for a map) whether the next subfield is a value.
 */
struct scan_frame {
	const uint8_t *end;
	bool map;
	bool value_next;
};

/* Whether a readable value subfield follows the key subfield at pos. */
static bool
has_value(const uint8_t *pos, const uint8_t *end)
{
	const uint8_t *field;
	size_t len;

	return ad_read_subfield(&pos, end, &field, &len) == NULL &&
	    ad_read_subfield(&pos, end, &field, &len) == NULL;
}

/*
 * Without a stack: the open container at the given depth (the root is 1)
 * that holds pos, found again from the root, with where its next subfield
 * stands. Used only when memory for the stack ran out; O(depth * width).
 */
static struct scan_frame
enclosing(const uint8_t *p, const uint8_t *end, const uint8_t *pos,
    size_t depth)
{
	struct scan_frame f = {end, p[0] == AD_TAG_MAP, false};
	const uint8_t *q = p + 1;

	for (size_t d = 1;; d++) {
		bool value = false;

		while (q < pos) {
			const uint8_t *field;
			size_t len;

			if (ad_read_subfield(&q, f.end, &field, &len) != NULL)
				return f;
			if (d < depth && len > 0 && field < pos &&
			    pos <= field + len &&
			    (field[0] == AD_TAG_MAP ||
			        field[0] == AD_TAG_SEQ)) {
				f = (struct scan_frame){field + len,
				    field[0] == AD_TAG_MAP, false};
				q = field + 1;
				goto down;
			}
			value = !value;
		}
		f.value_next = f.map && value;
		return f;
	down:;
	}
}

/*
 * Visits every descriptor value inside an encoded value exactly as the
 * iterators and getters see them: for each, calls fn(arg, offset of its
 * 4-byte payload). Each container's subfields are read against its own
 * end; a subfield that cannot be read ends its container (where the
 * iterators turn INVALID), and a map key without a readable value is not
 * visited, as the iterators never yield it. So corrupt data can neither
 * hide a sibling's descriptor from renumbering nor make the scan patch
 * bytes inside a valid sibling. The scan never leaves [p, p + len) and
 * does not recurse; its stack of open containers grows on the heap past
 * 64 levels, and without memory it finds its place again from the root.
 */
static void
scan_fds(const uint8_t *p, size_t len, void (*fn)(void *, size_t), void *arg)
{
	struct scan_frame local[64], *stack = local, cur;
	size_t top = 0, cap = sizeof(local) / sizeof(local[0]), depth = 1;
	bool stackless = false;
	const uint8_t *pos;

	if (len == 0)
		return;
	if (p[0] == AD_TAG_FD && len == 5) {
		fn(arg, 1);
		return;
	}
	if (p[0] != AD_TAG_MAP && p[0] != AD_TAG_SEQ)
		return;
	cur = (struct scan_frame){p + len, p[0] == AD_TAG_MAP, false};
	pos = p + 1;
	for (;;) {
		const uint8_t *field;
		size_t flen;

		if (pos == cur.end) {
			/* The container is finished: back to its parent. */
			if (--depth == 0)
				break;
			if (top > 0 && !(stackless && depth > top))
				cur = stack[--top];
			else
				cur = enclosing(p, p + len, pos, depth);
			continue;
		}
		if ((cur.map && !cur.value_next && !has_value(pos, cur.end)) ||
		    ad_read_subfield(&pos, cur.end, &field, &flen) != NULL) {
			pos =
			    cur.end; /* the rest is out of the iterators' reach */
			continue;
		}
		if (cur.map)
			cur.value_next = !cur.value_next;
		if (flen == 0)
			continue;
		if (field[0] == AD_TAG_FD && flen == 5) {
			fn(arg, (size_t)(field - p) + 1);
		} else if (field[0] == AD_TAG_MAP || field[0] == AD_TAG_SEQ) {
			/* Step into it, keeping the parent. */
			if (!stackless &&
			    ad_grow(&stack, &cap, top, 1, sizeof(*stack),
			        local) != 0)
				stackless = true;
			if (!stackless || top < cap)
				stack[top++] = cur;
			depth++;
			cur = (struct scan_frame){field + flen,
			    field[0] == AD_TAG_MAP, false};
			pos = field + 1;
		}
	}
	if (stack != local)
		free(stack);
}

static void
count_one(void *arg, size_t offset)
{
	(void)offset;
	++*(size_t *)arg;
}

/*
 * Rewrites the descriptor number at in (4 bytes, big-endian) of value ad
 * to out, renumbered.
 */
static inline __attribute__((always_inline)) void
renumber_fd(const argdata_t *ad, const uint8_t *in, uint8_t *o,
    struct fdmap *map)
{
	uint32_t number = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
	    (uint32_t)in[2] << 8 | in[3];
	int (*convert)(void *, size_t) = ad->u.buffer.convert_fd;
	int fd;

	/* Values of argdata_create_fd() hold the descriptor itself. */
	if (convert == ad_fd_identity)
		fd = number <= INT_MAX ? (int)number : -1;
	else if (convert != NULL)
		fd = convert(ad->u.buffer.convert_fd_arg, number);
	else
		fd = -1;
	/*
	 * A descriptor the value cannot give (convert_fd refuses it) is
	 * written as FFFFFFFF: no reader has that many descriptors, so it
	 * reads as unavailable (EBADF) rather than as somebody else's.
	 */
	uint32_t out = fd < 0 ? UINT32_MAX : ad_fdmap_number(map, fd);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	out = __builtin_bswap32(out);
#endif
	memcpy(o, &out, sizeof(out));
}

struct patch {
	const argdata_t *value;
	uint8_t *out;
	struct fdmap *map;
};

/* Rewrites one descriptor of an encoded value with its output number. */
static void
patch_one(void *arg, size_t offset)
{
	struct patch *pt = arg;

	renumber_fd(pt->value, pt->value->u.buffer.data + offset,
	    pt->out + offset, pt->map);
}

/*
 * Writes a value that is not a container made in memory to out, before
 * end, the end of the output.
 */
static inline __attribute__((always_inline)) uint8_t *
put_leaf(const argdata_t *ad, uint8_t *out, uint8_t *end, struct fdmap *map)
{
	switch (ad->repr) {
	case AD_STR:
		out[0] = AD_TAG_STR;
		ad_copy_short(out + 1, ad->u.str.data, ad->length - 2);
		out[ad->length - 1] = 0x00;
		break;
	case AD_BINARY:
		out[0] = AD_TAG_BINARY;
		if (ad->length > 1)
			memcpy(out + 1, ad->u.binary.data, ad->length - 1);
		break;
	default:
		if (map != NULL && (ad->flags & AD_ONE_FD)) {
			/* From argdata_create_fd(): the descriptor itself. */
			uint32_t fd;

			memcpy(&fd, ad->u.buffer.data + 1, sizeof(fd));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			fd = __builtin_bswap32(fd);
#endif
			fd = fd <= INT_MAX ? ad_fdmap_number(map, (int)fd)
			                   : UINT32_MAX;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			fd = __builtin_bswap32(fd);
#endif
			out[0] = AD_TAG_FD;
			memcpy(out + 1, &fd, sizeof(fd));
			break;
		}
		if (map != NULL && ad->length == 5 &&
		    ad->u.buffer.data[0] == AD_TAG_FD) {
			/* A lone descriptor, by far the most common. */
			out[0] = AD_TAG_FD;
			renumber_fd(ad, ad->u.buffer.data + 1, out + 1, map);
			break;
		}
		if (ad->length - 1 < 8 && (size_t)(end - out) >= 8 &&
		    (size_t)(ad->u.buffer.data - ad->u.buffer.base) +
		            ad->length >=
		        8) {
			/*
			 * Short scalars (ints, fds, floats) of varying sizes:
			 * one load of the word ending where the value ends,
			 * its bytes moved to the front, one store. The store
			 * reaches past the value, into bytes written next.
			 */
			uint64_t w;

			memcpy(&w, ad->u.buffer.data + ad->length - 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			w >>= 8 * (8 - ad->length);
#else
			w <<= 8 * (8 - ad->length);
#endif
			memcpy(out, &w, 8);
		} else {
			ad_copy_short(out, ad->u.buffer.data, ad->length);
		}
		if (map != NULL) {
			struct patch pt = {ad, out, map};

			scan_fds(ad->u.buffer.data, ad->length, patch_one, &pt);
		}
		break;
	}
	return out + ad->length;
}

static bool
is_container(const argdata_t *ad)
{
	return ad->repr == AD_MAP || ad->repr == AD_SEQ;
}

/* Subfields of a container: map keys and values interleaved. */
static size_t
nchildren(const argdata_t *ad)
{
	return ad->u.container.count * (ad->repr == AD_MAP ? 2 : 1);
}

static const argdata_t *
child(const argdata_t *ad, size_t i)
{
	if (ad->repr == AD_SEQ)
		return ad->u.container.keys[i];
	return i % 2 == 0 ? ad->u.container.keys[i / 2]
	                  : ad->u.container.values[i / 2];
}

struct frame {
	const argdata_t *node;
	size_t next;
};

/*
 * Without a stack: finds the node and the subfield prefix at output offset
 * target by walking down from the root, using the sizes known from
 * construction. Stores the container whose subfield prefix begins at
 * target and the index of that subfield, or the node that begins at
 * target (*index = SIZE_MAX). O(depth * width) per call.
 */
static const argdata_t *
locate(const argdata_t *node, size_t target, size_t *index)
{
	size_t off = 0;

	for (;;) {
		if (off == target || !is_container(node)) {
			*index = SIZE_MAX;
			return node;
		}
		size_t p = off + 1, n = nchildren(node), i;
		for (i = 0; i < n; i++) {
			const argdata_t *c = child(node, i);
			size_t ps = ad_prefix_size(c->length);

			if (p == target) {
				*index = i;
				return node;
			}
			if (target < p + ps + c->length) {
				off = p + ps;
				node = c;
				break;
			}
			p += ps + c->length;
		}
	}
}

static void
encode_stackless(const argdata_t *root, uint8_t *out, struct fdmap *map)
{
	size_t pos = 0;

	while (pos < root->length) {
		size_t index;
		const argdata_t *n = locate(root, pos, &index);

		if (index != SIZE_MAX) {
			pos +=
			    ad_write_prefix(out + pos, child(n, index)->length);
		} else if (is_container(n)) {
			out[pos++] =
			    n->repr == AD_MAP ? AD_TAG_MAP : AD_TAG_SEQ;
		} else {
			put_leaf(n, out + pos, out + root->length, map);
			pos += n->length;
		}
	}
}

/*
 * Writes the subfield prefix of node and then node itself, or only its tag
 * when it is a container. Returns whether it is a container with elements,
 * which the caller then enters.
 */
static inline __attribute__((always_inline)) bool
put_subfield(const argdata_t *node, uint8_t **out, uint8_t *end,
    struct fdmap *map)
{
	uint8_t *o = *out + ad_write_prefix(*out, node->length);

	if (is_container(node)) {
		*o++ = node->repr == AD_MAP ? AD_TAG_MAP : AD_TAG_SEQ;
		*out = o;
		return node->u.container.count > 0;
	}
	*out = put_leaf(node, o, end, map);
	return false;
}

static inline __attribute__((always_inline)) void
encode_tree(const argdata_t *root, uint8_t *out, struct fdmap *map)
{
	struct frame local[64], *stack = local;
	size_t top = 0;
	uint8_t *end = out + root->length;

	if (!is_container(root)) {
		put_leaf(root, out, end, map);
		return;
	}
	if (root->depth > sizeof(local) / sizeof(local[0])) {
		stack = malloc(root->depth * sizeof(*stack));
		if (stack == NULL) {
			encode_stackless(root, out, map);
			return;
		}
	}
	*out++ = root->repr == AD_MAP ? AD_TAG_MAP : AD_TAG_SEQ;
	stack[top++] = (struct frame){root, 0};
	while (top > 0) {
		struct frame *f = &stack[top - 1];
		const argdata_t *c = f->node;
		/*
		 * Read once: the stores to out may alias anything, so the
		 * compiler would load these again for every subfield.
		 */
		const argdata_t *const *keys = c->u.container.keys;
		const argdata_t *const *values = c->u.container.values;
		size_t count = c->u.container.count, i = f->next;
		const argdata_t *enter;

		/*
		 * The subfields of the container on top, in one loop as long
		 * as they are not containers themselves. f->next counts
		 * subfields: a map's key and value are two.
		 */
		if (c->repr == AD_SEQ) {
			for (; i < count; i++) {
				enter = keys[i];
				if (put_subfield(enter, &out, end, map)) {
					i++;
					goto descend;
				}
			}
		} else {
			/* Back from inside a key: its value comes next. */
			if (i % 2 == 1) {
				enter = values[i / 2];
				i++;
				if (put_subfield(enter, &out, end, map))
					goto descend;
			}
			for (; i < 2 * count; i += 2) {
				enter = keys[i / 2];
				if (put_subfield(enter, &out, end, map)) {
					i++;
					goto descend;
				}
				enter = values[i / 2];
				if (put_subfield(enter, &out, end, map)) {
					i += 2;
					goto descend;
				}
			}
		}
		top--;
		continue;
	descend:
		f->next = i;
		stack[top++] = (struct frame){enter, 0};
	}
	if (stack != local)
		free(stack);
}

/*
 * The encoder, made twice: with renumbering, and without, where none of
 * the renumbering code is in the way.
 */
static void
encode(const argdata_t *root, uint8_t *out, struct fdmap *map)
{
	if (map == NULL)
		encode_tree(root, out, NULL);
	else
		encode_tree(root, out, map);
}

/*
 * Counts descriptor values where construction could not: in trees holding
 * encoded values. The same traversal as encode(), without output.
 */
static size_t
count_fds(const argdata_t *root)
{
	struct frame local[64], *stack = local;
	size_t top = 0, nfds = 0;
	const argdata_t *node = root;

	if (!is_container(root)) {
		if (root->repr == AD_BUFFER)
			scan_fds(root->u.buffer.data, root->length, count_one,
			    &nfds);
		return nfds;
	}
	if (root->depth > sizeof(local) / sizeof(local[0])) {
		stack = malloc(root->depth * sizeof(*stack));
		if (stack == NULL) {
			/*
			 * Without memory, an upper bound: every descriptor
			 * takes at least 6 bytes of encoding.
			 */
			return root->length / 6;
		}
	}
	for (;;) {
		if (is_container(node)) {
			if (node->flags & AD_NFDS_KNOWN)
				nfds += node->u.container.nfds;
			else if (node->u.container.count > 0)
				stack[top++] = (struct frame){node, 0};
		} else if (node->repr == AD_BUFFER) {
			scan_fds(node->u.buffer.data, node->length, count_one,
			    &nfds);
		}
		while (top > 0 &&
		    stack[top - 1].next == nchildren(stack[top - 1].node))
			top--;
		if (top == 0)
			break;
		node = child(stack[top - 1].node, stack[top - 1].next++);
	}
	if (stack != local)
		free(stack);
	return nfds;
}

void
argdata_serialized_length(const argdata_t *ad, size_t *size, size_t *nfds)
{
	*size = ad->length;
	if (nfds == NULL)
		return;
	if (is_container(ad) && (ad->flags & AD_NFDS_KNOWN))
		*nfds = ad->u.container.nfds;
	else
		*nfds = count_fds(ad);
}

size_t
argdata_serialize(const argdata_t *ad, void *buf, int *fds)
{
	struct fdmap map;
	size_t nfds;

	if (fds == NULL) {
		encode(ad, buf, NULL);
		return 0;
	}
	argdata_serialized_length(ad, &(size_t){0}, &nfds);
	if (nfds == 0) {
		encode(ad, buf, NULL);
		return 0;
	}
	ad_fdmap_init(&map, fds, nfds);
	encode(ad, buf, &map);
	ad_fdmap_free(&map);
	return map.n;
}
