/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.h - what every benchmark here needs: medians and clocks.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

/* The median of v[0 .. n), n > 0; sorts v. */
double bench_median(double *v, size_t n);

/* Wall-clock time in microseconds, for latencies. */
double bench_wall_us(void);

/*
 * The process's CPU time in seconds, for work that does not wait: time
 * spent waiting for a core while others run must not count.
 */
double bench_cpu_seconds(void);

#endif
