/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fdreport - a program started with argdata that reports what it was given:
 * its pid, its environment, its argdata and every descriptor it has open.
 * The process and end-to-end tests start it and compare the report with
 * what they sent.
 *
 * Argdata it understands (anything else is only reported):
 *   a map with the key "out" holding a descriptor: the report goes there
 *     instead of to descriptor 1;
 *   a map with the key "exit" holding an integer: the exit status.
 *
 * Built with FDREPORT_PLAIN (fdreport-plain), it is a plain program, one
 * that does not read argdata, and understands two arguments instead:
 * --report-fd=N (the report goes to descriptor N instead of 1) and
 * --exit=N (the exit status). It reports no yaml lines.
 *
 * The report is a sequence of lines, each a keyword and space-separated
 * fields, in this order:
 *
 *   pid PID
 *   argv0 NAME
 *   arg TEXT                  one per argument, argv[1], argv[2], ...
 *   env NAME=VALUE            one per environment entry (normally none)
 *   sigmask 0xM               the blocked signals: bit N-1 for signal N
 *   nofile SOFT HARD          RLIMIT_NOFILE ("inf" for no limit)
 *   fd N fdflags F flags 0xS dev D ino I mode 0M offset O kind K path P
 *                             one per open descriptor, in increasing N:
 *                             F the fcntl(F_GETFD) flags in decimal (1 is
 *                             FD_CLOEXEC), S the fcntl(F_GETFL) status
 *                             flags in hex (access mode, O_APPEND,
 *                             O_NONBLOCK, ...), D and I st_dev and st_ino
 *                             in decimal, M st_mode in octal, O the file
 *                             offset (-1 where there is none: pipes,
 *                             sockets), which tells open file descriptions
 *                             of one file apart, K one of
 *                             file dir socket pipe chr blk link anon, and
 *                             P what /proc/self/fd/N links to (the rest of
 *                             the line, "?" when unknown)
 *   yaml LINE                 the argdata printed by argdata_print_yaml(),
 *                             one output line each
 *   end
 *
 * The descriptors are listed before anything else is opened, so the list
 * is exactly what the program started with. Exit status: the "exit" value
 * (0 by default), or 125 when the report cannot be written.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

extern char **environ;

/*
 * The arguments. glibc hands main()'s arguments to constructors too,
 * which is how the argdata build, whose main() is argdata-main's, sees
 * them.
 */
static int saved_argc;
static char **saved_argv;

static void __attribute__((constructor)) save_args(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
}

struct fdinfo {
	int fd;
	int fdflags;
	int flags;
	long long offset;
	struct stat st;
	char path[256];
};

static const char *
kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFSOCK:
		return "socket";
	case S_IFIFO:
		return "pipe";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	case S_IFLNK:
		return "link";
	default:
		return "anon";
	}
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Lists open descriptors into fds (at most max), from /proc/self/fd, or
 * by probing every number below the descriptor limit when /proc is not
 * there (in a sandbox, say). Returns the count.
 */
static size_t
list_fds(int *fds, size_t max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct rlimit rl;
	size_t n = 0;

	if (d != NULL) {
		int self = dirfd(d);

		while ((e = readdir(d)) != NULL && n < max) {
			int fd;

			if (e->d_name[0] == '.')
				continue;
			fd = atoi(e->d_name);
			if (fd != self)
				fds[n++] = fd;
		}
		closedir(d);
		qsort(fds, n, sizeof(fds[0]), cmp_int);
		return n;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	for (int fd = 0; (rlim_t)fd < rl.rlim_cur && n < max; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fds[n++] = fd;
	return n;
}

/* The descriptor to report on and the exit status, from the argdata. */
static void
read_options(const argdata_t *ad, int *out, int *status)
{
	argdata_map_iterator_t it;
	const argdata_t *key, *value;

	argdata_map_iterate(ad, &it);
	while (argdata_map_get(&it, &key, &value)) {
		const char *k;

		if (argdata_get_str_c(key, &k) == 0) {
			if (strcmp(k, "out") == 0)
				argdata_get_fd(value, out);
			else if (strcmp(k, "exit") == 0)
				argdata_get_int(value, status);
		}
		argdata_map_next(&it);
	}
}

static void
print_yaml(FILE *out, const argdata_t *ad)
{
	char *text = NULL, *line, *next;
	size_t size = 0;
	FILE *mem;

	mem = open_memstream(&text, &size);
	if (mem == NULL)
		return;
	argdata_print_yaml(ad, mem);
	fclose(mem);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		fprintf(out, "yaml %s\n", line);
	}
	free(text);
}

/* --report-fd=N and --exit=N, for the plain build. */
static void
read_args(int *out, int *status)
{
	for (int i = 1; i < saved_argc; i++) {
		if (strncmp(saved_argv[i], "--report-fd=", 12) == 0)
			*out = atoi(saved_argv[i] + 12);
		else if (strncmp(saved_argv[i], "--exit=", 7) == 0)
			*status = atoi(saved_argv[i] + 7);
	}
}

static void
report(const argdata_t *ad)
{
	static int fds[4096];
	static struct fdinfo info[4096];
	size_t n = list_fds(fds, sizeof(fds) / sizeof(fds[0]));
	int outfd = 1, status = 0;
	uintmax_t blocked = 0;
	sigset_t mask;
	struct rlimit rl;
	FILE *out;

	for (size_t i = 0; i < n; i++) {
		char link[64];
		ssize_t len;

		info[i].fd = fds[i];
		info[i].fdflags = fcntl(fds[i], F_GETFD);
		info[i].flags = fcntl(fds[i], F_GETFL);
		info[i].offset = (long long)lseek(fds[i], 0, SEEK_CUR);
		if (fstat(fds[i], &info[i].st) != 0)
			memset(&info[i].st, 0, sizeof(info[i].st));
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[i]);
		len = readlink(link, info[i].path, sizeof(info[i].path) - 1);
		if (len < 0)
			strcpy(info[i].path, "?");
		else
			info[i].path[len] = '\0';
	}

	sigprocmask(SIG_SETMASK, NULL, &mask);
	for (int sig = 1; sig <= 64 && sig < NSIG; sig++)
		if (sigismember(&mask, sig) == 1)
			blocked |= (uintmax_t)1 << (sig - 1);

	if (ad != NULL)
		read_options(ad, &outfd, &status);
	else
		read_args(&outfd, &status);
	out = fdopen(dup(outfd), "w");
	if (out == NULL)
		exit(125);

	fprintf(out, "pid %ld\n", (long)getpid());
	fprintf(out, "argv0 %s\n", program_invocation_name);
	for (int i = 1; i < saved_argc; i++)
		fprintf(out, "arg %s\n", saved_argv[i]);
	for (char **e = environ; *e != NULL; e++)
		fprintf(out, "env %s\n", *e);
	fprintf(out, "sigmask 0x%jx\n", blocked);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		fprintf(out, "nofile ");
		for (int i = 0; i < 2; i++) {
			rlim_t v = i == 0 ? rl.rlim_cur : rl.rlim_max;

			if (v == RLIM_INFINITY)
				fprintf(out, "inf%s", i == 0 ? " " : "\n");
			else
				fprintf(out, "%ju%s", (uintmax_t)v,
				    i == 0 ? " " : "\n");
		}
	}
	for (size_t i = 0; i < n; i++)
		fprintf(out,
		    "fd %d fdflags %d flags 0x%x dev %ju ino %ju mode 0%o "
		    "offset %lld kind %s path %s\n",
		    info[i].fd, info[i].fdflags, (unsigned)info[i].flags,
		    (uintmax_t)info[i].st.st_dev, (uintmax_t)info[i].st.st_ino,
		    (unsigned)info[i].st.st_mode, info[i].offset,
		    kind(info[i].st.st_mode), info[i].path);
	if (ad != NULL)
		print_yaml(out, ad);
	fprintf(out, "end\n");
	if (fclose(out) != 0)
		exit(125);
	exit(status);
}

#ifdef FDREPORT_PLAIN
int
main(void)
{
	report(NULL);
}
#else
void
program_main(const argdata_t *ad)
{
	report(ad);
}
#endif
