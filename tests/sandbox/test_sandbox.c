/*
 * test_sandbox.c - the sandbox: its rules, the ELF resolver on real and
 * hostile files, and the probe (probe.c) run confined and unconfined, every
 * escape and every granted operation checked against its expected outcome.
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

#if !defined(PROBE_PATH) || !defined(HELLO_PATH) || !defined(SANITIZED) || \
    !defined(CLOUDABI_RUN_PATH)
#error "meson.build defines PROBE_PATH, HELLO_PATH, SANITIZED, CLOUDABI_RUN_PATH"
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

/* A scratch tree: ro/ (hello, sub/inner, link-out, link-up), rw/,
 * outside.txt, outside.sock, instructions. */
struct world {
	char root[64];
	char outside[128];
	int instr, ro, rw, listener, client, unix_listener;
	int report[2];
};

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
world_create(struct world *w, const char *extra)
{
	char path[256], text[512];
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	socklen_t len = sizeof(sin);

	snprintf(w->root, sizeof(w->root), "/tmp/sandbox-test.XXXXXX");
	assert_non_null(mkdtemp(w->root));
	snprintf(w->outside, sizeof(w->outside), "%s/outside.txt", w->root);
	write_file(w->outside, "outside\n");
	snprintf(path, sizeof(path), "%s/ro", w->root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/ro/sub", w->root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/ro/hello", w->root);
	write_file(path, "hello\n");
	snprintf(path, sizeof(path), "%s/ro/sub/inner", w->root);
	write_file(path, "inner\n");
	snprintf(path, sizeof(path), "%s/ro/link-out", w->root);
	assert_int_equal(symlink(w->outside, path), 0);
	snprintf(path, sizeof(path), "%s/ro/link-up", w->root);
	assert_int_equal(symlink("../outside.txt", path), 0);
	snprintf(path, sizeof(path), "%s/rw", w->root);
	assert_int_equal(mkdir(path, 0755), 0);

	/* A unix socket outside, listening: reachable by path only. */
	w->unix_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(w->unix_listener >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/outside.sock",
	    w->root);
	assert_int_equal(bind(w->unix_listener, (struct sockaddr *)&sun,
	    sizeof(sun)), 0);
	assert_int_equal(listen(w->unix_listener, 4), 0);

	snprintf(text, sizeof(text), "outside_file=%s\noutside_sock=%s\n%s",
	    w->outside, sun.sun_path, extra);
	snprintf(path, sizeof(path), "%s/instructions", w->root);
	write_file(path, text);
	w->instr = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(w->instr >= 0);
	snprintf(path, sizeof(path), "%s/ro", w->root);
	w->ro = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(w->ro >= 0);
	snprintf(path, sizeof(path), "%s/rw", w->root);
	w->rw = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(w->rw >= 0);

	/* A loopback listener with one connection already waiting, so that
	 * the probe's accept needs no synchronisation. */
	w->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(w->listener >= 0);
	assert_int_equal(bind(w->listener, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	assert_int_equal(listen(w->listener, 4), 0);
	assert_int_equal(getsockname(w->listener, (struct sockaddr *)&sin,
	    &len), 0);
	w->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(w->client >= 0);
	assert_int_equal(connect(w->client, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	assert_int_equal(pipe2(w->report, O_CLOEXEC), 0);
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
world_destroy(struct world *w)
{
	close(w->instr);
	close(w->ro);
	close(w->rw);
	close(w->listener);
	close(w->client);
	close(w->unix_listener);
	if (w->report[0] >= 0)
		close(w->report[0]);
	if (w->report[1] >= 0)
		close(w->report[1]);
	assert_int_equal(nftw(w->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
	    0);
}

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

/* How the probe is started: the test's launcher, or the library. */
enum start {
	BY_LAUNCHER,      /* fork, sandbox_apply, shuffle, execveat */
	BY_SPAWN,         /* program_spawn() */
	BY_EXEC,          /* fork, then program_exec_attr() in the child */
};

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
start_by_library(struct world *w, enum start how, int execfd,
    const int *fds, bool confined)
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
			assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){.fds = fds, .nfds = 5, .writable = &w->rw, .nwritable = 1}, &sb), 0);
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
		assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)handle, &info,
		    WEXITED), 0);
		close(handle);
		status = info.si_code == CLD_EXITED ? info.si_status << 8 :
		    info.si_status;
	} else {
		assert_int_equal(waitpid(handle, &status, 0), handle);
	}
	sandbox_free(sb);
	close(execfd);
	return status;
}

/* The result the probe reported for name, or NULL. */
static const char *
result_of(const char *report, const char *name, char *buf, size_t size)
{
	size_t len = strlen(name);

	for (const char *p = report; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		if (strncmp(p, name, len) == 0 && p[len] == ' ') {
			size_t n = (size_t)(eol - (p + len + 1));
			if (eol == NULL || n >= size)
				return NULL;
			memcpy(buf, p + len + 1, n);
			buf[n] = '\0';
			return buf;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
	return NULL;
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
		const char *got = result_of(report, expected[i].name, buf,
		    sizeof(buf));
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
chown_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
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
			status = run_probe(&w, BY_SPAWN, confined, out,
			    sizeof(out));
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
		const char *got = result_of(report[0], escapes[i], buf,
		    sizeof(buf));
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

/*
 * Makes system call nr fail with error in this process and its children
 * (no_new_privs and a seccomp filter of its own), as on a kernel that
 * lacks it. For the children of tests: returns 0 or -1.
 */
static int
fail_syscall(long nr, int error)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)error),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {4, insns};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		return -1;
	return 0;
}

/*
 * Runs cloudabi-run with extra arguments before the probe and a config
 * naming the world's resources: the report pipe as its standard output,
 * the listener inherited at descriptor 10. With landlock_broken, its
 * kernel seems to lack Landlock (a seccomp filter of the test's). Fills
 * out (the probe's report, or the dry run) and err; returns the status.
 */
static int
run_tool(struct world *w, const char *const *extra, bool landlock_broken,
    char *out, size_t outsize, char *err, size_t errsize)
{
	char config[256], text[1024], *argv[16];
	int errpipe[2], status, n = 0;
	size_t used;
	ssize_t k;
	pid_t pid;

	snprintf(text, sizeof(text),
	    "- !file {path: %s/instructions}\n"
	    "- !fd stdout\n"
	    "- !dir {path: %s/ro}\n"
	    "- !dir {path: %s/rw, write: true}\n"
	    "- !fd 10\n", w->root, w->root, w->root);
	snprintf(config, sizeof(config), "%s/config.yaml", w->root);
	write_file(config, text);
	argv[n++] = CLOUDABI_RUN_PATH;
	for (; *extra != NULL; extra++)
		argv[n++] = (char *)*extra;
	argv[n++] = PROBE_PATH;
	argv[n++] = config;
	argv[n] = NULL;
	assert_int_equal(pipe2(errpipe, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) != 0 || dup2(w->report[1], 1) != 1 ||
		    dup2(errpipe[1], 2) != 2 || dup2(w->listener, 10) != 10 ||
		    fcntl(10, F_SETFD, 0) != 0)
			_exit(99); /* dup2 onto itself would keep close-on-exec */
		if (landlock_broken &&
		    fail_syscall(SYS_landlock_create_ruleset, ENOSYS) != 0)
			_exit(98);
		execv(argv[0], argv);
		_exit(97);
	}
	close(errpipe[1]);
	close(w->report[1]);
	w->report[1] = -1;
	for (used = 0; (k = read(w->report[0], out + used,
	    outsize - 1 - used)) > 0;)
		used += (size_t)k;
	out[used] = '\0';
	for (used = 0; (k = read(errpipe[0], err + used,
	    errsize - 1 - used)) > 0;)
		used += (size_t)k;
	err[used] = '\0';
	close(errpipe[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
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
	status = run_tool(&w, none, false, report, sizeof(report), err,
	    sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(report, "fds 0,1,2,3,4\n"));
	failures += confined_mismatches(report);
	world_destroy(&w);
	assert_int_equal(failures, 0);
}

static void
test_cloudabi_run__no_sandbox(void **state)
{
	static const char *const opts[] = {"--no-sandbox", NULL};
	struct world w;
	char report[8192], err[1024], buf[64];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	/* Unconfined even where the kernel could not confine. */
	world_create(&w, "");
	status = run_tool(&w, opts, true, report, sizeof(report), err,
	    sizeof(err));
	assert_string_equal(err, "");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(result_of(report, "etc_passwd", buf, sizeof(buf)),
	    "0");
	assert_string_equal(result_of(report, "udp_socket", buf, sizeof(buf)),
	    "0");
	world_destroy(&w);
}

static void
test_cloudabi_run__refusal_names_option(void **state)
{
	static const char *const none[] = {NULL};
	static const char *const dry[] = {"--dry-run", NULL};
	struct world w;
	char out[8192], err[1024];
	int status;

	(void)state;
	if (CLOUDABI_RUN_PATH[0] == '\0')
		skip();
	world_create(&w, "");
	status = run_tool(&w, none, true, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 69);
	assert_string_equal(out, "");
	assert_string_equal(err, "cloudabi-run: the sandbox needs Landlock "
	    "(Linux 5.13 or later); --no-sandbox runs the program "
	    "unconfined\n");
	world_destroy(&w);

	/* The dry run says so too, and starts nothing either way. */
	world_create(&w, "");
	status = run_tool(&w, dry, true, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "\nSANDBOX\nrefused: the sandbox needs "
	    "Landlock (Linux 5.13 or later)\n"));
	world_destroy(&w);
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
	snprintf(want, sizeof(want), "landlock: allow read_file,read_dir "
	    "directory %s/ro\n", w.root);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "truncate writable directory %s/rw\n",
	    w.root);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "landlock: allow execute,read_file "
	    "program " PROBE_PATH "\n"));
	assert_non_null(strstr(out, "/libc.so.6\n"));
	assert_non_null(strstr(out, "seccomp: deny socket, bind, connect "
	    "(EACCES): new sockets\n"));
	/* Nothing started: the probe never reported. */
	assert_null(strstr(out, "\nend\n"));
	world_destroy(&w);

	world_create(&w, "");
	status = run_tool(&w, dry_none, false, out, sizeof(out), err,
	    sizeof(err));
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
		const char *got = result_of(report, escapes[i], buf,
		    sizeof(buf));
		assert_non_null(got);
		assert_string_equal(got, "0");
	}
	/* Taking a parent's descriptor needs ptrace rights: root has them
	 * whatever Yama says. */
	if (geteuid() == 0)
		assert_string_equal(result_of(report, "steal_parent_fd", buf,
		    sizeof(buf)), "0");
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

/* Collects what the resolver hands over. */
struct seen {
	char names[64][256];
	int roles[64];
	int n;
};

static int
collect(void *ctx, int fd, const char *path, enum sandbox_role role)
{
	struct seen *s = ctx;
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	if (s->n < 64) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", path);
		s->roles[s->n++] = (int)role;
	}
	return 0;
}

static int
count_suffix(const struct seen *s, const char *suffix, int role)
{
	size_t sl = strlen(suffix);
	int n = 0;

	for (int i = 0; i < s->n; i++) {
		size_t l = strlen(s->names[i]);
		if (l >= sl && strcmp(s->names[i] + l - sl, suffix) == 0 &&
		    s->roles[i] == role)
			n++;
	}
	return n;
}

static void
test_sandbox_elf_resolve__probe(void **state)
{
	struct seen s = {.n = 0};
	int fd = open(PROBE_PATH, O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	close(fd);
	assert_int_equal(count_suffix(&s, "", SANDBOX_LOADER), 1);
	assert_true(count_suffix(&s, "/libc.so.6", SANDBOX_LIBRARY) >= 1);
}

static void
test_sandbox_elf_resolve__not_elf(void **state)
{
	struct seen s = {.n = 0};
	int fd = memfd_create("text", MFD_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOEXEC);
	close(fd);
	assert_int_equal(s.n, 0);
}

/* What make_elf_spec() puts in a file. */
struct elf_spec {
	const char *interp;          /* PT_INTERP, or NULL */
	long path_tag;               /* DT_RPATH or DT_RUNPATH */
	const char *path;            /* its value, or NULL */
	const char *const *needed;   /* DT_NEEDED names */
	size_t nneeded;
};

/*
 * A minimal ELF file: one PT_LOAD covering the file, PT_DYNAMIC with the
 * DT_NEEDED names and the search path of spec, then PT_INTERP if any.
 */
static size_t
make_elf_spec(unsigned char *buf, size_t size, const struct elf_spec *spec)
{
	size_t nph = spec->interp != NULL ? 3 : 2;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	Elf64_Dyn *dyn = (Elf64_Dyn *)(buf + sizeof(*eh) + nph * sizeof(*ph));
	size_t ndyn = spec->nneeded + 4, stroff, strlen_ = 1, k = 0, end;
	char *str;

	memset(buf, 0, size);
	stroff = sizeof(*eh) + nph * sizeof(*ph) + ndyn * sizeof(*dyn);
	str = (char *)buf + stroff;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
#if defined(__x86_64__)
	eh->e_machine = EM_X86_64;
#else
	eh->e_machine = EM_AARCH64;
#endif
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = (Elf64_Half)nph;
	for (size_t i = 0; i < spec->nneeded; i++) {
		dyn[k].d_tag = DT_NEEDED;
		dyn[k++].d_un.d_val = strlen_;
		strcpy(str + strlen_, spec->needed[i]);
		strlen_ += strlen(spec->needed[i]) + 1;
	}
	if (spec->path != NULL) {
		dyn[k].d_tag = spec->path_tag;
		dyn[k++].d_un.d_val = strlen_;
		strcpy(str + strlen_, spec->path);
		strlen_ += strlen(spec->path) + 1;
	}
	dyn[k].d_tag = DT_STRTAB;
	dyn[k++].d_un.d_ptr = stroff;
	dyn[k].d_tag = DT_STRSZ;
	dyn[k++].d_un.d_val = strlen_;
	dyn[k].d_tag = DT_NULL;
	end = stroff + strlen_;
	if (spec->interp != NULL) {
		ph[2].p_type = PT_INTERP;
		ph[2].p_offset = end;
		ph[2].p_filesz = strlen(spec->interp) + 1;
		strcpy((char *)buf + end, spec->interp);
		end += ph[2].p_filesz;
	}
	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = 0;
	ph[0].p_vaddr = 0;
	ph[0].p_filesz = ph[0].p_memsz = end;
	ph[1].p_type = PT_DYNAMIC;
	ph[1].p_offset = sizeof(*eh) + nph * sizeof(*ph);
	ph[1].p_filesz = ndyn * sizeof(*dyn);
	assert_true(end <= size);
	return end;
}

/* The same with DT_RUNPATH and no loader. */
static size_t
make_elf(unsigned char *buf, size_t size, const char *runpath,
    const char *const *needed, size_t nneeded)
{
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = runpath,
	    .needed = needed, .nneeded = nneeded};

	return make_elf_spec(buf, size, &spec);
}

static void
write_bytes(const char *path, const unsigned char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void
test_sandbox_elf_resolve__runpath_origin_and_cycles(void **state)
{
	static const char *const prog_needs[] = {"liba.so", "libmissing.so"};
	static const char *const a_needs[] = {"libb.so", "liba.so"};
	static const char *const b_needs[] = {"liba.so"};
	unsigned char buf[4096];
	char root[64] = "/tmp/sandbox-elf.XXXXXX", path[256];
	struct seen s = {.n = 0};
	size_t len;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/lib", root);
	assert_int_equal(mkdir(path, 0755), 0);
	len = make_elf(buf, sizeof(buf), "$ORIGIN/lib", prog_needs, 2);
	snprintf(path, sizeof(path), "%s/prog", root);
	write_bytes(path, buf, len);
	/* liba needs libb and itself; libb needs liba: found once each. */
	len = make_elf(buf, sizeof(buf), "${ORIGIN}", a_needs, 2);
	snprintf(path, sizeof(path), "%s/lib/liba.so", root);
	write_bytes(path, buf, len);
	len = make_elf(buf, sizeof(buf), "$ORIGIN", b_needs, 1);
	snprintf(path, sizeof(path), "%s/lib/libb.so", root);
	write_bytes(path, buf, len);

	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	close(fd);
	assert_int_equal(count_suffix(&s, "/lib/liba.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "/lib/libb.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "libmissing.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "", SANDBOX_LOADER), 0);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Writes the ELF file of spec at root/name; fails the test otherwise. */
static void
put_elf(const char *root, const char *name, const struct elf_spec *spec,
    uint16_t machine)
{
	const size_t size = 64 * 1024;
	unsigned char *buf = malloc(size);
	char path[256];
	size_t len;

	assert_non_null(buf);
	len = make_elf_spec(buf, size, spec);
	if (machine != 0)
		((Elf64_Ehdr *)buf)->e_machine = machine;
	snprintf(path, sizeof(path), "%s/%s", root, name);
	write_bytes(path, buf, len);
	free(buf);
}

static void
test_sandbox_elf_resolve__search_order(void **state)
{
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-search.XXXXXX", path[256], abs[256];
	const char *prog_needs[5] = {"liba.so", "libbad.so", "libfifo.so",
		"libhw.so", abs};
	static const char *const a_needs[] = {"libdep.so", "liba.so"};
	struct elf_spec spec = {.path_tag = DT_RPATH,
	    .path = "$LIB/x:${ORIGIN}/a::$ORIGIN/b", .needed = prog_needs,
	    .nneeded = 5};
	struct elf_spec lib = {.needed = none, .nneeded = 0};
	struct elf_spec liba = {.needed = a_needs, .nneeded = 2};
	static const char *const dirs[] = {"a", "b", "abs", "b/glibc-hwcaps",
		"b/glibc-hwcaps/x86-64-v3"};
	struct seen s = {.n = 0};
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	snprintf(abs, sizeof(abs), "%s/abs/libabs.so", root);
	put_elf(root, "prog", &spec, 0);
	/* a/liba.so is another machine's: the search goes on to b. */
	put_elf(root, "a/liba.so", &lib, EM_386);
	put_elf(root, "b/liba.so", &liba, 0);
	/* liba has no search path of its own: libdep comes through the
	 * program's DT_RPATH, as the loader's chain has it. */
	put_elf(root, "a/libdep.so", &lib, 0);
	/* A broken library of this machine stops the search, ungranted. */
	put_elf(root, "a/libbad.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/a/libbad.so", root);
	assert_int_equal(truncate(path, sizeof(Elf64_Ehdr) + 8), 0);
	put_elf(root, "b/libbad.so", &lib, 0);
	/* Not a regular file: passed over. */
	snprintf(path, sizeof(path), "%s/a/libfifo.so", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	put_elf(root, "b/libfifo.so", &lib, 0);
	/* The loader chooses by CPU: every variant is granted. */
	put_elf(root, "b/glibc-hwcaps/x86-64-v3/libhw.so", &lib, 0);
	put_elf(root, "b/libhw.so", &lib, 0);
	put_elf(root, "abs/libabs.so", &lib, 0);

	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	close(fd);
	assert_int_equal(count_suffix(&s, "/a/liba.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "/b/liba.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "/a/libdep.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "libbad.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "/a/libfifo.so", SANDBOX_LIBRARY), 0);
	assert_int_equal(count_suffix(&s, "/b/libfifo.so", SANDBOX_LIBRARY), 1);
	assert_int_equal(count_suffix(&s, "/abs/libabs.so", SANDBOX_LIBRARY),
	    1);
	assert_int_equal(count_suffix(&s, "/b/libhw.so", SANDBOX_LIBRARY), 1);
#if defined(__x86_64__)
	assert_int_equal(count_suffix(&s, "/x86-64-v3/libhw.so",
	    SANDBOX_LIBRARY), 1);
#endif
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_elf_resolve__loader(void **state)
{
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-loader.XXXXXX", path[256], interp[256];
	struct elf_spec spec = {.interp = interp, .needed = none};
	struct elf_spec lib = {.needed = none};
	struct seen s = {.n = 0};
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	/* A loader that is no loader of this machine. */
	snprintf(interp, sizeof(interp), "%s/ld.so", root);
	put_elf(root, "ld.so", &lib, EM_386);
	put_elf(root, "prog", &spec, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOEXEC);
	close(fd);
	/* A good one, as the loader; a missing one fails. */
	put_elf(root, "ld.so", &lib, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	assert_int_equal(count_suffix(&s, "/ld.so", SANDBOX_LOADER), 1);
	close(fd);
	snprintf(interp, sizeof(interp), "%s/missing.so", root);
	put_elf(root, "prog", &spec, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOENT);
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Resolves root/prog into deps; returns the resolver's result. */
static int
resolve_deps(const char *root, struct sandbox_elf_deps *deps)
{
	struct seen s = {.n = 0};
	char path[256];
	int fd, error;

	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	sandbox_elf_deps_clear(deps);
	error = sandbox_elf_resolve(fd, collect, &s, deps);
	close(fd);
	return error;
}

static void
test_sandbox_elf_resolve__missing_named(void **state)
{
	static const char *const none[] = {NULL};
	const char *needs[3] = {"liba.so", "libmissing.so", "libother.so"};
	char root[64] = "/tmp/sandbox-missing.XXXXXX", path[256], want[512];
	char *runpath, interp[256], *p;
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = path,
	    .needed = needs, .nneeded = 3};
	struct elf_spec lib = {.needed = none};
	struct sandbox_elf_deps deps = {.probes = 0};
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/lib", root);
	assert_int_equal(mkdir(path, 0755), 0);
	put_elf(root, "lib/liba.so", &lib, 0);

	/* Two names missing: the first is named, with where it was
	 * looked for, in the loader's order. */
	snprintf(path, sizeof(path), "$ORIGIN/lib:/nonexistent-dir");
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_int_equal(deps.nmissing, 2);
	assert_string_equal(deps.missing, "libmissing.so");
	assert_false(deps.missing_loader);
	assert_false(deps.missing_unsure);
	snprintf(want, sizeof(want), "%s/lib, /nonexistent-dir, ", root);
	assert_int_equal(strncmp(deps.missing_where, want, strlen(want)), 0);
	len = strlen(deps.missing_where);
	assert_true(len > 10);
	assert_string_equal(deps.missing_where + len - 10, ", /usr/lib");

	assert_null(deps.missing_for);

	/* Nothing missing. */
	spec.nneeded = 1;
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_int_equal(deps.nmissing, 0);
	assert_null(deps.missing);

	/* A library's need: that library is named too. */
	{
		static const char *const deep[] = {"libdeep.so"};
		struct elf_spec needy = {.needed = deep, .nneeded = 1};

		put_elf(root, "lib/liba.so", &needy, 0);
		assert_int_equal(resolve_deps(root, &deps), 0);
		assert_int_equal(deps.nmissing, 1);
		assert_string_equal(deps.missing, "libdeep.so");
		snprintf(want, sizeof(want), "%s/lib/liba.so", root);
		assert_string_equal(deps.missing_for, want);
		put_elf(root, "lib/liba.so", &lib, 0);
	}
	spec.nneeded = 3;

	/* An entry the resolver cannot expand: the loader might find it
	 * there, so the verdict is unsure. */
	snprintf(path, sizeof(path), "$PLATFORM/lib");
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_int_equal(deps.nmissing, 3);
	assert_string_equal(deps.missing, "liba.so");
	assert_true(deps.missing_unsure);

	/* A name that is a path was looked for nowhere else. */
	needs[0] = "/nonexistent-dir/liba.so";
	path[0] = '\0';
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	assert_string_equal(deps.missing, "/nonexistent-dir/liba.so");
	assert_string_equal(deps.missing_where, "");
	needs[0] = "liba.so";

	/* Many long entries: the list is cut short, within its bounds. */
	runpath = malloc(60 * 64);
	assert_non_null(runpath);
	p = runpath;
	for (int i = 0; i < 60; i++)
		p += sprintf(p, "%s/nonexistent-%02d-%040d", i ? ":" : "", i,
		    0);
	spec.path = runpath;
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), 0);
	len = strlen(deps.missing_where);
	assert_true(len < sizeof(deps.missing_where));
	assert_string_equal(deps.missing_where + len - 5, ", ...");
	free(runpath);
	spec.path = path;

	/* A loader that is not there fails, and is named. */
	snprintf(interp, sizeof(interp), "%s/ld-missing.so", root);
	spec.interp = interp;
	put_elf(root, "prog", &spec, 0);
	assert_int_equal(resolve_deps(root, &deps), ENOENT);
	assert_true(deps.missing_loader);
	assert_string_equal(deps.missing, interp);
	sandbox_elf_deps_clear(&deps);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_elf_resolve__huge_string_table(void **state)
{
	static const char *const needs[] = {"libnowhere.so"};
	const size_t size = (1 << 20) + 4096;
	unsigned char *buf = calloc(1, size);
	struct seen s = {.n = 0};
	Elf64_Phdr *ph;
	Elf64_Dyn *dyn;
	size_t len;
	int fd;

	(void)state;
	assert_non_null(buf);
	/* A string table too big to read at once: names come one by one. */
	len = make_elf(buf, 4096, "/nonexistent", needs, 1);
	ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
	dyn = (Elf64_Dyn *)(buf + ph[1].p_offset);
	assert_int_equal(dyn[2].d_tag, DT_STRTAB);
	assert_int_equal(dyn[3].d_tag, DT_STRSZ);
	dyn[3].d_un.d_val = size - dyn[2].d_un.d_ptr;
	ph[0].p_filesz = ph[0].p_memsz = size;
	fd = memfd_create("elf", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), 0);
	assert_int_equal(count_suffix(&s, "", SANDBOX_LIBRARY), 0);
	/* A name running past the table's end is refused. */
	memset(buf + len - 1, 'x', size - len + 1);
	assert_int_equal(pwrite(fd, buf, size, 0), (ssize_t)size);
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOEXEC);
	close(fd);
	free(buf);
}

/* Seconds since some point, for the tests of bounded work. */
static double
now(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Writes at root/name a program whose resolution would try about 520,000
 * paths: a DT_RUNPATH of 1,300 entries (of two characters at most), each a
 * directory tried with the glibc-hwcaps variants, for 100 names found
 * nowhere.
 */
static void
put_costly_program(const char *root, const char *name, const char *entry)
{
	char *runpath = malloc(4000), *names[100];
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = runpath,
	    .needed = (const char *const *)names, .nneeded = 100};

	assert_non_null(runpath);
	runpath[0] = '\0';
	for (int i = 0; i < 1300; i++) {
		if (i > 0)
			strcat(runpath, ":");
		strcat(runpath, entry);
	}
	for (int i = 0; i < 100; i++) {
		names[i] = malloc(16);
		assert_non_null(names[i]);
		snprintf(names[i], 16, "libw%03d.so", i);
	}
	put_elf(root, name, &spec, 0);
	for (int i = 0; i < 100; i++)
		free(names[i]);
	free(runpath);
}

static void
test_sandbox_elf_resolve__work_is_bounded(void **state)
{
	static const char *const none[] = {NULL};
	const char *many[1000];
	char root[64] = "/tmp/sandbox-work.XXXXXX", path[256], name[64];
	char names[5][16];
	const char *five[5];
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = root,
	    .needed = many, .nneeded = 1000};
	struct sandbox_elf_deps deps = {.probes = 0};
	struct seen s;
	double start;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	/* Search paths times names: stopped at the budget, quickly. */
	put_costly_program(root, "costly", "/n");
	snprintf(path, sizeof(path), "%s/costly", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	start = now();
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	assert_true(now() - start < 2.0);
	assert_int_equal(deps.probes, SANDBOX_ELF_MAX_PROBES);
	sandbox_elf_deps_clear(&deps);
	close(fd);

	/* Entries that lead to no open ($P is no variable the loader
	 * knows) still cost a step each. */
	put_costly_program(root, "skipped", "$P");
	snprintf(path, sizeof(path), "%s/skipped", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	assert_int_equal(deps.probes, SANDBOX_ELF_MAX_PROBES);
	sandbox_elf_deps_clear(&deps);
	close(fd);

	/* DT_NEEDED entries in all: five libraries naming one library a
	 * thousand times each make 5,005 look-ups of almost nothing. */
	for (int i = 0; i < 1000; i++)
		many[i] = "libc.so.6";
	for (int i = 0; i < 5; i++) {
		snprintf(names[i], sizeof(names[i]), "lib%d.so", i);
		five[i] = names[i];
		put_elf(root, names[i], &spec, 0);
	}
	spec.needed = five;
	spec.nneeded = 5;
	put_elf(root, "wide", &spec, 0);
	snprintf(path, sizeof(path), "%s/wide", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	assert_true(deps.probes < 64);
	sandbox_elf_deps_clear(&deps);
	close(fd);

	/* Objects: a chain of libraries one longer than allowed. */
	spec.nneeded = 1;
	for (int i = 0; i <= SANDBOX_ELF_MAX_OBJECTS; i++) {
		snprintf(name, sizeof(name), "c%d.so", i + 1);
		many[0] = name;
		snprintf(path, sizeof(path), "c%d.so", i);
		spec.needed = i < SANDBOX_ELF_MAX_OBJECTS ? many : none;
		spec.nneeded = i < SANDBOX_ELF_MAX_OBJECTS ? 1 : 0;
		put_elf(root, path, &spec, 0);
	}
	snprintf(path, sizeof(path), "%s/c0.so", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	s.n = 0;
	assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps), E2BIG);
	sandbox_elf_deps_clear(&deps);
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_elf_resolve__normal_work(void **state)
{
	/* Real programs stay far below the budget. */
	static const char *const programs[] = {PROBE_PATH, HELLO_PATH,
		"/bin/sh"};
	struct sandbox_elf_deps deps = {.probes = 0};
	struct seen s;

	(void)state;
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		int fd = open(programs[i], O_RDONLY | O_CLOEXEC);

		assert_true(fd >= 0);
		s.n = 0;
		assert_int_equal(sandbox_elf_resolve(fd, collect, &s, &deps),
		    0);
		assert_true(deps.probes > 0);
		assert_true(deps.probes <= SANDBOX_ELF_MAX_PROBES / 64);
		sandbox_elf_deps_clear(&deps);
		close(fd);
	}
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
	char *run[] = {NULL, path, NULL}, *dry[] = {NULL, "--dry-run", path,
		NULL};
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
	snprintf(want, sizeof(want), "cloudabi-run: %s: the sandbox would "
	    "need too much work to find its libraries (too many search "
	    "paths, names or libraries), or its arguments are too long\n",
	    path);
	assert_string_equal(err, want);
	status = run_tool_plain(dry, out, sizeof(out), err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "\nSANDBOX\nrefused: the sandbox would "
	    "need too much work to find its libraries"));
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_create__cache_sees_changes(void **state)
{
	static const char *const needs[] = {"libone.so"};
	static const char *const none[] = {NULL};
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = "$ORIGIN",
	    .needed = needs, .nneeded = 1};
	struct elf_spec lib = {.needed = none};
	char root[64] = "/tmp/sandbox-cache.XXXXXX", path[256], *text;
	struct sandbox *sb;
	size_t size;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "libone.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* Twice the same: the second from the cache, with the same rules. */
	for (int round = 0; round < 3; round++) {
		unsigned long hits = sandbox_cache_hits();

		if (round == 2) {
			/* The library replaced: resolved afresh, and the
			 * replacement is what is granted. */
			snprintf(path, sizeof(path), "%s/libone.so", root);
			assert_int_equal(unlink(path), 0);
			put_elf(root, "libone.so", &lib, 0);
		}
		assert_int_equal(sandbox_create(fd, &(struct sandbox_spec){}, &sb), 0);
		assert_int_equal(sandbox_cache_hits() - hits, round == 1);
		f = open_memstream(&text, &size);
		assert_non_null(f);
		assert_int_equal(sandbox_describe(sb, f), 0);
		fclose(f);
		snprintf(path, sizeof(path), "landlock: allow read_file library "
		    "%s/libone.so\n", root);
		assert_non_null(strstr(text, path));
		free(text);
		sandbox_free(sb);
	}
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/*
 * A launcher's check fills the cache: the sandbox made right after for the
 * same program does not resolve again, and grants what a fresh resolution
 * grants; a library missing at the check and there later is granted,
 * not kept out.
 */
static void
test_sandbox_elf_check__fills_the_cache(void **state)
{
	static const char *const needs[] = {"libone.so", "libtwo.so"};
	static const char *const none[] = {NULL};
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = "$ORIGIN",
	    .needed = needs, .nneeded = 2};
	struct elf_spec lib = {.needed = none};
	char root[64] = "/tmp/sandbox-check.XXXXXX", path[256], *text;
	struct sandbox_elf_deps deps = {.probes = 0};
	unsigned long hits;
	struct sandbox *sb;
	size_t size;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "libone.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(sandbox_elf_check(fd, &deps), 0);
		assert_int_equal(deps.nmissing, round == 0 ? 1 : 0);
		sandbox_elf_deps_clear(&deps);
		hits = sandbox_cache_hits();
		assert_int_equal(
		    sandbox_create(fd, &(struct sandbox_spec){}, &sb), 0);
		assert_int_equal(sandbox_cache_hits() - hits, 1);
		f = open_memstream(&text, &size);
		assert_non_null(f);
		assert_int_equal(sandbox_describe(sb, f), 0);
		fclose(f);
		snprintf(path, sizeof(path), "landlock: allow read_file "
		    "library %s/libone.so\n", root);
		assert_non_null(strstr(text, path));
		snprintf(path, sizeof(path), "landlock: allow read_file "
		    "library %s/libtwo.so\n", root);
		assert_true((strstr(text, path) != NULL) == (round == 1));
		free(text);
		sandbox_free(sb);
		/* The missing library appears: a cache hit now would keep it
		 * out. */
		put_elf(root, "libtwo.so", &lib, 0);
		hits = sandbox_cache_hits();
		if (round == 0) {
			assert_int_equal(sandbox_create(fd,
			    &(struct sandbox_spec){}, &sb), 0);
			assert_int_equal(sandbox_cache_hits() - hits, 0);
			f = open_memstream(&text, &size);
			assert_non_null(f);
			assert_int_equal(sandbox_describe(sb, f), 0);
			fclose(f);
			assert_non_null(strstr(text, path));
			free(text);
			sandbox_free(sb);
		}
	}
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* The rules sandbox_create() makes for the program open at execfd. */
static char *
rules_of(int execfd)
{
	struct sandbox *sb;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){}, &sb), 0);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(sandbox_describe(sb, f), 0);
	assert_int_equal(fclose(f), 0);
	sandbox_free(sb);
	return text;
}

/* The rules for the program at root/name, started from there. */
static char *
rules_of_path(const char *root, const char *name)
{
	char path[256], *text;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = open(path, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	text = rules_of(fd);
	close(fd);
	return text;
}

/* Whether text grants reading the library at prefix/name. */
static bool
grants_library(const char *text, const char *prefix, const char *name)
{
	char want[512];

	snprintf(want, sizeof(want), "landlock: allow read_file library "
	    "%s%s%s\n", prefix, prefix[0] != '\0' ? "/" : "", name);
	return strstr(text, want) != NULL;
}

/*
 * Makes the fresh directory root (a mkdtemp template) with a, b, b/lib
 * and common inside, and stores the paths of a, b and common.
 */
static void
make_dirs(char *root, char a[128], char b[128], char common[128])
{
	static const char *const dirs[] = {"a", "b", "b/lib", "common"};
	char path[256];

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	snprintf(a, 128, "%s/a", root);
	snprintf(b, 128, "%s/b", root);
	snprintf(common, 128, "%s/common", root);
}

static void
test_sandbox_create__cache_keys_on_origin(void **state)
{
	static const char *const needs[] = {"libx.so"};
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-origin.XXXXXX", runpath[256];
	char a[128], b[128], common[128], path[256], other[256], *text;
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = runpath,
	    .needed = needs, .nneeded = 1};
	struct elf_spec lib = {.needed = none};

	(void)state;
	make_dirs(root, a, b, common);
	/* One program, two names: a/prog finds libx.so in common/ (a/lib
	 * has none), b/prog, the same inode, in its own b/lib first. */
	snprintf(runpath, sizeof(runpath), "$ORIGIN/lib:%s", common);
	put_elf(root, "a/prog", &spec, 0);
	snprintf(path, sizeof(path), "%s/b/prog", root);
	snprintf(other, sizeof(other), "%s/a/prog", root);
	assert_int_equal(link(other, path), 0);
	put_elf(root, "common/libx.so", &lib, 0);
	put_elf(root, "b/lib/libx.so", &lib, 0);

	for (int round = 0; round < 2; round++) {
		/* Each start is granted its own libx.so, and only that,
		 * however often the other was started before. */
		text = rules_of_path(a, "prog");
		assert_true(grants_library(text, common, "libx.so"));
		assert_false(grants_library(text, b, "lib/libx.so"));
		free(text);
		text = rules_of_path(b, "prog");
		assert_true(grants_library(text, b, "lib/libx.so"));
		assert_false(grants_library(text, common, "libx.so"));
		free(text);
	}
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_create__cache_keys_on_cwd(void **state)
{
	static const char *const needs[] = {"libx.so"};
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-cwd.XXXXXX", runpath[256];
	char a[128], b[128], common[128], path[256], *text;
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = runpath,
	    .needed = needs, .nneeded = 1};
	struct elf_spec lib = {.needed = none};
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	(void)state;
	assert_true(here >= 0);
	make_dirs(root, a, b, common);
	/* A relative entry: the loader looks in lib/ of the working
	 * directory, which has libx.so in b only. */
	snprintf(runpath, sizeof(runpath), "lib:%s", common);
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "common/libx.so", &lib, 0);
	put_elf(root, "b/lib/libx.so", &lib, 0);
	snprintf(path, sizeof(path), "%s/prog", root);
	fd = open(path, O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);

	for (int round = 0; round < 2; round++) {
		assert_int_equal(chdir(a), 0);
		text = rules_of(fd);
		assert_true(grants_library(text, common, "libx.so"));
		assert_false(grants_library(text, "", "lib/libx.so"));
		free(text);
		assert_int_equal(chdir(b), 0);
		text = rules_of(fd);
		assert_true(grants_library(text, "", "lib/libx.so"));
		assert_false(grants_library(text, common, "libx.so"));
		free(text);
	}
	assert_int_equal(fchdir(here), 0);
	close(here);
	close(fd);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_create__cache_sees_new_library(void **state)
{
	static const char *const needs[] = {"libx.so"};
	static const char *const none[] = {NULL};
	char root[64] = "/tmp/sandbox-newlib.XXXXXX", runpath[256];
	char first[128], second[128], path[256], *text;
	struct elf_spec spec = {.path_tag = DT_RUNPATH, .path = runpath,
	    .needed = needs, .nneeded = 1};
	struct elf_spec lib = {.needed = none};

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(first, sizeof(first), "%s/first", root);
	snprintf(second, sizeof(second), "%s/second", root);
	assert_int_equal(mkdir(first, 0755), 0);
	assert_int_equal(mkdir(second, 0755), 0);
	snprintf(runpath, sizeof(runpath), "%s:%s", first, second);
	put_elf(root, "prog", &spec, 0);
	put_elf(root, "second/libx.so", &lib, 0);
	text = rules_of_path(root, "prog");
	assert_true(grants_library(text, second, "libx.so"));
	free(text);
	/* A library put earlier in the search path, nothing else changed:
	 * the loader will open it, so it and only it is granted. */
	put_elf(root, "first/libx.so", &lib, 0);
	for (int round = 0; round < 2; round++) {
		text = rules_of_path(root, "prog");
		assert_true(grants_library(text, first, "libx.so"));
		assert_false(grants_library(text, second, "libx.so"));
		free(text);
	}
	/* And gone again: back to the second. */
	snprintf(path, sizeof(path), "%s/libx.so", first);
	assert_int_equal(unlink(path), 0);
	text = rules_of_path(root, "prog");
	assert_true(grants_library(text, second, "libx.so"));
	assert_false(grants_library(text, first, "libx.so"));
	free(text);
	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sandbox_describe__write_error(void **state)
{
	struct sandbox *sb;
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	FILE *full = fopen("/dev/full", "we");

	(void)state;
	assert_true(execfd >= 0);
	assert_non_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){}, &sb), 0);
	assert_int_equal(sandbox_describe(sb, full), EIO);
	assert_int_equal(sandbox_seccomp_describe(0, full), EIO);
	sandbox_free(sb);
	sandbox_free(NULL);
	fclose(full);
	close(execfd);
}

static void
test_sandbox_elf_resolve__hostile_headers(void **state)
{
	static const char *const needs[] = {"libc.so.6"};
	unsigned char good[4096], bad[4096];
	size_t len = make_elf(good, sizeof(good), NULL, needs, 1);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)bad;
	Elf64_Phdr *ph = (Elf64_Phdr *)(bad + sizeof(*eh));
	Elf64_Dyn *dyn = (Elf64_Dyn *)(bad + sizeof(*eh) + 2 * sizeof(*ph));
	struct seen s;
	int fd;

	(void)state;
	/* Each case breaks one bound; all must fail cleanly. */
	for (int c = 0; c < 9; c++) {
		memcpy(bad, good, sizeof(bad));
		switch (c) {
		case 0: eh->e_phoff = 1ULL << 62; break;
		case 1: eh->e_phnum = 0xffff; break;
		case 2: eh->e_phentsize = 12; break;
		case 3: ph[1].p_offset = len - 8; break;
		case 4: ph[1].p_filesz = ~0ULL; break;
		case 5: dyn[0].d_un.d_val = 1ULL << 40; break; /* NEEDED */
		case 6: dyn[1].d_un.d_ptr = 1ULL << 40; break; /* STRTAB */
		case 7: dyn[2].d_un.d_val = ~0ULL; break;      /* STRSZ */
		case 8: eh->e_machine = EM_386; break;
		}
		fd = memfd_create("elf", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, bad, len), (ssize_t)len);
		s.n = 0;
		assert_int_equal(sandbox_elf_resolve(fd, collect, &s, NULL), ENOEXEC);
		close(fd);
	}
	/* Truncated anywhere: fails or resolves, never reads past the end. */
	for (size_t cut = 0; cut < len; cut++) {
		fd = memfd_create("elf", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, good, cut), (ssize_t)cut);
		s.n = 0;
		(void)sandbox_elf_resolve(fd, collect, &s, NULL);
		close(fd);
	}
}

static void
test_sandbox_elf_resolve__mutated_program(void **state)
{
	/* Byte flips over the headers of a real program: never a crash
	 * (the sanitizer build checks every read). */
	unsigned char orig[4096], buf[4096];
	struct seen s;
	ssize_t len;
	int fd = open(PROBE_PATH, O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	len = read(fd, orig, sizeof(orig));
	close(fd);
	assert_true(len > 512);
	srand(6);
	for (int i = 0; i < 400; i++) {
		memcpy(buf, orig, (size_t)len);
		for (int k = 0; k < 4; k++)
			buf[rand() % 512] = (unsigned char)rand();
		fd = memfd_create("elf", MFD_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, buf, (size_t)len), len);
		s.n = 0;
		(void)sandbox_elf_resolve(fd, collect, &s, NULL);
		close(fd);
	}
}

static void
test_sandbox_create__errors(void **state)
{
	struct sandbox *sb = NULL;
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int text = memfd_create("text", MFD_CLOEXEC);
	int closed = dup(dir), other = 1000;

	(void)state;
	assert_true(execfd >= 0 && dir >= 0 && text >= 0 && closed >= 0);
	close(closed);
	assert_int_equal(write(text, "plain text\n", 11), 11);
	/* A writable descriptor that is not among the tree's. */
	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){.fds = &dir, .nfds = 1, .writable = &other, .nwritable = 1}, &sb),
	    EINVAL);
	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){.fds = &closed, .nfds = 1}, &sb),
	    EBADF);
	assert_int_equal(sandbox_create(closed, &(struct sandbox_spec){.fds = &dir, .nfds = 1}, &sb), EBADF);
	assert_int_equal(sandbox_create(dir, &(struct sandbox_spec){.fds = &dir, .nfds = 1}, &sb), EACCES);
	assert_int_equal(sandbox_create(text, &(struct sandbox_spec){.fds = &dir, .nfds = 1}, &sb), ENOEXEC);
	/* A writable descriptor must be a directory. */
	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){.fds = &text, .nfds = 1, .writable = &text, .nwritable = 1}, &sb),
	    ENOTDIR);
	assert_null(sb);
	close(execfd);
	close(dir);
	close(text);
}

static void
test_sandbox_describe__rules(void **state)
{
	struct sandbox *sb;
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	int dirs[2] = {open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
		open("/var/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	assert_true(execfd >= 0 && dirs[0] >= 0 && dirs[1] >= 0);
	assert_int_equal(sandbox_create(execfd, &(struct sandbox_spec){.fds = dirs, .nfds = 2, .writable = &dirs[1], .nwritable = 1}, &sb), 0);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(sandbox_describe(sb, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "landlock: allow read_file,read_dir "
	    "directory /tmp\n"));
	/* Never device nodes, device ioctls or execution, even where
	 * writing is allowed. */
	assert_non_null(strstr(text, "landlock: allow write_file,read_file,"
	    "read_dir,remove_dir,remove_file,make_dir,make_reg,make_sock,"
	    "make_fifo,make_sym,refer,truncate writable directory /var/tmp\n"));
	assert_non_null(strstr(text, "landlock: allow execute,read_file "
	    "program " PROBE_PATH "\n"));
	assert_non_null(strstr(text, "execute,read_file loader /"));
	assert_non_null(strstr(text, "/libc.so.6\n"));
	assert_non_null(strstr(text, "landlock: denied network rights "
	    "bind_tcp,connect_tcp\n"));
	assert_non_null(strstr(text, "landlock: scoped "
	    "abstract_unix_socket,signal\n"));
	assert_non_null(strstr(text, "seccomp: deny socket, bind, connect "
	    "(EACCES): new sockets\n"));
	free(text);
	sandbox_free(sb);
	close(execfd);
	close(dirs[0]);
	close(dirs[1]);
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
test_program_attr_setsandbox__errors(void **state)
{
	program_attr_t *attr = program_attr_create();
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int file = open(PROBE_PATH, O_RDONLY | O_CLOEXEC);
	int execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
	argdata_t *elems[2], *tree;
	int pidfd = -1;

	(void)state;
	assert_non_null(attr);
	assert_true(dir >= 0 && file >= 0 && execfd >= 0);
	assert_int_equal(program_attr_setsandbox(NULL, PROGRAM_SANDBOX), EINVAL);
	assert_int_equal(program_attr_setsandbox(attr, 2), EINVAL);
	assert_int_equal(program_attr_addwritable(NULL, dir), EINVAL);
	assert_int_equal(program_attr_addwritable(attr, -1), EBADF);
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	elems[0] = argdata_create_fd(dir);
	elems[1] = argdata_create_fd(file);
	tree = argdata_create_seq((const argdata_t *const *)elems, 2);
	assert_non_null(tree);
	/* Writable, but not among the tree's descriptors. */
	assert_int_equal(program_attr_addwritable(attr, 1000), 0);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), EINVAL);
	program_attr_free(attr);
	/* Writable, but no directory. */
	attr = program_attr_create();
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	assert_int_equal(program_attr_addwritable(attr, file), 0);
	assert_int_equal(program_attr_addwritable(attr, file), 0);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), ENOTDIR);
	assert_int_equal(program_exec_attr(execfd, tree, attr), ENOTDIR);
	assert_int_equal(pidfd, -1);
	argdata_free(tree);
	argdata_free(elems[0]);
	argdata_free(elems[1]);
	program_attr_free(attr);
	close(dir);
	close(file);
	close(execfd);
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

static void
test_sandbox_missing__every_abi(void **state)
{
	(void)state;
	assert_string_equal(sandbox_missing(0, ENOSYS, true),
	    "Landlock (Linux 5.13 or later)");
	assert_string_equal(sandbox_missing(0, EOPNOTSUPP, true),
	    "Landlock (disabled at boot: add landlock to lsm=)");
	for (int abi = 1; abi <= 3; abi++)
		assert_non_null(strstr(sandbox_missing(abi, 0, true),
		    "Landlock ABI 4 (TCP"));
	for (int abi = 4; abi <= 5; abi++)
		assert_non_null(strstr(sandbox_missing(abi, 0, true),
		    "Landlock ABI 6 (scoping"));
	for (int abi = 6; abi <= 9; abi++) {
		assert_null(sandbox_missing(abi, 0, true));
		assert_string_equal(sandbox_missing(abi, 0, false),
		    "seccomp filters");
	}
}

/*
 * In a child, makes system call nr fail with error (a seccomp filter of
 * its own), then checks that the sandbox refuses, naming want. The exit
 * status says which check failed.
 */
static void
refuse_without(long nr, int error, const char *want)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sandbox *sb = NULL;
		const char *why;
		int execfd;

		if (fail_syscall(nr, error) != 0)
			_exit(10);
		why = sandbox_unsupported(NULL);
		if (why == NULL || strcmp(why, want) != 0)
			_exit(11);
		execfd = open(PROBE_PATH, O_PATH | O_CLOEXEC);
		if (sandbox_create(execfd, &(struct sandbox_spec){}, &sb) != ENOTSUP ||
		    sb != NULL)
			_exit(12);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_sandbox_unsupported__no_landlock(void **state)
{
	(void)state;
	refuse_without(SYS_landlock_create_ruleset, ENOSYS,
	    "Landlock (Linux 5.13 or later)");
	refuse_without(SYS_landlock_create_ruleset, EOPNOTSUPP,
	    "Landlock (disabled at boot: add landlock to lsm=)");
}

static void
test_sandbox_unsupported__no_seccomp(void **state)
{
	(void)state;
	refuse_without(SYS_seccomp, EINVAL, "seccomp filters");
}

static void
test_sandbox_unsupported__this_kernel(void **state)
{
	int abi = -1;

	(void)state;
	/* The machine the tests run on has what the sandbox needs. */
	assert_null(sandbox_unsupported(&abi));
	assert_true(abi >= SANDBOX_LANDLOCK_ABI_MIN);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_fds_setup, \
    test_fds_teardown)

/*
 * Tests of what needs no confinement (the ELF resolver, refusals on kernels
 * made to lack a feature, argument errors) run everywhere. Tests of
 * confinement itself need a kernel that can confine: elsewhere they are not
 * run, and the reason is printed, unless ARGDATA_TEST_REQUIRE_SANDBOX is
 * set (CI sets it), which makes such a kernel a failure.
 */
int
main(void)
{
	const struct CMUnitTest anywhere[] = {
		T(test_sandbox_missing__every_abi),
		T(test_sandbox_unsupported__no_landlock),
		T(test_sandbox_elf_resolve__probe),
		T(test_sandbox_elf_resolve__not_elf),
		T(test_sandbox_elf_resolve__runpath_origin_and_cycles),
		T(test_sandbox_elf_resolve__hostile_headers),
		T(test_sandbox_elf_resolve__search_order),
		T(test_sandbox_elf_resolve__loader),
		T(test_sandbox_elf_resolve__missing_named),
		T(test_sandbox_elf_resolve__huge_string_table),
		T(test_sandbox_elf_resolve__mutated_program),
		T(test_sandbox_elf_resolve__work_is_bounded),
		T(test_sandbox_elf_resolve__normal_work),
		T(test_cloudabi_run__no_sandbox),
		T(test_cloudabi_run__refusal_names_option),
	};
	const struct CMUnitTest confined[] = {
		T(test_sandbox_unsupported__this_kernel),
		T(test_sandbox_unsupported__no_seccomp),
		T(test_sandbox_create__errors),
		T(test_program_attr_setsandbox__errors),
		T(test_sandbox_describe__rules),
		T(test_sandbox_create__cache_sees_changes),
		T(test_sandbox_elf_check__fills_the_cache),
		T(test_sandbox_create__cache_keys_on_origin),
		T(test_sandbox_create__cache_keys_on_cwd),
		T(test_sandbox_create__cache_sees_new_library),
		T(test_sandbox_describe__write_error),
		T(test_sandbox_apply__probe_confined),
		T(test_program_spawn__sandbox_probe),
		T(test_program_spawn__sandbox_probe_unprivileged),
		T(test_program_exec_attr__sandbox_probe),
		T(test_sandbox_apply__probe_unconfined),
		T(test_sandbox_apply__x32_kills),
		T(test_program_spawn__sandbox_libargdata_from_build_tree),
		T(test_program_spawn__sandbox_refused),
		T(test_cloudabi_run__probe_confined),
		T(test_cloudabi_run__dry_run_shows_rules),
		T(test_cloudabi_run__too_much_work),
	};
	const char *why = sandbox_unsupported(NULL);
	int failed;

	failed = cmocka_run_group_tests_name("anywhere", anywhere, NULL, NULL);
	if (why == NULL)
		return failed +
		    cmocka_run_group_tests_name("confined", confined, NULL, NULL);
	if (getenv("ARGDATA_TEST_REQUIRE_SANDBOX") != NULL) {
		fprintf(stderr, "this kernel cannot confine (the sandbox needs "
				"%s), and ARGDATA_TEST_REQUIRE_SANDBOX is set\n",
		    why);
		return failed + 1;
	}
	printf("not run: the %zu tests of confinement; this kernel cannot "
	       "confine (the sandbox needs %s)\n",
	    sizeof(confined) / sizeof(confined[0]), why);
	return failed;
}
