/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seccomp_bpf.c - the seccomp filter of the sandbox as compiled at build
 * time (seccomp_bpf.h), in place of seccomp.c: the same interface, without
 * libseccomp in the process. The rules themselves live in seccomp.c only;
 * seccomp-gen compiles them with libseccomp during the build, and a test
 * checks that libseccomp still compiles them to exactly this program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stdio.h>

#include "sandbox.h"
#include "seccomp_bpf.h"

int
sandbox_seccomp_filter(const struct sandbox_filter **out)
{
	const struct sandbox_filter *f = &sandbox_seccomp_bpf_filter;

	/* The kernel's limit, which libseccomp's export checked too. */
	if (f->len == 0 || f->len > BPF_MAXINSNS ||
	    f->npid > SANDBOX_PID_SLOTS || f->nwiden > SANDBOX_WIDEN_SLOTS)
		return EINVAL;
	*out = f;
	return 0;
}

int
sandbox_seccomp_describe_common(FILE *f)
{
	return fputs(sandbox_seccomp_bpf_description, f) == EOF ? EIO : 0;
}

int
sandbox_seccomp_describe_group(unsigned index, bool allowed, FILE *f)
{
	if (index >= SANDBOX_ALLOW_NGROUPS)
		return EINVAL;
	return fputs(sandbox_seccomp_bpf_group_lines[index][allowed], f) == EOF
	    ? EIO
	    : 0;
}

int
sandbox_seccomp_describe(unsigned groups, FILE *f)
{
	int error = sandbox_seccomp_describe_common(f);

	for (unsigned i = 0; error == 0 && i < SANDBOX_ALLOW_NGROUPS; i++)
		error = sandbox_seccomp_describe_group(i, (groups >> i) & 1, f);
	return error;
}
