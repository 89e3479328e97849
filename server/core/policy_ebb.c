/* ebb: xenmm's own policy. Memory flows in at once and ebbs out gently.
 * - need = committed memory (used + swap, on the balloon's size), held at
 *   its highest of the last two minutes (decaying), plus a trend (the
 *   sustained rise of the last 10 s, 5 s ahead: a step is no slope);
 * - ideal = need + f + trend + a weighted share of ALPHA of the surplus; the
 *   rest of the surplus stays with the host so new guests can start;
 * - a domain under pressure (swapping, psi above the bound) or below
 *   need + f/2 grows to its ideal in one round; those under pressure are
 *   served first from the host's free memory; no move under a dead zone
 *   (MIN_MOVE, doubled for each move of the minute, not while the domain
 *   swaps or its pressure rises) unless the domain is short now;
 * - a donor (above ideal + f) never gives while it swaps; while its
 *   pressure rises above the bound it keeps need + f at least (harm
 *   budget); when others need its memory it goes straight to its ideal
 *   (without its surplus share when a domain under pressure waits),
 *   otherwise it gives half its excess per step, not within its hold time
 *   of its last grow and at most MOVES_PER_MIN a minute; a grow soon after a
 *   shrink doubles the hold (never oscillate);
 * - short of memory, headroom is given up first (while a domain swaps, no
 *   claim beyond what the balloon reaches by the next round), then the 5 %
 *   working-set margins; if the needs still do not fit, floors first, then
 *   the needs by the next round by weight, highest first (a need that
 *   jumps every interval claims only what its balloon reaches); within a weight
 *   each keeps what it holds, gains go to the older domains, losses come
 *   from the newer (no memory moves between two short domains);
 * - when every domain's need is noise (it jumps every interval), each moves
 *   part of the way from an equal weighted share towards this interval's
 *   need, within its balloon's reach (noise_plan).
 * Pure: per-domain history lives in the loop's pol memory. */
#include <errno.h>
#include <math.h>
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
#define REACH_MS        1000 /* short: claims within one interval of balloon travel */
#define NOISE_JUMPS     6    /* of the last 8 intervals (or the last 3): the need is noise */
#define NOISE_CALM      3    /* ... and no longer noise */
#define NOISE_TAU       0.6  /* part of the way to this interval's need */

struct ebb_dom {
	uint8_t valid;
	uint64_t prev_need_kib, prev_ms;
	double rise_kib_s; /* average sustained change of need, 10 s window */
	double last_kib_s; /* change of need over the last interval */
	double next_kib;   /* sustained change over the last interval: the next one's guess */
	double peak_kib;   /* the highest recent need, decaying over PEAK_DECAY_MS */
	uint64_t last_grow_ms, last_shrink_ms, hold_ms;
	uint64_t win_start_ms;
	uint32_t win_moves;
	uint32_t prev_psi; /* psi some10 (1/100 %) at the last round */
	bool psi_rising;   /* above the bound and not falling */
	uint64_t prev_actual_kib;
	double speed_kib_s; /* the fastest the balloon was seen to move */
	uint8_t jumps;      /* intervals in a row whose need moved over half of that */
	uint8_t jump_bits;  /* the last 8 intervals, 1 = the need moved that much */
	uint8_t noise;      /* its need is noise (set at NOISE_JUMPS, cleared at NOISE_CALM) */
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

/* The part of a change that the interval before also had: a step (one
 * jump, then flat) is no trend; a ramp (the same change every interval) is. */
static double sustained(double rate, double last)
{
	if (rate > 0 && last > 0)
		return rate < last ? rate : last;
	if (rate < 0 && last < 0)
		return rate > last ? rate : last;
	return 0;
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
		double rate = ((double)need - (double)h->prev_need_kib) * 1000.0 / dt;
		double a = dt / TREND_AVG_MS < 1 ? dt / TREND_AVG_MS : 1;
		h->rise_kib_s += (sustained(rate, h->last_kib_s) - h->rise_kib_s) * a;
		h->next_kib = sustained(rate, h->last_kib_s) * dt / 1000.0;
		h->last_kib_s = rate;
		h->psi_rising =
		    mm_dom_psi_centi(d) > PSI_BOUND_CENTI && mm_dom_psi_centi(d) >= h->prev_psi;
		h->peak_kib -= h->peak_kib * (dt < PEAK_DECAY_MS ? dt / PEAK_DECAY_MS : 1);
	} else if (!h->valid) {
		h->hold_ms = HOLD_MS;
		h->last_grow_ms = now_ms;
		h->win_start_ms = now_ms;
	}
	if (h->valid && now_ms > h->prev_ms) {
		double moved = (double)d->actual_kib - (double)h->prev_actual_kib;
		double v = (moved < 0 ? -moved : moved) * 1000.0 / (double)(now_ms - h->prev_ms);
		h->speed_kib_s = v > h->speed_kib_s ? v : h->speed_kib_s;
		bool jump = fabs(h->last_kib_s) > h->speed_kib_s / 4;
		if (jump)
			h->jumps = h->jumps < 255 ? (uint8_t)(h->jumps + 1) : 255;
		else
			h->jumps = 0;
		h->jump_bits = (uint8_t)(h->jump_bits << 1 | (jump ? 1 : 0));
		if ((h->jump_bits & 7) == 7 || __builtin_popcount(h->jump_bits) >= NOISE_JUMPS)
			h->noise = 1;
		else if (__builtin_popcount(h->jump_bits) <= NOISE_CALM)
			h->noise = 0;
	}
	h->prev_actual_kib = d->actual_kib;
	h->valid = 1;
	h->peak_kib = h->peak_kib > (double)need ? h->peak_kib : (double)need;
	h->prev_need_kib = need;
	h->prev_ms = now_ms;
	h->prev_psi = mm_dom_psi_centi(d);
}

/* How short a round is (bits): the ideals do not fit beside what the donors
 * hold now; a domain under pressure waits for memory; the needs themselves
 * do not fit the pool. */
enum { SHORT_POOL = 1, SHORT_WAIT = 2, SHORT_OVER = 4 };

struct ebb_ctx {
	const struct mm_snapshot *s;
	bool reach; /* short: no claim beyond what the balloon reaches by the next round */
	bool jumpy; /* the same, for the domains whose need keeps jumping */
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
	const struct ebb_ctx *c = ctx;

	if (h && h->speed_kib_s > 0 && (c->reach || (c->jumpy && h->jumps >= 2))) {
		double far = (double)d->actual_kib + h->speed_kib_s * (double)REACH_MS / 1000.0;
		x = x < far ? x : far;
	}
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

/* The need by the next round (a steady ramp goes on for one more interval:
 * a falling domain does not hold what a short one lacks), within bounds. */
static double need_of(const struct mm_dom_in *d)
{
	const struct ebb_dom *h = d->pol;
	double need = (double)mm_dom_committed_kib(d) + (h ? h->next_kib : 0);

	return clampd(need, (double)d->floor_kib, (double)d->maxmem_kib);
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

/* Above its floor: what domain i holds now, within its need. */
static double held_of(const struct ebb_ctx *c, size_t i)
{
	const struct mm_dom_in *d = &c->s->dom[i];
	double core, need, x = (double)d->target_kib - (double)d->floor_kib;

	core_need(c, i, &core, &need);
	need -= (double)d->floor_kib;
	return x < 0 ? 0 : x > need ? need : x;
}

/* The needs do not fit: the highest weight first, nothing beyond need.
 * Within a weight every domain keeps what it holds (up to its need); what
 * the weight gains goes to the older domains first (first in the snapshot),
 * what it loses comes from the newer first. Moving memory between two
 * domains that are both short changes no total shortfall and costs two
 * writes: the shortage stays where it is. */
static void by_weight(const struct ebb_ctx *c, const struct levels *l, struct mm_plan *out)
{
	double left = (double)c->s->pool_kib - l->floors, got[WEIGHT_MAX + 1] = {0};

	for (int w = WEIGHT_MAX; w >= 0; w--) {
		double g = l->need_w[w] <= left ? l->need_w[w] : left; /* what weight w gets */
		left -= g;
		got[w] = g;
	}
	for (size_t i = 0; i < c->s->n; i++)
		got[weight_of(&c->s->dom[i])] -= held_of(c, i); /* > 0: to hand out */
	for (size_t k = 0; k < c->s->n; k++) {
		size_t i = k; /* gains: older first */
		const struct mm_dom_in *d = &c->s->dom[i];
		double core, need, x = held_of(c, i), *g = &got[weight_of(d)];
		core_need(c, i, &core, &need);
		if (*g > 0) {
			double give = need - (double)d->floor_kib - x;
			give = give < *g ? give : *g;
			x += give;
			*g -= give;
		}
		out->dom[i].want_kib = mm_policy_kib((double)d->floor_kib + x);
	}
	for (size_t k = c->s->n; k-- > 0;) { /* losses: newer first */
		const struct mm_dom_in *d = &c->s->dom[k];
		double *g = &got[weight_of(d)],
		       x = (double)out->dom[k].want_kib - (double)d->floor_kib;
		if (*g < 0 && x > 0) {
			double take = x < -*g ? x : -*g;
			*g += take;
			out->dom[k].want_kib = mm_policy_kib((double)d->floor_kib + x - take);
		}
	}
}

static bool any_swaps(const struct mm_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dom[i].report.has & MM_REPORT_HAS_SWAP && s->dom[i].report.swap_used_kib > 0)
			return true;
	return false;
}

/* Ideal targets into out->dom[i].want_kib (scratch until decide()).
 * Returns true when the needs do not fit (served by weight). */
static bool ideals(const struct mm_snapshot *s, struct mm_plan *out)
{
	struct ebb_ctx c = {.s = s};
	struct mm_fill f = {.n = s->n, .ctx = &c, .base = base_of, .w = w_of, .hi = max_of};
	double pool = (double)s->pool_kib, keep, lo, hi;
	struct levels l;

	measure(&c, &l);
	if (l.sum_base > pool && l.floors + l.needs <= pool && any_swaps(s)) {
		/* short while a domain swaps, but the needs fit: headroom claims
		 * within the balloon's reach by the next round; memory a claim
		 * cannot reach in time is more use where it is now */
		c.reach = true;
		measure(&c, &l);
	}
	if (l.sum_base <= pool) {
		double k = mm_fill_solve(&f, (pool - l.sum_base) * ALPHA_PERMILLE / 1000.0);
		for (size_t i = 0; i < s->n; i++)
			out->dom[i].want_kib = mm_policy_kib(mm_fill_at(&f, i, k));
		return false;
	}
	if (l.floors + l.needs > pool) {
		/* a need that jumps every interval is noise: what it claims beyond
		 * reach would be stale on arrival (a one-off step is not noise) */
		c.jumpy = any_swaps(s);
		measure(&c, &l);
		by_weight(&c, &l, out);
		return true;
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
	return false;
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

static bool swapping(const struct mm_dom_in *d)
{
	return d->report.has & MM_REPORT_HAS_SWAP && d->report.swap_used_kib > 0;
}

/* The least move worth a write: MIN_MOVE, doubled for each move the domain
 * had this minute (up to 8x) unless it swaps now: a domain that keeps
 * moving moves in bigger steps, so fewer (never oscillate). */
static double dead_zone(const struct mm_dom_in *d, uint64_t now_ms)
{
	const struct ebb_dom *h = d->pol;
	uint32_t k;

	if (!h || swapping(d) || h->psi_rising || now_ms - h->win_start_ms >= 60000)
		return MIN_MOVE_KIB;
	k = h->win_moves < 3 ? h->win_moves : 3;
	return (double)MIN_MOVE_KIB * (double)(1u << k);
}

/* A domain grows when it is under pressure or below need + f/2 (and its
 * working set), and the grow is worth a write (the dead zone), or it is
 * short now. */
static bool wants_grow(const struct mm_snapshot *s, const struct mm_dom_in *d, double ideal,
                       bool short_pool)
{
	double cur = (double)d->target_kib, need = (double)mm_dom_committed_kib(d);
	double low = need + (double)s->free_goal_kib / 2, dz = dead_zone(d, s->now_ms);

	low = low > core_of(d) ? low : core_of(d);
	return (cur < low || pressured(d) || (short_pool && ideal - cur >= dz)) && ideal > cur &&
	       (ideal - cur >= dz || cur < need);
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
                      double base, int short_pool, struct mm_dom_out *o)
{
	struct ebb_dom *h = d->pol;
	double cur = (double)d->target_kib;

	if (d->report.has & MM_REPORT_HAS_SWAP && d->report.swap_used_kib > 0) {
		o->reason = MM_REASON_HARM;
		return;
	}
	if (h ? h->psi_rising : mm_dom_psi_centi(d) > PSI_BOUND_CENTI) {
		/* when the needs do not fit, f is what the short ones lack: the
		 * donor keeps its need by the next round, no more */
		double keep = short_pool & SHORT_OVER
		                  ? need_of(d)
		                  : (double)mm_dom_committed_kib(d) + (double)s->free_goal_kib;
		if (!short_pool || keep > cur - MIN_MOVE_KIB) {
			o->reason = MM_REASON_HARM;
			return;
		}
		ideal = ideal > keep ? ideal : keep;
	}
	if (short_pool) {
		/* a domain under pressure waits for it: the surplus share goes
		 * at once, not in steps as the share shrinks (one write, not
		 * several); otherwise it keeps its share of the surplus */
		o->want_kib = mm_policy_kib(short_pool & SHORT_WAIT && base < ideal ? base : ideal);
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
static void decide(const struct mm_snapshot *s, size_t i, int short_pool, double *budget,
                   struct mm_dom_out *o)
{
	const struct mm_dom_in *d = &s->dom[i];
	double cur = (double)d->target_kib, ideal = (double)o->want_kib;

	o->want_kib = (int64_t)d->target_kib;
	o->reason = MM_REASON_HOLD;
	if (wants_grow(s, d, ideal, short_pool != 0))
		grow_to(s, d, ideal, budget, o);
	else if (cur > ideal + (double)s->free_goal_kib ||
	         (short_pool && (cur >= ideal + MIN_MOVE_KIB ||
	                         (ideal < (double)d->floor_kib + MIN_MOVE_KIB && cur > ideal))))
		give_back(s, d, ideal, base_of(&(struct ebb_ctx){.s = s}, i), short_pool, o);
}

/* Noise: the need of every domain moved over a quarter of what its balloon
 * moves in each of the last 3 intervals or in NOISE_JUMPS of the last 8
 * (and since then not in NOISE_CALM or fewer of 8: a hysteresis). Then no
 * domain's history tells its next need (a need drawn anew each interval),
 * and holding memory for a need that has gone is as wrong as waiting for
 * one that came. The best a policy that cannot see the next need can do is
 * close to this: move part of the way (NOISE_TAU) from an equal weighted
 * share towards this interval's need, no further than the balloon reaches
 * in an interval. The move pays in this interval; the next interval's
 * expected loss, convex in the allocation, stays near its least at the
 * equal share. Moves under MIN_MOVE are not written. bench/frontier/
 * random_model.py measures the rule against a one-step optimum with the
 * same information. */

static bool noisy(const struct mm_snapshot *s)
{
	if (s->n < 2)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		const struct ebb_dom *h = s->dom[i].pol;
		if (!h || h->speed_kib_s <= 0 || !h->noise)
			return false;
	}
	return true;
}

static void noise_plan(const struct mm_snapshot *s, struct mm_plan *out)
{
	double pool = (double)s->pool_kib, sum_w = 0, sum = 0, shift, over;

	for (size_t i = 0; i < s->n; i++)
		sum_w += (double)weight_of(&s->dom[i]);
	for (size_t i = 0; i < s->n; i++) {
		const struct mm_dom_in *d = &s->dom[i];
		const struct ebb_dom *h = d->pol;
		double center = pool * (double)weight_of(d) / sum_w;
		double reach = h->speed_kib_s * (double)REACH_MS / 1000.0;
		double want = clampd((double)mm_dom_committed_kib(d), (double)d->actual_kib - reach,
		                     (double)d->actual_kib + reach);
		out->dom[i].want_kib = (int64_t)(center + NOISE_TAU * (want - center));
		sum += (double)out->dom[i].want_kib;
	}
	shift = (sum - pool) / (double)s->n; /* the shares fill the pool */
	sum = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct mm_dom_in *d = &s->dom[i];
		double x = clampd((double)out->dom[i].want_kib - shift, (double)d->floor_kib,
		                  (double)d->maxmem_kib);
		if (fabs(x - (double)d->target_kib) < MIN_MOVE_KIB)
			x = (double)d->target_kib; /* not worth a write */
		out->dom[i].want_kib = mm_policy_kib(x);
		sum += x;
	}
	/* holds left the sum over the pool: the smallest grows give way */
	for (over = sum - pool; over > 0;) {
		size_t k = s->n;
		for (size_t i = 0; i < s->n; i++) {
			double g = (double)out->dom[i].want_kib - (double)s->dom[i].target_kib;
			if (g > 0 && (k == s->n || g < (double)out->dom[k].want_kib -
			                                   (double)s->dom[k].target_kib))
				k = i;
		}
		if (k == s->n)
			break;
		double g = (double)out->dom[k].want_kib - (double)s->dom[k].target_kib;
		double cut = g < over ? g : over;
		out->dom[k].want_kib = mm_policy_kib((double)out->dom[k].want_kib - cut);
		over -= cut;
	}
	for (size_t i = 0; i < s->n; i++) {
		int64_t t = (int64_t)s->dom[i].target_kib;
		out->dom[i].reason = out->dom[i].want_kib > t   ? MM_REASON_GROW
		                     : out->dom[i].want_kib < t ? MM_REASON_SHRINK
		                                                : MM_REASON_HOLD;
	}
}

static void ebb_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	double sum_cur = 0, pool = (double)s->pool_kib, budget;
	int short_pool = 0;
	bool waiting = false, over;

	(void)state;
	for (size_t i = 0; i < s->n; i++)
		observe(&s->dom[i], s->now_ms);
	if (noisy(s)) {
		noise_plan(s, out);
		return;
	}
	over = ideals(s, out);
	/* short: the ideals do not fit beside what the donors hold now */
	for (size_t i = 0; i < s->n; i++) {
		double ideal = (double)out->dom[i].want_kib, cur = (double)s->dom[i].target_kib;
		sum_cur += cur > ideal ? cur : ideal;
		waiting = waiting || (pressured(&s->dom[i]) && ideal >= cur + MIN_MOVE_KIB);
	}
	if (sum_cur > pool)
		short_pool = SHORT_POOL | (waiting ? SHORT_WAIT : 0) | (over ? SHORT_OVER : 0);
	budget =
	    s->host_free_kib > s->reserve_kib ? (double)(s->host_free_kib - s->reserve_kib) : 0;
	for (int pass = 0; pass < 2; pass++) /* domains under pressure first */
		for (size_t i = 0; i < s->n; i++)
			if (pressured(&s->dom[i]) == (pass == 0))
				decide(s, i, short_pool, &budget, &out->dom[i]);
}

const struct mm_policy_type mm_policy_ebb = {
    .name = "ebb",
    .usage = "ebb",
    .help = "xenmm's own: grow to demand in one round; give back gently under a "
            "pressure bound, hold and rate cap; weights; surplus partly kept by the host",
    .init = ebb_init,
    .run = ebb_run,
};
