/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grants_run.c - !executable with a path through cloudabi-run: a
 * confined supervisor (supervisor.c) may start the worker it is given,
 * in its own sandbox or in a nested one; given the same file as a !file,
 * it may not, and unconfined it may (the control).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"
#include "testutil.h"

/*
 * Runs cloudabi-run with the options opts (NULL-terminated), program and
 * the configuration text on its standard input; collects its standard
 * output and error (NUL-terminated). Returns the wait status.
 */
static int
run_cli(const char *const *opts, const char *program, const char *config,
    char *out, size_t outsize, char *err, size_t errsize)
{
	char *argv[16];
	int po[2], pe[2], in, status, n = 0;
	size_t used[2] = {0, 0};
	pid_t pid;

	in = memfd_create("config", MFD_CLOEXEC);
	assert_true(in >= 0);
	assert_int_equal(write(in, config, strlen(config)),
	    (ssize_t)strlen(config));
	assert_int_equal(lseek(in, 0, SEEK_SET), 0);
	argv[n++] = CLOUDABI_RUN_PATH;
	for (size_t i = 0; opts[i] != NULL; i++)
		argv[n++] = (char *)opts[i];
	argv[n++] = (char *)program;
	argv[n++] = "-";
	argv[n] = NULL;
	assert_int_equal(pipe2(po, O_CLOEXEC), 0);
	assert_int_equal(pipe2(pe, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(in, 0) != 0 || dup2(po[1], 1) != 1 ||
		    dup2(pe[1], 2) != 2)
			_exit(125);
		execv(argv[0], argv);
		_exit(124);
	}
	close(in);
	close(po[1]);
	close(pe[1]);
	/* Both pipes at once, so that neither can fill up and block. */
	{
		struct pollfd p[2] = {{.fd = po[0], .events = POLLIN},
		    {.fd = pe[0], .events = POLLIN}};
		char *buf[2] = {out, err};
		size_t size[2] = {outsize, errsize};
		int open_ = 2;

		while (open_ > 0) {
			assert_true(poll(p, 2, -1) > 0);
			for (int i = 0; i < 2; i++) {
				ssize_t r;

				if (p[i].fd < 0 || p[i].revents == 0)
					continue;
				r = read(p[i].fd, buf[i] + used[i],
				    size[i] - 1 - used[i]);
				assert_true(r >= 0);
				if (r == 0) {
					close(p[i].fd);
					p[i].fd = -1;
					open_--;
				}
				used[i] += (size_t)r;
			}
		}
	}
	out[used[0]] = '\0';
	err[used[1]] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
test_cloudabi_run__executable_worker(void **state)
{
	static const char *const none[] = {NULL};
	static const char *const unconfined[] = {"--no-sandbox", NULL};
	char out[4096], err[4096];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0' || SANITIZED)
		skip();
	/* The worker as !executable: the supervisor may start it. */
	status = run_cli(none, SUPERVISOR_PATH,
	    "worker: !executable " HELLO_PATH "\nout: !fd stdout\n", out,
	    sizeof(out), err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "hello\nworker exit 0\n");
	/* Also in a sandbox of its own, made within the supervisor's. */
	status = run_cli(none, SUPERVISOR_PATH,
	    "worker: !executable " HELLO_PATH "\nout: !fd stdout\n"
	    "sandbox: true\n",
	    out, sizeof(out), err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "hello\nworker exit 0\n");
	/* As a mere !file: a descriptor, but no right to execute it. */
	status = run_cli(none, SUPERVISOR_PATH,
	    "worker: !file {path: " HELLO_PATH "}\nout: !fd stdout\n", out,
	    sizeof(out), err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "spawn EACCES\n");
	/* The control: unconfined, the same !file starts it. */
	status = run_cli(unconfined, SUPERVISOR_PATH,
	    "worker: !file {path: " HELLO_PATH "}\nout: !fd stdout\n", out,
	    sizeof(out), err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "hello\nworker exit 0\n");
}

/* The group, which main.c runs. */
int run_grants_run_tests(void);

int
run_grants_run_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_cloudabi_run__executable_worker),
	};
	const char *why = sandbox_unsupported(NULL);

	if (why != NULL) {
		if (getenv("ARGDATA_TEST_REQUIRE_SANDBOX") != NULL) {
			fprintf(stderr,
			    "this kernel cannot confine (the "
			    "sandbox needs %s)\n",
			    why);
			return 1;
		}
		printf("not run: the tests of !executable with a path; this "
		       "kernel cannot confine (the sandbox needs %s)\n",
		    why);
		return 0;
	}
	return cmocka_run_group_tests_name("grants-run", tests, NULL, NULL);
}
