/* Stale and stuck detection (SPEC 3.3). A domain judged stuck is held at its
 * allocation for MM_STUCK_HOLD_MS and then given another chance, so a guest
 * that recovers is not shut out for ever. */
#include "mm_track.h"

#include "mm_core.h"

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* -1: target below, 0: within the minimum gap, 1: target above. */
static int side(uint64_t actual, uint64_t target)
{
	if (absdiff(actual, target) < MM_STUCK_MIN_GAP_KIB)
		return 0;
	return target > actual ? 1 : -1;
}

/* Closed part of the gap since the window opened, towards the target. */
static uint64_t progress(const struct mm_track *t, uint64_t actual)
{
	if (t->win_target_kib >= t->win_actual_kib)
		return actual > t->win_actual_kib ? actual - t->win_actual_kib : 0;
	return actual < t->win_actual_kib ? t->win_actual_kib - actual : 0;
}

static void open_window(struct mm_track *t, const struct mm_track_in *in)
{
	t->win_open = absdiff(in->actual_kib, in->target_kib) >= MM_STUCK_MIN_GAP_KIB;
	t->win_start_ms = in->now_ms;
	t->win_actual_kib = in->actual_kib;
	t->win_target_kib = in->target_kib;
}

static void judge_progress(struct mm_track *t, const struct mm_track_in *in)
{
	uint64_t gap;

	if (t->stuck_until_ms) {
		if (in->now_ms < t->stuck_until_ms)
			return;
		t->stuck_until_ms = 0; /* hold over: try again */
		open_window(t, in);
		return;
	}
	/* A target that moves but stays on the same side keeps the window: a
	 * balloon that never follows must not escape by its target jittering.
	 * Reaching the target, or a target on the other side, starts afresh. */
	if (!t->win_open ||
	    side(in->actual_kib, in->target_kib) != side(t->win_actual_kib, t->win_target_kib)) {
		open_window(t, in);
		return;
	}
	if (in->now_ms - t->win_start_ms < MM_STUCK_WINDOW_MS)
		return;
	gap = absdiff(t->win_actual_kib, t->win_target_kib);
	if (progress(t, in->actual_kib) * 1000 < gap * MM_STUCK_MIN_PERMILLE) {
		t->stuck_until_ms = in->now_ms + MM_STUCK_HOLD_MS;
		t->stuck_grow = t->win_target_kib > t->win_actual_kib;
	} else {
		open_window(t, in);
	}
}

uint32_t mm_track_update(struct mm_track *t, const struct mm_track_in *in)
{
	uint64_t stale = in->stale_intervals ? in->stale_intervals : MM_STALE_INTERVALS;
	uint32_t flags = 0;

	if (in->report_valid) {
		t->ever_reported = true;
		t->last_report_ms = in->now_ms;
	}
	if (!t->ever_reported)
		flags |= MM_FLAG_NO_REPORT;
	else if (in->now_ms - t->last_report_ms > stale * in->interval_ms)
		flags |= MM_FLAG_STALE;
	judge_progress(t, in);
	if (t->stuck_until_ms)
		flags |= MM_FLAG_STUCK | (t->stuck_grow ? MM_FLAG_STUCK_GROW : 0);
	return flags;
}
