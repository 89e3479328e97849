/* One balancing decision: held domains out, policy over the rest, guards
 * over all. The caller owns every buffer (mm_balance_work), so the round
 * allocates nothing and can run on any thread. */
#ifndef MM_BALANCE_H
#define MM_BALANCE_H

#include "mm_core.h"
#include "mm_guard.h"
#include "mm_policy.h"

struct mm_balance_work {
	size_t cap;           /* capacity of each array below */
	struct mm_dom_in *in; /* the movable domains, compacted */
	struct mm_dom_out *out;
	size_t *idx; /* in[k] is snapshot domain idx[k] */
};

/* Fills plan (plan->n == s->n, plan->dom sized n) from s. Needs work->cap >=
 * s->n. Domains flagged MM_FLAG_HELD, or with maxmem below their floor, keep
 * their allocation (held) or target (unmanageable) and are left out of the
 * policy; the pool the policy shares is what the held ones do not hold. */
void mm_balance_round(struct mm_policy *pol, const struct mm_guard_cfg *cfg,
                      const struct mm_snapshot *s, struct mm_balance_work *work,
                      struct mm_plan *plan);

#endif
