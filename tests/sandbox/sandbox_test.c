/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox_test.c - what the sandbox tests share: the probe and its report, temporary
 * directories and programs, starting cloudabi-run, and the rule for groups
 * that need a kernel that confines.
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

void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

void
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
	assert_int_equal(
	    bind(w->unix_listener, (struct sockaddr *)&sun, sizeof(sun)), 0);
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
	assert_int_equal(
	    bind(w->listener, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(w->listener, 4), 0);
	assert_int_equal(
	    getsockname(w->listener, (struct sockaddr *)&sin, &len), 0);
	w->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(w->client >= 0);
	assert_int_equal(
	    connect(w->client, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(pipe2(w->report, O_CLOEXEC), 0);
}

int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
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

/* The result the probe reported for name, or NULL. */
const char *
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
 * Makes system call nr fail with error in this process and its children
 * (no_new_privs and a seccomp filter of its own), as on a kernel that
 * lacks it. For the children of tests: returns 0 or -1.
 */
int
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
int
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
	    "- !fd 10\n",
	    w->root, w->root, w->root);
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
		if (null < 0 || dup2(null, 0) != 0 ||
		    dup2(w->report[1], 1) != 1 || dup2(errpipe[1], 2) != 2 ||
		    dup2(w->listener, 10) != 10 || fcntl(10, F_SETFD, 0) != 0)
			_exit(
			    99); /* dup2 onto itself would keep close-on-exec */
		if (landlock_broken &&
		    fail_syscall(SYS_landlock_create_ruleset, ENOSYS) != 0)
			_exit(98);
		execv(argv[0], argv);
		_exit(97);
	}
	close(errpipe[1]);
	close(w->report[1]);
	w->report[1] = -1;
	for (used = 0;
	     (k = read(w->report[0], out + used, outsize - 1 - used)) > 0;)
		used += (size_t)k;
	out[used] = '\0';
	for (used = 0;
	     (k = read(errpipe[0], err + used, errsize - 1 - used)) > 0;)
		used += (size_t)k;
	err[used] = '\0';
	close(errpipe[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * A minimal ELF file: one PT_LOAD covering the file, PT_DYNAMIC with the
 * DT_NEEDED names and the search path of spec, then PT_INTERP if any.
 */
size_t
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

void
write_bytes(const char *path, const unsigned char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* Writes the ELF file of spec at root/name; fails the test otherwise. */
void
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

/* Seconds since some point, for the tests of bounded work. */
double
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
void
put_costly_program(const char *root, const char *name, const char *entry)
{
	char *runpath = malloc(4000), *names[100];
	struct elf_spec spec = {.path_tag = DT_RUNPATH,
	    .path = runpath,
	    .needed = (const char *const *)names,
	    .nneeded = 100};

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

/*
 * In a child, makes system call nr fail with error (a seccomp filter of
 * its own), then checks that the sandbox refuses, naming want. The exit
 * status says which check failed.
 */
void
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
		if (sandbox_create(execfd, &(struct sandbox_spec){}, &sb) !=
		        ENOTSUP ||
		    sb != NULL)
			_exit(12);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
sandbox_run_confined(const char *name, const struct CMUnitTest *tests, size_t n)
{
	const char *why = sandbox_unsupported(NULL);

	if (why == NULL)
		return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	/* CI's kernel confines: there, not running them is a failure. */
	if (getenv("ARGDATA_TEST_REQUIRE_SANDBOX") != NULL) {
		fprintf(stderr,
		    "%s: this kernel cannot confine (the sandbox "
		    "needs %s), and ARGDATA_TEST_REQUIRE_SANDBOX is set\n",
		    name, why);
		return 1;
	}
	printf("not run: the %zu tests of %s; this kernel cannot confine "
	       "(the sandbox needs %s)\n",
	    n, name, why);
	return 0;
}
