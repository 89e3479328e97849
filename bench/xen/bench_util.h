/* Small helpers the Xen-path benches share (bench_xen, bench_reaction). */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdint.h>

#include "double_ctl.h"

/* Sleeps ms milliseconds, through signals. */
void bench_nap_ms(long ms);
/* CLOCK_MONOTONIC in milliseconds, with the nanoseconds as a fraction. */
double bench_now_ms(void);
/* Used memory (tot - free) in domain id's report in the double, KiB; 0 if
 * there is no report or it lacks either field. */
uint64_t bench_report_used_kib(struct mmd *d, unsigned id);
/* qsort order for doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

#endif
