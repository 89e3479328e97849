/* Synthetic guest workloads: demand (KiB of memory an application wants) as
 * a pure function of time. A trace workload replays a recorded log instead.
 * Parsing the one-line specs lives here too; nothing here does I/O. */
#ifndef MM_WORKLOAD_H
#define MM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

struct mm_trace;

enum mm_workload_kind {
	MM_WL_MONO,     /* LOW HIGH STEP: ramp up STEP per second, then down, then hold LOW */
	MM_WL_STATIC,   /* SIZE */
	MM_WL_RANDOM,   /* LOW HIGH: a new uniform size every second */
	MM_WL_TRIANGLE, /* BASE DELTA MAX: BASE up by DELTA per second to MAX and back, forever */
	MM_WL_STEP,     /* LOW HIGH AT_S: LOW, then HIGH from AT_S on */
	MM_WL_BURST,    /* BASE PEAK AT_S LEN_S: PEAK during [AT_S, AT_S+LEN_S), else BASE */
	MM_WL_TRACE,    /* replay: demand = trace used minus the guest's kernel share */
};

struct mm_workload {
	enum mm_workload_kind kind;
	uint64_t a_kib, b_kib, c_kib; /* sizes, meaning per kind */
	uint64_t at_ms, len_ms;       /* step/burst timing */
	uint64_t seed;                /* random */
	const struct mm_trace *trace; /* not owned */
	uint64_t trace_offset_kib;    /* subtracted from trace used (kernel, overhead) */
	uint64_t trace_shift_ms;      /* trace time at workload time 0 */
};

/* Parses "mono 50M 400M 20M", "static 1G", "random 100M 900M",
 * "triangle 200M 20M 800M", "step 100M 900M 60", "burst 100M 1G 30 20".
 * Returns 0 or -EINVAL with a sentence in err. */
int mm_workload_parse(const char *spec, struct mm_workload *w, char *err, size_t errlen);

/* Demand at t_ms since the workload started. */
uint64_t mm_workload_demand_kib(const struct mm_workload *w, uint64_t t_ms);

#endif
