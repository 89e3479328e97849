/* Balancing policies: pure functions from a snapshot to wanted targets.
 * Each policy is one registration row (struct mm_policy_type) in its own
 * file, listed once in mm_policy_table.c. A policy sees only the domains it
 * may move (held ones are removed before) and says what it wants, with a
 * reason per domain if it likes; the guards (mm_guard.h) make that safe. */
#ifndef MM_POLICY_H
#define MM_POLICY_H

#include <stdalign.h>
#include <stddef.h>

#include "mm_core.h"

/* Private state of one policy instance, kept inline so that a policy is a
 * plain value: no allocation in the core, and a copy is a checkpoint. */
#define MM_POLICY_STATE_BYTES 512

enum {
	/* Observes only: its targets are never written and the guards never
	 * run for it (`none`, balancer off in experiments). */
	MM_POLICY_OBSERVE = 1u << 0,
};

struct mm_policy_type {
	const char *name;  /* what --policy NAME[:ARGS] matches */
	const char *usage; /* NAME[:ARGS] as the user types it */
	const char *help;  /* one line for `--policy help`: the idea, the ARGS */
	unsigned flags;    /* MM_POLICY_* */
	/* Parses args (NULL when none were given) into state (zeroed, of
	 * MM_POLICY_STATE_BYTES); writes the canonical spec. 0 or -EINVAL with
	 * a sentence in err. */
	int (*init)(void *state, const char *args, char *spec, size_t speclen, char *err,
	            size_t errlen);
	/* Sets out->dom[i].want_kib for every domain, and may set a reason
	 * (left at MM_REASON_UNSET, the core derives grow/shrink/hold), and
	 * out->tau. Must stay pure: state and each domain's pol memory only. */
	void (*run)(void *state, const struct mm_snapshot *s, struct mm_plan *out);
	void (*dispose)(void *state); /* may be NULL */
};

struct mm_policy {
	const struct mm_policy_type *type;
	char spec[48]; /* canonical: "tax", "tax:0.75", "equal", "none" */
	alignas(max_align_t) unsigned char state[MM_POLICY_STATE_BYTES];
};

/* The registered policies, NULL-terminated (mm_policy_table.c). */
extern const struct mm_policy_type *const mm_policy_types[];

/* Finds NAME in "NAME[:ARGS]" and initialises it. 0, or -EINVAL with a
 * sentence in err that lists the known names. */
int mm_policy_init(struct mm_policy *p, const char *spec, char *err, size_t errlen);

/* Wanted target per domain into out->dom[i].want_kib (may be negative or
 * above maxmem: the guards clip), a reason, and out->tau. */
void mm_policy_run(struct mm_policy *p, const struct mm_snapshot *s, struct mm_plan *out);

void mm_policy_dispose(struct mm_policy *p);

static inline int mm_policy_observes(const struct mm_policy *p)
{
	return p->type && (p->type->flags & MM_POLICY_OBSERVE);
}

/* Helpers every policy shares. */

/* Rounds x to KiB, keeping it inside ±2^50 KiB so sums cannot overflow;
 * NaN becomes 0. */
int64_t mm_policy_kib(double x);

/* A_i, used memory as the policy sees it. SPEC 3.4 says tot - free; when
 * the report also gives the balloon's current size, the kernel's overhead
 * (allocation - MemTotal, 50-70 MiB on the 2013 guests) counts as used too,
 * so the busiest guest is left f free of its MemTotal rather than f minus
 * the overhead. 2013 reports have no balloon size and keep tot - free.
 * Where avail (MemAvailable) is below free, free counts only avail: the
 * rest is tmpfs or shared memory a shrink cannot take. */
uint64_t mm_dom_used_kib(const struct mm_dom_in *d);

/* The tax rate formula alone (SPEC 3.4), exposed for tests and the docs:
 * the smallest tau that leaves the busiest guest exactly f free, clamped to
 * [0,1]; 0 when all domains use the same (0/0 in the 2013 code). */
double mm_tax_auto_raw(double max_used_kib, double mean_used_kib, size_t n, double pool_kib,
                       double free_kib);

/* The tax policy's AUTO hysteresis state, for tests that start from a
 * given tau; -1 when p is not an AUTO tax policy. */
double mm_tax_tau_prev(const struct mm_policy *p);
void mm_tax_set_tau_prev(struct mm_policy *p, double tau);

/* AUTO tau falls close 1/γ of the gap per round; rises apply at once. */
#define MM_TAX_HYSTERESIS 10.0

#endif
