/* Turns the workers' ticks into output: one key=value line per second
 * (all workers summed), optional TSV rows (--record), and the final
 * summary over the measured window. Reads no sockets, owns no workers. */
#ifndef MC_REPORT_H
#define MC_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "mc_opts.h"
#include "mc_stats.h"

#define MC_AGG_SLOTS 8 /* seconds a slow worker may lag before lines go out partial */

#define MC_EVENTS_MAX 256 /* bytes of control events noted in one second */

struct mc_agg_slot {
	int64_t sec;
	uint32_t got; /* workers that reported this second */
	struct mc_tick t;
	char events[MC_EVENTS_MAX]; /* live control applied in this second, ';' between */
};

/* One parameter set's result, for the --auto table. */
struct mc_result {
	unsigned set_index;
	double target_ops_s;              /* 0: closed loop */
	double achieved_ops_s, hit_ratio; /* hit_ratio < 0: no gets */
	double p50_us, p99_us, p999_us, max_us;
	uint64_t ops, late, errors;
	int rc;
};

struct mc_agg {
	const struct mc_opts *o;
	uint32_t nworkers;
	unsigned set_index; /* --auto: which parameter set */
	FILE *out, *record;
	struct mc_agg_slot *slot; /* MC_AGG_SLOTS of them */
	int64_t next_sec;         /* next second to print */
	struct mc_tick *window;   /* sum over the measured seconds */
	uint64_t window_secs;
	struct mc_counts total; /* everything, warm-up and drain included */
	int64_t t0_unix_ms;     /* wall clock of second 0's start (record lines carry it) */
	char last_line[512];    /* the last per-second line, for the console's status */
	bool rate_changed;      /* live control changed the schedule (rate, pause) */
};

int mc_agg_init(struct mc_agg *a, const struct mc_opts *o, uint32_t nworkers, unsigned set_index,
                FILE *out, FILE *record);
void mc_agg_dispose(struct mc_agg *a);
/* Adds one worker's tick: a second (sec >= 0) or its end record (sec < 0). */
void mc_agg_add(struct mc_agg *a, const struct mc_tick *t);
/* Prints the seconds still held back (workers gone or stopped). */
void mc_agg_flush(struct mc_agg *a);
/* Prints the summary line and fills *r (may be NULL). */
void mc_agg_summary(const struct mc_agg *a, bool stopped, struct mc_result *r);
/* Notes a control event (text without tabs) in second sec's line; one
 * that changes the schedule makes the summary's target the arrivals that
 * came due in the window instead of --rate. */
void mc_agg_event(struct mc_agg *a, int64_t sec, const char *text);
/* The --auto table: one row per set, units in the header. */
void mc_results_table(FILE *f, const struct mc_result *r, size_t n);
/* True when the run saw errors (error replies, lost connections or requests). */
bool mc_agg_had_errors(const struct mc_agg *a);

void mc_record_header(FILE *f);
const char *mc_phase_name(const struct mc_opts *o, int64_t sec);

#endif
