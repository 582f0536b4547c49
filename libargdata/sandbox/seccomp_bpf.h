/* SPDX-License-Identifier: BSD-2-Clause */
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
#include <stdint.h>

#include "sandbox.h"

/* The BPF program, exactly as libseccomp exported it, and its length. */
extern const struct sock_filter sandbox_seccomp_bpf[];
extern const size_t sandbox_seccomp_bpf_len;

/* All of it, as sandbox_seccomp_filter() hands it out. */
extern const struct sandbox_filter sandbox_seccomp_bpf_filter;

/* The instructions each start fills in (struct sandbox_filter). */
extern const uint16_t sandbox_seccomp_bpf_pid_slots[];
extern const size_t sandbox_seccomp_bpf_npid;
extern const struct sandbox_widen_slot sandbox_seccomp_bpf_widen[];
extern const size_t sandbox_seccomp_bpf_nwiden;

/*
 * What sandbox_seccomp_describe_common() wrote then, and what
 * sandbox_seccomp_describe_group() wrote for each group, not allowed [0]
 * and allowed [1]; NUL-terminated.
 */
extern const char sandbox_seccomp_bpf_description[];
extern const char
    *const sandbox_seccomp_bpf_group_lines[SANDBOX_ALLOW_NGROUPS][2];

#endif
