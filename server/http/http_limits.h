/* How many connections and event streams the HTTP server may hold, derived
 * from the process's descriptor limit so that HTTP can never take the
 * descriptors the balancer needs (domain logs, xenstore and libxl
 * reconnects), and what that costs in memory at most. Pure: the limit comes
 * in as a number; mm_http.c reads it with getrlimit at start. */
#ifndef MM_HTTP_LIMITS_H
#define MM_HTTP_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#define MM_HTTP_CONN_MAX       2048 /* never more connections, however high the limit */
#define MM_HTTP_CONN_MIN       8    /* fewer than this: refuse to start HTTP */
#define MM_HTTP_FD_RESERVE_MIN 256  /* descriptors always left to the balancer */
#define MM_HTTP_FD_OWN         16   /* listener, epoll and eventfd per thread, canvas folder */
#define MM_HTTP_CONN_MEMORY    (16 * 1024) /* MHD's pool per connection: request line + headers */
#define MM_HTTP_BLOCK_BYTES    (16 * 1024) /* buffer of a streamed response (history, SSE) */

struct mm_http_limits {
	uint64_t nofile;       /* the soft RLIMIT_NOFILE this was computed from */
	uint64_t fds_balancer; /* descriptors left to the balancer */
	unsigned conn_limit;   /* concurrent connections, SSE streams included */
	unsigned sse_limit;    /* concurrent SSE streams: half, so requests still get in */
	size_t conn_bytes;     /* memory one connection may hold, besides one shared round */
};

/* Half the descriptors (at least MM_HTTP_FD_RESERVE_MIN) stay with the
 * balancer; each connection is counted as two descriptors (its socket and a
 * canvas file it may be sending). 0, or -EMFILE when the limit leaves fewer
 * than MM_HTTP_CONN_MIN connections. */
int mm_http_limits_for(uint64_t nofile, struct mm_http_limits *out);

#endif
