/*
 * bench_launch - how long starting one small static program that holds one
 * read-only directory takes, by each way of starting it, in one run:
 *
 *   plain exec            fork, the directory at descriptor 0, execve;
 *   cloudabi-run          sandboxed (the default), from a generated config
 *                         naming the directory with !dir;
 *   cloudabi-run --no-sandbox, the same config;
 *   bwrap                 --unshare-all, the directory and the program
 *                         bound read-only into an empty root;
 *   firejail              --noprofile --net=none.
 *
 * bwrap and firejail are peers measured where they are installed (looked
 * up in $PATH); the table says when they are not, or when they fail here.
 * Each time runs from before the fork to the child's exit collected, with
 * exit status 0 checked. The methods take turns round by round, each round
 * starting with the next one, so that the machine's drift falls on all of
 * them alike. The table shows medians in microseconds and, as ratios, the
 * medians of the rounds' ratios: to the plain exec, and bwrap's time over
 * the method's (how many times as fast as bwrap it is).
 *
 * Usage: bench_launch CLOUDABI-RUN EXIT0 [ROUNDS]   (default 500)
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"

extern char **environ;

#define MAX_ARGS 16

struct method {
	const char *name;
	const char *argv[MAX_ARGS];
	bool plain;        /* the directory goes to descriptor 0 */
	const char *absent; /* why it is not measured, or NULL */
	double *times;
	double *ratios;    /* to the plain exec of the same round */
	double *vs_bwrap;  /* bwrap's time of the same round, over this */
};

enum { PLAIN, CR_SANDBOX, CR_NONE, BWRAP, FIREJAIL, NMETHODS };

static int dirfd_plain = -1;

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

/*
 * Starts m once and waits for it. Returns its wait status; the wall time
 * in microseconds goes to *us.
 */
static int
start(const struct method *m, double *us)
{
	double t0 = bench_wall_us();
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
	if (waitpid(pid, &status, 0) != pid)
		err(1, "waitpid");
	*us = bench_wall_us() - t0;
	return status;
}

/* A line of the table for a method that was not measured. */
static void
print_absent(const struct method *m)
{
	printf("%-28s %10s  %s\n", m->name, "", m->absent);
}

static char *
xstrdup_printf(const char *fmt, const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, fmt, a, b) < 0)
		err(1, "asprintf");
	return s;
}

int
main(int argc, char **argv)
{
	struct method methods[NMETHODS];
	const char *cloudabi_run, *exit0;
	char tmpl[] = "/tmp/bench-launch.XXXXXX";
	char *dir, *config, *bwrap, *firejail, *bind_exit0;
	size_t rounds = 500, warmup = 10;
	FILE *fp;

	if (argc < 3 || argc > 4)
		errx(2, "usage: bench_launch CLOUDABI-RUN EXIT0 [ROUNDS]");
	/* Absolute paths: bwrap's new root has only what is bound in it. */
	cloudabi_run = realpath(argv[1], NULL);
	exit0 = realpath(argv[2], NULL);
	if (cloudabi_run == NULL)
		err(1, "%s", argv[1]);
	if (exit0 == NULL)
		err(1, "%s", argv[2]);
	if (argc == 4)
		rounds = strtoul(argv[3], NULL, 10);
	if (rounds == 0)
		errx(2, "ROUNDS must be at least 1");

	/* The directory every method holds, and cloudabi-run's config. */
	if ((dir = mkdtemp(tmpl)) == NULL)
		err(1, "mkdtemp");
	config = xstrdup_printf("%s/%s", dir, "launch.yaml");
	if ((fp = fopen(config, "we")) == NULL)
		err(1, "%s", config);
	fprintf(fp, "dir: !dir\n  path: %s\n", dir);
	if (fclose(fp) != 0)
		err(1, "%s", config);
	dirfd_plain = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_plain < 0)
		err(1, "%s", dir);

	bwrap = find_in_path("bwrap");
	firejail = find_in_path("firejail");
	bind_exit0 = "/exit0";
	memset(methods, 0, sizeof(methods));
	methods[PLAIN] = (struct method){.name = "plain exec", .plain = true,
	    .argv = {exit0, NULL}};
	methods[CR_SANDBOX] = (struct method){.name = "cloudabi-run",
	    .argv = {cloudabi_run, exit0, config, NULL}};
	methods[CR_NONE] = (struct method){.name = "cloudabi-run --no-sandbox",
	    .argv = {cloudabi_run, "--no-sandbox", exit0, config, NULL}};
	methods[BWRAP] = (struct method){.name = "bwrap --unshare-all",
	    .argv = {bwrap, "--unshare-all", "--ro-bind", dir, dir,
		"--ro-bind", exit0, bind_exit0, bind_exit0, NULL},
	    .absent = bwrap == NULL ? "not installed" : NULL};
	methods[FIREJAIL] = (struct method){
	    .name = "firejail --net=none",
	    .argv = {firejail, "--quiet", "--noprofile", "--net=none", exit0,
		NULL},
	    .absent = firejail == NULL ? "not installed" : NULL};

	/*
	 * One start of each first: a method that fails here is reported
	 * and left out (bwrap without user namespaces, firejail without its
	 * set-user-ID bit), while the others still run.
	 */
	for (int i = 0; i < NMETHODS; i++) {
		struct method *m = &methods[i];
		static char why[NMETHODS][64];
		double us;
		int status;

		if (m->absent != NULL)
			continue;
		status = start(m, &us);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status))
			snprintf(why[i], sizeof(why[i]),
			    "fails here: exit status %d", WEXITSTATUS(status));
		else
			snprintf(why[i], sizeof(why[i]),
			    "fails here: signal %d", WTERMSIG(status));
		m->absent = why[i];
		if (i == PLAIN || i == CR_SANDBOX)
			errx(1, "%s: %s", m->name, m->absent);
	}
	for (int i = 0; i < NMETHODS; i++) {
		methods[i].times = calloc(rounds, sizeof(double));
		methods[i].ratios = calloc(rounds, sizeof(double));
		methods[i].vs_bwrap = calloc(rounds, sizeof(double));
		if (methods[i].times == NULL || methods[i].ratios == NULL ||
		    methods[i].vs_bwrap == NULL)
			err(1, "calloc");
	}

	for (size_t r = 0; r < warmup + rounds; r++) {
		double t[NMETHODS];

		for (int k = 0; k < NMETHODS; k++) {
			int i = (int)((r + (size_t)k) % NMETHODS);
			int status;

			if (methods[i].absent != NULL)
				continue;
			status = start(&methods[i], &t[i]);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				errx(1, "%s: the program did not exit with 0",
				    methods[i].name);
		}
		if (r < warmup)
			continue;
		for (int i = 0; i < NMETHODS; i++) {
			if (methods[i].absent != NULL)
				continue;
			methods[i].times[r - warmup] = t[i];
			methods[i].ratios[r - warmup] = t[i] / t[PLAIN];
			if (methods[BWRAP].absent == NULL)
				methods[i].vs_bwrap[r - warmup] =
				    t[BWRAP] / t[i];
		}
	}

	double median[NMETHODS], ratio[NMETHODS], vs_bwrap[NMETHODS];
	for (int i = 0; i < NMETHODS; i++) {
		if (methods[i].absent != NULL)
			continue;
		median[i] = bench_median(methods[i].times, rounds);
		ratio[i] = bench_median(methods[i].ratios, rounds);
		vs_bwrap[i] = bench_median(methods[i].vs_bwrap, rounds);
	}

	printf("%zu rounds, each starting every method once in turn; "
	    "medians in microseconds\n", rounds);
	printf("program: %s (static), directory: %s\n\n", exit0, dir);
	printf("%-28s %10s %9s %12s\n", "method", "median", "x plain",
	    "bwrap / it");
	for (int i = 0; i < NMETHODS; i++) {
		const struct method *m = &methods[i];

		if (m->absent != NULL) {
			print_absent(m);
			continue;
		}
		printf("%-28s %10.1f %9.2f", m->name, median[i], ratio[i]);
		if (methods[BWRAP].absent == NULL)
			printf(" %12.2f", vs_bwrap[i]);
		putchar('\n');
	}
	printf("\ncommands:\n");
	for (int i = 0; i < NMETHODS; i++) {
		const struct method *m = &methods[i];

		if (m->absent != NULL)
			continue;
		printf("  %s:", m->name);
		for (int a = 0; m->argv[a] != NULL; a++)
			printf(" %s", m->argv[a]);
		printf("%s\n", m->plain ? "   (directory at descriptor 0)" :
		    "");
	}

	for (int i = 0; i < NMETHODS; i++) {
		free(methods[i].times);
		free(methods[i].ratios);
		free(methods[i].vs_bwrap);
	}
	close(dirfd_plain);
	if (unlink(config) != 0 || rmdir(dir) != 0)
		warn("removing %s", dir);
	free(config);
	free(bwrap);
	free(firejail);
	return 0;
}
