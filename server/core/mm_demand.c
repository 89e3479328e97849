/* Shared arithmetic of the demand-aware policies (see mm_demand.h). */
#include "mm_demand.h"

#include "mm_policy.h"

uint64_t mm_dom_committed_kib(const struct mm_dom_in *d)
{
	uint64_t used = mm_dom_used_kib(d), swap = 0;

	if (d->report.has & MM_REPORT_HAS_SWAP)
		swap = d->report.swap_used_kib;
	return used + swap;
}

uint32_t mm_dom_psi_centi(const struct mm_dom_in *d)
{
	return (d->report.has & MM_REPORT_HAS_PSI) ? d->report.psi_some10_centi : 0;
}

bool mm_cadence_due(struct mm_cadence *c, uint64_t now_ms, uint64_t period_ms)
{
	if (c->started && now_ms >= c->last_ms && now_ms - c->last_ms < period_ms)
		return false;
	c->started = true;
	c->last_ms = now_ms;
	return true;
}

void mm_policy_wait_all(const struct mm_snapshot *s, struct mm_plan *out)
{
	for (size_t i = 0; i < s->n; i++) {
		out->dom[i].want_kib = (int64_t)s->dom[i].target_kib;
		out->dom[i].reason = MM_REASON_WAIT;
	}
}

static double filled(const struct mm_fill *f, double k)
{
	double sum = 0;

	for (size_t i = 0; i < f->n; i++)
		sum += mm_fill_at(f, i, k);
	return sum;
}

double mm_fill_solve(const struct mm_fill *f, double amount)
{
	double goal = amount, lo = 0, hi = 1;

	if (f->n == 0 || !(amount > 0))
		return 0;
	for (size_t i = 0; i < f->n; i++)
		goal += f->base(f->ctx, i);
	/* grow hi until it reaches the goal or every domain is capped */
	for (int t = 0; t < 80 && filled(f, hi) < goal; t++) {
		if (filled(f, hi) >= filled(f, hi * 2) - 0.5)
			return hi * 2; /* all capped: nothing more fits */
		hi *= 2;
	}
	for (int t = 0; t < 64; t++) {
		double mid = (lo + hi) / 2;
		if (filled(f, mid) < goal)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}
