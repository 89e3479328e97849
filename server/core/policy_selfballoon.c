/* selfballoon: Linux's in-guest xen-selfballoon (drivers/xen/
 * xen-selfballoon.c) as a policy: each guest alone, no host view; goal =
 * committed memory x 1.1; every 5 s the balloon goes up to the goal in one
 * step or down by 1/8 of the excess (down-hysteresis 8); never below the
 * floor (the guards keep it, as the driver's minimum usable size does). */
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
		uint64_t goal = mm_dom_committed_kib(&s->dom[i]) * GOAL_PERMILLE / 1000;
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
    .help = "Linux peer: each guest alone, goal = committed x 1.1; up at once, "
            "down 1/8 of the excess; every 5 s",
    .init = sb_init,
    .run = sb_run,
};
