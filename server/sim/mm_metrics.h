/* What "better" means (SPEC 6), accumulated tick by tick from the simulated
 * host: shortfall, OOM, reaction, harm, idle, host-left, churn, invariant
 * violations and the physical limit. Pure arithmetic; printing lives in
 * mm_summary.c. */
#ifndef MM_METRICS_H
#define MM_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm_guest.h"

/* Demand steps not yet covered, kept per guest for the reaction metric:
 * n steps merged into one level (the highest of them), the earliest start
 * and the sum of the starts. */
#define MM_STEPS_OPEN 16
struct mm_step {
	uint64_t level_kib; /* the allocation that covers it */
	uint64_t first_ms, sum_ms;
	uint32_t n;
};

struct mm_guest_metrics {
	/* what every tick touches comes first, the name last: at 10000 guests
	 * these records no longer fit in the cache, and a tick read 5 or 6
	 * lines of each */
	uint64_t shortfall_kib_ms; /* integral of swap used */
	uint64_t idle_kib_ms;      /* integral of allocation beyond need + f */
	uint64_t oom_events;
	uint64_t episodes; /* times the guest became short (the policy's doing too) */
	bool is_short;
	/* Reaction (SPEC 6), on the workload's demand steps, not on shortage
	 * episodes: every rise of the demand by at least MM_STEP_MIN_KIB (and a
	 * start) is a step, the same steps for every policy on a scenario. A
	 * step waits from the rise until the allocation covers it (reaches the
	 * need it rose to, or the need has fallen under what the guest has); a
	 * step covered in advance waits 0. */
	uint64_t steps;           /* demand steps seen */
	uint64_t reaction_sum_ms; /* waits of the steps covered so far */
	uint64_t reaction_max_ms; /* the longest of them */
	uint64_t prev_demand_kib; /* demand at the last tick */
	bool seen, was_alive;
	uint32_t n_open;
	uint64_t harm_ms;           /* time with usable memory below the working set */
	uint64_t stall_ms;          /* time stalled on memory (pressure model) */
	uint64_t start_wait_ms;     /* a due domain waited for the host to have room */
	uint64_t writes, moved_kib; /* churn: target writes and |change| */
	uint64_t maxmem_violations, floor_violations;
	/* how a start went (issue 17): 0 pending, 1 started, 2 failed (its
	 * start_timeout_s passed while the host had no room) */
	int start_result;
	struct mm_step open[MM_STEPS_OPEN]; /* uncovered, by level, lowest first */
	char name[MM_NAME_MAX];
};

struct mm_metrics {
	size_t n;
	struct mm_guest_metrics *g; /* n entries, owned by the caller */
	uint64_t free_goal_kib;     /* f, for idle */
	uint64_t limit_kib_ms;      /* unavoidable shortfall (physical limit) */
	uint64_t host_left_kib_ms;  /* integral of host free beyond the reserve */
	uint64_t reserve_violation_ticks;
	uint64_t ticks;
	uint64_t duration_ms;
	/* reservations the scenario asked for (issue 17) */
	uint64_t resv_met, resv_failed, resv_wait_sum_ms, resv_wait_max_ms;
};

/* One tick of dt_ms for all guests. pool_kib is what a perfect balancer
 * could share (host memory - dom0 - reserve); host_free/reserve for the
 * reserve invariant. */
void mm_metrics_tick(struct mm_metrics *m, const struct mm_guest *g, uint64_t now_ms,
                     uint64_t dt_ms, uint64_t pool_kib, uint64_t host_free_kib,
                     uint64_t reserve_kib);

/* A target write to guest i: churn, and the maxmem/floor invariants. */
void mm_metrics_write(struct mm_metrics *m, size_t i, const struct mm_guest *g,
                      uint64_t new_target_kib);

/* A demand rise smaller than this is no step (the dead band of a write). */
#define MM_STEP_MIN_KIB 1024

/* Guest i is due since due_ms but the host has no room to start it: for
 * dt_ms its whole demand is short (shortfall, and a demand step since it
 * was due that waits for an allocation of need_kib: demand + overheads). */
void mm_metrics_waiting(struct mm_metrics *m, size_t i, uint64_t demand_kib, uint64_t need_kib,
                        uint64_t due_ms, uint64_t dt_ms);

/* Sums over guests. */
void mm_metrics_total(const struct mm_metrics *m, struct mm_guest_metrics *sum);

/* Reaction with the steps still open at the end of the run counted up to
 * that end (SPEC 6: never as 0): the steps, the sum of their waits and the
 * longest. The mean is sum / steps: the steps are the workload's, so a
 * policy cannot lower its mean by making many short shortages. */
static inline uint64_t mm_reaction_count(const struct mm_guest_metrics *g)
{
	return g->steps;
}

static inline uint64_t mm_reaction_sum_ms(const struct mm_guest_metrics *g, uint64_t end_ms)
{
	uint64_t sum = g->reaction_sum_ms;

	for (uint32_t k = 0; k < g->n_open; k++)
		sum += (uint64_t)g->open[k].n * end_ms - g->open[k].sum_ms;
	return sum;
}

static inline uint64_t mm_reaction_max_ms(const struct mm_guest_metrics *g, uint64_t end_ms)
{
	uint64_t max = g->reaction_max_ms;

	for (uint32_t k = 0; k < g->n_open; k++)
		if (end_ms - g->open[k].first_ms > max)
			max = end_ms - g->open[k].first_ms;
	return max;
}

/* KiB*ms to MiB*s. */
static inline double mm_mib_s(uint64_t kib_ms)
{
	return (double)kib_ms / 1024.0 / 1000.0;
}

#endif
