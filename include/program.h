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
 * program and the loader and libraries it needs, and nothing else of the
 * filesystem; no new sockets, no TCP bind or connect; signals and abstract
 * unix sockets only within its own sandbox. Where the kernel cannot enforce
 * it (it needs Landlock ABI 6, Linux 6.12, and seccomp), they fail with
 * ENOTSUP and start nothing. program_exec_attr() confines the calling
 * thread, which stays confined if the exec then fails. flags 0, the
 * default, starts the program unconfined. Returns 0, or EINVAL for
 * unknown flags.
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
ARGDATA_API int program_attr_addarg_fd(program_attr_t *attr,
    const char *prefix, int fd, const char *suffix);

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

#ifdef __cplusplus
}
#endif

#endif
