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

struct mm_guest_metrics {
	char name[MM_NAME_MAX];
	uint64_t shortfall_kib_ms; /* integral of swap used */
	uint64_t idle_kib_ms;      /* integral of allocation beyond need + f */
	uint64_t oom_events;
	uint64_t episodes;  /* times the guest became short */
	uint64_t reactions; /* episodes that ended (covered again) */
	uint64_t reaction_sum_ms, reaction_max_ms;
	uint64_t short_since_ms;
	bool is_short;
	uint64_t harm_ms;           /* time with usable memory below the working set */
	uint64_t stall_ms;          /* time stalled on memory (pressure model) */
	uint64_t start_wait_ms;     /* a due domain waited for the host to have room */
	uint64_t writes, moved_kib; /* churn: target writes and |change| */
	uint64_t maxmem_violations, floor_violations;
	/* how a start went (issue 17): 0 pending, 1 started, 2 failed (its
	 * start_timeout_s passed while the host had no room) */
	int start_result;
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

/* Guest i is due since due_ms but the host has no room to start it: for
 * dt_ms its whole demand is short (shortfall, and a shortage episode that
 * started when it was due). */
void mm_metrics_waiting(struct mm_metrics *m, size_t i, uint64_t demand_kib, uint64_t due_ms,
                        uint64_t dt_ms);

/* Sums over guests. */
void mm_metrics_total(const struct mm_metrics *m, struct mm_guest_metrics *sum);

/* Reaction with the episode still open at the end of the run counted up to
 * that end (SPEC 6: never as 0): episodes, their sum and their maximum. */
static inline uint64_t mm_reaction_count(const struct mm_guest_metrics *g)
{
	return g->reactions + (g->is_short ? 1 : 0);
}

static inline uint64_t mm_reaction_open_ms(const struct mm_guest_metrics *g, uint64_t end_ms)
{
	return g->is_short && end_ms > g->short_since_ms ? end_ms - g->short_since_ms : 0;
}

static inline uint64_t mm_reaction_sum_ms(const struct mm_guest_metrics *g, uint64_t end_ms)
{
	return g->reaction_sum_ms + mm_reaction_open_ms(g, end_ms);
}

static inline uint64_t mm_reaction_max_ms(const struct mm_guest_metrics *g, uint64_t end_ms)
{
	uint64_t open = mm_reaction_open_ms(g, end_ms);
	return open > g->reaction_max_ms ? open : g->reaction_max_ms;
}

/* KiB*ms to MiB*s. */
static inline double mm_mib_s(uint64_t kib_ms)
{
	return (double)kib_ms / 1024.0 / 1000.0;
}

#endif
