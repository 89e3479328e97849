/* Per-domain health across rounds: is its report stale, does its balloon
 * follow its target? Pure state machine; the current time is an input. */
#ifndef MM_TRACK_H
#define MM_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#define MM_STALE_INTERVALS    10    /* no new valid report for 10 intervals: stale */
#define MM_STUCK_WINDOW_MS    5000  /* judge balloon progress over 5 s ... */
#define MM_STUCK_MIN_PERMILLE 10    /* ... stuck if under 1% of the gap closed */
#define MM_STUCK_HOLD_MS      30000 /* a stuck domain is held this long, then retried */
#define MM_STUCK_MIN_GAP_KIB  1024  /* gaps under the dead band are not judged */

struct mm_track {
	bool ever_reported;
	uint64_t last_report_ms; /* time of the last valid report */
	uint64_t win_start_ms;   /* start of the progress window */
	uint64_t win_actual_kib; /* allocation at the window start */
	uint64_t win_target_kib; /* target the window measures progress to */
	bool win_open;
	uint64_t stuck_until_ms; /* held as stuck until then; 0 if not stuck */
	bool stuck_grow;         /* it was a grow that did not follow */
};

struct mm_track_in {
	uint64_t now_ms;
	uint64_t interval_ms;
	uint64_t stale_intervals; /* 0: MM_STALE_INTERVALS */
	bool report_valid;        /* a new valid report was read this round */
	uint64_t actual_kib;
	uint64_t target_kib;
};

/* Updates t and returns the MM_FLAG_* (STALE, STUCK, STUCK_GROW, NO_REPORT)
 * that apply now. */
uint32_t mm_track_update(struct mm_track *t, const struct mm_track_in *in);

#endif
