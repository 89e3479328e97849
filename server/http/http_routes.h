/* Which endpoint a decoded URL path names, and the query values the
 * endpoints read: pure functions (no MHD), so they are unit tested and
 * fuzzed (tests/fuzz/fuzz_http_path.c) apart from the server. */
#ifndef MM_HTTP_ROUTES_H
#define MM_HTTP_ROUTES_H

#include <stdint.h>

#define MM_HTTP_HISTORY_DEFAULT_S 300
#define MM_HTTP_HISTORY_MAX_S     86400

enum mm_http_route {
	MM_ROUTE_STATE,
	MM_ROUTE_HISTORY,
	MM_ROUTE_EVENTS,
	MM_ROUTE_METRICS,
	MM_ROUTE_FOOTPRINT,
	MM_ROUTE_API_UNKNOWN, /* under /api/ but no such endpoint: 404 */
	MM_ROUTE_STATIC,      /* anything else: a canvas file, or 404 */
};

/* Exact match on the path (MHD has already cut the query off). */
enum mm_http_route mm_http_route_of(const char *url);

/* The history window from ?seconds= (NULL: the default); 0 or -EINVAL when
 * it is not an integer from 1 to MM_HTTP_HISTORY_MAX_S. */
int mm_http_history_seconds(const char *arg, uint64_t *seconds);

/* The Last-Event-ID header (NULL: none, *after unchanged); 0 or -EINVAL. */
int mm_http_last_event_id(const char *value, uint64_t *after);

#endif
