/* The balancing core: what a round knows (the snapshot), what it decides
 * (the plan), and the reasons it gives. Pure data; no I/O, no clock, no
 * allocation, no Xen. Functions live in mm_policy.h and mm_guard.h. */
#ifndef MM_CORE_H
#define MM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_report.h"

/* Why a domain's target is what it is after a round. Stable numbers: they
 * appear in logs and JSON by name (mm_reason_name). */
enum mm_reason {
	MM_REASON_HOLD = 0,     /* policy kept the target */
	MM_REASON_GROW,         /* policy raised it */
	MM_REASON_SHRINK,       /* policy lowered it */
	MM_REASON_MAXMEM,       /* clipped at static-max */
	MM_REASON_FLOOR,        /* raised to the floor */
	MM_REASON_POOL,         /* floors alone exceed the pool: held at floor */
	MM_REASON_RESERVE,      /* grow limited so host free stays >= reserve */
	MM_REASON_DEADBAND,     /* change under the dead band: not written */
	MM_REASON_STALE,        /* no valid report lately: held at actual */
	MM_REASON_STUCK,        /* balloon does not follow: held at actual */
	MM_REASON_NO_REPORT,    /* never reported: held at actual */
	MM_REASON_OUT_OF_SCOPE, /* not ours to manage: never written */
	MM_REASON_WAIT,         /* the policy is not due this round (its cadence) */
	MM_REASON_PRESSURE,     /* grown because the guest is under memory pressure */
	MM_REASON_HARM,         /* shrink held back: the donor's pressure is too high */
	MM_REASON_RATE,         /* move limited by the policy's rate cap */
	MM_REASON_COUNT,
	MM_REASON_UNSET = 255, /* policy left it: the core derives grow/shrink/hold */
};

/* Per-domain flags the loop tracks across rounds. */
enum {
	MM_FLAG_STALE = 1u << 0,
	MM_FLAG_STUCK = 1u << 1,
	MM_FLAG_NO_REPORT = 1u << 2,
	MM_FLAG_CAPPED = 1u << 3, /* target clipped at maxmem this round */
	/* with STUCK: the balloon would not grow; it may still shrink, so the
	 * domain stays in the policy, capped at its allocation */
	MM_FLAG_STUCK_GROW = 1u << 4,
	/* not ours (management scope, SPEC 11): never written, not in the pool */
	MM_FLAG_OUT_OF_SCOPE = 1u << 5,
	/* set by the core: this round must not write the domain at all
	 * (out of scope, never reported, bounds that make no sense) */
	MM_FLAG_FIXED = 1u << 6,
	MM_FLAG_HELD = MM_FLAG_STALE | MM_FLAG_STUCK | MM_FLAG_NO_REPORT,
};

/* Bytes of memory a policy may keep per domain across rounds (history,
 * trends): owned by the caller, zeroed when the domain arrives or the policy
 * changes, so the core still allocates nothing. */
#define MM_POLICY_DOM_BYTES 128

/* The fields every pass reads fill the first 64 bytes and the report's
 * sizes the next 64: at 10000 domains the array outgrows the cache, and
 * each pass of the round then pays per line it touches. */
struct mm_dom_in {
	uint32_t domid;
	uint32_t flags;  /* MM_FLAG_* known before the round */
	uint32_t weight; /* priority 1..100 from the config (default 50) */
	bool has_report;
	uint64_t actual_kib;     /* current allocation */
	uint64_t target_kib;     /* current target */
	uint64_t maxmem_kib;     /* static-max */
	uint64_t floor_kib;      /* never set a target below this */
	void *pol;               /* MM_POLICY_DOM_BYTES for the policy, or NULL */
	uint64_t report_age_ms;  /* since the last new report (0 without one) */
	struct mm_report report; /* valid only if has_report */
};

struct mm_snapshot {
	size_t n;
	const struct mm_dom_in *dom;
	uint64_t pool_kib;       /* N: what all managed domains may hold together */
	uint64_t free_goal_kib;  /* f: free memory each guest should keep */
	uint64_t host_free_kib;  /* what Xen has free now */
	uint64_t reserve_kib;    /* host free never goes below this */
	uint64_t host_total_kib; /* the host's physical memory (0 if unknown) */
	uint64_t now_ms;         /* monotonic time: cadences and trends, never a date */
	uint64_t interval_ms;    /* the loop's period without report events */
};

struct mm_dom_out {
	int64_t want_kib;    /* what the policy asked for, before the guards */
	uint64_t target_kib; /* after the guards: what gets written */
	enum mm_reason reason;
	uint32_t flags;
};

struct mm_plan {
	size_t n; /* equals the snapshot's n */
	struct mm_dom_out *dom;
	double tau; /* tax rate used this round (0 for policies without one) */
};

const char *mm_reason_name(enum mm_reason r);

/* Reasons only a policy gives; the guards keep them unless they clip. */
static inline bool mm_reason_is_policy_own(enum mm_reason r)
{
	return r == MM_REASON_WAIT || r == MM_REASON_PRESSURE || r == MM_REASON_HARM ||
	       r == MM_REASON_RATE;
}

#endif
