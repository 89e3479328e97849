/* Synthetic rounds: each domain's demand is a slow wave with its own period
 * plus noise; targets share the pool by demand with a fixed tax rate, and
 * allocations follow targets at a balloon speed. Deterministic per seed. */
#include "synth_round.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB               1024u
#define FLOOR_KIB         (200u * MIB)
#define BALLOON_KIB_PER_S (256u * MIB)

static double rnd(struct synth *s) /* [0,1) */
{
	s->rng = s->rng * 6364136223846793005u + 1442695040888963407u;
	return (double)(s->rng >> 11) / 9007199254740992.0;
}

int synth_init(struct synth *s, size_t n, uint64_t seed, uint64_t start_ms)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed ? seed : 1;
	s->round.dom = calloc(n ? n : 1, sizeof(*s->round.dom));
	s->phase = calloc(n ? n : 1, sizeof(*s->phase));
	if (!s->round.dom || !s->phase) {
		synth_dispose(s);
		return -ENOMEM;
	}
	s->round.n = n;
	s->round.policy = "tax";
	s->round.time_ms = start_ms;
	s->round.free_goal_kib = 150u * MIB;
	s->round.reserve_kib = 64u * MIB;
	s->round.pool_kib = (uint64_t)n * 1024u * MIB;
	for (size_t i = 0; i < n; i++) {
		struct mm_round_dom *d = &s->round.dom[i];
		d->domid = (uint32_t)(i + 1);
		snprintf(d->name, sizeof(d->name), "vm%zu", i + 1);
		d->maxmem_kib = (2u + i % 3) * 1024u * MIB;
		d->floor_kib = FLOOR_KIB;
		d->actual_kib = d->target_kib = 1024u * MIB;
		s->phase[i] = rnd(s) * 6.283;
	}
	return 0;
}

static uint64_t demand_kib(struct synth *s, size_t i, double t_s)
{
	double period = 40.0 + (double)(i % 7) * 9.0;
	double wave = 0.5 + 0.5 * sin(t_s * 6.283 / period + s->phase[i]);
	return (uint64_t)((200.0 + 900.0 * wave + 40.0 * rnd(s)) * MIB);
}

static void synth_report(struct synth *s, struct mm_round_dom *d, uint64_t demand)
{
	uint64_t tot = d->actual_kib - d->actual_kib / 32; /* kernel keeps ~3% */
	uint64_t resident = demand < tot - 64u * MIB ? demand : tot - 64u * MIB;

	d->has_report = true;
	d->report.has = MM_REPORT_HAS_SEQ | MM_REPORT_HAS_SWAP;
	d->report.seq++;
	d->report.tot_kib = tot;
	d->report.free_kib = tot - resident;
	d->report.swap_total_kib = 1024u * MIB;
	d->report.swap_used_kib = demand - resident;
	d->report_age_ms = (uint64_t)(rnd(s) * 900.0);
}

/* Share of the pool: equal split plus tau times the deviation of used. */
static void synth_targets(struct synth *s, double mean_used)
{
	struct mm_round *r = &s->round;

	r->writes = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct mm_round_dom *d = &r->dom[i];
		double used = (double)(d->report.tot_kib - d->report.free_kib);
		double x = (double)r->pool_kib / (double)r->n + r->tau * (used - mean_used);
		uint64_t t = x < (double)d->floor_kib ? d->floor_kib : (uint64_t)x;
		d->prev_target_kib = d->target_kib;
		d->flags = 0;
		d->reason = t > d->target_kib ? MM_REASON_GROW : MM_REASON_SHRINK;
		if (t >= d->maxmem_kib) {
			t = d->maxmem_kib;
			d->reason = MM_REASON_MAXMEM;
			d->flags = MM_FLAG_CAPPED;
		} else if (t == d->floor_kib) {
			d->reason = MM_REASON_FLOOR;
		}
		if ((t > d->target_kib ? t - d->target_kib : d->target_kib - t) < MIB) {
			t = d->target_kib;
			d->reason = MM_REASON_DEADBAND;
		}
		r->writes += t != d->target_kib;
		d->target_kib = t;
	}
}

void synth_step(struct synth *s, uint64_t dt_ms)
{
	struct mm_round *r = &s->round;
	double mean = 0, t_s = (double)(r->time_ms + dt_ms) / 1000.0;
	uint64_t step = BALLOON_KIB_PER_S * dt_ms / 1000u, sum = 0;

	r->seq++;
	r->time_ms += dt_ms;
	for (size_t i = 0; i < r->n; i++) {
		struct mm_round_dom *d = &r->dom[i];
		if (d->actual_kib < d->target_kib)
			d->actual_kib += d->target_kib - d->actual_kib < step
			                     ? d->target_kib - d->actual_kib
			                     : step;
		else
			d->actual_kib -= d->actual_kib - d->target_kib < step
			                     ? d->actual_kib - d->target_kib
			                     : step;
		synth_report(s, d, demand_kib(s, i, t_s));
		mean += (double)(d->report.tot_kib - d->report.free_kib);
		sum += d->actual_kib;
	}
	mean /= r->n ? (double)r->n : 1.0;
	r->tau = 0.4 + 0.3 * sin(t_s / 30.0);
	synth_targets(s, mean);
	r->host_free_kib = 2048u * MIB + r->pool_kib - (sum < r->pool_kib ? sum : r->pool_kib);
	r->cost_us = 20 + (uint64_t)(rnd(s) * 30.0) + r->n / 2;
}

void synth_dispose(struct synth *s)
{
	free(s->round.dom);
	free(s->phase);
	memset(s, 0, sizeof(*s));
}
