/* Runs a scenario (path from the source root, without .json) in-process through the real loop and
 * the sim backend, with an invariant checker on every round (the sim backend checks maxmem, floor
 * and reserve on every write and tick itself). */
#ifndef SIM_HARNESS_H
#define SIM_HARNESS_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backend_sim.h"
#include "mm_config.h"
#include "mm_loop.h"

#define H_MAX_DOMS 128

struct run {
	struct mm_backend *b;
	struct mm_loop loop;
	volatile sig_atomic_t stop, reload;
	const struct mm_metrics *m;
	uint64_t rounds;
	uint64_t pool_violations;  /* rounds whose targets sum above the pool */
	uint64_t bound_violations; /* written targets above maxmem */
	uint64_t max_tau_x1000;
	size_t ndom;
	struct mm_round_dom last[H_MAX_DOMS];                      /* the last round, per domain */
	void (*each)(struct run *r, const struct mm_round *round); /* optional extra check */
	void *user;
};

static void h_on_round(void *arg, const struct mm_round *rd)
{
	struct run *r = arg;
	uint64_t sum = 0;

	r->rounds++;
	for (size_t i = 0; i < rd->n; i++) {
		if (!(rd->dom[i].flags & MM_FLAG_OUT_OF_SCOPE)) /* not ours: not in the pool */
			sum += rd->dom[i].target_kib;
		if (rd->dom[i].target_kib != rd->dom[i].prev_target_kib &&
		    rd->dom[i].target_kib > rd->dom[i].maxmem_kib)
			r->bound_violations++;
	}
	if (sum > rd->pool_kib)
		r->pool_violations++;
	if ((uint64_t)(rd->tau * 1000) > r->max_tau_x1000)
		r->max_tau_x1000 = (uint64_t)(rd->tau * 1000);
	r->ndom = rd->n < H_MAX_DOMS ? rd->n : H_MAX_DOMS;
	memcpy(r->last, rd->dom, r->ndom * sizeof(r->last[0]));
	if (r->each)
		r->each(r, rd);
}

/* Returns 0 or a negative errno; prints why on failure. */
static int h_run(struct run *r, const char *scenario, const char *policy, unsigned guard_off,
                 uint64_t duration_ms)
{
	char path[512], dir[512], err[512];
	struct mm_scenario sc;
	struct mm_settings s;
	struct mm_sim_opts so = {.fast = true, .duration_ms = duration_ms};
	int rc;

	snprintf(path, sizeof(path), "%s/%s.json", MM_SOURCE_DIR, scenario);
	snprintf(dir, sizeof(dir), "%s/tests/sim/out", MM_BINARY_DIR);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/tests/sim/out/%s-%s-%x", MM_BINARY_DIR,
	         strrchr(scenario, '/') ? strrchr(scenario, '/') + 1 : scenario, policy, guard_off);
	rc = mm_scenario_load(path, &sc, err, sizeof(err));
	if (rc)
		return fprintf(stderr, "%s\n", err), rc;
	mm_settings_defaults(&s, policy);
	mm_settings_hints(&s, 0, sc.pool_kib, sc.free_kib, sc.reserve_kib);
	s.guard_off = guard_off;
	rc = mm_backend_sim_create(&sc, &so, &r->b, err, sizeof(err));
	if (rc)
		return fprintf(stderr, "%s\n", err), rc;
	mm_backend_sim_set_free_goal(r->b, s.free_kib);
	rc = mm_loop_apply_settings(&r->loop, &s, err, sizeof(err));
	rc = rc ? rc : mm_logs_open(&r->loop.logs, dir, 0);
	if (rc)
		return fprintf(stderr, "setup: %s rc=%d\n", err, rc), rc;
	r->loop.b = r->b;
	r->loop.stop = &r->stop;
	r->loop.reload = &r->reload;
	r->loop.on_round = h_on_round;
	r->loop.on_round_arg = r;
	rc = mm_loop_run(&r->loop);
	r->m = mm_backend_sim_metrics(r->b);
	return rc;
}

static void h_dispose(struct run *r)
{
	mm_loop_dispose(&r->loop);
	if (r->b)
		r->b->ops->destroy(r->b);
	memset(r, 0, sizeof(*r));
}

/* Sums over guests. */
static struct mm_guest_metrics h_total(const struct run *r)
{
	struct mm_guest_metrics t;
	mm_metrics_total(r->m, &t);
	return t;
}

/* Target writes the sim saw for one guest over the whole run. */
static uint64_t h_total_writes_of(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->m->n; i++)
		if (!strcmp(r->m->g[i].name, name))
			return r->m->g[i].writes;
	return UINT64_MAX;
}

static const struct mm_round_dom *h_dom(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->ndom; i++)
		if (!strcmp(r->last[i].name, name))
			return &r->last[i];
	return NULL;
}

/* The invariants that must hold in every run with all guards on. */
#define H_ASSERT_INVARIANTS(r)                                                                     \
	do {                                                                                       \
		struct mm_guest_metrics t_ = h_total(r);                                           \
		assert_int_equal(t_.maxmem_violations, 0);                                         \
		assert_int_equal(t_.floor_violations, 0);                                          \
		assert_int_equal((r)->m->reserve_violation_ticks, 0);                              \
		assert_int_equal((r)->pool_violations, 0);                                         \
		assert_int_equal((r)->bound_violations, 0);                                        \
	} while (0)

#endif
