/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runs files through a fuzz harness without libFuzzer, so that the seed
 * corpora and every crash found so far are regression tests under plain
 * meson test. Arguments are files or folders (every regular file in them).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t replayed;

static void
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rbe");
	if (fp == NULL)
		err(1, "%s", path);
	size_t cap = 4096, len = 0, n;
	uint8_t *buf = malloc(cap);
	if (buf == NULL)
		err(1, "malloc");
	while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL)
				err(1, "realloc");
		}
	}
	if (ferror(fp))
		err(1, "%s", path);
	fclose(fp);
	/* An exact-size copy, so that ASan sees any read past the end. */
	uint8_t *data = malloc(len ? len : 1);
	if (data == NULL)
		err(1, "malloc");
	memcpy(data, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	replayed++;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s file|folder ...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0)
			err(1, "%s", argv[i]);
		if (!S_ISDIR(st.st_mode)) {
			replay_file(argv[i]);
			continue;
		}
		struct dirent **names;
		int n = scandir(argv[i], &names, NULL, alphasort);
		if (n < 0)
			err(1, "%s", argv[i]);
		for (int j = 0; j < n; j++) {
			char *path;
			if (names[j]->d_name[0] != '.') {
				if (asprintf(&path, "%s/%s", argv[i],
				        names[j]->d_name) < 0)
					err(1, "asprintf");
				replay_file(path);
				free(path);
			}
			free(names[j]);
		}
		free(names);
	}
	if (replayed == 0)
		errx(1, "no input to replay");
	printf("replayed %zu inputs\n", replayed);
	return 0;
}
