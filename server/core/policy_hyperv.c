/* hyperv: Hyper-V Dynamic Memory as Microsoft documents it (Hyper-V Dynamic
 * Memory overview and configuration guide): demand = committed memory;
 * target = demand x (1 + buffer), buffer 20 %; within [minimum, maximum];
 * rebalanced every second; what no target claims stays with the host. When
 * the host is short, higher memory weight (priority, 0..100, default 50) is
 * served first and the buffer is the first thing given up. Removing memory
 * is lazier than adding it: we model that as a tenth of the excess per
 * round (the documents give no number). */
#include <errno.h>
#include <stdio.h>

#include "mm_demand.h"
#include "mm_policy.h"

#define PERIOD_MS      1000
#define BUFFER_PERCENT 20
#define SHRINK_DIVISOR 10
#define WEIGHT_MAX     100

struct hyperv {
	struct mm_cadence clock;
};
_Static_assert(sizeof(struct hyperv) <= MM_POLICY_STATE_BYTES, "fits");

static int hv_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                   size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'hyperv' takes no arguments (got '%s')", args);
		return -EINVAL;
	}
	return 0;
}

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static unsigned weight_of(const struct mm_dom_in *d)
{
	return d->weight > WEIGHT_MAX ? WEIGHT_MAX : d->weight;
}

/* What each domain needs without buffer, within its bounds. */
static double demand_of(const struct mm_dom_in *d)
{
	return clampd((double)mm_dom_committed_kib(d), (double)d->floor_kib, (double)d->maxmem_kib);
}

/* Short of memory for the demands: serves weights from the highest down;
 * the first weight that does not fit shares what is left in proportion to
 * need above the floor. share[w] is the part of its need weight w gets. */
static void shares_by_weight(const struct mm_snapshot *s, double left, double *share)
{
	double need[WEIGHT_MAX + 1] = {0};

	for (size_t i = 0; i < s->n; i++)
		need[weight_of(&s->dom[i])] += demand_of(&s->dom[i]) - (double)s->dom[i].floor_kib;
	for (int w = WEIGHT_MAX; w >= 0; w--) {
		share[w] = need[w] <= left ? 1.0 : (need[w] > 0 ? left / need[w] : 1.0);
		left -= need[w] * share[w];
		left = left > 0 ? left : 0;
	}
}

static void hv_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	struct hyperv *h = state;
	double pool = (double)s->pool_kib, floors = 0, demand = 0, buffers = 0, bscale = 1;
	double share[WEIGHT_MAX + 1];

	if (!mm_cadence_due(&h->clock, s->now_ms, PERIOD_MS)) {
		mm_policy_wait_all(s, out);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct mm_dom_in *d = &s->dom[i];
		double dm = demand_of(d);
		floors += (double)d->floor_kib;
		demand += dm;
		buffers += clampd(dm * BUFFER_PERCENT / 100.0, 0, (double)d->maxmem_kib - dm);
	}
	for (int w = 0; w <= WEIGHT_MAX; w++)
		share[w] = 1.0;
	if (demand > pool)
		shares_by_weight(s, pool - floors, share);
	else if (demand + buffers > pool)
		bscale = buffers > 0 ? (pool - demand) / buffers : 0;
	else
		bscale = 1;
	if (demand > pool)
		bscale = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct mm_dom_in *d = &s->dom[i];
		double dm = demand_of(d), fl = (double)d->floor_kib;
		double buf = clampd(dm * BUFFER_PERCENT / 100.0, 0, (double)d->maxmem_kib - dm);
		double x = fl + (dm - fl) * share[weight_of(d)] + buf * bscale;
		double cur = (double)d->target_kib;
		if (x < cur)
			x = cur - (cur - x) / SHRINK_DIVISOR;
		out->dom[i].want_kib = mm_policy_kib(x);
	}
}

const struct mm_policy_type mm_policy_hyperv = {
    .name = "hyperv",
    .usage = "hyperv",
    .help = "Hyper-V peer: demand x 1.2 within [min, max]; rest stays with the "
            "host; when short, weight first, buffer given up first; every 1 s",
    .init = hv_init,
    .run = hv_run,
};
