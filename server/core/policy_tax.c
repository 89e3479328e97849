/* tax: the xenmm tax-rate algorithm (SPEC 3.4). Every domain gets an equal
 * share of the pool plus tau times how far its use is above the mean; AUTO
 * picks the smallest tau that leaves the busiest guest f free. Arithmetic in
 * double (KiB values stay below 2^40, exact in a double). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mm_parse.h"
#include "mm_policy.h"

struct tax {
	int tau_auto;      /* 1 for AUTO, 0 for a static tau */
	double tau_static; /* the static rate, 0..1 */
	double tau_prev;   /* AUTO: last round's tau (hysteresis state) */
};
_Static_assert(sizeof(struct tax) <= MM_POLICY_STATE_BYTES, "tax state fits");

static int tax_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                    size_t errlen)
{
	struct tax *t = state;
	uint64_t micro;

	if (!args || !strcmp(args, "auto") || !strcmp(args, "AUTO")) {
		t->tau_auto = 1;
		return 0;
	}
	if (mm_parse_micro_n(args, strlen(args), 1000000, &micro)) {
		snprintf(err, errlen, "policy 'tax:%s': tax rate must be AUTO or 0.0 to 1.0", args);
		return -EINVAL;
	}
	t->tau_static = (double)micro / 1e6;
	snprintf(spec, speclen, "tax:%s", args);
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

/* x_i = N/n + tau * (A_i - mean A): sums to N whatever tau is. */
static void tax_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	struct tax *t = state;
	double sum = 0, max = 0, mean, tau, share;
	size_t n = s->n;

	for (size_t i = 0; i < n; i++) {
		double a = (double)mm_dom_used_kib(&s->dom[i]);
		sum += a;
		max = a > max ? a : max;
	}
	mean = sum / (double)n;
	share = (double)s->pool_kib / (double)n;
	if (t->tau_auto) {
		double raw =
		    mm_tax_auto_raw(max, mean, n, (double)s->pool_kib, (double)s->free_goal_kib);
		if (raw < t->tau_prev)
			raw = t->tau_prev + (raw - t->tau_prev) / MM_TAX_HYSTERESIS;
		t->tau_prev = raw;
		tau = raw;
	} else {
		tau = t->tau_static;
	}
	out->tau = tau;
	for (size_t i = 0; i < n; i++) {
		double a = (double)mm_dom_used_kib(&s->dom[i]);
		out->dom[i].want_kib = mm_policy_kib(share + tau * (a - mean));
	}
}

const struct mm_policy_type mm_policy_tax = {
    .name = "tax",
    .usage = "tax[:RATE|:auto]",
    .help = "xenmm tax rate: equal share + tau x (use - mean use); AUTO "
            "picks the least tau that leaves the busiest guest f free",
    .init = tax_init,
    .run = tax_run,
};

double mm_tax_tau_prev(const struct mm_policy *p)
{
	const struct tax *t = (const void *)p->state;
	return p->type == &mm_policy_tax && t->tau_auto ? t->tau_prev : -1;
}

void mm_tax_set_tau_prev(struct mm_policy *p, double tau)
{
	struct tax *t = (void *)p->state;
	if (p->type == &mm_policy_tax)
		t->tau_prev = tau;
}
