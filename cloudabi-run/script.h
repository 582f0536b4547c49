/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * script.h - a #! script as the program (script.c): its interpreter line,
 * read from the script's first bytes as the kernel reads it, so that
 * cloudabi-run starts the interpreter with the script rather than failing
 * with "Exec format error".
 */
#ifndef CLOUDABI_RUN_SCRIPT_H
#define CLOUDABI_RUN_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel reads at most this much of a script for its #! line. */
#define RUN_SCRIPT_LINE_MAX 256

struct run_script {
	bool is_script;
	char interp[RUN_SCRIPT_LINE_MAX]; /* the interpreter's path */
	char arg[RUN_SCRIPT_LINE_MAX];    /* its one argument, or "" */
	bool has_arg;
	bool via_env; /* "#!/usr/bin/env NAME": NAME, found in $PATH */
};

/*
 * Reads the first bytes of the file open at fd and fills s: is_script
 * false when they are no "#!" line (or cannot be read). The line follows
 * the kernel's rules: the interpreter up to the first blank, the rest of
 * the line, trimmed, as one argument. "#!/usr/bin/env NAME" (NAME one
 * word, no option) names NAME in $PATH as the interpreter: env itself
 * would look for it where the sandbox lets it see nothing. Returns 0, or
 * -1 with a reason (one line, no newline) in why, size bytes, for a line
 * that cannot be followed.
 */
int run_script_read(int fd, struct run_script *s, char *why, size_t size);

/*
 * Opens the program called name: a path when it holds a slash, else the
 * first executable file of that name in $PATH, as a shell would find it.
 * Returns the descriptor (close-on-exec; O_PATH for an execute-only
 * program) and stores the path used in *path (to be freed), or returns -1
 * with an errno value in *error (ENOENT when $PATH has none).
 */
int run_program_find(const char *name, char **path, int *error);

/*
 * When the program open at scriptfd is a #! script that may be executed
 * (the exec refuses one that may not, with EACCES), fills s and opens its
 * interpreter: *interpfd and *interp_path (to be freed) receive it.
 * Returns 0 (with *interpfd -1 when it is no script), or -1 with a reason
 * in why (size bytes) when the line cannot be followed, the interpreter
 * cannot be opened or is a script itself.
 */
int run_script_follow(int scriptfd, struct run_script *s, int *interpfd,
    char **interp_path, char *why, size_t size);

#endif
