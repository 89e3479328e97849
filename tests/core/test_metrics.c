/* The guest's pressure model and the metrics that cannot flatter (SPEC 6,
 * issue 10 section 4): an episode still open at the end counts to the end,
 * harm is time below the working set, host-left integrates what the host
 * kept, a due guest that cannot start is short. Numbers worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "mm_metrics.h"

#define MIB 1024u
/* cmocka compares floats; these are doubles */
#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* 1 GiB guest, 60M overhead + 40M kernel: 924 MiB usable for its demand. */
static void cfg_init(struct mm_guest_cfg *c, const char *workload)
{
	char err[128];

	memset(c, 0, sizeof(*c));
	c->memory_kib = c->maxmem_kib = 1024 * MIB;
	c->floor_kib = 200 * MIB;
	c->overhead_kib = 60 * MIB;
	c->kernel_min_kib = 40 * MIB;
	c->balloon_kib_s = 256 * MIB;
	c->swap_kib = 1024 * MIB;
	assert_int_equal(mm_workload_parse(workload, &c->workload, err, sizeof(err)), 0);
}

/* demand 1000M on 924M usable: 76M swapped; working set 1000M x 1.05 = 1050M,
 * 126M short of it = 12 % > 10 %: stalled all the time. psi some10 after one
 * 100 ms tick: 100 % x 100 / 10000 = 1 %. Swap touched once per 10 s:
 * 77824 KiB x 100 ms / (4 KiB x 10000 ms) = 194.56 -> 194 pages per tick. */
static void test_pressure_model(void **state)
{
	struct mm_guest_cfg c;
	struct mm_guest g;
	char buf[600];
	(void)state;

	cfg_init(&c, "static 1000M");
	mm_guest_start(&g, &c, 1, 0);
	assert_int_equal(g.swap_used_kib, 76 * MIB);
	assert_true(g.under_ws);
	assert_int_equal(g.ws_kib, 1050 * MIB);
	mm_guest_tick(&g, 100, 100);
	assert_near(g.stall, 1.0);
	assert_near(g.psi_some10, 1.0);
	assert_int_equal(g.pswpin, 194);
	assert_int_equal(g.pgmajfault, 194);
	assert_true(mm_guest_report(&g, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " psi_some10=1.00"));
	assert_non_null(strstr(buf, " pswpin=194"));
}

/* 900M on 924M usable: nothing swapped, but the working set (945M) is 21M
 * above what it has: harm, stalled 21 / 94.5 = 22.2 % of the time. */
static void test_cache_squeeze_is_harm(void **state)
{
	struct mm_guest_cfg c;
	struct mm_guest g;
	(void)state;

	cfg_init(&c, "static 900M");
	mm_guest_start(&g, &c, 1, 0);
	assert_int_equal(g.swap_used_kib, 0);
	assert_true(g.under_ws);
	assert_near(g.stall, 21.0 / 94.5);
}

/* Short from the start to the end of a 10 s run: one episode of 10 s, not
 * 0 s (the 2013 metric read 0 for a guest that never recovered). Harm 10 s;
 * host-left (host free 2 GiB, reserve 64M) = 1984 MiB x 10 s. */
static void test_open_episode_counts(void **state)
{
	struct mm_guest_cfg c;
	struct mm_guest g;
	struct mm_guest_metrics gm = {0}, sum;
	struct mm_metrics m = {.n = 1, .g = &gm};
	(void)state;

	cfg_init(&c, "static 1000M");
	mm_guest_start(&g, &c, 1, 0);
	for (uint64_t t = 100; t <= 10000; t += 100) {
		mm_guest_tick(&g, t, 100);
		mm_metrics_tick(&m, &g, t, 100, 8192 * MIB, 2048 * MIB, 64 * MIB);
	}
	assert_int_equal(gm.reactions, 0); /* none ended */
	assert_int_equal(mm_reaction_count(&gm), 1);
	assert_int_equal(mm_reaction_sum_ms(&gm, m.duration_ms), 9900); /* from the first tick */
	assert_int_equal(gm.harm_ms, 10000);
	assert_int_equal(m.host_left_kib_ms, (uint64_t)1984 * MIB * 10000);
	mm_metrics_total(&m, &sum);
	assert_int_equal(sum.reactions, 1);
	assert_int_equal(sum.reaction_max_ms, 9900);
}

/* A guest due at 5 s that waits 3 s for room: its 1000M demand is short for
 * those 3 s (1000M x 3 s = 3000 MiB*s), one episode since 5 s. */
static void test_waiting_guest_is_short(void **state)
{
	struct mm_guest_metrics gm = {0};
	struct mm_metrics m = {.n = 1, .g = &gm};
	(void)state;

	for (int k = 0; k < 30; k++)
		mm_metrics_waiting(&m, 0, 1000 * MIB, 5000, 100);
	assert_int_equal(gm.start_wait_ms, 3000);
	assert_int_equal(gm.shortfall_kib_ms, (uint64_t)1000 * MIB * 3000);
	assert_int_equal(gm.episodes, 1);
	assert_int_equal(mm_reaction_sum_ms(&gm, 8000), 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pressure_model),
	    cmocka_unit_test(test_cache_squeeze_is_harm),
	    cmocka_unit_test(test_open_episode_counts),
	    cmocka_unit_test(test_waiting_guest_is_short),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
