/* Guard arithmetic. Everything is integer KiB. Bounds are at most 2^44 KiB
 * and wants at most ±2^50 KiB (mm_policy.c), so sums over up to 2^18
 * domains stay inside int64. */
#include "mm_guard.h"

#include <stdbool.h>
#include <string.h>

#define BIG_KIB   (INT64_C(1) << 44) /* "no bound": 16 PiB */
#define SHIFT_KIB (INT64_C(1) << 51) /* covers every want */

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static int64_t lo_of(const struct mm_dom_in *d, unsigned off)
{
	return (off & MM_GUARD_OFF_FLOOR) ? 0 : (int64_t)d->floor_kib;
}

static int64_t hi_of(const struct mm_dom_in *d, unsigned off)
{
	return (off & MM_GUARD_OFF_MAXMEM) ? BIG_KIB : (int64_t)d->maxmem_kib;
}

/* Sum of the wants shifted by lambda and clipped to each domain's bounds;
 * *slope: how many domains are strictly inside their bounds there (how
 * fast the sum grows with lambda on this piece). */
static int64_t filled(const struct mm_snapshot *s, const struct mm_plan *p, unsigned off,
                      int64_t lambda, int64_t *slope)
{
	int64_t sum = 0, k = 0;

	for (size_t i = 0; i < s->n; i++) {
		int64_t x = p->dom[i].want_kib + lambda, lo = lo_of(&s->dom[i], off),
		        hi = hi_of(&s->dom[i], off);
		sum += clamp64(x, lo, hi);
		k += x > lo && x < hi;
	}
	*slope = k;
	return sum;
}

/* Where the line through (x, f) with slope k meets goal, rounded down. */
static int64_t newton(int64_t x, int64_t f, int64_t k, int64_t goal)
{
	int64_t d = goal - f, q = d / k;

	return x + (d % k && d < 0 ? q - 1 : q);
}

/* The largest shift whose filled sum does not exceed goal (filled() grows
 * with lambda, and filled(-BIG) is the sum of floors <= goal). The sum is
 * piecewise linear in lambda, so each probe is the step along the piece it
 * lands on (a few passes, where halving the range of 2^45 took 45 passes
 * over every domain: 60 % of the decision at 10000 domains), kept inside
 * the bracket; a step that does not halve the bracket is followed by a
 * halving one (or by lo + 1, which ends the search when lo is the
 * answer). The answer is the same either way: the invariant
 * filled(lo) <= goal < filled(hi) only narrows. */
static int64_t find_lambda(const struct mm_snapshot *s, const struct mm_plan *p, unsigned off,
                           int64_t goal)
{
	int64_t lo = SHIFT_KIB, hi = -SHIFT_KIB, next;
	bool halve = false;

	/* Outside [min(lo_i - want_i), max(hi_i - want_i)] the sum is flat. */
	for (size_t i = 0; i < s->n; i++) {
		int64_t a = lo_of(&s->dom[i], off) - p->dom[i].want_kib;
		int64_t b = hi_of(&s->dom[i], off) - p->dom[i].want_kib;
		lo = a < lo ? a : lo;
		hi = b > hi ? b : hi;
	}
	lo -= 1;
	hi += 1;
	next = lo + (hi - lo) / 2;
	while (hi - lo > 1) {
		int64_t mid = next, k, width = hi - lo;
		if (mid <= lo || mid >= hi || (halve && mid != lo + 1))
			mid = lo + (hi - lo) / 2;
		int64_t f = filled(s, p, off, mid, &k);
		if (f <= goal)
			lo = mid;
		else
			hi = mid;
		next = k ? newton(mid, f, k, goal) : lo + (hi - lo) / 2;
		/* the line ends at lo: lo + 1 tells whether lo is the answer */
		if (next <= lo)
			next = lo + 1;
		halve = 2 * (hi - lo) > width;
	}
	return lo;
}

static void set_clipped(const struct mm_dom_in *d, struct mm_dom_out *o, unsigned off,
                        int64_t lambda)
{
	int64_t x = o->want_kib + lambda, lo = lo_of(d, off), hi = hi_of(d, off);
	int64_t t = clamp64(x, lo, hi);

	o->target_kib = t > 0 ? (uint64_t)t : 0;
	if (x > hi) {
		o->reason = MM_REASON_MAXMEM;
		o->flags |= MM_FLAG_CAPPED;
	} else if (x < lo) {
		o->reason = MM_REASON_FLOOR;
	} else if (mm_reason_is_policy_own(o->reason)) {
		/* the policy said why (pressure, harm budget, rate cap): keep it */
	} else if (o->target_kib > d->target_kib) {
		o->reason = MM_REASON_GROW;
	} else if (o->target_kib < d->target_kib) {
		o->reason = MM_REASON_SHRINK;
	} else {
		o->reason = MM_REASON_HOLD;
	}
}

void mm_guard_clip(const struct mm_snapshot *s, const struct mm_guard_cfg *cfg, struct mm_plan *p)
{
	int64_t sum_want = 0, sum_lo = 0, sum_hi = 0, pool = (int64_t)s->pool_kib, goal, lambda = 0;

	for (size_t i = 0; i < s->n; i++) {
		sum_want += p->dom[i].want_kib;
		sum_lo += lo_of(&s->dom[i], cfg->off);
		sum_hi += hi_of(&s->dom[i], cfg->off);
	}
	if (!(cfg->off & MM_GUARD_OFF_POOL)) {
		if (sum_lo > pool) {
			for (size_t i = 0; i < s->n; i++) {
				p->dom[i].target_kib = (uint64_t)lo_of(&s->dom[i], cfg->off);
				p->dom[i].reason = MM_REASON_POOL;
			}
			return;
		}
		/* Keep what the policy meant to hand out (tax: exactly the pool;
		 * a frugal policy: less), within what the bounds allow. */
		goal = clamp64(sum_want, sum_lo, pool < sum_hi ? pool : sum_hi);
		lambda = find_lambda(s, p, cfg->off, goal);
	}
	for (size_t i = 0; i < s->n; i++)
		set_clipped(&s->dom[i], &p->dom[i], cfg->off, lambda);
}

static uint64_t sum_targets(const struct mm_plan *p)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < p->n; i++)
		sum += p->dom[i].target_kib;
	return sum;
}

static bool in_bounds(const struct mm_dom_in *d, unsigned off, uint64_t x)
{
	return (int64_t)x >= lo_of(d, off) && (int64_t)x <= hi_of(d, off);
}

void mm_guard_deadband(const struct mm_snapshot *s, const struct mm_guard_cfg *cfg,
                       struct mm_plan *p)
{
	uint64_t sum;

	if (cfg->off & MM_GUARD_OFF_DEADBAND)
		return;
	/* Grows held back only lower the sum, so they are always safe; a current
	 * target outside the bounds is never kept, however close. */
	for (size_t i = 0; i < s->n; i++) {
		uint64_t t = p->dom[i].target_kib, cur = s->dom[i].target_kib;
		if (!in_bounds(&s->dom[i], cfg->off, cur) || (p->dom[i].flags & MM_FLAG_FIXED))
			continue;
		if (t > cur && t - cur < cfg->deadband_kib) {
			p->dom[i].target_kib = cur;
			p->dom[i].reason = MM_REASON_DEADBAND;
		}
	}
	/* Shrinks held back raise the sum: only while it stays within the pool,
	 * and only where the kept target asks nothing more of the host (cur <=
	 * actual), so the reserve guard that ran before still holds. */
	sum = sum_targets(p);
	for (size_t i = 0; i < s->n; i++) {
		uint64_t t = p->dom[i].target_kib, cur = s->dom[i].target_kib;
		if (t < cur && cur - t < cfg->deadband_kib && sum + (cur - t) <= s->pool_kib &&
		    cur <= s->dom[i].actual_kib && in_bounds(&s->dom[i], cfg->off, cur)) {
			sum += cur - t;
			p->dom[i].target_kib = cur;
			p->dom[i].reason = MM_REASON_DEADBAND;
		}
	}
}

void mm_guard_reserve(const struct mm_snapshot *s, const struct mm_guard_cfg *cfg,
                      struct mm_plan *p)
{
	uint64_t budget = 0, need = 0;

	if (cfg->off & MM_GUARD_OFF_RESERVE)
		return;
	if (s->host_free_kib > s->reserve_kib)
		budget = s->host_free_kib - s->reserve_kib;
	/* A domain the round must not write keeps its pending grow: that comes
	 * off the budget first, and only the others are scaled. */
	for (size_t i = 0; i < s->n; i++) {
		uint64_t a = s->dom[i].actual_kib, t = p->dom[i].target_kib;
		if (t <= a)
			continue;
		if (p->dom[i].flags & MM_FLAG_FIXED)
			budget = budget > t - a ? budget - (t - a) : 0;
		else
			need += t - a;
	}
	if (need <= budget)
		return;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t a = s->dom[i].actual_kib, t = p->dom[i].target_kib;
		if (t > a && !(p->dom[i].flags & MM_FLAG_FIXED)) {
			/* floor(grow * budget / need) per domain sums to <= budget */
			unsigned __int128 g = (unsigned __int128)(t - a) * budget / need;
			p->dom[i].target_kib = a + (uint64_t)g;
			p->dom[i].reason = MM_REASON_RESERVE;
		}
	}
}

int mm_guard_from_name(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
	    {"maxmem", MM_GUARD_OFF_MAXMEM},     {"floor", MM_GUARD_OFF_FLOOR},
	    {"pool", MM_GUARD_OFF_POOL},         {"reserve", MM_GUARD_OFF_RESERVE},
	    {"deadband", MM_GUARD_OFF_DEADBAND}, {"hold", MM_GUARD_OFF_HOLD},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return (int)names[i].bit;
	return -1;
}
