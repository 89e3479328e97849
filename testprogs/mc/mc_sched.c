/* Arrival schedules (see mc_sched.h). Poisson: a second's n arrivals are
 * the cumulative sums of n+1 exponential gaps scaled so the n+1 gaps fill
 * the second exactly; the gaps are drawn twice from the same seed (once to
 * total them, once to place them), so nothing is buffered. */
#include "mc_sched.h"

#include <math.h>

#include "mm_tp.h"

#define NS_PER_S 1e9

uint64_t mc_sched_count(double rate_per_s, int64_t sec)
{
	return (uint64_t)(floor(rate_per_s * (double)(sec + 1)) - floor(rate_per_s * (double)sec));
}

void mc_sched_init(struct mc_sched *s, enum mc_sched_kind kind, double rate_per_s, uint32_t worker,
                   uint32_t nworkers, uint64_t seed)
{
	*s = (struct mc_sched){.kind = kind,
	                       .rate_per_s = rate_per_s,
	                       .worker = worker,
	                       .nworkers = nworkers ? nworkers : 1,
	                       .sec = -1,
	                       .rng = seed};
}

static double gap(uint64_t *rng)
{
	/* u in [0,1) so 1 - u is in (0,1]: the log is finite. */
	return -log(1.0 - mm_tp_rand_unit(rng));
}

/* Moves to the next second with arrivals for this worker; 0, or -1 when
 * the rate is 0 (the schedule then waits for mc_sched_set_rate). */
static int next_second(struct mc_sched *s)
{
	if (s->rate_per_s <= 0)
		return -1;
	do {
		s->sec++;
		s->n_total = mc_sched_count(s->rate_per_s, s->sec);
		/* worker w: slots w, w+P, ... of the second's n_total */
		s->n = s->n_total > s->worker ? (s->n_total - s->worker - 1) / s->nworkers + 1 : 0;
	} while (s->n == 0);
	s->i = 0;
	if (s->kind == MC_SCHED_POISSON) {
		uint64_t r = s->rng;
		s->sum = 0;
		for (uint64_t k = 0; k <= s->n; k++)
			s->sum += gap(&r);
		s->cum = 0;
	}
	return 0;
}

uint64_t mc_sched_next(struct mc_sched *s)
{
	double frac;

	if (s->i >= s->n && next_second(s))
		return MC_SCHED_NONE;
	if (s->kind == MC_SCHED_FIXED) {
		/* integer ns: slot * 1e9 / n is exact to the ns, no drift */
		uint64_t slot = s->worker + s->i * s->nworkers;
		s->i++;
		s->produced++;
		return (uint64_t)s->sec * UINT64_C(1000000000) +
		       slot * UINT64_C(1000000000) / s->n_total;
	} else {
		s->cum += gap(&s->rng);
		frac = s->cum / s->sum;
		if (s->i + 1 == s->n)
			(void)gap(&s->rng); /* the closing gap, so the next second starts fresh */
	}
	s->i++;
	s->produced++;
	return (uint64_t)((double)s->sec * NS_PER_S + frac * NS_PER_S);
}

void mc_sched_set_rate(struct mc_sched *s, double rate_per_s, int64_t from_sec)
{
	s->rate_per_s = rate_per_s;
	/* Seconds before from_sec that have not been generated are skipped:
	 * arrivals never jump back before the change. */
	if (s->i >= s->n && s->sec < from_sec - 1)
		s->sec = from_sec - 1;
}
