/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The full walk and the rebuild that the fuzz harnesses share. Both go
 * through the value with a heap stack of iterators, never recursing, and
 * check on every value that the getters agree with the type and leave
 * their outputs untouched when they fail.
 *
 * Why one long file: the walk calls every getter on every value and checks
 * each against the others; the checks are one table of cases.
 */
#define _GNU_SOURCE
#include "fuzz_walk.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

/* Everything a rebuild made: values to argdata_free, arrays to free. */
struct fuzz_pool {
	struct {
		void *p;
		bool is_value;
	} * items;
	size_t n, cap;
};

static int
pool_add(struct fuzz_pool *pool, void *p, bool is_value)
{
	if (pool->n == pool->cap) {
		size_t cap = pool->cap ? pool->cap * 2 : 16;
		void *items =
		    realloc(pool->items, cap * sizeof(pool->items[0]));
		if (items == NULL)
			return ENOMEM;
		pool->items = items;
		pool->cap = cap;
	}
	pool->items[pool->n].p = p;
	pool->items[pool->n++].is_value = is_value;
	return 0;
}

void
fuzz_pool_free(struct fuzz_pool *pool)
{
	if (pool == NULL)
		return;
	/* Containers come after their elements: free in reverse. */
	for (size_t i = pool->n; i-- > 0;) {
		if (pool->items[i].is_value)
			argdata_free(pool->items[i].p);
		else
			free(pool->items[i].p);
	}
	free(pool->items);
	free(pool);
}

int
fuzz_convert_fd(void *arg, size_t fd)
{
	(void)arg;
	return fd <= INT_MAX ? (int)fd : -1;
}

/* The bytes written to fuzz_devnull() since the last reset. */
static size_t written;

static ssize_t
count_write(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	(void)buf;
	written += len;
	return (ssize_t)len;
}

FILE *
fuzz_devnull(void)
{
	static FILE *fp;
	if (fp == NULL) {
		cookie_io_functions_t io = {.write = count_write};
		fp = fopencookie(NULL, "w", io);
	}
	FUZZ_CHECK(fp != NULL);
	return fp;
}

void
fuzz_count_reset(void)
{
	fflush(fuzz_devnull());
	written = 0;
}

size_t
fuzz_count(void)
{
	fflush(fuzz_devnull());
	return written;
}

size_t
fuzz_print_size(const argdata_t *ad)
{
	fuzz_count_reset();
	argdata_print_yaml(ad, fuzz_devnull());
	return fuzz_count();
}

static void
hash(struct fuzz_walk *w, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		w->hash = (w->hash ^ p[i]) * UINT64_C(0x100000001b3);
}

static void
defect(struct fuzz_walk *w, int error)
{
	if (w->defect == 0)
		w->defect = error;
}

/*
 * Every getter but the one for type must answer EINVAL and leave its
 * output alone. type is -1 for a value of an unknown type.
 */
static void
check_other_getters(const argdata_t *ad, int type)
{
	const void *buf = &buf;
	size_t len = 12345;
	bool b = true;
	int fd = -7;
	double d = 0.5;
	intmax_t i = 42;
	uintmax_t u = 43;
	const char *str = "x";
	struct timespec ts = {.tv_sec = 1, .tv_nsec = 2};

	if (type != ARGDATA_TYPE_BINARY)
		FUZZ_CHECK(argdata_get_binary(ad, &buf, &len) == EINVAL &&
		    buf == &buf && len == 12345);
	if (type != ARGDATA_TYPE_BOOL)
		FUZZ_CHECK(argdata_get_bool(ad, &b) == EINVAL && b);
	if (type != ARGDATA_TYPE_FD)
		FUZZ_CHECK(argdata_get_fd(ad, &fd) == EINVAL && fd == -7);
	if (type != ARGDATA_TYPE_FLOAT)
		FUZZ_CHECK(argdata_get_float(ad, &d) == EINVAL && d == 0.5);
	if (type != ARGDATA_TYPE_INT) {
		FUZZ_CHECK(argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX) ==
		        EINVAL &&
		    i == 42);
		FUZZ_CHECK(argdata_get_int_u(ad, &u, UINTMAX_MAX) == EINVAL &&
		    u == 43);
	}
	if (type != ARGDATA_TYPE_STR) {
		FUZZ_CHECK(argdata_get_str(ad, &str, &len) == EINVAL &&
		    *str == 'x' && len == 12345);
		FUZZ_CHECK(
		    argdata_get_str_c(ad, &str) == EINVAL && *str == 'x');
	}
	if (type != ARGDATA_TYPE_TIMESTAMP)
		FUZZ_CHECK(argdata_get_timestamp(ad, &ts) == EINVAL &&
		    ts.tv_sec == 1 && ts.tv_nsec == 2);
	if (type != ARGDATA_TYPE_MAP) {
		argdata_map_iterator_t it;
		argdata_map_iterate(ad, &it);
		FUZZ_CHECK(it.index == ARGDATA_ITERATOR_INVALID);
		argdata_map_next(&it);
		FUZZ_CHECK(it.index == ARGDATA_ITERATOR_INVALID);
	}
	if (type != ARGDATA_TYPE_SEQ) {
		argdata_seq_iterator_t it;
		argdata_seq_iterate(ad, &it);
		FUZZ_CHECK(it.index == ARGDATA_ITERATOR_INVALID);
		argdata_seq_next(&it);
		FUZZ_CHECK(it.index == ARGDATA_ITERATOR_INVALID);
	}
}

/*
 * Reads a scalar of the given type with its getter, hashes it, records a
 * defect, and when out is not NULL rebuilds it (or null) into *out.
 * Returns 0 or ENOMEM.
 */
static int
scalar(const argdata_t *ad, argdata_type_t type, struct fuzz_walk *w,
    struct fuzz_pool *pool, const argdata_t **out)
{
	const argdata_t *copy = &argdata_null;
	argdata_t *made = NULL;
	int error;

	switch (type) {
	case ARGDATA_TYPE_NULL:
		break;
	case ARGDATA_TYPE_BINARY: {
		const void *buf;
		size_t len;
		if ((error = argdata_get_binary(ad, &buf, &len)) != 0) {
			defect(w, error);
			break;
		}
		hash(w, buf, len);
		if (out != NULL &&
		    (made = argdata_create_binary(buf, len)) == NULL)
			return ENOMEM;
		break;
	}
	case ARGDATA_TYPE_BOOL: {
		bool b;
		if ((error = argdata_get_bool(ad, &b)) != 0) {
			defect(w, error);
			break;
		}
		hash(w, &b, sizeof(b));
		copy = b ? &argdata_true : &argdata_false;
		break;
	}
	case ARGDATA_TYPE_FD: {
		int fd;
		error = argdata_get_fd(ad, &fd);
		if (error == EBADF) {
			w->lossy++;
			break;
		}
		if (error != 0) {
			defect(w, error);
			break;
		}
		FUZZ_CHECK(fd >= 0);
		hash(w, &fd, sizeof(fd));
		if (w->nfds == w->fdscap) {
			size_t cap = w->fdscap ? w->fdscap * 2 : 16;
			int *fds = realloc(w->fds, cap * sizeof(*fds));
			if (fds == NULL)
				return ENOMEM;
			w->fds = fds;
			w->fdscap = cap;
		}
		w->fds[w->nfds++] = fd;
		if (out != NULL && (made = argdata_create_fd(fd)) == NULL)
			return ENOMEM;
		break;
	}
	case ARGDATA_TYPE_FLOAT: {
		double d;
		if ((error = argdata_get_float(ad, &d)) != 0) {
			defect(w, error);
			break;
		}
		hash(w, &d, sizeof(d));
		if (out != NULL && (made = argdata_create_float(d)) == NULL)
			return ENOMEM;
		break;
	}
	case ARGDATA_TYPE_INT: {
		intmax_t i;
		uintmax_t u;
		int serr = argdata_get_int_s(ad, &i, INTMAX_MIN, INTMAX_MAX);
		int uerr = argdata_get_int_u(ad, &u, UINTMAX_MAX);
		if (serr == EINVAL || uerr == EINVAL) {
			FUZZ_CHECK(serr == EINVAL && uerr == EINVAL);
			defect(w, EINVAL);
			break;
		}
		FUZZ_CHECK((serr == 0 || serr == ERANGE) &&
		    (uerr == 0 || uerr == ERANGE));
		/* Agreement where both fit; narrow ranges are checked too. */
		if (serr == 0 && uerr == 0)
			FUZZ_CHECK(i >= 0 && (uintmax_t)i == u);
		if (serr == 0 && i < 0)
			FUZZ_CHECK(uerr == ERANGE);
		if (serr == 0) {
			intmax_t j = 99;
			int e = argdata_get_int_s(ad, &j, 0, 0);
			FUZZ_CHECK(
			    i == 0 ? e == 0 && j == 0 : e == ERANGE && j == 99);
			hash(w, &i, sizeof(i));
			made = out != NULL ? argdata_create_int_s(i) : NULL;
		} else if (uerr == 0) {
			hash(w, &u, sizeof(u));
			made = out != NULL ? argdata_create_int_u(u) : NULL;
		} else {
			w->lossy++;
			break;
		}
		if (out != NULL && made == NULL)
			return ENOMEM;
		break;
	}
	case ARGDATA_TYPE_STR: {
		const char *str, *str_c = NULL;
		size_t len;
		if ((error = argdata_get_str(ad, &str, &len)) != 0) {
			FUZZ_CHECK(error == EINVAL || error == EILSEQ);
			FUZZ_CHECK(argdata_get_str_c(ad, &str_c) == error);
			defect(w, error);
			break;
		}
		FUZZ_CHECK(str[len] == '\0');
		hash(w, str, len);
		error = argdata_get_str_c(ad, &str_c);
		/* NUL is valid UTF-8, but get_str_c cannot return it. */
		if (memchr(str, '\0', len) == NULL)
			FUZZ_CHECK(error == 0 && str_c == str);
		else
			FUZZ_CHECK(error == EILSEQ && str_c == NULL);
		/* What get_str accepts, create_str must accept. */
		if (out != NULL &&
		    (made = argdata_create_str(str, len)) == NULL) {
			FUZZ_CHECK(errno == ENOMEM);
			return ENOMEM;
		}
		break;
	}
	case ARGDATA_TYPE_TIMESTAMP: {
		struct timespec ts;
		error = argdata_get_timestamp(ad, &ts);
		if (error == ERANGE) {
			w->lossy++;
			break;
		}
		if (error != 0) {
			defect(w, error);
			break;
		}
		FUZZ_CHECK(ts.tv_nsec >= 0 && ts.tv_nsec <= 999999999);
		hash(w, &ts.tv_sec, sizeof(ts.tv_sec));
		hash(w, &ts.tv_nsec, sizeof(ts.tv_nsec));
		if (out != NULL &&
		    (made = argdata_create_timestamp(&ts)) == NULL)
			return ENOMEM;
		break;
	}
	default:
		FUZZ_CHECK(!"get_type returned an unknown type");
	}
	if (made != NULL && pool_add(pool, made, true) != 0) {
		argdata_free(made);
		return ENOMEM;
	}
	if (out != NULL)
		*out = made != NULL ? made : copy;
	return 0;
}

/* One container being walked, and what the rebuild gathered from it. */
struct frame {
	union {
		argdata_map_iterator_t map;
		argdata_seq_iterator_t seq;
	} it;
	bool is_map;
	unsigned char phase;
	size_t count;
	const argdata_t *value;
	const argdata_t **children;
	size_t nchildren, cap;
};

/*
 * The values that iterators hand out live inside them, and a frame keeps
 * one (a map's value) while the key's subtree is walked: frames must never
 * move, so each is allocated on its own and only the array of pointers to
 * them grows.
 */
struct walker {
	struct frame **stack;
	size_t depth, size;
	struct fuzz_pool *pool;
};

/* Makes room for one more frame. */
static int
reserve(struct walker *wk)
{
	if (wk->depth < wk->size)
		return 0;
	size_t n = wk->size ? wk->size * 2 : 16;
	struct frame **s = realloc(wk->stack, n * sizeof(*s));
	if (s == NULL)
		return ENOMEM;
	wk->stack = s;
	for (; wk->size < n; wk->size++)
		if ((s[wk->size] = malloc(sizeof(struct frame))) == NULL)
			return ENOMEM;
	return 0;
}

static int
add_child(struct frame *f, const argdata_t *child)
{
	if (f->nchildren == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;
		const argdata_t **c = realloc(f->children, cap * sizeof(*c));
		if (c == NULL)
			return ENOMEM;
		f->children = c;
		f->cap = cap;
	}
	f->children[f->nchildren++] = child;
	return 0;
}

/* Makes the rebuilt container of the top frame, owned by the pool. */
static int
finish_container(struct walker *wk, const argdata_t **out)
{
	struct frame *f = wk->stack[wk->depth - 1];
	argdata_t *made;
	if (f->is_map) {
		size_t n = f->nchildren / 2;
		const argdata_t **kv = malloc((n ? 2 * n : 1) * sizeof(*kv));
		if (kv == NULL || pool_add(wk->pool, kv, false) != 0) {
			free(kv);
			return ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			kv[i] = f->children[2 * i];
			kv[n + i] = f->children[2 * i + 1];
		}
		made = argdata_create_map(kv, kv + n, n);
	} else {
		made = argdata_create_seq(f->children, f->nchildren);
		if (f->children != NULL &&
		    pool_add(wk->pool, f->children, false) != 0) {
			argdata_free(made);
			return ENOMEM;
		}
		f->children = NULL;
	}
	if (made == NULL)
		return ENOMEM;
	if (pool_add(wk->pool, made, true) != 0) {
		argdata_free(made);
		return ENOMEM;
	}
	*out = made;
	return 0;
}

static void
pop(struct walker *wk)
{
	struct frame *f = wk->stack[--wk->depth];
	free(f->children);
	f->children = NULL;
}

static int
traverse(struct walker *wk, const argdata_t *root, struct fuzz_walk *w,
    const argdata_t **rebuilt)
{
	bool rebuild = wk->pool != NULL;
	const argdata_t *pending = root;
	const argdata_t *result = &argdata_null;
	int error;

	memset(w, 0, sizeof(*w));
	w->hash = UINT64_C(0xcbf29ce484222325);
	if ((error = reserve(wk)) != 0)
		return error;
	for (;;) {
		/* The value made from pending, to go to the parent frame. */
		const argdata_t *made = NULL;
		bool have_made = false;
		if (pending != NULL) {
			argdata_type_t type;
			w->values++;
			if (argdata_get_type(pending, &type) != 0) {
				check_other_getters(pending, -1);
				defect(w, EINVAL);
				made = &argdata_null;
				have_made = true;
			} else if (type == ARGDATA_TYPE_MAP ||
			    type == ARGDATA_TYPE_SEQ) {
				check_other_getters(pending, (int)type);
				hash(w, &type, sizeof(type));
				struct frame *f = wk->stack[wk->depth++];
				memset(f, 0, sizeof(*f));
				f->is_map = type == ARGDATA_TYPE_MAP;
				if (f->is_map)
					argdata_map_iterate(pending,
					    &f->it.map);
				else
					argdata_seq_iterate(pending,
					    &f->it.seq);
			} else {
				check_other_getters(pending, (int)type);
				hash(w, &type, sizeof(type));
				if ((error = scalar(pending, type, w, wk->pool,
				         rebuild ? &made : NULL)) != 0)
					return error;
				have_made = true;
			}
			pending = NULL;
		}
		if (have_made && rebuild) {
			if (wk->depth == 0)
				result = made;
			else if (add_child(wk->stack[wk->depth - 1], made) != 0)
				return ENOMEM;
		}
		if (wk->depth == 0)
			break;

		struct frame *f = wk->stack[wk->depth - 1];
		size_t index = f->is_map ? f->it.map.index : f->it.seq.index;
		bool more;
		const argdata_t *key = NULL;
		if (f->phase == 0) {
			if ((error = reserve(wk)) != 0)
				return error;
			more = f->is_map
			    ? argdata_map_get(&f->it.map, &key, &f->value)
			    : argdata_seq_get(&f->it.seq, &f->value);
			if (more) {
				FUZZ_CHECK(index == f->count);
				f->count++;
				f->phase = f->is_map ? 1 : 2;
				pending = f->is_map ? key : f->value;
				continue;
			}
			/* END or INVALID, and each stays where it is. */
			FUZZ_CHECK(index == ARGDATA_ITERATOR_END ||
			    index == ARGDATA_ITERATOR_INVALID);
			if (f->is_map)
				argdata_map_next(&f->it.map);
			else
				argdata_seq_next(&f->it.seq);
			FUZZ_CHECK(index ==
			    (f->is_map ? f->it.map.index : f->it.seq.index));
			if (index == ARGDATA_ITERATOR_INVALID)
				defect(w, EINVAL);
			const argdata_t *container = NULL;
			if (rebuild &&
			    (error = finish_container(wk, &container)) != 0)
				return error;
			pop(wk);
			if (rebuild) {
				if (wk->depth == 0)
					result = container;
				else if (add_child(wk->stack[wk->depth - 1],
				             container) != 0)
					return ENOMEM;
			}
			if (wk->depth == 0)
				break;
		} else if (f->phase == 1) {
			f->phase = 2;
			pending = f->value;
		} else {
			if (f->is_map)
				argdata_map_next(&f->it.map);
			else
				argdata_seq_next(&f->it.seq);
			f->phase = 0;
		}
	}
	if (rebuilt != NULL)
		*rebuilt = result;
	return 0;
}

static void
walker_free(struct walker *wk)
{
	while (wk->depth > 0)
		pop(wk);
	for (size_t i = 0; i < wk->size; i++)
		free(wk->stack[i]);
	free(wk->stack);
}

int
fuzz_walk(const argdata_t *ad, struct fuzz_walk *w)
{
	struct walker wk = {0};
	int error = traverse(&wk, ad, w, NULL);
	walker_free(&wk);
	if (error != 0)
		fuzz_walk_free(w);
	return error;
}

int
fuzz_rebuild(const argdata_t *ad, const argdata_t **root,
    struct fuzz_pool **pool)
{
	struct walker wk = {0};
	struct fuzz_walk w;
	wk.pool = calloc(1, sizeof(*wk.pool));
	*pool = wk.pool;
	if (wk.pool == NULL)
		return ENOMEM;
	int error = traverse(&wk, ad, &w, root);
	walker_free(&wk);
	fuzz_walk_free(&w);
	return error;
}

void
fuzz_walk_free(struct fuzz_walk *w)
{
	free(w->fds);
	w->fds = NULL;
	w->nfds = w->fdscap = 0;
}

/*
 * Serializes ad into a fresh buffer with a guard zone behind it, checking
 * that argdata_serialize writes exactly argdata_serialized_length bytes and
 * returns at most that many descriptors. *fds is allocated when renumber.
 */
static int
serialize(const argdata_t *ad, bool renumber, unsigned char **out, size_t *len,
    int **fds, size_t *nfds)
{
	enum { GUARD = 16 };
	size_t maxfds;
	argdata_serialized_length(ad, len, &maxfds);
	FUZZ_CHECK(*len <= SIZE_MAX - GUARD);
	unsigned char *buf = malloc(*len + GUARD);
	*fds = NULL;
	if (buf == NULL)
		return ENOMEM;
	if (renumber &&
	    (*fds = malloc((maxfds ? maxfds : 1) * sizeof(int))) == NULL) {
		free(buf);
		return ENOMEM;
	}
	memset(buf + *len, 0xa5, GUARD);
	size_t n = argdata_serialize(ad, buf, *fds);
	for (size_t i = 0; i < GUARD; i++)
		FUZZ_CHECK(buf[*len + i] == 0xa5);
	FUZZ_CHECK(renumber ? n <= maxfds : n == 0);
	*out = buf;
	if (nfds != NULL)
		*nfds = n;
	return 0;
}

/* Decodes buf and walks it; the encoder's output must have no defect. */
static int
walk_encoded(const unsigned char *buf, size_t len, struct fuzz_walk *w)
{
	FUZZ_CHECK(argdata_validate(buf, len, NULL, NULL) != EINVAL);
	argdata_t *ad = argdata_from_buffer(buf, len, fuzz_convert_fd, NULL);
	if (ad == NULL)
		return ENOMEM;
	int error = fuzz_walk(ad, w);
	argdata_free(ad);
	if (error == 0)
		FUZZ_CHECK(w->defect == 0);
	return error;
}

static int
compare_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/*
 * Renumbering: the rebuilt value serialized with an fds array must read
 * back as numbers 0, 1, ... in order of first appearance, each mapping
 * through fds to the descriptor that stood there, all of fds distinct.
 */
static int
check_renumbering(const argdata_t *root, const struct fuzz_walk *plain)
{
	unsigned char *buf;
	size_t len, n;
	int *fds;
	struct fuzz_walk w;
	int error = serialize(root, true, &buf, &len, &fds, &n);
	if (error != 0)
		return error;
	if ((error = walk_encoded(buf, len, &w)) == 0) {
		FUZZ_CHECK(w.nfds == plain->nfds);
		size_t next = 0;
		for (size_t i = 0; i < w.nfds; i++) {
			size_t k = (size_t)w.fds[i];
			FUZZ_CHECK(k <= next && k < n);
			if (k == next)
				next++;
			FUZZ_CHECK(fds[k] == plain->fds[i]);
		}
		FUZZ_CHECK(next == n);
		qsort(fds, n, sizeof(int), compare_int);
		for (size_t i = 1; i < n; i++)
			FUZZ_CHECK(fds[i - 1] != fds[i]);
		fuzz_walk_free(&w);
	}
	free(buf);
	free(fds);
	return error;
}

/* Rebuilds ad, serializes it, and checks the result is a fixed point. */
static int
check_rebuild(const argdata_t *ad, const struct fuzz_walk *orig, bool valid)
{
	const argdata_t *root, *root2;
	struct fuzz_pool *pool, *pool2 = NULL;
	unsigned char *y = NULL, *z = NULL;
	size_t ylen, zlen;
	int *nofds;
	argdata_t *yad = NULL;
	struct fuzz_walk w = {0};
	int error = fuzz_rebuild(ad, &root, &pool);
	if (error != 0)
		goto out;
	if ((error = serialize(root, false, &y, &ylen, &nofds, NULL)) != 0)
		goto out;
	if ((error = walk_encoded(y, ylen, &w)) != 0)
		goto out;
	/* The values made in memory read as their encoding does. */
	struct fuzz_walk mem;
	if ((error = fuzz_walk(root, &mem)) != 0)
		goto out;
	FUZZ_CHECK(mem.defect == 0 && mem.values == w.values);
	FUZZ_CHECK(mem.hash == w.hash && mem.nfds == w.nfds);
	fuzz_walk_free(&mem);
	/* A faithful copy of valid input reads back as the same values. */
	if (valid && orig->lossy == 0) {
		FUZZ_CHECK(w.values == orig->values);
		FUZZ_CHECK(w.hash == orig->hash);
	}
	if ((error = check_renumbering(root, &w)) != 0)
		goto out;
	/* The canonical encoding is a fixed point of decode and rebuild. */
	if ((yad = argdata_from_buffer(y, ylen, fuzz_convert_fd, NULL)) ==
	    NULL) {
		error = ENOMEM;
		goto out;
	}
	if ((error = fuzz_rebuild(yad, &root2, &pool2)) != 0)
		goto out;
	if ((error = serialize(root2, false, &z, &zlen, &nofds, NULL)) != 0)
		goto out;
	FUZZ_CHECK(zlen == ylen && memcmp(y, z, ylen) == 0);
out:
	fuzz_walk_free(&w);
	argdata_free(yad);
	free(y);
	free(z);
	fuzz_pool_free(pool);
	fuzz_pool_free(pool2);
	return error;
}

int
fuzz_check_value(const argdata_t *ad, const struct fuzz_walk *w, bool valid,
    bool numbers_are_fds)
{
	unsigned char *buf;
	size_t len, n;
	int *fds;
	/*
	 * Printing, even corrupt data, is linear in the input: the worst
	 * seen per input byte is a few characters (escapes, indentation
	 * that stops growing), far below this bound.
	 */
	argdata_serialized_length(ad, &len, NULL);
	FUZZ_CHECK(fuzz_print_size(ad) <= 32 * len + 256);
	/* Serializing a decoded value, even a corrupt one, stays in bounds. */
	int error = serialize(ad, false, &buf, &len, &fds, NULL);
	if (error != 0)
		return error;
	if (valid && w->lossy == 0 && numbers_are_fds) {
		struct fuzz_walk again;
		if ((error = walk_encoded(buf, len, &again)) == 0) {
			FUZZ_CHECK(again.hash == w->hash);
			fuzz_walk_free(&again);
		}
	}
	free(buf);
	if (error != 0)
		return error;
	if ((error = serialize(ad, true, &buf, &len, &fds, &n)) != 0)
		return error;
	free(buf);
	free(fds);
	return check_rebuild(ad, w, valid);
}
