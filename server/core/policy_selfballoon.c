/* selfballoon: Linux's in-guest xen-selfballoon (drivers/xen/
 * xen-selfballoon.c) as a policy: each guest alone, no host view; goal =
 * committed memory + a reserve of a tenth of the RAM the guest booted with
 * (the driver's default reserved_mb = totalram / 10; SPEC 3.4 rounds this to
 * committed x 1.1, which is what we use without per-domain memory); every 5 s
 * the balloon goes up to the goal in one step (up-hysteresis 1) or down by
 * 1/8 of the excess (down-hysteresis 8); never below the floor (the guards
 * keep it, as the driver's minimum usable size does). */
#include <errno.h>
#include <stdio.h>

#include "mm_demand.h"
#include "mm_policy.h"

#define PERIOD_MS       5000
#define GOAL_PERMILLE   1100
#define DOWN_HYSTERESIS 8

struct selfballoon {
	struct mm_cadence clock;
};

/* Per domain: the reserve fixed when the driver started (first sight). */
struct sb_dom {
	uint64_t reserve_kib;
	uint8_t valid;
};
_Static_assert(sizeof(struct sb_dom) <= MM_POLICY_DOM_BYTES, "fits");

static uint64_t goal_of(const struct mm_dom_in *d)
{
	struct sb_dom *m = d->pol;
	uint64_t committed = mm_dom_committed_kib(d);

	if (!m)
		return committed * GOAL_PERMILLE / 1000;
	if (!m->valid) {
		m->reserve_kib = d->report.tot_kib / 10;
		m->valid = 1;
	}
	return committed + m->reserve_kib;
}
_Static_assert(sizeof(struct selfballoon) <= MM_POLICY_STATE_BYTES, "fits");

static int sb_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                   size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'selfballoon' takes no arguments (got '%s')", args);
		return -EINVAL;
	}
	return 0;
}

static void sb_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	struct selfballoon *b = state;

	if (!mm_cadence_due(&b->clock, s->now_ms, PERIOD_MS)) {
		mm_policy_wait_all(s, out);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		uint64_t goal = goal_of(&s->dom[i]);
		uint64_t cur = s->dom[i].target_kib;
		if (goal >= cur)
			out->dom[i].want_kib = (int64_t)goal;
		else
			out->dom[i].want_kib = (int64_t)(cur - (cur - goal) / DOWN_HYSTERESIS);
	}
}

const struct mm_policy_type mm_policy_selfballoon = {
    .name = "selfballoon",
    .usage = "selfballoon",
    .help = "Linux peer: each guest alone, goal = committed + RAM/10; up at once, "
            "down 1/8 of the excess; every 5 s",
    .init = sb_init,
    .run = sb_run,
};
