/* qmemman: the Qubes OS memory balancer as its public description and
 * source (qubes-core-admin qubes/qmemman/algo.py, doc "qmemman") tell it:
 * prefmem = 1.3 x used (used with swap, on the balloon's size); surplus
 * spread in proportion to prefmem; when short, donors go to prefmem and
 * acceptors share what is free. Event-driven: guests rewrite their report
 * only when used moved more than 30 MB, and a round that moves too little is
 * skipped. Not a copy of that code: our reading, in our words. */
#include <errno.h>
#include <stdio.h>

#include "mm_demand.h"
#include "mm_policy.h"

#define PREF_FACTOR        1.3
#define REPORT_DELTA_KIB   (30000000 / 1024) /* 30 MB: the guest writes only past this */
#define MIN_TOTAL_MOVE_KIB (150 * MM_KIB_PER_MIB)
#define MIN_ACCEPT_KIB     (15 * MM_KIB_PER_MIB)
#define MIN_DONATE_KIB     (10 * MM_KIB_PER_MIB)

/* Per domain across rounds: the used value qmemman last heard. */
struct qm_dom {
	uint64_t seen_kib;
	uint64_t wanted_kib; /* the target qmemman asked for last */
	uint8_t valid;
};
_Static_assert(sizeof(struct qm_dom) <= MM_POLICY_DOM_BYTES, "fits");

static int qm_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                   size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'qmemman' takes no arguments (got '%s')", args);
		return -EINVAL;
	}
	return 0;
}

/* Notes what the guest writes now: it writes only when used moved past
 * 30 MB since its last write. Returns true when it wrote. */
static bool hear(const struct mm_dom_in *d)
{
	struct qm_dom *m = d->pol;
	uint64_t now = mm_dom_committed_kib(d);

	if (!m)
		return true; /* no memory (unit tests): every report is heard */
	/* its last balance did not finish (Xen had not the memory yet): qmemman
	 * retries it, as its balance loop does */
	if (m->valid && d->target_kib + MIN_ACCEPT_KIB < m->wanted_kib)
		return true;
	if (m->valid &&
	    (now > m->seen_kib ? now - m->seen_kib : m->seen_kib - now) <= REPORT_DELTA_KIB)
		return false;
	m->seen_kib = now;
	m->valid = 1;
	return true;
}

/* prefmem from the used value qmemman last heard, within [floor, maxmem]. */
static double pref_of(const void *ctx, size_t i)
{
	const struct mm_dom_in *d = &((const struct mm_snapshot *)ctx)->dom[i];
	const struct qm_dom *m = d->pol;
	double used = (double)(m && m->valid ? m->seen_kib : mm_dom_committed_kib(d));
	double p = PREF_FACTOR * used;

	p = p < (double)d->floor_kib ? (double)d->floor_kib : p;
	return p > (double)d->maxmem_kib ? (double)d->maxmem_kib : p;
}

static double max_of(const void *ctx, size_t i)
{
	return (double)((const struct mm_snapshot *)ctx)->dom[i].maxmem_kib;
}

/* Enough memory: prefmem + surplus x prefmem / sum prefmem, capped. */
static void enough(const struct mm_snapshot *s, double surplus, struct mm_plan *out)
{
	struct mm_fill f = {.n = s->n, .ctx = s, .base = pref_of, .w = pref_of, .hi = max_of};
	double k = mm_fill_solve(&f, surplus);

	for (size_t i = 0; i < s->n; i++)
		out->dom[i].want_kib = mm_policy_kib(mm_fill_at(&f, i, k));
}

/* Short: donors (above prefmem by 10 MiB or more) go to prefmem; acceptors
 * share the free memory plus the donations in proportion to prefmem (capped
 * only at maxmem, by the guards, as algo.py caps at static max). */
static void low(const struct mm_snapshot *s, double total, struct mm_plan *out)
{
	double avail = total, acc_pref = 0;

	for (size_t i = 0; i < s->n; i++) {
		double p = pref_of(s, i), a = (double)s->dom[i].actual_kib;
		bool donor = a - p >= MIN_DONATE_KIB;
		avail -= donor ? p : a;
		if (a < p)
			acc_pref += p;
	}
	for (size_t i = 0; i < s->n; i++) {
		double p = pref_of(s, i), a = (double)s->dom[i].actual_kib, x = a;
		if (a - p >= MIN_DONATE_KIB)
			x = p;
		else if (a < p && avail > 0 && acc_pref > 0)
			x = a + avail * p / acc_pref;
		out->dom[i].want_kib = mm_policy_kib(x);
	}
}

/* qmemman skips a round that moves under 150 MiB in all unless a guest
 * below its prefmem would gain more than 15 MiB. */
static bool worth_it(const struct mm_snapshot *s, const struct mm_plan *out)
{
	double moved = 0;

	for (size_t i = 0; i < s->n; i++) {
		double a = (double)s->dom[i].actual_kib, x = (double)out->dom[i].want_kib;
		moved += x > a ? x - a : a - x;
		if (a < pref_of(s, i) && x - a > MIN_ACCEPT_KIB)
			return true;
	}
	return moved > MIN_TOTAL_MOVE_KIB;
}

static void qm_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	double total = (double)s->pool_kib, need = 0;
	bool changed = false;

	(void)state;
	for (size_t i = 0; i < s->n; i++)
		changed |= hear(&s->dom[i]);
	for (size_t i = 0; i < s->n; i++)
		need += pref_of(s, i);
	if (!changed) {
		mm_policy_wait_all(s, out); /* no report moved: qmemman sleeps */
		return;
	}
	if (total >= need)
		enough(s, total - need, out);
	else
		low(s, total, out);
	if (!worth_it(s, out)) {
		mm_policy_wait_all(s, out);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct qm_dom *m = s->dom[i].pol;
		if (m)
			m->wanted_kib =
			    (uint64_t)(out->dom[i].want_kib > 0 ? out->dom[i].want_kib : 0);
	}
}

const struct mm_policy_type mm_policy_qmemman = {
    .name = "qmemman",
    .usage = "qmemman",
    .help = "Qubes OS peer: prefmem = 1.3 x used; surplus shared by prefmem; "
            "event-driven (30 MB report threshold, 150 MiB round threshold)",
    .init = qm_init,
    .run = qm_run,
};
