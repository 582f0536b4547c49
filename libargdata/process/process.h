/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * process_internal.h - what the process side of libargdata shares: the
 * exec plan built before anything changes, the descriptor shuffle
 * (remap.c) and the last step before execveat (exec.c).
 */
#ifndef ARGDATA_PROCESS_H
#define ARGDATA_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <program.h>

/*
 * Marks code that runs in program_spawn's child, which shares the parent's
 * memory on a stack of its own (CLONE_VM | CLONE_VFORK). AddressSanitizer
 * cannot follow code there: it takes the child's stack for the parent's
 * thread and its bookkeeping, done in shared memory, corrupts the parent's
 * (google/sanitizers issue 189). So the sanitizers leave it alone; it only
 * makes system calls on memory prepared and checked before the clone.
 */
#define AD_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

/*
 * A confinement step run after the shuffle, immediately before execveat:
 * in the child of program_spawn() or in the caller of program_exec().
 * It must be async-signal-safe (everything it needs, a seccomp BPF program
 * or a Landlock ruleset, is prepared before; the spawn child shares the
 * caller's memory, so it must not allocate), and returns 0 or an errno
 * value, which fails the exec. Descriptors it uses (a Landlock ruleset)
 * must be numbered above the tree's descriptor count n, the memfd's slot:
 * those below n + 1 hold the program's descriptors by then, those above
 * stay open, close-on-exec, until execveat closes them. Confinement cannot
 * be undone: when the exec fails after it in program_exec(), the caller's
 * descriptor table is restored but the caller stays confined.
 */
typedef int ad_confine_fn(const void *arg);

struct sandbox_grant;

struct program_attr {
	char *name; /* argv[0], or NULL for the executable's name */
	char **env; /* "NAME=value" strings handed to the program */
	size_t nenv;
	int sandbox;   /* PROGRAM_SANDBOX, or 0 */
	int *writable; /* directories the sandbox lets change */
	size_t nwritable;
	struct sandbox_grant *grants; /* program_attr_addgrant() */
	size_t ngrants;
	/* program_attr_plain.c: arguments and the plain layout. */
	struct ad_arg *args; /* argv[1..] */
	size_t nargs, argscap;
	int layout;             /* PROGRAM_LAYOUT_* */
	bool stdio_set;         /* else /dev/null at 0, 1 and 2 */
	int stdio[3];           /* -1: /dev/null */
	struct ad_named *named; /* named descriptors, from 3 */
	size_t nnamed, namedcap;
	bool has_user; /* program_attr_setuser() was called */
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	unsigned allow;  /* the filter's widening groups, a mask */
	bool nofile_set; /* the program gets nofile as RLIMIT_NOFILE */
	struct rlimit nofile;
};

/* An argument: text, or prefix, a descriptor's number and suffix. */
struct ad_arg {
	char *prefix;
	char *suffix; /* NULL when fd is -1 */
	int fd;       /* the caller's descriptor, or -1 */
};

/* A descriptor of the plain layout's socket activation. */
struct ad_named {
	char *name;
	int fd;
};

/*
 * Gives the program rl as its RLIMIT_NOFILE, set after the shuffle, just
 * before the confinement hook and the exec: a caller that raised its own
 * limit so that the shuffle fits hands the program the limit it had. The
 * caller's limit comes back when the exec fails (unless the confinement
 * forbids setting it by then). NULL: the program inherits the caller's.
 */
void ad_attr_setnofile(program_attr_t *attr, const struct rlimit *rl);

/* Everything execveat needs, prepared before the shuffle. */
struct ad_exec_plan {
	int execfd;    /* the executable, outside the target range */
	char **argv;   /* name, the attr's arguments, NULL */
	char **envp;   /* ARGDATA_FD=n or LISTEN_*, the attr's */
	sigset_t mask; /* the caller's mask, which the program gets */
	ad_confine_fn *confine;
	const void *confine_arg;
	bool nofile_set; /* see ad_attr_setnofile() */
	struct rlimit nofile;
	/*
	 * Where ad_exec_final() writes the program's pid, the value of
	 * LISTEN_PID (AD_PID_DIGITS bytes, NUL-terminated), or NULL.
	 */
	char *pid_digits;
	/* Storage for what argv and envp point to. */
	char *name;
	char **strings; /* argv[1..] and LISTEN_*, allocated */
	size_t nstrings;
	char fdvar[32];
};

/* Room for a pid in decimal and its NUL byte. */
#define AD_PID_DIGITS 24

/*
 * The program's descriptor table, decided before anything changes: slots
 * 0..nslots-1 receive the caller's descriptors slots[i]; in the plain
 * layout -1 stands for /dev/null; in the argdata layout the last slot,
 * nprog, is the memfd's (-1 until it exists). argnum[k] is the program's
 * number for the descriptor of argument k, -1 for plain text.
 */
struct ad_layout {
	bool plain;
	int *slots;
	size_t nslots;
	size_t nprog; /* before the memfd's slot; all when plain */
	int *argnum;
};

/*
 * Computes the layout for the tree's descriptors fds[0..nfds-1] (none in
 * the plain layout) and attr's. Returns 0, EINVAL (stdio or named
 * descriptors in the argdata layout) or ENOMEM. Does not check that the
 * descriptors are open.
 */
int ad_layout_init(struct ad_layout *l, const int *fds, size_t nfds,
    const program_attr_t *attr);
void ad_layout_free(struct ad_layout *l);

/*
 * Fills plan for starting a program with layout l (the argdata layout's
 * memfd lands at l->nprog). Allocates; undone by ad_plan_free(). Returns 0
 * or ENOMEM.
 */
int ad_plan_init(struct ad_exec_plan *plan, int execfd,
    const struct ad_layout *l, const program_attr_t *attr);
void ad_plan_free(struct ad_exec_plan *plan);

/*
 * The arguments and the environment variables of the plain layout
 * (program_attr_plain.c), for ad_plan_init(): appends to plan's argv,
 * from index 1, and envp, from index *nenv, the strings it keeps in
 * plan->strings. Returns 0 or ENOMEM.
 */
int ad_plan_args(struct ad_exec_plan *plan, const struct ad_layout *l,
    const program_attr_t *attr);
int ad_plan_listen_env(struct ad_exec_plan *plan, size_t *nenv,
    const program_attr_t *attr);

/*
 * The last step before the new program: the confinement hook, the caller's
 * signal mask, execveat. Async-signal-safe. Returns the errno value of the
 * failure, with all signals blocked again.
 */
AD_CHILD_CODE int ad_exec_final(const struct ad_exec_plan *plan);

/*
 * Whether a signal is pending that mask does not block and that has a
 * handler: one that would run as soon as the caller's mask comes back.
 */
bool ad_caught_signal_pending(const sigset_t *mask);

/*
 * Turns the errno value of a failed exec into the one documented: ENOENT
 * from a #! script (which Linux cannot run from a close-on-exec
 * descriptor) becomes ENOEXEC. Not async-signal-safe callers only.
 */
int ad_exec_errno(int execfd, int error);

/*
 * Checks what can be checked before anything changes: execfd and every
 * fds[i] open (EBADF), nfds + 1 descriptors within the limit (EMFILE).
 */
int ad_check_fds(int execfd, const int *fds, size_t nfds);

/*
 * The same for a layout: every slot but the /dev/null and memfd ones open
 * (EBADF), all of them within the limit (EMFILE).
 */
int ad_check_layout(int execfd, const struct ad_layout *l);

/*
 * A sealed memfd holding the len bytes at data, close-on-exec, numbered at
 * least minfd. Returns 0 or an errno value.
 */
int ad_memfd_create(const void *data, size_t len, int minfd, int *fdp);

/*
 * Serializes ad into a new buffer and a new array of the descriptors it
 * refers to, renumbered from 0. Returns 0 or ENOMEM.
 */
int ad_serialize(const argdata_t *ad, void **buf, size_t *len, int **fds,
    size_t *nfds);

/*
 * The last part of proc_exec() and of program_spawn(), on a start that
 * ad_start_prepare() made for the program open at execfd: the undoable
 * shuffle and the exec in place, which returns only on failure with the
 * table as it was; or the child, whose pidfd goes to *pidfd. Neither
 * releases the start. Returns 0 (spawn) or an errno value.
 */
struct ad_start;
int ad_exec_start(struct ad_start *st, int execfd);
int ad_spawn_start(struct ad_start *st, int execfd, int *pidfd);

/*
 * The in-place shuffle, which can be undone: slots 0..nslots-1 receive
 * src[0..nslots-1] (the tree's descriptors, then the memfd). Prepare saves
 * a close-on-exec copy of everything it will displace and allocates all
 * it needs; apply changes the table; restore puts it back as it was;
 * release frees and closes the copies.
 */
struct ad_remap {
	size_t nslots;
	const int *want; /* what the caller asked for at each slot */
	int *src;        /* where to take it from now: copies for slots */
	int *saved;      /* a copy of what slot i held, or -1 */
	int *savedfl;    /* and its descriptor flags */
	int *open_hi;    /* descriptors above the slots without */
	size_t nopen_hi; /* close-on-exec, to restore them */
	int execfd;      /* the executable, outside the slots */
};

int ad_remap_prepare(struct ad_remap *r, const int *want, size_t nslots,
    int execfd);
int ad_remap_apply(struct ad_remap *r);
void ad_remap_restore(const struct ad_remap *r);
void ad_remap_release(struct ad_remap *r);

/*
 * The shuffle in a child, where nothing needs undoing: installs work[i] at
 * i for i < nslots and marks every descriptor above close-on-exec (closes
 * them, except *execfd, on kernels before 5.11). *execfd is moved out of
 * the way first when needed. work is scratch space that it overwrites.
 * Async-signal-safe. Returns 0 or an errno value.
 */
AD_CHILD_CODE int ad_remap_child(int *work, size_t nslots, int *execfd);

/*
 * The sandbox of program_attr_setsandbox() (sandbox_attr.c): when attr
 * asks for one, builds it for the tree's descriptors fds (the caller's
 * numbers), before anything changes, and makes it plan's confinement hook;
 * its ruleset is numbered above nfds, as the hook's descriptors must be.
 * *sb receives it (NULL when none), to be freed with sandbox_free() after
 * the exec or spawn. Returns 0 or an errno value (ENOTSUP where the kernel
 * cannot enforce it).
 */
struct sandbox;
int ad_sandbox_prepare(const program_attr_t *attr, struct ad_exec_plan *plan,
    const int *fds, size_t nfds, struct sandbox **sb);

/*
 * What proc_exec and program_spawn prepare alike, before anything
 * changes: the arguments and descriptors checked, the exec plan, the
 * sandbox, and the slots the new program's table is made of: fds[0..nfds-1],
 * then the sealed memfd holding the datalen bytes at data.
 */
struct ad_start {
	struct ad_exec_plan plan;
	struct sandbox *sandbox;
	struct ad_layout layout;
	int *slots; /* layout.slots: /dev/null, memfd filled in */
	size_t nslots;
	int memfd;
	int devnull; /* -1 when no slot needs it */
};

/*
 * Fills s; data and fds are the argdata layout's (data NULL, datalen and
 * nfds 0 for the plain layout). Returns 0, or an errno value with nothing
 * left to undo (EINVAL for bad arguments, EBADF, EMFILE, ENOMEM,
 * ENOTSUP).
 */
int ad_start_prepare(struct ad_start *s, int execfd, const void *data,
    size_t datalen, const int *fds, size_t nfds, const program_attr_t *attr);

/* Undoes ad_start_prepare(): closes the memfd, frees the rest. */
void ad_start_release(struct ad_start *s);

/*
 * Frees what program_attr_addwritable() and program_attr_addgrant()
 * allocated.
 */
void ad_attr_free_sandbox(program_attr_t *attr);

/* Frees the arguments and named descriptors (program_attr_plain.c). */
void ad_attr_free_plain(program_attr_t *attr);
/* Frees what program_attr_setuser() allocated. */
void ad_attr_free_user(program_attr_t *attr);

/*
 * Without the sandbox, the user switch of program_attr_setuser() as plan's
 * confinement hook (program_attr_user.c), reading attr, which outlives
 * the exec or spawn.
 */
void ad_user_prepare(const program_attr_t *attr, struct ad_exec_plan *plan);

#endif
