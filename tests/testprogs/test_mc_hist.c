/* The log-linear histogram: bucket bounds hold every value within 1/128,
 * percentiles of known data, merge, and the pipe encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mc_hist.h"

static struct mc_hist *new_hist(void)
{
	struct mc_hist *h = malloc(sizeof(*h));

	assert_non_null(h);
	mc_hist_reset(h);
	return h;
}

static void check_value(uint64_t v)
{
	uint32_t i = mc_hist_index(v);
	uint64_t lo = mc_hist_bucket_low(i), hi = mc_hist_bucket_high(i);

	assert_true(i < MC_HIST_BUCKETS);
	assert_true(lo <= v && v <= hi);
	/* Bucket width relative to its low edge: at most 1/128. */
	assert_true((hi - lo + 1) * MC_HIST_SUB <= (lo < MC_HIST_SUB ? MC_HIST_SUB : lo));
}

static void test_bounds(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < 5000; v++)
		check_value(v);
	for (uint64_t v = 5000; v < (UINT64_C(1) << 40); v = v + v / 7 + 1) {
		check_value(v);
		check_value(v - 1);
	}
	check_value((UINT64_C(1) << 40) - 1);
}

static void test_index_monotonic(void **state)
{
	(void)state;
	for (uint32_t i = 1; i < MC_HIST_BUCKETS; i++) {
		assert_int_equal(mc_hist_bucket_low(i), mc_hist_bucket_high(i - 1) + 1);
		assert_int_equal(mc_hist_index(mc_hist_bucket_low(i)), i);
		assert_int_equal(mc_hist_index(mc_hist_bucket_high(i)), i);
	}
}

static void test_clamp(void **state)
{
	struct mc_hist *h = new_hist();

	(void)state;
	mc_hist_add(h, UINT64_MAX / 2);
	assert_int_equal(mc_hist_index(UINT64_MAX), MC_HIST_BUCKETS - 1);
	assert_int_equal(h->max_ns, UINT64_MAX / 2); /* the exact max survives */
	assert_int_equal(h->count, 1);
	free(h);
}

static void assert_near(uint64_t got, double want, double rel)
{
	double d = (double)got - want;

	if (d < 0)
		d = -d;
	if (d > want * rel)
		fail_msg("got %llu, want %.0f within %.2f%%", (unsigned long long)got, want,
		         rel * 100);
}

static void test_percentiles(void **state)
{
	struct mc_hist *h = new_hist();

	(void)state;
	assert_int_equal(mc_hist_percentile(h, 50), 0);
	for (uint64_t v = 1; v <= 100000; v++)
		mc_hist_add(h, v * 1000); /* 1 us .. 100 ms */
	assert_int_equal(h->count, 100000);
	assert_int_equal(h->min_ns, 1000);
	assert_int_equal(h->max_ns, 100000000);
	assert_near(mc_hist_percentile(h, 50), 50000000.0, 0.01);
	assert_near(mc_hist_percentile(h, 90), 90000000.0, 0.01);
	assert_near(mc_hist_percentile(h, 99), 99000000.0, 0.01);
	assert_near(mc_hist_percentile(h, 99.9), 99900000.0, 0.01);
	assert_int_equal(mc_hist_percentile(h, 100), 100000000);
	assert_int_equal(mc_hist_percentile(h, 0), 1000);
	assert_near((uint64_t)mc_hist_mean_ns(h), 50000500.0, 1e-6);
	free(h);
}

/* One slow outlier among many fast: p99.9 must see it only when it is more
 * than 0.1% of the samples: the coordinated-omission arithmetic. */
static void test_tail(void **state)
{
	struct mc_hist *h = new_hist();

	(void)state;
	for (int i = 0; i < 9990; i++)
		mc_hist_add(h, 50000);
	for (int i = 0; i < 10; i++)
		mc_hist_add(h, 200000000);
	assert_near(mc_hist_percentile(h, 99.9), 50000.0, 0.01);
	mc_hist_add(h, 200000000);
	assert_near(mc_hist_percentile(h, 99.9), 200000000.0, 0.01);
	free(h);
}

static void test_merge_and_encode(void **state)
{
	struct mc_hist *a = new_hist(), *b = new_hist(), *all = new_hist(), *back = new_hist();
	size_t cap = mc_hist_encoded_max(), n;
	char *buf = malloc(cap);
	uint64_t rng = 12345;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		uint64_t v = (rng = rng * 6364136223846793005u + 1442695040888963407u) >> 34;
		mc_hist_add(i % 3 ? a : b, v);
		mc_hist_add(all, v);
	}
	mc_hist_merge(a, b);
	assert_memory_equal(a, all, sizeof(*a));
	n = mc_hist_encode(a, buf, cap);
	assert_true(n > 0 && n < cap);
	assert_int_equal(mc_hist_decode_add(back, buf, n), 0);
	assert_memory_equal(back, all, sizeof(*back));
	assert_int_equal(mc_hist_encode(a, buf, 64), 0); /* too small: refused */
	assert_int_equal(mc_hist_decode_add(back, buf, n - 8), -EPROTO);
	assert_int_equal(mc_hist_decode_add(back, buf, 7), -EPROTO);
	((uint64_t *)(void *)buf)[5] = MC_HIST_BUCKETS; /* bucket index out of range */
	assert_int_equal(mc_hist_decode_add(back, buf, n), -EPROTO);
	free(buf);
	free(a);
	free(b);
	free(all);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bounds), cmocka_unit_test(test_index_monotonic),
	    cmocka_unit_test(test_clamp),  cmocka_unit_test(test_percentiles),
	    cmocka_unit_test(test_tail),   cmocka_unit_test(test_merge_and_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
