/* /api/v1/events: one Server-Sent Event per round, read from the round ring
 * so a slow client still gets every round the ring holds (the newest is
 * rendered once at publish, older ones on the way out, one at a time). A stream with
 * nothing to send is suspended (no busy loop) until a publish or the ticker
 * resumes it; the ticker also sends keepalives and ends old streams. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_deadline.h"
#include "http_hist.h"
#include "http_internal.h"

struct mm_sse {
	struct mm_http *h;
	struct MHD_Connection *conn;
	uint64_t last_seq;
	struct mm_blob *cur;    /* round being sent (SSE text) */
	struct mm_blob *packed; /* an older round still to render (http_hist.h) */
	size_t off;
	const char *pre; /* retry line or keepalive being sent */
	size_t pre_len, pre_off;
	uint64_t opened_ms, last_write_ms;
	struct mm_sse *next; /* in h->parked */
	bool parked;
	bool finished_sent; /* the stream ends after the finished event */
};

static const char sse_keepalive[] = ": keepalive\n\n";

uint64_t mm_http_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static ssize_t sse_copy(const char *src, size_t len, size_t *off, char *buf, size_t max)
{
	size_t n = len - *off < max ? len - *off : max;

	memcpy(buf, src + *off, n);
	*off += n;
	return (ssize_t)n;
}

/* Picks what to send next; 1 when s->cur or s->pre is set, 0 when parked,
 * -1 at the end of the stream. Called with h->lock held. */
static int sse_next_locked(struct mm_sse *s, uint64_t now)
{
	struct mm_http *h = s->h;

	if (h->stopping || now - s->opened_ms >= MM_HTTP_SSE_LIFE_MS)
		return -1;
	size_t i = mm_ring_after_seq(&h->ring, s->last_seq);
	if (i < h->ring.count) {
		const struct mm_ring_entry *b = mm_ring_at(&h->ring, i);
		s->last_seq = b->seq;
		s->off = 0;
		if (h->latest && h->latest->seq == b->seq)
			s->cur = mm_blob_ref(h->latest); /* rendered once for every stream */
		else if (!(s->packed = mm_ring_copy(&h->ring, i))) /* rendered by sse_read */
			return -1; /* out of memory: the client reconnects with Last-Event-ID */
		return 1;
	}
	if (s->finished_sent)
		return -1;
	if (h->finished) {
		s->cur = mm_blob_ref(h->finished);
		s->off = 0;
		s->finished_sent = true;
		return 1;
	}
	if (now - s->last_write_ms >= MM_HTTP_SSE_KEEPALIVE_MS) {
		s->pre = sse_keepalive;
		s->pre_len = sizeof(sse_keepalive) - 1;
		s->pre_off = 0;
		return 1;
	}
	s->next = h->parked;
	h->parked = s;
	s->parked = true;
	MHD_suspend_connection(s->conn);
	return 0;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct mm_sse *s = cls;
	(void)pos;

	if (!s->pre && !s->cur) {
		uint64_t now = mm_http_mono_ms();
		pthread_mutex_lock(&s->h->lock);
		int rc = sse_next_locked(s, now);
		pthread_mutex_unlock(&s->h->lock);
		if (rc < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (rc == 0)
			return 0;
		s->last_write_ms = now;
		if (s->packed) {
			s->cur = mm_hist_render_event(s->packed);
			mm_blob_unref(s->packed);
			s->packed = NULL;
			if (!s->cur) /* out of memory: the client reconnects with Last-Event-ID */
				return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	if (s->pre) {
		ssize_t n = sse_copy(s->pre, s->pre_len, &s->pre_off, buf, max);
		if (s->pre_off == s->pre_len)
			s->pre = NULL;
		return n;
	}
	ssize_t n = sse_copy(s->cur->data, s->cur->len, &s->off, buf, max);
	if (s->off == s->cur->len) {
		mm_blob_unref(s->cur);
		s->cur = NULL;
	}
	return n;
}

static void sse_free(void *cls)
{
	struct mm_sse *s = cls;
	struct mm_http *h = s->h;

	pthread_mutex_lock(&h->lock);
	h->streams--;
	for (struct mm_sse **p = &h->parked; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	pthread_mutex_unlock(&h->lock);
	mm_blob_unref(s->cur);
	mm_blob_unref(s->packed);
	free(s);
}

/* Counts a new stream in; false when limits.sse_limit are open. */
static bool sse_admit(struct mm_http *h)
{
	pthread_mutex_lock(&h->lock);
	bool ok = h->streams < h->limits.sse_limit;
	if (ok)
		h->streams++;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

static void sse_unadmit(struct mm_http *h)
{
	pthread_mutex_lock(&h->lock);
	h->streams--;
	pthread_mutex_unlock(&h->lock);
}

struct MHD_Response *mm_http_sse_response(struct mm_http *h, struct MHD_Connection *c,
                                          uint64_t after, bool *full)
{
	static const char retry[] = "retry: 2000\n\n"; /* reconnect after 2 s */
	struct mm_sse *s = NULL;

	*full = !sse_admit(h);
	if (*full)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		sse_unadmit(h);
		return NULL;
	}
	s->h = h;
	s->conn = c;
	s->last_seq = after;
	s->pre = retry;
	s->pre_len = sizeof(retry) - 1;
	s->opened_ms = s->last_write_ms = mm_http_mono_ms();
	struct MHD_Response *r = MHD_create_response_from_callback(
	    MHD_SIZE_UNKNOWN, MM_HTTP_BLOCK_BYTES, sse_read, s, sse_free);
	if (!r) {
		free(s);
		sse_unadmit(h);
	}
	return r;
}

void mm_http_sse_wake_locked(struct mm_http *h)
{
	struct mm_sse *s = h->parked;

	h->parked = NULL;
	while (s) {
		struct mm_sse *next = s->next;
		s->parked = false;
		s->next = NULL;
		MHD_resume_connection(s->conn);
		s = next;
	}
}

static void *ticker_main(void *arg)
{
	struct mm_http *h = arg;

	pthread_mutex_lock(&h->lock);
	while (!h->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += MM_HTTP_TICK_MS / 1000;
		pthread_cond_timedwait(&h->tick, &h->lock, &until);
		mm_http_sse_wake_locked(h);
		pthread_mutex_unlock(&h->lock); /* the sweep must not delay a publish */
		mm_http_deadline_sweep(h, mm_http_mono_ms());
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

int mm_http_ticker_start(struct mm_http *h)
{
	pthread_condattr_t attr;
	int r = pthread_condattr_init(&attr);

	if (!r)
		r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!r)
		r = pthread_cond_init(&h->tick, &attr);
	pthread_condattr_destroy(&attr);
	if (!r) {
		r = pthread_create(&h->ticker, NULL, ticker_main, h);
		if (r)
			pthread_cond_destroy(&h->tick);
	}
	h->ticker_started = r == 0;
	return -r;
}

void mm_http_ticker_stop(struct mm_http *h)
{
	if (!h->ticker_started)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_signal(&h->tick);
	mm_http_sse_wake_locked(h);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->ticker, NULL);
	pthread_cond_destroy(&h->tick);
	h->ticker_started = false;
}
