/* Internal state of the xen backend, shared by backend_xen.c (ops,
 * connection, events) and xen_dom.c (the managed domains). Not for use
 * outside server/xen. */
#ifndef XEN_INT_H
#define XEN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "backend_xen.h"
#include "mm_report.h"
#include "xen_xl.h"
#include "xen_xs.h"

#define XB_DOMID_MAX      32768u /* Xen's DOMID_FIRST_RESERVED is 0x7FF0 */
#define XB_BACKOFF_MIN_MS 100    /* reconnect: 100 ms doubling up to 5 s */
#define XB_BACKOFF_MAX_MS 5000
#define XB_SLOW_MS        2000  /* a call blocked this long is logged (xenstore-slow) */
#define XB_SLOW_LOG_MS    60000 /* ... once, then at most once a minute */
/* Watch tokens. One watch per domain on its memory/ directory
 * (MM_XS_MEMORY_DIR) covers the report, the 2013 nodes, target and
 * static-max; events say which. */
#define XB_TOKEN_DOM     "mm:dom"
#define XB_TOKEN_INTRO   "mm:introduce"
#define XB_TOKEN_RELEASE "mm:release"

struct xdom {
	uint32_t domid;
	char name[MM_NAME_MAX];
	uint64_t maxmem_kib, target_kib;
	bool watched;      /* report node provisioned (in scope) and memory/ watched */
	bool meta_dirty;   /* target or static-max changed since read */
	bool report_dirty; /* report nodes changed since read */
	bool seen;         /* listed by libxl this round */
	int report_rc;     /* cached read_report result */
	bool wrote;        /* the nodes were re-read after a watch since the last report */
	bool seq_seen;     /* a report was returned as new before ... */
	uint64_t last_seq; /* ... with this seq (backend.h's freshness contract) */
	struct mm_report report;
	struct mm_report_error rerr;
};

struct xb {
	struct mm_backend pub;
	struct mm_xen_opts o;
	struct xen_xs *xs; /* NULL while disconnected */
	struct xen_xl *xl;
	uint64_t retry_at_ms, backoff_ms; /* monotonic */
	bool wake;                        /* an event worth a round arrived */
	struct xdom *dom[XB_DOMID_MAX];
	struct mm_xen_stats st;
	bool slow_logged;        /* a xenstore-slow line was written ... */
	uint64_t slow_logged_ms; /* ... at this monotonic time */
	uint64_t slow_unlogged;  /* slow calls since that line */
};

/* Drops the connection after err (a lost one); retried with backoff. */
void xb_disconnect(struct xb *b, int err);
/* Connected, or reconnected now if the backoff allows; false otherwise. */
bool xb_ready(struct xb *b);

/* xen_dom.c */
int xb_list(struct xb *b, struct mm_dom_info *out, size_t cap, size_t *n);
int xb_report(struct xb *b, uint32_t domid, struct mm_report *out, struct mm_report_error *err);
void xb_event(void *arg, const char *path, const char *token);
void xb_drop(struct xb *b, uint32_t domid);
void xb_mark_all(struct xb *b); /* after a reconnect: everything must be re-read */

#endif
