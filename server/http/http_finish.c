/* The end of a run (a finished simulation or replay): the state document
 * gains a "finished" object, and every SSE stream gets one last
 * "event: finished" after the rounds it has not seen yet, then ends. A page
 * can then say "finished" instead of "reconnecting". History is unchanged. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

/* The current round's SSE text again, its state JSON with "finished" added. */
static struct mm_blob *with_finished(const struct mm_blob *round, json_t *finished)
{
	json_t *o = json_loadb(round->data + round->body_off, round->body_len, 0, NULL);
	char *text = NULL, *all = NULL;
	struct mm_blob *b = NULL;
	struct mm_buf buf;
	size_t len, off;

	if (!o || json_object_set(o, "finished", finished))
		goto out;
	text = json_dumps(o, JSON_COMPACT | MM_HTTP_JSON_FLAGS);
	if (!text)
		goto out;
	mm_buf_init(&buf);
	mm_buf_printf(&buf, "id: %llu\nevent: round\ndata: ", (unsigned long long)round->seq);
	off = buf.len;
	mm_buf_puts(&buf, text);
	mm_buf_puts(&buf, "\n\n");
	all = mm_buf_take(&buf, &len);
	b = all ? mm_blob_new(all, len) : NULL;
	if (b) {
		b->seq = round->seq;
		b->time_ms = round->time_ms;
		b->body_off = off;
		b->body_len = len - off - 2;
	}
out:
	free(all);
	free(text);
	json_decref(o);
	return b;
}

static struct mm_blob *finished_event(json_t *finished)
{
	char *text = json_dumps(finished, JSON_COMPACT | MM_HTTP_JSON_FLAGS);
	struct mm_blob *b = NULL;
	struct mm_buf buf;
	size_t len;

	if (!text)
		return NULL;
	mm_buf_init(&buf);
	mm_buf_printf(&buf, "event: finished\ndata: %s\n\n", text);
	free(text);
	char *all = mm_buf_take(&buf, &len);
	b = all ? mm_blob_new(all, len) : NULL;
	free(all);
	return b;
}

void mm_http_finish(struct mm_http *h, json_t *finished)
{
	struct mm_blob *cur, *round = NULL, *ev, *old_round = NULL, *old_ev = NULL;

	if (!h || !json_is_object(finished)) {
		json_decref(finished);
		return;
	}
	pthread_mutex_lock(&h->lock);
	cur = mm_blob_ref(h->round);
	pthread_mutex_unlock(&h->lock);
	if (cur)
		round = with_finished(cur, finished);
	mm_blob_unref(cur);
	ev = finished_event(finished);
	json_decref(finished);

	pthread_mutex_lock(&h->lock);
	if (round) {
		old_round = h->round;
		h->round = round;
	}
	if (ev) {
		old_ev = h->finished;
		h->finished = ev;
	}
	mm_http_sse_wake_locked(h);
	pthread_mutex_unlock(&h->lock);
	mm_blob_unref(old_round);
	mm_blob_unref(old_ev);
	malloc_trim(0); /* the tree of with_finished: 430 KiB at 100 domains, once */
}
