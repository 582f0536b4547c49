/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attr.c - program_attr_t: what a started program gets beyond its argdata
 * (argv[0] and explicitly handed environment variables).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "process.h"

program_attr_t *
program_attr_create(void)
{
	program_attr_t *attr = calloc(1, sizeof(*attr));

	if (attr == NULL)
		errno = ENOMEM;
	return attr;
}

void
program_attr_free(program_attr_t *attr)
{
	int saved_errno = errno;

	if (attr == NULL)
		return;
	free(attr->name);
	for (size_t i = 0; i < attr->nenv; i++)
		free(attr->env[i]);
	free(attr->env);
	ad_attr_free_sandbox(attr);
	ad_attr_free_plain(attr);
	ad_attr_free_user(attr);
	free(attr);
	errno = saved_errno;
}

int
program_attr_setname(program_attr_t *attr, const char *argv0)
{
	char *copy = NULL;

	if (attr == NULL)
		return EINVAL;
	if (argv0 != NULL && (copy = strdup(argv0)) == NULL)
		return ENOMEM;
	free(attr->name);
	attr->name = copy;
	return 0;
}

int
program_attr_setenv(program_attr_t *attr, const char *name, const char *value)
{
	size_t namelen;
	char *entry = NULL;

	/*
	 * ARGDATA_FD and LISTEN_* belong to the start-up protocols: a second
	 * one could point the program at the wrong data or descriptors.
	 */
	if (attr == NULL || name == NULL || name[0] == '\0' ||
	    strchr(name, '=') != NULL || strcmp(name, "ARGDATA_FD") == 0 ||
	    strcmp(name, "LISTEN_FDS") == 0 ||
	    strcmp(name, "LISTEN_FDNAMES") == 0 ||
	    strcmp(name, "LISTEN_PID") == 0)
		return EINVAL;
	namelen = strlen(name);
	if (value != NULL) {
		size_t valuelen = strlen(value);

		entry = malloc(namelen + valuelen + 2);
		if (entry == NULL)
			return ENOMEM;
		memcpy(entry, name, namelen);
		entry[namelen] = '=';
		memcpy(entry + namelen + 1, value, valuelen + 1);
	}
	for (size_t i = 0; i < attr->nenv; i++) {
		if (strncmp(attr->env[i], name, namelen) != 0 ||
		    attr->env[i][namelen] != '=')
			continue;
		free(attr->env[i]);
		if (entry != NULL) {
			attr->env[i] = entry;
		} else {
			attr->env[i] = attr->env[attr->nenv - 1];
			attr->nenv--;
		}
		return 0;
	}
	if (entry == NULL)
		return 0;
	{
		char **env =
		    realloc(attr->env, (attr->nenv + 1) * sizeof(*env));

		if (env == NULL) {
			free(entry);
			return ENOMEM;
		}
		attr->env = env;
	}
	attr->env[attr->nenv++] = entry;
	return 0;
}

void
ad_attr_setnofile(program_attr_t *attr, const struct rlimit *rl)
{
	attr->nofile_set = rl != NULL;
	if (rl != NULL)
		attr->nofile = *rl;
}
