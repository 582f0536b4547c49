/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * End-to-end tests of what cloudabi-run checks and decides around the
 * start itself: a program that cannot start is refused with one line
 * before anything is opened (a library or the loader not found, another
 * machine's program, a #! script), the descriptor limit is raised for the
 * start and the program gets the one it had, the dry run and the start
 * agree on how many descriptors fit, and a descriptor given for appending
 * does what cloudabi-run(1) says it does.
 *
 * Why one long file: the cases of one group share their fixtures, and a
 * group is a file, so that `test-AREA GROUP` and the file stay in step.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <elf.h>
#include <linux/fs.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"
#include "testutil.h"

static const char *tool;        /* cloudabi-run */
static const char *fdreport;    /* reports what it was given */
static const char *appendprobe; /* tries to undo O_APPEND */
static const char *libdir;      /* where libargdata.so.0 is built */
static char dir[] = "/tmp/test_start.XXXXXX";
/* Whether a confined start can be tried here (see test_run.c). */
static bool confinable;

struct result {
	int status; /* exit status, or 128 + signal */
	char *out, *err;
};

static void
result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* Everything written to the memfd fd, as a string. */
static char *
slurp(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *s;

	assert_true(len >= 0);
	s = malloc((size_t)len + 1);
	assert_non_null(s);
	assert_int_equal(pread(fd, s, (size_t)len, 0), (ssize_t)len);
	s[len] = '\0';
	close(fd);
	return s;
}

/*
 * Runs argv with standard input from /dev/null and output and error into
 * memory. The child's output goes to files rather than pipes so that
 * waiting is all it takes.
 */
static void
run(struct result *r, char *const argv[])
{
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC);
	int status;
	pid_t pid;

	assert_true(out >= 0 && err >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(99);
		execv(argv[0], argv);
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	r->status =
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = slurp(out);
	r->err = slurp(err);
}

/*
 * A soft descriptor limit of 256 and a hard one of 1024, set by the shell
 * that then starts cloudabi-run: valgrind, which runs these tests, cannot
 * follow a child that lowers its own hard limit.
 */
#define LOW_LIMIT "ulimit -S -n 256 && ulimit -H -n 1024 && "

/*
 * Runs cloudabi-run prog config, with --no-sandbox unless confined, under
 * LOW_LIMIT when low is true.
 */
static void
run_tool(struct result *r, bool low, bool confined, const char *prog,
    const char *config)
{
	char *argv[8];
	size_t n = 0;

	if (low) {
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = LOW_LIMIT "exec \"$0\" \"$@\"";
	}
	argv[n++] = (char *)tool;
	if (!confined)
		argv[n++] = "--no-sandbox";
	argv[n++] = (char *)prog;
	argv[n++] = (char *)config;
	argv[n] = NULL;
	run(r, argv);
}
/* Writes len bytes to dir/name with the mode given; returns the path. */
static char *
put_file(const char *name, const void *data, size_t len, mode_t mode)
{
	char *path;
	int fd;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* How many lines of s start with prefix. */
static size_t
count_lines(const char *s, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *p = s; p != NULL && *p != '\0';) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return n;
}

/* A copy of fdreport where its RUNPATH ($ORIGIN/...) finds nothing. */
static char *
copy_fdreport(void)
{
	char buf[65536];
	char *path;
	ssize_t n;
	int in, fd;

	assert_true(asprintf(&path, "%s/fdreport", dir) > 0);
	in = open(fdreport, O_RDONLY | O_CLOEXEC);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(in >= 0 && fd >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(fd, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(fd);
	return path;
}

static void
test_start__missing_library(void **state)
{
	char *prog = copy_fdreport(), *config, *created, *yaml, want[8192];
	char env[PATH_MAX + 32];
	struct result r;
	struct stat st;

	(void)state;
	assert_true(asprintf(&created, "%s/created", dir) > 0);
	assert_true(asprintf(&yaml,
	                "out: !fd stdout\n"
	                "made: !file {path: %s, access: write, "
	                "create: true}\n",
	                created) > 0);
	config = put_file("lib.yaml", yaml, strlen(yaml), 0644);

	/* The control: started directly, the loader fails, exit 127. */
	run(&r, (char *const[]){prog, NULL});
	assert_int_equal(r.status, 127);
	assert_non_null(strstr(r.err, "libargdata.so.0"));
	result_free(&r);

	snprintf(want, sizeof(want),
	    "cloudabi-run: %s: needs libargdata.so.0, not found in "
	    "%s/../../libargdata, ",
	    prog, dir);
	/* Unconfined, confined, and in the dry run. */
	for (int mode = 0; mode < 3; mode++) {
		if (mode == 1 && !confinable)
			continue;
		if (mode < 2)
			run_tool(&r, false, mode == 1, prog, config);
		else
			run(&r,
			    (char *const[]){(char *)tool, "--dry-run", prog,
			        config, NULL});
		if (r.status != 126 || strncmp(r.err, want, strlen(want)) != 0)
			fail_msg("mode %d: status %d: %s", mode, r.status,
			    r.err);
		/* One line, naming the default directories too. */
		assert_non_null(strstr(r.err, ", /usr/lib\n"));
		assert_int_equal(count_lines(r.err, ""), 1);
		assert_string_equal(r.out, "");
		/* Before anything was opened: nothing created. */
		assert_int_equal(stat(created, &st), -1);
		result_free(&r);
	}

	/* Where LD_LIBRARY_PATH is given, the loader decides. */
	snprintf(env, sizeof(env), "LD_LIBRARY_PATH=%s", libdir);
	run(&r,
	    (char *const[]){(char *)tool, "--no-sandbox", "--env", env, prog,
	        config, NULL});
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	assert_int_equal(strncmp(r.out, "pid ", 4), 0);
	result_free(&r);
	unlink(created);
	unlink(config);
	unlink(prog);
	free(prog);
	free(config);
	free(created);
	free(yaml);
}

/* An ELF header of the class, machine and type given, little-endian. */
static char *
put_elf(const char *name, int class, unsigned machine, unsigned type)
{
	unsigned char h[64] = {0x7f, 'E', 'L', 'F'};

	h[EI_CLASS] = (unsigned char)class;
	h[EI_DATA] = ELFDATA2LSB;
	h[EI_VERSION] = EV_CURRENT;
	h[16] = (unsigned char)type;
	h[18] = (unsigned char)(machine & 0xff);
	h[19] = (unsigned char)(machine >> 8);
	return put_file(name, h, sizeof(h), 0755);
}

/* A program of this machine whose loader (PT_INTERP) is interp. */
static char *
put_elf_interp(const char *name, const char *interp)
{
	unsigned char buf[512] = {0};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	size_t off = sizeof(*eh) + sizeof(*ph), len = strlen(interp) + 1;

	assert_true(off + len <= sizeof(buf));
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
	eh->e_phnum = 1;
	ph->p_type = PT_INTERP;
	ph->p_offset = off;
	ph->p_filesz = len;
	memcpy(buf + off, interp, len);
	return put_file(name, buf, off + len, 0755);
}

static void
expect_refusal(const char *prog, const char *config, const char *why)
{
	char want[8192];
	struct result r;

	snprintf(want, sizeof(want), "cloudabi-run: %s: %s\n", prog, why);
	run_tool(&r, false, false, prog, config);
	assert_int_equal(r.status, 126);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
	result_free(&r);
}

static void
test_start__each_reason_its_line(void **state)
{
#if defined(__x86_64__)
	const unsigned other = EM_AARCH64, here = EM_X86_64;
	const char *other_name = "aarch64", *here_name = "x86-64";
#else
	const unsigned other = EM_X86_64, here = EM_AARCH64;
	const char *other_name = "x86-64", *here_name = "aarch64";
#endif
	char *config = put_file("ok.yaml", "out: !fd 1\n", 11, 0644);
	char *paths[6], why[512];

	(void)state;
	paths[0] = put_elf("other", ELFCLASS64, other, ET_DYN);
	snprintf(why, sizeof(why),
	    "an ELF program for %s, this machine runs %s", other_name,
	    here_name);
	expect_refusal(paths[0], config, why);
	paths[1] = put_elf("i386", ELFCLASS32, EM_386, ET_EXEC);
	snprintf(why, sizeof(why),
	    "an ELF program for i386 (32-bit), this machine runs %s",
	    here_name);
	expect_refusal(paths[1], config, why);
	paths[2] = put_elf("object", ELFCLASS64, here, ET_REL);
	expect_refusal(paths[2], config, "an ELF object file, not a program");
	/* A script is started by its interpreter (tests/run/test_script.c,
	 * tests/programs): here one whose interpreter is missing. */
	paths[3] =
	    put_file("script", "#!/nonexistent/sh -e\necho hi\n", 27, 0755);
	snprintf(why, sizeof(why),
	    "a #! script: its interpreter "
	    "/nonexistent/sh: No such file or directory; start its "
	    "interpreter instead: cloudabi-run /nonexistent/sh [config.yaml] "
	    "-- -e %s",
	    paths[3]);
	expect_refusal(paths[3], config, why);
	paths[4] = put_file("text", "hello\n", 6, 0755);
	expect_refusal(paths[4], config,
	    "not an ELF program (nor a #! script)");
	paths[5] = put_elf_interp("noloader", "/nonexistent/ld-linux.so.2");
	expect_refusal(paths[5], config,
	    "needs the loader /nonexistent/ld-linux.so.2, not found");
	for (int i = 0; i < 6; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	unlink(config);
	free(config);
}

/* A configuration of n files and standard output. */
static char *
many_files(size_t n)
{
	char *yaml = NULL, *path;
	size_t len = 0;
	FILE *mem = open_memstream(&yaml, &len);

	assert_non_null(mem);
	fprintf(mem, "out: !fd stdout\nfiles:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(mem, "- !file {path: /dev/null}\n");
	assert_int_equal(fclose(mem), 0);
	path = put_file("many.yaml", yaml, len, 0644);
	free(yaml);
	return path;
}

static void
test_start__descriptor_limit(void **state)
{
	char *config;
	struct result r, dry;
	size_t fits = 0;

	(void)state;
	/* Fewer files than the soft limit, but more than it allows twice:
	 * raised to the hard one for the start, and the program gets 256
	 * again. */
	config = many_files(150);
	run_tool(&r, true, confinable, fdreport, config);
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	assert_int_equal(count_lines(r.out, "fd "), 151);
	assert_non_null(strstr(r.out, "\nnofile 256 1024\n"));
	result_free(&r);
	unlink(config);
	free(config);
	/* More than the soft limit: the program gets 64 more than it
	 * holds, so that its loader and it can still open files. */
	config = many_files(300);
	run_tool(&r, true, confinable, fdreport, config);
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	assert_int_equal(count_lines(r.out, "fd "), 301);
	assert_non_null(strstr(r.out, "\nnofile 365 1024\n"));
	result_free(&r);
	unlink(config);
	free(config);

	/*
	 * The most files the dry run accepts under a hard limit of 1024, and
	 * one more: the start succeeds with the first and fails with the
	 * second, with the dry run's words.
	 */
	for (size_t n = 440; n < 600 && fits == 0; n += 1) {
		config = many_files(n);
		run(&dry,
		    (char *const[]){"/bin/sh", "-c",
		        LOW_LIMIT "exec \"$0\" \"$@\"", (char *)tool,
		        "--dry-run", (char *)fdreport, config, NULL});
		if (dry.status != 0) {
			fits = n - 1;
			assert_int_equal(dry.status, 71);
			assert_non_null(strstr(dry.err,
			    "many.yaml: too many "
			    "descriptors for the "
			    "limit of 1024"));
			run_tool(&r, true, confinable, fdreport, config);
			assert_int_equal(r.status, dry.status);
			assert_string_equal(r.err, dry.err);
			result_free(&r);
		}
		result_free(&dry);
		unlink(config);
		free(config);
	}
	/* About half the limit: each descriptor and its copy. */
	assert_true(fits > 440 && fits < 520);
	config = many_files(fits);
	run_tool(&r, true, confinable, fdreport, config);
	if (r.status != 0)
		fail_msg("%zu files: status %d: %s", fits, r.status, r.err);
	assert_int_equal(count_lines(r.out, "fd "), fits + 1);
	result_free(&r);
	unlink(config);
	free(config);
}

/*
 * Makes path append-only (chattr +a), as root can on most file systems.
 * Returns false, saying why, where it cannot.
 */
static bool
set_append_only(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags = 0;
	bool done;

	assert_true(fd >= 0);
	done = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
	    (flags |= FS_APPEND_FL, ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0);
	if (!done)
		print_message("append-only files not tried: %s\n",
		    strerror(errno));
	close(fd);
	return done;
}

static void
clear_append_only(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags = 0;

	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, FS_IOC_GETFLAGS, &flags), 0);
	flags &= ~FS_APPEND_FL;
	assert_int_equal(ioctl(fd, FS_IOC_SETFLAGS, &flags), 0);
	close(fd);
}

/* Appends text to path; returns the bytes written. */
static ssize_t
write_at_end(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = write(fd, text, strlen(text));
	close(fd);
	return n;
}

static void
test_start__append_is_not_kept(void **state)
{
	char *log = put_file("log", "hello\n", 6, 0644), *yaml, *config;
	char want[256];
	struct result r;
	struct stat st;

	(void)state;
	assert_true(asprintf(&yaml,
	                "out: !fd stdout\n"
	                "log: !file {path: %s, access: append}\n",
	                log) > 0);
	config = put_file("append.yaml", yaml, strlen(yaml), 0644);
	/*
	 * What cloudabi-run(1) says, confined or not: the descriptor is
	 * opened with O_APPEND, and the program can clear the flag, write
	 * anywhere, truncate the file and, as its owner or with the
	 * capability, change its mode and owner.
	 */
	for (int confined = 0; confined < 2; confined++) {
		if (confined && !confinable)
			continue;
		run_tool(&r, false, confined, appendprobe, config);
		if (r.status != 0)
			fail_msg("status %d: %s", r.status, r.err);
		assert_string_equal(r.out,
		    "append_only 0\n"
		    "append 1\n"
		    "clear_append 0\n"
		    "append_after 0\n"
		    "overwrite 0\n"
		    "ftruncate 0\n"
		    "fchmod 0\n"
		    "fchown 0\n");
		assert_int_equal(stat(log, &st), 0);
		assert_int_equal(st.st_size, 1);
		assert_int_equal(st.st_mode & 07777, 0777);
		result_free(&r);
		assert_int_equal(chmod(log, 0644), 0);
		assert_int_equal(truncate(log, 0), 0);
	}

	/*
	 * An append-only file (chattr +a) stays so through the descriptor:
	 * O_APPEND cannot be cleared, nothing changed but by appending. The
	 * attribute itself can be taken off by a program holding
	 * CAP_LINUX_IMMUTABLE, as root does here unconfined; confined, it
	 * holds no capability and the filter refuses FS_IOC_SETFLAGS.
	 */
	if (!set_append_only(log))
		goto out;
	/* The control: the attribute holds here. */
	assert_int_equal(truncate(log, 0), -1);
	assert_int_equal(errno, EPERM);
	clear_append_only(log);
	for (int confined = 0; confined < 2; confined++) {
		if (confined && !confinable)
			continue;
		assert_int_equal(truncate(log, 0), 0);
		assert_int_equal(write_at_end(log, "h"), 1);
		assert_true(set_append_only(log));
		run_tool(&r, false, confined, appendprobe, config);
		if (r.status != 0)
			fail_msg("status %d: %s", r.status, r.err);
		snprintf(want, sizeof(want),
		    "append_only 1\n"
		    "append 1\n"
		    "clear_append EPERM\n"
		    "append_after 1\n"
		    "overwrite 0\n"
		    "ftruncate EPERM\n"
		    "fchmod EPERM\n"
		    "fchown EPERM\n"
		    "clear_append_only %s\n",
		    confined ? "EPERM" : "0");
		assert_string_equal(r.out, want);
		/* Confined, the attribute stayed: the test takes it off. */
		if (confined)
			clear_append_only(log);
		/* The write went to the end; the program took the
		 * attribute off last. */
		assert_int_equal(stat(log, &st), 0);
		assert_int_equal(st.st_size, 2);
		assert_int_equal(st.st_mode & 07777, 0644);
		result_free(&r);
	}
out:
	unlink(config);
	unlink(log);
	free(config);
	free(log);
	free(yaml);
}

static int
group_setup(void **state)
{
	(void)state;
	tool = getenv("CLOUDABI_RUN");
	fdreport = getenv("FDREPORT");
	appendprobe = getenv("APPENDPROBE");
	libdir = getenv("LIBDIR");
	/* meson test sets it: a library would then be found after all. */
	unsetenv("LD_LIBRARY_PATH");
	if (tool == NULL || fdreport == NULL || appendprobe == NULL ||
	    libdir == NULL || mkdtemp(dir) == NULL)
		return -1;
	/* A sanitizer's run-time cannot start inside the sandbox. */
	confinable = !SANITIZED && sandbox_unsupported(NULL) == NULL;
	if (!confinable)
		print_message("confined starts not tried: %s\n",
		    SANITIZED ? "sanitized build" : sandbox_unsupported(NULL));
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

/* The group, which main.c runs. */
int run_start_tests(void);

int
run_start_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_start__missing_library),
	    TEST_CASE(test_start__each_reason_its_line),
	    TEST_CASE(test_start__descriptor_limit),
	    TEST_CASE(test_start__append_is_not_kept),
	};

	return cmocka_run_group_tests_name("start", tests, group_setup,
	    group_teardown);
}
