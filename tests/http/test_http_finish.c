/* The end of a run over loopback: after mm_http_finish, /api/v1/state
 * carries "finished" (and still the last round), an open SSE stream gets
 * its remaining rounds, then "event: finished", then ends; a stream opened
 * later gets the same; history is unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "mm_http.h"
#include "synth_round.h"

struct body {
	char *p;
	size_t len;
};

static size_t on_body(char *p, size_t sz, size_t n, void *cls)
{
	struct body *b = cls;
	char *q = realloc(b->p, b->len + sz * n + 1);
	if (!q)
		return 0;
	memcpy(q + b->len, p, sz * n);
	b->len += sz * n;
	q[b->len] = '\0';
	b->p = q;
	return sz * n;
}

/* The document as sent, and parsed; *text (if not NULL) gets the bytes. */
static json_t *get_json_text(uint16_t port, const char *path, char **text);

static json_t *get_json(uint16_t port, const char *path)
{
	return get_json_text(port, path, NULL);
}

static json_t *get_json_text(uint16_t port, const char *path, char **text)
{
	char url[128];
	struct body b = {NULL, 0};
	CURL *c = curl_easy_init();

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	json_t *v = json_loadb(b.p, b.len, 0, NULL);
	assert_non_null(v);
	if (text)
		*text = b.p;
	else
		free(b.p);
	return v;
}

struct stream {
	CURLM *m;
	CURL *c;
	struct body b;
	int running;
};

static void open_stream(struct stream *s, uint16_t port)
{
	char url[128];

	memset(s, 0, sizeof(*s));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/events", (unsigned)port);
	s->m = curl_multi_init();
	s->c = curl_easy_init();
	curl_easy_setopt(s->c, CURLOPT_URL, url);
	curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->c, CURLOPT_WRITEDATA, &s->b);
	curl_multi_add_handle(s->m, s->c);
	s->running = 1;
}

/* Pumps until the body holds needle (or, needle NULL, the stream ended); 5 s at most. */
static int pump(struct stream *s, const char *needle)
{
	for (int i = 0; i < 500; i++) {
		curl_multi_perform(s->m, &s->running);
		if (needle && s->b.p && strstr(s->b.p, needle))
			return 1;
		if (!s->running)
			return needle == NULL;
		curl_multi_poll(s->m, NULL, 0, 10, NULL);
	}
	return 0;
}

static void close_stream(struct stream *s)
{
	curl_multi_remove_handle(s->m, s->c);
	curl_easy_cleanup(s->c);
	curl_multi_cleanup(s->m);
	free(s->b.p);
}

static void test_finish(void **state)
{
	struct synth syn;
	struct mm_http *h = NULL;
	struct stream s, late;
	char err[256];
	(void)state;

	assert_int_equal(synth_init(&syn, 3, 5, 1700000000000u), 0);
	assert_int_equal(mm_http_start("127.0.0.1", 0, NULL, &h, err, sizeof(err)), 0);
	uint16_t port = mm_http_port(h);
	synth_step(&syn, 1000);
	mm_http_publish(h, &syn.round);
	open_stream(&s, port);
	assert_true(pump(&s, "id: 1\n"));
	for (int i = 0; i < 2; i++) {
		synth_step(&syn, 1000);
		mm_http_publish(h, &syn.round);
	}
	mm_http_finish(h, json_pack("{s:s, s:f}", "kind", "simulation", "simulated_s", 3.0));

	/* the stream: rounds 2 and 3 first, then finished, then its end */
	assert_true(pump(&s, "event: finished\n"));
	assert_true(pump(&s, NULL));
	const char *r3 = strstr(s.b.p, "id: 3\n"), *fin = strstr(s.b.p, "event: finished\n");
	assert_non_null(r3);
	assert_true(r3 < fin);
	const char *data = fin + strlen("event: finished\ndata: ");
	json_t *ev = json_loadb(data, strcspn(data, "\n"), 0, NULL);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "kind")), "simulation");
	json_decref(ev);
	close_stream(&s);

	char *raw = NULL;
	json_t *st = get_json_text(port, "/api/v1/state", &raw);
	/* "finished" written into the text in its sorted place: the bytes are
	 * what jansson writes for the same document */
	char *again = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
	assert_non_null(again);
	assert_string_equal(raw, again);
	free(again);
	free(raw);
	assert_int_equal(json_integer_value(json_object_get(st, "seq")), 3);
	assert_int_equal(json_array_size(json_object_get(st, "domains")), 3);
	json_t *fo = json_object_get(st, "finished");
	assert_true(json_is_object(fo));
	assert_true(json_real_value(json_object_get(fo, "simulated_s")) == 3.0);
	json_decref(st);
	json_t *hist = get_json(port, "/api/v1/history?seconds=60");
	json_t *rounds = json_object_get(hist, "rounds");
	assert_int_equal(json_array_size(rounds), 3);
	for (size_t i = 0; i < 3; i++) /* history rounds stay rounds */
		assert_null(json_object_get(json_array_get(rounds, i), "finished"));
	json_decref(hist);

	/* a page that opens after the end: the last round, then finished */
	open_stream(&late, port);
	assert_true(pump(&late, "event: finished\n"));
	assert_non_null(strstr(late.b.p, "id: 3\n"));
	close_stream(&late);

	/* bad input is ignored safely */
	mm_http_finish(h, json_string("not an object"));
	mm_http_finish(h, NULL);
	mm_http_finish(NULL, json_object());
	mm_http_stop(h);
	synth_dispose(&syn);
}

/* Finished before any round: no state document yet, the stream still ends. */
static void test_finish_without_round(void **state)
{
	struct mm_http *h = NULL;
	struct stream s;
	char err[256];
	(void)state;

	assert_int_equal(mm_http_start("127.0.0.1", 0, NULL, &h, err, sizeof(err)), 0);
	mm_http_finish(h, json_pack("{s:s}", "kind", "replay"));
	open_stream(&s, mm_http_port(h));
	assert_true(pump(&s, "event: finished\n"));
	assert_true(pump(&s, NULL));
	close_stream(&s);
	mm_http_stop(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_finish),
	    cmocka_unit_test(test_finish_without_round),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
