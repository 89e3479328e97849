/* The tax, equal and none policies. Arithmetic in double (KiB values stay
 * below 2^40, exact in a double); results go through to_kib(), which maps
 * NaN and infinities to safe values so nothing absurd reaches the guards. */
#include "mm_policy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mm_parse.h"

/* Keeps wanted values inside ±2^50 KiB so later sums cannot overflow. */
static int64_t to_kib(double x)
{
	const double lim = 1125899906842624.0; /* 2^50 */
	if (isnan(x))
		return 0;
	if (x > lim)
		return (int64_t)lim;
	if (x < -lim)
		return -(int64_t)lim;
	return (int64_t)llround(x);
}

int mm_policy_init(struct mm_policy *p, const char *spec, char *err, size_t errlen)
{
	uint64_t micro;

	memset(p, 0, sizeof(*p));
	if (!strcmp(spec, "equal")) {
		p->kind = MM_POLICY_EQUAL;
	} else if (!strcmp(spec, "none")) {
		p->kind = MM_POLICY_NONE;
	} else if (!strcmp(spec, "tax") || !strcmp(spec, "tax:auto") || !strcmp(spec, "tax:AUTO")) {
		p->kind = MM_POLICY_TAX;
		p->tau_auto = 1;
		spec = "tax";
	} else if (!strncmp(spec, "tax:", 4)) {
		if (mm_parse_micro_n(spec + 4, strlen(spec + 4), 1000000, &micro)) {
			snprintf(err, errlen, "policy '%s': tax rate must be AUTO or 0.0 to 1.0",
			         spec);
			return -EINVAL;
		}
		p->kind = MM_POLICY_TAX;
		p->tau_static = (double)micro / 1e6;
	} else {
		snprintf(err, errlen, "unknown policy '%s' (known: tax, tax:RATE, equal, none)",
		         spec);
		return -EINVAL;
	}
	snprintf(p->spec, sizeof(p->spec), "%s", spec);
	return 0;
}

double mm_tax_auto_raw(double max_used_kib, double mean_used_kib, size_t n, double pool_kib,
                       double free_kib)
{
	double a_max, xi, den, tau;

	if (n == 0 || !(pool_kib > 0))
		return 0;
	a_max = (max_used_kib > 0 ? max_used_kib : 0) / pool_kib;
	xi = free_kib / pool_kib;
	den = a_max - mean_used_kib / pool_kib;
	/* All domains use the same: any tau gives the equal split. The 2013 code
	 * divided 0 by 0 here and wrote NaN-derived targets. */
	if (!(den > 1e-12))
		return 0;
	tau = (xi + a_max - 1.0 / (double)n) / den;
	if (!(tau > 0))
		return 0;
	return tau > 1 ? 1 : tau;
}

static enum mm_reason direction(int64_t want, uint64_t cur)
{
	if (want > 0 && (uint64_t)want > cur)
		return MM_REASON_GROW;
	if (want < 0 || (uint64_t)want < cur)
		return MM_REASON_SHRINK;
	return MM_REASON_HOLD;
}

uint64_t mm_dom_used_kib(const struct mm_dom_in *d)
{
	const struct mm_report *r = &d->report;

	if ((r->has & MM_REPORT_HAS_BALLOON) && r->balloon_cur_kib >= r->tot_kib)
		return r->balloon_cur_kib > r->free_kib ? r->balloon_cur_kib - r->free_kib : 0;
	return mm_report_used_kib(r);
}

/* x_i = N/n + tau * (A_i - mean A): sums to N whatever tau is. */
static void run_tax(struct mm_policy *p, const struct mm_snapshot *s, struct mm_plan *out)
{
	double sum = 0, max = 0, mean, tau, share;
	size_t n = s->n;

	for (size_t i = 0; i < n; i++) {
		double a = (double)mm_dom_used_kib(&s->dom[i]);
		sum += a;
		max = a > max ? a : max;
	}
	mean = sum / (double)n;
	share = (double)s->pool_kib / (double)n;
	if (p->tau_auto) {
		double raw =
		    mm_tax_auto_raw(max, mean, n, (double)s->pool_kib, (double)s->free_goal_kib);
		if (raw < p->tau_prev)
			raw = p->tau_prev + (raw - p->tau_prev) / MM_TAX_HYSTERESIS;
		p->tau_prev = raw;
		tau = raw;
	} else {
		tau = p->tau_static;
	}
	out->tau = tau;
	for (size_t i = 0; i < n; i++) {
		double a = (double)mm_dom_used_kib(&s->dom[i]);
		out->dom[i].want_kib = to_kib(share + tau * (a - mean));
	}
}

void mm_policy_run(struct mm_policy *p, const struct mm_snapshot *s, struct mm_plan *out)
{
	out->tau = 0;
	if (s->n == 0)
		return;
	switch (p->kind) {
	case MM_POLICY_TAX: run_tax(p, s, out); break;
	case MM_POLICY_EQUAL:
		for (size_t i = 0; i < s->n; i++)
			out->dom[i].want_kib = to_kib((double)s->pool_kib / (double)s->n);
		break;
	case MM_POLICY_NONE:
		for (size_t i = 0; i < s->n; i++)
			out->dom[i].want_kib = to_kib((double)s->dom[i].target_kib);
		break;
	}
	for (size_t i = 0; i < s->n; i++)
		out->dom[i].reason = direction(out->dom[i].want_kib, s->dom[i].target_kib);
}
