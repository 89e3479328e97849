/* The read-only HTTP server of SPEC 3.6: JSON state, history, SSE events,
 * Prometheus metrics, the 2013 footprint and the canvas files. It never runs
 * on the balancing thread: mm_http_publish renders a round once and swaps an
 * immutable snapshot in; request handlers only take a reference to it. */
#ifndef MM_HTTP_H
#define MM_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "http_limits.h"
#include "mm_round.h"

struct mm_http;

/* Binds addr:port (addr NULL = 127.0.0.1; port 0 = any free port) and starts
 * serving, with connection and stream limits taken from the soft
 * RLIMIT_NOFILE as it is at this call (http_limits.h); static_dir is the
 * canvas folder (NULL: no static files). Returns 0
 * or a negative errno, with a human sentence in err. */
int mm_http_start(const char *addr, uint16_t port, const char *static_dir, struct mm_http **out,
                  char *err, size_t errlen);

/* The round history's memory when not given (mmserver --history). */
#define MM_HTTP_HISTORY_DEFAULT_BYTES (384u << 10)

/* The same with history_bytes of memory for the round history (compact
 * rounds, http_hist.h) instead of MM_HTTP_HISTORY_DEFAULT_BYTES. */
int mm_http_start_history(const char *addr, uint16_t port, const char *static_dir,
                          size_t history_bytes, struct mm_http **out, char *err, size_t errlen);

/* The port actually bound (useful after asking for port 0). */
uint16_t mm_http_port(const struct mm_http *h);

/* The connection and stream limits chosen at start from RLIMIT_NOFILE, for
 * a log line: "nofile=1024 conn_limit=248 sse_limit=124 ...". */
void mm_http_get_limits(const struct mm_http *h, struct mm_http_limits *out);

/* Called by the balancing thread after every round: renders the JSON and
 * metrics once and swaps them in. Never blocks on clients: it holds one
 * mutex for a few pointer moves. Not to be called concurrently with itself
 * or with mm_http_stop. */
void mm_http_publish(struct mm_http *h, const struct mm_round *r);

/* The run is over (a simulation or a replay ended): /api/v1/state gains
 * "finished": the given object (e.g. the run's summary), and each SSE stream
 * sends "event: finished" with it after its remaining rounds, then ends.
 * Takes the reference to finished. Same thread rules as mm_http_publish. */
void mm_http_finish(struct mm_http *h, json_t *finished);

/* Closes every connection (SSE streams end cleanly) and frees h. NULL is ok. */
void mm_http_stop(struct mm_http *h);

#endif
