/*
 * seccomp_bpf.h - the sandbox's seccomp filter compiled at build time: the
 * data that seccomp-gen writes from the rules of seccomp.c
 * (seccomp_bpf_data.c in the build tree), which seccomp_bpf.c hands out
 * instead of compiling the rules with libseccomp in every process.
 */
#ifndef ARGDATA_SECCOMP_BPF_H
#define ARGDATA_SECCOMP_BPF_H

#include <linux/filter.h>
#include <stddef.h>

/* The BPF program, exactly as libseccomp exported it, and its length. */
extern const struct sock_filter sandbox_seccomp_bpf[];
extern const size_t sandbox_seccomp_bpf_len;

/* What sandbox_seccomp_describe() wrote then, NUL-terminated. */
extern const char sandbox_seccomp_bpf_description[];

#endif
