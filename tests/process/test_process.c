/*
 * Tests of proc_exec, program_exec, program_spawn, program_attr and the
 * argdata-main start-up: what the started program sees is checked from
 * inside it by the fdreport helper (FDREPORT in the environment; HELLO
 * names examples/hello, whose test is skipped without it), and
 * every failure is checked to leave the caller's descriptor table as it
 * was. Set SEED to replay a run of the random layouts, LAYOUTS to run
 * more (or fewer) than 1,200 of them, REPORT_DEBUG to see every report and
 * layout on stderr.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/close_range.h>

#include <argdata.h>
#include <program.h>

#include "process.h"
#include "testutil.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static const char *fdreport_path;
static int fdreport_fd = -1;
static uint64_t rng_state;

static uint32_t
rnd(uint32_t bound)
{
	/* xorshift64*: reproducible from SEED, good enough for layouts. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % bound;
}

/* One descriptor as the tests compare them. */
struct fdstate {
	int fd;
	int fdflags;
	int flags;
	long long offset;
	dev_t dev;
	ino_t ino;
};

static void
fd_state(int fd, struct fdstate *s)
{
	struct stat st;

	s->fd = fd;
	s->fdflags = fcntl(fd, F_GETFD);
	s->flags = fcntl(fd, F_GETFL);
	s->offset = (long long)lseek(fd, 0, SEEK_CUR);
	assert_int_equal(fstat(fd, &st), 0);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
}

/* The whole descriptor table of this process, by probing. */
struct table {
	size_t n;
	struct fdstate fd[512];
};

static void
table_take(struct table *t)
{
	t->n = 0;
	for (int fd = 0; fd < 12000; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		assert_true(t->n < sizeof(t->fd) / sizeof(t->fd[0]));
		fd_state(fd, &t->fd[t->n++]);
	}
}

static void
table_assert_equal(const struct table *a, const struct table *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->fd[i].fd, b->fd[i].fd);
		assert_int_equal(a->fd[i].fdflags, b->fd[i].fdflags);
		assert_int_equal(a->fd[i].flags, b->fd[i].flags);
		assert_int_equal(a->fd[i].offset, b->fd[i].offset);
		assert_int_equal(a->fd[i].dev, b->fd[i].dev);
		assert_int_equal(a->fd[i].ino, b->fd[i].ino);
	}
}

/* What fdreport said: the descriptors it had, its environment, its pid. */
struct report {
	long pid;
	char argv0[64];
	size_t nenv;
	char env[8][128];
	unsigned long long sigmask;
	unsigned long long nofile_cur, nofile_max;
	size_t nfds;
	struct fdstate fd[1024];
	size_t nyaml;
	char yaml[4096];
	bool complete;
};

static void
report_parse(char *text, struct report *r)
{
	char *save = NULL;

	memset(r, 0, sizeof(*r));
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		struct fdstate *s = &r->fd[r->nfds];
		uintmax_t dev, ino;
		unsigned flags, mode;

		if (sscanf(line, "pid %ld", &r->pid) == 1)
			continue;
		if (sscanf(line, "sigmask 0x%llx", &r->sigmask) == 1)
			continue;
		if (sscanf(line, "nofile %llu %llu", &r->nofile_cur,
		    &r->nofile_max) == 2)
			continue;
		if (strncmp(line, "argv0 ", 6) == 0) {
			snprintf(r->argv0, sizeof(r->argv0), "%s", line + 6);
		} else if (strncmp(line, "env ", 4) == 0) {
			if (r->nenv < 8)
				snprintf(r->env[r->nenv], sizeof(r->env[0]),
				    "%s", line + 4);
			r->nenv++;
		} else if (strncmp(line, "fd ", 3) == 0) {
			/* A malformed line leaves the report incomplete. */
			if (r->nfds == 1024 || sscanf(line,
			    "fd %d fdflags %d flags 0x%x dev %ju ino %ju "
			    "mode 0%o offset %lld",
			    &s->fd, &s->fdflags, &flags, &dev, &ino, &mode,
			    &s->offset) != 7)
				return;
			s->flags = (int)flags;
			s->dev = (dev_t)dev;
			s->ino = (ino_t)ino;
			r->nfds++;
		} else if (strncmp(line, "yaml ", 5) == 0) {
			size_t used = strlen(r->yaml);

			snprintf(r->yaml + used, sizeof(r->yaml) - used,
			    "%s\n", line + 5);
			r->nyaml++;
		} else if (strcmp(line, "end") == 0) {
			r->complete = true;
		}
	}
}

/*
 * Reads fd to end-of-file and parses it as a report. Safe in threads (no
 * cmocka assertions, no shared buffer); an incomplete report says so.
 */
static void
report_read_r(int fd, struct report *r)
{
	char *text = malloc(65536);
	size_t len = 0;
	ssize_t n = 0;

	if (text != NULL)
		while ((n = read(fd, text + len, 65535 - len)) > 0)
			len += (size_t)n;
	if (text == NULL || n != 0) {
		memset(r, 0, sizeof(*r));
		free(text);
		return;
	}
	text[len] = '\0';
	if (getenv("REPORT_DEBUG") != NULL)
		fputs(text, stderr);
	report_parse(text, r);
	free(text);
}

static void
report_read(int fd, struct report *r)
{
	report_read_r(fd, r);
}

static int
wait_pidfd(int pidfd)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED),
	    0);
	return info.si_code == CLD_EXITED ? info.si_status :
					    128 + info.si_status;
}

static int
wait_pid(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

/* No child of ours is left, running or as a zombie. */
static void
assert_no_children(void)
{
	siginfo_t info;

	assert_int_equal(waitid(P_ALL, 0, &info, WEXITED | WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/*
 * The map {fds: [fd...], out: fd, exit: status} that fdreport reads. The
 * arrays the map and sequence are built on must outlive them: one set per
 * thread, so each thread can have one such tree at a time.
 */
static argdata_t *
tree_create(const int *fds, size_t n, int out, int status,
    argdata_t **parts)
{
	static _Thread_local const argdata_t *elems[64];
	static _Thread_local const argdata_t *keys[3], *values[3];
	size_t np = 0;

	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++)
		elems[i] = parts[np++] = argdata_create_fd(fds[i]);
	keys[0] = parts[np++] = argdata_create_str_c("fds");
	values[0] = parts[np++] = argdata_create_seq(elems, n);
	keys[1] = parts[np++] = argdata_create_str_c("out");
	values[1] = parts[np++] = argdata_create_fd(out);
	keys[2] = parts[np++] = argdata_create_str_c("exit");
	values[2] = parts[np++] = argdata_create_int(status);
	parts[np] = NULL;
	return argdata_create_map(keys, values, 3);
}

static void
tree_free(argdata_t *ad, argdata_t **parts)
{
	argdata_free(ad);
	for (size_t i = 0; parts[i] != NULL; i++)
		argdata_free(parts[i]);
}

static int
group_setup(void **state)
{
	const char *seed = getenv("SEED");
	struct rlimit rl;

	fdreport_path = getenv("FDREPORT");
	if (fdreport_path == NULL)
		return -1;
	fdreport_fd = open(fdreport_path, O_PATH | O_CLOEXEC);
	if (fdreport_fd < 0)
		return -1;
	rng_state = seed != NULL ? strtoull(seed, NULL, 0) :
				   (uint64_t)time(NULL) ^ (uint64_t)getpid();
	if (rng_state == 0)
		rng_state = 1;
	fprintf(stderr, "# SEED=%" PRIu64 "\n", rng_state);
	/* The layouts use descriptor numbers up to 11000. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 12000) {
		rl.rlim_cur = rl.rlim_max < 12000 ? rl.rlim_max : 12000;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* The caller's environment must not reach started programs. */
	setenv("PROCESS_TEST_SECRET", "leaked", 1);
	return 0;
}

static int
group_teardown(void **state)
{
	close(fdreport_fd);
	return 0;
}

/*
 * The property test. A random layout: some distinct files (memfds with
 * their own offsets and status flags), each installed at one to three
 * random descriptor numbers (small ones, so that cycles and holes are
 * common, and some in the thousands), each number close-on-exec or not,
 * and a tree naming a random sequence of those numbers, duplicates
 * included. A child process builds the layout, adds stray descriptors and
 * starts fdreport; the report must show exactly the tree's files, in
 * order of first appearance, at 0..n-1, with nothing else.
 */
#define LAYOUT_MAXID 7
#define LAYOUT_MAXSLOTS (3 * (LAYOUT_MAXID + 1))

struct layout {
	size_t nid;		/* files, the last one the report pipe */
	int file[LAYOUT_MAXID + 1];
	size_t nslots;
	int slot[LAYOUT_MAXSLOTS];	/* a descriptor number in the child */
	int slot_id[LAYOUT_MAXSLOTS];	/* the file it holds */
	bool slot_cloexec[LAYOUT_MAXSLOTS];
	size_t ntree;
	int tree[16];		/* slot numbers the tree refers to */
	int out;		/* slot of the report pipe */
	int execslot;		/* where the executable is, or -1 */
	bool spawn;
	struct fdstate state[LAYOUT_MAXID + 1];	/* of each file */
};

static bool
slot_taken(const struct layout *l, int fd)
{
	for (size_t i = 0; i < l->nslots; i++)
		if (l->slot[i] == fd)
			return true;
	return fd == l->execslot;
}

static int
random_number(const struct layout *l)
{
	int fd;

	do
		fd = rnd(10) < 8 ? (int)rnd(10) : 10 + (int)rnd(11000 - 10);
	while (slot_taken(l, fd));
	return fd;
}

static void
layout_make(struct layout *l, int pipe_wr)
{
	memset(l, 0, sizeof(*l));
	l->execslot = -1;
	l->nid = 1 + rnd(LAYOUT_MAXID);
	for (size_t i = 0; i < l->nid; i++) {
		l->file[i] = memfd_create("layout", MFD_CLOEXEC);
		assert_true(l->file[i] >= 0);
		assert_int_equal(lseek(l->file[i], (off_t)rnd(100000),
		    SEEK_SET) >= 0, 1);
		if (rnd(3) == 0)
			fcntl(l->file[i], F_SETFL, O_APPEND);
	}
	l->file[l->nid] = pipe_wr;
	for (size_t i = 0; i <= l->nid; i++)
		fd_state(l->file[i], &l->state[i]);
	for (size_t i = 0; i <= l->nid; i++) {
		size_t copies = 1 + rnd(3);

		for (size_t c = 0; c < copies; c++) {
			l->slot[l->nslots] = random_number(l);
			l->slot_id[l->nslots] = (int)i;
			l->slot_cloexec[l->nslots] = rnd(2);
			if (c == 0 && i == l->nid)
				l->out = l->slot[l->nslots];
			l->nslots++;
		}
	}
	l->ntree = rnd(12);
	for (size_t i = 0; i < l->ntree; i++)
		l->tree[i] = l->slot[rnd((uint32_t)l->nslots)];
	if (rnd(4) == 0)
		l->execslot = random_number(l);
	l->spawn = rnd(4) == 0;
}

/* The child's side: build the layout, add strays, start fdreport. */
static void
layout_child(const struct layout *l)
{
	int tmp[LAYOUT_MAXID + 2], execfd = fdreport_fd, pidfd;
	argdata_t *parts[80], *ad;
	int error;

	/* Move the originals above every layout number first. */
	for (size_t i = 0; i <= l->nid; i++)
		tmp[i] = fcntl(l->file[i], F_DUPFD_CLOEXEC, 11500);
	tmp[l->nid + 1] = fcntl(fdreport_fd, F_DUPFD_CLOEXEC, 11500);
	for (size_t i = 0; i < l->nslots; i++) {
		if (dup2(tmp[l->slot_id[i]], l->slot[i]) < 0)
			_exit(90);
		if (l->slot_cloexec[i])
			fcntl(l->slot[i], F_SETFD, FD_CLOEXEC);
	}
	if (l->execslot >= 0) {
		dup2(tmp[l->nid + 1], l->execslot);
		execfd = l->execslot;
	} else {
		execfd = tmp[l->nid + 1];
	}
	/* Strays: one inheritable, one close-on-exec, at free numbers. */
	for (int fd = 20; fd < 40; fd++) {
		if (!slot_taken(l, fd) && fcntl(fd, F_GETFD) < 0) {
			open("/dev/null", O_RDONLY);
			break;
		}
	}
	open("/dev/null", O_RDONLY | O_CLOEXEC);

	ad = tree_create(l->tree, l->ntree, l->out, 0, parts);
	if (ad == NULL)
		_exit(91);
	if (!l->spawn) {
		error = program_exec(execfd, ad);
		_exit(100 + error);
	}
	error = program_spawn(execfd, ad, NULL, &pidfd);
	if (error != 0)
		_exit(100 + error);
	/* The report pipe must reach only the grandchild. */
	for (size_t i = 0; i < l->nslots; i++)
		close(l->slot[i]);
	for (size_t i = 0; i <= l->nid; i++)
		close(tmp[i]);
	_exit(wait_pidfd(pidfd));
}

static void
layout_check(const struct layout *l, const struct report *r, pid_t child)
{
	int order[LAYOUT_MAXSLOTS];
	size_t n = 0;

	/* Numbers in order of first appearance: the sequence, then out. */
	for (size_t i = 0; i <= l->ntree; i++) {
		int fd = i < l->ntree ? l->tree[i] : l->out;
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen = seen || order[k] == fd;
		if (!seen)
			order[n++] = fd;
	}
	if (getenv("REPORT_DEBUG") != NULL) {
		fprintf(stderr, "layout: spawn %d exec at %d, out %d, tree",
		    l->spawn, l->execslot, l->out);
		for (size_t i = 0; i < l->ntree; i++)
			fprintf(stderr, " %d", l->tree[i]);
		fprintf(stderr, "\nslots:");
		for (size_t i = 0; i < l->nslots; i++)
			fprintf(stderr, " %d=%d%s", l->slot[i], l->slot_id[i],
			    l->slot_cloexec[i] ? "e" : "");
		fprintf(stderr, "\n");
	}
	assert_true(r->complete);
	if (!l->spawn)
		assert_int_equal(r->pid, child);
	assert_int_equal(r->nenv, 0);
	assert_int_equal(r->sigmask, 0);
	assert_int_equal(r->nfds, n);
	for (size_t i = 0; i < n; i++) {
		const struct fdstate *want;
		size_t s = 0;

		while (l->slot[s] != order[i])
			s++;
		want = &l->state[l->slot_id[s]];
		assert_int_equal(r->fd[i].fd, (int)i);
		assert_int_equal(r->fd[i].fdflags, 0);
		assert_int_equal(r->fd[i].flags, want->flags);
		assert_int_equal(r->fd[i].offset, want->offset);
		assert_int_equal(r->fd[i].dev, want->dev);
		assert_int_equal(r->fd[i].ino, want->ino);
	}
}

static void
run_layouts(size_t count)
{
	for (size_t iter = 0; iter < count; iter++) {
		struct layout l;
		struct report r;
		int p[2], status;
		pid_t child;

		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		layout_make(&l, p[1]);
		child = fork();
		assert_true(child >= 0);
		if (child == 0)
			layout_child(&l);
		close(p[1]);
		report_read(p[0], &r);
		close(p[0]);
		status = wait_pid(child);
		if (status != 0 || !r.complete)
			fail_msg("layout %zu: child exit status %d", iter,
			    status);
		layout_check(&l, &r, child);
		for (size_t i = 0; i < l.nid; i++)
			close(l.file[i]);
	}
	assert_no_children();
}

static void
test_program_exec__random_layouts(void **state)
{
	const char *count = getenv("LAYOUTS");

	run_layouts(count != NULL ? strtoul(count, NULL, 10) : 1200);
}

/* A tree of descriptors given as a raw array, for the failure cases. */
static int
exec_raw(int execfd, const int *fds, size_t n)
{
	static const unsigned char data[] = {0x07};	/* empty sequence */

	return proc_exec(execfd, data, sizeof(data), fds, n);
}

/*
 * A layout that makes the in-place shuffle move everything before the
 * exec fails: 0, 1 and 2 swapped around, a number in the thousands and a
 * close-on-exec source.
 */
static int
shuffle_layout(int *fds, int *extra)
{
	*extra = fcntl(2, F_DUPFD_CLOEXEC, 3000);
	fds[0] = 2;
	fds[1] = *extra;
	fds[2] = 0;
	fds[3] = 1;
	fds[4] = 2;
	return 5;
}

/*
 * Fails an exec of execfd with a layout that moves everything, and checks
 * that the whole table (including an inheritable descriptor above the
 * target range, which the exec would have closed) and the signal mask
 * are as they were.
 */
static void
assert_exec_fails_unchanged(int execfd, int want)
{
	struct table before, after;
	sigset_t mask_before, mask_after, usr1;
	int fds[8], extra, inheritable, n;

	n = shuffle_layout(fds, &extra);
	inheritable = fcntl(0, F_DUPFD, 4321);
	assert_true(inheritable >= 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &mask_before), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask_before), 0);
	table_take(&before);
	assert_int_equal(exec_raw(execfd, fds, (size_t)n), want);
	table_take(&after);
	table_assert_equal(&before, &after);
	assert_int_equal(sigprocmask(SIG_UNBLOCK, &usr1, &mask_after), 0);
	for (int sig = 1; sig < 32; sig++)
		assert_int_equal(sigismember(&mask_before, sig),
		    sigismember(&mask_after, sig));
	close(inheritable);
	close(extra);
}

static void
test_proc_exec__closed_fd_in_tree(void **state)
{
	struct table before, after;
	int fds[3] = {0, 1, -1};

	fds[2] = fcntl(0, F_DUPFD_CLOEXEC, 100);
	close(fds[2]);
	table_take(&before);
	assert_int_equal(exec_raw(fdreport_fd, fds, 3), EBADF);
	fds[2] = -1;
	assert_int_equal(exec_raw(fdreport_fd, fds, 3), EBADF);
	table_take(&after);
	table_assert_equal(&before, &after);
}

static void
test_proc_exec__closed_execfd(void **state)
{
	int fd = fcntl(fdreport_fd, F_DUPFD_CLOEXEC, 0);

	close(fd);
	assert_exec_fails_unchanged(fd, EBADF);
	assert_exec_fails_unchanged(-1, EBADF);
}

/*
 * A file with the given contents and mode, open for reading. It is made
 * next to fdreport, where executing files is known to be allowed (/tmp
 * may be mounted noexec).
 */
static int
make_file(const void *data, size_t len, mode_t mode)
{
	char path[PATH_MAX];
	const char *slash = strrchr(fdreport_path, '/');
	int dirlen = slash != NULL ? (int)(slash - fdreport_path) : 1;
	int fd;

	snprintf(path, sizeof(path), "%.*s/process-test-XXXXXX", dirlen,
	    slash != NULL ? fdreport_path : ".");
	fd = mkostemp(path, O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static void
test_proc_exec__not_executable(void **state)
{
	int fd = make_file("data\n", 5, 0644);

	assert_exec_fails_unchanged(fd, EACCES);
	close(fd);
}

static void
test_proc_exec__enoexec(void **state)
{
	static const char junk[64] = "\x01\x02 this is no executable format";
	int fd = make_file(junk, sizeof(junk), 0755);

	assert_exec_fails_unchanged(fd, ENOEXEC);
	close(fd);
}

static void
test_proc_exec__script(void **state)
{
	static const char script[] = "#!/bin/sh\necho hello\n";
	int fd = make_file(script, sizeof(script) - 1, 0755);
	int opath;
	char link[64];

	assert_exec_fails_unchanged(fd, ENOEXEC);
	/* The same through an O_PATH descriptor, which cannot be read. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	opath = open(link, O_PATH | O_CLOEXEC);
	assert_true(opath >= 0);
	assert_exec_fails_unchanged(opath, ENOEXEC);
	close(opath);
	close(fd);
}

/*
 * fdreport with its ELF interpreter renamed to one that does not exist:
 * the kernel fails the exec with ENOENT.
 */
static int
missing_interpreter_file(void)
{
	int src = open(fdreport_path, O_RDONLY | O_CLOEXEC), fd;
	struct stat st;
	unsigned char *img;
	const Elf64_Ehdr *eh;
	bool patched = false;

	assert_true(src >= 0);
	assert_int_equal(fstat(src, &st), 0);
	img = malloc((size_t)st.st_size);
	assert_non_null(img);
	assert_int_equal(read(src, img, (size_t)st.st_size), st.st_size);
	close(src);
	eh = (const Elf64_Ehdr *)img;
	for (size_t i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff +
		    i * eh->e_phentsize);

		if (ph->p_type == PT_INTERP && ph->p_filesz > 2) {
			memcpy(img + ph->p_offset, "/nonexistent-ld.so", 19 <
				ph->p_filesz ? 19 : ph->p_filesz - 1);
			patched = true;
		}
	}
	if (!patched) {
		free(img);
		return -1;
	}
	fd = make_file(img, (size_t)st.st_size, 0755);
	free(img);
	return fd;
}

static void
test_proc_exec__missing_interpreter(void **state)
{
	int fd = missing_interpreter_file();

	if (fd < 0)
		skip();
	assert_exec_fails_unchanged(fd, ENOENT);
	close(fd);
}

static void
test_proc_exec__emfile(void **state)
{
	struct table before, after;
	struct rlimit rl, low;
	int fds[64];

	for (size_t i = 0; i < 64; i++)
		fds[i] = (int)(i % 3);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = 40;
	table_take(&before);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(exec_raw(fdreport_fd, fds, 64), EMFILE);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	table_take(&after);
	table_assert_equal(&before, &after);
}

static int start_in_child(void (*fn)(int out, void *), void *arg,
    struct report *r);

/*
 * 600 descriptors in the thousands, in reverse order, each its own number
 * for one open file description: the program gets 0..599 and the pipe.
 */
static void
test_program_spawn__many_descriptors(void **state)
{
	static int fds[600];
	static struct report r;
	argdata_t **elems = calloc(600, sizeof(*elems));
	const argdata_t *keys[2], *values[2];
	argdata_t *seq, *ad, *k0, *k1, *out;
	struct fdstate null;
	int p[2], pidfd, devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_non_null(elems);
	assert_true(devnull >= 0);
	fd_state(devnull, &null);
	for (int i = 0; i < 600; i++) {
		fds[i] = fcntl(devnull, F_DUPFD_CLOEXEC, 9000 - 2 * i);
		assert_int_equal(fds[i], 9000 - 2 * i);
		elems[i] = argdata_create_fd(fds[i]);
	}
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	seq = argdata_create_seq((const argdata_t *const *)elems, 600);
	keys[0] = k0 = argdata_create_str_c("fds");
	values[0] = seq;
	keys[1] = k1 = argdata_create_str_c("out");
	values[1] = out = argdata_create_fd(p[1]);
	ad = argdata_create_map(keys, values, 2);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	assert_int_equal(r.nfds, 601);
	for (int i = 0; i < 600; i++) {
		assert_int_equal(r.fd[i].fd, i);
		assert_int_equal(r.fd[i].ino, null.ino);
		assert_int_equal(r.fd[i].fdflags, 0);
	}
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	argdata_free(ad);
	argdata_free(seq);
	argdata_free(k0);
	argdata_free(k1);
	argdata_free(out);
	for (int i = 0; i < 600; i++) {
		argdata_free(elems[i]);
		close(fds[i]);
	}
	free(elems);
	close(devnull);
}

static void
test_program_spawn__emfile(void **state)
{
	struct table before, after;
	struct rlimit rl, low;
	argdata_t *parts[80], *ad;
	int fds[64], pidfd = -1;

	/* 64 distinct numbers, so that the tree needs 64 slots. */
	for (size_t i = 0; i < 64; i++)
		fds[i] = fcntl(0, F_DUPFD_CLOEXEC, 5000 + (int)i);
	ad = tree_create(fds, 64, 2, 0, parts);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = 40;
	table_take(&before);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), EMFILE);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	table_take(&after);
	table_assert_equal(&before, &after);
	assert_int_equal(pidfd, -1);
	assert_no_children();
	tree_free(ad, parts);
	for (size_t i = 0; i < 64; i++)
		close(fds[i]);
}

/* Empty data (the null value) and one descriptor twice in fds. */
static void
exec_empty(int out, void *arg)
{
	int fds[2] = {out, out};

	(void)arg;
	_exit(100 + proc_exec(fdreport_fd, "", 0, fds, 2));
}

static void
test_proc_exec__empty_data(void **state)
{
	struct report r;
	struct fdstate a, b;

	assert_int_equal(start_in_child(exec_empty, NULL, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nenv, 0);
	assert_int_equal(r.nfds, 2);
	a = r.fd[0];
	b = r.fd[1];
	assert_int_equal(a.ino, b.ino);
	assert_int_equal(a.fdflags, 0);
	assert_int_equal(b.fdflags, 0);
}

static void
test_proc_exec__einval(void **state)
{
	int fds[1] = {0};

	assert_int_equal(proc_exec(fdreport_fd, NULL, 1, fds, 1), EINVAL);
	assert_int_equal(proc_exec(fdreport_fd, "", 0, NULL, 1), EINVAL);
	assert_int_equal(program_exec(fdreport_fd, NULL), EINVAL);
}

/* Runs fdreport in a forked child through fn and returns its report. */
static int
start_in_child(void (*fn)(int out, void *), void *arg, struct report *r)
{
	int p[2], status;
	pid_t child;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[0]);
		fn(p[1], arg);
		_exit(99);
	}
	close(p[1]);
	report_read(p[0], r);
	close(p[0]);
	status = wait_pid(child);
	assert_no_children();
	return status;
}

static void
exec_with_attr(int out, void *arg)
{
	argdata_t *parts[8], *ad = tree_create(NULL, 0, out, 0, parts);

	_exit(100 + program_exec_attr(fdreport_fd, ad, arg));
}

static void
test_program_exec_attr__name_and_env(void **state)
{
	program_attr_t *attr = program_attr_create();
	struct report r;

	assert_non_null(attr);
	assert_int_equal(program_attr_setname(attr, "reporter"), 0);
	assert_int_equal(program_attr_setenv(attr, "LANG", "C"), 0);
	assert_int_equal(program_attr_setenv(attr, "GONE", "x"), 0);
	assert_int_equal(program_attr_setenv(attr, "TZ", "Europe/Paris"), 0);
	assert_int_equal(program_attr_setenv(attr, "TZ", "UTC"), 0);
	assert_int_equal(program_attr_setenv(attr, "GONE", NULL), 0);
	assert_int_equal(start_in_child(exec_with_attr, attr, &r), 0);
	assert_true(r.complete);
	assert_string_equal(r.argv0, "reporter");
	assert_int_equal(r.nenv, 2);
	assert_true((strcmp(r.env[0], "LANG=C") == 0 &&
		     strcmp(r.env[1], "TZ=UTC") == 0) ||
	    (strcmp(r.env[1], "LANG=C") == 0 &&
		strcmp(r.env[0], "TZ=UTC") == 0));
	assert_int_equal(r.nfds, 1);
	program_attr_free(attr);
}

static void
test_program_exec__default_name_no_env(void **state)
{
	struct report r;

	assert_int_equal(start_in_child(exec_with_attr, NULL, &r), 0);
	assert_true(r.complete);
	assert_string_equal(r.argv0, "fdreport");
	/* Neither ARGDATA_FD nor the caller's environment. */
	assert_int_equal(r.nenv, 0);
}

static void
test_program_attr__invalid(void **state)
{
	program_attr_t *attr = program_attr_create();

	assert_non_null(attr);
	assert_int_equal(program_attr_setenv(attr, "ARGDATA_FD", "3"), EINVAL);
	assert_int_equal(program_attr_setenv(attr, "A=B", "3"), EINVAL);
	assert_int_equal(program_attr_setenv(attr, "", "3"), EINVAL);
	assert_int_equal(program_attr_setenv(attr, NULL, "3"), EINVAL);
	assert_int_equal(program_attr_setenv(NULL, "A", "3"), EINVAL);
	assert_int_equal(program_attr_setname(NULL, "x"), EINVAL);
	assert_int_equal(program_attr_setname(attr, NULL), 0);
	errno = EDOM;
	program_attr_free(attr);
	program_attr_free(NULL);
	assert_int_equal(errno, EDOM);
}

static void
test_program_spawn__exit_status(void **state)
{
	argdata_t *parts[8], *ad;
	struct table before, after;
	struct report r;
	struct pollfd pfd;
	sigset_t usr1, old;
	int p[2], pidfd = -1;

	/* The program gets the caller's signal mask, not all blocked. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &old), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	ad = tree_create(NULL, 0, p[1], 42, parts);
	table_take(&before);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), 0);
	table_take(&after);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	assert_true(pidfd >= 0);
	assert_int_equal(after.n, before.n + 1);
	assert_int_equal(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	assert_int_equal(r.nfds, 1);
	assert_int_equal(r.sigmask, 1ULL << (SIGUSR1 - 1));
	/* The pidfd becomes readable when the child exits. */
	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, -1), 1);
	assert_int_equal(wait_pidfd(pidfd), 42);
	close(pidfd);
	assert_no_children();
	tree_free(ad, parts);
}

static void
test_program_spawn__exec_error(void **state)
{
	argdata_t *parts[8], *ad;
	struct table before, after;
	int fd = make_file("data\n", 5, 0644), pidfd = -1;

	ad = tree_create(NULL, 0, 2, 0, parts);
	table_take(&before);
	assert_int_equal(program_spawn(fd, ad, NULL, &pidfd), EACCES);
	assert_int_equal(pidfd, -1);
	table_take(&after);
	table_assert_equal(&before, &after);
	assert_no_children();
	close(fd);
	tree_free(ad, parts);
}

static void
test_program_spawn__script(void **state)
{
	static const char script[] = "#!/bin/sh\necho hello\n";
	argdata_t *parts[8], *ad;
	int fd = make_file(script, sizeof(script) - 1, 0755), pidfd = -1;

	ad = tree_create(NULL, 0, 2, 0, parts);
	assert_int_equal(program_spawn(fd, ad, NULL, &pidfd), ENOEXEC);
	assert_no_children();
	close(fd);
	tree_free(ad, parts);
}

static void
test_program_spawn__closed_fd(void **state)
{
	argdata_t *parts[8], *ad;
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 200), pidfd = -1;

	close(fd);
	ad = tree_create(&fd, 1, 2, 0, parts);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, &pidfd), EBADF);
	assert_int_equal(program_spawn(fd, ad, NULL, &pidfd), EBADF);
	assert_int_equal(program_spawn(fdreport_fd, ad, NULL, NULL), EINVAL);
	assert_no_children();
	tree_free(ad, parts);
}

/* Starts fdreport with a plain execve and the given environment. */
static void
exec_plain(int out, void *arg)
{
	char *argv[] = {"fdreport", NULL};
	char **envp = arg;

	if (out != 1 && dup2(out, 1) < 0)
		_exit(98);
	execve(fdreport_path, argv, envp);
	_exit(97);
}

static void
test_program_main__without_argdata(void **state)
{
	char *envp[] = {"PATH=/bin", NULL};
	struct report r;

	/* One line on stderr; nothing on stdout. */
	assert_int_equal(start_in_child(exec_plain, envp, &r), 64);
	assert_false(r.complete);
}

/* Hands fdreport {out: !fd 0, exit: 5} in an unsealed memfd at 1. */
static void
exec_unsealed_child(int out, void *arg)
{
	static const unsigned char data[] = {
	    0x06,
	    0x85, 0x08, 'o', 'u', 't', 0x00,
	    0x85, 0x03, 0x00, 0x00, 0x00, 0x00,
	    0x86, 0x08, 'e', 'x', 'i', 't', 0x00,
	    0x82, 0x05, 0x05,
	};
	char *argv[] = {"fdreport", NULL};
	char *envp[] = {"ARGDATA_FD=1", NULL};
	int mfd = memfd_create("unsealed", MFD_CLOEXEC);

	(void)arg;
	if (mfd < 0 || write(mfd, data, sizeof(data)) != sizeof(data))
		_exit(96);
	if (dup2(out, 0) < 0 || dup2(mfd, 1) < 0)
		_exit(98);
	close_range(2, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(fdreport_path, argv, envp);
	_exit(97);
}

static void
test_program_main__unsealed_data(void **state)
{
	struct report r;

	assert_int_equal(start_in_child(exec_unsealed_child, NULL, &r), 5);
	assert_true(r.complete);
	assert_int_equal(r.nenv, 0);
	/* The memfd at 1 was closed before program_main. */
	assert_int_equal(r.nfds, 1);
	assert_int_equal(r.fd[0].fd, 0);
}

static void
test_program_main__bad_argdata_fd(void **state)
{
	char *not_number[] = {"ARGDATA_FD=3x", NULL};
	char *not_open[] = {"ARGDATA_FD=900", NULL};
	char *not_file[] = {"ARGDATA_FD=1", NULL};
	struct report r;

	assert_int_equal(start_in_child(exec_plain, not_number, &r), 66);
	assert_int_equal(start_in_child(exec_plain, not_open, &r), 66);
	/* Descriptor 1 is the report pipe there, not a file. */
	assert_int_equal(start_in_child(exec_plain, not_file, &r), 66);
}

/* The data's memfd: sealed, close-on-exec, above the slots, intact. */
static void
test_ad_memfd_create__sealed(void **state)
{
	static const char data[] = "\x07\x81\x05";
	char back[8];
	int fd = -1, seals;

	assert_int_equal(ad_memfd_create(data, 3, 50, &fd), 0);
	assert_true(fd >= 50);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	seals = fcntl(fd, F_GET_SEALS);
	assert_int_equal(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
	    F_SEAL_SEAL), F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
	    F_SEAL_SEAL);
	assert_int_equal(pread(fd, back, sizeof(back), 0), 3);
	assert_memory_equal(back, data, 3);
	assert_int_equal(pwrite(fd, "x", 1, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(errno, EPERM);
	close(fd);
}

static void
test_program_main__yaml(void **state)
{
	struct report r;

	assert_int_equal(start_in_child(exec_with_attr, NULL, &r), 0);
	assert_true(r.nyaml > 0);
	assert_non_null(strstr(r.yaml, "!fd 0"));
}

/* examples/hello: "Hello, world" on each descriptor it is given. */
static void
test_examples__hello(void **state)
{
	const char *path = getenv("HELLO");
	const argdata_t *keys[2], *values[2], *elems[2];
	argdata_t *parts[6], *ad;
	char buf[256];
	size_t len = 0;
	ssize_t n;
	int p[2], exe, pidfd;

	if (path == NULL)
		skip();
	exe = open(path, O_PATH | O_CLOEXEC);
	assert_true(exe >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	elems[0] = parts[0] = argdata_create_fd(p[1]);
	elems[1] = parts[1] = argdata_create_fd(p[1]);
	keys[0] = parts[2] = argdata_create_str_c("fds");
	values[0] = parts[3] = argdata_create_seq(elems, 2);
	keys[1] = parts[4] = argdata_create_str_c("terminal");
	values[1] = parts[5] = argdata_create_fd(p[1]);
	ad = argdata_create_map(keys, values, 2);
	assert_int_equal(program_spawn(exe, ad, NULL, &pidfd), 0);
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	assert_string_equal(buf, "Hello, world\nHello, world\nHello, world\n");
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	close(p[0]);
	close(exe);
	argdata_free(ad);
	for (size_t i = 0; i < 6; i++)
		argdata_free(parts[i]);
}

/*
 * program_spawn from several threads at once, each thread opening and
 * closing descriptors meanwhile: every child must still get exactly its
 * own report pipe and nothing another thread had open.
 */
#define SPAWN_THREADS 4
#define SPAWN_PER_THREAD 40

static void *
spawn_thread(void *arg)
{
	intptr_t failures = 0;

	(void)arg;
	for (int i = 0; i < SPAWN_PER_THREAD; i++) {
		argdata_t *parts[8], *ad;
		struct fdstate want;
		struct report r;
		siginfo_t info;
		int p[2], pidfd = -1;

		if (pipe2(p, O_CLOEXEC) != 0)
			return (void *)(intptr_t)1000;
		fd_state(p[1], &want);
		ad = tree_create(NULL, 0, p[1], i, parts);
		if (program_spawn(fdreport_fd, ad, NULL, &pidfd) != 0) {
			failures++;
			close(p[1]);
		} else {
			close(p[1]);
			report_read_r(p[0], &r);
			memset(&info, 0, sizeof(info));
			if (!r.complete || r.nfds != 1 ||
			    r.fd[0].ino != want.ino ||
			    waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info,
				WEXITED) != 0 ||
			    info.si_status != i) {
				fprintf(stderr, "# thread spawn %d: complete %d, "
				    "%zu descriptors, exit status %d\n", i,
				    r.complete, r.nfds, info.si_status);
				failures++;
			}
			close(pidfd);
		}
		close(p[0]);
		tree_free(ad, parts);
	}
	return (void *)failures;
}

static void
test_program_spawn__threads(void **state)
{
	pthread_t threads[SPAWN_THREADS];

	for (int i = 0; i < SPAWN_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
		    spawn_thread, NULL), 0);
	for (int i = 0; i < SPAWN_THREADS; i++) {
		void *failures;

		assert_int_equal(pthread_join(threads[i], &failures), 0);
		assert_int_equal((intptr_t)failures, 0);
	}
	assert_no_children();
}

static volatile sig_atomic_t usr1_count;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

/*
 * What makes proc_exec undo its shuffle and let a handler run first: a
 * pending signal with a handler, not blocked by the caller.
 */
static void
test_ad_caught_signal_pending__cases(void **state)
{
	struct sigaction sa = {.sa_handler = on_usr1}, old_usr1, old_urg;
	sigset_t all, old, empty, usr1;

	usr1_count = 0;
	sigfillset(&all);
	sigemptyset(&empty);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old_usr1), 0);
	sa.sa_handler = SIG_DFL;
	assert_int_equal(sigaction(SIGURG, &sa, &old_urg), 0);
	assert_int_equal(sigprocmask(SIG_SETMASK, &all, &old), 0);

	assert_false(ad_caught_signal_pending(&empty));
	raise(SIGURG);
	/* Pending, but no handler: nothing would run. */
	assert_false(ad_caught_signal_pending(&empty));
	raise(SIGUSR1);
	assert_true(ad_caught_signal_pending(&empty));
	/* The caller blocks it: it would not be delivered either. */
	assert_false(ad_caught_signal_pending(&usr1));

	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	assert_int_equal(usr1_count, 1);
	assert_int_equal(sigaction(SIGUSR1, &old_usr1, NULL), 0);
	assert_int_equal(sigaction(SIGURG, &old_urg, NULL), 0);
}

/*
 * The sandbox's hook runs in the child after the shuffle: there, 0 is
 * already the tree's first descriptor. Its error fails the spawn.
 */
struct confine_arg {
	struct fdstate want;	/* what 0 must be */
	int own;		/* the hook's own descriptor, above n */
};

static int
confine_check(const void *arg)
{
	const struct confine_arg *c = arg;
	struct stat st;

	if (fstat(0, &st) != 0 || st.st_ino != c->want.ino ||
	    st.st_dev != c->want.dev)
		return EXDEV;
	if (fcntl(c->own, F_GETFD) < 0)
		return EBADF;
	return 0;
}

static int
confine_refuse(const void *arg)
{
	return EPERM;
}

static void
test_ad_exec_final__confine(void **state)
{
	program_attr_t *attr = program_attr_create();
	argdata_t *parts[8], *ad;
	struct table before, after;
	struct confine_arg want;
	struct report r;
	int p[2], pidfd = -1;

	assert_non_null(attr);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fd_state(p[1], &want.want);
	want.own = fcntl(0, F_DUPFD_CLOEXEC, 7000);
	assert_true(want.own >= 0);
	ad = tree_create(NULL, 0, p[1], 0, parts);
	ad_attr_setconfine(attr, confine_refuse, NULL);
	assert_int_equal(program_spawn(fdreport_fd, ad, attr, &pidfd), EPERM);
	assert_int_equal(pidfd, -1);
	assert_no_children();
	table_take(&before);
	assert_int_equal(program_exec_attr(fdreport_fd, ad, attr), EPERM);
	table_take(&after);
	table_assert_equal(&before, &after);

	ad_attr_setconfine(attr, confine_check, &want);
	assert_int_equal(program_spawn(fdreport_fd, ad, attr, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	/* The hook's descriptor stayed open for it, not for the program. */
	assert_int_equal(r.nfds, 1);
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	close(want.own);
	assert_no_children();
	tree_free(ad, parts);
	program_attr_free(attr);
}

/*
 * The program gets the descriptor limit ad_attr_setnofile() names; the
 * caller keeps its own, also when the start fails after setting it.
 */
static void
test_ad_exec_final__nofile(void **state)
{
	program_attr_t *attr = program_attr_create();
	struct rlimit before, after, low;
	argdata_t *parts[8], *ad;
	struct report r;
	int p[2], pidfd = -1, notexec = make_file("data\n", 5, 0644);

	assert_non_null(attr);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &before), 0);
	low = (struct rlimit){100, before.rlim_max};
	ad_attr_setnofile(attr, &low);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	ad = tree_create(NULL, 0, p[1], 0, parts);
	assert_int_equal(program_spawn(fdreport_fd, ad, attr, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_true(r.complete);
	assert_int_equal(r.nofile_cur, 100);
	assert_int_equal(r.nofile_max, before.rlim_max);
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
	assert_int_equal(after.rlim_cur, before.rlim_cur);

	/* Failing after the limit was set, in place: the caller's again. */
	tree_free(ad, parts);
	ad = tree_create(NULL, 0, 2, 0, parts);
	ad_attr_setconfine(attr, confine_refuse, NULL);
	assert_int_equal(program_exec_attr(fdreport_fd, ad, attr), EPERM);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
	assert_int_equal(after.rlim_cur, before.rlim_cur);
	ad_attr_setconfine(attr, NULL, NULL);
	assert_int_equal(program_exec_attr(notexec, ad, attr), EACCES);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
	assert_int_equal(after.rlim_cur, before.rlim_cur);
	/* Without it, the program inherits the caller's. */
	ad_attr_setnofile(attr, NULL);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	tree_free(ad, parts);
	ad = tree_create(NULL, 0, p[1], 0, parts);
	assert_int_equal(program_spawn(fdreport_fd, ad, attr, &pidfd), 0);
	close(p[1]);
	report_read(p[0], &r);
	close(p[0]);
	assert_int_equal(r.nofile_cur, before.rlim_cur);
	assert_int_equal(wait_pidfd(pidfd), 0);
	close(pidfd);
	close(notexec);
	assert_no_children();
	tree_free(ad, parts);
	program_attr_free(attr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_fds_setup, \
	    test_fds_teardown)
		T(test_program_exec__random_layouts),
		T(test_proc_exec__closed_fd_in_tree),
		T(test_proc_exec__closed_execfd),
		T(test_proc_exec__not_executable),
		T(test_proc_exec__enoexec),
		T(test_proc_exec__script),
		T(test_proc_exec__missing_interpreter),
		T(test_proc_exec__emfile),
		T(test_proc_exec__einval),
		T(test_proc_exec__empty_data),
		T(test_program_spawn__emfile),
		T(test_program_exec_attr__name_and_env),
		T(test_program_exec__default_name_no_env),
		T(test_program_attr__invalid),
		T(test_program_spawn__exit_status),
		T(test_program_spawn__exec_error),
		T(test_program_spawn__script),
		T(test_program_spawn__closed_fd),
		T(test_program_main__without_argdata),
		T(test_program_main__unsealed_data),
		T(test_program_main__bad_argdata_fd),
		T(test_ad_memfd_create__sealed),
		T(test_program_main__yaml),
		T(test_examples__hello),
		T(test_ad_exec_final__confine),
		T(test_ad_exec_final__nofile),
		T(test_program_spawn__threads),
		T(test_ad_caught_signal_pending__cases),
		T(test_program_spawn__many_descriptors),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
