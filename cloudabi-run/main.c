/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cloudabi-run - reads a YAML configuration, opens the resources its tags
 * name and replaces itself with a program that holds exactly those
 * descriptors, its configuration as argdata.
 *
 * Why one long file: the start is one sequence (options, the checks before
 * anything opens, the load, the dry run or the exec) whose every way out
 * must release the same struct launch; its parts live in the files beside
 * it.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <argdata.h>
#include <program.h>

#include "layout.h"
#include "loader.h"
#include "run_start.h"
#include "run_user.h"
#include "sandbox.h"
#include "schema_check.h"
#include "script.h"
#include "tags.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

struct options {
	bool dry_run;
	bool check; /* --check: the configuration against the program's table */
	bool no_sandbox;
	const char *argv0;
	const char **env; /* NAME=VALUE or NAME, as given */
	size_t nenv;
	const char *program;
	const char *config; /* NULL or "-" for standard input */
	char **args;        /* after --: the program's argv[1..] */
	int nargs;
	const char *user_spec; /* --user USER[:GROUP] */
	const char **allow;    /* --allow GROUP, as given */
	size_t nallow;
	struct run_user user; /* both resolved */
	struct rlimit nofile; /* the limit cloudabi-run was started with */
};

/* err(3) with an errno value of one's own. */
static void __attribute__((noreturn))
die(int status, int error, const char *what)
{
	errno = error;
	err(status, "%s", what);
}

/*
 * Why the sandbox refuses a program whose headers would make finding its
 * libraries take too long (E2BIG from sandbox_create()).
 */
#define TOO_MUCH_WORK                                                          \
	"the sandbox would need too much work to find its "                    \
	"libraries (too many search paths, names or libraries)"

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: cloudabi-run [--dry-run] [--check] [--no-sandbox] "
	    "[--argv0 name]\n"
	    "                    [--env name[=value]] ...\n"
	    "                    [--user user[:group]] "
	    "[--allow group] ...\n"
	    "                    program [config.yaml] [-- arg ...]\n"
	    "       cloudabi-run --help | --version\n");
	if (fp == stdout)
		fprintf(fp,
		    "\n"
		    "Starts program with the argdata and exactly the "
		    "descriptors that config.yaml\n"
		    "(standard input when omitted or -) describes; a "
		    "configuration tagged !plain\n"
		    "starts a program that does not read argdata. "
		    "Arguments after -- reach the\n"
		    "program as argv[1], argv[2], ...\n"
		    "\n"
		    "  -c, --check            check config.yaml against "
		    "what the program expects,\n"
		    "                         start nothing\n"
		    "  -n, --dry-run          print the argdata, the "
		    "descriptor table and the\n"
		    "                         sandbox's rules, start "
		    "nothing\n"
		    "      --no-sandbox       start the program unconfined\n"
		    "  -a, --argv0 NAME       the name the program sees as "
		    "argv[0]\n"
		    "  -e, --env NAME=VALUE   set an environment variable "
		    "for the program\n"
		    "  -e, --env NAME         pass NAME from this "
		    "environment, if set\n"
		    "  -u, --user USER[:GROUP]  run the program as USER "
		    "(name or number), after\n"
		    "                         everything is opened\n"
		    "      --allow GROUP      widen the sandbox's filter: "
		    "sysv-ipc, mqueue, flock,\n"
		    "                         inotify, xattr-read\n"
		    "  -h, --help             show this help\n"
		    "  -V, --version          show the version\n"
		    "\n"
		    "Tags: !fd, !file, !dir, !socket, !executable, !plain; "
		    "see cloudabi-run(1).\n");
	exit(status);
}

/*
 * Variables of the start-up protocols: ARGDATA_FD, and systemd's LISTEN_*,
 * which cloudabi-run computes for the program rather than passing on what
 * it received. name may go on with "=value".
 */
static bool
reserved_env(const char *name)
{
	static const char *const reserved[] = {"ARGDATA_FD", "LISTEN_FDS",
	    "LISTEN_FDNAMES", "LISTEN_PID"};
	size_t len = strcspn(name, "=");

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strlen(reserved[i]) == len &&
		    strncmp(reserved[i], name, len) == 0)
			return true;
	return false;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"allow", required_argument, NULL, 'A'},
	    {"argv0", required_argument, NULL, 'a'},
	    {"check", no_argument, NULL, 'c'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"env", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {"no-sandbox", no_argument, NULL, 'S'},
	    {"user", required_argument, NULL, 'u'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	/* "+": options end at the program, as for env(1). */
	while ((c = getopt_long(argc, argv, "+a:cne:hu:V", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'a':
			o->argv0 = optarg;
			break;
		case 'c':
			o->check = true;
			break;
		case 'A':
			o->allow = reallocarray(o->allow, o->nallow + 1,
			    sizeof(*o->allow));
			if (o->allow == NULL)
				err(RUN_EXIT_OSERR, NULL);
			o->allow[o->nallow++] = optarg;
			break;
		case 'u':
			o->user_spec = optarg;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'e':
			if (optarg[0] == '\0' || optarg[0] == '=')
				errx(RUN_EXIT_USAGE,
				    "--env %s: expected NAME=VALUE or NAME",
				    optarg);
			if (reserved_env(optarg))
				errx(RUN_EXIT_USAGE,
				    "--env %s: set by cloudabi-run itself, "
				    "never passed on",
				    optarg);
			o->env =
			    reallocarray(o->env, o->nenv + 1, sizeof(*o->env));
			if (o->env == NULL)
				err(RUN_EXIT_OSERR, NULL);
			o->env[o->nenv++] = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'S':
			o->no_sandbox = true;
			break;
		case 'V':
			printf("cloudabi-run (argdata) %s\n", VERSION);
			exit(0);
		default:
			usage(stderr, RUN_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	/*
	 * "cloudabi-run prog --no-sandbox": an option after the program,
	 * which would otherwise be taken for the configuration's name. What
	 * follows "--" is not looked at.
	 */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0' &&
		    access(argv[i], F_OK) != 0)
			errx(RUN_EXIT_USAGE,
			    "%s: options come before the program "
			    "(cloudabi-run [options] program [config.yaml])",
			    argv[i]);
	if (argc < 1)
		usage(stderr, RUN_EXIT_USAGE);
	o->program = argv[0];
	argc--;
	argv++;
	if (argc > 0 && strcmp(argv[0], "--") != 0) {
		o->config = argv[0];
		argc--;
		argv++;
	}
	/* Whatever follows --, options included, is the program's. */
	if (argc > 0) {
		if (strcmp(argv[0], "--") != 0)
			errx(RUN_EXIT_USAGE,
			    "%s: the program's arguments go after --", argv[0]);
		o->args = argv + 1;
		o->nargs = argc - 1;
	}
}

/* Whether --env gives the program LD_LIBRARY_PATH. */
static bool
sets_library_path(const struct options *o)
{
	static const char name[] = "LD_LIBRARY_PATH";

	for (size_t i = 0; i < o->nenv; i++)
		if (strncmp(o->env[i], name, sizeof(name) - 1) == 0 &&
		    (o->env[i][sizeof(name) - 1] == '\0' ||
		        o->env[i][sizeof(name) - 1] == '='))
			return true;
	return false;
}

/*
 * Opens the program as run_program_find() does, exiting with a message
 * when there is none. *path receives the path used.
 */
static int
open_program(const char *name, char **path)
{
	int fd, error;

	fd = run_program_find(name, path, &error);
	if (fd >= 0)
		return fd;
	if (error == ENOMEM)
		die(RUN_EXIT_OSERR, error, name);
	if (error == ENOENT && strchr(name, '/') == NULL)
		errx(RUN_EXIT_NOT_FOUND, "%s: not found", name);
	die(error == ENOENT || error == ENOTDIR ? RUN_EXIT_NOT_FOUND
	                                        : RUN_EXIT_CANNOT_EXEC,
	    error, name);
}

/* Descriptor numbers in the serialized tree stand for themselves. */
static int
identity_fd(void *arg, size_t fd)
{
	(void)arg;
	return fd <= INT32_MAX ? (int)fd : -1;
}

/* The refusal when the kernel cannot confine: one line. */
static void __attribute__((noreturn)) refuse(const char *why)
{
	errx(RUN_EXIT_UNAVAILABLE,
	    "the sandbox needs %s; --no-sandbox runs the program unconfined",
	    why);
}

/*
 * The directories the program may change: each !dir with write: true.
 * Returns their descriptors (the caller's numbers) in a new array.
 */
static int *
writable_dirs(const struct run_context *rc, size_t *n)
{
	int *fds = calloc(rc->nres == 0 ? 1 : rc->nres, sizeof(*fds));

	if (fds == NULL)
		err(RUN_EXIT_OSERR, NULL);
	*n = 0;
	for (size_t i = 0; i < rc->nres; i++)
		if (rc->res[i].kind == RUN_DIR && rc->res[i].write)
			fds[(*n)++] = rc->res[i].fd;
	return fds;
}

/*
 * The dry run's last part: the rules the sandbox would apply, or why there
 * would be none. fds are the tree's descriptors, in the caller's numbers.
 */
static void
dry_run_sandbox(const struct options *o, const struct run_context *rc,
    const char *config_name, const int *fds, size_t nfds)
{
	struct sandbox_user user = {.uid = o->user.uid,
	    .gid = o->user.gid,
	    .groups = o->user.groups,
	    .ngroups = o->user.ngroups};
	struct sandbox_grant *grants;
	struct sandbox *sb;
	const char *why;
	size_t nwritable, width = 0;
	int *writable, error;

	/* The grants as configured; the rules below show what they allow. */
	for (size_t i = 0; i < rc->ngrants; i++)
		if (strlen(rc->grants[i].path) > width)
			width = strlen(rc->grants[i].path);
	for (size_t i = 0; i < rc->ngrants; i++) {
		const struct run_grant *g = &rc->grants[i];

		printf("%s%-5s  %-*s  ", i == 0 ? "\nGRANTS\n" : "",
		    run_grant_name(g->rights), (int)(width < 60 ? width : 60),
		    g->path);
		if (g->mark.line == 0)
			printf("the program, a #! script\n");
		else
			printf("%s:%zu:%zu\n", config_name, g->mark.line,
			    g->mark.column);
	}
	printf("\nSANDBOX\n");
	if (o->no_sandbox) {
		printf("none: --no-sandbox\n");
		run_user_describe(&o->user, stdout);
		return;
	}
	if ((why = sandbox_unsupported(NULL)) != NULL) {
		printf("refused: the sandbox needs %s\n", why);
		return;
	}
	writable = writable_dirs(rc, &nwritable);
	grants = calloc(rc->ngrants + 1, sizeof(*grants));
	if (grants == NULL)
		err(RUN_EXIT_OSERR, NULL);
	for (size_t i = 0; i < rc->ngrants; i++)
		grants[i] = (struct sandbox_grant){.fd = rc->grants[i].fd,
		    .rights = rc->grants[i].rights};
	error = sandbox_create(rc->execfd,
	    &(struct sandbox_spec){.fds = fds,
	        .nfds = nfds,
	        .writable = writable,
	        .nwritable = nwritable,
	        .grants = grants,
	        .ngrants = rc->ngrants,
	        .user = o->user.set ? &user : NULL,
	        .allow = o->user.allow},
	    &sb);
	free(writable);
	free(grants);
	if (error == E2BIG) {
		printf("refused: %s\n", TOO_MUCH_WORK);
		return;
	}
	if (error != 0) {
		printf("refused: %s\n", strerror(error));
		return;
	}
	error = sandbox_describe(sb, stdout);
	sandbox_free(sb);
	if (error != 0)
		die(RUN_EXIT_IOERR, error, "standard output");
}

/*
 * The dry run: the argdata as the program will see it (descriptors
 * renumbered from 0), the descriptor table with numbers and names, the
 * argv, the environment and the sandbox's rules. A plain program has no
 * argdata.
 */
static int
dry_run(const struct options *o, const argdata_t *tree,
    const struct run_context *rc, const char *config_name,
    const program_attr_t *attr)
{
	size_t len, nfds, n = 0, nslots;
	void *buf = NULL;
	int *fds = NULL, *slots, error;
	argdata_t *view;

	if (rc->plain == NULL) {
		argdata_serialized_length(tree, &len, &nfds);
		buf = malloc(len == 0 ? 1 : len);
		fds = calloc(nfds == 0 ? 1 : nfds, sizeof(*fds));
		if (buf == NULL || fds == NULL)
			err(RUN_EXIT_OSERR, NULL);
		n = argdata_serialize(tree, buf, fds);
		view = argdata_from_buffer(buf, len, identity_fd, NULL);
		if (view == NULL)
			err(RUN_EXIT_OSERR, NULL);
		argdata_print_yaml(view, stdout);
		argdata_free(view);
	}
	error =
	    run_print_layout(stdout, attr, rc, rc->plain == NULL ? tree : NULL,
	        fds, n, config_name, &slots, &nslots);
	if (error != 0)
		die(RUN_EXIT_OSERR, error, "the descriptor table");
	dry_run_sandbox(o, rc, config_name, slots, nslots);
	free(slots);
	free(buf);
	free(fds);
	return fflush(stdout) == 0 ? 0 : -1;
}

/* The options for the exec: argv[0], the environment, the sandbox. */
static program_attr_t *
make_attr(const struct options *o, const struct run_context *rc,
    const struct run_script *script, const char *script_path)
{
	program_attr_t *attr = program_attr_create();
	const char *argv0 = o->program;
	int error;

	if (attr == NULL)
		err(RUN_EXIT_OSERR, NULL);
	/* A script's interpreter sees the name its #! line gives it. */
	if (script->is_script)
		argv0 = script->via_env ? script->arg : script->interp;
	error = program_attr_setname(attr, o->argv0 != NULL ? o->argv0 : argv0);
	if (error == 0 && script->is_script && script->has_arg &&
	    !script->via_env)
		error = program_attr_addarg(attr, script->arg);
	if (error == 0 && script->is_script)
		error = program_attr_addarg(attr, script_path);
	/* A plain program's arguments from the configuration come first. */
	if (error == 0 && rc->plain != NULL)
		error = run_attr_plain(attr, rc);
	for (int i = 0; error == 0 && i < o->nargs; i++)
		error = program_attr_addarg(attr, o->args[i]);
	for (size_t i = 0; error == 0 && i < o->nenv; i++) {
		const char *eq = strchr(o->env[i], '=');
		char *name;

		if (eq == NULL) {
			const char *v = getenv(o->env[i]);

			if (v != NULL)
				error = program_attr_setenv(attr, o->env[i], v);
			continue;
		}
		name = strndup(o->env[i], (size_t)(eq - o->env[i]));
		if (name == NULL)
			err(RUN_EXIT_OSERR, NULL);
		error = program_attr_setenv(attr, name, eq + 1);
		free(name);
	}
	if (error == 0 && !o->no_sandbox) {
		size_t nwritable;
		int *writable = writable_dirs(rc, &nwritable);

		error = program_attr_setsandbox(attr, PROGRAM_SANDBOX);
		for (size_t i = 0; error == 0 && i < nwritable; i++)
			error = program_attr_addwritable(attr, writable[i]);
		for (size_t i = 0; error == 0 && i < rc->ngrants; i++)
			error = program_attr_addgrant(attr, rc->grants[i].fd,
			    rc->grants[i].rights);
		free(writable);
	}
	if (error == 0)
		error = run_user_apply(&o->user, attr);
	if (error != 0)
		die(RUN_EXIT_OSERR, error, "program attributes");
	return attr;
}

/* Everything one start holds, so that every way out releases it. */
struct launch {
	struct options o;
	struct run_context rc;
	int execfd;
	char *path;               /* where the program was found */
	struct run_script script; /* when the program is a #! script */
	char *script_path;        /* and where that was found */
	const char *config_name;
	loader_t *ld;
	const argdata_t *tree;
	struct schema_table *schema; /* what the program expects, or NULL */
};

/*
 * Undoes everything the start did: descriptors closed, unix socket files
 * removed, memory freed.
 */
static void
finish(struct launch *l)
{
	run_context_release(&l->rc);
	loader_free(l->ld);
	if (l->execfd != -1)
		close(l->execfd);
	free(l->path);
	free(l->script_path);
	free(l->schema);
	free(l->o.env);
	free(l->o.allow);
	run_user_release(&l->o.user);
}

/*
 * A #! script as the program: its interpreter becomes the program, with
 * the script as its argument and a grant to read it, as the kernel would
 * start it (but from the interpreter's descriptor, so that the sandbox
 * knows what it runs). Exits with status 126 and a line saying how to
 * start the interpreter when the script's line cannot be followed.
 */
static void
follow_script(struct launch *l)
{
	char why[512], *ipath;
	bool known;
	int ifd;

	if (run_script_follow(l->execfd, &l->script, &ifd, &ipath, why,
	        sizeof(why)) != 0) {
		/* The interpreter to suggest, when the line names one. */
		known = l->script.interp[0] != '\0' && !l->script.via_env;
		errx(RUN_EXIT_CANNOT_EXEC,
		    "%s: a #! script: %s; start its "
		    "interpreter instead: cloudabi-run %s [config.yaml] -- "
		    "%s%s%s",
		    l->o.program, why, known ? l->script.interp : "INTERPRETER",
		    known && l->script.has_arg ? l->script.arg : "",
		    known && l->script.has_arg ? " " : "", l->path);
	}
	if (ifd < 0)
		return;
	/* The script's descriptor anchors the grant, which closes it. */
	if (run_add_grant(&l->rc, l->execfd, true, PROGRAM_GRANT_READ, l->path,
	        (loader_mark_t){0, 0}) != 0)
		err(RUN_EXIT_OSERR, NULL);
	l->script_path = l->path;
	l->path = ipath;
	l->execfd = ifd;
}

/*
 * Reads the configuration into l->tree, opening what its tags name.
 * Returns 0, or reports the error (one line) and returns the exit status.
 */
static int
load_config(struct launch *l)
{
	const loader_error_t *e;
	FILE *fp = stdin;
	struct stat st;
	int error;

	l->config_name = "<stdin>";
	if (l->o.config != NULL && strcmp(l->o.config, "-") != 0) {
		l->config_name = l->o.config;
		fp = fopen(l->o.config, "re");
		if (fp == NULL) {
			warn("%s", l->o.config);
			return RUN_EXIT_NOINPUT;
		}
		if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
			warnx("%s: %s", l->o.config, strerror(EISDIR));
			fclose(fp);
			return RUN_EXIT_NOINPUT;
		}
	}
	l->ld = loader_create(l->config_name, run_handlers, run_nhandlers,
	    &l->rc, NULL);
	if (l->ld == NULL) {
		warn(NULL);
		error = ENOMEM;
	} else {
		error = loader_load_file(l->ld, fp, &l->tree);
	}
	if (fp != stdin)
		fclose(fp);
	if (error == 0)
		return 0;
	if (l->ld == NULL)
		return RUN_EXIT_OSERR;
	e = loader_error(l->ld);
	fprintf(stderr, "%s:%zu:%zu: %s\n", e->file, e->mark.line,
	    e->mark.column, e->message);
	return l->rc.resource_failed ? RUN_EXIT_NOINPUT : RUN_EXIT_CONFIG;
}

/*
 * Descriptors systemd handed over that the configuration does not name
 * are closed now: the program must not get them, and neither must
 * anything cloudabi-run does before the exec.
 */
static void
close_unnamed_received(struct run_context *rc)
{
	for (size_t i = 0; i < rc->nlisten; i++)
		if (run_context_find(rc, rc->listen[i].fd) == NULL)
			close(rc->listen[i].fd);
}

/*
 * How many descriptors the program gets: the tree's, or a plain
 * program's three standard ones, its named ones and at most one for each
 * argument.
 */
static size_t
program_nfds(const struct run_context *rc, const argdata_t *tree)
{
	size_t len, nfds;

	if (rc->plain != NULL)
		return 3 + rc->plain->nfds + rc->plain->nargs;
	argdata_serialized_length(tree, &len, &nfds);
	return nfds;
}

int
main(int argc, char **argv)
{
	struct launch l = {.execfd = -1};
	program_attr_t *attr;
	int error, status;

	parse_options(argc, argv, &l.o);
	run_user_resolve(l.o.user_spec, l.o.allow, l.o.nallow, &l.o.user);
	/* Refuse before anything is opened or bound. */
	if (!l.o.no_sandbox && !l.o.dry_run && !l.o.check) {
		const char *why = sandbox_unsupported(NULL);

		if (why != NULL)
			refuse(why);
	}
	run_raise_nofile(&l.o.nofile);

	/*
	 * The descriptors open now are the only ones !fd may name: record
	 * them before opening anything.
	 */
	error = run_context_init(&l.rc, -1, NULL);
	if (error != 0)
		die(RUN_EXIT_OSERR, error, "/proc/self/fd");
	{
		char why[512];

		if (run_listen_init(&l.rc, why, sizeof(why)) != 0)
			errx(RUN_EXIT_NOINPUT, "%s", why);
	}
	l.execfd = open_program(l.o.program, &l.path);
	follow_script(&l);
	l.rc.execfd = l.execfd;
	l.rc.program = l.path;
	/*
	 * Whether it can start at all, before the configuration opens or
	 * creates anything. Libraries found through LD_LIBRARY_PATH, which
	 * the resolver does not read, are the loader's to report.
	 */
	run_check_program(l.script.is_script ? l.path : l.o.program, l.execfd,
	    !sets_library_path(&l.o));
	/* The handlers run while the configuration is read. */
	l.rc.dry_run = l.o.dry_run || l.o.check;
	l.schema = run_schema_read(l.o.program, l.execfd);

	if ((status = load_config(&l)) != 0) {
		finish(&l);
		return status;
	}
	run_check_nofile(l.config_name, program_nfds(&l.rc, l.tree));
	if (l.schema != NULL &&
	    (status = run_schema_check(l.schema, l.config_name, l.ld, l.tree,
	         &l.rc)) != 0) {
		finish(&l);
		return status;
	}
	if (l.o.check && !l.o.dry_run) {
		finish(&l);
		return 0;
	}
	close_unnamed_received(&l.rc);
	attr = make_attr(&l.o, &l.rc, &l.script, l.script_path);

	if (l.o.dry_run) {
		error = dry_run(&l.o, l.tree, &l.rc, l.config_name, attr);
		if (error == 0 && l.schema != NULL)
			error = schema_print(l.schema, "\nPROGRAM EXPECTS",
			            stdout) != 0 ||
			    fflush(stdout) != 0;
		program_attr_free(attr);
		finish(&l);
		if (error != 0)
			err(RUN_EXIT_IOERR, "standard output");
		return 0;
	}

	run_program_nofile(attr, &l.o.nofile, program_nfds(&l.rc, l.tree));
	error = program_exec_attr(l.execfd, l.rc.plain != NULL ? NULL : l.tree,
	    attr);
	/* Still here: the exec failed and nothing was started. */
	program_attr_free(attr);
	finish(&l);
	if (error == ENOTSUP && !l.o.no_sandbox) {
		const char *why = sandbox_unsupported(NULL);

		refuse(why != NULL ? why : "a kernel that enforces it");
	}
	/* From the sandbox, or from the exec when the environment is huge. */
	if (error == E2BIG && !l.o.no_sandbox)
		errx(RUN_EXIT_CANNOT_EXEC,
		    "%s: %s, or its arguments are too long", l.o.program,
		    TOO_MUCH_WORK);
	die(error == ENOENT ? RUN_EXIT_NOT_FOUND
	        : error == ENOMEM || error == EMFILE || error == ENFILE
	        ? RUN_EXIT_OSERR
	        : RUN_EXIT_CANNOT_EXEC,
	    error, l.o.program);
}
