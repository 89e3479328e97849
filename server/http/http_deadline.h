/* A deadline for each request to arrive whole: a client that opens a
 * connection and sends its headers a byte at a time (slowloris) is never
 * idle long enough for libmicrohttpd's idle timeout, so it could hold a
 * connection slot for ever. Every connection is tracked from accept (and
 * again after each answered request, for keep-alive); the ticker shuts down
 * the socket of one still waiting for its request after
 * MM_HTTP_REQUEST_DEADLINE_MS, and libmicrohttpd then closes it. */
#ifndef MM_HTTP_DEADLINE_H
#define MM_HTTP_DEADLINE_H

#include <microhttpd.h>
#include <stdint.h>

#define MM_HTTP_REQUEST_DEADLINE_MS 10000

struct mm_http;

/* MHD_OPTION_NOTIFY_CONNECTION and MHD_OPTION_NOTIFY_COMPLETED callbacks
 * (cls = the server). */
void mm_http_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe);
void mm_http_request_done(void *cls, struct MHD_Connection *c, void **req_cls,
                          enum MHD_RequestTerminationCode toe);

/* The request's headers are in: the deadline no longer applies to it. */
void mm_http_request_arrived(struct mm_http *h, struct MHD_Connection *c);

/* The deadline's clock: CLOCK_MONOTONIC in ms (defined in http_sse.c). */
uint64_t mm_http_mono_ms(void);

/* Cuts connections past the deadline at now_ms; returns how many. Called by
 * the ticker every MM_HTTP_TICK_MS, so a slow client lasts 10 to 15 s. */
unsigned mm_http_deadline_sweep(struct mm_http *h, uint64_t now_ms);

#endif
