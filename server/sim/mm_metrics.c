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

/* The physical limit is min over x (x_i <= maxmem_i, x_i >= floor_i,
 * sum x <= pool) of sum max(0, need_i - x_i): each guest takes
 * min(need, maxmem) but at least its floor; whatever exceeds the pool is
 * short. limit_add sums one guest's part, in the tick's one pass. */
struct limit {
	uint64_t over_cap, want;
};

static void limit_add(struct limit *l, const struct mm_guest *g, uint64_t need)
{
	uint64_t cap = g->cfg->maxmem_kib, x = need < cap ? need : cap;

	l->over_cap += need - x;
	l->want += x > g->cfg->floor_kib ? x : g->cfg->floor_kib;
}

static uint64_t limit_kib(const struct limit *l, uint64_t pool_kib)
{
	return l->over_cap + (l->want > pool_kib ? l->want - pool_kib : 0);
}

/* Steps the allocation now covers end: those whose level it reached, and
 * all of them once the guest's need is covered. */
static void steps_close(struct mm_guest_metrics *gm, uint64_t alloc_kib, uint64_t need_kib,
                        uint64_t now_ms)
{
	uint32_t keep = 0;

	for (uint32_t k = 0; k < gm->n_open; k++) {
		struct mm_step *st = &gm->open[k];
		if (st->level_kib > alloc_kib && need_kib > alloc_kib) {
			gm->open[keep++] = *st;
			continue;
		}
		gm->reaction_sum_ms += (uint64_t)st->n * now_ms - st->sum_ms;
		if (now_ms - st->first_ms > gm->reaction_max_ms)
			gm->reaction_max_ms = now_ms - st->first_ms;
	}
	gm->n_open = keep;
}

/* A step to level_kib at start_ms (covered now or not: it counts). Full, the
 * two open steps of nearest levels share the higher level: they may only
 * wait longer for it, never less (the metric does not flatter). */
static void step_add(struct mm_guest_metrics *gm, uint64_t level_kib, uint64_t alloc_kib,
                     uint64_t start_ms)
{
	uint32_t k;

	gm->steps++;
	if (alloc_kib >= level_kib)
		return; /* covered in advance: waits 0 */
	if (gm->n_open == MM_STEPS_OPEN) {
		uint32_t best = 0;
		for (k = 1; k + 1 < MM_STEPS_OPEN; k++)
			if (gm->open[k + 1].level_kib - gm->open[k].level_kib <
			    gm->open[best + 1].level_kib - gm->open[best].level_kib)
				best = k;
		gm->open[best + 1].n += gm->open[best].n;
		gm->open[best + 1].sum_ms += gm->open[best].sum_ms;
		if (gm->open[best].first_ms < gm->open[best + 1].first_ms)
			gm->open[best + 1].first_ms = gm->open[best].first_ms;
		memmove(&gm->open[best], &gm->open[best + 1],
		        (MM_STEPS_OPEN - best - 1) * sizeof(gm->open[0]));
		gm->n_open--;
	}
	for (k = gm->n_open; k > 0 && gm->open[k - 1].level_kib > level_kib; k--)
		gm->open[k] = gm->open[k - 1];
	gm->open[k] = (struct mm_step){
	    .level_kib = level_kib, .first_ms = start_ms, .sum_ms = start_ms, .n = 1};
	gm->n_open++;
}

/* The demand rose by a step (or the guest appeared): a step to its need. */
static void steps_tick(struct mm_guest_metrics *gm, uint64_t demand_kib, uint64_t need_kib,
                       uint64_t alloc_kib, uint64_t start_ms, uint64_t now_ms)
{
	if (!gm->seen || demand_kib >= gm->prev_demand_kib + MM_STEP_MIN_KIB)
		step_add(gm, need_kib, alloc_kib, gm->seen ? now_ms : start_ms);
	gm->seen = true;
	gm->prev_demand_kib = demand_kib;
	steps_close(gm, alloc_kib, need_kib, now_ms);
}

void mm_metrics_tick(struct mm_metrics *m, const struct mm_guest *g, uint64_t now_ms,
                     uint64_t dt_ms, uint64_t pool_kib, uint64_t host_free_kib,
                     uint64_t reserve_kib)
{
	struct limit lim = {0};

	for (size_t i = 0; i < m->n; i++) {
		struct mm_guest_metrics *gm = &m->g[i];
		uint64_t need;
		if (!g[i].alive) {
			if (gm->was_alive) /* gone: its demand went with it */
				steps_close(gm, 0, 0, now_ms);
			continue;
		}
		gm->was_alive = true;
		limit_add(&lim, &g[i], need_kib(&g[i]));
		steps_tick(gm, g[i].demand_kib, need_kib(&g[i]), g[i].alloc_kib, now_ms, now_ms);
		gm->episodes += g[i].swap_used_kib > 0 && !gm->is_short;
		gm->is_short = g[i].swap_used_kib > 0;
		need = need_kib(&g[i]) + m->free_goal_kib;
		gm->shortfall_kib_ms += g[i].swap_used_kib * dt_ms;
		gm->idle_kib_ms += (g[i].alloc_kib > need ? g[i].alloc_kib - need : 0) * dt_ms;
		gm->oom_events = g[i].oom_events;
		if (g[i].under_ws)
			gm->harm_ms += dt_ms;
		gm->stall_ms += (uint64_t)(g[i].stall * (double)dt_ms + 0.5);
	}
	if (host_free_kib > reserve_kib)
		m->host_left_kib_ms += (host_free_kib - reserve_kib) * dt_ms;
	m->limit_kib_ms += limit_kib(&lim, pool_kib) * dt_ms;
	if (host_free_kib < reserve_kib)
		m->reserve_violation_ticks++;
	m->ticks++;
	m->duration_ms = now_ms;
}

void mm_metrics_waiting(struct mm_metrics *m, size_t i, uint64_t demand_kib, uint64_t need_kib,
                        uint64_t due_ms, uint64_t dt_ms)
{
	struct mm_guest_metrics *gm = &m->g[i];

	gm->start_wait_ms += dt_ms;
	gm->shortfall_kib_ms += demand_kib * dt_ms;
	gm->episodes += !gm->is_short;
	gm->is_short = true;
	/* the start is a step since it was due; nothing is allocated yet */
	if (!gm->seen) {
		step_add(gm, need_kib, 0, due_ms);
		gm->seen = true;
		gm->prev_demand_kib = demand_kib;
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
		/* open steps close at the end of the run in the sum */
		sum->steps += mm_reaction_count(gm);
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
