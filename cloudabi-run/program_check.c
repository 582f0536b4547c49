/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * program_check.c - why a program cannot start, said before anything is
 * opened: a file that is not executable, a #! script, a file that is no
 * ELF program or one for another machine, a library or loader that cannot
 * be found. Without these checks the exec says "Exec format error" for
 * most of them, and the loader's own message goes to whatever descriptor
 * 2 of the program is, if anything.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_start.h"
#include "sandbox.h"

#if defined(__x86_64__)
#define THIS_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define THIS_MACHINE EM_AARCH64
#else
#define THIS_MACHINE EM_NONE
#endif

/* The name of an ELF machine, as people call it. */
static const char *
machine_name(unsigned machine)
{
	switch (machine) {
	case EM_X86_64:
		return "x86-64";
	case EM_AARCH64:
		return "aarch64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_RISCV:
		return "riscv";
	case EM_PPC:
		return "powerpc";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	case EM_MIPS:
		return "mips";
	case EM_SPARCV9:
		return "sparc64";
#ifdef EM_LOONGARCH
	case EM_LOONGARCH:
		return "loongarch";
#endif
	default:
		return NULL;
	}
}

/*
 * A #! script still here: main.c starts the interpreter of every script
 * whose line it can follow (script.c) and checks the interpreter instead,
 * so this is one that was not followed. Exits.
 */
static void __attribute__((noreturn))
refuse_script(const char *name, const unsigned char *head, size_t n)
{
	size_t start = 2, len;

	while (start < n && (head[start] == ' ' || head[start] == '\t'))
		start++;
	len = start;
	while (len < n && head[len] != '\n' && head[len] != ' ' &&
	    head[len] != '\t' && head[len] != '\0')
		len++;
	errx(RUN_EXIT_CANNOT_EXEC,
	    "%s: a #! script (for %.*s) that cloudabi-run cannot follow; "
	    "start its interpreter instead: cloudabi-run %.*s [config.yaml] "
	    "-- %s",
	    name, (int)(len - start), (const char *)head + start,
	    (int)(len - start), (const char *)head + start, name);
}

/*
 * The ELF header's verdict: another machine, another word size, or not a
 * program. Returns when the header suits this machine.
 */
static void
check_elf_header(const char *name, const unsigned char *head, size_t n)
{
	unsigned machine, type;
	const char *what, *here = machine_name(THIS_MACHINE);
	bool big;

	if (n < EI_NIDENT + 4 || head[EI_CLASS] == ELFCLASSNONE ||
	    head[EI_CLASS] > ELFCLASS64 || head[EI_DATA] == ELFDATANONE ||
	    head[EI_DATA] > ELFDATA2MSB)
		errx(RUN_EXIT_CANNOT_EXEC, "%s: a malformed ELF file", name);
	/* e_type and e_machine are at the same offsets in both classes. */
	big = head[EI_DATA] == ELFDATA2MSB;
	type = big ? (unsigned)head[16] << 8 | head[17]
	           : (unsigned)head[17] << 8 | head[16];
	machine = big ? (unsigned)head[18] << 8 | head[19]
	              : (unsigned)head[19] << 8 | head[18];
	what = machine_name(machine);
	if (machine != THIS_MACHINE || head[EI_CLASS] != ELFCLASS64) {
		if (what == NULL)
			errx(RUN_EXIT_CANNOT_EXEC,
			    "%s: an ELF program for machine %u, this machine "
			    "runs %s",
			    name, machine, here);
		errx(RUN_EXIT_CANNOT_EXEC,
		    "%s: an ELF program for %s%s, this machine runs %s", name,
		    what, head[EI_CLASS] == ELFCLASS32 ? " (32-bit)" : "",
		    here);
	}
	if (type != ET_EXEC && type != ET_DYN)
		errx(RUN_EXIT_CANNOT_EXEC, "%s: an ELF %s, not a program", name,
		    type == ET_REL        ? "object file"
		        : type == ET_CORE ? "core dump"
		                          : "file of unknown type");
}

/* The libraries and the loader: each one that is missing is one line. */
static void
check_libraries(const char *name, int execfd)
{
	struct sandbox_elf_deps deps = {.probes = 0};
	int error = sandbox_elf_check(execfd, &deps);
	const char *via;
	char more[64] = "";

	if (error == ENOEXEC) {
		sandbox_elf_deps_clear(&deps);
		errx(RUN_EXIT_CANNOT_EXEC, "%s: a malformed ELF program", name);
	}
	/* Not knowing where the loader looks is no reason to refuse. */
	if (deps.missing == NULL || deps.missing_unsure) {
		sandbox_elf_deps_clear(&deps);
		return;
	}
	if (deps.missing_for != NULL &&
	    (via = strrchr(deps.missing_for, '/')) != NULL)
		via++;
	else
		via = deps.missing_for;
	if (deps.missing_loader)
		warnx("%s: needs the loader %s, not found", name, deps.missing);
	else {
		if (deps.nmissing > 1)
			snprintf(more, sizeof(more), " (and %zu more)",
			    deps.nmissing - 1);
		warnx("%s: needs %s%s%s%s, not found%s%s%s", name, deps.missing,
		    via != NULL ? " (for " : "", via != NULL ? via : "",
		    via != NULL ? ")" : "",
		    deps.missing_where[0] != '\0' ? " in " : "",
		    deps.missing_where, more);
	}
	sandbox_elf_deps_clear(&deps);
	exit(RUN_EXIT_CANNOT_EXEC);
}

void
run_check_program(const char *name, int execfd, bool libraries)
{
	unsigned char head[256];
	char link[64];
	struct stat st;
	ssize_t n;
	int fd;

	if (fstat(execfd, &st) != 0)
		err(RUN_EXIT_OSERR, "%s", name);
	if (S_ISDIR(st.st_mode))
		errx(RUN_EXIT_CANNOT_EXEC, "%s: a directory, not a program",
		    name);
	if (!S_ISREG(st.st_mode))
		errx(RUN_EXIT_CANNOT_EXEC, "%s: not a regular file", name);
	if (faccessat(execfd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0) {
		if (errno == EACCES && (st.st_mode & 0111) == 0)
			errx(RUN_EXIT_CANNOT_EXEC,
			    "%s: not executable (mode %04o): Permission "
			    "denied",
			    name, (unsigned)(st.st_mode & 07777));
		err(RUN_EXIT_CANNOT_EXEC, "%s", name);
	}
	/* An execute-only program cannot be read: the exec will tell. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", execfd);
	fd = open(link, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return;
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (n < 0)
		return;
	if (n >= 2 && head[0] == '#' && head[1] == '!')
		refuse_script(name, head, (size_t)n);
	if (n < SELFMAG || memcmp(head, ELFMAG, SELFMAG) != 0)
		errx(RUN_EXIT_CANNOT_EXEC,
		    "%s: not an ELF program (nor a #! script)", name);
	if (THIS_MACHINE == EM_NONE)
		return;
	check_elf_header(name, head, (size_t)n);
	if (libraries)
		check_libraries(name, execfd);
}
