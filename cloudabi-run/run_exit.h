/*
 * run_exit.h - cloudabi-run's exit statuses for its own failures, one per
 * kind (cloudabi-run(1), EXIT STATUS), and the checks of the program that
 * come before anything is opened.
 */
#ifndef RUN_EXIT_H
#define RUN_EXIT_H

#include <stdbool.h>

/* sysexits(3)'s numbers where one fits, the shell's 126 and 127. */
#define RUN_EXIT_USAGE 64       /* the command line is wrong */
#define RUN_EXIT_CONFIG 65      /* the configuration, or what it names */
#define RUN_EXIT_NOINPUT 66     /* the configuration cannot be read */
#define RUN_EXIT_UNAVAILABLE 69 /* this kernel cannot confine */
#define RUN_EXIT_OSERR 71       /* out of memory, descriptors, /proc */
#define RUN_EXIT_IOERR 74       /* --dry-run's output cannot be written */
#define RUN_EXIT_CANNOT_EXEC 126 /* found, but it cannot start */
#define RUN_EXIT_NOT_FOUND 127  /* no such program */

/*
 * Checks that the program open at execfd (name as given) can start here:
 * a regular file this user may execute, an ELF program of this machine
 * (not a #! script) and, when libraries is true, one whose loader and
 * libraries can be found where the loader looks. Returns when it can, or
 * says why not in one line and exits with RUN_EXIT_CANNOT_EXEC.
 */
void run_check_program(const char *name, int execfd, bool libraries);

#endif
