/* squeezed: the XenServer balancer as its public source describes it (xapi
 * ocaml/squeezed/lib/squeeze.ml, "proportional memory" policy): demand-blind,
 * every domain at dyn_min + g x (dyn_max - dyn_min) with one g in [0,1] that
 * makes the sum fit the memory available; the host keeps 72 MiB free; runs
 * every 10 s. Here dyn_min is the floor and dyn_max the maxmem. */
#include <errno.h>
#include <stdio.h>

#include "mm_demand.h"
#include "mm_policy.h"

#define PERIOD_MS     10000
#define HOST_KEEP_KIB (72 * MM_KIB_PER_MIB)

struct squeezed {
	struct mm_cadence clock;
};
_Static_assert(sizeof(struct squeezed) <= MM_POLICY_STATE_BYTES, "fits");

static int sq_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                   size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'squeezed' takes no arguments (got '%s')", args);
		return -EINVAL;
	}
	return 0;
}

/* The one g that fits: (available - sum min) / (sum max - sum min), in [0,1]. */
static double fit_g(double avail_kib, double sum_min_kib, double sum_max_kib)
{
	double g;

	if (!(sum_max_kib > sum_min_kib))
		return 0;
	g = (avail_kib - sum_min_kib) / (sum_max_kib - sum_min_kib);
	return g < 0 ? 0 : g > 1 ? 1 : g;
}

static void sq_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	struct squeezed *q = state;
	double lo = 0, hi = 0, avail = (double)s->pool_kib, g;

	if (!mm_cadence_due(&q->clock, s->now_ms, PERIOD_MS)) {
		mm_policy_wait_all(s, out);
		return;
	}
	/* the pool already keeps the reserve; squeezed keeps 72 MiB */
	if (s->reserve_kib < HOST_KEEP_KIB)
		avail -= (double)(HOST_KEEP_KIB - s->reserve_kib);
	for (size_t i = 0; i < s->n; i++) {
		lo += (double)s->dom[i].floor_kib;
		hi += (double)s->dom[i].maxmem_kib;
	}
	g = fit_g(avail, lo, hi);
	for (size_t i = 0; i < s->n; i++) {
		double mn = (double)s->dom[i].floor_kib, mx = (double)s->dom[i].maxmem_kib;
		out->dom[i].want_kib = mm_policy_kib(mn + g * (mx - mn));
	}
}

const struct mm_policy_type mm_policy_squeezed = {
    .name = "squeezed",
    .usage = "squeezed",
    .help = "XenServer peer: demand-blind, min + g x (max - min) with one g "
            "that fits; host keeps 72 MiB; every 10 s",
    .init = sq_init,
    .run = sq_run,
};
