/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keyed_hash.h - hashing strings that hostile input chooses (YAML anchor
 * names, ELF library names) into open-addressing tables. With a fixed
 * hash, names chosen to share the low bits that pick a slot would make
 * every lookup probe all of them, quadratic in their number. So each table
 * hashes from a key drawn when it is made, and a final mix spreads every
 * bit into the low ones. Never installed.
 */
#ifndef ARGDATA_KEYED_HASH_H
#define ARGDATA_KEYED_HASH_H

#include <stdint.h>
#include <sys/random.h>
#include <time.h>

/* A key for one table; salt (its address) only matters without getrandom. */
static inline uint64_t
ad_hash_key(const void *salt)
{
	uint64_t key = 0;

	if (getrandom(&key, sizeof(key), GRND_NONBLOCK) != sizeof(key)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		key = (uint64_t)(uintptr_t)salt ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)ts.tv_sec << 32);
	}
	return key;
}

/* FNV-1a of the NUL-terminated s from key, then a 64-bit finalizer. */
static inline uint64_t
ad_hash_string(uint64_t key, const char *s)
{
	uint64_t h = 14695981039346656037ULL ^ key;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

#endif
