/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_reach.c - the red team's attempts beyond files and sockets
 * (probe_reach.c): other processes of the same user, System V IPC,
 * terminals, root's capabilities, locks and leases, leaks by path. Each is
 * run confined and unconfined (the control that shows it would work), as
 * root and as an unprivileged user (65534, in a child that switches to it
 * after preparing files it owns). Also the user switch of
 * program_attr_setuser(), the filter's widening, and the session of a
 * program started by a process group leader.
 *
 * Why one long file: the cases share the outside world the probe reaches
 * for (a sibling process, IPC objects, a terminal) and the runner that
 * makes it as root or as the test user.
 */
#define _GNU_SOURCE
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include <argdata.h>
#include <program.h>

#include "sandbox.h"
#include "testutil.h"

#if !defined(PROBE_REACH_PATH) || !defined(CLOUDABI_RUN_PATH)
#error "meson.build defines PROBE_REACH_PATH and CLOUDABI_RUN_PATH"
#endif

/* The unprivileged user of the tests: nobody on Debian. */
#define TEST_UID 65534

/*
 * The ways out, and whether the unconfined control must show each working
 * as root and as the unprivileged user (false: it needs a capability that
 * user lacks, so there is nothing to show; confined it must fail all the
 * same). Confined, every one must fail.
 */
static const struct {
	const char *name;
	bool root, user;
} ways_out[] = {
    {"setpriority_outside", true, true},
    {"prlimit_outside", true, true},
    {"affinity_outside", true, true},
    {"sched_idle_outside", true, true},
    {"ioprio_outside", true, true},
    {"process_madvise_outside", true, false},
    {"kill0_outside", true, true},
    {"sigqueue0_outside", true, true},
    {"getsid_outside", true, true},
    {"shm_read_outside", true, true},
    {"msg_send_outside", true, true},
    {"tiocswinsz", true, true},
    {"tiocsctty", true, true},
    {"vhangup", true, false},
    {"tioccons", true, false},
    {"shares_session", true, true},
    {"holds_capability", true, false},
    {"bounding_sys_admin", true, false},
    {"lease_ro", true, true},
    {"lease_ro_high_bits", true, true},
    {"setflags_ro", true, true},
    {"flock_ro", true, true},
    {"sethostname", true, false},
    {"setdomainname", true, false},
    {"ifflags_udp", true, false},
    {"scm_credentials_outside", true, false},
    {"getxattr_outside", true, true},
    {"listxattr_outside", true, true},
    {"getxattrat_outside", true, true},
    {"inotify_outside", true, true},
    {"listmount", true, true},
    {"statmount", true, true},
};

/* What stays open, confined and not. */
static const char *const ways_open[] = {
    "setpriority_self",
    "setpriority_self_pid",
    "prlimit_self",
    "prlimit_self_pid",
    "affinity_self",
    "ioprio_self",
    "kill0_self",
    "kill_child",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* What the probe is given and what lies outside it. */
struct world {
	char root[64], ro[96], lockme[128], outside[128], outdir[128];
	int instr, ro_fd, master, slave, udp;
	pid_t outside_pid;
	int hold; /* the outside process lives while this is open */
	int shm, msq;
	bool i386; /* the probe only makes an i386 system call */
};

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		_exit(90);
	close(fd);
}

/* Makes the files as root and hands them to uid. */
static void
make_files(struct world *w, uid_t uid)
{
	w->i386 = false;
	snprintf(w->root, sizeof(w->root), "/tmp/sandbox-reach.XXXXXX");
	assert_non_null(mkdtemp(w->root));
	snprintf(w->ro, sizeof(w->ro), "%s/ro", w->root);
	snprintf(w->lockme, sizeof(w->lockme), "%s/ro/lockme", w->root);
	snprintf(w->outside, sizeof(w->outside), "%s/outside.txt", w->root);
	snprintf(w->outdir, sizeof(w->outdir), "%s/outdir", w->root);
	assert_int_equal(mkdir(w->ro, 0755), 0);
	assert_int_equal(mkdir(w->outdir, 0755), 0);
	write_file(w->lockme, "lock me\n");
	write_file(w->outside, "outside\n");
	assert_int_equal(setxattr(w->outside, "user.probe", "1", 1, 0), 0);
	const char *paths[] = {w->root, w->ro, w->lockme, w->outside,
	    w->outdir};
	for (size_t i = 0; i < COUNT(paths); i++)
		assert_int_equal(chown(paths[i], uid, uid), 0);
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * The outside world, made by the process that runs the probe (after its
 * switch to the test user, when there is one): a sibling process that
 * blocks until told to go, a page it maps, IPC objects, a terminal.
 */
static int
make_outside(struct world *w, char *instr_path)
{
	int hold[2];
	char text[1024];
	void *page;
	char *sp;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || pipe2(hold, O_CLOEXEC) != 0)
		return -1;
	((char *)page)[0] = 1;
	w->outside_pid = fork();
	if (w->outside_pid < 0)
		return -1;
	if (w->outside_pid == 0) {
		char c;
		close(hold[1]);
		while (read(hold[0], &c, 1) != 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(hold[0]);
	w->hold = hold[1];
	w->shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	w->msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (w->shm < 0 || w->msq < 0 ||
	    (sp = shmat(w->shm, NULL, 0)) == (void *)-1)
		return -1;
	sp[0] = 's';
	shmdt(sp);
	w->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (w->master < 0 || grantpt(w->master) != 0 ||
	    unlockpt(w->master) != 0)
		return -1;
	w->slave = open(ptsname(w->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	w->udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	w->ro_fd = open(w->ro, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->slave < 0 || w->udp < 0 || w->ro_fd < 0)
		return -1;
	snprintf(text, sizeof(text),
	    "outside_pid=%d\noutside_sid=%d\n"
	    "shm_id=%d\nmsq_id=%d\nmadv_addr=%#lx\nmadv_len=4096\n"
	    "outside_file=%s\noutside_dir=%s\ni386=%d\n",
	    (int)w->outside_pid, (int)getsid(0), w->shm, w->msq,
	    (unsigned long)page, w->outside, w->outdir, w->i386);
	write_file(instr_path, text);
	w->instr = open(instr_path, O_RDONLY | O_CLOEXEC);
	return w->instr < 0 ? -1 : 0;
}

static void
release_outside(struct world *w)
{
	close(w->hold);
	waitpid(w->outside_pid, NULL, 0);
	shmctl(w->shm, IPC_RMID, NULL);
	msgctl(w->msq, IPC_RMID, NULL);
	close(w->instr);
	close(w->ro_fd);
	close(w->master);
	close(w->slave);
	close(w->udp);
}

/*
 * Runs the probe through program_spawn, confined or not, with attr's
 * user when has_user; appends its report to out. Returns its wait status,
 * or -1.
 */
static int
spawn_probe(struct world *w, bool confined, bool has_user, char *out,
    size_t size)
{
	int report[2], pidfd, execfd, error;
	program_attr_t *attr = program_attr_create();
	argdata_t *elems[5], *tree;
	siginfo_t info;
	size_t used = strlen(out);
	ssize_t n;

	/* Each probe reads the instructions from the start. */
	if (attr == NULL || pipe2(report, O_CLOEXEC) != 0 ||
	    lseek(w->instr, 0, SEEK_SET) != 0)
		return -1;
	int fds[5] = {w->instr, report[1], w->ro_fd, w->slave, w->udp};
	for (int i = 0; i < 5; i++)
		elems[i] = argdata_create_fd(fds[i]);
	tree = argdata_create_seq((const argdata_t *const *)elems, 5);
	execfd = open(PROBE_REACH_PATH, O_PATH | O_CLOEXEC);
	if (confined)
		program_attr_setsandbox(attr, PROGRAM_SANDBOX);
	if (has_user)
		program_attr_setuser(attr, TEST_UID, TEST_UID, NULL, 0);
	error = program_spawn(execfd, tree, attr, &pidfd);
	close(report[1]);
	argdata_free(tree);
	for (int i = 0; i < 5; i++)
		argdata_free(elems[i]);
	program_attr_free(attr);
	close(execfd);
	if (error != 0) {
		close(report[0]);
		snprintf(out + used, size - used, "spawn %s\n",
		    strerrorname_np(error));
		return -1;
	}
	while (used + 1 < size &&
	    (n = read(report[0], out + used, size - 1 - used)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(report[0]);
	if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) != 0)
		return -1;
	close(pidfd);
	return info.si_code == CLD_EXITED ? info.si_status << 8
	                                  : info.si_status;
}

/*
 * In a child, as uid (switched to after the files are made, when not
 * root): makes the outside world, runs the probe confined, then
 * unconfined, and writes both reports, separated by a line "----", to fd.
 */
static void
run_as(struct world *w, uid_t uid, int fd)
{
	char path[160], *out = calloc(1, 32768);

	snprintf(path, sizeof(path), "%s/instructions", w->root);
	if (uid != geteuid() &&
	    (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
	        setresuid(uid, uid, uid) != 0))
		_exit(91);
	if (out == NULL || make_outside(w, path) != 0)
		_exit(92);
	spawn_probe(w, true, false, out, 16384);
	strcat(out, "----\n");
	spawn_probe(w, false, false, out, 32768);
	release_outside(w);
	if (write(fd, out, strlen(out)) != (ssize_t)strlen(out))
		_exit(93);
	_exit(0);
}

/* The result the report gave for name, or NULL. */
static const char *
result_of(const char *report, const char *name, char *buf, size_t size)
{
	size_t len = strlen(name);

	for (const char *p = report; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		if (eol == NULL)
			return NULL;
		if (strncmp(p, name, len) == 0 && p[len] == ' ') {
			size_t n = (size_t)(eol - (p + len + 1));
			if (n >= size)
				return NULL;
			memcpy(buf, p + len + 1, n);
			buf[n] = '\0';
			return buf;
		}
		p = eol + 1;
	}
	return NULL;
}

/* Runs both probes as uid and checks every outcome; prints the table. */
static void
reach(uid_t uid)
{
	struct world w;
	char *out = calloc(1, 32768), *confined, *unconfined, a[64], b[64];
	int pipefd[2], status, failures = 0;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	assert_non_null(out);
	make_files(&w, uid);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		run_as(&w, uid, pipefd[1]);
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + used, 32767 - used)) > 0)
		used += (size_t)n;
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(nftw(w.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
	    0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	confined = out;
	unconfined = strstr(out, "----\n");
	assert_non_null(unconfined);
	*unconfined = '\0';
	unconfined += 5;
	assert_non_null(strstr(confined, "\nend\n"));
	assert_non_null(strstr(unconfined, "\nend\n"));

	printf("| attempt | user | confined | unconfined |\n");
	for (size_t i = 0; i < COUNT(ways_out); i++) {
		const char *c =
		    result_of(confined, ways_out[i].name, a, sizeof(a));
		const char *u =
		    result_of(unconfined, ways_out[i].name, b, sizeof(b));
		bool must_work = uid == 0 ? ways_out[i].root : ways_out[i].user;

		printf("| %s | %u | %s | %s%s |\n", ways_out[i].name,
		    (unsigned)uid, c ? c : "-", u ? u : "-",
		    must_work ? "" : " (needs root)");
		/* The bounding set of an unprivileged process stays: it
		 * grants nothing under no_new_privs, and cannot be dropped
		 * without CAP_SETPCAP. */
		bool may_stay = uid != 0 &&
		    strcmp(ways_out[i].name, "bounding_sys_admin") == 0;
		if (c == NULL || (strcmp(c, "0") == 0 && !may_stay)) {
			print_error("%s as %u: confined, it worked\n",
			    ways_out[i].name, (unsigned)uid);
			failures++;
		}
		if (must_work && (u == NULL || strcmp(u, "0") != 0)) {
			print_error("%s as %u: unconfined, it failed (%s): "
			            "the control shows nothing\n",
			    ways_out[i].name, (unsigned)uid, u ? u : "-");
			failures++;
		}
	}
	for (size_t i = 0; i < COUNT(ways_open); i++) {
		const char *c = result_of(confined, ways_open[i], a, sizeof(a));
		const char *u =
		    result_of(unconfined, ways_open[i], b, sizeof(b));

		printf("| %s | %u | %s | %s |\n", ways_open[i], (unsigned)uid,
		    c ? c : "-", u ? u : "-");
		if (c == NULL || u == NULL || strcmp(c, "0") != 0 ||
		    strcmp(u, "0") != 0) {
			print_error("%s as %u: must work, confined and not\n",
			    ways_open[i], (unsigned)uid);
			failures++;
		}
	}
	free(out);
	assert_int_equal(failures, 0);
}

static void
test_reach__root(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	reach(0);
}

/* As the test user, switched to from root, or as the unprivileged user
 * the tests run as. */
static void
test_reach__unprivileged(void **state)
{
	(void)state;
	reach(geteuid() == 0 ? TEST_UID : geteuid());
}

/* The probe's uid line, confined or not, started as TEST_UID. */
static void
switch_user(bool confined)
{
	struct world w;
	char path[160], out[16384] = "";
	int status;

	make_files(&w, TEST_UID);
	snprintf(path, sizeof(path), "%s/instructions", w.root);
	assert_int_equal(make_outside(&w, path), 0);
	status = spawn_probe(&w, confined, true, out, sizeof(out));
	release_outside(&w);
	assert_int_equal(nftw(w.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
	    0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "uid 65534 gid 65534\n"));
	/* Capabilities gone either way: its user ids all left 0. */
	assert_non_null(strstr(out, "\nholds_capability EPERM\n"));
	assert_non_null(strstr(out, "\nend\n"));
}

static void
test_program_attr_setuser__confined(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	switch_user(true);
}

static void
test_program_attr_setuser__unconfined(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	switch_user(false);
}

static void
test_program_attr_setuser__errors(void **state)
{
	program_attr_t *attr = program_attr_create();
	gid_t groups[2] = {1, (gid_t)-1};

	(void)state;
	assert_non_null(attr);
	assert_int_equal(program_attr_setuser(NULL, 1, 1, NULL, 0), EINVAL);
	assert_int_equal(program_attr_setuser(attr, (uid_t)-1, 1, NULL, 0),
	    EINVAL);
	assert_int_equal(program_attr_setuser(attr, 1, (gid_t)-1, NULL, 0),
	    EINVAL);
	assert_int_equal(program_attr_setuser(attr, 1, 1, NULL, 1), EINVAL);
	assert_int_equal(program_attr_setuser(attr, 1, 1, groups, 2), EINVAL);
	assert_int_equal(program_attr_setuser(attr, 1, 1, groups, 1), 0);
	assert_int_equal(program_attr_allow(attr, "sysv"), EINVAL);
	assert_int_equal(program_attr_allow(attr, NULL), EINVAL);
	assert_int_equal(program_attr_allow(NULL, "flock"), EINVAL);
	for (size_t i = 0; i < SANDBOX_ALLOW_NGROUPS; i++)
		assert_int_equal(
		    program_attr_allow(attr, sandbox_allow_names[i]), 0);
	program_attr_free(attr);
}

/* Without CAP_SETUID the switch fails, and nothing starts. */
static void
test_program_attr_setuser__needs_privilege(void **state)
{
	struct world w;
	char path[160], out[4096] = "";
	int pipefd[2], status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	make_files(&w, TEST_UID);
	snprintf(path, sizeof(path), "%s/instructions", w.root);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* As the test user, switching to root. */
		if (setresgid(TEST_UID, TEST_UID, TEST_UID) != 0 ||
		    setresuid(TEST_UID, TEST_UID, TEST_UID) != 0 ||
		    make_outside(&w, path) != 0)
			_exit(91);
		struct world *pw = &w;
		program_attr_t *attr = program_attr_create();
		argdata_t *fd = argdata_create_fd(pw->instr);
		int execfd = open(PROBE_REACH_PATH, O_PATH | O_CLOEXEC), pidfd;
		int e1, e2;
		program_attr_setuser(attr, 0, 0, NULL, 0);
		e1 = program_spawn(execfd, fd, attr, &pidfd);
		program_attr_setsandbox(attr, PROGRAM_SANDBOX);
		e2 = program_spawn(execfd, fd, attr, &pidfd);
		dprintf(pipefd[1], "%s %s\n", strerrorname_np(e1),
		    strerrorname_np(e2));
		release_outside(pw);
		_exit(0);
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], out, sizeof(out) - 1) > 0);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(nftw(w.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
	    0);
	assert_string_equal(out, "EPERM EPERM\n");
}

/* --allow sysv-ipc lets the confined probe read an outside segment. */
static void
test_program_attr_allow__sysv_ipc(void **state)
{
	struct world w;
	char path[160], out[16384] = "", buf[64];
	program_attr_t *attr;
	int report[2], pidfd, execfd;
	siginfo_t info;
	ssize_t n;
	size_t used = 0;

	(void)state;
	make_files(&w, geteuid());
	snprintf(path, sizeof(path), "%s/instructions", w.root);
	assert_int_equal(make_outside(&w, path), 0);
	assert_int_equal(pipe2(report, O_CLOEXEC), 0);
	argdata_t *elems[5];
	int fds[5] = {w.instr, report[1], w.ro_fd, w.slave, w.udp};
	for (int i = 0; i < 5; i++)
		assert_non_null(elems[i] = argdata_create_fd(fds[i]));
	argdata_t *tree =
	    argdata_create_seq((const argdata_t *const *)elems, 5);
	attr = program_attr_create();
	assert_int_equal(program_attr_setsandbox(attr, PROGRAM_SANDBOX), 0);
	assert_int_equal(program_attr_allow(attr, "sysv-ipc"), 0);
	assert_int_equal(program_attr_allow(attr, "flock"), 0);
	execfd = open(PROBE_REACH_PATH, O_PATH | O_CLOEXEC);
	assert_int_equal(program_spawn(execfd, tree, attr, &pidfd), 0);
	close(report[1]);
	while ((n = read(report[0], out + used, sizeof(out) - 1 - used)) > 0)
		used += (size_t)n;
	close(report[0]);
	assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED),
	    0);
	close(pidfd);
	close(execfd);
	argdata_free(tree);
	for (int i = 0; i < 5; i++)
		argdata_free(elems[i]);
	program_attr_free(attr);
	release_outside(&w);
	assert_int_equal(nftw(w.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
	    0);
	assert_string_equal(
	    result_of(out, "shm_read_outside", buf, sizeof(buf)), "0");
	assert_string_equal(
	    result_of(out, "msg_send_outside", buf, sizeof(buf)), "0");
	assert_string_equal(result_of(out, "flock_ro", buf, sizeof(buf)), "0");
	/* Only what was asked for. */
	assert_string_equal(result_of(out, "inotify_outside", buf, sizeof(buf)),
	    "EACCES");
}

/*
 * In a child that leads a session whose controlling terminal is the
 * world's pseudo-terminal: a grandchild that leads its process group but
 * not the session (a program started from an interactive shell) starts
 * the probe with program_exec_attr(), confined, then unconfined; both
 * reports go to fd, separated by "----".
 */
static void
exec_from_group_leader(struct world *w, int fd)
{
	char path[160], *out = calloc(1, 32768);

	snprintf(path, sizeof(path), "%s/instructions", w->root);
	if (out == NULL || setsid() < 0 || make_outside(w, path) != 0 ||
	    ioctl(w->slave, TIOCSCTTY, 0) != 0)
		_exit(92);
	for (int confined = 1; confined >= 0; confined--) {
		int report[2], execfd, status;
		size_t used = strlen(out);
		ssize_t n;
		pid_t pid;

		if (lseek(w->instr, 0, SEEK_SET) != 0 ||
		    pipe2(report, O_CLOEXEC) != 0)
			_exit(93);
		pid = fork();
		if (pid < 0)
			_exit(94);
		if (pid == 0) {
			int fds[5] = {w->instr, report[1], w->ro_fd, w->slave,
			    w->udp};
			argdata_t *elems[5];
			program_attr_t *attr = program_attr_create();

			if (attr == NULL || setpgid(0, 0) != 0)
				_exit(95);
			for (int i = 0; i < 5; i++)
				elems[i] = argdata_create_fd(fds[i]);
			if (confined)
				program_attr_setsandbox(attr, PROGRAM_SANDBOX);
			execfd = open(PROBE_REACH_PATH, O_PATH | O_CLOEXEC);
			program_exec_attr(execfd,
			    argdata_create_seq((const argdata_t *const *)elems,
			        5),
			    attr);
			_exit(96);
		}
		close(report[1]);
		size_t end = confined ? 16384 : 32768;

		while (used + 1 < end &&
		    (n = read(report[0], out + used, end - 1 - used)) > 0)
			used += (size_t)n;
		out[used] = '\0';
		close(report[0]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			_exit(97);
		if (confined)
			strcat(out, "----\n");
	}
	/* Closing the terminal's other side hangs up its session. */
	signal(SIGHUP, SIG_IGN);
	release_outside(w);
	if (write(fd, out, strlen(out)) != (ssize_t)strlen(out))
		_exit(98);
	_exit(0);
}

static void
test_program_exec_attr__group_leader_loses_terminal(void **state)
{
	struct world w;
	char out[32768], *unconfined, buf[64];
	int pipefd[2], status;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	(void)state;
	make_files(&w, geteuid());
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		exec_from_group_leader(&w, pipefd[1]);
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + used, sizeof(out) - 1 - used)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(nftw(w.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
	    0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unconfined = strstr(out, "----\n");
	assert_non_null(unconfined);
	*unconfined = '\0';
	unconfined += 5;
	/* No new session can be had: it stays in the session, but without
	 * the terminal; unconfined, the terminal is its. */
	assert_string_equal(result_of(out, "shares_session", buf, sizeof(buf)),
	    "0");
	assert_string_equal(
	    result_of(out, "ctty_is_given_terminal", buf, sizeof(buf)),
	    "ENOTTY");
	assert_string_equal(
	    result_of(unconfined, "ctty_is_given_terminal", buf, sizeof(buf)),
	    "0");
	assert_string_equal(result_of(out, "tiocsctty", buf, sizeof(buf)),
	    "EPERM");
	assert_non_null(strstr(out, "\nend\n"));
}

/* An i386 system call kills the confined probe; unconfined, it works. */
static void
test_sandbox_apply__i386_kills(void **state)
{
	struct world w;
	char path[160], confined[4096] = "", unconfined[4096] = "";
	int s1, s2;

	(void)state;
#ifndef __x86_64__
	skip();
#endif
	make_files(&w, geteuid());
	w.i386 = true;
	snprintf(path, sizeof(path), "%s/instructions", w.root);
	assert_int_equal(make_outside(&w, path), 0);
	s1 = spawn_probe(&w, true, false, confined, sizeof(confined));
	s2 = spawn_probe(&w, false, false, unconfined, sizeof(unconfined));
	release_outside(&w);
	assert_int_equal(nftw(w.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
	    0);
	assert_true(WIFSIGNALED(s1));
	assert_int_equal(WTERMSIG(s1), SIGSYS);
	assert_null(strstr(confined, "i386_survived"));
	assert_true(WIFEXITED(s2));
	assert_non_null(strstr(unconfined, "i386_survived "));
}

/* The group, which main.c runs. */
int run_reach_tests(void);

int
run_reach_tests(void)
{
	const struct CMUnitTest tests[] = {
	    TEST_CASE(test_reach__root),
	    TEST_CASE(test_reach__unprivileged),
	    TEST_CASE(test_program_attr_setuser__confined),
	    TEST_CASE(test_program_attr_setuser__unconfined),
	    TEST_CASE(test_program_attr_setuser__errors),
	    TEST_CASE(test_program_attr_setuser__needs_privilege),
	    TEST_CASE(test_program_attr_allow__sysv_ipc),
	    TEST_CASE(test_program_exec_attr__group_leader_loses_terminal),
	    TEST_CASE(test_sandbox_apply__i386_kills),
	};
	const char *why = sandbox_unsupported(NULL);

	if (why != NULL) {
		printf("not run: this kernel cannot confine (the sandbox "
		       "needs %s)\n",
		    why);
		return getenv("ARGDATA_TEST_REQUIRE_SANDBOX") != NULL;
	}
	return cmocka_run_group_tests_name("reach", tests, NULL, NULL);
}
