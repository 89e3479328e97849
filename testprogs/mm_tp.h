/* Shared plumbing of the mm_test_* workloads: a stop flag set by signal
 * handlers, a page-touching memory holder, a monotonic clock and one
 * progress-line printer. No policy: each program decides what to hold. */
#ifndef MM_TP_H
#define MM_TP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Set to 1 by SIGINT/SIGTERM; the handler does nothing else. */
extern volatile sig_atomic_t mm_tp_stop;

/* Installs the SIGINT/SIGTERM handlers (no SA_RESTART, so a blocking read
 * or sleep returns EINTR and the loop sees the flag at once). */
int mm_tp_signals_install(void);

/* Sleeps until the flag is set or ms have passed; returns true if stopped. */
bool mm_tp_sleep_ms(uint64_t ms);

uint64_t mm_tp_now_ms(void); /* CLOCK_MONOTONIC */
/* Wall clock (CLOCK_REALTIME) in Unix ms: the clock every xenmm log and
 * record shares, so a runner can line up rounds, workload lines and swap logs. */
uint64_t mm_tp_unix_ms(void);

/* Anonymous memory whose every page is written, so what it holds is
 * resident (not just reserved): held_kib is what is really touched. */
struct mm_tp_hold {
	unsigned char *base;
	size_t len_bytes;
	size_t page_bytes;
	unsigned gen; /* changes the written byte on each rewrite */
};

void mm_tp_hold_init(struct mm_tp_hold *h);
/* Grows (touching each new page) or shrinks (unmapping the tail, which
 * returns it to the kernel) to exactly kib. Returns 0 or -errno. */
int mm_tp_hold_resize(struct mm_tp_hold *h, uint64_t kib);
/* Writes one byte in every held page again, so the pages stay hot. */
void mm_tp_hold_rewrite(struct mm_tp_hold *h);
uint64_t mm_tp_hold_kib(const struct mm_tp_hold *h);
void mm_tp_hold_dispose(struct mm_tp_hold *h);

/* Parses a SIZE argument exactly as mmserver does (mm_parse_size_kib);
 * on error prints "PROG: WHAT 'ARG': why" to stderr and returns -EINVAL. */
int mm_tp_parse_size(const char *prog, const char *what, const char *arg, uint64_t *kib);
/* Parses a decimal integer in [min, max], with the same error message. */
int mm_tp_parse_uint(const char *prog, const char *what, const char *arg, uint64_t min,
                     uint64_t max, uint64_t *out);

/* How a program reports its state: human lines, key=value lines
 * (--progress, for scripts and tests) or nothing (--quiet). */
enum mm_tp_out { MM_TP_HUMAN, MM_TP_PROGRESS, MM_TP_QUIET };

/* Prints one state line: "prog=P t_ms=T unix_ms=U event=E held_kib=H" in progress
 * mode, "P: E held=1.5G" in human mode; flushed at once. */
void mm_tp_report(enum mm_tp_out mode, const char *prog, uint64_t t0_ms, const char *event,
                  uint64_t held_kib);

/* splitmix64: a small, fast, well-mixed generator; deterministic for a
 * seed, which is all the workloads need (not for cryptography). */
uint64_t mm_tp_rand_next(uint64_t *state);
/* Uniform in [lo, hi] (inclusive), without modulo bias worth measuring. */
uint64_t mm_tp_rand_range(uint64_t *state, uint64_t lo, uint64_t hi);
/* Uniform double in [0, 1). */
double mm_tp_rand_unit(uint64_t *state);

/* Exit codes shared by the workloads (documented in their man pages). */
enum { MM_TP_EXIT_OK = 0, MM_TP_EXIT_RUNTIME = 1, MM_TP_EXIT_USAGE = 2 };

#endif
