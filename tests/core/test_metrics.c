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
	assert_int_equal(gm.reaction_sum_ms, 0);     /* none covered */
	assert_int_equal(mm_reaction_count(&gm), 1); /* the start is a step */
	assert_int_equal(gm.n_open, 1);
	assert_int_equal(mm_reaction_sum_ms(&gm, m.duration_ms), 9900); /* from the first tick */
	assert_int_equal(gm.harm_ms, 10000);
	assert_int_equal(m.host_left_kib_ms, (uint64_t)1984 * MIB * 10000);
	mm_metrics_total(&m, &sum);
	assert_int_equal(sum.steps, 1);
	assert_int_equal(sum.reaction_sum_ms, 9900);
	assert_int_equal(sum.reaction_max_ms, 9900);
}

/* A guest due at 5 s that waits 3 s for room: its 1000M demand is short for
 * those 3 s (1000M x 3 s = 3000 MiB*s), one step since 5 s, open. */
static void test_waiting_guest_is_short(void **state)
{
	struct mm_guest_metrics gm = {0};
	struct mm_metrics m = {.n = 1, .g = &gm};
	(void)state;

	for (int k = 0; k < 30; k++)
		mm_metrics_waiting(&m, 0, 1000 * MIB, 1100 * MIB, 5000, 100);
	assert_int_equal(gm.start_wait_ms, 3000);
	assert_int_equal(gm.shortfall_kib_ms, (uint64_t)1000 * MIB * 3000);
	assert_int_equal(gm.episodes, 1);
	assert_int_equal(mm_reaction_count(&gm), 1);
	assert_int_equal(mm_reaction_sum_ms(&gm, 8000), 3000);
}

/* A guest set by hand at each 1 s tick: demand and allocation (MiB); 100M of
 * overheads, so the need is demand + 100M. */
static void set(struct mm_guest *g, uint64_t demand_mib, uint64_t alloc_mib)
{
	uint64_t usable = alloc_mib - 100;

	g->demand_kib = demand_mib * MIB;
	g->alloc_kib = alloc_mib * MIB;
	g->swap_used_kib = demand_mib > usable ? (demand_mib - usable) * MIB : 0;
}

/* Demand 500M (need 600M), a 500M step at 1 s that no policy can cover
 * before 11 s (the pool is full), then ten 20M steps at 12, 14, ... 30 s.
 * "late" covers each small step 1 s after it (ten 1 s shortages on top of
 * the long one); "ahead" keeps 200M of headroom from 11 s and covers them
 * in advance. Counted by shortage episodes, late would read 20 s / 11 = 1.8
 * s against ahead's 10 s / 1: faster while worse everywhere. Counted on the
 * workload's 12 steps (the start, the big one, ten small), late waits 10 +
 * 10 x 1 = 20 s, ahead 10 s: 1.67 s against 0.83 s. */
static void ramp(bool late, struct mm_guest_metrics *gm)
{
	struct mm_guest_cfg c;
	struct mm_guest g = {0};
	struct mm_metrics m = {.n = 1, .g = gm};

	cfg_init(&c, "static 500M");
	g.cfg = &c;
	g.alive = true;
	memset(gm, 0, sizeof(*gm));
	for (uint64_t t = 0; t <= 32; t++) {
		uint64_t demand = t < 1 ? 500 : t < 12 ? 1000 : 1000 + 20 * ((t - 10) / 2);
		uint64_t alloc = t < 1    ? 600
		                 : t < 11 ? 800
		                 : late   ? 1100 + 20 * ((t - 11) / 2)
		                          : 1400;
		if (t > 30) /* the ramp ends at 1200M */
			demand = 1200, alloc = late ? 1300 : 1400;
		set(&g, demand, alloc);
		mm_metrics_tick(&m, &g, t * 1000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	}
}

static void test_many_small_shortages_are_not_faster(void **state)
{
	struct mm_guest_metrics late, ahead;
	(void)state;

	ramp(true, &late);
	ramp(false, &ahead);
	assert_int_equal(late.episodes, 11); /* the policy made them */
	assert_int_equal(ahead.episodes, 1);
	assert_int_equal(mm_reaction_count(&late), 12); /* the workload made these */
	assert_int_equal(mm_reaction_count(&ahead), 12);
	assert_int_equal(late.n_open + ahead.n_open, 0);
	assert_int_equal(late.reaction_sum_ms, 20000);
	assert_int_equal(ahead.reaction_sum_ms, 10000);
	assert_int_equal(late.reaction_max_ms, 10000);
	assert_true(late.shortfall_kib_ms > ahead.shortfall_kib_ms);
}

/* A step is covered when the allocation reaches the need it rose to, even
 * while the guest is still short of a later step; once the need is covered
 * (here: the demand fell), every step ends. Steps still open at the end
 * count to the end; a guest that is gone closes its steps. */
static void test_step_levels(void **state)
{
	struct mm_guest_cfg c;
	struct mm_guest g = {0};
	struct mm_guest_metrics gm = {0}, sum;
	struct mm_metrics m = {.n = 1, .g = &gm};
	(void)state;

	cfg_init(&c, "static 500M");
	g.cfg = &c;
	g.alive = true;
	set(&g, 500, 600); /* 0 s: the start, covered */
	mm_metrics_tick(&m, &g, 0, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	set(&g, 600, 600); /* 1 s: step to 700M */
	mm_metrics_tick(&m, &g, 1000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	set(&g, 900, 650); /* 2 s: step to 1000M */
	mm_metrics_tick(&m, &g, 2000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	assert_int_equal(gm.n_open, 2);
	set(&g, 900, 700); /* 3 s: the first covered (waited 2 s), still short */
	mm_metrics_tick(&m, &g, 3000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	assert_int_equal(gm.n_open, 1);
	assert_int_equal(gm.reaction_sum_ms, 2000);
	set(&g, 500, 700); /* 4 s: the demand fell under what it has: covered */
	mm_metrics_tick(&m, &g, 4000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	assert_int_equal(gm.n_open, 0);
	assert_int_equal(gm.reaction_sum_ms, 4000); /* + 2 s */
	set(&g, 800, 700);                          /* 5 s: a step left open to the end at 9 s */
	mm_metrics_tick(&m, &g, 5000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	m.duration_ms = 9000;
	assert_int_equal(mm_reaction_count(&gm), 4);
	assert_int_equal(mm_reaction_sum_ms(&gm, 9000), 8000);
	assert_int_equal(mm_reaction_max_ms(&gm, 9000), 4000);
	mm_metrics_total(&m, &sum);
	assert_int_equal(sum.steps, 4);
	assert_int_equal(sum.reaction_sum_ms, 8000);
	g.alive = false; /* 6 s: gone, its step waited 1 s */
	mm_metrics_tick(&m, &g, 6000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	assert_int_equal(mm_reaction_sum_ms(&gm, 9000), 5000);
}

/* More uncovered steps than a guest keeps: nearest levels merge upwards,
 * the count and the sum of the starts stay exact. */
static void test_step_overflow(void **state)
{
	struct mm_guest_cfg c;
	struct mm_guest g = {0};
	struct mm_guest_metrics gm = {0};
	struct mm_metrics m = {.n = 1, .g = &gm};
	uint64_t starts = 0;
	(void)state;

	cfg_init(&c, "static 500M");
	g.cfg = &c;
	g.alive = true;
	for (uint64_t t = 0; t < 40; t++) { /* +10M a second on a fixed 600M */
		set(&g, 500 + 10 * t, 600);
		mm_metrics_tick(&m, &g, t * 1000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
		starts += t >= 1 ? t * 1000 : 0;
	}
	assert_int_equal(gm.n_open, MM_STEPS_OPEN);
	assert_int_equal(mm_reaction_count(&gm), 40);
	/* 39 open steps (t = 1..39 s) counted to 40 s */
	assert_int_equal(mm_reaction_sum_ms(&gm, 40000), 39 * 40000 - starts);
	assert_int_equal(mm_reaction_max_ms(&gm, 40000), 39000);
	set(&g, 500, 600); /* the demand falls back: all covered at 40 s */
	mm_metrics_tick(&m, &g, 40000, 1000, 8192 * MIB, 2048 * MIB, 64 * MIB);
	assert_int_equal(gm.n_open, 0);
	assert_int_equal(gm.reaction_sum_ms, 39 * 40000 - starts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pressure_model),
	    cmocka_unit_test(test_cache_squeeze_is_harm),
	    cmocka_unit_test(test_open_episode_counts),
	    cmocka_unit_test(test_waiting_guest_is_short),
	    cmocka_unit_test(test_many_small_shortages_are_not_faster),
	    cmocka_unit_test(test_step_levels),
	    cmocka_unit_test(test_step_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
