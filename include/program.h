/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * program.h - starting programs with exactly the descriptors their argdata
 * refers to, and the entry point of such programs; with arguments, and
 * programs that do not read argdata in the layout they expect (standard
 * input, output and error, systemd's socket activation).
 *
 * Error conventions as in <argdata.h>: functions return 0 or an errno
 * value (the exec functions return only on failure), constructors return
 * NULL and set errno, destructors accept NULL and keep errno.
 */
#ifndef CLOUDABI_PROGRAM_H
#define CLOUDABI_PROGRAM_H

#include <sys/types.h>

#include <argdata.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * CloudABI's kernel call, done in user space: replaces the process with the
 * program open at execfd, whose descriptors are exactly fds[0..fdslen-1]
 * installed at 0..fdslen-1, and whose start-up argdata is the datalen bytes
 * at data. Returns only on failure, with an errno value and the caller's
 * descriptor table as it was: EBADF (execfd or an fds[i] not open), EMFILE,
 * ENOMEM (nothing changed), or the error of the exec (EACCES, ENOEXEC, also
 * for #! scripts, which Linux cannot run from a close-on-exec descriptor,
 * ENOENT for a missing ELF interpreter, ...). Not atomic with respect to
 * other threads: they should use program_spawn(). See program_exec(3).
 */
ARGDATA_API int proc_exec(int execfd, const void *data, size_t datalen,
    const int *fds, size_t fdslen);

/*
 * Serializes ad, renumbers its descriptors from 0 and calls proc_exec().
 * Returns only on failure, with an errno value.
 */
ARGDATA_API int program_exec(int execfd, const argdata_t *ad);

/*
 * Options for starting a program beyond the argdata itself: the name it
 * sees as argv[0] (NULL: the executable's file name), environment variables
 * handed to it explicitly (a NULL value removes one; ARGDATA_FD,
 * LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID, which belong to the start-up
 * protocols, an empty name or one containing '=' are EINVAL). Copies what
 * it is given. Nothing of the caller's environment reaches the program
 * otherwise.
 */
typedef struct program_attr program_attr_t;

ARGDATA_API program_attr_t *program_attr_create(void);
ARGDATA_API void program_attr_free(program_attr_t *attr);
ARGDATA_API int program_attr_setname(program_attr_t *attr, const char *argv0);
ARGDATA_API int program_attr_setenv(program_attr_t *attr, const char *name,
    const char *value);

/*
 * The sandbox (SECURITY in program_exec(3)): with PROGRAM_SANDBOX in
 * flags, program_exec_attr() and program_spawn() confine the program just
 * before the exec, so that its rights are the descriptors of its tree:
 * reading beneath each directory among them (and changing what lies beneath
 * those given to program_attr_addwritable()), reading and executing the
 * program and the loader and libraries it needs, what
 * program_attr_addgrant() grants, and nothing else of the filesystem; no
 * new sockets, no TCP bind or connect; signals and abstract unix sockets
 * only within its own sandbox; a session of its own without a controlling
 * terminal; no capabilities; a system-call allowlist in which calls about
 * processes act only on the program itself, and everything unnamed, newer
 * calls included, fails. Where the kernel cannot enforce it (it needs
 * Landlock ABI 6, Linux 6.12, and seccomp), they fail with ENOTSUP and
 * start nothing. program_exec_attr() confines the calling thread, which
 * stays confined if the exec then fails. flags 0, the default, starts the
 * program unconfined. Returns 0, or EINVAL for unknown flags.
 */
#define PROGRAM_SANDBOX 0x1
ARGDATA_API int program_attr_setsandbox(program_attr_t *attr, int flags);

/*
 * Lets the confined program change what lies beneath the directory open at
 * fd, one of the caller's descriptors that the tree refers to: write,
 * truncate, create and remove files, directories, symbolic links, FIFOs
 * and sockets, rename and link between such directories (never create
 * device nodes). Without PROGRAM_SANDBOX it has no effect. Returns 0,
 * EBADF for a negative fd, or ENOMEM. The exec or spawn fails with EINVAL
 * when fd is not among the tree's descriptors, ENOTDIR when it is no
 * directory.
 */
ARGDATA_API int program_attr_addwritable(program_attr_t *attr, int fd);

/*
 * Grants by path, for programs that open files themselves: lets the
 * confined program use the file or directory open at fd, one of the
 * caller's descriptors (O_PATH is enough; it need not be among the tree's
 * and is not handed to the program), as rights says, a mask of:
 *
 * PROGRAM_GRANT_READ   read the file; beneath a directory, read files and
 *                      list directories;
 * PROGRAM_GRANT_WRITE  also write and truncate the file; beneath a
 *                      directory, everything program_attr_addwritable()
 *                      allows (reading included);
 * PROGRAM_GRANT_EXEC   read and execute the file, and when it is an ELF
 *                      program of this machine, read its libraries and
 *                      execute its loader, found as for the program
 *                      itself (a #! script gets only its own rule: grant
 *                      its interpreter too); beneath a directory, read
 *                      and execute any file, without their libraries.
 *
 * A second grant of the same fd adds its rights to the first. fd must stay
 * open until program_exec_attr() or program_spawn() returns, which anchor
 * the rule on the file it leads to then; renaming the file later does not
 * move the rule. Without PROGRAM_SANDBOX it has no effect. Returns 0,
 * EINVAL for a NULL attr or rights 0 or unknown, EBADF for a negative fd,
 * or ENOMEM. The exec or spawn fails with EBADF when fd is not open, and
 * EACCES when it is a socket or a block device, or PROGRAM_GRANT_EXEC is
 * asked for something neither a file nor a directory (a character device
 * or a FIFO may be read and written). A pipe or socket without a path
 * cannot anchor a rule.
 */
#define PROGRAM_GRANT_READ 0x1
#define PROGRAM_GRANT_WRITE 0x2
#define PROGRAM_GRANT_EXEC 0x4
ARGDATA_API int program_attr_addgrant(program_attr_t *attr, int fd, int rights);

/*
 * Command-line arguments: each call appends one argument, argv[1],
 * argv[2], ... in order (argv[0] is program_attr_setname()'s). addarg
 * copies arg. addarg_fd appends the text prefix, the number the caller's
 * descriptor fd gets in the program, in decimal, and the text suffix
 * (either may be NULL for none): with prefix "--listen-fd=" and a socket
 * that becomes the program's 3, the argument is "--listen-fd=3". The
 * descriptor is handed to the program: a descriptor the program gets
 * anyway (its tree's, its standard input, output or error, a named one)
 * keeps the number it has there (the lowest, when it has several);
 * another is installed after those, in order of first appearance among
 * the arguments (in the argdata layout, before the argdata's memfd).
 * Return 0, EINVAL (attr or arg NULL), EBADF (fd negative; the exec or
 * spawn fails with EBADF when it is not open) or ENOMEM.
 */
ARGDATA_API int program_attr_addarg(program_attr_t *attr, const char *arg);
ARGDATA_API int program_attr_addarg_fd(program_attr_t *attr, const char *prefix,
    int fd, const char *suffix);

/*
 * How the program finds its descriptors. PROGRAM_LAYOUT_ARGDATA, the
 * default: as above, the tree's descriptors at 0..n-1 and the start-up
 * argdata in a memfd named by ARGDATA_FD. PROGRAM_LAYOUT_PLAIN, for
 * programs that do not read argdata: no argdata, no memfd, no ARGDATA_FD
 * (program_exec_attr() and program_spawn() then take ad NULL, EINVAL
 * otherwise); standard input, output and error at 0, 1 and 2 (see
 * program_attr_setstdio()), the named descriptors of program_attr_addfd()
 * from 3 in order, as systemd's socket activation hands them over, then
 * the descriptors of program_attr_addarg_fd() that are none of those.
 * Returns 0, or EINVAL for an unknown layout or a NULL attr.
 */
#define PROGRAM_LAYOUT_ARGDATA 0
#define PROGRAM_LAYOUT_PLAIN 1
ARGDATA_API int program_attr_setlayout(program_attr_t *attr, int layout);

/*
 * PROGRAM_LAYOUT_PLAIN: the caller's descriptors that become the
 * program's standard input, output and error; -1 opens /dev/null for that
 * one (read-write, so it serves as either), which is also what each of
 * the three is when this is never called: none is ever left closed, so
 * that a file the program opens later cannot land on 1 or 2. Returns 0,
 * EINVAL (attr NULL) or EBADF (a number below -1; the exec or spawn fails
 * with EBADF when one is not open). The argdata layout refuses it: the
 * exec or spawn fails with EINVAL.
 */
ARGDATA_API int program_attr_setstdio(program_attr_t *attr, int in, int out,
    int err);

/*
 * PROGRAM_LAYOUT_PLAIN: appends a named descriptor, installed at 3, 4, ...
 * in the order of the calls, with systemd's socket activation protocol in
 * the program's environment: LISTEN_FDS (how many), LISTEN_FDNAMES (the
 * names, joined by ':') and LISTEN_PID (the program's own pid: with
 * program_exec_attr() the caller's, which the program keeps; with
 * program_spawn() the child's, written by the child itself). Without
 * named descriptors none of the three is set. A name is 1 to 255
 * printable ASCII characters other than ':', as systemd's
 * FileDescriptorName=; names may repeat. The same descriptor may be named
 * twice; it is then installed twice. Returns 0, EINVAL (attr NULL, a bad
 * name), EBADF (fd negative; the exec or spawn fails with EBADF when it
 * is not open) or ENOMEM. The argdata layout refuses it: the exec or
 * spawn fails with EINVAL.
 */
ARGDATA_API int program_attr_addfd(program_attr_t *attr, const char *name,
    int fd);

/*
 * Runs the program as user uid, group gid and supplementary groups
 * groups[0..ngroups-1] (copied): the switch happens in the child of
 * program_spawn(), or in the caller of program_exec_attr(), after
 * everything was opened and just before the exec, so that a caller running
 * as root can open port 80 or a key file and hand the program only those
 * descriptors. Switching needs CAP_SETUID and CAP_SETGID; the exec or
 * spawn fails with EPERM without them. With PROGRAM_SANDBOX it comes after
 * the capability bounding set was dropped and before the remaining
 * capabilities are cleared; without, it is the only step, and the kernel
 * clears the capabilities of a process whose user ids all leave 0 (the
 * bounding set stays). Returns 0, EINVAL for (uid_t)-1, (gid_t)-1 or more
 * than NGROUPS_MAX groups, or ENOMEM.
 */
ARGDATA_API int program_attr_setuser(program_attr_t *attr, uid_t uid, gid_t gid,
    const gid_t *groups, size_t ngroups);

/*
 * Widens the sandbox's system-call filter by a named group of calls it
 * refuses by default (program_exec(3) lists them): "sysv-ipc" (System V
 * shared memory, message queues, semaphores), "mqueue" (POSIX message
 * queues), "flock", "inotify" (watches by path), "xattr-read" (extended
 * attributes read by path). Without PROGRAM_SANDBOX it has no effect.
 * Returns 0, or EINVAL for an unknown name.
 */
ARGDATA_API int program_attr_allow(program_attr_t *attr, const char *group);

/*
 * program_exec() with options; attr may be NULL. With
 * PROGRAM_LAYOUT_PLAIN, ad is NULL.
 */
ARGDATA_API int program_exec_attr(int execfd, const argdata_t *ad,
    const program_attr_t *attr);

/*
 * Starts the program as a new child process, leaving the caller's
 * descriptor table untouched, and stores a process descriptor (pidfd,
 * close-on-exec) for it in *pidfd. attr may be NULL; with
 * PROGRAM_LAYOUT_PLAIN, ad is NULL. Returns 0, or an errno value,
 * including the one of a failed exec in the child.
 */
ARGDATA_API int program_spawn(int execfd, const argdata_t *ad,
    const program_attr_t *attr, int *pidfd);

/*
 * Written by the user of the argdata-main library, which provides main():
 * it finds the start-up argdata, cleans it out of the process and calls
 * program_main(). Descriptors 0..n-1 are the tree's descriptors. When it
 * returns, the program exits with status 0. Started without argdata, the
 * program prints how to start it and exits with status 64.
 */
void program_main(const argdata_t *ad);

/*
 * Optionally defined by the same program: the schema of the map that
 * program_main() reads with argdata_read_map(3). Started without argdata,
 * argdata-main's main() then lists the keys it expects, with their types,
 * kinds and defaults, after how to start it. Declared weak, so that
 * programs that do not define it link as before.
 */
struct argdata_schema;
#if defined(__GNUC__)
extern const struct argdata_schema program_schema __attribute__((weak));
#endif

/*
 * The published table: a program's schema written once as an X-macro
 * list, from which PROGRAM_SCHEMA() makes both the struct argdata_field
 * array and program_schema, and a copy without pointers in an ELF note
 * (section .note.argdata, name "argdata", type PROGRAM_NOTE_SCHEMA) that
 * cloudabi-run(1) reads from the program file to check a configuration
 * before it starts anything. Each entry names one of the ARGDATA_KEY*
 * macros of <argdata.h> without its ARGDATA_ prefix, then its arguments:
 *
 *	#define SERVER_KEYS(X)                                            \
 *		X(KEY, struct server, name, "name", ARGDATA_REQUIRED)     \
 *		X(KEY, struct server, port, "port", 0, .def_int = 80)     \
 *		X(KEY_FD, struct server, listen, "listen",                \
 *		    ARGDATA_REQUIRED | ARGDATA_FD_LISTENING)
 *	PROGRAM_SCHEMA(server_fields, SERVER_KEYS, 0);
 *
 * The note holds, per key: the key (at most PROGRAM_NOTE_KEY_MAX bytes; a
 * longer literal does not compile cleanly), the field type, the element
 * type of arrays, the size of integer members (so that ranges are known),
 * the capacity of arrays and the flags. Not in it: defaults, and the keys
 * of nested maps (a nested map is checked as a map, its contents by the
 * program). ARGDATA_OTHER_KEYS is X(OTHER_KEYS, ...) with its arguments;
 * its note entry has an empty key. At most PROGRAM_NOTE_KEYS entries.
 */
#define PROGRAM_NOTE_SCHEMA 1
#define PROGRAM_NOTE_VERSION 1
#define PROGRAM_NOTE_KEY_MAX 32
#define PROGRAM_NOTE_KEYS 256

/* One key of the note: 48 bytes, in the byte order of the program. */
struct program_note_key {
	char key[PROGRAM_NOTE_KEY_MAX]; /* NUL-padded, no NUL when full */
	unsigned char type;             /* argdata_field_type_t */
	unsigned char elem_type;        /* ARGDATA_FIELD_ARRAY's elements */
	unsigned char size;             /* integers: bytes of the member */
	unsigned char reserved;
	unsigned int flags; /* ARGDATA_REQUIRED, ARGDATA_FD_* */
	unsigned int max;   /* ARGDATA_FIELD_ARRAY: capacity */
	unsigned int reserved2;
};

#ifndef __cplusplus
#define PROGRAM_NOTE_FLAGS_(f, ...) (f)
#define PROGRAM_NOTE_REC_(k, t, et, sz, mx, ...)                               \
	{                                                                      \
		.key = k, .type = (t), .elem_type = (et), .size = (sz),        \
		.max = (mx), .flags = PROGRAM_NOTE_FLAGS_(__VA_ARGS__, 0)      \
	}
#define PROGRAM_NOTE_KEY(st, m, k, ...)                                        \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_TYPE_OF_(ARGDATA_MEMBER_(st, m)),   \
	    0, sizeof(ARGDATA_MEMBER_(st, m)), 0, __VA_ARGS__)
#define PROGRAM_NOTE_KEY_FD(st, m, k, ...)                                     \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_FD, 0, 0, 0, __VA_ARGS__)
#define PROGRAM_NOTE_KEY_TIMESTAMP(st, m, k, ...)                              \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_TIMESTAMP, 0, 0, 0, __VA_ARGS__)
#define PROGRAM_NOTE_KEY_MAP(st, m, k, s, ...)                                 \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_MAP, 0, 0, 0, __VA_ARGS__)
#define PROGRAM_NOTE_ARRAY_MAX_(st, m)                                         \
	(sizeof(ARGDATA_MEMBER_(st, m)) / sizeof(ARGDATA_MEMBER_(st, m)[0]))
#define PROGRAM_NOTE_KEY_ARRAY(st, m, n, k, ...)                               \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_ARRAY,                              \
	    ARGDATA_FIELD_TYPE_OF_(ARGDATA_MEMBER_(st, m)[0]),                 \
	    sizeof(ARGDATA_MEMBER_(st, m)[0]), PROGRAM_NOTE_ARRAY_MAX_(st, m), \
	    __VA_ARGS__)
#define PROGRAM_NOTE_KEY_ARRAY_OF_FDS(st, m, n, k, ...)                        \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_ARRAY, ARGDATA_FIELD_FD, 0,         \
	    PROGRAM_NOTE_ARRAY_MAX_(st, m), __VA_ARGS__)
#define PROGRAM_NOTE_KEY_ARRAY_OF_MAPS(st, m, n, k, s, ...)                    \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_ARRAY, ARGDATA_FIELD_MAP, 0,        \
	    PROGRAM_NOTE_ARRAY_MAX_(st, m), __VA_ARGS__)
#define PROGRAM_NOTE_OTHER_KEYS(st, m, n, et, km, s)                           \
	PROGRAM_NOTE_REC_("", ARGDATA_FIELD_ARRAY, ARGDATA_FIELD_MAP, 0,       \
	    PROGRAM_NOTE_ARRAY_MAX_(st, m), 0)
#define PROGRAM_NOTE_KEY_EACH(k, fn, a, ...)                                   \
	PROGRAM_NOTE_REC_(k, ARGDATA_FIELD_EACH, 0, 0, 0, __VA_ARGS__)

#define PROGRAM_FIELD_X_(kind, ...) ARGDATA_##kind(__VA_ARGS__),
#define PROGRAM_NOTE_X_(kind, ...) PROGRAM_NOTE_##kind(__VA_ARGS__),
#define PROGRAM_COUNT_X_(kind, ...) +1

#define PROGRAM_SCHEMA(fields, list, schema_flags)                             \
	static const struct argdata_field fields[] = {list(PROGRAM_FIELD_X_)}; \
	const struct argdata_schema program_schema =                           \
	    ARGDATA_SCHEMA(fields, schema_flags);                              \
	__attribute__((section(".note.argdata"), used,                         \
	    aligned(4))) static const struct {                                 \
		unsigned int namesz, descsz, type;                             \
		char name[8];                                                  \
		unsigned int version, flags;                                   \
		struct program_note_key keys[0 list(PROGRAM_COUNT_X_)];        \
	} program_note_ = {8,                                                  \
	    8 + sizeof(struct program_note_key) * (0 list(PROGRAM_COUNT_X_)),  \
	    PROGRAM_NOTE_SCHEMA, "argdata", PROGRAM_NOTE_VERSION,              \
	    (schema_flags), {list(PROGRAM_NOTE_X_)}}
#endif

#ifdef __cplusplus
}
#endif

#endif
