/* Helpers shared by the core tests: build snapshots from used-memory lists. */
#ifndef CORE_FIXTURE_H
#define CORE_FIXTURE_H

#include <string.h>

#include "mm_balance.h"

#define FX_MAX 1024
#define GIB    (UINT64_C(1) << 20) /* in KiB */
#define MIB    (UINT64_C(1) << 10)

struct fixture {
	struct mm_dom_in in[FX_MAX];
	struct mm_dom_out out[FX_MAX];
	struct mm_dom_in work_in[FX_MAX];
	struct mm_dom_out work_out[FX_MAX];
	size_t work_idx[FX_MAX];
	struct mm_snapshot snap;
	struct mm_plan plan;
	struct mm_balance_work work;
	struct mm_guard_cfg cfg;
};

/* n domains of 1 GiB each (actual = target), maxmem 4 GiB, floor 200 MiB,
 * reporting tot 1 GiB and used[i]; pool 5 GiB, f 150 MiB, plenty host free. */
static inline void fx_init(struct fixture *f, size_t n, const uint64_t *used)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		struct mm_dom_in *d = &f->in[i];
		d->domid = (uint32_t)(i + 1);
		d->has_report = true;
		d->report.tot_kib = GIB;
		d->report.free_kib = used[i] <= GIB ? GIB - used[i] : 0;
		d->actual_kib = d->target_kib = GIB;
		d->maxmem_kib = 4 * GIB;
		d->floor_kib = 200 * MIB;
	}
	f->snap = (struct mm_snapshot){.n = n,
	                               .dom = f->in,
	                               .pool_kib = 5 * GIB,
	                               .free_goal_kib = 150 * MIB,
	                               .host_free_kib = 64 * GIB,
	                               .reserve_kib = 64 * MIB};
	f->plan = (struct mm_plan){.n = n, .dom = f->out};
	f->work = (struct mm_balance_work){
	    .cap = FX_MAX, .in = f->work_in, .out = f->work_out, .idx = f->work_idx};
	f->cfg = (struct mm_guard_cfg){.deadband_kib = MM_GUARD_DEADBAND_KIB};
}

static inline void fx_round(struct fixture *f, struct mm_policy *p)
{
	mm_balance_round(p, &f->cfg, &f->snap, &f->work, &f->plan);
}

/* Makes the plan the new current state, as if every balloon followed. */
static inline void fx_apply(struct fixture *f)
{
	for (size_t i = 0; i < f->snap.n; i++)
		f->in[i].actual_kib = f->in[i].target_kib = f->out[i].target_kib;
}

static inline uint64_t fx_sum(const struct fixture *f)
{
	uint64_t s = 0;
	for (size_t i = 0; i < f->snap.n; i++)
		s += f->out[i].target_kib;
	return s;
}

#endif
