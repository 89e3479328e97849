/* Who gives memory to reservations, and how much. Donors are the domains the
 * round may move; each gives in two tiers: first its free memory above f
 * (the largest spares first, levelled), then the rest of its free memory.
 * Never below its floor, never below what it uses: a reservation does not
 * push a guest into swap. Integer KiB throughout. */
#include "mm_resv_int.h"

#include <stdio.h>
#include <string.h>

/* The policy's harm budget spoke for it (a donor under pressure). */
static bool spared(const struct mm_resv_dom *d)
{
	return d->out->reason == MM_REASON_HARM || d->out->reason == MM_REASON_PRESSURE;
}

bool mm_resv_movable(const struct mm_resv_dom *d)
{
	const struct mm_dom_out *o = d->out;

	return d->in->has_report && !spared(d) &&
	       !(o->flags &
	         (MM_FLAG_FIXED | MM_FLAG_OUT_OF_SCOPE | MM_FLAG_STALE | MM_FLAG_NO_REPORT)) &&
	       !((o->flags & MM_FLAG_STUCK) && !(o->flags & MM_FLAG_STUCK_GROW));
}

/* The lowest target tier 1 (keep f free) or tier 2 (keep nothing free) allows. */
uint64_t mm_resv_limit(const struct mm_resv_dom *d, int tier, uint64_t f_kib)
{
	uint64_t a = d->in->actual_kib, fr = d->in->report.free_kib;
	uint64_t used = a > fr ? a - fr : 0; /* allocation minus free: used + kernel */
	uint64_t lim = tier == 1 ? used + f_kib : used;

	return lim > d->in->floor_kib ? lim : d->in->floor_kib;
}

static uint64_t spare(const struct mm_resv_dom *d, int tier, uint64_t f_kib)
{
	uint64_t t = d->out->target_kib, l = mm_resv_limit(d, tier, f_kib);

	return mm_resv_movable(d) && t > l ? t - l : 0;
}

/* What every donor gives above level. */
static uint64_t taken_at(const struct mm_resv_dom *d, size_t n, int tier, uint64_t f_kib,
                         uint64_t level)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t s = spare(&d[i], tier, f_kib);
		sum += s > level ? s - level : 0;
	}
	return sum;
}

/* Lowers targets by up to want_kib in one tier, levelled: the smallest level
 * whose cut fits want, then one KiB more from donors still above it until
 * want is met exactly. Returns what was taken. */
static uint64_t level_cut(const struct mm_resv_dom *d, size_t n, int tier, uint64_t f_kib,
                          uint64_t want_kib)
{
	uint64_t lo = 0, hi = 0, taken, rest;

	for (size_t i = 0; i < n; i++) {
		uint64_t s = spare(&d[i], tier, f_kib);
		hi = s > hi ? s : hi;
	}
	if (taken_at(d, n, tier, f_kib, 0) > want_kib) {
		while (hi - lo > 1) { /* taken_at(lo) > want >= taken_at(hi) */
			uint64_t mid = lo + (hi - lo) / 2;
			if (taken_at(d, n, tier, f_kib, mid) > want_kib)
				lo = mid;
			else
				hi = mid;
		}
	} else {
		hi = 0;
	}
	taken = taken_at(d, n, tier, f_kib, hi);
	rest = want_kib > taken ? want_kib - taken : 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t s = spare(&d[i], tier, f_kib), cut = s > hi ? s - hi : 0;
		if (rest && s > cut) { /* still above the level: one KiB more */
			cut++;
			rest--;
		}
		if (!cut)
			continue;
		d[i].out->target_kib -= cut;
		d[i].out->reason = MM_REASON_RESERVE;
	}
	return want_kib - rest;
}

uint64_t mm_resv_cut(const struct mm_resv_dom *d, size_t n, uint64_t f_kib, uint64_t want_kib)
{
	uint64_t got = level_cut(d, n, 1, f_kib, want_kib);

	if (got < want_kib)
		got += level_cut(d, n, 2, f_kib, want_kib - got);
	return got;
}

/* The reason a domain gives no more (or why it is not asked at all). */
static enum mm_resv_why why_of(const struct mm_resv_dom *d, uint64_t f_kib)
{
	uint32_t fl = d->out->flags;
	uint64_t lim;

	if (fl & MM_FLAG_OUT_OF_SCOPE)
		return MM_RESV_WHY_NOT_MANAGED;
	if (!d->in->has_report || (fl & MM_FLAG_NO_REPORT))
		return MM_RESV_WHY_NO_REPORT;
	if (fl & MM_FLAG_FIXED)
		return d->in->maxmem_kib < d->in->floor_kib ? MM_RESV_WHY_MAXMEM
		                                            : MM_RESV_WHY_NO_REPORT;
	if (fl & MM_FLAG_STALE)
		return MM_RESV_WHY_STALE;
	if (spared(d))
		return MM_RESV_WHY_HARM;
	if (!mm_resv_movable(d))
		return MM_RESV_WHY_STUCK;
	if (d->in->actual_kib > d->out->target_kib + 1024) /* 1 MiB: the dead band */
		return MM_RESV_WHY_BEHIND;
	lim = mm_resv_limit(d, 2, f_kib);
	if (d->out->target_kib > lim)
		return MM_RESV_WHY_CAN_GIVE;
	return lim == d->in->floor_kib ? MM_RESV_WHY_FLOOR : MM_RESV_WHY_WORKING_SET;
}

void mm_resv_explain_before(struct mm_resv_set *set, const struct mm_resv_dom *d, size_t n)
{
	set->ndonors = n < MM_RESV_DONORS ? n : MM_RESV_DONORS;
	for (size_t i = 0; i < set->ndonors; i++)
		set->donors[i].target_kib = d[i].out->target_kib;
}

void mm_resv_explain(struct mm_resv_set *set, const struct mm_resv_dom *d, uint64_t f_kib)
{
	for (size_t i = 0; i < set->ndonors; i++) {
		struct mm_resv_donor *x = &set->donors[i];
		uint64_t a = d[i].in->actual_kib, lo = a, before = x->target_kib;

		memset(x, 0, sizeof(*x));
		snprintf(x->name, sizeof(x->name), "%s", d[i].name ? d[i].name : "");
		x->domid = d[i].in->domid;
		x->actual_kib = a;
		x->target_kib = d[i].out->target_kib;
		x->floor_kib = d[i].in->floor_kib;
		x->free_kib = d[i].in->has_report ? d[i].in->report.free_kib : 0;
		if (mm_resv_movable(&d[i])) {
			uint64_t lim = mm_resv_limit(&d[i], 2, f_kib);
			lo = x->target_kib < lim ? x->target_kib : lim;
		}
		x->can_give_kib = a > lo ? a - lo : 0;
		x->cut_kib = before > x->target_kib ? before - x->target_kib : 0;
		x->why = why_of(&d[i], f_kib);
		if (x->why != MM_RESV_WHY_NOT_MANAGED)
			continue;
		for (size_t k = 0; k < MM_RESV_MAX; k++) /* the domain a reservation waits for */
			if (mm_resv_live(&set->r[k]) && set->r[k].claim_domid == x->domid)
				x->why = MM_RESV_WHY_CLAIMANT;
	}
}
