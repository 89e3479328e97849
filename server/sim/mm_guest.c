/* Guest model arithmetic, in KiB. Memory the kernel keeps and the balloon's
 * overhead come off the allocation first; the application gets the rest up
 * to its demand and swaps the remainder.
 *
 * Pressure model (what the guest reports as psi_some10, and the harm metric):
 * the working set is the demand plus a hot page cache of 5 % of it. While the
 * usable memory is below the working set the guest stalls on memory for a
 * share of its time that grows with the deficit: deficit / (10 % of the
 * working set), at most 1 (a 1 % deficit stalls 10 % of the time, as cache
 * refaults do; a 10 % deficit stalls always, as swapping anonymous memory
 * does). psi_some10 is that share averaged over 10 s, in percent, as
 * /proc/pressure/memory's "some avg10". Swapped memory is touched again once
 * every 10 s: each touch is a swap-in (and a major fault) and pushes as much
 * back out, so a thrashing guest shows swap-in rates. */
#include "mm_guest.h"

#include "mm_parse.h"

#include <stdio.h>
#include <string.h>

#define INTERMITTENT_PERIOD_MS 30000
#define INTERMITTENT_STUCK_MS  10000

void mm_guest_start(struct mm_guest *g, const struct mm_guest_cfg *cfg, uint32_t domid,
                    uint64_t now_ms)
{
	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->domid = domid;
	g->alive = true;
	g->alloc_kib = g->target_kib = cfg->memory_kib;
	mm_guest_tick(g, now_ms, 0);
}

static bool balloon_frozen(const struct mm_guest *g, uint64_t now_ms)
{
	if (g->cfg->behaviour == MM_BEH_STUCK)
		return true;
	if (g->cfg->behaviour == MM_BEH_INTERMITTENT) {
		uint64_t phase = (now_ms + g->domid * 7000u) % INTERMITTENT_PERIOD_MS;
		return phase < INTERMITTENT_STUCK_MS;
	}
	return false;
}

/* Moves alloc toward target by at most speed * dt, within what the guest's
 * hidden limits and Xen's maxmem allow. */
static void move_balloon(struct mm_guest *g, uint64_t now_ms, uint64_t dt_ms)
{
	const struct mm_guest_cfg *c = g->cfg;
	uint64_t speed = c->behaviour == MM_BEH_SLOW ? c->balloon_kib_s / 10 : c->balloon_kib_s;
	uint64_t step = speed * dt_ms / 1000, goal = g->target_kib;

	if (balloon_frozen(g, now_ms))
		return;
	if (goal > c->maxmem_kib)
		goal = c->maxmem_kib; /* Xen's cap */
	if (c->behaviour == MM_BEH_HIDDEN_FLOOR && goal < c->behaviour_kib)
		goal = c->behaviour_kib;
	if (c->behaviour == MM_BEH_HIDDEN_CEILING && goal > c->behaviour_kib)
		goal = c->behaviour_kib;
	if (g->alloc_kib < goal)
		g->alloc_kib = goal - g->alloc_kib > step ? g->alloc_kib + step : goal;
	else if (g->alloc_kib > goal)
		g->alloc_kib = g->alloc_kib - goal > step ? g->alloc_kib - step : goal;
}

static uint64_t usable_kib(const struct mm_guest *g)
{
	uint64_t gone = g->cfg->overhead_kib + g->cfg->kernel_min_kib;
	return g->alloc_kib > gone ? g->alloc_kib - gone : 0;
}

/* The stall share and its 10 s average; dt_ms of thrashing traffic. */
static void pressure(struct mm_guest *g, uint64_t usable, uint64_t dt_ms)
{
	uint64_t ws = g->demand_kib + g->demand_kib * MM_GUEST_HOT_CACHE_PERMILLE / 1000;
	uint64_t pages;

	g->ws_kib = ws;
	g->under_ws = usable < ws;
	g->stall = 0;
	if (g->under_ws) {
		double full = (double)ws * MM_GUEST_FULL_STALL_PERMILLE / 1000.0;
		g->stall = (double)(ws - usable) / full;
		g->stall = g->stall > 1 ? 1 : g->stall;
	}
	/* exponential average over 10 s, like the kernel's avg10 */
	g->psi_some10 += (100.0 * g->stall - g->psi_some10) * (double)dt_ms / 10000.0;
	if (g->psi_some10 < 1e-6)
		g->psi_some10 = 0;
	g->swap_touch_kib_ms += g->swap_used_kib * dt_ms;
	pages = g->swap_touch_kib_ms / (4 * MM_GUEST_SWAP_TOUCH_MS);
	g->swap_touch_kib_ms -= pages * 4 * MM_GUEST_SWAP_TOUCH_MS;
	g->pswpin += pages;
	g->pswpout += pages;
	g->pgmajfault += pages;
}

void mm_guest_tick(struct mm_guest *g, uint64_t now_ms, uint64_t dt_ms)
{
	const struct mm_guest_cfg *c = g->cfg;
	uint64_t usable, swap, old_swap = g->swap_used_kib;

	move_balloon(g, now_ms, dt_ms);
	g->demand_kib = mm_workload_demand_kib(&c->workload, now_ms - c->start_ms);
	usable = usable_kib(g);
	g->resident_kib = g->demand_kib < usable ? g->demand_kib : usable;
	swap = g->demand_kib - g->resident_kib;
	if (swap > c->swap_kib) {
		/* The OOM killer ends what does not fit; count each episode once. */
		if (!g->oom)
			g->oom_events++;
		g->oom = true;
		swap = c->swap_kib;
	} else {
		g->oom = false;
	}
	g->swap_used_kib = swap;
	if (swap > old_swap)
		g->pswpout += (swap - old_swap) / 4; /* 4 KiB pages */
	else
		g->pswpin += (old_swap - swap) / 4;
	pressure(g, usable, dt_ms);
}

/* The lies of the hostile behaviours (mm_guest.h), as text a guest could
 * write into its node. */
static int hostile_report(struct mm_guest *g, uint64_t tot, char *buf, size_t len)
{
	const uint64_t big = MM_SIZE_MAX_KIB; /* 1 PiB: the largest size a report may hold */
	uint64_t seq = ++g->seq;
	int n;

	switch (g->cfg->behaviour) {
	case MM_BEH_HUGE:
		return snprintf(buf, len, "v=1 seq=%llu tot=%llu free=0", (unsigned long long)seq,
		                (unsigned long long)big);
	case MM_BEH_NEGATIVE:
		return snprintf(buf, len, "v=1 seq=%llu tot=-%llu free=-1", (unsigned long long)seq,
		                (unsigned long long)tot);
	case MM_BEH_FLAPPING:
		return snprintf(buf, len, "v=1 seq=%llu tot=%llu free=%llu",
		                (unsigned long long)seq, (unsigned long long)tot,
		                (unsigned long long)(seq % 2 ? 0 : tot));
	case MM_BEH_REPLAY:
		return snprintf(buf, len, "v=1 seq=%llu tot=%llu free=%llu",
		                (unsigned long long)(seq > 5 ? 3 : seq), (unsigned long long)tot,
		                (unsigned long long)(tot / 2));
	default: /* MM_BEH_GROWING: unknown keys are ignored, but not past 512 bytes */
		n = snprintf(buf, len, "v=1 seq=%llu tot=%llu free=%llu", (unsigned long long)seq,
		             (unsigned long long)tot, (unsigned long long)(tot / 2));
		for (uint64_t k = 0; k < seq && n > 0 && (size_t)n + 12 < len; k++)
			n += snprintf(buf + n, len - (size_t)n, " x%llu=1", (unsigned long long)k);
		return n;
	}
}

int mm_guest_report(struct mm_guest *g, char *buf, size_t len)
{
	const struct mm_guest_cfg *c = g->cfg;
	struct mm_report r = {0};
	uint64_t tot = g->alloc_kib > c->overhead_kib ? g->alloc_kib - c->overhead_kib : 1;
	uint64_t spare = usable_kib(g) - g->resident_kib;

	if (c->behaviour == MM_BEH_SILENT)
		return -1;
	if (c->behaviour == MM_BEH_GARBAGE)
		return snprintf(buf, len, "v=1 tot=%llu free=-1 seq=%llu", (unsigned long long)tot,
		                (unsigned long long)++g->seq);
	if (c->behaviour >= MM_BEH_HUGE && c->behaviour != MM_BEH_FLOOD)
		return hostile_report(g, tot, buf, len);
	r.has = MM_REPORT_HAS_SEQ | MM_REPORT_HAS_AVAIL | MM_REPORT_HAS_CACHED |
	        MM_REPORT_HAS_SWAP | MM_REPORT_HAS_VMSTAT | MM_REPORT_HAS_BALLOON |
	        MM_REPORT_HAS_PSI;
	r.seq = ++g->seq;
	r.tot_kib = tot;
	r.cached_kib = spare * c->cache_permille / 1000;
	r.free_kib = spare > tot ? tot : spare; /* MemFree + Cached */
	r.avail_kib = r.free_kib;
	r.swap_total_kib = c->swap_kib;
	r.swap_used_kib = g->swap_used_kib;
	r.pswpin = g->pswpin;
	r.pswpout = g->pswpout;
	r.pgmajfault = g->pgmajfault;
	r.psi_some10_centi = (uint32_t)(g->psi_some10 * 100.0 + 0.5);
	r.balloon_cur_kib = g->alloc_kib;
	return mm_report_format(&r, buf, len);
}
