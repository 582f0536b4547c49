/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wrappers behind alloc_inject.h. Every allocation function the code
 * under test calls goes through __wrap_*, which, while the injector is
 * armed, counts it, fails it when its turn comes, and records the block in
 * a table of live blocks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_inject.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_reallocarray(void *p, size_t n, size_t size);
void __real_free(void *p);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static size_t count, fail_at, budget;
static bool use_budget, failed;
/* Threads of the chunk tests allocate and free at the same time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Live blocks, unordered: tests keep few of them at a time. */
#define MAX_LIVE 65536
static void *live[MAX_LIVE];
static size_t nlive;

void
alloc_inject_reset(size_t n)
{
	pthread_mutex_lock(&lock);
	count = 0;
	fail_at = n;
	use_budget = false;
	failed = false;
	pthread_mutex_unlock(&lock);
}

void
alloc_inject_budget(size_t n)
{
	alloc_inject_reset(0);
	pthread_mutex_lock(&lock);
	budget = n;
	use_budget = true;
	pthread_mutex_unlock(&lock);
}

void
alloc_inject_stop(void)
{
	pthread_mutex_lock(&lock);
	fail_at = 0;
	use_budget = false;
	pthread_mutex_unlock(&lock);
}

size_t
alloc_inject_count(void)
{
	return count;
}

bool
alloc_inject_failed(void)
{
	return failed;
}

size_t
alloc_inject_live(void)
{
	pthread_mutex_lock(&lock);
	size_t n = nlive;
	pthread_mutex_unlock(&lock);
	return n;
}

/* Counts an allocation; false when this is the one to fail. */
static bool
may_allocate(void)
{
	bool fail;

	pthread_mutex_lock(&lock);
	count++;
	fail = use_budget ? count > budget : count == fail_at;
	if (fail)
		failed = true;
	pthread_mutex_unlock(&lock);
	if (fail)
		errno = ENOMEM;
	return !fail;
}

static void
track(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&lock);
	if (nlive == MAX_LIVE) {
		fputs("alloc_inject: too many live blocks\n", stderr);
		abort();
	}
	live[nlive++] = p;
	pthread_mutex_unlock(&lock);
}

/* Forgets p; blocks that libc allocated on its own are not in the table. */
static void
untrack(void *p)
{
	pthread_mutex_lock(&lock);
	for (size_t i = nlive; i-- > 0;) {
		if (live[i] == p) {
			live[i] = live[--nlive];
			break;
		}
	}
	pthread_mutex_unlock(&lock);
}

void *
__wrap_malloc(size_t size)
{
	if (!may_allocate())
		return NULL;
	void *p = __real_malloc(size);
	track(p);
	return p;
}

void *
__wrap_calloc(size_t n, size_t size)
{
	if (!may_allocate())
		return NULL;
	void *p = __real_calloc(n, size);
	track(p);
	return p;
}

void *
__wrap_realloc(void *p, size_t size)
{
	if (!may_allocate())
		return NULL;
	void *q = __real_realloc(p, size);
	if (q != NULL || size == 0) {
		untrack(p);
		track(q);
	}
	return q;
}

void *
__wrap_reallocarray(void *p, size_t n, size_t size)
{
	if (!may_allocate())
		return NULL;
	void *q = __real_reallocarray(p, n, size);
	if (q != NULL) {
		untrack(p);
		track(q);
	}
	return q;
}

void
__wrap_free(void *p)
{
	if (p != NULL)
		untrack(p);
	__real_free(p);
}

char *
__wrap_strdup(const char *s)
{
	return __wrap_strndup(s, strlen(s));
}

char *
__wrap_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = __wrap_malloc(len + 1);
	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}
