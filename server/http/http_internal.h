/* State shared by the HTTP server's files (mm_http.c, http_sse.c). Not a
 * public interface: the loop only sees mm_http.h. */
#ifndef MM_HTTP_INTERNAL_H
#define MM_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "http_limits.h"
#include "http_render.h"
#include "http_snap.h"
#include "mm_http.h"

/* Bounds (SPEC 3.6: request size, connections, time per connection); the
 * connection and stream counts come from the descriptor limit (http_limits.h). */
#define MM_HTTP_IDLE_TIMEOUT_S 15 /* an idle connection is closed after this */
#define MM_HTTP_THREADS        2  /* polling threads: the host has few cores to spare */
#define MM_HTTP_BACKLOG        1024
#define MM_HTTP_RING_ROUNDS    3600 /* history: at most an hour at 1 round/s */
/* and at most 384 KiB of compact rounds (http_hist.h): 145 rounds at 100
 * simulated domains (27 bytes a domain and 104 a round), 1080 at 10;
 * mmserver --http then stays under 8 MiB RSS at 100 domains
 * (bench/footprint) */
#define MM_HTTP_RING_BYTES       MM_HTTP_HISTORY_DEFAULT_BYTES /* mmserver --history */
#define MM_HTTP_SSE_LIFE_MS      (10 * 60 * 1000) /* a stream ends after 10 min; clients reconnect */
#define MM_HTTP_SSE_KEEPALIVE_MS 15000
#define MM_HTTP_TICK_MS          5000 /* wakes parked streams for keepalive and lifetime */

struct mm_sse;
struct mm_http_conn;

struct mm_http {
	struct MHD_Daemon *daemon;
	int listen_fd;
	int static_fd; /* canvas folder, -1 when none */
	uint16_t port;
	struct mm_http_limits limits;

	pthread_mutex_t lock;   /* guards everything below */
	struct mm_blob *round;  /* "id/event/data" SSE text; body = state JSON (+ finished) */
	struct mm_blob *latest; /* the newest ring round's SSE text (never with finished) */
	struct mm_blob *roster; /* the newest round's roster (http_hist.h) */
	struct mm_blob *metrics;
	struct mm_blob *footprint;
	struct mm_ring ring; /* compact rounds (http_hist.h), rendered on request */
	struct mm_http_totals totals;
	struct mm_sse *parked;    /* suspended SSE streams waiting for a round */
	struct mm_blob *finished; /* "event: finished" once the run ended (http_finish.c) */
	unsigned streams;         /* open SSE streams (at most limits.sse_limit) */
	bool stopping;

	pthread_mutex_t conns_lock; /* guards the two below (http_deadline.c) */
	struct mm_http_conn *conns; /* every open connection, for the request deadline */
	uint64_t deadline_cuts;     /* connections cut for not sending a request in time */

	pthread_t ticker;
	pthread_cond_t tick;
	bool ticker_started;
};

uint64_t mm_http_mono_ms(void);
/* A streaming response for /api/v1/events; after = last seq the client has.
 * NULL when out of memory or when limits.sse_limit streams are open (then
 * *full is set). */
struct MHD_Response *mm_http_sse_response(struct mm_http *h, struct MHD_Connection *c,
                                          uint64_t after, bool *full);
/* Resumes every parked stream; call with h->lock held. */
void mm_http_sse_wake_locked(struct mm_http *h);
int mm_http_ticker_start(struct mm_http *h);
void mm_http_ticker_stop(struct mm_http *h);

#endif
