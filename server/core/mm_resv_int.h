/* Shared between the reservation state machine (mm_resv.c) and the donor
 * arithmetic (mm_resv_cut.c); not for other modules. */
#ifndef MM_RESV_INT_H
#define MM_RESV_INT_H

#include "mm_resv.h"

/* The round may lower this domain's target (reported, not held or fixed). */
bool mm_resv_movable(const struct mm_resv_dom *d);

/* Lowest target a reservation may set: tier 1 keeps f free, tier 2 keeps
 * what the guest uses; never below the floor. */
uint64_t mm_resv_limit(const struct mm_resv_dom *d, int tier, uint64_t f_kib);

/* Lowers donors' planned targets by up to want_kib; returns what it took. */
uint64_t mm_resv_cut(const struct mm_resv_dom *d, size_t n, uint64_t f_kib, uint64_t want_kib);

/* The per-domain explanation: targets before the cut, then the rest. */
void mm_resv_explain_before(struct mm_resv_set *set, const struct mm_resv_dom *d, size_t n);
void mm_resv_explain(struct mm_resv_set *set, const struct mm_resv_dom *d, uint64_t f_kib);

#endif
