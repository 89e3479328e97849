/* The loop's side of reservations: the set (core/mm_resv.h), the per-round
 * view of the loop's domains it needs, the log lines, and whoever wants to
 * hear that a reservation moved (the control socket, the simulator's
 * metrics). Allocates; the core does not. */
#ifndef MM_RESV_HOST_H
#define MM_RESV_HOST_H

#include "mm_resv.h"

struct mm_loop;
struct mm_snapshot;
struct mm_plan;

#define MM_RESV_LISTENERS 2

struct mm_resv_host {
	struct mm_resv_set set;
	struct mm_loop *loop; /* whose domains a reservation sees */
	struct mm_resv_dom *doms;
	size_t cap;
	/* called for every reservation whose state moved, then changed is cleared */
	struct {
		void (*fn)(void *arg, const struct mm_resv *r, const struct mm_resv_set *set);
		void *arg;
	} listen[MM_RESV_LISTENERS];
};

/* Adds a listener; -ENOSPC when MM_RESV_LISTENERS are set. */
int mm_resv_host_listen(struct mm_resv_host *h,
                        void (*fn)(void *arg, const struct mm_resv *r,
                                   const struct mm_resv_set *set),
                        void *arg);

/* A new reservation against the loop's current domains: its id or -errno. */
int mm_resv_host_add(struct mm_resv_host *h, const struct mm_resv_req *req, uint64_t now_ms);

/* The loop's hook, after the guards: see mm_resv_round. */
void mm_resv_host_round(struct mm_resv_host *h, struct mm_snapshot *s, struct mm_plan *p);

/* Logs and tells the listeners about every changed reservation, then frees
 * the slots of ended ones. Called after a round and after a command. */
void mm_resv_host_settle(struct mm_resv_host *h, uint64_t now_ms);

void mm_resv_host_dispose(struct mm_resv_host *h);

#endif
