/* Open-loop arrival schedule: due times in ns from the run's start, a pure
 * function of (kind, rate, worker, seed). It never looks at responses, so a
 * slow server makes requests late instead of making the schedule wait (no
 * coordinated omission). Times only; what to send is mc_mix's job.
 *
 * The count is fixed per second: second s holds exactly
 * floor(R(s+1)) - floor(Rs) arrivals over all workers (R the total rate),
 * so the achieved rate of a whole window is the target, not the target
 * give or take a Poisson draw (sd 0.35 % over 80 000 arrivals). Poisson
 * arrivals are the ordered uniform points of a Poisson process given its
 * count (exponential gaps normalised to the second); fixed ones are evenly
 * spaced, the workers taking every P-th slot. A rate change applies from
 * the next second that has not begun. */
#ifndef MC_SCHED_H
#define MC_SCHED_H

#include <stdint.h>

enum mc_sched_kind { MC_SCHED_POISSON, MC_SCHED_FIXED };

#define MC_SCHED_NONE UINT64_MAX /* no arrival: the rate is 0 */

struct mc_sched {
	enum mc_sched_kind kind;
	double rate_per_s;         /* total over all workers, used from the next second */
	uint32_t worker, nworkers; /* this worker's share */
	int64_t sec;               /* second being generated, -1 before the first */
	uint64_t n_total;          /* arrivals of all workers in sec */
	uint64_t n, i;             /* this worker's arrivals in sec, and the next one's index */
	double sum, cum;           /* Poisson: the n+1 gaps' total, and the gaps so far */
	uint64_t rng;              /* the gaps still to draw */
	uint64_t produced;         /* arrivals returned so far */
};

/* rate_per_s >= 0 (0: none until mc_sched_set_rate), nworkers >= 1. */
void mc_sched_init(struct mc_sched *s, enum mc_sched_kind kind, double rate_per_s, uint32_t worker,
                   uint32_t nworkers, uint64_t seed);
/* Due time of the next arrival, ns from the start; non-decreasing.
 * MC_SCHED_NONE while the rate is 0. */
uint64_t mc_sched_next(struct mc_sched *s);
/* New total rate from second from_sec on (arrivals already returned stay;
 * the rest of the second being generated keeps the old rate). */
void mc_sched_set_rate(struct mc_sched *s, double rate_per_s, int64_t from_sec);
/* Arrivals of all workers in second sec at the total rate R. */
uint64_t mc_sched_count(double rate_per_s, int64_t sec);

#endif
