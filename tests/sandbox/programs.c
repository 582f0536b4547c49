/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_run_programs.c - real programs under cloudabi-run's allowlist (sh:
 * a pipeline, subshells, a signal to a child, limits; python3: threads,
 * fork, affinity, limits) and cloudabi-run --user and --allow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"
#include "testutil.h"

#ifndef CLOUDABI_RUN_PATH
#error "meson.build defines CLOUDABI_RUN_PATH"
#endif

/*
 * Runs cloudabi-run with args and config text (a temporary file), the
 * script on its standard input; returns its status, output in out.
 */
static int
run_tool(const char *const *args, const char *config, const char *script,
    char *out, size_t size)
{
	char path[] = "/tmp/sandbox-reach-config.XXXXXX";
	int fd = mkstemp(path), in[2], outp[2], status;
	const char *argv[16];
	size_t used = 0, n = 0;
	ssize_t k;
	pid_t pid;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, config, strlen(config)),
	    (ssize_t)strlen(config));
	close(fd);
	argv[n++] = CLOUDABI_RUN_PATH;
	for (; *args != NULL; args++)
		argv[n++] = *args;
	argv[n++] = path;
	argv[n] = NULL;
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(outp, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Standard error apart: sh reports killed jobs there. */
		int null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(in[0], 0) != 0 || dup2(outp[1], 1) != 1 ||
		    dup2(null, 2) != 2)
			_exit(99);
		execv(argv[0], (char **)argv);
		_exit(98);
	}
	close(in[0]);
	close(outp[1]);
	assert_int_equal(write(in[1], script, strlen(script)),
	    (ssize_t)strlen(script));
	close(in[1]);
	while ((k = read(outp[0], out + used, size - 1 - used)) > 0)
		used += (size_t)k;
	out[used] = '\0';
	close(outp[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	return status;
}

static const char io_config[] = "- !fd stdin\n- !fd stdout\n- !fd stderr\n";

/* sh under the allowlist: a pipeline, subshells, a signal to a child. */
static void
test_cloudabi_run__sh(void **state)
{
	static const char *const args[] = {"/bin/sh", NULL};
	char out[4096];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	status = run_tool(args, io_config,
	    "echo hi | { read x; echo \"got $x\"; }\n"
	    "( while :; do :; done ) & kill $!; wait $!; echo \"killed $?\"\n"
	    "ulimit -n 64; echo \"limit $(ulimit -n)\"\n",
	    out, sizeof(out));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, "got hi\nkilled 143\nlimit 64\n");
}

/* python3 under the allowlist: threads, a child process, its limits. */
static void
test_cloudabi_run__python3(void **state)
{
	static const char *const args[] = {"/usr/bin/python3", NULL};
	static const char config[] = "- !fd stdin\n- !fd stdout\n"
	                             "- !fd stderr\n- !dir {path: /usr}\n";
	char out[4096];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0' || access(args[0], X_OK) != 0)
		skip();
	status = run_tool(args, config,
	    "import os, threading, resource\n"
	    "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
	    "pid = os.fork()\n"
	    "if pid == 0: os._exit(7)\n"
	    "print(os.waitpid(pid, 0)[1] >> 8,"
	    " len(os.sched_getaffinity(0)) > 0,"
	    " resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 0)\n",
	    out, sizeof(out));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, "7 True True\n");
}

/* cloudabi-run --user: names or numbers, shown by the dry run. */
static void
test_cloudabi_run__user(void **state)
{
	static const char *const as_nobody[] = {"--user", "nobody", "/bin/sh",
	    NULL};
	static const char *const as_number[] = {"--no-sandbox", "--user",
	    "65534:65534", "/bin/sh", NULL};
	static const char *const dry[] = {"--dry-run", "--user", "65534:0",
	    "--allow", "sysv-ipc", "/bin/sh", NULL};
	static const char *const unknown[] = {"--user", "no-such-user-here",
	    "/bin/sh", NULL};
	static const char *const bad_allow[] = {"--allow", "everything",
	    "/bin/sh", NULL};
	char out[16384];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0' || geteuid() != 0)
		skip();
	/* sh's $(id -u) would need to exec id: its builtins suffice. */
	status = run_tool(as_nobody, io_config,
	    "test -w / && echo root || echo unprivileged\n", out, sizeof(out));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, "unprivileged\n");
	status = run_tool(as_number, io_config,
	    "test -w / && echo root || echo unprivileged\n", out, sizeof(out));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, "unprivileged\n");
	status = run_tool(dry, io_config, "", out, sizeof(out));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "\nuser: uid 65534, gid 0, groups "));
	assert_non_null(strstr(out, "\nseccomp: allow shmget, "));
	assert_non_null(strstr(out, ": System V IPC (--allow sysv-ipc)\n"));
	/* Without the privilege to switch: refused before anything opens. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) != 0 || dup2(null, 1) != 1 ||
		    dup2(null, 2) != 2 || setgroups(0, NULL) != 0 ||
		    setresgid(65534, 65534, 65534) != 0 ||
		    setresuid(65534, 65534, 65534) != 0)
			_exit(99);
		execl(CLOUDABI_RUN_PATH, CLOUDABI_RUN_PATH, "--user", "root",
		    "/bin/true", "/dev/null", (char *)NULL);
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 64);
	/* The errors go to standard error: nothing on standard output. */
	status = run_tool(unknown, io_config, "", out, sizeof(out));
	assert_int_equal(WEXITSTATUS(status), 64);
	assert_string_equal(out, "");
	status = run_tool(bad_allow, io_config, "", out, sizeof(out));
	assert_int_equal(WEXITSTATUS(status), 64);
	assert_string_equal(out, "");
}

/* The group, which main.c runs. */
int run_programs_tests(void);

int
run_programs_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_cloudabi_run__sh),
	    TEST_CASE(test_cloudabi_run__python3),
	    TEST_CASE(test_cloudabi_run__user),
	};
	const char *why = sandbox_unsupported(NULL);

	if (why != NULL) {
		printf("not run: this kernel cannot confine (the sandbox "
		       "needs %s)\n",
		    why);
		return getenv("ARGDATA_TEST_REQUIRE_SANDBOX") != NULL;
	}
	return cmocka_run_group_tests_name("programs", tests, NULL, NULL);
}
