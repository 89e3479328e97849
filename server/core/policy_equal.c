/* equal: N/n for every domain, whatever they use (the 2013 -r, tau = 0). */
#include <errno.h>
#include <stdio.h>

#include "mm_policy.h"

static int equal_init(void *state, const char *args, char *spec, size_t speclen, char *err,
                      size_t errlen)
{
	(void)state, (void)spec, (void)speclen;
	if (args) {
		snprintf(err, errlen, "policy 'equal' takes no arguments (got '%s')", args);
		return -EINVAL;
	}
	return 0;
}

static void equal_run(void *state, const struct mm_snapshot *s, struct mm_plan *out)
{
	(void)state;
	for (size_t i = 0; i < s->n; i++)
		out->dom[i].want_kib = mm_policy_kib((double)s->pool_kib / (double)s->n);
}

const struct mm_policy_type mm_policy_equal = {
    .name = "equal",
    .usage = "equal",
    .help = "the pool split evenly, demand-blind",
    .init = equal_init,
    .run = equal_run,
};
