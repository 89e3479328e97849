/* One balancing round as it happened: the record that the logs, the -v
 * table and the HTTP snapshot are all written from. Filled by the loop. */
#ifndef MM_ROUND_H
#define MM_ROUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "mm_core.h"
#include "mm_report.h"
#include "mm_resv.h"

struct mm_round_dom {
	uint32_t domid;
	char name[MM_NAME_MAX];
	bool has_report;
	struct mm_report report; /* last valid report */
	uint64_t report_age_ms;  /* since the last new valid report */
	uint64_t used_kib;       /* used memory as the policy saw it (mm_dom_used_kib) */
	uint64_t actual_kib;
	uint64_t prev_target_kib; /* before this round */
	uint64_t target_kib;      /* after this round */
	uint64_t maxmem_kib;
	uint64_t floor_kib;
	uint32_t flags; /* MM_FLAG_* */
	enum mm_reason reason;
	uint64_t invalid_reports; /* counted since the domain appeared */
};

struct mm_round {
	uint64_t seq;       /* round number since start, from 1 */
	uint64_t time_ms;   /* backend clock, Unix ms */
	const char *policy; /* e.g. "tax", "tax:0.75", "equal" */
	double tau;
	uint64_t pool_kib;
	uint64_t free_goal_kib;
	uint64_t host_free_kib;
	uint64_t reserve_kib;
	uint64_t cost_us;     /* wall time of the round's own work: reports read, decision,
	                         targets written (not the logs, not new domains' setup) */
	uint64_t decision_us; /* of which the pure core (policy and guards) */
	uint64_t writes;      /* targets written this round */
	size_t n;
	struct mm_round_dom *dom;
	const struct mm_resv_set *resv; /* reservations after this round; NULL: none */
};

#endif
