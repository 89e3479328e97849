/* The xen backend's ops table and its connection: open, lose, reopen with
 * backoff, and the wait on watch events (coalesced: one wake-up for any
 * number of events). Domain bookkeeping lives in xen_dom.c. */
#include "backend_xen.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm_paths.h"
#include "mm_log.h"
#include "xen_int.h"
#include "xen_probe.h"

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int watch_specials(struct xb *b)
{
	int rc = xen_xs_watch(b->xs, MM_XS_WATCH_INTRODUCE, XB_TOKEN_INTRO);

	return rc ? rc : xen_xs_watch(b->xs, MM_XS_WATCH_RELEASE, XB_TOKEN_RELEASE);
}

/* Opens both libraries; libxl keeps its own xenstore connection, so a
 * xenstored restart is survived only by reopening both. */
static int xb_connect(struct xb *b, char *err, size_t errlen)
{
	int rc = xen_xs_open(&b->xs);

	if (rc) {
		xen_probe_explain(rc, err, errlen);
		return rc;
	}
	rc = xen_xl_open(&b->xl, err, errlen);
	if (rc == 0 && (rc = watch_specials(b)) != 0)
		snprintf(err, errlen, "xenstore: cannot watch %s: %s", MM_XS_WATCH_INTRODUCE,
		         strerror(-rc));
	if (rc) {
		xen_xl_close(b->xl);
		xen_xs_close(b->xs);
		b->xl = NULL;
		b->xs = NULL;
	}
	return rc;
}

void xb_disconnect(struct xb *b, int err)
{
	if (!b->xs)
		return;
	mm_log(MM_LOG_WARN, "xenstore-lost", "backend=xen errno=%d error=\"%s\" retry_ms=%llu",
	       -err, strerror(-err), (unsigned long long)b->backoff_ms);
	xen_xl_close(b->xl);
	xen_xs_close(b->xs);
	b->xl = NULL;
	b->xs = NULL;
	b->st.connected = false;
	b->retry_at_ms = clock_ms(CLOCK_MONOTONIC) + b->backoff_ms;
	xb_mark_all(b);
}

bool xb_ready(struct xb *b)
{
	char err[256];
	uint64_t now = clock_ms(CLOCK_MONOTONIC);

	if (b->xs)
		return true;
	if (now < b->retry_at_ms)
		return false;
	if (xb_connect(b, err, sizeof(err))) {
		b->backoff_ms =
		    b->backoff_ms * 2 > XB_BACKOFF_MAX_MS ? XB_BACKOFF_MAX_MS : b->backoff_ms * 2;
		b->retry_at_ms = now + b->backoff_ms;
		return false;
	}
	mm_log(MM_LOG_INFO, "xenstore-reconnected", "backend=xen after_ms=%llu",
	       (unsigned long long)b->backoff_ms);
	b->backoff_ms = XB_BACKOFF_MIN_MS;
	b->st.reconnects++;
	b->st.connected = true;
	b->wake = true; /* anything may have changed while we were away */
	return true;
}

static struct xb *xb_of(struct mm_backend *be)
{
	return be->priv;
}

/* A call into xenstore or libxenlight that returned after t0_ms (monotonic).
 * xenstored answers in microseconds; one that is stopped, swapped out or
 * starved leaves mmserver blocked in the call (waiting, not spinning), and
 * the log says so: the first slow call, then at most one line a minute with
 * how many there were. Returns rc. */
static int timed(struct xb *b, const char *op, uint64_t t0_ms, int rc)
{
	uint64_t now = clock_ms(CLOCK_MONOTONIC), took = now - t0_ms;

	if (took < XB_SLOW_MS)
		return rc;
	b->st.slow_calls++;
	b->slow_unlogged++;
	if (b->slow_logged && now - b->slow_logged_ms < XB_SLOW_LOG_MS)
		return rc;
	mm_log(MM_LOG_WARN, "xenstore-slow",
	       "backend=xen op=%s waited_ms=%llu threshold_ms=%d slow_calls=%llu rc=%d", op,
	       (unsigned long long)took, XB_SLOW_MS, (unsigned long long)b->slow_unlogged, rc);
	b->slow_logged = true;
	b->slow_logged_ms = now;
	b->slow_unlogged = 0;
	return rc;
}

static int op_list(struct mm_backend *be, struct mm_dom_info *out, size_t cap, size_t *n)
{
	struct xb *b = xb_of(be);
	uint64_t t0 = clock_ms(CLOCK_MONOTONIC);

	*n = 0;
	return timed(b, "list_domains", t0, xb_ready(b) ? xb_list(b, out, cap, n) : -ENOTCONN);
}

static int op_report(struct mm_backend *be, uint32_t domid, struct mm_report *out,
                     struct mm_report_error *err)
{
	uint64_t t0 = clock_ms(CLOCK_MONOTONIC);

	return timed(xb_of(be), "read_report", t0, xb_report(xb_of(be), domid, out, err));
}

static int op_host_free(struct mm_backend *be, uint64_t *free_kib)
{
	struct xb *b = xb_of(be);
	uint64_t t0 = clock_ms(CLOCK_MONOTONIC);

	return timed(b, "host_free", t0,
	             xb_ready(b) ? xen_xl_free_kib(b->xl, free_kib) : -ENOTCONN);
}

static int op_set_target(struct mm_backend *be, uint32_t domid, uint64_t target_kib)
{
	struct xb *b = xb_of(be);
	uint64_t t0;
	int rc;

	if (domid >= XB_DOMID_MAX || !b->dom[domid])
		return -ENOENT;
	if (!xb_ready(b))
		return -ENOTCONN;
	t0 = clock_ms(CLOCK_MONOTONIC);
	rc = timed(b, "set_target", t0, xen_xl_set_target(b->xl, domid, target_kib));
	if (rc == 0)
		b->dom[domid]->target_kib = target_kib; /* the watch event confirms later */
	if (rc) {
		b->st.set_target_failures++;
		b->dom[domid]->meta_dirty = true; /* static-max may have moved */
		                                  /* the loop logs it, once per domain per minute */
	}
	return rc;
}

/* poll with the backend's wait mask: -EINTR when a signal came. */
static int wait_fds(struct xb *b, struct pollfd *p, nfds_t n, int64_t ms)
{
	struct timespec ts = {.tv_sec = ms > 0 ? ms / 1000 : 0,
	                      .tv_nsec = ms > 0 ? (ms % 1000) * 1000000L : 0};

	if (ppoll(p, n, &ts, b->pub.wait_sigmask) < 0)
		return errno == EINTR ? -EINTR : -errno;
	return 0;
}

static int op_wait(struct mm_backend *be, int64_t timeout_ms)
{
	struct xb *b = xb_of(be);
	uint64_t end = clock_ms(CLOCK_MONOTONIC) + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	for (;;) {
		int64_t left = (int64_t)(end - clock_ms(CLOCK_MONOTONIC));
		struct pollfd p;
		int r;

		/* drain first: a wake-up must leave no event behind unread */
		if (xb_ready(b) && (r = xen_xs_drain(b->xs, xb_event, b)) < 0) {
			xb_disconnect(b, r);
			continue;
		}
		if (b->xs && b->wake) {
			b->wake = false;
			b->st.wakeups++;
			return 1;
		}
		if (left <= 0)
			return 0;
		if (!b->xs) {
			int64_t until = (int64_t)(b->retry_at_ms - clock_ms(CLOCK_MONOTONIC));

			if (wait_fds(b, NULL, 0, until < left ? until : left) == -EINTR)
				return -EINTR;
			continue;
		}
		p = (struct pollfd){xen_xs_fd(b->xs), POLLIN, 0};
		if ((r = wait_fds(b, &p, 1, left)) < 0)
			return r;
	}
}

static uint64_t op_now_ms(struct mm_backend *be)
{
	(void)be;
	return clock_ms(CLOCK_REALTIME);
}

static uint64_t op_mono_ms(struct mm_backend *be)
{
	(void)be;
	return clock_ms(CLOCK_MONOTONIC);
}

static bool op_finished(struct mm_backend *be)
{
	(void)be;
	return false;
}

static void op_destroy(struct mm_backend *be)
{
	struct xb *b = xb_of(be);

	for (uint32_t i = 0; i < XB_DOMID_MAX; i++)
		free(b->dom[i]);
	xen_xl_close(b->xl);
	xen_xs_close(b->xs);
	free(b);
}

static const struct mm_backend_ops xen_ops = {
    .name = "xen",
    .list_domains = op_list,
    .read_report = op_report,
    .host_free = op_host_free,
    .set_target = op_set_target,
    .wait = op_wait,
    .now_ms = op_now_ms,
    .mono_ms = op_mono_ms,
    .finished = op_finished,
    .destroy = op_destroy,
};

int mm_backend_xen_create(const struct mm_xen_opts *o, struct mm_backend **out, char *err,
                          size_t errlen)
{
	struct xb *b = calloc(1, sizeof(*b));
	int rc;

	*out = NULL;
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	b->o = *o;
	b->backoff_ms = XB_BACKOFF_MIN_MS;
	rc = xb_connect(b, err, errlen);
	if (rc) {
		free(b);
		return rc;
	}
	b->st.connected = true;
	b->pub.ops = &xen_ops;
	b->pub.priv = b;
	*out = &b->pub;
	return 0;
}

int mm_backend_xen_stats(struct mm_backend *be, struct mm_xen_stats *out)
{
	if (!be || be->ops != &xen_ops)
		return -EINVAL;
	*out = xb_of(be)->st;
	return 0;
}
