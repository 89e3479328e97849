/* The history ring's compact form of a round: what /api/v1/state shows of
 * it, as fixed-size binary records (one header, one record per domain, one
 * per live reservation), rendered back to JSON only when a client asks.
 * Names, maxmem, floors and the policy string change rarely: they live in a
 * "roster" blob shared by every round that has the same one. Pure: no locks,
 * no I/O, no clock. */
#ifndef MM_HTTP_HIST_H
#define MM_HTTP_HIST_H

#include <stddef.h>

#include "http_snap.h"
#include "mm_round.h"

/* The roster of r: prev (a reference is taken) when r has the same domains,
 * names, maxmem, floors and policy, else a new blob. NULL when out of memory. */
struct mm_blob *mm_hist_roster(const struct mm_round *r, struct mm_blob *prev);

/* The compact round: seq and time_ms set, len = its own bytes; it keeps a
 * reference to roster (which must be mm_hist_roster(r, ...)). NULL when out
 * of memory. A domain's record takes 3 bytes plus, for each of its 12
 * values, the bytes the largest one of the round needs (at most 99 bytes;
 * 3 for a KiB value under 16 GiB). */
struct mm_blob *mm_hist_encode(const struct mm_round *r, struct mm_blob *roster);

/* A compact round unpacked again: view.r is the round as it was published
 * (minus what the JSON does not show: the policy's used_kib, decision_us,
 * report fields that are not rendered). */
struct mm_hist_view {
	struct mm_round r;
	struct mm_resv_set *resv; /* NULL when the round had no live reservation */
};

/* 0, or -ENOMEM; mm_hist_view_dispose frees what it allocated either way. */
int mm_hist_decode(const struct mm_blob *b, struct mm_hist_view *v);
void mm_hist_view_dispose(struct mm_hist_view *v);

/* A round rendered as its SSE event ("id/event/data") whose body (body_off,
 * body_len) is the /api/v1/state JSON; seq and time_ms set. NULL when out of
 * memory. */
struct mm_blob *mm_hist_event_of(const struct mm_round *r);

/* A compact round rendered as its SSE event ("id/event/data") whose body
 * (body_off, body_len) is the /api/v1/state JSON; seq and time_ms set. NULL
 * when out of memory. */
struct mm_blob *mm_hist_render_event(const struct mm_blob *b);

#endif
