/* Pacing of reports; see mmc_decide.h. No clock reads here. */
#include "mmc_decide.h"

bool mmc_report_due(const struct mmc_pace *p, const struct mmc_last *last, uint64_t now_ms,
                    uint64_t used_kib)
{
	uint64_t moved;

	if (!last->written)
		return true;
	/* a clock that went backwards (should not with CLOCK_MONOTONIC) writes */
	if (now_ms < last->time_ms || now_ms - last->time_ms >= p->interval_ms)
		return true;
	moved = used_kib > last->used_kib ? used_kib - last->used_kib : last->used_kib - used_kib;
	return moved > p->threshold_kib;
}

bool mmc_meminfo_worth_reading(const struct mmc_pace *p, const struct mmc_last *last,
                               uint64_t now_ms, uint64_t free_kib, uint64_t free_at_read_kib,
                               bool pressure)
{
	uint64_t moved =
	    free_kib > free_at_read_kib ? free_kib - free_at_read_kib : free_at_read_kib - free_kib;

	if (!last->written || pressure)
		return true;
	if (now_ms < last->time_ms || now_ms - last->time_ms >= p->interval_ms)
		return true;
	return moved >= p->threshold_kib / 2;
}
