/* The tax policy against the SPEC 3.4 test vectors, the other policies, and
 * one test per 2013 defect that fails on the 2013 behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>

#include "core_fixture.h"

static struct fixture fx;

static void init_policy(struct mm_policy *p, const char *spec)
{
	char err[128];
	assert_int_equal(mm_policy_init(p, spec, err, sizeof(err)), 0);
}

/* SPEC 3.4: N = 5 GiB, f = 150 MiB, n = 5, three rounds with AUTO tau. */
static void test_tax_vectors(void **state)
{
	const uint64_t r1[5] = {900000, 300000, 300000, 300000, 300000};
	const uint64_t r2[5] = {1500000, 300000, 300000, 300000, 300000};
	const uint64_t r3[5] = {600000, 300000, 300000, 300000, 300000};
	struct mm_policy p;
	(void)state;

	init_policy(&p, "tax");
	fx_init(&fx, 5, r1);
	for (size_t i = 0; i < 5; i++) /* tot 2 GiB so that 1.5 GiB used fits */
		fx.in[i].report.tot_kib = 2 * GIB, fx.in[i].report.free_kib = 2 * GIB - r1[i];
	fx_round(&fx, &p);
	assert_float_equal(fx.plan.tau, 0.0104667, 1e-7);
	assert_int_equal(fx.out[0].target_kib, 1053600);
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(fx.out[i].target_kib, 1047320);
	assert_int_equal(fx.out[0].reason, MM_REASON_GROW);
	assert_int_equal(fx.out[1].reason, MM_REASON_SHRINK);
	assert_int_equal(fx_sum(&fx), 5 * GIB);
	fx_apply(&fx);

	for (size_t i = 0; i < 5; i++)
		fx.in[i].report.free_kib = 2 * GIB - r2[i];
	fx_round(&fx, &p);
	assert_float_equal(fx.plan.tau, 0.6302333, 1e-7);
	assert_int_equal(fx.out[0].target_kib, 1653600);
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(fx.out[i].target_kib, 897320);
	fx_apply(&fx);

	for (size_t i = 0; i < 5; i++)
		fx.in[i].report.free_kib = 2 * GIB - r3[i];
	fx_round(&fx, &p);
	assert_float_equal(fx.plan.tau, 0.56721, 1e-5); /* fell 1/10 of the gap */
	assert_true(fx.out[0].target_kib >= 1184705 && fx.out[0].target_kib <= 1184707);
	for (size_t i = 1; i < 5; i++)
		assert_true(fx.out[i].target_kib >= 1014542 && fx.out[i].target_kib <= 1014544);
	assert_true(fx_sum(&fx) <= 5 * GIB && fx_sum(&fx) >= 5 * GIB - 5);
}

static void test_tax_static_and_reset(void **state)
{
	const uint64_t used[3] = {800 * MIB, 200 * MIB, 200 * MIB};
	struct mm_policy p;
	(void)state;

	fx_init(&fx, 3, used);
	fx.snap.pool_kib = 3 * GIB;
	init_policy(&p, "tax:0.5");
	fx_round(&fx, &p);
	assert_float_equal(fx.plan.tau, 0.5, 0);
	/* x = N/n + 0.5 (A - mean): mean 400 MiB */
	assert_int_equal(fx.out[0].target_kib, GIB + 200 * MIB);
	assert_int_equal(fx.out[1].target_kib, GIB - 100 * MIB);
	init_policy(&p, "tax:0"); /* -r */
	fx_round(&fx, &p);
	assert_int_equal(fx.out[0].target_kib, GIB);
	assert_int_equal(fx.out[0].reason, MM_REASON_HOLD);
	init_policy(&p, "equal");
	fx_round(&fx, &p);
	assert_int_equal(fx.out[2].target_kib, GIB);
}

static void test_policy_names(void **state)
{
	struct mm_policy p;
	char err[256];
	(void)state;
	assert_int_equal(mm_policy_init(&p, "tax:1.0", err, sizeof(err)), 0);
	assert_string_equal(p.spec, "tax:1.0");
	assert_int_equal(mm_policy_init(&p, "tax:AUTO", err, sizeof(err)), 0);
	assert_string_equal(p.spec, "tax");
	assert_float_equal(mm_tax_tau_prev(&p), 0, 0); /* AUTO, starting at 0 */
	assert_int_equal(mm_policy_init(&p, "tax:0.5", err, sizeof(err)), 0);
	assert_float_equal(mm_tax_tau_prev(&p), -1, 0); /* static: no AUTO state */
	assert_int_equal(mm_policy_init(&p, "tax:1.5", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "policy 'tax:1.5': tax rate must be AUTO or 0.0 to 1.0");
	assert_int_equal(mm_policy_init(&p, "tax:-0.1", err, sizeof(err)), -EINVAL);
	assert_int_equal(mm_policy_init(&p, "tax:nan", err, sizeof(err)), -EINVAL);
	assert_int_equal(mm_policy_init(&p, "greedy", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown policy 'greedy' (known: ebb, tax, equal, none, qmemman, "
	                         "squeezed, selfballoon, hyperv, proxmox; --policy help "
	                         "describes them)");
	assert_int_equal(mm_policy_init(&p, "taxi", err, sizeof(err)), -EINVAL);
	assert_int_equal(mm_policy_init(&p, "equal:3", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "policy 'equal' takes no arguments (got '3')");
	/* every registered policy has a name, a help line and the two calls */
	for (size_t i = 0; mm_policy_types[i]; i++) {
		const struct mm_policy_type *t = mm_policy_types[i];
		assert_non_null(t->name);
		assert_non_null(t->help);
		assert_non_null(t->usage);
		assert_non_null(t->init);
		assert_non_null(t->run);
		assert_int_equal(mm_policy_init(&p, t->name, err, sizeof(err)), 0);
		assert_ptr_equal(p.type, t);
		mm_policy_dispose(&p);
	}
}

/* A policy's own reason survives the core; one it leaves unset is derived. */
static void fake_run(void *st, const struct mm_snapshot *s, struct mm_plan *out)
{
	(void)st;
	out->dom[0].want_kib = (int64_t)s->dom[0].target_kib + 100 * (int64_t)MIB;
	out->dom[0].reason = MM_REASON_PRESSURE;
	out->dom[1].want_kib = (int64_t)s->dom[1].target_kib - 100 * (int64_t)MIB;
}

static void test_policy_own_reason(void **state)
{
	static const struct mm_policy_type fake = {.name = "fake", .run = fake_run};
	const uint64_t used[3] = {300000, 300000, 300000};
	struct mm_policy p = {.type = &fake};
	(void)state;

	fx_init(&fx, 3, used);
	fx_round(&fx, &p);
	assert_int_equal(fx.out[0].reason, MM_REASON_PRESSURE);
	assert_int_equal(fx.out[0].target_kib, GIB + 100 * MIB);
	assert_int_equal(fx.out[1].reason, MM_REASON_SHRINK);
	assert_int_equal(fx.out[2].reason, MM_REASON_HOLD);
	assert_string_equal(mm_reason_name(MM_REASON_PRESSURE), "pressure");
}

/* A domain whose maxmem is below its floor is left alone: the reserve guard
 * must not rewrite its pending grow either (it did: 150000 -> 103616 KiB,
 * reason reserve, when the host was short). */
static void test_unmanageable_pending_grow_untouched(void **state)
{
	const uint64_t used[3] = {300000, 300000, 300000};
	struct mm_policy p;
	(void)state;

	init_policy(&p, "tax");
	fx_init(&fx, 3, used);
	fx.in[2].maxmem_kib = 150000; /* below the 200 MiB floor */
	fx.in[2].actual_kib = 100000;
	fx.in[2].target_kib = 150000;             /* a grow Xen has not finished */
	fx.snap.host_free_kib = 64 * MIB + 10000; /* 10000 KiB above the reserve */
	fx_round(&fx, &p);
	assert_int_equal(fx.out[2].target_kib, 150000);
	assert_int_equal(fx.out[2].reason, MM_REASON_HOLD);
	assert_true(fx.out[2].flags & MM_FLAG_FIXED);
}

/* 2013 defect: all A_i equal made the AUTO formula 0/0 and targets NaN. */
static void test_defect_equal_usage_nan(void **state)
{
	const uint64_t used[4] = {300000, 300000, 300000, 300000};
	struct mm_policy p;
	(void)state;

	init_policy(&p, "tax");
	fx_init(&fx, 4, used);
	fx.snap.pool_kib = 4 * GIB;
	fx_round(&fx, &p);
	assert_true(fx.plan.tau == fx.plan.tau); /* not NaN */
	assert_float_equal(fx.plan.tau, 0, 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(fx.out[i].target_kib, GIB);
	assert_float_equal(mm_tax_auto_raw(300000, 300000, 4, 4.0 * GIB, 150 * MIB), 0, 0);
}

/* 2013 defect: under overcommit tau*(A_i - mean) made idle guests' targets
 * negative. They must end at their floors, the sum still within the pool. */
static void test_defect_negative_targets(void **state)
{
	const uint64_t used[4] = {1000 * MIB, 10 * MIB, 10 * MIB, 10 * MIB};
	struct mm_policy p;
	(void)state;

	init_policy(&p, "tax:1.0");
	fx_init(&fx, 4, used);
	fx.snap.pool_kib = 1500 * MIB;
	for (size_t i = 0; i < 4; i++)
		fx.in[i].report.tot_kib = 2 * GIB, fx.in[i].report.free_kib = 2 * GIB - used[i];
	fx_round(&fx, &p);
	/* unguarded: x_1 = 375 MiB + (10 - 257.5) MiB = 127.5 MiB, below the floor */
	for (size_t i = 1; i < 4; i++) {
		assert_true(fx.out[i].want_kib < (int64_t)(200 * MIB));
		assert_int_equal(fx.out[i].target_kib, 200 * MIB);
		assert_int_equal(fx.out[i].reason, MM_REASON_FLOOR);
	}
	assert_int_equal(fx.out[0].target_kib, 900 * MIB); /* what the floors leave */
	assert_int_equal(fx_sum(&fx), 1500 * MIB);
}

/* 2013 defect: targets above maxmem were written as is. Clip, and give the
 * excess to the others so the pool is still used. */
static void test_defect_over_maxmem(void **state)
{
	const uint64_t used[3] = {900 * MIB, 100 * MIB, 100 * MIB};
	struct mm_policy p;
	(void)state;

	init_policy(&p, "tax:1.0");
	fx_init(&fx, 3, used);
	fx.snap.pool_kib = 3 * GIB;
	fx.in[0].maxmem_kib = 1200 * MIB;
	fx_round(&fx, &p);
	/* unguarded: 1024 + (900 - 366.7) = 1557 MiB > maxmem */
	assert_true(fx.out[0].want_kib > (int64_t)(1200 * MIB));
	assert_int_equal(fx.out[0].target_kib, 1200 * MIB);
	assert_int_equal(fx.out[0].reason, MM_REASON_MAXMEM);
	assert_true(fx.out[0].flags & MM_FLAG_CAPPED);
	assert_true(fx_sum(&fx) <= 3 * GIB && fx_sum(&fx) >= 3 * GIB - 3); /* KiB rounding */
	/* the two others split the rest equally (same used), keeping the shape */
	assert_int_equal(fx.out[1].target_kib, fx.out[2].target_kib);
}

/* 2013 defect: the free floor was checked against the old target, so the
 * busiest guest could be left with less than f free after the move. With
 * AUTO, the new target of the busiest guest leaves it exactly f free. */
static void test_defect_free_floor_new_target(void **state)
{
	const uint64_t used[5] = {1500 * MIB, 200 * MIB, 250 * MIB, 300 * MIB, 100 * MIB};
	struct mm_policy p;
	(void)state;

	init_policy(&p, "tax");
	fx_init(&fx, 5, used);
	for (size_t i = 0; i < 5; i++)
		fx.in[i].report.tot_kib = 2 * GIB, fx.in[i].report.free_kib = 2 * GIB - used[i];
	fx_round(&fx, &p);
	assert_true(fx.plan.tau > 0.5);
	assert_true(fx.out[0].target_kib >= 1500 * MIB + 150 * MIB - 1);
	assert_true(fx.out[0].target_kib <= 1500 * MIB + 150 * MIB + 1);
}

/* 2013 defect: the domain set was read once at start. The core takes any n
 * each round; tau state carries over and the pool is always fully shared. */
static void test_defect_domain_set_changes(void **state)
{
	const uint64_t used[5] = {700 * MIB, 200 * MIB, 250 * MIB, 300 * MIB, 100 * MIB};
	struct mm_policy p;
	(void)state;

	init_policy(&p, "tax");
	fx_init(&fx, 3, used);
	fx_round(&fx, &p);
	assert_true(fx_sum(&fx) <= 5 * GIB && fx_sum(&fx) >= 5 * GIB - 3);
	fx_init(&fx, 5, used);
	fx_round(&fx, &p);
	assert_true(fx_sum(&fx) <= 5 * GIB && fx_sum(&fx) >= 5 * GIB - 5);
	fx.snap.n = 2;
	fx.plan.n = 2;
	fx_round(&fx, &p);
	assert_true(fx_sum(&fx) <= 5 * GIB);
	assert_true(fx.out[0].target_kib <= 4 * GIB);
}

/* A guest whose Cached is mostly tmpfs: free (MemFree + Cached) says 824
 * MiB, MemAvailable says 224. The 600 MiB between them cannot be ballooned
 * out, so no demand-aware policy may shrink the guest into it, even with a
 * busy neighbour asking for most of the pool. Before MemAvailable capped
 * free, they took it to 228-675 MiB (selfballoon to tax); now 880-1040. */
static void test_pinned_cache_not_taken(void **state)
{
	const uint64_t used[3] = {200 * MIB, 1000 * MIB, 300 * MIB};
	const char *const names[] = {"tax", "ebb", "qmemman", "hyperv", "selfballoon"};
	(void)state;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct mm_policy p;

		init_policy(&p, names[k]);
		fx_init(&fx, 3, used);
		fx.snap.pool_kib = 2560 * MIB;
		fx.in[0].report.has |= MM_REPORT_HAS_AVAIL;
		fx.in[0].report.avail_kib = 224 * MIB;
		for (int r = 0; r < 200; r++) {
			fx.snap.now_ms = (uint64_t)r * 1000u;
			fx_round(&fx, &p);
			fx_apply(&fx);
		}
		if (fx.out[0].target_kib < GIB - 224 * MIB)
			fail_msg(
			    "%s shrank the tmpfs guest to %llu KiB, below the %llu it cannot give",
			    names[k], (unsigned long long)fx.out[0].target_kib,
			    (unsigned long long)(GIB - 224 * MIB));
		mm_policy_dispose(&p);
	}
	assert_int_equal(mm_dom_used_kib(&fx.in[0]), GIB - 224 * MIB);
}

/* mm_policy_kib rounds as llround did before libm left mmserver: halves
 * away from zero, the largest double under a half down, clamped at 2^50. */
static void test_policy_kib_rounds_like_llround(void **state)
{
	const double lim = 1125899906842624.0; /* 2^50 */
	const double edge[] = {0.0,
	                       -0.0,
	                       0.5,
	                       -0.5,
	                       1.5,
	                       -1.5,
	                       2.5,
	                       -2.5,
	                       0.49999999999999994,
	                       -0.49999999999999994,
	                       4503599627370495.5 / 4,
	                       lim - 0.5,
	                       -(lim - 0.5),
	                       123456.4999999,
	                       1e-300};
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		assert_int_equal(mm_policy_kib(edge[i]), llround(edge[i]));
	assert_int_equal(mm_policy_kib(NAN), 0);
	assert_int_equal(mm_policy_kib(1e300), (int64_t)lim);
	assert_int_equal(mm_policy_kib(-1e300), -(int64_t)lim);
	for (int i = 0; i < 1000000; i++) { /* xorshift: values up to 2^50, halves included */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double v =
		    (double)(int64_t)(x >> 14) / (double)(1u << (x & 3u)) * ((x & 4u) ? -1.0 : 1.0);
		if (i % 3 == 0)
			v = (double)(int64_t)(x % 100000u) + 0.5;
		assert_int_equal(mm_policy_kib(v), llround(v));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tax_vectors),
	    cmocka_unit_test(test_tax_static_and_reset),
	    cmocka_unit_test(test_policy_names),
	    cmocka_unit_test(test_policy_own_reason),
	    cmocka_unit_test(test_unmanageable_pending_grow_untouched),
	    cmocka_unit_test(test_defect_equal_usage_nan),
	    cmocka_unit_test(test_defect_negative_targets),
	    cmocka_unit_test(test_defect_over_maxmem),
	    cmocka_unit_test(test_defect_free_floor_new_target),
	    cmocka_unit_test(test_defect_domain_set_changes),
	    cmocka_unit_test(test_policy_kib_rounds_like_llround),
	    cmocka_unit_test(test_pinned_cache_not_taken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
