/* Arrival schedules (see mc_sched.h). Poisson gaps are exponential,
 * -ln(1 - u) * mean; fixed arrivals are phase + k * mean, computed from k
 * rather than summed, so rounding never drifts the rate. */
#include "mc_sched.h"

#include <math.h>

#include "mm_tp.h"

void mc_sched_init(struct mc_sched *s, enum mc_sched_kind kind, double rate_per_s, uint64_t seed,
                   double phase_ns)
{
	s->kind = kind;
	s->interval_ns = 1e9 / rate_per_s;
	s->t_ns = 0;
	s->phase_ns = phase_ns;
	s->n = 0;
	s->rng = seed;
}

uint64_t mc_sched_next(struct mc_sched *s)
{
	double t;

	if (s->kind == MC_SCHED_FIXED) {
		t = s->phase_ns + (double)s->n * s->interval_ns;
	} else {
		/* u in [0,1) so 1 - u is in (0,1]: the log is finite. */
		s->t_ns += -log(1.0 - mm_tp_rand_unit(&s->rng)) * s->interval_ns;
		t = s->t_ns;
	}
	s->n++;
	return (uint64_t)t;
}
