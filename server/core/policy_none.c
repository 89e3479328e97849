/* none: the balancer off. It observes and logs; nothing is ever written,
 * so experiments can compare against the host left alone. */
#include <errno.h>
#include <stdio.h>

#include "mm_policy.h"

static int none_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                     size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'none' takes no arguments (got '%s')", args);
		return -EINVAL;
	}
	return 0;
}

static void none_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	(void)state;
	for (size_t i = 0; i < s->n; i++) {
		out->dom[i].want_kib = (int64_t)s->dom[i].target_kib;
		out->dom[i].reason = MM_REASON_HOLD;
	}
}

const struct mm_policy_type mm_policy_none = {
    .name = "none",
    .usage = "none",
    .help = "balancer off: observe and log, never write a target",
    .flags = MM_POLICY_OBSERVE,
    .init = none_init,
    .run = none_run,
};
