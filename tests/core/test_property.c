/* Property test: 100000 random snapshots (n up to 1000, absurd reports,
 * odd bounds, tiny or huge pools). Whatever the policy, every plan keeps the
 * guards' promises and is the same when run twice. Seeded, deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core_fixture.h"
#include "mm_parse.h"

#define ROUNDS 100000

static struct fixture fx;
static struct mm_dom_out first[FX_MAX];
static uint64_t rng = 0x9e3779b97f4a7c15u;
static const uint64_t zeros[FX_MAX];

static uint64_t next(void) /* xorshift64*: fixed sequence for a fixed seed */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1du;
}

static uint64_t pick(uint64_t lo, uint64_t hi)
{
	return lo + next() % (hi - lo + 1);
}

/* A report ranging from sane to absurd (but parseable: the parser refuses
 * worse ones before they get here). */
static void random_report(struct mm_report *r)
{
	switch (next() % 4) {
	case 0: r->tot_kib = pick(1, MM_SIZE_MAX_KIB); break; /* absurd */
	case 1: r->tot_kib = 1; break;
	default: r->tot_kib = pick(64 * MIB, 8 * GIB); break;
	}
	r->free_kib = next() % 3 ? pick(0, r->tot_kib) : (next() % 2 ? 0 : r->tot_kib);
}

static void random_dom(struct mm_dom_in *d)
{
	d->maxmem_kib = next() % 20 ? pick(256 * MIB, 16 * GIB) : pick(0, 300 * MIB);
	d->floor_kib = next() % 10 ? 200 * MIB : pick(0, 2 * GIB);
	d->actual_kib = pick(0, d->maxmem_kib);
	d->target_kib = next() % 4 ? d->actual_kib : pick(0, d->maxmem_kib + GIB);
	d->has_report = next() % 10 != 0;
	d->flags = next() % 8 ? 0 : (uint32_t)(1u << (next() % 3));
	if (d->flags == MM_FLAG_STUCK && next() % 2)
		d->flags |= MM_FLAG_STUCK_GROW;
	if (!d->has_report)
		d->flags |= MM_FLAG_NO_REPORT;
	if (d->has_report)
		random_report(&d->report);
}

static const char *const policies[] = {"tax", "tax:0.3", "tax:1.0", "equal", "none"};

/* Checks one plan; returns nothing, asserts everything. */
static void check_plan(const struct mm_snapshot *s, const struct mm_plan *p, int pol_none)
{
	uint64_t sum = 0, kept_mov_floor = 0, grow = 0, budget;
	int feasible;

	budget = s->host_free_kib > s->reserve_kib ? s->host_free_kib - s->reserve_kib : 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct mm_dom_in *d = &s->dom[i];
		const struct mm_dom_out *o = &p->dom[i];
		uint64_t t = o->target_kib;

		sum += t;
		if (o->flags & MM_FLAG_FIXED) { /* never written: its pending grow comes first */
			assert_int_equal(t, d->target_kib);
			budget -= t > d->actual_kib
			              ? (t - d->actual_kib < budget ? t - d->actual_kib : budget)
			              : 0;
		} else {
			grow += t > d->actual_kib ? t - d->actual_kib : 0;
		}
		assert_true(t <= MM_SIZE_MAX_KIB + 16 * GIB); /* never wrapped negative */
		if (pol_none || t == d->target_kib)
			continue;                   /* nothing written */
		if (d->maxmem_kib < d->floor_kib) { /* unmanageable: only lowered toward actual */
			assert_true(t < d->target_kib && t >= d->actual_kib);
			continue;
		}
		assert_true(t <= d->maxmem_kib);
		/* a balloon that would not grow is never asked to grow */
		if (d->flags & MM_FLAG_STUCK_GROW)
			assert_true(t <= d->actual_kib || t <= d->floor_kib);
		if (o->reason == MM_REASON_STUCK && (d->flags & MM_FLAG_STUCK_GROW))
			assert_true(t == d->actual_kib || t == d->floor_kib); /* capped */
		else if (o->reason == MM_REASON_NO_REPORT || o->reason == MM_REASON_STALE ||
		         o->reason == MM_REASON_STUCK)
			assert_true(t == d->actual_kib);
		else if (o->reason == MM_REASON_RESERVE)
			assert_true(t >= d->actual_kib &&
			            (t >= d->floor_kib || d->actual_kib < d->floor_kib));
		else
			assert_true(t >= d->floor_kib);
	}
	if (pol_none)
		return;
	assert_true(grow <= budget || grow == 0);
	/* The pool holds whenever the floors and held allocations fit in it. */
	for (size_t i = 0; i < s->n; i++) {
		const struct mm_dom_in *d = &s->dom[i];
		/* stuck only in growing, with a report: still moves (down), floor applies */
		int grow_stuck = (d->flags & MM_FLAG_STUCK_GROW) && d->has_report &&
		                 !(d->flags & (MM_FLAG_STALE | MM_FLAG_NO_REPORT));
		int held =
		    ((d->flags & MM_FLAG_HELD) && !grow_stuck) || d->maxmem_kib < d->floor_kib;
		kept_mov_floor +=
		    held ? (d->target_kib > d->actual_kib ? d->target_kib : d->actual_kib)
		         : d->floor_kib;
	}
	feasible = kept_mov_floor <= s->pool_kib;
	if (feasible)
		assert_true(sum <= s->pool_kib);
}

static void test_random_snapshots(void **state)
{
	struct mm_policy pol;
	char err[64];
	(void)state;

	for (int round = 0; round < ROUNDS; round++) {
		size_t n = (size_t)(next() % 10 == 0 ? pick(1, 1000) : pick(1, 16));
		const char *spec = policies[next() % 5];
		uint64_t seed;

		fx_init(&fx, n, zeros);
		for (size_t i = 0; i < n; i++)
			random_dom(&fx.in[i]);
		fx.snap.pool_kib = next() % 4 ? pick(0, n * 8 * GIB) : pick(0, MM_SIZE_MAX_KIB);
		fx.snap.free_goal_kib = pick(0, 4 * GIB);
		fx.snap.host_free_kib = pick(0, 64 * GIB);
		fx.snap.reserve_kib = pick(0, 256 * MIB);
		assert_int_equal(mm_policy_init(&pol, spec, err, sizeof(err)), 0);
		mm_tax_set_tau_prev(&pol, (double)(next() % 1001) / 1000.0);
		seed = rng;
		{
			struct mm_policy again = pol;
			fx_round(&fx, &pol);
			memcpy(first, fx.out, n * sizeof(first[0]));
			check_plan(&fx.snap, &fx.plan, mm_policy_observes(&pol));
			assert_true(fx.plan.tau >= 0 && fx.plan.tau <= 1);
			fx_round(&fx, &again);
			assert_memory_equal(first, fx.out, n * sizeof(first[0]));
		}
		assert_true(seed == rng);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_snapshots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
