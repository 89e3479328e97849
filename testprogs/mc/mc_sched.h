/* Open-loop arrival schedule: due times in ns from the run's start, a pure
 * function of (kind, rate, seed, phase). It never looks at responses, so a
 * slow server makes requests late instead of making the schedule wait
 * (no coordinated omission). Times only; what to send is mc_mix's job. */
#ifndef MC_SCHED_H
#define MC_SCHED_H

#include <stdint.h>

enum mc_sched_kind { MC_SCHED_POISSON, MC_SCHED_FIXED };

struct mc_sched {
	enum mc_sched_kind kind;
	double interval_ns; /* mean gap between arrivals */
	double t_ns;        /* Poisson: current arrival time */
	double phase_ns;    /* fixed: offset of arrival 0 */
	uint64_t n;         /* arrivals produced so far */
	uint64_t rng;
};

/* rate_per_s > 0. phase_ns shifts a fixed schedule (several workers at the
 * same rate interleave instead of firing together). */
void mc_sched_init(struct mc_sched *s, enum mc_sched_kind kind, double rate_per_s, uint64_t seed,
                   double phase_ns);
/* Due time of the next arrival, ns from the start; non-decreasing. */
uint64_t mc_sched_next(struct mc_sched *s);

#endif
