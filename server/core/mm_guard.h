/* The guards of SPEC 3.3: whatever a policy wants, targets stay within
 * [floor, maxmem], sum within the pool, grows within what the host can give
 * above its reserve, and tiny changes are not written. Pure functions. */
#ifndef MM_GUARD_H
#define MM_GUARD_H

#include "mm_core.h"

/* Each guard can be switched off, for tests and the simulator only: a test
 * turns one off and shows a scenario break, proving the guard carries weight. */
enum {
	MM_GUARD_OFF_MAXMEM = 1u << 0,
	MM_GUARD_OFF_FLOOR = 1u << 1,
	MM_GUARD_OFF_POOL = 1u << 2,
	MM_GUARD_OFF_RESERVE = 1u << 3,
	MM_GUARD_OFF_DEADBAND = 1u << 4,
	MM_GUARD_OFF_HOLD = 1u << 5, /* stale/stuck domains are not held */
};

struct mm_guard_cfg {
	uint64_t deadband_kib; /* no write for a change smaller than this */
	unsigned off;          /* MM_GUARD_OFF_*; 0 in production */
};

#define MM_GUARD_DEADBAND_KIB 1024 /* 1 MiB, SPEC 3.3 */

/* Turns wants into targets within [floor, maxmem] summing to at most the
 * pool (water-filling: what a clip frees or costs is shared by shifting every
 * unclipped domain by the same amount). If the floors alone exceed the pool,
 * every domain gets its floor (reason POOL). */
void mm_guard_clip(const struct mm_snapshot *s, const struct mm_guard_cfg *cfg, struct mm_plan *p);

/* Keeps the current target when the change is under the dead band, unless
 * that would push the sum of targets over pool_kib or take more from the
 * host. Runs after mm_guard_reserve, so reserve-limited grows are damped too. */
void mm_guard_deadband(const struct mm_snapshot *s, const struct mm_guard_cfg *cfg,
                       struct mm_plan *p);

/* Scales grows down so that what they take from the host (target - actual)
 * fits in host_free - reserve: shrinks free memory only once the guests have
 * ballooned down, so they are never counted in advance. */
void mm_guard_reserve(const struct mm_snapshot *s, const struct mm_guard_cfg *cfg,
                      struct mm_plan *p);

/* Name of a guard for command lines ("maxmem", "floor", ...); -1 if unknown. */
int mm_guard_from_name(const char *name);

#endif
