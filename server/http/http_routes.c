/* Request handling: method and size checks, routing, and the responses of
 * every endpoint. Each response is created, queued and destroyed in one
 * place (respond_*). Handlers take a reference to a rendered blob; they
 * never render a round themselves. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_deadline.h"
#include "http_hist.h"
#include "http_internal.h"
#include "http_routes.h"
#include "http_static.h"
#include "mm_parse.h"

enum mm_http_route mm_http_route_of(const char *url)
{
	static const struct {
		const char *path;
		enum mm_http_route route;
	} table[] = {
	    {"/api/v1/state", MM_ROUTE_STATE},   {"/api/v1/history", MM_ROUTE_HISTORY},
	    {"/api/v1/events", MM_ROUTE_EVENTS}, {"/metrics", MM_ROUTE_METRICS},
	    {"/footprint", MM_ROUTE_FOOTPRINT},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(url, table[i].path) == 0)
			return table[i].route;
	return strncmp(url, "/api/", 5) == 0 ? MM_ROUTE_API_UNKNOWN : MM_ROUTE_STATIC;
}

int mm_http_history_seconds(const char *arg, uint64_t *seconds)
{
	uint64_t s = MM_HTTP_HISTORY_DEFAULT_S;

	if (arg && (mm_parse_u64(arg, MM_HTTP_HISTORY_MAX_S, &s) < 0 || s == 0))
		return -EINVAL;
	*seconds = s;
	return 0;
}

int mm_http_last_event_id(const char *value, uint64_t *after)
{
	uint64_t v;

	if (!value)
		return 0;
	if (mm_parse_u64(value, UINT64_MAX, &v) < 0)
		return -EINVAL;
	*after = v;
	return 0;
}

static void blob_release(void *cls)
{
	mm_blob_unref(cls);
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
                               const char *type, const char *cache)
{
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (strncmp(type, "text/html", 9) == 0)
		MHD_add_response_header(
		    r, "Content-Security-Policy",
		    "default-src 'self'; img-src 'self' data:; "
		    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Sends part of a blob without copying; the response holds a reference. */
static enum MHD_Result respond_blob(struct MHD_Connection *c, struct mm_blob *b, size_t off,
                                    size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
	    len, b->data + off, blob_release, b);
	if (!r)
		mm_blob_unref(b);
	return respond(c, MHD_HTTP_OK, r, type, "no-store");
}

static enum MHD_Result respond_owned(struct MHD_Connection *c, unsigned status, char *text,
                                     size_t len, const char *type)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer_with_free_callback_cls(len, text, free, text);
	if (!r)
		free(text);
	return respond(c, status, r, type, "no-store");
}

static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *msg,
                                     const char *path)
{
	json_t *o = json_pack("{s:s, s:i, s:s}", "error", msg, "status", (int)status, "path",
	                      path ? path : "");
	char *text = o ? json_dumps(o, MM_HTTP_JSON_FLAGS) : NULL;

	json_decref(o);
	if (!text)
		return MHD_NO;
	return respond_owned(c, status, text, strlen(text), "application/json");
}

/* 503 with Retry-After, when a limit is reached (the client may come back). */
static enum MHD_Result respond_busy(struct MHD_Connection *c, const char *msg, const char *path)
{
	json_t *o = json_pack("{s:s, s:i, s:s}", "error", msg, "status",
	                      (int)MHD_HTTP_SERVICE_UNAVAILABLE, "path", path ? path : "");
	char *text = o ? json_dumps(o, MM_HTTP_JSON_FLAGS) : NULL;

	json_decref(o);
	if (!text)
		return MHD_NO;
	struct MHD_Response *r =
	    MHD_create_response_from_buffer_with_free_callback_cls(strlen(text), text, free, text);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Retry-After", "5");
	return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, r, "application/json", "no-store");
}

/* Takes a reference to one of the current documents, or NULL before the first round. */
static struct mm_blob *current(struct mm_http *h, struct mm_blob *const *which)
{
	pthread_mutex_lock(&h->lock);
	struct mm_blob *b = mm_blob_ref(*which);
	pthread_mutex_unlock(&h->lock);
	return b;
}

static enum MHD_Result get_state(struct mm_http *h, struct MHD_Connection *c, const char *url)
{
	struct mm_blob *b = current(h, &h->round);

	if (!b)
		return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no round yet", url);
	return respond_blob(c, b, b->body_off, b->body_len, "application/json");
}

static enum MHD_Result get_doc(struct mm_http *h, struct MHD_Connection *c, const char *url,
                               struct mm_blob *const *which, const char *type)
{
	struct mm_blob *b = current(h, which);

	if (!b)
		return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no round yet", url);
	return respond_blob(c, b, 0, b->len, type);
}

/* {"rounds":[...]} of the rounds of the last S seconds (by round time),
 * streamed from the ring: the response renders one compact round at a time
 * (http_hist.h) and keeps a cursor, never a copy of the window, so a client
 * that does not read costs one rendered round and MM_HTTP_BLOCK_BYTES.
 * Rounds the ring drops before a slow client reaches them are left out;
 * rounds published after the request are not added. */
struct hist {
	struct mm_http *h;
	uint64_t since_ms, last_seq, end_seq;
	bool started, done, empty, failed;
	size_t sent;     /* rounds written */
	const char *pre; /* punctuation being written */
	size_t pre_len, pre_off;
	struct mm_blob *cur; /* round being written */
	size_t off, stop;    /* its body: data[off..stop) still to write */
};

static size_t copy_out(const char *src, size_t *off, size_t len, char *buf, size_t max)
{
	size_t n = len - *off < max ? len - *off : max;

	memcpy(buf, src + *off, n);
	*off += n;
	return n;
}

static void set_pre(struct hist *s, const char *text)
{
	s->pre = text;
	s->pre_len = strlen(text);
	s->pre_off = 0;
}

/* Picks the next round of the window, or ends the array. */
static void hist_next(struct hist *s)
{
	struct mm_http *h = s->h;

	pthread_mutex_lock(&h->lock);
	size_t i = s->started ? mm_ring_after_seq(&h->ring, s->last_seq)
	                      : mm_ring_since_ms(&h->ring, s->since_ms);
	const struct mm_ring_entry *b = mm_ring_at(&h->ring, i);
	struct mm_blob *packed = NULL;
	bool failed = false;
	if (!s->empty && b && b->seq <= s->end_seq && b->time_ms >= s->since_ms) {
		if (h->latest && h->latest->seq == b->seq)
			s->cur = mm_blob_ref(h->latest);
		else
			failed = !(packed = mm_ring_copy(&h->ring, i));
		s->started = true;
		s->last_seq = b->seq;
	}
	pthread_mutex_unlock(&h->lock);
	if (failed) {
		s->failed = true;
		return;
	}
	if (packed) {
		s->cur = mm_hist_render_event(packed);
		mm_blob_unref(packed);
		if (!s->cur) { /* out of memory: the document ends here, unfinished */
			s->failed = true;
			return;
		}
	}
	if (s->cur) {
		s->off = s->cur->body_off;
		s->stop = s->cur->body_off + s->cur->body_len;
		set_pre(s, s->sent++ ? "," : "");
	} else {
		set_pre(s, "]}");
		s->done = true;
	}
}

static ssize_t hist_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct hist *s = cls;
	size_t n = 0;
	(void)pos;

	if (s->failed)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	while (n < max) {
		if (s->pre && s->pre_off < s->pre_len) {
			n += copy_out(s->pre, &s->pre_off, s->pre_len, buf + n, max - n);
		} else if (s->cur) {
			n += copy_out(s->cur->data, &s->off, s->stop, buf + n, max - n);
			if (s->off == s->stop) {
				mm_blob_unref(s->cur);
				s->cur = NULL;
			}
		} else if (s->done) {
			break;
		} else {
			hist_next(s);
			if (s->failed)
				return n ? (ssize_t)n : MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void hist_free(void *cls)
{
	struct hist *s = cls;

	mm_blob_unref(s->cur);
	free(s);
	malloc_trim(0); /* what rendering the window left in the heap */
}

static struct MHD_Response *history_response(struct mm_http *h, uint64_t seconds)
{
	struct hist *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->h = h;
	set_pre(s, "{\"rounds\":[");
	pthread_mutex_lock(&h->lock);
	s->empty = h->ring.count == 0;
	if (!s->empty) {
		const struct mm_ring_entry *last = mm_ring_at(&h->ring, h->ring.count - 1);
		s->end_seq = last->seq;
		s->since_ms = last->time_ms > seconds * 1000 ? last->time_ms - seconds * 1000 : 0;
	}
	pthread_mutex_unlock(&h->lock);
	struct MHD_Response *r = MHD_create_response_from_callback(
	    MHD_SIZE_UNKNOWN, MM_HTTP_BLOCK_BYTES, hist_read, s, hist_free);
	if (!r)
		free(s);
	return r;
}

static enum MHD_Result get_history(struct mm_http *h, struct MHD_Connection *c, const char *url)
{
	const char *arg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "seconds");
	uint64_t seconds;

	if (mm_http_history_seconds(arg, &seconds) < 0)
		return respond_error(c, MHD_HTTP_BAD_REQUEST,
		                     "seconds: expected an integer from 1 to 86400", url);
	return respond(c, MHD_HTTP_OK, history_response(h, seconds), "application/json",
	               "no-store");
}

static enum MHD_Result get_events(struct mm_http *h, struct MHD_Connection *c, const char *url)
{
	const char *last_id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
	uint64_t after = 0;

	pthread_mutex_lock(&h->lock);
	bool stopping = h->stopping;
	if (h->round)
		after = h->round->seq - 1; /* the current round first, then each new one */
	pthread_mutex_unlock(&h->lock);
	if (stopping)
		return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting down", url);
	if (mm_http_last_event_id(last_id, &after) < 0)
		return respond_error(c, MHD_HTTP_BAD_REQUEST, "Last-Event-ID: not a round", url);
	bool full = false;
	struct MHD_Response *r = mm_http_sse_response(h, c, after, &full);
	if (full)
		return respond_busy(c, "too many event streams; retry later", url);
	if (r)
		MHD_add_response_header(r, "X-Accel-Buffering", "no");
	return respond(c, MHD_HTTP_OK, r, "text/event-stream", "no-store");
}

static enum MHD_Result get_static(struct mm_http *h, struct MHD_Connection *c, const char *url)
{
	char rel[MM_HTTP_STATIC_PATH_MAX + 16];
	uint64_t size;
	int fd;

	if (h->static_fd < 0 || mm_http_static_rel(url, rel, sizeof(rel)) < 0 ||
	    mm_http_static_open(h->static_fd, rel, &fd, &size) < 0)
		return respond_error(c, MHD_HTTP_NOT_FOUND, "not found", url);
	struct MHD_Response *r = MHD_create_response_from_fd64(size, fd);
	if (!r)
		close(fd);
	return respond(c, MHD_HTTP_OK, r, mm_http_content_type(rel), "no-cache");
}

static enum MHD_Result route(struct mm_http *h, struct MHD_Connection *c, const char *url)
{
	switch (mm_http_route_of(url)) {
	case MM_ROUTE_STATE: return get_state(h, c, url);
	case MM_ROUTE_HISTORY: return get_history(h, c, url);
	case MM_ROUTE_EVENTS: return get_events(h, c, url);
	case MM_ROUTE_METRICS:
		return get_doc(h, c, url, &h->metrics, "text/plain; version=0.0.4; charset=utf-8");
	case MM_ROUTE_FOOTPRINT: return get_doc(h, c, url, &h->footprint, "application/json");
	case MM_ROUTE_API_UNKNOWN: return respond_error(c, MHD_HTTP_NOT_FOUND, "not found", url);
	case MM_ROUTE_STATIC: break;
	}
	return get_static(h, c, url);
}

/* MHD access handler. Errors are answered at the first call (MHD then
 * closes the connection instead of reading a body); a good GET is answered
 * at the second call, once the request is complete, so keep-alive works. */
enum MHD_Result mm_http_handle(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_size, void **req_cls);
enum MHD_Result mm_http_handle(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_size, void **req_cls)
{
	const char *clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	(void)version;
	(void)upload_data;

	if (!*req_cls) {
		*req_cls = c;
		mm_http_request_arrived(cls, c);
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
			                     url);
		if ((clen && strcmp(clen, "0") != 0) ||
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding"))
			return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "a GET takes no body",
			                     url);
		return MHD_YES;
	}
	if (*upload_size) { /* unreachable: bodies were refused above */
		*upload_size = 0;
		return MHD_YES;
	}
	return route(cls, c, url);
}
