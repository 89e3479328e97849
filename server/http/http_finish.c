/* The end of a run (a finished simulation or replay): the state document
 * gains a "finished" object, and every SSE stream gets one last
 * "event: finished" after the rounds it has not seen yet, then ends. A page
 * can then say "finished" instead of "reconnecting". History is unchanged. */
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

/* The current round's SSE text again, its state JSON with "finished" added
 * in its sorted place (between "domains" and "free_goal_kib": state_text.c
 * writes the keys in that order, and a quote inside a string is escaped, so
 * the first '],"free_goal_kib":' is the top-level one). Written into the text
 * rather than through a jansson tree: at 100 domains the tree took 430 KiB,
 * the run's peak. */
static struct mm_blob *with_finished(const struct mm_blob *round, json_t *finished)
{
	static const char at[] = "],\"free_goal_kib\":";
	const char *body = round->data + round->body_off;
	const char *hit = memmem(body, round->body_len, at, sizeof(at) - 1);
	char *text = json_dumps(finished, JSON_COMPACT | MM_HTTP_JSON_FLAGS);
	struct mm_blob *b = NULL;
	struct mm_buf buf;

	if (!hit || !text)
		goto out;
	size_t head = (size_t)(hit - body) + 2; /* through "]," */
	mm_blob_buf_init(&buf);
	mm_buf_printf(&buf, "id: %llu\nevent: round\ndata: ", (unsigned long long)round->seq);
	size_t off = mm_blob_buf_len(&buf);
	mm_buf_append(&buf, body, head);
	mm_buf_printf(&buf, "\"finished\":%s,", text);
	mm_buf_append(&buf, body + head, round->body_len - head);
	size_t body_len = mm_blob_buf_len(&buf) - off;
	mm_buf_puts(&buf, "\n\n");
	b = mm_blob_from_buf(&buf);
	if (b) {
		b->seq = round->seq;
		b->time_ms = round->time_ms;
		b->body_off = off;
		b->body_len = body_len;
	}
out:
	free(text);
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
}
