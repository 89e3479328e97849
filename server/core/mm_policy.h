/* Balancing policies: pure functions from a snapshot to wanted targets.
 * A policy sees only the domains it may move (held ones are removed before)
 * and says what it wants; the guards (mm_guard.h) make that safe. */
#ifndef MM_POLICY_H
#define MM_POLICY_H

#include <stddef.h>

#include "mm_core.h"

enum mm_policy_kind {
	MM_POLICY_TAX,   /* xenmm tax rate: AUTO or static tau */
	MM_POLICY_EQUAL, /* N/n each */
	MM_POLICY_NONE,  /* never changes a target */
};

/* AUTO tau falls close 1/γ of the gap per round; rises apply at once. */
#define MM_TAX_HYSTERESIS 10.0

struct mm_policy {
	enum mm_policy_kind kind;
	int tau_auto;      /* tax: 1 for AUTO, 0 for a static tau */
	double tau_static; /* tax: the static rate, 0..1 */
	double tau_prev;   /* tax AUTO: last round's tau (hysteresis state) */
	char spec[32];     /* canonical name: "tax", "tax:0.75", "equal", "none" */
};

/* Parses "tax", "tax:auto", "tax:0.75", "equal", "none". Returns 0, or
 * -EINVAL with a sentence in err. */
int mm_policy_init(struct mm_policy *p, const char *spec, char *err, size_t errlen);

/* Wanted target per domain into out->dom[i].want_kib (may be negative or
 * above maxmem: the guards clip), a reason, and out->tau. */
void mm_policy_run(struct mm_policy *p, const struct mm_snapshot *s, struct mm_plan *out);

/* A_i, used memory as the policy sees it. SPEC 3.4 says tot - free; when
 * the report also gives the balloon's current size, the kernel's overhead
 * (allocation - MemTotal, 50-70 MiB on the 2013 guests) counts as used too,
 * so the busiest guest is left f free of its MemTotal rather than f minus
 * the overhead. 2013 reports have no balloon size and keep tot - free. */
uint64_t mm_dom_used_kib(const struct mm_dom_in *d);

/* The tax rate formula alone (SPEC 3.4), exposed for tests and the docs:
 * the smallest tau that leaves the busiest guest exactly f free, clamped to
 * [0,1]; 0 when all domains use the same (0/0 in the 2013 code). */
double mm_tax_auto_raw(double max_used_kib, double mean_used_kib, size_t n, double pool_kib,
                       double free_kib);

#endif
