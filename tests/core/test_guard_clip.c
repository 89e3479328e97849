/* mm_guard_clip's water level (find_lambda steps along the sum's linear
 * pieces instead of halving its range): on random plans, narrow and wide
 * bounds, wants far outside them, ties and tiny or huge pools, every target
 * is what plain bisection for the largest shift gives. Seeded, deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mm_guard.h"

#define CASES 20000
#define NMAX  2000

static uint64_t rng = 0x243f6a8885a308d3u;

static uint64_t next(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1du;
}

static int64_t pick(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
}

static int64_t clamp(int64_t x, int64_t lo, int64_t hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* The reference: halve [-2^52, 2^52] until the largest shift is found. */
static int64_t ref_lambda(const struct mm_dom_in *in, const struct mm_dom_out *out, size_t n,
                          int64_t goal)
{
	int64_t lo = -(INT64_C(1) << 52), hi = INT64_C(1) << 52;

	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2, sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += clamp(out[i].want_kib + mid, (int64_t)in[i].floor_kib,
			             (int64_t)in[i].maxmem_kib);
		if (sum <= goal)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void random_case(struct mm_dom_in *in, struct mm_dom_out *out, size_t n, uint64_t *pool)
{
	int64_t spread = (int64_t)1 << pick(0, 40); /* all alike up to wildly different */
	int64_t sum_lo = 0, sum_hi = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t floor_kib = next() % 5 ? pick(0, spread) : 0;
		int64_t width = next() % 7 ? pick(0, spread) : 0; /* floor == maxmem too */
		in[i] = (struct mm_dom_in){.floor_kib = (uint64_t)floor_kib,
		                           .maxmem_kib = (uint64_t)(floor_kib + width)};
		int64_t want = next() % 6 ? pick(-spread, 2 * spread)
		                          : pick(-(INT64_C(1) << 49), INT64_C(1) << 49);
		if (next() % 9 == 0 && i)
			want = out[i - 1].want_kib; /* ties */
		out[i] = (struct mm_dom_out){.want_kib = want};
		sum_lo += floor_kib;
		sum_hi += floor_kib + width;
	}
	switch (next() % 4) {
	case 0: *pool = (uint64_t)sum_lo; break;
	case 1: *pool = (uint64_t)pick(sum_lo, sum_hi); break;
	case 2: *pool = (uint64_t)sum_hi + (uint64_t)pick(0, spread); break;
	default: *pool = (uint64_t)pick(sum_lo, sum_lo + spread); break;
	}
}

static void test_same_as_bisection(void **state)
{
	static struct mm_dom_in in[NMAX];
	static struct mm_dom_out out[NMAX];
	struct mm_guard_cfg cfg = {.deadband_kib = MM_GUARD_DEADBAND_KIB};
	(void)state;

	for (int c = 0; c < CASES; c++) {
		size_t n = (size_t)(next() % 20 == 0 ? pick(1, NMAX) : pick(1, 12));
		uint64_t pool;
		random_case(in, out, n, &pool);
		struct mm_snapshot s = {.n = n, .dom = in, .pool_kib = pool};
		struct mm_plan p = {.n = n, .dom = out};
		int64_t sum_want = 0, sum_lo = 0, sum_hi = 0;
		for (size_t i = 0; i < n; i++) {
			sum_want += out[i].want_kib;
			sum_lo += (int64_t)in[i].floor_kib;
			sum_hi += (int64_t)in[i].maxmem_kib;
		}
		int64_t goal =
		    clamp(sum_want, sum_lo, (int64_t)pool < sum_hi ? (int64_t)pool : sum_hi);
		int64_t lambda = ref_lambda(in, out, n, goal);
		mm_guard_clip(&s, &cfg, &p);
		for (size_t i = 0; i < n; i++) {
			int64_t want = clamp(out[i].want_kib + lambda, (int64_t)in[i].floor_kib,
			                     (int64_t)in[i].maxmem_kib);
			if ((int64_t)out[i].target_kib != want)
				fail_msg("case %d n=%zu domain %zu: target %llu, bisection %lld", c,
				         n, i, (unsigned long long)out[i].target_kib,
				         (long long)want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_as_bisection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
