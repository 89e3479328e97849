/* ebb: xenmm's own policy. Memory flows in at once and ebbs out gently.
 * - need = committed memory (used + swap, on the balloon's size), held at
 *   its highest of the last two minutes (decaying), plus a trend (the net
 *   rise of the last 10 s, 5 s ahead);
 * - ideal = need + f + trend + a weighted share of ALPHA of the surplus; the
 *   rest of the surplus stays with the host so new guests can start;
 * - a domain under pressure (swapping, psi above the bound) or below
 *   need + f/2 grows to its ideal in one round; those under pressure are
 *   served first from the host's free memory; no move under MIN_MOVE unless
 *   the domain is short now or the pool is;
 * - a donor (above ideal + f) never gives while it swaps; while its
 *   pressure rises above the bound it keeps need + f at least (harm
 *   budget); when others need its memory it goes straight to its ideal,
 *   otherwise it gives half its excess per step, not within its hold time
 *   of its last grow and at most MOVES_PER_MIN a minute; a grow soon after a
 *   shrink doubles the hold (never oscillate);
 * - short of memory, headroom is given up first, then the 5 % working-set
 *   margins; if the needs still do not fit, floors first, then needs by
 *   weight, highest first, older domains first within a weight.
 * Pure: per-domain history lives in the loop's pol memory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mm_demand.h"
#include "mm_policy.h"

#define ALPHA_PERMILLE  800   /* share of the surplus handed out as headroom */
#define PSI_BOUND_CENTI 20    /* 0.2 % some avg10: Senpai's upper target */
#define MOVES_PER_MIN   6     /* moves a domain may get per minute, grows under pressure apart */
#define HOLD_MS         30000 /* no shrink until the last grow is this old */
#define HOLD_MAX_MS     600000
#define TREND_AHEAD_MS  5000
#define TREND_AVG_MS    10000
#define TREND_MAX_KIB   (1024 * MM_KIB_PER_MIB)
#define PEAK_DECAY_MS   120000                /* a peak need is forgotten over 2 min */
#define MIN_MOVE_KIB    (32 * MM_KIB_PER_MIB) /* smaller moves wait (churn) */
#define WEIGHT_MAX      100

struct ebb_dom {
	uint8_t valid;
	uint64_t prev_need_kib, prev_ms;
	double rise_kib_s; /* average change of need, 10 s window */
	double peak_kib;   /* the highest recent need, decaying over PEAK_DECAY_MS */
	uint64_t last_grow_ms, last_shrink_ms, hold_ms;
	uint64_t win_start_ms;
	uint32_t win_moves;
	uint32_t prev_psi; /* psi some10 (1/100 %) at the last round */
	bool psi_rising;   /* above the bound and not falling */
};
_Static_assert(sizeof(struct ebb_dom) <= MM_POLICY_DOM_BYTES, "fits");

static int ebb_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                    size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'ebb' takes no arguments (got '%s')", args);
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
	unsigned w = d->weight ? d->weight : 1;
	return w > WEIGHT_MAX ? WEIGHT_MAX : w;
}

/* Updates the domain's history with this round's need; NULL-safe. */
static void observe(const struct mm_dom_in *d, uint64_t now_ms)
{
	struct ebb_dom *h = d->pol;
	uint64_t need = mm_dom_committed_kib(d);

	if (!h)
		return;
	if (h->valid && now_ms > h->prev_ms) {
		double dt = (double)(now_ms - h->prev_ms);
		double rise = (double)need - (double)h->prev_need_kib; /* signed: noise cancels */
		double a = dt / TREND_AVG_MS < 1 ? dt / TREND_AVG_MS : 1;
		h->rise_kib_s += (rise * 1000.0 / dt - h->rise_kib_s) * a;
		h->psi_rising =
		    mm_dom_psi_centi(d) > PSI_BOUND_CENTI && mm_dom_psi_centi(d) >= h->prev_psi;
		h->peak_kib -= h->peak_kib * (dt < PEAK_DECAY_MS ? dt / PEAK_DECAY_MS : 1);
	} else if (!h->valid) {
		h->hold_ms = HOLD_MS;
		h->last_grow_ms = now_ms;
		h->win_start_ms = now_ms;
	}
	h->valid = 1;
	h->peak_kib = h->peak_kib > (double)need ? h->peak_kib : (double)need;
	h->prev_need_kib = need;
	h->prev_ms = now_ms;
	h->prev_psi = mm_dom_psi_centi(d);
}

struct ebb_ctx {
	const struct mm_snapshot *s;
};

/* need + f + trend, within [floor, maxmem]: the least a calm domain gets. */
static double base_of(const void *ctx, size_t i)
{
	const struct mm_snapshot *s = ((const struct ebb_ctx *)ctx)->s;
	const struct mm_dom_in *d = &s->dom[i];
	const struct ebb_dom *h = d->pol;
	double trend = h ? clampd(h->rise_kib_s * TREND_AHEAD_MS / 1000.0, 0, TREND_MAX_KIB) : 0;
	double need = (double)mm_dom_committed_kib(d);
	double x =
	    (h && h->peak_kib > need ? h->peak_kib : need) + (double)s->free_goal_kib + trend;

	return clampd(x, (double)d->floor_kib, (double)d->maxmem_kib);
}

static double w_of(const void *ctx, size_t i)
{
	return (double)weight_of(&((const struct ebb_ctx *)ctx)->s->dom[i]);
}

static double max_of(const void *ctx, size_t i)
{
	return (double)((const struct ebb_ctx *)ctx)->s->dom[i].maxmem_kib;
}

/* The need within the domain's bounds. */
static double need_of(const struct mm_dom_in *d)
{
	return clampd((double)mm_dom_committed_kib(d), (double)d->floor_kib, (double)d->maxmem_kib);
}

/* The working set and a little more: what a donor keeps when short. */
static double core_of(const struct mm_dom_in *d)
{
	double need = (double)mm_dom_committed_kib(d);
	return clampd(need + need / 20, (double)d->floor_kib, (double)d->maxmem_kib);
}

/* What the short cases weigh: floors, needs above them, the working-set
 * margins, and the needs above the floors per weight. */
struct levels {
	double sum_base, floors, needs, margins;
	double need_w[WEIGHT_MAX + 1];
};

static void core_need(const struct ebb_ctx *c, size_t i, double *core, double *need)
{
	const struct mm_dom_in *d = &c->s->dom[i];
	double b = base_of(c, i);

	*core = core_of(d) < b ? core_of(d) : b;
	*need = need_of(d) < *core ? need_of(d) : *core;
}

static void measure(const struct ebb_ctx *c, struct levels *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < c->s->n; i++) {
		const struct mm_dom_in *d = &c->s->dom[i];
		double core, need;
		core_need(c, i, &core, &need);
		l->sum_base += base_of(c, i);
		l->floors += (double)d->floor_kib;
		l->needs += need - (double)d->floor_kib;
		l->margins += core - need;
		l->need_w[weight_of(d)] += need - (double)d->floor_kib;
	}
}

/* The needs do not fit: the highest weight first, nothing beyond need;
 * within a weight the older domains (first in the snapshot) first, so the
 * shortage stays where it is instead of spreading to everyone. */
static void by_weight(const struct ebb_ctx *c, const struct levels *l, struct mm_plan *out)
{
	double left = (double)c->s->pool_kib - l->floors, got[WEIGHT_MAX + 1];

	for (int w = WEIGHT_MAX; w >= 0; w--) {
		got[w] = l->need_w[w] <= left ? l->need_w[w] : left; /* what weight w gets */
		left -= got[w];
	}
	for (size_t i = 0; i < c->s->n; i++) {
		const struct mm_dom_in *d = &c->s->dom[i];
		double core, need, fl = (double)d->floor_kib, *g = &got[weight_of(d)], give;
		core_need(c, i, &core, &need);
		give = need - fl < *g ? need - fl : *g;
		*g -= give;
		out->dom[i].want_kib = mm_policy_kib(fl + give);
	}
}

/* Ideal targets into out->dom[i].want_kib (scratch until decide()). */
static void ideals(const struct mm_snapshot *s, struct mm_plan *out)
{
	struct ebb_ctx c = {.s = s};
	struct mm_fill f = {.n = s->n, .ctx = &c, .base = base_of, .w = w_of, .hi = max_of};
	double pool = (double)s->pool_kib, keep, lo, hi;
	struct levels l;

	measure(&c, &l);
	if (l.sum_base <= pool) {
		double k = mm_fill_solve(&f, (pool - l.sum_base) * ALPHA_PERMILLE / 1000.0);
		for (size_t i = 0; i < s->n; i++)
			out->dom[i].want_kib = mm_policy_kib(mm_fill_at(&f, i, k));
		return;
	}
	if (l.floors + l.needs > pool) {
		by_weight(&c, &l, out);
		return;
	}
	/* headroom is given up first, in proportion to each one's; then the
	 * working-set margins, in proportion too: no one is short yet */
	if (l.floors + l.needs + l.margins <= pool)
		keep = (pool - l.floors - l.needs - l.margins) /
		       (l.sum_base - l.floors - l.needs - l.margins);
	else
		keep = l.margins > 0 ? (pool - l.floors - l.needs) / l.margins : 0;
	for (size_t i = 0; i < s->n; i++) {
		double core, need;
		core_need(&c, i, &core, &need);
		lo = l.floors + l.needs + l.margins <= pool ? core : need;
		hi = l.floors + l.needs + l.margins <= pool ? base_of(&c, i) : core;
		out->dom[i].want_kib = mm_policy_kib(lo + (hi - lo) * keep);
	}
}

static bool pressured(const struct mm_dom_in *d)
{
	return (d->report.has & MM_REPORT_HAS_SWAP && d->report.swap_used_kib > 0) ||
	       mm_dom_psi_centi(d) > PSI_BOUND_CENTI;
}

/* Counts a move against the per-minute cap; false when the cap is hit. */
static bool rate_ok(struct ebb_dom *h, uint64_t now_ms)
{
	if (!h)
		return true;
	if (now_ms - h->win_start_ms >= 60000) {
		h->win_start_ms = now_ms;
		h->win_moves = 0;
	}
	return h->win_moves < MOVES_PER_MIN;
}

static void grow(struct ebb_dom *h, uint64_t now_ms)
{
	if (!h)
		return;
	/* a grow soon after a shrink: the shrink was wrong, wait longer */
	if (h->last_shrink_ms && now_ms - h->last_shrink_ms < 2 * h->hold_ms)
		h->hold_ms = h->hold_ms * 2 < HOLD_MAX_MS ? h->hold_ms * 2 : HOLD_MAX_MS;
	h->last_grow_ms = now_ms;
	h->win_moves++;
}

/* A domain grows when it is under pressure or below need + f/2 (and its
 * working set), and the grow is worth a write: 32 MiB, or it is short now. */
static bool wants_grow(const struct mm_snapshot *s, const struct mm_dom_in *d, double ideal,
                       bool short_pool)
{
	double cur = (double)d->target_kib, need = (double)mm_dom_committed_kib(d);
	double low = need + (double)s->free_goal_kib / 2;

	low = low > core_of(d) ? low : core_of(d);
	return (cur < low || pressured(d) || (short_pool && ideal - cur >= MIN_MOVE_KIB)) &&
	       ideal > cur && (ideal - cur >= MIN_MOVE_KIB || cur < need);
}

/* A grow to the ideal; a calm one waits while the host's free memory goes
 * to the domains under pressure (served first) or the rate cap is hit. */
static void grow_to(const struct mm_snapshot *s, const struct mm_dom_in *d, double ideal,
                    double *budget, struct mm_dom_out *o)
{
	struct ebb_dom *h = d->pol;
	double take = ideal - (double)d->actual_kib;
	bool press = pressured(d);

	if (!press && (take > *budget || !rate_ok(h, s->now_ms))) {
		o->reason = take > *budget ? MM_REASON_HOLD : MM_REASON_RATE;
		return;
	}
	*budget -= take > 0 ? take : 0;
	o->want_kib = mm_policy_kib(ideal);
	o->reason = press ? MM_REASON_PRESSURE : MM_REASON_GROW;
	grow(h, s->now_ms);
}

/* A donor gives only while it swaps nothing; while its pressure rises it
 * keeps need + f at least (harm budget); straight to the ideal when others
 * need the memory, else half the excess after its hold, within the cap. */
static void give_back(const struct mm_snapshot *s, const struct mm_dom_in *d, double ideal,
                      bool short_pool, struct mm_dom_out *o)
{
	struct ebb_dom *h = d->pol;
	double cur = (double)d->target_kib;

	if (d->report.has & MM_REPORT_HAS_SWAP && d->report.swap_used_kib > 0) {
		o->reason = MM_REASON_HARM;
		return;
	}
	if (h ? h->psi_rising : mm_dom_psi_centi(d) > PSI_BOUND_CENTI) {
		double keep = (double)mm_dom_committed_kib(d) + (double)s->free_goal_kib;
		if (!short_pool || keep > cur - MIN_MOVE_KIB) {
			o->reason = MM_REASON_HARM;
			return;
		}
		ideal = ideal > keep ? ideal : keep;
	}
	if (short_pool) {
		o->want_kib = mm_policy_kib(ideal);
		o->reason = MM_REASON_SHRINK;
		return;
	}
	if (h && (s->now_ms - h->last_grow_ms < h->hold_ms || !rate_ok(h, s->now_ms))) {
		o->reason = MM_REASON_RATE;
		return;
	}
	o->want_kib = mm_policy_kib(ideal + (cur - ideal) / 2);
	o->reason = MM_REASON_SHRINK;
	if (h) {
		h->last_shrink_ms = s->now_ms;
		h->win_moves++;
	}
}

/* Decides one domain from its ideal (in o->want_kib). */
static void decide(const struct mm_snapshot *s, size_t i, bool short_pool, double *budget,
                   struct mm_dom_out *o)
{
	const struct mm_dom_in *d = &s->dom[i];
	double cur = (double)d->target_kib, ideal = (double)o->want_kib;

	o->want_kib = (int64_t)d->target_kib;
	o->reason = MM_REASON_HOLD;
	if (wants_grow(s, d, ideal, short_pool))
		grow_to(s, d, ideal, budget, o);
	else if (cur > ideal + (double)s->free_goal_kib ||
	         (short_pool && cur >= ideal + MIN_MOVE_KIB))
		give_back(s, d, ideal, short_pool, o);
}

static void ebb_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	double sum_cur = 0, pool = (double)s->pool_kib, budget;

	(void)state;
	for (size_t i = 0; i < s->n; i++)
		observe(&s->dom[i], s->now_ms);
	ideals(s, out);
	/* short: the ideals do not fit beside what the donors hold now */
	for (size_t i = 0; i < s->n; i++) {
		double ideal = (double)out->dom[i].want_kib, cur = (double)s->dom[i].target_kib;
		sum_cur += cur > ideal ? cur : ideal;
	}
	budget =
	    s->host_free_kib > s->reserve_kib ? (double)(s->host_free_kib - s->reserve_kib) : 0;
	for (int pass = 0; pass < 2; pass++) /* domains under pressure first */
		for (size_t i = 0; i < s->n; i++)
			if (pressured(&s->dom[i]) == (pass == 0))
				decide(s, i, sum_cur > pool, &budget, &out->dom[i]);
}

const struct mm_policy_type mm_policy_ebb = {
    .name = "ebb",
    .usage = "ebb",
    .help = "xenmm's own: grow to demand in one round; give back gently under a "
            "pressure bound, hold and rate cap; weights; surplus partly kept by the host",
    .init = ebb_init,
    .run = ebb_run,
};
