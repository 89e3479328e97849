/* The reservation state machine alone (core/mm_resv.h): time, snapshot and
 * plan are inputs, so each case scripts the guests' balloons by hand. Each
 * test names the rule it would catch breaking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mm_resv.h"

#define MIB UINT64_C(1024)
#define GIB (UINT64_C(1024) * 1024)
#define N   4

struct fx {
	struct mm_resv_set set;
	struct mm_dom_in in[N];
	struct mm_dom_out out[N];
	struct mm_resv_dom d[N];
	char names[N][32];
	size_t n;
	uint64_t host_free_kib, now_ms;
};

static struct fx F;

/* n guests of actual_kib each, with free_kib free (report), floor 200M. */
static void setup_doms(size_t n, uint64_t actual_kib, uint64_t free_kib, uint64_t host_free_kib)
{
	memset(&F, 0, sizeof(F));
	F.n = n;
	F.host_free_kib = host_free_kib;
	F.now_ms = 1000000;
	for (size_t i = 0; i < n; i++) {
		snprintf(F.names[i], sizeof(F.names[i]), "vm%zu", i + 1);
		F.in[i] = (struct mm_dom_in){.domid = (uint32_t)i + 1,
		                             .has_report = true,
		                             .actual_kib = actual_kib,
		                             .target_kib = actual_kib,
		                             .maxmem_kib = 8 * GIB,
		                             .floor_kib = 200 * MIB};
		F.in[i].report.tot_kib = actual_kib - 60 * MIB;
		F.in[i].report.free_kib = free_kib;
		F.d[i] = (struct mm_resv_dom){F.names[i], &F.in[i], &F.out[i]};
	}
}

/* The policy keeps every target (the plan the reservation starts from). */
static void round_(void)
{
	struct mm_snapshot s = {.n = F.n,
	                        .dom = F.in,
	                        .pool_kib = 64 * GIB,
	                        .free_goal_kib = 150 * MIB,
	                        .host_free_kib = F.host_free_kib,
	                        .reserve_kib = 64 * MIB,
	                        .now_ms = F.now_ms,
	                        .interval_ms = 1000};
	struct mm_plan p = {.n = F.n, .dom = F.out};

	for (size_t i = 0; i < F.n; i++)
		F.out[i] =
		    (struct mm_dom_out){.target_kib = F.in[i].target_kib, .flags = F.in[i].flags};
	mm_resv_round(&F.set, &s, F.d, F.n, 0, &p);
}

/* Every guest's balloon reaches its target; Xen's free memory follows. */
static void balloon(void)
{
	for (size_t i = 0; i < F.n; i++) {
		uint64_t a = F.in[i].actual_kib, t = F.out[i].target_kib;
		if (F.in[i].flags & MM_FLAG_STUCK)
			continue;
		F.host_free_kib += a - t; /* shrinks only in these cases */
		F.in[i].report.free_kib -= a - t;
		F.in[i].actual_kib = F.in[i].target_kib = t;
	}
	F.now_ms += 1000;
}

static int add(uint64_t size_kib, const char *name, uint64_t owner)
{
	struct mm_resv_req q = {.size_kib = size_kib, .for_name = name, .owner = owner};
	return mm_resv_add(&F.set, &q, F.d, F.n, F.now_ms);
}

static uint64_t sum_targets(void)
{
	uint64_t s = 0;
	for (size_t i = 0; i < F.n; i++)
		s += F.out[i].target_kib;
	return s;
}

/* Met: donors shrink (levelled: the three equal guests give equally), Xen's
 * free memory then covers reserve + reservation, and it is held. */
static void test_met(void **state)
{
	int id;
	struct mm_resv *r;

	(void)state;
	setup_doms(3, 2 * GIB, 1536 * MIB, 1 * GIB);
	id = add(2 * GIB, "vm4", 0);
	assert_true(id > 0);
	round_();
	r = mm_resv_find(&F.set, (uint32_t)id);
	assert_int_equal(r->state, MM_RESV_WAITING);
	assert_int_equal(F.set.reserved_kib, 2 * GIB);
	/* 6G of targets must come down to host_free + actual - reserve - 2G */
	assert_int_equal(sum_targets(), 1 * GIB + 6 * GIB - 64 * MIB - 2 * GIB);
	assert_true(F.out[0].target_kib - F.out[1].target_kib + 1 <= 2); /* levelled */
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(F.out[i].reason, MM_REASON_RESERVE);
		assert_true(F.out[i].target_kib >= 2 * GIB - 1536 * MIB + 150 * MIB); /* f kept */
	}
	balloon();
	round_();
	assert_int_equal(r->state, MM_RESV_HELD);
	assert_int_equal(r->found_kib, 2 * GIB);
	assert_int_equal(F.set.met, 1);
	assert_true(F.host_free_kib >= 64 * MIB + 2 * GIB);
}

/* Refused at once with the explanation: what the guests use plus their
 * floors leave too little, and each domain says why. */
static void test_refused(void **state)
{
	struct mm_resv *r;
	int id;

	(void)state;
	setup_doms(3, 1 * GIB, 100 * MIB, 512 * MIB);
	F.in[2].report.free_kib = 900 * MIB; /* vm3 could give down to its floor */
	id = add(3 * GIB, NULL, 0);
	round_();
	r = mm_resv_find(&F.set, (uint32_t)id);
	assert_int_equal(r->state, MM_RESV_ENDED);
	assert_int_equal(r->end, MM_RESV_END_REFUSED);
	assert_int_equal(F.set.failed, 1);
	assert_int_equal(F.set.reserved_kib, 0);
	/* possible: 512M - 64M + 100M + 100M + (1G - 200M floor) */
	assert_int_equal(F.set.possible_kib, 512 * MIB - 64 * MIB + 200 * MIB + 824 * MIB);
	assert_int_equal(F.set.ndonors, 3);
	assert_int_equal(F.set.donors[0].why, MM_RESV_WHY_CAN_GIVE); /* nothing was cut */
	assert_int_equal(F.set.donors[0].can_give_kib, 100 * MIB);
	assert_int_equal(F.set.donors[2].can_give_kib, 824 * MIB);
	assert_string_equal(F.set.donors[2].name, "vm3");
	/* a refused reservation takes nothing from anyone */
	assert_int_equal(sum_targets(), 3 * GIB);
}

/* The explanation names stuck, stale and unmanaged domains, and a stuck
 * donor is given up on: the others give instead. */
static void test_stuck_given_up(void **state)
{
	struct mm_resv *r;
	int id;

	(void)state;
	setup_doms(3, 2 * GIB, 1536 * MIB, 0);
	F.in[0].flags = MM_FLAG_STUCK;
	F.in[1].flags = MM_FLAG_OUT_OF_SCOPE;
	id = add(1 * GIB, NULL, 0);
	round_();
	r = mm_resv_find(&F.set, (uint32_t)id);
	assert_int_equal(r->state, MM_RESV_WAITING);
	assert_int_equal(F.out[0].target_kib, 2 * GIB); /* stuck: not asked */
	assert_int_equal(F.out[1].target_kib, 2 * GIB); /* not ours */
	assert_int_equal(F.out[2].target_kib, 2 * GIB - 1 * GIB - 64 * MIB);
	assert_int_equal(F.set.donors[0].why, MM_RESV_WHY_STUCK);
	assert_int_equal(F.set.donors[1].why, MM_RESV_WHY_NOT_MANAGED);
	balloon();
	round_();
	assert_int_equal(r->state, MM_RESV_HELD);
}

/* A donor the policy spares for its harm budget (its reason is harm or
 * pressure) is not cut by a reservation either. */
static void test_harm_budget(void **state)
{
	struct mm_snapshot s = {
	    .n = 2, .dom = F.in, .free_goal_kib = 150 * MIB, .reserve_kib = 64 * MIB, .now_ms = 1};
	struct mm_plan p = {.n = 2, .dom = F.out};

	(void)state;
	setup_doms(2, 2 * GIB, 1536 * MIB, 0);
	s.now_ms = F.now_ms;
	add(512 * MIB, NULL, 0);
	for (size_t i = 0; i < 2; i++)
		F.out[i] = (struct mm_dom_out){.target_kib = 2 * GIB};
	F.out[0].reason = MM_REASON_HARM;
	mm_resv_round(&F.set, &s, F.d, 2, 0, &p);
	assert_int_equal(F.out[0].target_kib, 2 * GIB);
	assert_int_equal(F.out[1].target_kib, 2 * GIB - 512 * MIB - 64 * MIB);
	assert_int_equal(F.set.donors[0].why, MM_RESV_WHY_HARM);
}

/* Not covered in time (the donors do not move): timeout, and the memory
 * taken from nobody any more. */
static void test_timeout(void **state)
{
	struct mm_resv_req q = {.size_kib = 1 * GIB, .timeout_ms = 5000};
	struct mm_resv *r;
	int id;

	(void)state;
	setup_doms(2, 2 * GIB, 1536 * MIB, 0);
	id = mm_resv_add(&F.set, &q, F.d, F.n, F.now_ms);
	round_();
	r = mm_resv_find(&F.set, (uint32_t)id);
	assert_int_equal(r->state, MM_RESV_WAITING);
	F.now_ms -= 60000; /* the wall clock stepped back: no time passed */
	round_();
	assert_int_equal(r->state, MM_RESV_WAITING);
	F.now_ms += 60000 + 4999;
	round_();
	assert_int_equal(r->state, MM_RESV_WAITING);
	F.now_ms += 1;
	round_();
	assert_int_equal(r->end, MM_RESV_END_TIMEOUT);
	assert_int_equal(F.set.reserved_kib, 0);
	assert_int_equal(sum_targets(), 4 * GIB);
	/* the answer shows the round before: who was asked and had not given */
	assert_int_equal(F.set.donors[0].why, MM_RESV_WHY_BEHIND);
	assert_true(F.set.donors[0].cut_kib > 0);
	assert_true(F.set.donors[0].target_kib < F.set.donors[0].actual_kib);
}

/* A lease runs from the moment it is met; then the memory returns. */
static void test_lease_expires(void **state)
{
	struct mm_resv_req q = {.size_kib = 512 * MIB, .lease_ms = 10000};
	struct mm_resv *r;
	int id;

	(void)state;
	setup_doms(2, 2 * GIB, 1 * GIB, 1 * GIB);
	id = mm_resv_add(&F.set, &q, F.d, F.n, F.now_ms);
	round_(); /* already free: met at once, nobody shrinks */
	r = mm_resv_find(&F.set, (uint32_t)id);
	assert_int_equal(r->state, MM_RESV_HELD);
	assert_int_equal(sum_targets(), 4 * GIB);
	r->changed = false;
	F.now_ms += 9999;
	round_();
	assert_int_equal(r->state, MM_RESV_HELD);
	F.now_ms += 1;
	round_();
	assert_int_equal(r->end, MM_RESV_END_EXPIRED);
	assert_int_equal(F.set.expired, 1);
	assert_int_equal(F.set.reserved_kib, 0);
}

/* The client going away ends its attached reservations only. */
static void test_owner_gone(void **state)
{
	int a, b;

	(void)state;
	setup_doms(2, 2 * GIB, 1 * GIB, 0);
	a = add(256 * MIB, NULL, 7);
	b = add(256 * MIB, NULL, 0);
	round_();
	mm_resv_end_owner(&F.set, 7, F.now_ms);
	assert_int_equal(mm_resv_find(&F.set, (uint32_t)a)->end, MM_RESV_END_GONE);
	assert_true(mm_resv_live(mm_resv_find(&F.set, (uint32_t)b)));
	round_();
	assert_int_equal(F.set.reserved_kib, 256 * MIB);
	assert_int_equal(mm_resv_end(&F.set, (uint32_t)a, MM_RESV_END_RELEASED, F.now_ms), -ENOENT);
}

/* Two at once: served in order; together they fit, so both are met; a
 * third that no longer fits is refused while the first two stay. */
static void test_two_at_once(void **state)
{
	int a, b, c;

	(void)state;
	setup_doms(2, 3 * GIB, 2 * GIB, 64 * MIB);
	a = add(1 * GIB, "vm3", 0);
	b = add(1536 * MIB, "vm4", 0);
	round_();
	assert_int_equal(F.set.reserved_kib, 2560 * MIB);
	balloon();
	round_();
	assert_int_equal(mm_resv_find(&F.set, (uint32_t)a)->state, MM_RESV_HELD);
	assert_int_equal(mm_resv_find(&F.set, (uint32_t)b)->state, MM_RESV_HELD);
	c = add(2 * GIB, NULL, 0);
	round_();
	assert_int_equal(mm_resv_find(&F.set, (uint32_t)c)->end, MM_RESV_END_REFUSED);
	assert_int_equal(mm_resv_find(&F.set, (uint32_t)a)->state, MM_RESV_HELD);
	assert_int_equal(F.set.reserved_kib, 2560 * MIB);
}

/* The named domain appears (a new domid) with the memory: claimed, and the
 * reserve falls back so nobody is squeezed a second time. */
static void test_claimed(void **state)
{
	struct mm_resv *r;
	int id;

	(void)state;
	setup_doms(3, 2 * GIB, 1536 * MIB, 2 * GIB);
	id = add(1 * GIB, "vm3", 0); /* vm3 exists already: only a new vm3 claims */
	round_();
	r = mm_resv_find(&F.set, (uint32_t)id);
	assert_int_equal(r->state, MM_RESV_HELD);
	r->changed = false;
	/* the old vm3 goes, a new one is created with 1G */
	F.in[2].domid = 9;
	F.in[2].actual_kib = F.in[2].target_kib = 1 * GIB;
	F.in[2].flags = MM_FLAG_OUT_OF_SCOPE; /* not reported yet */
	F.host_free_kib -= 1 * GIB;
	round_();
	assert_int_equal(r->end, MM_RESV_END_CLAIMED);
	assert_int_equal(r->claimed_kib, 1 * GIB);
	assert_int_equal(F.set.reserved_kib, 0);
	assert_int_equal(F.out[0].target_kib, 2 * GIB);
}

/* Every state, end and reason has its name (the answers print them). */
static void test_names(void **state)
{
	(void)state;
	for (int w = MM_RESV_WHY_CAN_GIVE; w <= MM_RESV_WHY_BEHIND; w++)
		assert_string_not_equal(mm_resv_why_name((enum mm_resv_why)w), "unknown");
	for (int e = MM_RESV_END_NONE; e <= MM_RESV_END_TIMEOUT; e++)
		assert_string_not_equal(mm_resv_end_name((enum mm_resv_end)e), "unknown");
	for (int st = MM_RESV_UNUSED; st <= MM_RESV_ENDED; st++)
		assert_string_not_equal(mm_resv_state_name((enum mm_resv_state)st), "unknown");
	assert_string_equal(mm_resv_why_name(MM_RESV_WHY_BEHIND), "behind");
}

/* Bounds: sizes, times and the table size. */
static void test_bounds(void **state)
{
	struct mm_resv_req q = {.size_kib = 512};

	(void)state;
	setup_doms(1, 2 * GIB, 1 * GIB, 0);
	assert_int_equal(mm_resv_add(&F.set, &q, F.d, F.n, 0), -EINVAL);
	q.size_kib = 1 * GIB;
	q.lease_ms = 3600001;
	assert_int_equal(mm_resv_add(&F.set, &q, F.d, F.n, 0), -EINVAL);
	q.lease_ms = 0;
	for (int i = 0; i < MM_RESV_MAX; i++)
		assert_true(mm_resv_add(&F.set, &q, F.d, F.n, 0) > 0);
	assert_int_equal(mm_resv_add(&F.set, &q, F.d, F.n, 0), -ENOSPC);
}

/* Property: whatever the guests, a cut never goes below a floor nor below
 * what a guest uses, never touches a held domain, and the sum of targets
 * never rises. 2000 pseudo-random hosts. */
static void test_never_below(void **state)
{
	uint64_t x = 88172645463325252u;

	(void)state;
	for (int k = 0; k < 2000; k++) {
		uint64_t before[N], sum0;
		setup_doms(N, 1 * GIB, 0, 0);
		for (size_t i = 0; i < N; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			F.in[i].actual_kib = F.in[i].target_kib = 256 * MIB + x % (4 * GIB);
			F.in[i].report.free_kib = (x >> 20) % F.in[i].actual_kib;
			F.in[i].floor_kib = 200 * MIB + (x >> 40) % (512 * MIB);
			F.in[i].flags = (x >> 50) % 5 == 0 ? MM_FLAG_STALE : 0;
		}
		F.host_free_kib = (x >> 8) % (2 * GIB);
		add(1 * GIB + x % (6 * GIB), NULL, 0);
		sum0 = 0;
		for (size_t i = 0; i < N; i++)
			sum0 += before[i] = F.in[i].target_kib;
		round_();
		assert_true(sum_targets() <= sum0);
		for (size_t i = 0; i < N; i++) {
			uint64_t a = F.in[i].actual_kib, fr = F.in[i].report.free_kib;
			uint64_t used = a - fr,
			         lim = used > F.in[i].floor_kib ? used : F.in[i].floor_kib;
			uint64_t t = F.out[i].target_kib;
			if (F.in[i].flags & MM_FLAG_STALE)
				assert_int_equal(t, before[i]);
			else
				assert_true(t >= (before[i] < lim ? before[i] : lim));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_met),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_stuck_given_up),
	    cmocka_unit_test(test_harm_budget),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_lease_expires),
	    cmocka_unit_test(test_owner_gone),
	    cmocka_unit_test(test_two_at_once),
	    cmocka_unit_test(test_claimed),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_never_below),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
