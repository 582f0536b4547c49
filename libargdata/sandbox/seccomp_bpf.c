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
#include <stdio.h>

#include "sandbox.h"
#include "seccomp_bpf.h"

int
sandbox_seccomp_filter(const struct sock_filter **out, size_t *len)
{
	/* The kernel's limit, which libseccomp's export checked too. */
	if (sandbox_seccomp_bpf_len == 0 ||
	    sandbox_seccomp_bpf_len > BPF_MAXINSNS)
		return EINVAL;
	*out = sandbox_seccomp_bpf;
	*len = sandbox_seccomp_bpf_len;
	return 0;
}

int
sandbox_seccomp_describe(FILE *f)
{
	return fputs(sandbox_seccomp_bpf_description, f) == EOF ? EIO : 0;
}
