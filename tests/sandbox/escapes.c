/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * escapes.c - the escape checks: the probe (sandbox-probe) started confined
 * and unconfined, through sandbox_apply(), program_spawn(),
 * program_exec_attr() and cloudabi-run, as root and unprivileged.
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <argdata.h>
#include <program.h>

#include "sandbox.h"
#include "testutil.h"
#include "sandbox_test.h"

#if !defined(PROBE_PATH) || !defined(HELLO_PATH) || !defined(SANITIZED) ||     \
    !defined(CLOUDABI_RUN_PATH)
#error                                                                         \
    "meson.build defines PROBE_PATH, HELLO_PATH, SANITIZED, CLOUDABI_RUN_PATH"
#endif

/* What the probe must see, confined: 0 for allowed, else the errno. */
static const struct {
	const char *name;
	const char *confined;
} expected[] = {
    {"etc_passwd", "EACCES"},
    {"outside_file", "EACCES"},
    {"root_dir", "EACCES"},
    {"proc_status", "EACCES"},
    {"proc_reopen_write", "EACCES"},
    {"dotdot_dir", "EACCES"},
    {"dotdot_file", "EACCES"},
    {"symlink_absolute", "EACCES"},
    {"symlink_relative", "EACCES"},
    {"rw_symlink_escape", "EACCES"},
    {"ro_create", "EACCES"},
    {"ro_write", "EACCES"},
    {"ro_truncate", "EACCES"},
    {"ro_mkdir", "EACCES"},
    {"ro_unlink", "EACCES"},
    {"ro_rename_out", "EACCES"},
    {"ro_link_out", "EXDEV"},
    {"rw_mknod_char", "EACCES"},
    {"tcp_connect", "EACCES"},
    {"tcp_bind", "EACCES"},
    {"udp_socket", "EACCES"},
    {"mptcp_socket", "EACCES"},
    {"unix_socket", "EACCES"},
    {"unix_connect_outside", "EACCES"},
    {"socketpair_dgram", "EACCES"},
    {"socketpair_inet", "EACCES"},
    {"socketpair_high_bits", "EACCES"},
    {"io_uring", "ENOSYS"},
    {"kill_parent", "EPERM"},
    {"pidfd_signal_parent", "EPERM"},
    {"steal_parent_fd", "EPERM"},
    {"mount", "EPERM"},
    {"link_outside_into_rw", "EXDEV"},
    {"rename_outside_into_rw", "EACCES"},
    {"truncate_outside", "EACCES"},
    {"read_parent_memory", "EPERM"},
    {"exec_other", "EACCES"},
    {"open_mode3_outside", "EACCES"},
    {"openat2_outside", "ENOSYS"},
    {"file_setattr_outside", "EPERM"},
    {"chmod_outside", "EPERM"},
    {"chown_outside", "EPERM"},
    {"chmod_beneath_ro", "EPERM"},
    {"utimes_outside", "EPERM"},
    {"setxattr_outside", "EPERM"},
    {"tiocsti", "EPERM"},
    {"tiocsti_high_bits", "EPERM"},
    {"ro_read", "0"},
    {"ro_readdir", "0"},
    {"ro_read_beneath", "0"},
    {"rw_write", "0"},
    {"rw_changes", "0"},
    {"accept", "0"},
    {"socketpair_stream", "0"},
    {"signal_self", "0"},
    {"kill_self", "0"},
};

#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

/*
 * The test's own launcher: fork, confine, install fds[i] at i, close the
 * rest at exec, execveat. It stands in for program_spawn() wherever the
 * sandbox is tested on its own.
 */
static pid_t
launch(int execfd, const int *fds, int n, const struct sandbox *sb)
{
	char *argv[] = {"sandbox-probe", NULL};
	char *envp[] = {NULL};
	int moved[16], exe;
	pid_t pid;

	assert_true(n <= 16);
	pid = fork();
	assert_true(pid >= 0);
	if (pid != 0)
		return pid;
	if (sb != NULL && sandbox_apply(sb) != 0)
		_exit(126);
	for (int i = 0; i < n; i++)
		if ((moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 64)) < 0)
			_exit(125);
	if ((exe = fcntl(execfd, F_DUPFD_CLOEXEC, 64)) < 0)
		_exit(125);
	for (int i = 0; i < n; i++)
		if (dup2(moved[i], i) != i)
			_exit(125);
	if (syscall(SYS_close_range, n, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
		_exit(125);
	syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

/* The probe's tree: a sequence of its five descriptors, in order. */
static argdata_t *
probe_tree(const int *fds, argdata_t **elems)
{
	for (int i = 0; i < 5; i++) {
		elems[i] = argdata_create_fd(fds[i]);
		assert_non_null(elems[i]);
	}
	return argdata_create_seq((const argdata_t *const *)elems, 5);
}

/* Starts the probe through the library; returns its pid or pidfd. */
static int
start_by_library(struct world *w, enum start how, int execfd, const int *fds,
    bool confined)
{
	program_attr_t *attr = program_attr_create();
	argdata_t *elems[5], *tree;
	int handle = -1;

	assert_non_null(attr);
	if (confined) {
		assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX),
		    0);
		assert_int_equal(program_attr_addwritable(attr, w->rw), 0);
	}
	tree = probe_tree(fds, elems);
	assert_non_null(tree);
	if (how == BY_SPAWN) {
		assert_int_equal(program_spawn(execfd, tree, attr, &handle), 0);
	} else {
		handle = fork();
		assert_true(handle >= 0);
		if (handle == 0) {
			program_exec_attr(execfd, tree, attr);
			_exit(120);
		}
	}
	argdata_free(tree);
	for (int i = 0; i < 5; i++)
		argdata_free(elems[i]);
	program_attr_free(attr);
	return handle;
}

/* Runs the probe and collects its report; returns the wait status. */
static int
run_probe(struct world *w, enum start how, bool confined, char *out,
    size_t size)
{
	int execfd, status, handle;
	int fds[5] = {w->instr, w->report[1], w->ro, w->rw, w->listener};
	struct sandbox *sb = NULL;
	size_t used = 0;
	ssize_t n;

	execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	assert_true(execfd >= 0);
	if (how == BY_LAUNCHER) {
		if (confined)
			assert_int_equal(sandbox_create(execfd,
			                     &(struct sandbox_spec){.fds = fds,
			                         .nfds = 5,
			                         .writable = &w->rw,
			                         .nwritable = 1},
			                     &sb),
			    0);
		handle = launch(execfd, fds, 5, sb);
	} else {
		handle = start_by_library(w, how, execfd, fds, confined);
	}
	close(w->report[1]);
	w->report[1] = -1;
	while ((n = read(w->report[0], out + used, size - 1 - used)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	if (how == BY_SPAWN) {
		siginfo_t info;
		assert_int_equal(
		    waitid((idtype_t)P_PIDFD, (id_t)handle, &info, WEXITED), 0);
		close(handle);
		status = info.si_code == CLD_EXITED ? info.si_status << 8
		                                    : info.si_status;
	} else {
		assert_int_equal(waitpid(handle, &status, 0), handle);
	}
	sandbox_free(sb);
	close(execfd);
	return status;
}

/*
 * Compares a confined probe's report with the expected outcomes, printing
 * each one that differs. Returns how many differ.
 */
static int
confined_mismatches(const char *report)
{
	char buf[64];
	int failures = 0;

	for (size_t i = 0; i < NEXPECTED; i++) {
		const char *got =
		    result_of(report, expected[i].name, buf, sizeof(buf));
		if (got == NULL || strcmp(got, expected[i].confined) != 0) {
			print_error("%s: expected %s, got %s\n",
			    expected[i].name, expected[i].confined,
			    got != NULL ? got : "(nothing)");
			failures++;
		}
	}
	return failures;
}

/* Runs the probe confined and checks every outcome. */
static void
probe_confined(enum start how)
{
	struct world w;
	char report[8192];
	int status, failures = 0;

	world_create(&w, "");
	status = run_probe(&w, how, true, report, sizeof(report));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Exactly the tree's descriptors, nothing inherited. */
	assert_non_null(strstr(report, "fds 0,1,2,3,4\n"));
	failures += confined_mismatches(report);
	assert_non_null(strstr(report, "\nend\n"));
	/* Nothing was created beneath the read-only directory or outside. */
	assert_int_equal(faccessat(w.ro, "new", F_OK, 0), -1);
	assert_int_equal(faccessat(w.ro, "hello", F_OK, 0), 0);
	assert_int_equal(access(w.outside, F_OK), 0);
	world_destroy(&w);
	assert_int_equal(failures, 0);
}

static void
test_sandbox_apply__probe_confined(void **state)
{
	(void)state;
	probe_confined(BY_LAUNCHER);
}

static void
test_program_spawn__sandbox_probe(void **state)
{
	(void)state;
	probe_confined(BY_SPAWN);
}

/* Hands an entry of the world to the unprivileged test user. */
static int
chown_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, 65534, 65534);
}

/*
 * The same probe started by an unprivileged user (65534, in a child that
 * switches to it, the world handed to it first): confined, every escape
 * fails as it does for root; unconfined, the control, the escapes that
 * need no privilege work.
 */
static void
test_program_spawn__sandbox_probe_unprivileged(void **state)
{
	static const char *const escapes[] = {"etc_passwd", "outside_file",
	    "dotdot_file", "symlink_absolute", "udp_socket", "kill_parent",
	    "exec_other", "chmod_outside", "open_mode3_outside"};
	char report[2][8192], buf[64];
	int failures = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	for (int confined = 1; confined >= 0; confined--) {
		struct world w;
		int pipefd[2], status;
		size_t used = 0;
		ssize_t n;
		pid_t pid;

		world_create(&w, "");
		assert_int_equal(nftw(w.root, chown_entry, 16, FTW_PHYS), 0);
		assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char out[8192];

			if (setgroups(0, NULL) != 0 ||
			    setresgid(65534, 65534, 65534) != 0 ||
			    setresuid(65534, 65534, 65534) != 0)
				_exit(90);
			status =
			    run_probe(&w, BY_SPAWN, confined, out, sizeof(out));
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
			    write(pipefd[1], out, strlen(out)) < 0)
				_exit(91);
			_exit(0);
		}
		/* The child holds the probe's report pipe now. */
		close(w.report[1]);
		w.report[1] = -1;
		close(pipefd[1]);
		while ((n = read(pipefd[0], report[confined] + used,
		            sizeof(report[confined]) - 1 - used)) > 0)
			used += (size_t)n;
		report[confined][used] = '\0';
		close(pipefd[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		world_destroy(&w);
	}
	assert_non_null(strstr(report[1], "fds 0,1,2,3,4\n"));
	assert_non_null(strstr(report[1], "\nend\n"));
	failures += confined_mismatches(report[1]);
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		const char *got =
		    result_of(report[0], escapes[i], buf, sizeof(buf));
		if (got == NULL || strcmp(got, "0") != 0) {
			print_error("%s: unconfined as 65534, got %s\n",
			    escapes[i], got != NULL ? got : "(nothing)");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void
test_program_exec_attr__sandbox_probe(void **state)
{
	(void)state;
	probe_confined(BY_EXEC);
}

static void
test_cloudabi_run__probe_confined(void **state)
{
	static const char *const none[] = {NULL};
	struct world w;
	char report[8192], err[1024];
	int status, failures = 0;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	world_create(&w, "");
	status =
	    run_tool(&w, none, false, report, sizeof(report), err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(report, "fds 0,1,2,3,4\n"));
	failures += confined_mismatches(report);
	world_destroy(&w);
	assert_int_equal(failures, 0);
}

static void
test_cloudabi_run__dry_run_shows_rules(void **state)
{
	static const char *const dry[] = {"--dry-run", NULL};
	static const char *const dry_none[] = {"--dry-run", "--no-sandbox",
	    NULL};
	struct world w;
	char out[16384], err[1024], want[512];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	world_create(&w, "");
	status = run_tool(&w, dry, false, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "\nSANDBOX\nlandlock: ABI "));
	snprintf(want, sizeof(want),
	    "landlock: allow read_file,read_dir "
	    "directory %s/ro\n",
	    w.root);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "truncate writable directory %s/rw\n",
	    w.root);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out,
	    "landlock: allow execute,read_file "
	    "program " PROBE_PATH "\n"));
	assert_non_null(strstr(out, "/libc.so.6\n"));
	assert_non_null(strstr(out,
	    "seccomp: deny socket, bind, connect "
	    "(EACCES): new sockets\n"));
	/* Nothing started: the probe never reported. */
	assert_null(strstr(out, "\nend\n"));
	world_destroy(&w);

	world_create(&w, "");
	status =
	    run_tool(&w, dry_none, false, out, sizeof(out), err, sizeof(err));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "\nSANDBOX\nnone: --no-sandbox\n"));
	world_destroy(&w);
}

static void
test_sandbox_apply__probe_unconfined(void **state)
{
	/* The same probe without the sandbox escapes: the confined test
	 * above can fail. */
	static const char *const escapes[] = {"etc_passwd", "outside_file",
	    "dotdot_file", "symlink_absolute", "udp_socket", "kill_parent",
	    "exec_other", "chmod_outside", "socketpair_high_bits",
	    "open_mode3_outside", "openat2_outside"};
	struct world w;
	char report[8192], buf[64];
	int status;

	(void)state;
	world_create(&w, "");
	status = run_probe(&w, BY_SPAWN, false, report, sizeof(report));
	assert_true(WIFEXITED(status));
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		const char *got =
		    result_of(report, escapes[i], buf, sizeof(buf));
		assert_non_null(got);
		assert_string_equal(got, "0");
	}
	/* Taking a parent's descriptor needs ptrace rights: root has them
	 * whatever Yama says. */
	if (geteuid() == 0)
		assert_string_equal(
		    result_of(report, "steal_parent_fd", buf, sizeof(buf)),
		    "0");
	world_destroy(&w);
}

static void
test_sandbox_apply__x32_kills(void **state)
{
	struct world w;
	char report[8192];
	int status;

	(void)state;
	world_create(&w, "x32=1\n");
	status = run_probe(&w, BY_SPAWN, true, report, sizeof(report));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	assert_null(strstr(report, "x32_survived"));
	world_destroy(&w);
}

/*
 * Runs cloudabi-run with argv[1..] (argv[0] is set here) and an empty
 * configuration on its standard input; fills out and err with what it
 * wrote and returns its status.
 */
static int
run_tool_plain(char **argv, char *out, size_t outsize, char *err,
    size_t errsize)
{
	int in[2], o[2], e[2], status;
	size_t used;
	ssize_t k;
	pid_t pid;

	argv[0] = CLOUDABI_RUN_PATH;
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(o, O_CLOEXEC), 0);
	assert_int_equal(pipe2(e, O_CLOEXEC), 0);
	assert_int_equal(write(in[1], "{}\n", 3), 3);
	close(in[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(in[0], 0) != 0 || dup2(o[1], 1) != 1 ||
		    dup2(e[1], 2) != 2)
			_exit(99);
		execv(argv[0], argv);
		_exit(97);
	}
	close(in[0]);
	close(o[1]);
	close(e[1]);
	for (used = 0; (k = read(o[0], out + used, outsize - 1 - used)) > 0;)
		used += (size_t)k;
	out[used] = '\0';
	for (used = 0; (k = read(e[0], err + used, errsize - 1 - used)) > 0;)
		used += (size_t)k;
	err[used] = '\0';
	close(o[0]);
	close(e[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
test_cloudabi_run__too_much_work(void **state)
{
	char root[64] = "/tmp/sandbox-costly.XXXXXX", path[256];
	char out[16384], err[1024], want[512];
	char *run[] = {NULL, path, NULL},
	     *dry[] = {NULL, "--dry-run", path, NULL};
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	assert_non_null(mkdtemp(root));
	put_costly_program(root, "costly", "/n");
	snprintf(path, sizeof(path), "%s/costly", root);
	/* Refused, with the reason, and nothing started. */
	status = run_tool_plain(run, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 126);
	snprintf(want, sizeof(want),
	    "cloudabi-run: %s: the sandbox would "
	    "need too much work to find its libraries (too many search "
	    "paths, names or libraries), or its arguments are too long\n",
	    path);
	assert_string_equal(err, want);
	status = run_tool_plain(dry, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out,
	    "\nSANDBOX\nrefused: the sandbox would "
	    "need too much work to find its libraries"));
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_program_spawn__sandbox_libargdata_from_build_tree(void **state)
{
	program_attr_t *attr;
	argdata_t *elem, *tree;
	siginfo_t info;
	char buf[16];
	int pipefd[2], execfd, pidfd;
	ssize_t n;

	(void)state;
	if (SANITIZED)
		skip();
	attr = program_attr_create();
	assert_non_null(attr);
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	execfd = open(HELLO_PATH, O_RDONLY | O_CLOEXEC);
	assert_true(execfd >= 0);
	elem = argdata_create_fd(pipefd[1]);
	tree = argdata_create_seq((const argdata_t *const *)&elem, 1);
	assert_non_null(tree);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), 0);
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof(buf));
	assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED),
	    0);
	assert_int_equal(info.si_code, CLD_EXITED);
	assert_int_equal(info.si_status, 0);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "hello\n", 6);
	argdata_free(tree);
	argdata_free(elem);
	program_attr_free(attr);
	close(pidfd);
	close(execfd);
	close(pipefd[0]);
}

static void
test_program_spawn__sandbox_refused(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	/* In a child whose kernel seems to lack Landlock: nothing starts,
	 * confined or not, and the error says why. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		program_attr_t *attr = program_attr_create();
		argdata_t *tree = argdata_create_seq(NULL, 0);
		int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC), pidfd = -1;

		if (fail_syscall(SYS_landlock_create_ruleset, ENOSYS) != 0)
			_exit(10);
		if (attr == NULL || tree == NULL ||
		    program_attr_setsandbox(attr, PROGRAM_SANDBOX) != 0)
			_exit(11);
		if (program_spawn(execfd, tree, attr, &pidfd) != ENOTSUP ||
		    pidfd != -1)
			_exit(12);
		if (program_exec_attr(execfd, tree, attr) != ENOTSUP)
			_exit(13);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
run_escapes_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_sandbox_apply__probe_confined),
	    TEST_CASE(test_program_spawn__sandbox_probe),
	    TEST_CASE(test_program_spawn__sandbox_probe_unprivileged),
	    TEST_CASE(test_program_exec_attr__sandbox_probe),
	    TEST_CASE(test_sandbox_apply__probe_unconfined),
	    TEST_CASE(test_sandbox_apply__x32_kills),
	    TEST_CASE(test_program_spawn__sandbox_libargdata_from_build_tree),
	    TEST_CASE(test_program_spawn__sandbox_refused),
	    TEST_CASE(test_cloudabi_run__probe_confined),
	    TEST_CASE(test_cloudabi_run__dry_run_shows_rules),
	    TEST_CASE(test_cloudabi_run__too_much_work),
	};

	return sandbox_run_confined("escapes", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
