/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sandbox.h - internal interface of the sandbox: Landlock rules derived from
 * a program's descriptors, a seccomp filter, and the step that applies both
 * just before the exec.
 */
#ifndef ARGDATA_SANDBOX_H
#define ARGDATA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

/*
 * The Landlock ABI the sandbox needs: 4 brings TCP bind and connect rules,
 * 6 the scoping of signals and abstract unix sockets. Everything the
 * filesystem rules need (truncation at 3, device ioctls at 5) comes with it.
 */
#define SANDBOX_LANDLOCK_ABI_MIN 6
/* The newest ABI whose rights this file knows. */
#define SANDBOX_LANDLOCK_ABI_KNOWN 7

/* The machines whose system calls and ELF loaders the sandbox knows. */
#if defined(__x86_64__) || defined(__aarch64__)
#define SANDBOX_MACHINE 1
#else
#define SANDBOX_MACHINE 0
#endif

/* Roles of the rules, for the description shown by --dry-run. */
enum sandbox_role {
	SANDBOX_DIR_READ,    /* a directory descriptor: read beneath it */
	SANDBOX_DIR_WRITE,   /* a directory descriptor that allows changes */
	SANDBOX_PROGRAM,     /* the program file */
	SANDBOX_LOADER,      /* its dynamic loader (PT_INTERP) */
	SANDBOX_LIBRARY,     /* a shared library it needs */
	SANDBOX_LDCACHE,     /* the loader's cache, /etc/ld.so.cache */
	SANDBOX_GRANT_READ,  /* a grant: read the file or beneath the dir */
	SANDBOX_GRANT_WRITE, /* a grant: also change it, or beneath it */
	SANDBOX_GRANT_EXEC,  /* a grant: execute it (or beneath it) */
};

/*
 * What a grant allows, as in program.h: PROGRAM_GRANT_READ, _WRITE and
 * _EXEC have these values.
 */
#define SANDBOX_GRANT_READ_BIT 0x1
#define SANDBOX_GRANT_WRITE_BIT 0x2
#define SANDBOX_GRANT_EXEC_BIT 0x4

/*
 * A grant by path for a program that opens files itself, anchored on the
 * caller's descriptor fd of a file or directory (O_PATH is enough): rights
 * is a mask of the bits above.
 */
struct sandbox_grant {
	int fd;
	int rights;
};

struct sandbox;

/*
 * Marks the steps that run in program_spawn's child, which shares its
 * parent's memory on a stack of its own: the sanitizers cannot follow code
 * there (see AD_CHILD_CODE in the process layer).
 */
#define SANDBOX_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

/*
 * What the running kernel offers: the Landlock ABI (0 without Landlock)
 * and whether seccomp filters work. Returns NULL when the sandbox can be
 * enforced, or a static string naming the first missing feature.
 */
const char *sandbox_unsupported(int *abi);

/*
 * The decision behind it: the first feature missing from a kernel with
 * Landlock ABI abi (0 without; landlock_error is why) and with or without
 * seccomp filters, or NULL.
 */
const char *sandbox_missing(int abi, int landlock_error, bool seccomp);

/*
 * The widening groups of the seccomp filter (program_attr_allow()), in the
 * order of their bits: sysv-ipc, mqueue, flock, inotify, xattr-read.
 */
#define SANDBOX_ALLOW_NGROUPS 5
extern const char *const sandbox_allow_names[SANDBOX_ALLOW_NGROUPS];

/* The bit of the group called name, or -1 when there is none. */
int sandbox_allow_group(const char *name);

/*
 * The user a program runs as: switched to after everything is opened and
 * the bounding set is dropped, before the capabilities are cleared.
 */
struct sandbox_user {
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups */
	size_t ngroups;
};

/*
 * What a sandbox is made of, besides the program: the descriptors it is
 * given, in the caller's numbering (fds[0..nfds-1]), which of the
 * directories among them allow changes (writable[0..nwritable-1]), grants
 * by path (grants[0..ngrants-1]), whose descriptors need not be among
 * fds; the user to switch to (NULL: stay), and the filter's widening
 * groups (a mask of the bits above). Zero fields are empty. Later options
 * are fields added here, so that callers name what they set.
 */
struct sandbox_spec {
	const int *fds;
	size_t nfds;
	const int *writable;
	size_t nwritable;
	const struct sandbox_grant *grants;
	size_t ngrants;
	const struct sandbox_user *user;
	unsigned allow;
};

/*
 * Prepares a sandbox for the program open at execfd (any descriptor of it,
 * O_PATH included) as spec says. Every directory among spec's descriptors
 * allows reading beneath it; those also listed as writable allow changes
 * too. Resolves the program's loader and libraries from its ELF headers.
 * Each grant allows what its rights say on its file, or beneath its
 * directory: reading; writing, truncating and (beneath a directory)
 * creating, removing and renaming as for a writable directory, reading
 * included; executing and reading, and for an ELF file of this machine
 * its loader and libraries too (other files, such as #! scripts, get only
 * the rule for themselves).
 * Everything that can fail or allocate happens here, before any fork.
 *
 * Returns 0 and stores the sandbox in *out, or an errno value: ENOTSUP when
 * the kernel cannot enforce it (sandbox_unsupported() says why), ENOEXEC
 * when the program is not an ELF file of this machine, EBADF for a closed
 * descriptor, EINVAL for a grant without rights or with unknown ones, or a
 * writable descriptor not among fds, ENOTDIR for a writable descriptor
 * that is no directory, EACCES for a grant of a socket or block device or
 * an exec grant of something neither a file nor a directory, ENOMEM, or
 * what opening the program's files reported.
 */
int sandbox_create(int execfd, const struct sandbox_spec *spec,
    struct sandbox **out);

/* Frees the sandbox and closes its ruleset. Accepts NULL, keeps errno. */
void sandbox_free(struct sandbox *sb);

/*
 * Confines the calling thread: a session of its own, the capability
 * bounding set and ambient set emptied, the user switched (when the spec
 * named one), the remaining capabilities cleared, no_new_privs, the
 * Landlock ruleset, the seccomp filter, in that order. Async-signal-safe
 * and allocation-free, for a child between fork (or vfork) and exec; it
 * may change errno. The sandbox's ruleset descriptor must still be open.
 * Returns 0 or an errno value; on failure the thread may be partly
 * confined, never less than before. Confinement cannot be undone.
 */
SANDBOX_CHILD_CODE int sandbox_apply(const struct sandbox *sb);

/*
 * The steps of sandbox_apply(), in the order it takes them, so that a
 * benchmark can measure what each adds: sandbox_apply_steps() takes only
 * those in steps (a mask), in the same order. sandbox_apply() takes all.
 */
enum {
	SANDBOX_STEP_SESSION = 1 << 0,
	SANDBOX_STEP_BOUNDING = 1 << 1,
	SANDBOX_STEP_USER = 1 << 2,
	SANDBOX_STEP_CAPS = 1 << 3,
	SANDBOX_STEP_NNP = 1 << 4,
	SANDBOX_STEP_LANDLOCK = 1 << 5,
	SANDBOX_STEP_SECCOMP = 1 << 6,
	SANDBOX_STEPS_ALL = (1 << 7) - 1,
};
SANDBOX_CHILD_CODE int sandbox_apply_steps(const struct sandbox *sb,
    unsigned steps);

/*
 * The steps on their own (privileges.c), each async-signal-safe and
 * allocation-free, each returning 0 or an errno value.
 *
 * A session of its own without a controlling terminal: setsid(). A process
 * group leader cannot start one (only a new process can): it then keeps
 * its session, and loses its controlling terminal unless it leads that
 * session already.
 */
SANDBOX_CHILD_CODE int sandbox_new_session(void);

/*
 * Empties the capability bounding set and the ambient set, so that no exec
 * gives capabilities back. Needs CAP_SETPCAP for the bounding set: without
 * it, fails with EPERM when the exec would run as root (as user, when not
 * NULL, or else as now), and otherwise leaves the bounding set, which
 * grants nothing to a process without root's uid under no_new_privs.
 */
SANDBOX_CHILD_CODE int sandbox_drop_bounding(const struct sandbox_user *user);

/* Switches to user: supplementary groups, group, then user ids. */
SANDBOX_CHILD_CODE int sandbox_switch_user(const struct sandbox_user *user);

/* Clears the permitted, effective and inheritable sets. */
SANDBOX_CHILD_CODE int sandbox_clear_caps(void);

/*
 * Writes the rules the sandbox applies, one per line, to f (for
 * cloudabi-run --dry-run). Rules anchored on the caller's descriptors show
 * the paths those lead to now: describe before closing them. Returns 0 or
 * an errno value.
 */
int sandbox_describe(const struct sandbox *sb, FILE *f);

/*
 * The compiled seccomp filter: compiled with libseccomp from the rules of
 * seccomp.c, once per process, or once at build time (seccomp-gen writes
 * it into seccomp_bpf_data.c, which seccomp_bpf.c hands out). One program
 * serves every start; two kinds of instruction are left to fill in, in a
 * copy, before it is attached:
 *  - the comparisons with SANDBOX_PID_PLACEHOLDER (above any pid Linux
 *    hands out), at pid_slots[0..npid-1], take the caller's own pid
 *    (sandbox_seccomp_patch(), in the child, once its pid is known);
 *  - the returns of the calls a widening group allows, at widen[], carry
 *    a marker until sandbox_seccomp_widen() makes them allow the call or
 *    fail with its errno.
 */
#define SANDBOX_PID_PLACEHOLDER 0x7fff5a1dU
#define SANDBOX_PID_SLOTS 128
#define SANDBOX_WIDEN_SLOTS 128
struct sock_filter;
struct sandbox_widen_slot {
	uint16_t insn;  /* the return instruction */
	uint16_t group; /* the group's index in sandbox_allow_names */
	uint16_t error; /* the errno while the group is not allowed */
};
struct sandbox_filter {
	const struct sock_filter *insns;
	size_t len;
	const uint16_t *pid_slots;
	size_t npid;
	const struct sandbox_widen_slot *widen;
	size_t nwiden;
};

/*
 * The marker of a widenable return: SECCOMP_RET_TRACE with this data, the
 * group's index in bits 8..14 and its errno (below 256) in bits 0..7.
 * Never attached as it is: without a tracer it would fail with ENOSYS.
 */
#define SANDBOX_WIDEN_MARK 0x8000U

/* The filter. Returns 0 and stores it in *filter, or an errno value. */
int sandbox_seccomp_filter(const struct sandbox_filter **filter);

/* Fills in the widenable returns of copy, a copy of f's instructions, for
 * the widening groups (a mask). */
void sandbox_seccomp_widen(const struct sandbox_filter *f,
    struct sock_filter *copy, unsigned groups);

/* Writes pid into copy's comparisons. Async-signal-safe. */
SANDBOX_CHILD_CODE void sandbox_seccomp_patch(const struct sandbox_filter *f,
    struct sock_filter *copy, pid_t pid);

/*
 * Writes the filter's rules in words, one per line, to f, as widened by
 * groups (a mask): the lines common to every start, then one line per
 * widening group, in the order of their bits. seccomp.c builds the parts,
 * seccomp-gen records them.
 */
int sandbox_seccomp_describe(unsigned groups, FILE *f);
int sandbox_seccomp_describe_common(FILE *f);
int sandbox_seccomp_describe_group(unsigned index, bool allowed, FILE *f);

/*
 * The work one resolution may do, whatever the program's headers ask for:
 * steps (a path tried, each an open, or a search-path entry looked at),
 * DT_NEEDED entries of all objects found, and objects found. A normal
 * program takes a few dozen steps; a hostile one, with thousands of
 * search-path entries for hundreds of names, or long chains of libraries,
 * would make the launcher try millions of paths. Past a limit the resolver
 * stops and fails with E2BIG: closed, nothing granted.
 */
#define SANDBOX_ELF_MAX_PROBES 4096
#define SANDBOX_ELF_MAX_NEEDED 4096
#define SANDBOX_ELF_MAX_OBJECTS 1024

/*
 * A path the resolver tried, and what it found there: a file of that
 * identity, or the error opening it gave. A granted file is one of them.
 */
struct sandbox_file {
	char *path;
	bool granted; /* and with which role */
	enum sandbox_role role;
	int error; /* of opening it; 0 when it opened */
	mode_t type;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
};

/* Sets f's identity from st. */
void sandbox_file_set(struct sandbox_file *f, const struct stat *st);

/* The paths tried that a resolution keeps, for the cache. */
#define SANDBOX_ELF_MAX_TRIED_KEPT 256

/*
 * What a resolution depended on besides the files it granted, for the
 * cache: the program's path, when $ORIGIN was expanded for it, the
 * working directory, when a relative path was tried, and every path tried
 * with what was there. Also the work done.
 */
struct sandbox_elf_deps {
	size_t probes; /* steps: paths tried, search-path entries */
	struct sandbox_file *tried; /* in order, up to the limit above */
	size_t ntried, triedcap;
	bool tried_lost;  /* some not kept: more, or out of memory */
	bool origin_used; /* $ORIGIN expanded for the program */
	char *origin;     /* its path then; NULL when it was unknown */
	bool cwd_used;    /* a relative path tried */
	char *cwd;        /* the working directory then; NULL if unknown */
	dev_t cwd_dev;    /* and its identity */
	ino_t cwd_ino;
	/*
	 * What could not be found, for a launcher to say so before the
	 * start instead of the loader after it: the first name searched for
	 * in vain (a library, or the loader, whose path is then in
	 * missing_loader), the library that needs it (missing_for, NULL for
	 * the program itself), where it was looked for (directories and the
	 * loader cache, ", " between them, cut short with ", ..."; empty
	 * for a name that is a path), and how many names were missing.
	 * missing_unsure: some search-path entry could not be expanded
	 * ($LIB, $PLATFORM, $ORIGIN of an unknown path), so the loader may
	 * find what the resolver did not.
	 */
	size_t nmissing;
	char *missing;     /* NULL when nothing was missing */
	char *missing_for; /* the library that needs it, or NULL */
	bool missing_loader;
	bool missing_unsure;
	char missing_where[1024];
};

/* Frees what deps holds and clears it. */
void sandbox_elf_deps_clear(struct sandbox_elf_deps *deps);

/*
 * The path the file open at fd has now, as the loader sees it for
 * $ORIGIN; NULL when unknown (or out of memory).
 */
char *sandbox_fd_path(int fd);

/*
 * The working directory's path and identity. Returns 0 or an errno value
 * (then *path is NULL).
 */
int sandbox_cwd(char **path, dev_t *dev, ino_t *ino);

/*
 * The ELF resolver (sandbox_elf.c): calls add(ctx, fd, path, role) for the
 * program's loader, each shared library it needs, transitively, and the
 * loader cache when it was used, each opened exactly once, read-only. fd is
 * only valid during the call. The program itself is read through execfd.
 * Fills *deps (when not NULL; the caller clears it) on success and failure.
 * Returns 0, ENOEXEC when the program is not a 64-bit ELF file of this
 * machine (or is malformed), E2BIG when resolving would take more work than
 * the limits above allow, or the first error add() returned.
 * Libraries that cannot be found are left out, and named in deps (the
 * loader would fail on them); a loader that cannot be found fails the
 * resolution with ENOENT and is named in deps too.
 */
typedef int sandbox_elf_add_fn(void *ctx, int fd, const char *path,
    enum sandbox_role role);
int sandbox_elf_resolve(int execfd, sandbox_elf_add_fn *add, void *ctx,
    struct sandbox_elf_deps *deps);

/*
 * sandbox_elf_resolve() for a launcher that checks a program before
 * starting it (deps then says what is missing): what it finds goes into
 * the cache below, so that a sandbox_create() for the same program right
 * after does not resolve it all again. Returns what sandbox_elf_resolve()
 * returns; the caller clears deps.
 */
int sandbox_elf_check(int execfd, struct sandbox_elf_deps *deps);

#ifdef SANDBOX_ELF_FUZZ
/*
 * Only in the fuzz harness's build of sandbox_elf.c: opens path (with
 * open(2)'s flags) in the harness's made-up filesystem instead of the real
 * one. Returns a descriptor or -1 with errno.
 */
int sandbox_elf_fuzz_open(const char *path, int flags);
#endif

/* How many times the cache has granted a program's files: for tests. */
unsigned long sandbox_cache_hits(void);

/*
 * The resolver's results, per program and per what the resolution depended
 * on (sandbox_cache.c). apply: when the program (its fstat) was resolved
 * before, from the same path if $ORIGIN was expanded for it and in the same
 * working directory if a relative path was tried, and every path tried then
 * still leads to the same file or fails the same way, calls add(ctx, fd,
 * path, role) for each file granted then, as the resolver would, and
 * returns 0 or add's error; ENOENT otherwise, having called nothing.
 * execfd is the program's descriptor, for its path. store: remembers
 * files[0..nfiles-1], the files granted, for the program and deps (copies
 * them); on failure it remembers nothing. Both thread-safe.
 */
int sandbox_cache_apply(const struct stat *program, int execfd,
    sandbox_elf_add_fn *add, void *ctx);
void sandbox_cache_store(const struct stat *program,
    const struct sandbox_elf_deps *deps, const struct sandbox_file *files,
    size_t nfiles);

#endif
