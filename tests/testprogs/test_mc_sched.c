/* Open-loop schedules and the request mix, for fixed seeds: rates and
 * distributions within statistical tolerance, determinism, key format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc_mix.h"
#include "mc_sched.h"

#define N 200000

static void test_fixed_exact(void **state)
{
	struct mc_sched s, w1;

	(void)state;
	mc_sched_init(&s, MC_SCHED_FIXED, 20000, 0, 1, 1);
	for (uint64_t k = 0; k < N; k++)
		assert_int_equal(mc_sched_next(&s), k * 50000);
	/* Two workers interleave: worker 1 takes the odd slots. */
	mc_sched_init(&w1, MC_SCHED_FIXED, 20000, 1, 2, 1);
	for (uint64_t k = 0; k < N / 2; k++)
		assert_int_equal(mc_sched_next(&w1), (2 * k + 1) * 50000);
	/* A rate that is not a whole number of ns per gap must not drift. */
	mc_sched_init(&s, MC_SCHED_FIXED, 3000, 0, 1, 1);
	for (uint64_t k = 0; k < 30000; k++)
		(void)mc_sched_next(&s);
	assert_int_equal(mc_sched_next(&s), UINT64_C(10000000000)); /* arrival 30000: 10 s */
}

/* Per second counts over P workers: exactly floor(R(s+1)) - floor(Rs),
 * every arrival inside its second, for whole and fractional rates. */
static void check_counts(enum mc_sched_kind kind, double rate, uint32_t procs, int secs)
{
	uint64_t count[16] = {0};

	assert_true(secs <= 16);
	for (uint32_t w = 0; w < procs; w++) {
		struct mc_sched s;
		uint64_t prev = 0, t;
		mc_sched_init(&s, kind, rate, w, procs, 99 + w);
		while ((t = mc_sched_next(&s)) < (uint64_t)secs * 1000000000u) {
			assert_true(t >= prev);
			count[t / 1000000000u]++;
			prev = t;
		}
	}
	for (int k = 0; k < secs; k++)
		assert_int_equal(count[k], mc_sched_count(rate, k));
}

static void test_counts_fixed_per_second(void **state)
{
	(void)state;
	check_counts(MC_SCHED_POISSON, 20000, 1, 10);
	check_counts(MC_SCHED_POISSON, 20000, 3, 10);
	check_counts(MC_SCHED_POISSON, 2.5, 2, 8);
	check_counts(MC_SCHED_FIXED, 777, 4, 5);
	assert_int_equal(mc_sched_count(2.5, 0), 2);
	assert_int_equal(mc_sched_count(2.5, 1), 3);
}

/* Poisson at 20k/s: mean gap, coefficient of variation (1 for an
 * exponential), P(gap > mean) = 1/e, and counts per 1 ms window with
 * variance = mean (index of dispersion 1). Tolerances are ~5 sigma. */
static void test_poisson_stats(void **state)
{
	struct mc_sched s;
	double sum = 0, sum2 = 0, prev = 0, over = 0, mean, var, wsum = 0, wsum2 = 0;
	uint64_t counts[200] = {0};

	(void)state;
	mc_sched_init(&s, MC_SCHED_POISSON, 20000, 0, 1, 42);
	for (int i = 0; i < N; i++) {
		double t = (double)mc_sched_next(&s), gap = t - prev;
		assert_true(t >= prev);
		sum += gap;
		sum2 += gap * gap;
		over += gap > 50000 ? 1 : 0;
		if (t < 200e6)
			counts[(int)(t / 1e6)]++;
		prev = t;
	}
	mean = sum / N;
	var = sum2 / N - mean * mean;
	assert_true(fabs(mean - 50000) < 50000 * 0.012);
	assert_true(fabs(sqrt(var) / mean - 1.0) < 0.02);
	assert_true(fabs(over / N - exp(-1.0)) < 0.006);
	for (int w = 0; w < 200; w++) {
		wsum += (double)counts[w];
		wsum2 += (double)counts[w] * (double)counts[w];
	}
	mean = wsum / 200;
	var = wsum2 / 200 - mean * mean;
	assert_true(fabs(mean - 20) < 1.5);
	assert_true(var / mean > 0.6 && var / mean < 1.5);
}

static void test_deterministic(void **state)
{
	struct mc_sched a, b, c;
	int differ = 0;

	(void)state;
	mc_sched_init(&a, MC_SCHED_POISSON, 1000, 0, 1, 7);
	mc_sched_init(&b, MC_SCHED_POISSON, 1000, 0, 1, 7);
	mc_sched_init(&c, MC_SCHED_POISSON, 1000, 0, 1, 8);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = mc_sched_next(&a);
		assert_int_equal(x, mc_sched_next(&b));
		differ += x != mc_sched_next(&c);
	}
	assert_true(differ > 990);
}

/* Live rate changes apply from the next second; rate 0 parks the
 * schedule, and a later rate restarts it no earlier than asked. */
static void test_set_rate(void **state)
{
	struct mc_sched s;
	uint64_t t, n1 = 0, n3 = 0;

	(void)state;
	mc_sched_init(&s, MC_SCHED_POISSON, 100, 0, 1, 3);
	for (int i = 0; i < 50; i++)
		assert_true(mc_sched_next(&s) < 1000000000u); /* half of second 0 */
	mc_sched_set_rate(&s, 1000, 1);
	for (int i = 0; i < 50; i++)
		assert_true(mc_sched_next(&s) < 1000000000u); /* second 0 keeps its 100 */
	while ((t = mc_sched_next(&s)) < 2000000000u)
		n1++;
	assert_int_equal(n1, 1000); /* second 1 at the new rate */
	mc_sched_set_rate(&s, 0, 3);
	while ((t = mc_sched_next(&s)) != MC_SCHED_NONE)
		assert_true(t < 3000000000u); /* second 2 finishes, then nothing */
	mc_sched_set_rate(&s, 10, 5);
	while ((t = mc_sched_next(&s)) < 6000000000u) {
		assert_true(t >= 5000000000u);
		n3++;
	}
	assert_int_equal(n3, 10);
}

static void test_mix_ratio_and_hot(void **state)
{
	struct mc_mix m = {.rng = 3,
	                   .get_ratio = 0.9,
	                   .keys = 1000,
	                   .hot_frac = 0.1,
	                   .hot_prob = 0.8,
	                   .value_min = 10,
	                   .value_max = 20};
	struct mc_pick p;
	int gets = 0, hot = 0, vmin = 99, vmax = 0;

	(void)state;
	for (int i = 0; i < N; i++) {
		mc_mix_next(&m, &p);
		assert_true(p.key < 1000);
		gets += p.op == MC_OP_GET;
		hot += p.key < 100;
		if (p.op == MC_OP_SET) {
			vmin = p.value_len < (uint32_t)vmin ? (int)p.value_len : vmin;
			vmax = p.value_len > (uint32_t)vmax ? (int)p.value_len : vmax;
		} else {
			assert_int_equal(p.value_len, 0);
		}
	}
	assert_true(fabs((double)gets / N - 0.9) < 0.005);
	assert_true(fabs((double)hot / N - 0.8) < 0.006);
	assert_int_equal(vmin, 10);
	assert_int_equal(vmax, 20);
}

static void test_mix_uniform(void **state)
{
	struct mc_mix m = {.rng = 5, .get_ratio = 1.0, .keys = 10, .value_min = 1, .value_max = 1};
	struct mc_pick p;
	int seen[10] = {0};

	(void)state;
	for (int i = 0; i < 100000; i++) {
		mc_mix_next(&m, &p);
		assert_int_equal(p.op, MC_OP_GET);
		seen[p.key]++;
	}
	for (int k = 0; k < 10; k++)
		assert_true(abs(seen[k] - 10000) < 500); /* 5 sigma */
}

/* Zipf over 10 ranks: each rank's share within 5 sigma of k^-s / H, for
 * s below, at and above 1 (the three branches of the hat function). */
static void test_zipf_exact_small(void **state)
{
	const double exps[] = {0.5, 1.0, 1.5};

	(void)state;
	for (size_t e = 0; e < 3; e++) {
		struct mc_zipf z;
		uint64_t rng = 11, seen[11] = {0};
		double h = 0;
		mc_zipf_init(&z, exps[e], 10);
		for (int k = 1; k <= 10; k++)
			h += pow(k, -exps[e]);
		for (int i = 0; i < N; i++) {
			uint64_t k = mc_zipf_next(&z, &rng);
			assert_true(k >= 1 && k <= 10);
			seen[k]++;
		}
		for (int k = 1; k <= 10; k++) {
			double p = pow(k, -exps[e]) / h, sd = sqrt(N * p * (1 - p));
			if (fabs((double)seen[k] - N * p) > 5 * sd)
				fail_msg("s=%g rank %d: %llu draws, want %.0f +- %.0f", exps[e], k,
				         (unsigned long long)seen[k], N * p, 5 * sd);
		}
	}
}

/* A huge key space costs nothing (no table): ranks stay in range and the
 * top two keep their ratio 2^s. */
static void test_zipf_huge(void **state)
{
	struct mc_mix m = {.rng = 9, .get_ratio = 1, .keys = UINT64_C(1) << 40, .zipf_s = 0.99};
	struct mc_pick p;
	double k0 = 0, k1 = 0;

	(void)state;
	mc_mix_init(&m);
	for (int i = 0; i < N; i++) {
		mc_mix_next(&m, &p);
		assert_true(p.key < m.keys);
		k0 += p.key == 0;
		k1 += p.key == 1;
	}
	assert_true(k1 > 100);
	assert_true(fabs(k0 / k1 - pow(2, 0.99)) < 0.2);
}

/* Weighted value sizes: each size's share within 5 sigma of its weight. */
static void test_value_list(void **state)
{
	struct mc_mix m = {.rng = 4,
	                   .get_ratio = 0,
	                   .keys = 100,
	                   .nsizes = 3,
	                   .size = {100, 1000, 10000},
	                   .cum_weight = {0.7, 0.9, 1.0}};
	const double want[3] = {0.7, 0.2, 0.1};
	double seen[3] = {0};
	struct mc_pick p;

	(void)state;
	mc_mix_init(&m);
	for (int i = 0; i < N; i++) {
		mc_mix_next(&m, &p);
		assert_int_equal(p.op, MC_OP_SET);
		seen[p.value_len == 100 ? 0 : p.value_len == 1000 ? 1 : 2]++;
		assert_true(p.value_len == 100 || p.value_len == 1000 || p.value_len == 10000);
	}
	for (int i = 0; i < 3; i++)
		assert_true(fabs(seen[i] - N * want[i]) < 5 * sqrt(N * want[i] * (1 - want[i])));
}

static void test_key_format(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(mc_key_format(42, 8, buf), 8);
	assert_memory_equal(buf, "mc000042", 8);
	assert_int_equal(mc_key_format(0, 3, buf), 3);
	assert_memory_equal(buf, "mc0", 3);
	assert_int_equal(mc_key_format(10, 3, buf), -ERANGE);
	assert_int_equal(mc_key_format(1, 2, buf), -ERANGE);
	assert_int_equal(mc_key_min_len(1), 3);
	assert_int_equal(mc_key_min_len(10), 3);
	assert_int_equal(mc_key_min_len(11), 4);
	assert_int_equal(mc_key_min_len(1000000), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixed_exact),   cmocka_unit_test(test_counts_fixed_per_second),
	    cmocka_unit_test(test_poisson_stats), cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_set_rate),      cmocka_unit_test(test_mix_ratio_and_hot),
	    cmocka_unit_test(test_mix_uniform),   cmocka_unit_test(test_zipf_exact_small),
	    cmocka_unit_test(test_zipf_huge),     cmocka_unit_test(test_value_list),
	    cmocka_unit_test(test_key_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
