/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grants.c - grants by path (program_attr_addgrant()): the grant
 * probe (grant_probe.c) started confined with read, write and exec grants
 * of files and directories, each outcome beside its unconfined control,
 * the rules the sandbox describes for them, and the API's errors.
 * test_grants_run.c has cloudabi-run's !executable with a path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <argdata.h>
#include <program.h>

#include "process.h"
#include "sandbox.h"
#include "testutil.h"

/* A scratch tree: ro/ (a, sub/b), rw/, file.txt, secret.txt, true. */
static char root[64];

static void
put(const char *name, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
sub(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", root, name);
}

/* A copy of /usr/bin/true at root/true: a program outside /usr/bin. */
static void
copy_true(void)
{
	char path[256], buf[65536];
	int in = open("/usr/bin/true", O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	sub(path, sizeof(path), "true");
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

static int
setup(void **state)
{
	char path[256];

	snprintf(root, sizeof(root), "/tmp/grants-test.XXXXXX");
	assert_non_null(mkdtemp(root));
	sub(path, sizeof(path), "ro");
	assert_int_equal(mkdir(path, 0755), 0);
	sub(path, sizeof(path), "ro/sub");
	assert_int_equal(mkdir(path, 0755), 0);
	sub(path, sizeof(path), "rw");
	assert_int_equal(mkdir(path, 0755), 0);
	put("ro/a", "a\n");
	put("ro/sub/b", "b\n");
	put("file.txt", "file\n");
	put("secret.txt", "secret\n");
	copy_true();
	return test_fds_setup(state);
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	int r = test_fds_teardown(state);

	assert_int_equal(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	return r;
}

/* One grant: a path under root (or absolute), how to open it, rights. */
struct grant {
	const char *path;
	int rights;
};

/*
 * Runs the probe with the instructions text (paths written as "@/x" stand
 * for root/x), confined with the grants when confined is set, and returns
 * its report (with root written back as "@"), to be freed.
 */
static char *
run(const char *text, const struct grant *grants, size_t ngrants, bool confined)
{
	program_attr_t *attr = program_attr_create();
	int instr, report[2], execfd, pidfd, gfd[8];
	argdata_t *elems[2], *tree;
	char buf[8192], *out;
	size_t used = 0;
	siginfo_t info;
	ssize_t n;

	assert_non_null(attr);
	assert_true(ngrants <= 8);
	instr = memfd_create("instructions", MFD_CLOEXEC);
	assert_true(instr >= 0);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '@')
			assert_int_equal(write(instr, root, strlen(root)),
			    (ssize_t)strlen(root));
		else
			assert_int_equal(write(instr, p, 1), 1);
	}
	assert_int_equal(lseek(instr, 0, SEEK_SET), 0);
	assert_int_equal(pipe2(report, O_CLOEXEC), 0);
	execfd = open(GRANT_PROBE_PATH, O_PATH | O_CLOEXEC);
	assert_true(execfd >= 0);
	if (confined)
		assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX),
		    0);
	for (size_t i = 0; i < ngrants; i++) {
		char path[256];

		if (grants[i].path[0] == '/')
			snprintf(path, sizeof(path), "%s", grants[i].path);
		else
			sub(path, sizeof(path), grants[i].path);
		/* O_PATH is enough to anchor a rule. */
		gfd[i] = open(path, O_PATH | O_CLOEXEC);
		assert_true(gfd[i] >= 0);
		assert_int_equal(
		    program_attr_addgrant(attr, gfd[i], grants[i].rights), 0);
	}
	elems[0] = argdata_create_fd(instr);
	elems[1] = argdata_create_fd(report[1]);
	tree = argdata_create_seq((const argdata_t *const *)elems, 2);
	assert_non_null(tree);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), 0);
	for (size_t i = 0; i < ngrants; i++)
		close(gfd[i]);
	close(report[1]);
	while ((n = read(report[0], buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
	assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED),
	    0);
	assert_int_equal(info.si_code, CLD_EXITED);
	assert_int_equal(info.si_status, 0);
	close(pidfd);
	close(report[0]);
	close(instr);
	close(execfd);
	argdata_free(tree);
	argdata_free(elems[0]);
	argdata_free(elems[1]);
	program_attr_free(attr);
	/* The root back to "@", so that expectations read alike. */
	out = calloc(1, used + 1);
	assert_non_null(out);
	for (size_t i = 0, j = 0; i < used;) {
		if (strncmp(buf + i, root, strlen(root)) == 0) {
			out[j++] = '@';
			i += strlen(root);
		} else {
			out[j++] = buf[i++];
		}
	}
	return out;
}

static void
expect(const char *text, const struct grant *grants, size_t ngrants,
    const char *confined, const char *unconfined)
{
	char *got = run(text, grants, ngrants, true);

	assert_string_equal(got, confined);
	free(got);
	got = run(text, grants, ngrants, false);
	assert_string_equal(got, unconfined);
	free(got);
}

static void
test_program_attr_addgrant__read_file(void **state)
{
	const struct grant g[] = {{"file.txt", PROGRAM_GRANT_READ}};

	(void)state;
	expect("read @/file.txt\nwrite @/file.txt\nread @/secret.txt\n"
	       "list @\n",
	    g, 1,
	    "read @/file.txt 0\nwrite @/file.txt EACCES\n"
	    "read @/secret.txt EACCES\nlist @ EACCES\n",
	    "read @/file.txt 0\nwrite @/file.txt 0\nread @/secret.txt 0\n"
	    "list @ 0\n");
}

static void
test_program_attr_addgrant__read_dir(void **state)
{
	const struct grant g[] = {{"ro", PROGRAM_GRANT_READ}};
	char path[256];

	(void)state;
	expect("read @/ro/a\nread @/ro/sub/b\nlist @/ro/sub\nwrite @/ro/new\n"
	       "read @/file.txt\n",
	    g, 1,
	    "read @/ro/a 0\nread @/ro/sub/b 0\nlist @/ro/sub 0\n"
	    "write @/ro/new EACCES\nread @/file.txt EACCES\n",
	    "read @/ro/a 0\nread @/ro/sub/b 0\nlist @/ro/sub 0\n"
	    "write @/ro/new 0\nread @/file.txt 0\n");
	/* Only the unconfined control created it. */
	sub(path, sizeof(path), "ro/new");
	assert_int_equal(unlink(path), 0);
}

static void
test_program_attr_addgrant__write(void **state)
{
	/* A second grant of the same descriptor adds rights: see below. */
	const struct grant g[] = {{"rw", PROGRAM_GRANT_WRITE},
	    {"file.txt", PROGRAM_GRANT_WRITE}};
	char path[256];
	struct stat st;

	(void)state;
	expect("write @/rw/new\nread @/rw/new\nwrite @/file.txt\n"
	       "read @/file.txt\nwrite @/other\n",
	    g, 2,
	    "write @/rw/new 0\nread @/rw/new 0\nwrite @/file.txt 0\n"
	    "read @/file.txt 0\nwrite @/other EACCES\n",
	    "write @/rw/new 0\nread @/rw/new 0\nwrite @/file.txt 0\n"
	    "read @/file.txt 0\nwrite @/other 0\n");
	sub(path, sizeof(path), "rw/new");
	assert_int_equal(stat(path, &st), 0);
	sub(path, sizeof(path), "other");
	assert_int_equal(unlink(path), 0);
}

static void
test_program_attr_addgrant__rights_add_up(void **state)
{
	program_attr_t *attr = program_attr_create();
	int fd = open("/tmp", O_PATH | O_CLOEXEC);

	(void)state;
	assert_non_null(attr);
	assert_true(fd >= 0);
	assert_int_equal(program_attr_addgrant(attr, fd, PROGRAM_GRANT_READ),
	    0);
	assert_int_equal(program_attr_addgrant(attr, fd, PROGRAM_GRANT_EXEC),
	    0);
	/* What the sandbox receives: one grant with both rights. */
	assert_int_equal(attr->ngrants, 1);
	assert_int_equal(attr->grants[0].rights,
	    PROGRAM_GRANT_READ | PROGRAM_GRANT_EXEC);
	program_attr_free(attr);
	close(fd);
}

static void
test_program_attr_addgrant__exec(void **state)
{
	const struct grant g[] = {{"/usr/bin/true", PROGRAM_GRANT_EXEC},
	    {"/usr/bin/false", PROGRAM_GRANT_READ}};

	(void)state;
	/* Reading a program is not executing it. */
	expect("exec /usr/bin/true\nexec /usr/bin/false\nread /usr/bin/false\n"
	       "exec /usr/bin/env\n",
	    g, 2,
	    "exec /usr/bin/true exit 0\nexec /usr/bin/false EACCES\n"
	    "read /usr/bin/false 0\nexec /usr/bin/env EACCES\n",
	    "exec /usr/bin/true exit 0\nexec /usr/bin/false exit 1\n"
	    "read /usr/bin/false 0\nexec /usr/bin/env exit 0\n");
}

static void
test_program_attr_addgrant__exec_libraries(void **state)
{
	const struct grant g[] = {{HELLO_PATH, PROGRAM_GRANT_EXEC}};

	(void)state;
	/* A sanitized hello cannot start confined (its run-time reads
	 * /proc). */
	if (SANITIZED)
		skip();
	/*
	 * hello needs libargdata from the build tree, found through
	 * RUNPATH $ORIGIN: started without argdata, it says how to start it
	 * and exits 64, which it can only do when its loader found
	 * libargdata (the loader exits 127 otherwise).
	 */
	expect("exec " HELLO_PATH "\n", g, 1, "exec " HELLO_PATH " exit 64\n",
	    "exec " HELLO_PATH " exit 64\n");
	/*
	 * The control: its directory granted for execution, which grants
	 * no libraries: the loader cannot open libargdata and exits 127.
	 */
	{
		char dir[256];
		struct grant d[] = {{dir, PROGRAM_GRANT_EXEC}};
		char *got;

		snprintf(dir, sizeof(dir), "%s", HELLO_PATH);
		*strrchr(dir, '/') = '\0';
		got = run("exec " HELLO_PATH "\n", d, 1, true);
		assert_string_equal(got, "exec " HELLO_PATH " exit 127\n");
		free(got);
	}
}

static void
test_program_attr_addgrant__exec_dir(void **state)
{
	const struct grant g[] = {{"/usr/bin", PROGRAM_GRANT_EXEC}};

	(void)state;
	/* Beneath a directory: any program, whose libraries (libc) the
	 * probe's own rules already grant. */
	expect("exec /usr/bin/false\nlist /usr/bin\nexec @/true\n", g, 1,
	    "exec /usr/bin/false exit 1\nlist /usr/bin 0\nexec @/true EACCES\n",
	    "exec /usr/bin/false exit 1\nlist /usr/bin 0\n"
	    "exec @/true exit 0\n");
}

static void
test_program_attr_addgrant__script_and_device(void **state)
{
	const struct grant script[] = {{"script", PROGRAM_GRANT_EXEC},
	    {"/dev/null", PROGRAM_GRANT_READ}};
	const struct grant both[] = {{"script", PROGRAM_GRANT_EXEC},
	    {"/usr/bin/dash", PROGRAM_GRANT_EXEC}};

	(void)state;
	put("script", "#!/usr/bin/dash\nexit 3\n");
	{
		char path[256];

		sub(path, sizeof(path), "script");
		assert_int_equal(chmod(path, 0755), 0);
	}
	/*
	 * A #! script granted for execution gets its own rule only: the
	 * kernel then opens its interpreter, which is not granted.
	 */
	expect("exec @/script\nread /dev/null\nread /dev/zero\n", script, 2,
	    "exec @/script EACCES\nread /dev/null 0\nread /dev/zero EACCES\n",
	    "exec @/script exit 3\nread /dev/null 0\nread /dev/zero 0\n");
	/* With its interpreter granted too, it runs. */
	expect("exec @/script\n", both, 2, "exec @/script exit 3\n",
	    "exec @/script exit 3\n");
}

static void
test_program_attr_addgrant__errors(void **state)
{
	program_attr_t *attr = program_attr_create();
	int execfd = open(GRANT_PROBE_PATH, O_PATH | O_CLOEXEC);
	int dir = open("/tmp", O_PATH | O_CLOEXEC), closed = dup(dir);
	argdata_t *tree = argdata_create_seq(NULL, 0);
	int pidfd = -1, sv[2];

	(void)state;
	assert_non_null(attr);
	assert_non_null(tree);
	assert_true(execfd >= 0 && dir >= 0 && closed >= 0);
	close(closed);
	assert_int_equal(program_attr_addgrant(NULL, dir, PROGRAM_GRANT_READ),
	    EINVAL);
	assert_int_equal(program_attr_addgrant(attr, dir, 0), EINVAL);
	assert_int_equal(program_attr_addgrant(attr, dir, 8), EINVAL);
	assert_int_equal(program_attr_addgrant(attr, -1, PROGRAM_GRANT_READ),
	    EBADF);
	/* Without the sandbox, grants do nothing: not even checked. */
	assert_int_equal(
	    program_attr_addgrant(attr, closed, PROGRAM_GRANT_READ), 0);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), 0);
	assert_true(pidfd >= 0);
	{
		siginfo_t info;

		assert_int_equal(
		    waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED), 0);
		close(pidfd);
		pidfd = -1;
	}
	/* A closed descriptor, confined: nothing starts. */
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), EBADF);
	assert_int_equal(program_exec_attr(execfd, tree, attr), EBADF);
	assert_int_equal(pidfd, -1);
	program_attr_free(attr);
	/* Neither a file nor a directory. */
	attr = program_attr_create();
	assert_non_null(attr);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	assert_int_equal(program_attr_addgrant(attr, sv[0], PROGRAM_GRANT_READ),
	    0);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), EACCES);
	assert_int_equal(pidfd, -1);
	program_attr_free(attr);
	/* A device may be read by path, never executed. */
	{
		int null = open("/dev/null", O_PATH | O_CLOEXEC);

		assert_true(null >= 0);
		attr = program_attr_create();
		assert_non_null(attr);
		assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX),
		    0);
		assert_int_equal(
		    program_attr_addgrant(attr, null, PROGRAM_GRANT_EXEC), 0);
		assert_int_equal(program_spawn(execfd, tree, attr, &pidfd),
		    EACCES);
		program_attr_free(attr);
		close(null);
	}
	close(sv[0]);
	close(sv[1]);
	/* The sandbox itself refuses rights the library would not pass. */
	{
		struct sandbox_grant g = {dir, 0};
		struct sandbox *sb = NULL;

		assert_int_equal(
		    sandbox_create(execfd,
		        &(struct sandbox_spec){.grants = &g, .ngrants = 1},
		        &sb),
		    EINVAL);
		g.rights = 8;
		assert_int_equal(
		    sandbox_create(execfd,
		        &(struct sandbox_spec){.grants = &g, .ngrants = 1},
		        &sb),
		    EINVAL);
		assert_null(sb);
	}
	argdata_free(tree);
	close(execfd);
	close(dir);
}

static void
test_sandbox_describe__grants(void **state)
{
	struct sandbox_grant grants[3];
	struct sandbox *sb;
	int execfd = open(GRANT_PROBE_PATH, O_PATH | O_CLOEXEC);
	char *text = NULL, path[256];
	size_t size = 0;
	FILE *f;

	(void)state;
	sub(path, sizeof(path), "ro");
	grants[0] = (struct sandbox_grant){open(path, O_PATH | O_CLOEXEC),
	    SANDBOX_GRANT_READ_BIT};
	sub(path, sizeof(path), "file.txt");
	grants[1] = (struct sandbox_grant){open(path, O_PATH | O_CLOEXEC),
	    SANDBOX_GRANT_WRITE_BIT};
	grants[2] = (struct sandbox_grant){open(HELLO_PATH, O_PATH | O_CLOEXEC),
	    SANDBOX_GRANT_EXEC_BIT};
	assert_true(execfd >= 0 && grants[0].fd >= 0 && grants[1].fd >= 0 &&
	    grants[2].fd >= 0);
	assert_int_equal(
	    sandbox_create(execfd,
	        &(struct sandbox_spec){.grants = grants, .ngrants = 3}, &sb),
	    0);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	assert_int_equal(sandbox_describe(sb, f), 0);
	fclose(f);
	snprintf(path, sizeof(path),
	    "landlock: allow read_file,read_dir "
	    "granted read %s/ro\n",
	    root);
	assert_non_null(strstr(text, path));
	/* A file's rule holds only the rights that apply to files. */
	snprintf(path, sizeof(path),
	    "landlock: allow write_file,read_file,"
	    "truncate granted write %s/file.txt\n",
	    root);
	assert_non_null(strstr(text, path));
	assert_non_null(strstr(text,
	    "landlock: allow execute,read_file "
	    "granted exec " HELLO_PATH "\n"));
	/* And the libraries hello needs, which the probe does not. */
	assert_non_null(strstr(text, "/libargdata.so"));
	free(text);
	sandbox_free(sb);
	for (int i = 0; i < 3; i++)
		close(grants[i].fd);
	close(execfd);
}

/* The group, which main.c runs. */
int run_grants_tests(void);

int
run_grants_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE_SETUP(test_program_attr_addgrant__rights_add_up, setup,
	        teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__errors, setup,
	        teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__read_file, setup,
	        teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__read_dir, setup,
	        teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__write, setup, teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__exec, setup, teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__exec_libraries, setup,
	        teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__exec_dir, setup,
	        teardown),
	    TEST_CASE_SETUP(test_program_attr_addgrant__script_and_device,
	        setup, teardown),
	    TEST_CASE_SETUP(test_sandbox_describe__grants, setup, teardown),
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
		printf("not run: the %zu tests of grants; this kernel cannot "
		       "confine (the sandbox needs %s)\n",
		    sizeof(tests) / sizeof(tests[0]), why);
		return 0;
	}
	return cmocka_run_group_tests_name("grants", tests, NULL, NULL);
}
