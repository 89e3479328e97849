/* Metric accumulation. The physical limit is the least shortfall any
 * allocation could have had at that instant: a guest cannot go above its
 * maxmem, the floors must be kept, and all of it must fit in the pool. */
#include "mm_metrics.h"

#include <string.h>

/* Allocation a guest needs for its demand to be fully resident. */
static uint64_t need_kib(const struct mm_guest *g)
{
	return g->demand_kib + g->cfg->overhead_kib + g->cfg->kernel_min_kib;
}

/* min over x (x_i <= maxmem_i, x_i >= floor_i, sum x <= pool) of
 * sum max(0, need_i - x_i): each guest takes min(need, maxmem) but at least its
 * floor; whatever exceeds the pool is short. */
static uint64_t limit_kib(const struct mm_guest *g, size_t n, uint64_t pool_kib)
{
	uint64_t over_cap = 0, want = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t need, cap, x;
		if (!g[i].alive)
			continue;
		need = need_kib(&g[i]);
		cap = g[i].cfg->maxmem_kib;
		x = need < cap ? need : cap;
		over_cap += need - x;
		want += x > g[i].cfg->floor_kib ? x : g[i].cfg->floor_kib;
	}
	return over_cap + (want > pool_kib ? want - pool_kib : 0);
}

static void reaction(struct mm_guest_metrics *gm, bool is_short, uint64_t now_ms)
{
	if (is_short && !gm->is_short) {
		gm->episodes++;
		gm->short_since_ms = now_ms;
	} else if (!is_short && gm->is_short) {
		uint64_t d = now_ms - gm->short_since_ms;
		gm->reactions++;
		gm->reaction_sum_ms += d;
		if (d > gm->reaction_max_ms)
			gm->reaction_max_ms = d;
	}
	gm->is_short = is_short;
}

void mm_metrics_tick(struct mm_metrics *m, const struct mm_guest *g, uint64_t now_ms,
                     uint64_t dt_ms, uint64_t pool_kib, uint64_t host_free_kib,
                     uint64_t reserve_kib)
{
	for (size_t i = 0; i < m->n; i++) {
		struct mm_guest_metrics *gm = &m->g[i];
		uint64_t need;
		if (!g[i].alive)
			continue;
		need = need_kib(&g[i]) + m->free_goal_kib;
		gm->shortfall_kib_ms += g[i].swap_used_kib * dt_ms;
		gm->idle_kib_ms += (g[i].alloc_kib > need ? g[i].alloc_kib - need : 0) * dt_ms;
		gm->oom_events = g[i].oom_events;
		reaction(gm, g[i].swap_used_kib > 0, now_ms);
		if (g[i].under_ws)
			gm->harm_ms += dt_ms;
		gm->stall_ms += (uint64_t)(g[i].stall * (double)dt_ms + 0.5);
	}
	if (host_free_kib > reserve_kib)
		m->host_left_kib_ms += (host_free_kib - reserve_kib) * dt_ms;
	m->limit_kib_ms += limit_kib(g, m->n, pool_kib) * dt_ms;
	if (host_free_kib < reserve_kib)
		m->reserve_violation_ticks++;
	m->ticks++;
	m->duration_ms = now_ms;
}

void mm_metrics_waiting(struct mm_metrics *m, size_t i, uint64_t demand_kib, uint64_t due_ms,
                        uint64_t dt_ms)
{
	struct mm_guest_metrics *gm = &m->g[i];

	gm->start_wait_ms += dt_ms;
	gm->shortfall_kib_ms += demand_kib * dt_ms;
	if (!gm->is_short) {
		gm->episodes++;
		gm->short_since_ms = due_ms;
		gm->is_short = true;
	}
}

void mm_metrics_write(struct mm_metrics *m, size_t i, const struct mm_guest *g,
                      uint64_t new_target_kib)
{
	struct mm_guest_metrics *gm = &m->g[i];

	gm->writes++;
	gm->moved_kib += new_target_kib > g->target_kib ? new_target_kib - g->target_kib
	                                                : g->target_kib - new_target_kib;
	if (new_target_kib > g->cfg->maxmem_kib)
		gm->maxmem_violations++;
	/* Below the floor and below what the guest has: a shrink into the floor.
	 * A grow held short of the floor by the reserve shrinks nothing. */
	if (new_target_kib < g->cfg->floor_kib && new_target_kib < g->alloc_kib)
		gm->floor_violations++;
}

void mm_metrics_total(const struct mm_metrics *m, struct mm_guest_metrics *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < m->n; i++) {
		const struct mm_guest_metrics *gm = &m->g[i];
		sum->shortfall_kib_ms += gm->shortfall_kib_ms;
		sum->idle_kib_ms += gm->idle_kib_ms;
		sum->oom_events += gm->oom_events;
		sum->episodes += gm->episodes;
		/* open episodes close at the end of the run in the sum */
		sum->reactions += mm_reaction_count(gm);
		sum->reaction_sum_ms += mm_reaction_sum_ms(gm, m->duration_ms);
		if (mm_reaction_max_ms(gm, m->duration_ms) > sum->reaction_max_ms)
			sum->reaction_max_ms = mm_reaction_max_ms(gm, m->duration_ms);
		sum->harm_ms += gm->harm_ms;
		sum->stall_ms += gm->stall_ms;
		sum->start_wait_ms += gm->start_wait_ms;
		sum->writes += gm->writes;
		sum->moved_kib += gm->moved_kib;
		sum->maxmem_violations += gm->maxmem_violations;
		sum->floor_violations += gm->floor_violations;
	}
}
