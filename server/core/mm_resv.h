/* Memory reservations (issue 17): room kept free in Xen for a guest about to
 * start. A pure state machine: reservations, the round's snapshot and plan
 * and the time come in; the extra reserve, the donors' cuts, each
 * reservation's state and an explanation per domain go out. No I/O, no
 * clock, no allocation: the caller owns every array. */
#ifndef MM_RESV_H
#define MM_RESV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_core.h"

#define MM_RESV_MAX      16 /* live reservations at once */
#define MM_RESV_NAME_MAX 64
#define MM_RESV_DONORS   64 /* domains kept in the explanation */

enum mm_resv_state {
	MM_RESV_UNUSED = 0,
	MM_RESV_WAITING, /* donors are shrinking: not covered yet */
	MM_RESV_HELD,    /* covered: held out of the pool */
	MM_RESV_ENDED,   /* over; end says why */
};

enum mm_resv_end {
	MM_RESV_END_NONE = 0,
	MM_RESV_END_CLAIMED,  /* the named domain appeared with its memory */
	MM_RESV_END_RELEASED, /* the client released it */
	MM_RESV_END_EXPIRED,  /* its lease ran out */
	MM_RESV_END_GONE,     /* its client disconnected */
	MM_RESV_END_REFUSED,  /* cannot be met: not enough reclaimable memory */
	MM_RESV_END_TIMEOUT,  /* not covered within its timeout */
};

/* Why a domain gave no more than it did; the answer names it. */
enum mm_resv_why {
	MM_RESV_WHY_CAN_GIVE = 0, /* could give more than it was asked */
	MM_RESV_WHY_WORKING_SET,  /* no free memory left above what it uses */
	MM_RESV_WHY_FLOOR,        /* at its floor */
	MM_RESV_WHY_STUCK,        /* its balloon does not move: given up on */
	MM_RESV_WHY_STALE,        /* no fresh report: not touched */
	MM_RESV_WHY_NO_REPORT,    /* never reported: not touched */
	MM_RESV_WHY_MAXMEM,       /* maxmem below its floor: not touched */
	MM_RESV_WHY_NOT_MANAGED,  /* outside the management scope */
	MM_RESV_WHY_CLAIMANT,     /* the domain a reservation is for */
	MM_RESV_WHY_HARM,         /* the policy's harm budget: under pressure, spared */
	MM_RESV_WHY_BEHIND,       /* asked to give, its balloon has not got there yet */
};

struct mm_resv {
	uint32_t id; /* 1, 2, ...; 0 = unused slot */
	enum mm_resv_state state;
	enum mm_resv_end end;
	uint64_t owner;                  /* the caller's cookie (a connection); 0 = detached */
	uint64_t size_kib;               /* asked for */
	char for_name[MM_RESV_NAME_MAX]; /* "" = no claimant */
	uint32_t old_domid;              /* a domain of that name existing at creation (0: none) */
	uint32_t claim_domid;
	uint64_t claimed_kib; /* what the claimant holds so far */
	uint64_t found_kib;   /* Xen free memory covering it now */
	uint64_t created_ms, timeout_ms, lease_ms;
	uint64_t met_ms, ended_ms;
	bool changed; /* state moved since the caller last cleared it */
};

/* One domain as the reservation sees it, filled by the caller per round. */
struct mm_resv_dom {
	const char *name;
	const struct mm_dom_in *in; /* the snapshot's row */
	struct mm_dom_out *out;     /* the plan's row: targets may be lowered */
};

/* What each domain held and could give, for answers and the page. */
struct mm_resv_donor {
	char name[MM_RESV_NAME_MAX];
	uint32_t domid;
	uint64_t actual_kib, target_kib, floor_kib, free_kib;
	uint64_t can_give_kib; /* actual - the lowest target a reservation may set */
	uint64_t cut_kib;      /* target lowered this round for reservations */
	enum mm_resv_why why;
};

struct mm_resv_set {
	struct mm_resv r[MM_RESV_MAX];
	uint32_t next_id;
	/* the last round's view */
	uint64_t reserved_kib;  /* extra reserve: what live reservations still need */
	uint64_t available_kib; /* host free - reserve - pending grows */
	uint64_t possible_kib;  /* available + what donors could still give */
	uint64_t host_free_kib;
	uint64_t base_reserve_kib;
	uint64_t now_ms; /* the last round's time (the snapshot's clock) */
	size_t ndonors;
	struct mm_resv_donor donors[MM_RESV_DONORS];
	/* counters since start */
	uint64_t met, failed, claimed, expired;
};

struct mm_resv_req {
	uint64_t size_kib;
	const char *for_name; /* NULL or "" */
	uint64_t timeout_ms;  /* waiting for cover: 0 = MM_RESV_TIMEOUT_MS */
	uint64_t lease_ms;    /* holding once met: 0 = MM_RESV_LEASE_MS */
	uint64_t owner;
};

#define MM_RESV_TIMEOUT_MS   30000u
#define MM_RESV_LEASE_MS     120000u
#define MM_RESV_MAX_TIME_MS  3600000u /* timeouts and leases: at most an hour */
#define MM_RESV_MIN_SIZE_KIB 1024u

/* The explanation (donors) is the round's; in a round where a reservation
 * timed out it is the one before, so it shows who had not delivered. */

/* Adds a reservation at now_ms; its id (> 0), or -ENOSPC when MM_RESV_MAX
 * are live, -EINVAL for a size or time out of bounds. doms lists the
 * current domains (a claimant must be a new domain of that name). */
int mm_resv_add(struct mm_resv_set *set, const struct mm_resv_req *req,
                const struct mm_resv_dom *doms, size_t n, uint64_t now_ms);

/* Ends a live reservation (released, or its client gone); -ENOENT if no
 * live one has that id. */
int mm_resv_end(struct mm_resv_set *set, uint32_t id, enum mm_resv_end why, uint64_t now_ms);

/* Ends every live reservation of an owner (its client went away). */
void mm_resv_end_owner(struct mm_resv_set *set, uint64_t owner, uint64_t now_ms);

/* One round, after the policy and the guards: moves the reservations
 * (claim, lease, timeout, cover, refusal), then lowers the planned targets
 * of donors so that, once they have ballooned down, Xen's free memory covers
 * the reserve and every live reservation. Donors with the most free memory
 * above f give first (levelled), then the rest of their free memory; never
 * below a floor or what a guest uses, never a held or fixed domain. Grows
 * are scaled so the reserved memory is not handed out (mm_guard_reserve with
 * the extra reserve). s->reserve_kib is raised by the extra reserve. */
void mm_resv_round(struct mm_resv_set *set, struct mm_snapshot *s, const struct mm_resv_dom *doms,
                   size_t n, unsigned guard_off, struct mm_plan *p);

/* Drops ended reservations the caller has answered (changed cleared). */
void mm_resv_reap(struct mm_resv_set *set);

struct mm_resv *mm_resv_find(struct mm_resv_set *set, uint32_t id);

/* Live: waiting or held. */
static inline bool mm_resv_live(const struct mm_resv *r)
{
	return r->state == MM_RESV_WAITING || r->state == MM_RESV_HELD;
}

/* ms from then to now; 0 when a wall clock stepped back. */
static inline uint64_t mm_resv_since(uint64_t now_ms, uint64_t then_ms)
{
	return now_ms > then_ms ? now_ms - then_ms : 0;
}

const char *mm_resv_state_name(enum mm_resv_state s);
const char *mm_resv_end_name(enum mm_resv_end e);
const char *mm_resv_why_name(enum mm_resv_why w);

#endif
