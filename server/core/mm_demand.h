/* What the peer policies and ours read from a domain's report (committed
 * memory, pressure) and the small mechanisms they share: a cadence clock and
 * a proportional fill. Pure arithmetic, no allocation. */
#ifndef MM_DEMAND_H
#define MM_DEMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_core.h"

#define MM_KIB_PER_MIB 1024

/* Memory the domain needs as an allocation: what it uses (the balloon's size
 * minus MemFree+Cached, so the kernel overhead counts) plus what it has in
 * swap. Linux calls the guest side of this committed memory; qmemman's
 * "used" (algo.py) and selfballoon's goal (xen-selfballoon.c) start from it. */
uint64_t mm_dom_committed_kib(const struct mm_dom_in *d);

/* Pressure in 1/100 % (psi some avg10), 0 when the report has none. */
uint32_t mm_dom_psi_centi(const struct mm_dom_in *d);

/* A policy's own clock: due once every period_ms of snapshot time (the
 * first call is due). */
struct mm_cadence {
	uint64_t last_ms;
	bool started;
};

bool mm_cadence_due(struct mm_cadence *c, uint64_t now_ms, uint64_t period_ms);

/* Keeps every domain where it is: want = current target, reason WAIT. */
void mm_policy_wait_all(const struct mm_snapshot *s, struct mm_plan *out);

/* A proportional fill: x_i = min(hi_i, base_i + k * w_i) with the one k >= 0
 * that makes sum x_i = base sum + amount (or every x_i = hi_i if that is
 * less). What a cap clips is re-spread over the rest in proportion to w. */
struct mm_fill {
	size_t n;
	const void *ctx;
	double (*base)(const void *ctx, size_t i);
	double (*w)(const void *ctx, size_t i);
	double (*hi)(const void *ctx, size_t i);
};

/* Returns k; x_i follows from mm_fill_at. */
double mm_fill_solve(const struct mm_fill *f, double amount);

static inline double mm_fill_at(const struct mm_fill *f, size_t i, double k)
{
	double x = f->base(f->ctx, i) + k * f->w(f->ctx, i), hi = f->hi(f->ctx, i);
	return x < hi ? x : hi;
}

#endif
