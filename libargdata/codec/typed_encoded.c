/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * typed_encoded.c - argdata_read_map() on encoded maps, read in place:
 * the fast runs over the pairs that come in the schema's order (keys
 * matched against the call's plans, the common scalars inline), and the
 * reader of any order, which hands everything else, and every error, to
 * the general reader in typed.c.
 */
#include <errno.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "typed.h"

/*
 * An encoded integer (tag, then a big-endian two's complement payload
 * of at most 8 bytes) stored in the size bytes at dst when it is in
 * [min, max]; false for anything else. Inlined with constants for
 * min, max and size, read with one word load where the buffer allows.
 */
static inline __attribute__((always_inline)) bool
fast_int(uint8_t tag, const uint8_t *vf, size_t vl, const uint8_t *lo,
    uint8_t *dst, int64_t min, int64_t max, size_t size)
{
	size_t n = vl - 1;
	uint64_t u;
	int64_t x;

	if (tag != AD_TAG_INT || n > 8)
		return false;
	if ((size_t)(vf + vl - lo) >= 8 && n > 0) {
		/* The word ending with the payload, sign-extended. */
		memcpy(&u, vf + vl - 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		u = __builtin_bswap64(u);
#endif
		x = (int64_t)(u << (64 - 8 * n)) >> (64 - 8 * n);
	} else {
		u = n > 0 && (vf[1] & 0x80) ? UINT64_MAX : 0;
		for (size_t i = 0; i < n; i++)
			u = (u << 8) | vf[1 + i];
		x = (int64_t)u;
	}
	if (x < min || x > max)
		return false;
	store_int(dst, (uint64_t)x, size);
	return true;
}

/*
 * The common scalars of an encoded value, read inline: true when the
 * value was read into dst, false when ad_typed_read_value() must do it (other
 * types, integers out of the member's range, strings not plain ASCII,
 * descriptors to check, and every error, whose message it writes). kind
 * is the field's (ad_typed_scalar_kind()), tag vf[0] or 0 when vl is 0;
 * lo is the start of the readable bytes around the value.
 */
static inline __attribute__((always_inline)) bool
fast_scalar(unsigned kind, uint8_t tag, const uint8_t *vf, size_t vl,
    const uint8_t *lo, int (*convert)(void *, size_t), void *carg, uint8_t *dst)
{
	size_t n = vl - 1;

	switch (kind) {
	case SK_I8:
		return fast_int(tag, vf, vl, lo, dst, INT8_MIN, INT8_MAX, 1);
	case SK_I16:
		return fast_int(tag, vf, vl, lo, dst, INT16_MIN, INT16_MAX, 2);
	case SK_I32:
		return fast_int(tag, vf, vl, lo, dst, INT32_MIN, INT32_MAX, 4);
	case SK_I64:
		return fast_int(tag, vf, vl, lo, dst, INT64_MIN, INT64_MAX, 8);
	case SK_U8:
		return fast_int(tag, vf, vl, lo, dst, 0, UINT8_MAX, 1);
	case SK_U16:
		return fast_int(tag, vf, vl, lo, dst, 0, UINT16_MAX, 2);
	case SK_U32:
		return fast_int(tag, vf, vl, lo, dst, 0, UINT32_MAX, 4);
	case SK_U64:
		/* 9-byte payloads of large unsigned: read_value. */
		return fast_int(tag, vf, vl, lo, dst, 0, INT64_MAX, 8);
	case SK_BOOL:
		/*
		 * Without a branch on the value, which is as likely one as
		 * the other: vf[n] is the tag (n == 0) or the payload byte.
		 */
		if (tag != AD_TAG_BOOL ||
		    !((n == 0) | ((n == 1) & (vf[vl > 0 ? n : 0] == 0x01))))
			return false;
		*(bool *)(void *)dst = n == 1;
		return true;
	case SK_FLOAT: {
		uint64_t bits;

		if (tag != AD_TAG_FLOAT || n != 8)
			return false;
		memcpy(&bits, vf + 1, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		bits = __builtin_bswap64(bits);
#endif
		memcpy(dst, &bits, 8);
		return true;
	}
	case SK_STR: {
		const char *str = (const char *)vf + 1;

		if (tag != AD_TAG_STR || n == 0 || vf[n] != 0x00 ||
		    !plain_ascii(vf + 1, n - 1))
			return false;
		memcpy(dst, &str, sizeof(str));
		return true;
	}
	case SK_STRLEN: {
		struct argdata_str str = {(const char *)vf + 1, n - 1};

		/* ASCII without NUL bytes: the common case, checked inline. */
		if (tag != AD_TAG_STR || n == 0 || vf[n] != 0x00 ||
		    !plain_ascii(vf + 1, n - 1))
			return false;
		memcpy(dst, &str, sizeof(str));
		return true;
	}
	case SK_FD: {
		uint32_t number;
		int fd;

		if (tag != AD_TAG_FD || n != 4 || convert == NULL)
			return false;
		memcpy(&number, vf + 1, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		number = __builtin_bswap32(number);
#endif
		if ((fd = convert(carg, number)) < 0)
			return false;
		memcpy(dst, &fd, sizeof(fd));
		return true;
	}
	default:
		return false;
	}
}

/* The encoded size of the values of a field type, or 0 when it varies. */
static inline size_t
fixed_size(unsigned type)
{
	return type == ARGDATA_FIELD_FD   ? 5
	    : type == ARGDATA_FIELD_FLOAT ? 9
	                                  : 0;
}

/*
 * Whether the 16 bytes at pos match the key subfield that pf expects
 * under its mask: one compare of 16 bytes where SSE2 has it.
 */
static inline __attribute__((always_inline)) bool
key_matches(const struct plan_field *pf, const uint8_t *pos)
{
#ifdef __SSE2__
	__m128i d = _mm_loadu_si128((const __m128i *)(const void *)pos);
	__m128i m = _mm_load_si128((const __m128i *)(const void *)pf->mask);
	__m128i w = _mm_load_si128((const __m128i *)(const void *)pf->want);

	return _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(d, m), w)) ==
	    0xffff;
#else
	uint64_t d0, d1;

	memcpy(&d0, pos, 8);
	memcpy(&d1, pos + 8, 8);
	return (((d0 & pf->mask[0]) ^ pf->want[0]) |
	           ((d1 & pf->mask[1]) ^ pf->want[1])) == 0;
#endif
}

/*
 * The pairs that come in the order of the schema, keyed as its plan
 * expects and holding one of the common scalars: read in a loop of their
 * own, with few enough values live that they all stay in registers.
 * Returns where it stopped, with *seenp and *hintp updated; the caller
 * reads the pair there, whatever it is, and every error.
 */
static inline __attribute__((always_inline)) const uint8_t *
fast_run_inline(const struct plan_field *plan,
    const struct argdata_field *fields, size_t nfields, const uint8_t *pos,
    const uint8_t *end, const uint8_t *lo, const uint8_t *lim,
    int (*convert)(void *, size_t), void *carg, uint8_t *base, uint64_t *seenp,
    size_t *hintp, bool fresh)
{
	uint64_t seen = *seenp;
	size_t hint = *hintp;

	/*
	 * The 16 bytes compared and the length byte after the key may
	 * reach past the map's end, up to lim: a key or value that does
	 * not end inside the map ends the run, and so do pos == end and
	 * the plan's entry past the fields, without checks of their own.
	 */
	(void)fields;
	(void)nfields;
	if ((size_t)(lim - pos) < 17)
		goto out;
	for (const uint8_t *const last = lim - 17; pos <= last;) {
		const struct plan_field *pf = &plan[hint];
		const uint8_t *q = pos + pf->len;
		uint8_t lb;
		size_t vl;

		lb = *q;
		/*
		 * A key too long to plan expects a 00 byte of length and no
		 * more (make_plan()): if the data has one, q is pos, and a
		 * length byte without its high bit set ends the run, as
		 * does a value without even its tag (lb 80).
		 */
		if (!key_matches(pf, pos) || lb <= 0x80)
			break;
		vl = lb & 0x7f;
		/*
		 * A fresh run (a whole map from its start) has seen exactly
		 * the fields before hint; otherwise the longer way may have
		 * read one further on.
		 */
		if ((ptrdiff_t)vl >= end - q ||
		    (!fresh && ((seen >> hint) & 1) != 0) ||
		    !fast_scalar(pf->kind, q[1], q + 1, vl, lo, convert, carg,
		        base + pf->offset))
			break;
		pos = q + 1 + vl;
		if (!fresh)
			seen |= UINT64_C(1) << hint;
		hint++;
	}
out:
	if (fresh)
		seen = hint >= 64 ? UINT64_MAX : (UINT64_C(1) << hint) - 1;
	*seenp = seen;
	*hintp = hint;
	return pos;
}

/*
 * fast_run_inline() as a function of its own, for ad_typed_read_map_encoded(),
 * where inlined it would compete for registers with the longer way.
 */
static __attribute__((noinline)) const uint8_t *
fast_run(const struct plan_field *plan, const struct argdata_field *fields,
    size_t nfields, const uint8_t *pos, const uint8_t *end, const uint8_t *lo,
    const uint8_t *lim, int (*convert)(void *, size_t), void *carg,
    uint8_t *base, uint64_t *seenp, size_t *hintp)
{
	return fast_run_inline(plan, fields, nfields, pos, end, lo, lim,
	    convert, carg, base, seenp, hintp, false);
}

/*
 * A whole encoded map (payload [p, p + n)) whose pairs all come as the
 * plan expects, every field present: read by fast_run() alone. Returns
 * false for any other map, which the caller reads again from its start
 * the longer way (everything written here is written again).
 */
static inline __attribute__((always_inline)) bool
fast_map_inline(const struct plan *pl, const struct argdata_schema *s,
    const struct val *e, uint8_t *base)
{
	uint64_t seen = 0;
	size_t hint = 0;

	if (pl == NULL || s->nfields >= 64)
		return false;
	return fast_run_inline(pl->field, s->fields, s->nfields, e->p,
	           e->p + e->n, e->p - 1, e->lim, e->convert, e->carg, base,
	           &seen, &hint, true) == e->p + e->n &&
	    seen == (UINT64_C(1) << s->nfields) - 1;
}

bool
ad_typed_fast_map(const struct plan *pl, const struct argdata_schema *s,
    const struct val *e, uint8_t *base)
{
	return fast_map_inline(pl, s, e, base);
}

/*
 * The entries of a map read by one field for other keys (f), as many as
 * come with a plain key and a map that ad_typed_fast_map() reads: returns
 * where it stopped, *nother counting the elements and the count stored.
 */
static const uint8_t *
other_run(const struct plan *npl, const struct argdata_field *f,
    const uint8_t *pos, const uint8_t *end, const struct val *v, uint8_t *base,
    size_t *nother)
{
	/*
	 * Everything the loop needs in locals: the stores into the
	 * caller's structs go through a byte pointer, which could alias
	 * the schema, the plan and *v, and would have them loaded again.
	 */
	size_t n = *nother;
	const size_t max = f->max, size = f->size, key_offset = f->key_offset;
	const bool key_length = (f->flags & ARGDATA_KEY_LENGTH) != 0;
	const size_t nfields = f->nested->nfields;
	const struct argdata_field *const fields = f->nested->fields;
	const struct plan_field *const plan = npl != NULL ? npl->field : NULL;
	int (*const convert)(void *, size_t) = v->convert;
	void *const carg = v->carg;
	const uint8_t *const lim = v->lim;
	uint8_t *elem = base + f->offset + n * size;

	if (plan == NULL || nfields >= 64)
		goto out;
	for (; pos != end && n < max; n++, elem += size) {
		const uint8_t *kf, *vf, *q = pos;
		size_t kl, vl;
		uint64_t seen = 0;
		size_t hint = 0;

		/*
		 * The data a few entries ahead, and the element a few ahead
		 * for writing: the data is read once and the array written
		 * once, and neither is likely to be in the cache yet.
		 */
		__builtin_prefetch(pos + 1024);
		__builtin_prefetch(elem + 8 * size, 1);
		if (!subfield(&q, end, &kf, &kl) ||
		    !subfield(&q, end, &vf, &vl) || kl < 2 ||
		    kf[0] != AD_TAG_STR || kf[kl - 1] != 0 ||
		    !plain_ascii(kf + 1, kl - 2) || vl == 0 ||
		    vf[0] != AD_TAG_MAP)
			break;
		/*
		 * The whole map read by the plan, every field present: a
		 * fresh run stops at the entry past the fields.
		 */
		if (fast_run_inline(plan, fields, nfields, vf + 1, vf + vl, vf,
		        lim, convert, carg, elem, &seen, &hint,
		        true) != vf + vl ||
		    hint != nfields)
			break;
		if (key_length) {
			struct argdata_str str = {(const char *)kf + 1, kl - 2};

			memcpy(elem + key_offset, &str, sizeof(str));
		} else {
			const char *name = (const char *)kf + 1;

			memcpy(elem + key_offset, &name, sizeof(name));
		}
		pos = q;
	}
out:
	*nother = n;
	memcpy(base + f->count_offset, &n, sizeof(n));
	return pos;
}

/*
 * ad_typed_read_map() for an encoded map of a schema of at most 64 fields: the
 * same, with the subfields read in place and the common scalars inline,
 * positions and the bits of the fields seen kept in locals that the
 * stores into the caller's struct cannot alias.
 */
int
ad_typed_read_map_encoded(struct ctx *c, const struct path *p,
    const struct val *v, const struct argdata_schema *s, uint8_t *base,
    unsigned depth)
{
	uint64_t seen = 0;
	const struct argdata_field *fields = s->fields, *other = NULL;
	const size_t nfields = s->nfields;
	size_t hint = 0, nother = 0;
	const uint8_t *pos = v->p, *const end = v->p + v->n, *lo = v->p - 1;
	const struct plan *pl = ad_typed_find_plan(c, s);
	const struct plan_field *plan = pl != NULL ? pl->field : NULL;
	int error;

	/*
	 * A map of names the user chose and nothing else (a schema of one
	 * field, for other keys): its entries in a run, each key plain
	 * ASCII and each value a map that ad_typed_fast_map() reads at once.
	 */
	if (pl != NULL && nfields == 1 && fields[0].key == NULL) {
		other = &fields[0];
		pos =
		    other_run(pl->nested[0], other, pos, end, v, base, &nother);
	}
	while (pos != end) {
		const uint8_t *kf, *vf;
		size_t kl, vl, i, klen;
		const struct argdata_field *f;

		/* The pairs that come as the plan expects, in a run. */
		if (plan != NULL && hint < nfields && plan[hint].len != 0 &&
		    (pos = fast_run(plan, fields, nfields, pos, end, lo, v->lim,
		         v->convert, v->carg, base, &seen, &hint)) == end)
			break;
		/*
		 * Each subfield's position depends on the length before it,
		 * a chain of loads that bounds the speed. Where the data
		 * follows the schema, the key's length is known: a compare
		 * that the processor predicts replaces the load in the chain.
		 */
		i = nfields;
		if (hint < nfields && fields[hint].keylen != 0 &&
		    fields[hint].keylen + 2 < 0x80 &&
		    fields[hint].keylen + 2 < (size_t)(end - pos) &&
		    *pos == (uint8_t)(0x80 | (fields[hint].keylen + 2))) {
			kf = pos + 1;
			kl = fields[hint].keylen + 2;
			pos += 1 + kl;
			if (kf[0] == AD_TAG_STR && kf[kl - 1] == 0 &&
			    same_bytes(kf + 1, fields[hint].key, kl - 2))
				i = hint;
		} else if (!subfield(&pos, end, &kf, &kl)) {
			return ad_typed_fail(c, p, EINVAL, "corrupt map");
		}
		/* So with values of a fixed size. */
		vl = i < nfields ? fixed_size(fields[i].type) : 0;
		if (vl != 0 && vl < (size_t)(end - pos) &&
		    *pos == (uint8_t)(0x80 | vl)) {
			vf = pos + 1;
			pos += 1 + vl;
		} else if (!subfield(&pos, end, &vf, &vl)) {
			return ad_typed_fail(c, p, EINVAL, "corrupt map");
		}
		if (i == nfields &&
		    (kl < 2 || kf[0] != AD_TAG_STR || kf[kl - 1] != 0)) {
			uint8_t tag = kl > 0 ? kf[0] : 0;

			return ad_typed_fail(c, p, EINVAL,
			    "expected a str as key, "
			    "found %s %s",
			    ad_typed_article(ad_typed_type_name(tag)),
			    ad_typed_type_name(tag));
		}
		klen = kl - 2;
		/* The field after the last one matched, then all of them. */
		if (i == nfields) {
			for (i = 0; i < nfields; i++)
				if (key_is(&fields[i], kf + 1, klen))
					break;
		}
		if (i < nfields && !(seen & (UINT64_C(1) << i)) &&
		    fast_scalar(ad_typed_scalar_kind(&fields[i]),
		        vl > 0 ? vf[0] : 0, vf, vl, lo, v->convert, v->carg,
		        base + fields[i].offset)) {
			seen |= UINT64_C(1) << i;
			hint = i + 1;
			continue;
		}

		/* Everything else, and every error, as ad_typed_read_map()
		 * does. */
		struct path step = {p, (const char *)kf + 1, klen, 0};
		struct val k = {AD_TAG_STR, kf + 1, kl - 1, NULL, NULL, NULL,
		    v->lim};
		struct val e = {vl > 0 ? vf[0] : 0, vf + (vl > 0),
		    vl - (vl > 0), NULL, v->convert, v->carg, v->lim};

		if (i == nfields) {
			const char *name;

			for (i = 0; other == NULL && i < nfields; i++)
				if (fields[i].key == NULL)
					other = &fields[i];
			if (other == NULL) {
				if (s->flags & ARGDATA_IGNORE_UNKNOWN)
					continue;
				return ad_typed_fail(c, &step, EINVAL,
				    "unknown key");
			}
			if (plain_ascii(k.p, klen))
				name = (const char *)k.p;
			else if (ad_typed_get_cstr(&k, &name) != 0)
				return ad_typed_fail(c, &step, EILSEQ,
				    "key is not "
				    "valid UTF-8 or holds a NUL byte");
			if (nother == other->max)
				return ad_typed_fail(c, &step, EINVAL,
				    "more than %zu "
				    "keys besides those named",
				    other->max);
			uint8_t *elem =
			    base + other->offset + nother * other->size;
			if (!(e.tag == AD_TAG_MAP && pl != NULL &&
			        ad_typed_fast_map(pl->nested[other - fields],
			            other->nested, &e, elem)) &&
			    (error = ad_typed_read_map(c, &step, &e,
			         other->nested, elem, depth + 1)) != 0)
				return error;
			ad_typed_store_key(other, elem, name, klen);
			nother++;
			memcpy(base + other->count_offset, &nother,
			    sizeof(nother));
			continue;
		}
		if (seen & (UINT64_C(1) << i))
			return ad_typed_fail(c, &step, EINVAL, "duplicate key");
		seen |= UINT64_C(1) << i;
		hint = i + 1;
		f = &fields[i];
		if (f->type == ARGDATA_FIELD_ARRAY ||
		    f->type == ARGDATA_FIELD_EACH)
			error = ad_typed_read_seq(c, &step, &e, f, base, depth);
		else
			error = ad_typed_read_value(c, &step, &e, f, f->type,
			    f->size, base + f->offset, depth);
		if (error != 0)
			return error;
	}
	/* Every field came: nothing left to do. */
	if (nfields < 64 && seen == (UINT64_C(1) << nfields) - 1)
		return 0;
	return ad_typed_finish_map(c, p, s, base, depth, &seen, nother);
}
