/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema_check.c - checks a configuration against the table the program
 * publishes, before anything starts: walks the root map of the loaded tree
 * and the flat table side by side (the table has no nesting, so neither
 * has the walk), and points at the key or value that does not fit with the
 * loader's marks. See schema_check.h.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "run_start.h"
#include "schema_check.h"

struct schema_table *
run_schema_read(const char *name, int execfd)
{
	struct schema_table *t = malloc(sizeof(*t));
	int error;

	if (t == NULL)
		err(RUN_EXIT_OSERR, NULL);
	error = schema_note_read_fd(execfd, t);
	if (error == 0)
		return t;
	free(t);
	/*
	 * Not ELF (run_check_program() has said so already), no table, or
	 * a program this user may execute but not read (open O_PATH only):
	 * started unchecked, as before.
	 */
	if (error == ENOENT || error == ENOEXEC || error == EBADF)
		return NULL;
	if (error == ENOMEM)
		err(RUN_EXIT_OSERR, NULL);
	errx(RUN_EXIT_CANNOT_EXEC,
	    "%s: its table of expected argdata "
	    "(ELF note \"argdata\") is malformed: %s",
	    name,
	    error == EBADMSG ? "out of bounds or not understood"
	                     : strerror(error));
}

/* One misfit: where, and the message after "config.yaml:L:C: ". */
struct misfit {
	loader_mark_t mark;
	char msg[768];
};

/* What a value is, in words, for "found ...". */
static const char *
found_of(const argdata_t *v, const struct run_context *rc, char *buf,
    size_t size)
{
	argdata_type_t type = ARGDATA_TYPE_NULL;
	intmax_t i;
	uintmax_t u;
	int fd;

	argdata_get_type(v, &type);
	switch (type) {
	case ARGDATA_TYPE_NULL:
		return "null";
	case ARGDATA_TYPE_BINARY:
		return "binary data";
	case ARGDATA_TYPE_BOOL:
		return "a boolean";
	case ARGDATA_TYPE_FLOAT:
		return "a number with a fraction";
	case ARGDATA_TYPE_MAP:
		return "a map";
	case ARGDATA_TYPE_SEQ:
		return "a sequence";
	case ARGDATA_TYPE_STR:
		return "a string";
	case ARGDATA_TYPE_TIMESTAMP:
		return "a timestamp";
	case ARGDATA_TYPE_INT:
		if (argdata_get_int_s(v, &i, INTMAX_MIN, INTMAX_MAX) == 0)
			snprintf(buf, size, "%" PRIdMAX, i);
		else if (argdata_get_int_u(v, &u, UINTMAX_MAX) == 0)
			snprintf(buf, size, "%" PRIuMAX, u);
		else
			return "an integer";
		return buf;
	case ARGDATA_TYPE_FD:
		if (argdata_get_fd(v, &fd) == 0 &&
		    run_context_find(rc, fd) != NULL) {
			snprintf(buf, size, "!%s",
			    run_kind_name(run_context_find(rc, fd)->kind));
			return buf;
		}
		return "a descriptor";
	}
	return "a value of unknown type";
}

/*
 * Whether the descriptor v fits the ARGDATA_FD_* flags: NULL, or "" when
 * its tag can never fit, or what it lacks otherwise.
 */
static const char *
fd_misfit(const argdata_t *v, unsigned flags, const struct run_context *rc)
{
	const struct run_resource *r;
	struct stat st;
	int fd, type = 0, acc = 0, fl;
	socklen_t len = sizeof(int);
	bool dry = rc->dry_run, listening;

	if (argdata_get_fd(v, &fd) != 0 || fstat(fd, &st) != 0)
		return "";
	r = run_context_find(rc, fd);
	if (S_ISSOCK(st.st_mode))
		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
	/* A dry run's sockets are not bound: the tag says what they become. */
	if (dry && r != NULL && r->kind == RUN_SOCKET) {
		listening = r->listening;
	} else {
		len = sizeof(acc);
		listening = S_ISSOCK(st.st_mode) &&
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) ==
		        0 &&
		    acc != 0;
	}
	if ((flags & ARGDATA_FD_LISTENING) &&
	    !(listening && type == SOCK_STREAM))
		return S_ISSOCK(st.st_mode) ? "that is not a listening stream "
		                              "socket"
		                            : "";
	if ((flags & ARGDATA_FD_SOCKET) && !S_ISSOCK(st.st_mode))
		return "";
	if ((flags & ARGDATA_FD_DIRECTORY) && !S_ISDIR(st.st_mode))
		return "";
	/* A dry run's file that would be created is an empty memfd. */
	if ((flags & ARGDATA_FD_REGULAR) && !S_ISREG(st.st_mode))
		return "";
	/*
	 * How it is open: a dry run opens files O_PATH only, so that there
	 * the access the tag asks for stands for it.
	 */
	fl = dry && r != NULL && r->kind == RUN_FILE ? r->accmode
	                                             : fcntl(fd, F_GETFL);
	if (fl == -1 || (fl & O_PATH) != 0)
		return NULL;
	if ((flags & ARGDATA_FD_READABLE) && (fl & O_ACCMODE) == O_WRONLY)
		return "that is not open for reading";
	if ((flags & ARGDATA_FD_WRITABLE) && (fl & O_ACCMODE) == O_RDONLY)
		return "that is not open for writing";
	return NULL;
}

/* Checks one value (an element when elem) against key k; 0 or -1. */
static int
check_value(const struct schema_key *k, bool elem, const argdata_t *v,
    const struct run_context *rc, struct misfit *m, const char *name)
{
	unsigned type = elem ? k->elem_type : k->type;
	argdata_type_t found = ARGDATA_TYPE_NULL;
	struct schema_key ek = *k;
	char want[256], got[128];
	const char *lacks = NULL;
	intmax_t i;
	uintmax_t u;
	bool ok;

	if (elem)
		ek.type = (unsigned char)type;
	argdata_get_type(v, &found);
	switch (type) {
	case ARGDATA_FIELD_INT:
		ok = argdata_get_int_s(v, &i, -SCHEMA_SMAX(k->size) - 1,
		         SCHEMA_SMAX(k->size)) == 0;
		break;
	case ARGDATA_FIELD_UINT:
		ok = argdata_get_int_u(v, &u, SCHEMA_UMAX(k->size)) == 0;
		break;
	case ARGDATA_FIELD_BOOL:
		ok = found == ARGDATA_TYPE_BOOL;
		break;
	case ARGDATA_FIELD_FLOAT:
		ok = found == ARGDATA_TYPE_FLOAT || found == ARGDATA_TYPE_INT;
		break;
	case ARGDATA_FIELD_STR:
	case ARGDATA_FIELD_STRLEN:
		ok = found == ARGDATA_TYPE_STR;
		break;
	case ARGDATA_FIELD_BINARY:
		ok = found == ARGDATA_TYPE_BINARY;
		break;
	case ARGDATA_FIELD_TIMESTAMP:
		ok = found == ARGDATA_TYPE_TIMESTAMP;
		break;
	case ARGDATA_FIELD_MAP:
		ok = found == ARGDATA_TYPE_MAP;
		break;
	case ARGDATA_FIELD_FD:
		ok = found == ARGDATA_TYPE_FD &&
		    (lacks = fd_misfit(v, k->flags, rc)) == NULL;
		break;
	default: /* ARGDATA_FIELD_ARRAY and _EACH: a sequence. */
		ok = found == ARGDATA_TYPE_SEQ;
		break;
	}
	if (ok)
		return 0;
	snprintf(m->msg, sizeof(m->msg),
	    "%s: this program expects %s, found %s%s%s", name,
	    schema_describe(&ek, want, sizeof(want)),
	    found_of(v, rc, got, sizeof(got)),
	    lacks != NULL && lacks[0] != '\0' ? " " : "",
	    lacks != NULL ? lacks : "");
	return -1;
}

/* A sequence's elements against k's element type; 0 or -1. */
static int
check_elements(const struct schema_key *k, const argdata_t *v,
    const struct run_context *rc, struct misfit *m)
{
	argdata_seq_iterator_t it;
	const argdata_t *e;
	size_t n = 0;
	char name[PROGRAM_NOTE_KEY_MAX + 32], want[256];

	for (argdata_seq_iterate(v, &it); argdata_seq_get(&it, &e);
	     argdata_seq_next(&it), n++) {
		if (n >= k->max) {
			snprintf(m->msg, sizeof(m->msg),
			    "%s: this program expects %s, found more", k->key,
			    schema_describe(k, want, sizeof(want)));
			return -1;
		}
		snprintf(name, sizeof(name), "%s[%zu]", k->key, n);
		if (check_value(k, true, e, rc, m, name) != 0)
			return -1;
	}
	return 0;
}

/* The table's keys, for a message: "a, b, c", cut short when long. */
static void
list_keys(const struct schema_table *t, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->nkeys && len + 1 < size; i++) {
		int n;

		if (t->keys[i].key[0] == '\0')
			continue;
		n = snprintf(buf + len, size - len, "%s%s",
		    len == 0 ? "" : ", ", t->keys[i].key);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/* Finds key (len bytes) in t: its index, or t->nkeys. */
static size_t
find_key(const struct schema_table *t, const char *key, size_t len)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (t->keys[i].key[0] != '\0' &&
		    strlen(t->keys[i].key) == len &&
		    memcmp(t->keys[i].key, key, len) == 0)
			return i;
	return t->nkeys;
}

/* The index of the entry for other keys, or t->nkeys. */
static size_t
other_keys(const struct schema_table *t)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (t->keys[i].key[0] == '\0')
			return i;
	return t->nkeys;
}

static int
check_map(const struct schema_table *t, const loader_t *ld,
    const argdata_t *tree, const struct run_context *rc, struct misfit *m)
{
	bool seen[PROGRAM_NOTE_KEYS] = {false};
	const loader_mark_t *marks;
	loader_mark_t root;
	size_t nmarks = loader_root_marks(ld, &root, &marks), n = 0;
	size_t other = other_keys(t), nother = 0;
	argdata_map_iterator_t it;
	const argdata_t *k, *v;
	char want[256], got[128];
	argdata_type_t rt;

	m->mark = root;
	if (argdata_get_type(tree, &rt) != 0 || rt != ARGDATA_TYPE_MAP) {
		snprintf(m->msg, sizeof(m->msg),
		    "this program expects a map of keys, found %s",
		    found_of(tree, rc, got, sizeof(got)));
		return -1;
	}
	for (argdata_map_iterate(tree, &it); argdata_map_get(&it, &k, &v);
	     argdata_map_next(&it), n++) {
		const char *key = NULL;
		size_t len = 0, i;

		m->mark = 2 * n < nmarks ? marks[2 * n] : root;
		if (argdata_get_str(k, &key, &len) != 0) {
			snprintf(m->msg, sizeof(m->msg),
			    "this program expects string keys, found %s",
			    found_of(k, rc, got, sizeof(got)));
			return -1;
		}
		i = find_key(t, key, len);
		if (i == t->nkeys && other != t->nkeys) {
			m->mark = 2 * n + 1 < nmarks ? marks[2 * n + 1] : root;
			if (++nother > t->keys[other].max) {
				snprintf(m->msg, sizeof(m->msg),
				    "%.*s: this program takes at most %u keys "
				    "besides its own",
				    (int)len, key, t->keys[other].max);
				return -1;
			}
			if (check_value(&t->keys[other], true, v, rc, m, key) !=
			    0)
				return -1;
			continue;
		}
		if (i == t->nkeys) {
			if (t->flags & ARGDATA_IGNORE_UNKNOWN)
				continue;
			list_keys(t, want, sizeof(want));
			snprintf(m->msg, sizeof(m->msg),
			    "%.*s: this program expects no such key (its "
			    "keys: %s)",
			    (int)(len > 128 ? 128 : len), key, want);
			return -1;
		}
		if (seen[i]) {
			snprintf(m->msg, sizeof(m->msg), "%s: given twice",
			    t->keys[i].key);
			return -1;
		}
		seen[i] = true;
		m->mark = 2 * n + 1 < nmarks ? marks[2 * n + 1] : root;
		if (check_value(&t->keys[i], false, v, rc, m, t->keys[i].key) !=
		    0)
			return -1;
		if (t->keys[i].type == ARGDATA_FIELD_ARRAY &&
		    check_elements(&t->keys[i], v, rc, m) != 0)
			return -1;
	}
	m->mark = root;
	for (size_t i = 0; i < t->nkeys; i++)
		if ((t->keys[i].flags & ARGDATA_REQUIRED) && !seen[i]) {
			snprintf(m->msg, sizeof(m->msg),
			    "%s: missing: this program expects %s",
			    t->keys[i].key,
			    schema_describe(&t->keys[i], want, sizeof(want)));
			return -1;
		}
	return 0;
}

int
run_schema_check(const struct schema_table *t, const char *config_name,
    const loader_t *ld, const argdata_t *tree, const struct run_context *rc)
{
	struct misfit m;

	if (check_map(t, ld, tree, rc, &m) == 0)
		return 0;
	fprintf(stderr, "%s:%zu:%zu: %s\n", config_name, m.mark.line,
	    m.mark.column, m.msg);
	return RUN_EXIT_CONFIG;
}
