/* Pure renderers: a round in, a JSON value or text out. No I/O, no clock,
 * no locks; the golden tests call them directly. */
#ifndef MM_HTTP_RENDER_H
#define MM_HTTP_RENDER_H

#include <jansson.h>
#include <stdint.h>

#include "http_buf.h"
#include "mm_round.h"

/* Flags every JSON document of the API is dumped with: sorted keys, and
 * tau with 9 significant digits (enough for the SPEC's test vectors). */
#define MM_HTTP_JSON_FLAGS (JSON_SORT_KEYS | JSON_REAL_PRECISION(9))

/* /api/v1/state: the whole round. New reference, NULL on allocation failure. */
json_t *mm_http_state_json(const struct mm_round *r);

/* The same document as text, appended to out, without a jansson tree
 * (state_text.c): what the server publishes and the history renders. */
void mm_http_state_text(const struct mm_round *r, struct mm_buf *out);

/* /footprint: the 2013 shape [[tot,used,free],...] in KiB, one per domain in
 * round order; a domain without a report is [0,0,0]. */
json_t *mm_http_footprint_json(const struct mm_round *r);

/* The same as text (state_text.c), as json_dumps(..., JSON_COMPACT) gives. */
void mm_http_footprint_text(const struct mm_round *r, struct mm_buf *out);

/* What /metrics counts across rounds (the round itself only knows "now"). */
struct mm_http_totals {
	uint64_t rounds;          /* rounds published */
	uint64_t writes;          /* target writes, summed */
	uint64_t cost_us;         /* round cost, summed */
	uint64_t publish_ns;      /* time spent in mm_http_publish, summed */
	uint64_t last_publish_ns; /* the previous publish */
};

/* xenmm_build_info{version,xen,default_policy} 1: what this binary is, for
 * dashboards that span upgrades. Apart from the round's metrics so that
 * their golden files do not depend on the version or the build. */
void mm_http_build_info_text(struct mm_buf *out);

/* /metrics: Prometheus text exposition format 0.0.4. r may be NULL (no round
 * yet): only the counters are written. */
void mm_http_metrics_text(const struct mm_round *r, const struct mm_http_totals *t,
                          struct mm_buf *out);

#endif
