/* The reservation state machine. Reservations are served in the order they
 * came (lowest id first): an earlier one is covered before a later one, and
 * a later one is refused when what the host could ever free is used up by
 * the earlier ones. Time is the snapshot's now_ms; nothing here reads a clock. */
#include "mm_resv_int.h"

#include <errno.h>
#include <string.h>

#include "mm_guard.h"

static void finish(struct mm_resv_set *set, struct mm_resv *r, enum mm_resv_end why,
                   uint64_t now_ms)
{
	r->state = MM_RESV_ENDED;
	r->end = why;
	r->ended_ms = now_ms;
	r->changed = true;
	if (why == MM_RESV_END_REFUSED || why == MM_RESV_END_TIMEOUT)
		set->failed++;
	else if (why == MM_RESV_END_CLAIMED)
		set->claimed++;
	else if (why == MM_RESV_END_EXPIRED)
		set->expired++;
}

struct mm_resv *mm_resv_find(struct mm_resv_set *set, uint32_t id)
{
	for (size_t i = 0; id && i < MM_RESV_MAX; i++)
		if (set->r[i].id == id)
			return &set->r[i];
	return NULL;
}

static struct mm_resv *free_slot(struct mm_resv_set *set)
{
	for (size_t i = 0; i < MM_RESV_MAX; i++)
		if (set->r[i].state == MM_RESV_UNUSED ||
		    (set->r[i].state == MM_RESV_ENDED && !set->r[i].changed))
			return &set->r[i];
	return NULL;
}

int mm_resv_add(struct mm_resv_set *set, const struct mm_resv_req *req,
                const struct mm_resv_dom *doms, size_t n, uint64_t now_ms)
{
	const char *name = req->for_name ? req->for_name : "";
	uint64_t timeout = req->timeout_ms ? req->timeout_ms : MM_RESV_TIMEOUT_MS;
	uint64_t lease = req->lease_ms ? req->lease_ms : MM_RESV_LEASE_MS;
	struct mm_resv *r;

	if (req->size_kib < MM_RESV_MIN_SIZE_KIB || req->size_kib > (UINT64_C(1) << 44) ||
	    timeout > MM_RESV_MAX_TIME_MS || lease > MM_RESV_MAX_TIME_MS ||
	    strlen(name) >= MM_RESV_NAME_MAX)
		return -EINVAL;
	r = free_slot(set);
	if (!r)
		return -ENOSPC;
	memset(r, 0, sizeof(*r));
	r->id = ++set->next_id ? set->next_id : ++set->next_id; /* never 0 */
	r->state = MM_RESV_WAITING;
	r->owner = req->owner;
	r->size_kib = req->size_kib;
	memcpy(r->for_name, name, strlen(name) + 1);
	r->created_ms = now_ms;
	r->timeout_ms = timeout;
	r->lease_ms = lease;
	for (size_t i = 0; *name && i < n; i++)
		if (doms[i].name && !strcmp(doms[i].name, name))
			r->old_domid = doms[i].in->domid; /* only a new domain claims */
	return (int)r->id;
}

int mm_resv_end(struct mm_resv_set *set, uint32_t id, enum mm_resv_end why, uint64_t now_ms)
{
	struct mm_resv *r = mm_resv_find(set, id);

	if (!r || !mm_resv_live(r))
		return -ENOENT;
	finish(set, r, why, now_ms);
	return 0;
}

void mm_resv_end_owner(struct mm_resv_set *set, uint64_t owner, uint64_t now_ms)
{
	for (size_t i = 0; owner && i < MM_RESV_MAX; i++)
		if (mm_resv_live(&set->r[i]) && set->r[i].owner == owner)
			finish(set, &set->r[i], MM_RESV_END_GONE, now_ms);
}

void mm_resv_reap(struct mm_resv_set *set)
{
	for (size_t i = 0; i < MM_RESV_MAX; i++)
		if (set->r[i].state == MM_RESV_ENDED && !set->r[i].changed)
			memset(&set->r[i], 0, sizeof(set->r[i]));
}

/* The live reservation with the smallest id above after, or NULL. */
static struct mm_resv *next_live(struct mm_resv_set *set, uint32_t after)
{
	struct mm_resv *best = NULL;

	for (size_t i = 0; i < MM_RESV_MAX; i++) {
		struct mm_resv *r = &set->r[i];
		if (mm_resv_live(r) && r->id > after && (!best || r->id < best->id))
			best = r;
	}
	return best;
}

/* The named domain has appeared: what it holds is no longer needed. */
static void claim(struct mm_resv_set *set, struct mm_resv *r, const struct mm_resv_dom *d, size_t n,
                  uint64_t now_ms)
{
	for (size_t i = 0; r->for_name[0] && i < n; i++) {
		const struct mm_dom_in *in = d[i].in;
		if (!d[i].name || strcmp(d[i].name, r->for_name) || in->domid == r->old_domid)
			continue;
		r->claim_domid = in->domid;
		r->claimed_kib = in->actual_kib < r->size_kib ? in->actual_kib : r->size_kib;
		/* all of it, or all the domain wanted (its target reached) */
		if (in->actual_kib >= r->size_kib ||
		    (in->target_kib && in->actual_kib + 1024 >= in->target_kib))
			finish(set, r, MM_RESV_END_CLAIMED, now_ms);
		return;
	}
}

static void clocks(struct mm_resv_set *set, struct mm_resv *r, uint64_t now_ms)
{
	if (r->state == MM_RESV_WAITING && mm_resv_since(now_ms, r->created_ms) >= r->timeout_ms)
		finish(set, r, MM_RESV_END_TIMEOUT, now_ms);
	else if (r->state == MM_RESV_HELD && mm_resv_since(now_ms, r->met_ms) >= r->lease_ms)
		finish(set, r, MM_RESV_END_EXPIRED, now_ms);
}

static uint64_t need_of(const struct mm_resv *r)
{
	return r->size_kib - r->claimed_kib;
}

/* Signed sums over the domains in the pool (out-of-scope ones are not ours). */
struct sums {
	int64_t actual, target, grow, give; /* give: what donors could still free */
};

static struct sums sum_doms(const struct mm_resv_dom *d, size_t n, uint64_t f_kib)
{
	struct sums x = {0};

	for (size_t i = 0; i < n; i++) {
		int64_t a = (int64_t)d[i].in->actual_kib, t = (int64_t)d[i].out->target_kib;
		if (d[i].out->flags & MM_FLAG_OUT_OF_SCOPE)
			continue;
		x.actual += a;
		x.target += t;
		x.grow += t > a ? t - a : 0;
		if (mm_resv_movable(&d[i])) {
			int64_t lim = (int64_t)mm_resv_limit(&d[i], 2, f_kib);
			x.give += a - (t < lim ? t : lim);
		} else {
			x.give -= t > a ? t - a : 0;
		}
	}
	return x;
}

/* Refuses, in order, what cannot be met even if every donor gave all it
 * may; returns what the live ones still need. */
static uint64_t refuse(struct mm_resv_set *set, int64_t possible, uint64_t now_ms)
{
	uint64_t sum = 0;

	for (struct mm_resv *r = next_live(set, 0); r; r = next_live(set, r->id)) {
		if (r->state == MM_RESV_WAITING && (int64_t)(sum + need_of(r)) > possible) {
			finish(set, r, MM_RESV_END_REFUSED, now_ms);
			continue;
		}
		sum += need_of(r);
	}
	return sum;
}

/* Hands Xen's free memory (after the reserve and the planned grows) to the
 * live reservations in order; a waiting one fully found is met. */
static void cover(struct mm_resv_set *set, int64_t avail, uint64_t now_ms)
{
	for (struct mm_resv *r = next_live(set, 0); r; r = next_live(set, r->id)) {
		uint64_t need = need_of(r), a = avail > 0 ? (uint64_t)avail : 0;
		r->found_kib = need < a ? need : a;
		avail -= (int64_t)r->found_kib;
		if (r->state == MM_RESV_WAITING && r->found_kib >= need) {
			r->state = MM_RESV_HELD;
			r->met_ms = now_ms;
			r->changed = true;
			set->met++;
		}
	}
}

void mm_resv_round(struct mm_resv_set *set, struct mm_snapshot *s, const struct mm_resv_dom *d,
                   size_t n, unsigned guard_off, struct mm_plan *p)
{
	uint64_t now = s->now_ms, base = s->reserve_kib, f = s->free_goal_kib, need;
	int64_t hf = (int64_t)s->host_free_kib, budget;
	struct mm_guard_cfg cfg = {.off = guard_off};
	struct sums x;
	bool timed_out = false;

	for (size_t i = 0; i < MM_RESV_MAX; i++) {
		struct mm_resv *r = &set->r[i];
		if (mm_resv_live(r))
			claim(set, r, d, n, now);
		if (mm_resv_live(r))
			clocks(set, r, now);
		timed_out |=
		    r->state == MM_RESV_ENDED && r->end == MM_RESV_END_TIMEOUT && r->changed;
	}
	x = sum_doms(d, n, f);
	need = refuse(set, hf - (int64_t)base + x.give, now);
	if (!timed_out)
		mm_resv_explain_before(set, d, n);
	/* once every donor has ballooned to its target, Xen must hold the
	 * reserve plus every live reservation */
	budget = hf + x.actual - (int64_t)base - (int64_t)need;
	if (need && x.target > budget)
		mm_resv_cut(d, n, f, (uint64_t)(x.target - (budget > 0 ? budget : 0)));
	s->reserve_kib = base + need;
	if (need && !(guard_off & MM_GUARD_OFF_RESERVE))
		mm_guard_reserve(s, &cfg, p); /* no grow into the reserved memory */
	if (!timed_out)                       /* keep the view that shows who did not deliver */
		mm_resv_explain(set, d, f);
	x = sum_doms(d, n, f);
	cover(set, hf - (int64_t)base - x.grow, now);
	set->reserved_kib = need;
	set->now_ms = now;
	set->host_free_kib = s->host_free_kib;
	set->base_reserve_kib = base;
	set->available_kib =
	    hf - (int64_t)base - x.grow > 0 ? (uint64_t)(hf - (int64_t)base - x.grow) : 0;
	set->possible_kib =
	    hf - (int64_t)base + x.give > 0 ? (uint64_t)(hf - (int64_t)base + x.give) : 0;
}

const char *mm_resv_state_name(enum mm_resv_state st)
{
	static const char *const names[] = {"unused", "waiting", "held", "ended"};
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}

const char *mm_resv_end_name(enum mm_resv_end e)
{
	static const char *const names[] = {"none", "claimed", "released", "expired",
	                                    "gone", "refused", "timeout"};
	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "unknown";
}

const char *mm_resv_why_name(enum mm_resv_why w)
{
	static const char *const names[] = {
	    [MM_RESV_WHY_CAN_GIVE] = "can_give", [MM_RESV_WHY_WORKING_SET] = "working_set",
	    [MM_RESV_WHY_FLOOR] = "floor",       [MM_RESV_WHY_STUCK] = "stuck",
	    [MM_RESV_WHY_STALE] = "stale",       [MM_RESV_WHY_NO_REPORT] = "no_report",
	    [MM_RESV_WHY_MAXMEM] = "maxmem",     [MM_RESV_WHY_NOT_MANAGED] = "not_managed",
	    [MM_RESV_WHY_CLAIMANT] = "claimant", [MM_RESV_WHY_HARM] = "harm",
	    [MM_RESV_WHY_BEHIND] = "behind",
	};
	return (unsigned)w < sizeof(names) / sizeof(names[0]) && names[w] ? names[w] : "unknown";
}
