/* The order of a round matters: clip and share first, then the reserve
 * (which only lowers grows), then the dead band (which holds a grow back,
 * or a shrink only while neither the pool nor the host pays for it), so each
 * later step keeps the earlier promises. */
#include "mm_balance.h"

#include <stdbool.h>

static enum mm_reason held_reason(uint32_t flags)
{
	if (flags & MM_FLAG_NO_REPORT)
		return MM_REASON_NO_REPORT;
	if (flags & MM_FLAG_STALE)
		return MM_REASON_STALE;
	return MM_REASON_STUCK;
}

/* Stuck only in growing, with a report to go on. */
static bool grow_stuck(const struct mm_dom_in *d)
{
	return (d->flags & MM_FLAG_STUCK_GROW) && d->has_report &&
	       !(d->flags & (MM_FLAG_STALE | MM_FLAG_NO_REPORT));
}

/* Copies the first k movable domains into work, once one is left out or
 * changed: until then they are s->dom[0..k) as they are. */
static void unshare(const struct mm_snapshot *s, struct mm_balance_work *w, size_t k, bool *shared)
{
	if (!*shared)
		return;
	for (size_t j = 0; j < k; j++) {
		w->in[j] = s->dom[j];
		w->idx[j] = j;
	}
	*shared = false;
}

/* Sets held and unmanageable domains; compacts the rest into work. Returns
 * the memory the held domains keep. *shared: every domain is movable as it
 * is, so work was left alone and s->dom is the compacted list (no 220-byte
 * copy per domain: at 10000 domains that copy missed the cache twice). */
static uint64_t split(const struct mm_snapshot *s, const struct mm_guard_cfg *cfg,
                      struct mm_balance_work *w, struct mm_plan *p, size_t *nmov, bool *shared)
{
	uint64_t kept = 0;
	size_t k = 0;

	*shared = true;
	for (size_t i = 0; i < s->n; i++) {
		const struct mm_dom_in *d = &s->dom[i];
		struct mm_dom_out *o = &p->dom[i];

		o->flags = d->flags;
		o->want_kib = (int64_t)d->target_kib;
		if (d->flags & MM_FLAG_OUT_OF_SCOPE) {
			unshare(s, w, k, shared);
			/* not ours: untouched, and its memory is not in the pool */
			o->target_kib = d->target_kib;
			o->reason = MM_REASON_OUT_OF_SCOPE;
			o->flags |= MM_FLAG_FIXED;
		} else if (!d->has_report ||
		           (d->maxmem_kib < d->floor_kib && !(cfg->off & MM_GUARD_OFF_FLOOR))) {
			/* nothing to go on, or bounds that make no sense: touch nothing
			 * (a write would undo an admin's xl mem-set) */
			unshare(s, w, k, shared);
			o->target_kib = d->target_kib;
			o->reason = d->has_report ? MM_REASON_HOLD : MM_REASON_NO_REPORT;
			o->flags |= MM_FLAG_FIXED;
			kept += d->target_kib > d->actual_kib ? d->target_kib : d->actual_kib;
		} else if (grow_stuck(d) && !(cfg->off & MM_GUARD_OFF_HOLD)) {
			/* it cannot grow but may shrink: keep it in, capped */
			unshare(s, w, k, shared);
			w->in[k] = *d;
			if (d->actual_kib < w->in[k].maxmem_kib)
				w->in[k].maxmem_kib =
				    d->actual_kib > d->floor_kib ? d->actual_kib : d->floor_kib;
			w->idx[k++] = i;
		} else if ((d->flags & MM_FLAG_HELD) && !(cfg->off & MM_GUARD_OFF_HOLD)) {
			unshare(s, w, k, shared);
			o->target_kib = d->actual_kib;
			o->reason = held_reason(d->flags);
			kept += d->actual_kib;
		} else if (*shared) {
			k++; /* s->dom[k] is it */
		} else {
			w->in[k] = *d;
			w->idx[k++] = i;
		}
	}
	*nmov = k;
	return kept;
}

void mm_balance_round(struct mm_policy *pol, const struct mm_guard_cfg *cfg,
                      const struct mm_snapshot *s, struct mm_balance_work *work,
                      struct mm_plan *plan)
{
	struct mm_snapshot sub = *s;
	struct mm_plan subplan = {0};
	size_t nmov;
	bool shared;
	uint64_t kept = split(s, cfg, work, plan, &nmov, &shared);
	const struct mm_dom_in *in = shared ? s->dom : work->in;

	plan->n = s->n;
	plan->tau = 0;
	if (mm_policy_observes(pol)) {
		for (size_t i = 0; i < s->n; i++) {
			plan->dom[i].target_kib = s->dom[i].target_kib;
			plan->dom[i].reason = MM_REASON_HOLD;
		}
		return;
	}
	sub.n = nmov;
	sub.dom = in;
	sub.pool_kib = s->pool_kib > kept ? s->pool_kib - kept : 0;
	subplan.n = nmov;
	subplan.dom = work->out;
	for (size_t k = 0; k < nmov; k++)
		work->out[k] = (struct mm_dom_out){.flags = in[k].flags};
	mm_policy_run(pol, &sub, &subplan);
	mm_guard_clip(&sub, cfg, &subplan);
	plan->tau = subplan.tau;
	for (size_t k = 0; k < nmov; k++) {
		struct mm_dom_out *o = &work->out[k];
		/* capped at its allocation because it would not grow: say so */
		if (grow_stuck(&in[k]) && o->reason == MM_REASON_MAXMEM &&
		    o->target_kib == in[k].maxmem_kib && !(cfg->off & MM_GUARD_OFF_HOLD)) {
			o->reason = MM_REASON_STUCK;
			o->flags &= ~(uint32_t)MM_FLAG_CAPPED;
		}
		plan->dom[shared ? k : work->idx[k]] = *o;
	}
	mm_guard_reserve(s, cfg, plan);
	mm_guard_deadband(s, cfg, plan);
}
