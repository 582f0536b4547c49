/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_launch - how long starting one small static program that holds one
 * read-only directory takes, by each way of starting it, in one run:
 *
 *   plain exec            fork, the directory at descriptor 0, execve;
 *   exec chain            a static C program that does nothing but execve
 *                         the program: the least that any launcher built
 *                         on the C library adds (its own exec and start);
 *   cloudabi-run          sandboxed (the default), from a generated config
 *                         naming the directory with !dir;
 *   cloudabi-run --no-sandbox, the same config;
 *   bwrap                 --unshare-all, the directory and the program
 *                         bound read-only into an empty root;
 *   firejail              --noprofile --net=none.
 *
 * bwrap and firejail are peers measured where they are installed (looked
 * up in $PATH); the table says when they are not, or when they fail here.
 * Other builds of cloudabi-run (-c LABEL=PATH) add rows of their own, so
 * that two builds compare in the same run.
 *
 * Each time runs from before the fork to the child's exit collected, with
 * exit status 0 checked. The methods take turns round by round, each round
 * starting with the next one, so that the machine's drift falls on all of
 * them alike. The table shows medians in microseconds and, as ratios, the
 * medians of the rounds' ratios: to the plain exec, and bwrap's time over
 * the method's (how many times as fast as bwrap it is). Beside the wall
 * time it shows the CPU time the child and the descendants it waited for
 * used (wait4), which waiting for a core on a busy machine does not
 * inflate; it leaves out work the kernel defers to its own threads, such
 * as tearing down bwrap's network namespace.
 *
 * Usage: bench_launch [-n ROUNDS] [-c LABEL=PATH]... CLOUDABI-RUN EXIT0
 *        EXEC-CHAIN   (default 500 rounds)
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"

extern char **environ;

#define MAX_ARGS 12
#define MAX_METHODS 12

struct method {
	char *name;
	const char *argv[MAX_ARGS];
	bool plain;         /* the directory goes to descriptor 0 */
	const char *absent; /* why it is not measured, or NULL */
	char why[64];
	double *times;
	double *ratios;     /* to the plain exec of the same round */
	double *vs_bwrap;   /* bwrap's time of the same round, over this */
	double *cpu;        /* CPU time, user and system */
	double *cpu_ratios; /* to the plain exec's of the same round */
};

static struct method methods[MAX_METHODS];
static int nmethods;
static int dirfd_plain = -1;

/* Methods 0 and the one named bwrap are the references of the ratios. */
#define PLAIN 0
static int bwrap_index = -1;

/* The absolute path of name in $PATH, or NULL when it is not there. */
static char *
find_in_path(const char *name)
{
	const char *dirs = getenv("PATH");

	if (dirs == NULL)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	for (;;) {
		size_t len = strcspn(dirs, ":");
		char *p;

		if (len > 0) {
			if (asprintf(&p, "%.*s/%s", (int)len, dirs, name) < 0)
				err(1, "asprintf");
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
		if (dirs[len] == '\0')
			return NULL;
		dirs += len + 1;
	}
}

static char *
xasprintf(const char *fmt, const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, fmt, a, b) < 0)
		err(1, "asprintf");
	return s;
}

/*
 * A new method named name (copied) that runs the program and arguments
 * that follow, up to a NULL.
 */
static struct method *
add_method(const char *name, ...)
{
	struct method *m;
	va_list ap;
	int n = 0;

	if (nmethods == MAX_METHODS)
		errx(2, "too many methods");
	m = &methods[nmethods++];
	if ((m->name = strdup(name)) == NULL)
		err(1, "strdup");
	va_start(ap, name);
	do {
		if (n == MAX_ARGS)
			errx(2, "%s: too many arguments", name);
		m->argv[n] = va_arg(ap, const char *);
	} while (m->argv[n++] != NULL);
	va_end(ap);
	return m;
}

/* The absolute path of path, or exit with a message. */
static char *
absolute(const char *path)
{
	char *p = realpath(path, NULL);

	if (p == NULL)
		err(1, "%s", path);
	return p;
}

/*
 * Starts m once and waits for it. Returns its wait status; the wall time
 * in microseconds goes to *us, the CPU time to *cpu_us.
 */
static int
start(const struct method *m, double *us, double *cpu_us)
{
	double t0 = bench_wall_us();
	struct rusage ru;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		if (m->plain && dup2(dirfd_plain, 0) != 0)
			_exit(126);
		execve(m->argv[0], (char *const *)m->argv, environ);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		err(1, "wait4");
	*us = bench_wall_us() - t0;
	*cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	return status;
}

static void
usage(void)
{
	errx(2,
	    "usage: bench_launch [-n ROUNDS] [-c LABEL=PATH]... "
	    "CLOUDABI-RUN EXIT0 EXEC-CHAIN");
}

int
main(int argc, char **argv)
{
	const char *others[MAX_METHODS];
	char *other_paths[MAX_METHODS];
	char *cloudabi_run, *exit0, *chain, *bwrap, *firejail;
	char tmpl[] = "/tmp/bench-launch.XXXXXX";
	char *dir, *config;
	size_t rounds = 500, warmup = 10;
	int nothers = 0, c;
	struct method *m;
	FILE *fp;

	while ((c = getopt(argc, argv, "n:c:")) != -1) {
		switch (c) {
		case 'n':
			rounds = strtoul(optarg, NULL, 10);
			if (rounds == 0)
				errx(2, "ROUNDS must be at least 1");
			break;
		case 'c':
			if (strchr(optarg, '=') == NULL ||
			    nothers == MAX_METHODS)
				usage();
			others[nothers++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3)
		usage();
	/* Absolute paths: bwrap's new root has only what is bound in it. */
	cloudabi_run = absolute(argv[optind]);
	exit0 = absolute(argv[optind + 1]);
	chain = absolute(argv[optind + 2]);

	/* The directory every method holds, and cloudabi-run's config. */
	if ((dir = mkdtemp(tmpl)) == NULL)
		err(1, "mkdtemp");
	config = xasprintf("%s/%s", dir, "launch.yaml");
	if ((fp = fopen(config, "we")) == NULL)
		err(1, "%s", config);
	fprintf(fp, "dir: !dir\n  path: %s\n", dir);
	if (fclose(fp) != 0)
		err(1, "%s", config);
	dirfd_plain = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_plain < 0)
		err(1, "%s", dir);

	add_method("plain exec", exit0, NULL)->plain = true;
	add_method("exec chain (floor)", chain, exit0, NULL)->plain = true;
	add_method("cloudabi-run", cloudabi_run, exit0, config, NULL);
	add_method("cloudabi-run --no-sandbox", cloudabi_run, "--no-sandbox",
	    exit0, config, NULL);
	for (int i = 0; i < nothers; i++) {
		const char *eq = strchr(others[i], '=');
		char *label = strndup(others[i], (size_t)(eq - others[i]));

		if (label == NULL)
			err(1, "strndup");
		other_paths[i] = absolute(eq + 1);
		add_method(label, other_paths[i], exit0, config, NULL);
		free(label);
	}
	/* An empty root: the directory and the program bound into it. */
	bwrap = find_in_path("bwrap");
	bwrap_index = nmethods;
	m = add_method("bwrap --unshare-all", bwrap, "--unshare-all",
	    "--ro-bind", dir, dir, "--ro-bind", exit0, "/exit0", "/exit0",
	    NULL);
	if (bwrap == NULL)
		m->absent = "not installed";
	firejail = find_in_path("firejail");
	m = add_method("firejail --net=none", firejail, "--quiet",
	    "--noprofile", "--net=none", exit0, NULL);
	if (firejail == NULL)
		m->absent = "not installed";

	/*
	 * One start of each first: a method that fails here is reported
	 * and left out (bwrap without user namespaces, firejail without its
	 * set-user-ID bit), while the others still run.
	 */
	for (int i = 0; i < nmethods; i++) {
		double us, cpu_us;
		int status;

		m = &methods[i];
		if (m->absent != NULL)
			continue;
		status = start(m, &us, &cpu_us);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status))
			snprintf(m->why, sizeof(m->why),
			    "fails here: exit status %d", WEXITSTATUS(status));
		else
			snprintf(m->why, sizeof(m->why),
			    "fails here: signal %d", WTERMSIG(status));
		m->absent = m->why;
		if (i == PLAIN)
			errx(1, "%s: %s", m->name, m->absent);
	}
	for (int i = 0; i < nmethods; i++) {
		m = &methods[i];
		m->times = calloc(rounds, sizeof(double));
		m->ratios = calloc(rounds, sizeof(double));
		m->vs_bwrap = calloc(rounds, sizeof(double));
		m->cpu = calloc(rounds, sizeof(double));
		m->cpu_ratios = calloc(rounds, sizeof(double));
		if (m->times == NULL || m->ratios == NULL ||
		    m->vs_bwrap == NULL || m->cpu == NULL ||
		    m->cpu_ratios == NULL)
			err(1, "calloc");
	}

	bool have_bwrap = methods[bwrap_index].absent == NULL;
	for (size_t r = 0; r < warmup + rounds; r++) {
		double t[MAX_METHODS], cpu[MAX_METHODS];

		for (int k = 0; k < nmethods; k++) {
			int i = (int)((r + (size_t)k) % (size_t)nmethods);
			int status;

			if (methods[i].absent != NULL)
				continue;
			status = start(&methods[i], &t[i], &cpu[i]);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				errx(1, "%s: the program did not exit with 0",
				    methods[i].name);
		}
		if (r < warmup)
			continue;
		for (int i = 0; i < nmethods; i++) {
			m = &methods[i];
			if (m->absent != NULL)
				continue;
			m->times[r - warmup] = t[i];
			m->ratios[r - warmup] = t[i] / t[PLAIN];
			if (have_bwrap)
				m->vs_bwrap[r - warmup] = t[bwrap_index] / t[i];
			m->cpu[r - warmup] = cpu[i];
			m->cpu_ratios[r - warmup] = cpu[i] / cpu[PLAIN];
		}
	}

	printf("%zu rounds, each starting every method once in turn; "
	       "medians in microseconds\n",
	    rounds);
	printf("(bwrap/: how many times as fast as bwrap --unshare-all)\n");
	printf("program: %s (static), directory: %s\n\n", exit0, dir);
	printf("%-28s %21s %21s\n", "", "---- wall time ----",
	    "---- CPU time ----");
	printf("%-28s %8s %7s %7s %10s %7s\n", "method", "median", "x plain",
	    "bwrap/", "median", "x plain");
	for (int i = 0; i < nmethods; i++) {
		m = &methods[i];
		if (m->absent != NULL) {
			printf("%-28s %8s  %s\n", m->name, "", m->absent);
			continue;
		}
		printf("%-28s %8.0f %7.2f", m->name,
		    bench_median(m->times, rounds),
		    bench_median(m->ratios, rounds));
		if (have_bwrap)
			printf(" %7.2f", bench_median(m->vs_bwrap, rounds));
		else
			printf(" %7s", "");
		printf(" %10.0f %7.2f\n", bench_median(m->cpu, rounds),
		    bench_median(m->cpu_ratios, rounds));
	}
	printf("\ncommands:\n");
	for (int i = 0; i < nmethods; i++) {
		m = &methods[i];
		if (m->absent != NULL)
			continue;
		printf("  %s:", m->name);
		for (int a = 0; m->argv[a] != NULL; a++)
			printf(" %s", m->argv[a]);
		printf("%s\n",
		    m->plain ? "   (directory at descriptor 0)" : "");
	}

	for (int i = 0; i < nmethods; i++) {
		free(methods[i].name);
		free(methods[i].times);
		free(methods[i].ratios);
		free(methods[i].vs_bwrap);
		free(methods[i].cpu);
		free(methods[i].cpu_ratios);
	}
	close(dirfd_plain);
	if (unlink(config) != 0 || rmdir(dir) != 0)
		warn("removing %s", dir);
	for (int i = 0; i < nothers; i++)
		free(other_paths[i]);
	free(config);
	free(bwrap);
	free(firejail);
	free(cloudabi_run);
	free(exit0);
	free(chain);
	return 0;
}
