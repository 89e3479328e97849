/* The HTTP server over loopback with libcurl: every endpoint, 404/405 with
 * JSON bodies, oversize requests, static files and path escapes, SSE
 * delivering each published round, and stopping with streams open. The
 * server runs in-process; rounds are published by the test itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "http_deadline.h"
#include "mm_http.h"
#include "synth_round.h"

struct fix {
	char dir[64];
	struct mm_http *h;
	struct synth s;
	char base[64];
};

struct reply {
	long status;
	char type[128];
	char allow[64];
	char csp[256];
	char *body;
	size_t len;
};

static size_t on_body(char *p, size_t sz, size_t n, void *cls)
{
	struct reply *r = cls;
	char *b = realloc(r->body, r->len + sz * n + 1);
	if (!b)
		return 0;
	memcpy(b + r->len, p, sz * n);
	r->len += sz * n;
	b[r->len] = '\0';
	r->body = b;
	return sz * n;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0)
		return;
	size_t v = len - nl;
	while (v && (line[nl + v - 1] == '\r' || line[nl + v - 1] == '\n'))
		v--;
	snprintf(out, cap, "%.*s", (int)v, line + nl);
}

static size_t on_header(char *p, size_t sz, size_t n, void *cls)
{
	struct reply *r = cls;
	header_value(p, sz * n, "Allow: ", r->allow, sizeof(r->allow));
	header_value(p, sz * n, "Content-Security-Policy: ", r->csp, sizeof(r->csp));
	return sz * n;
}

/* One request; extra is a header line or NULL; body is sent when not NULL. */
static struct reply fetch(struct fix *f, const char *path, const char *method, const char *extra,
                          const char *body)
{
	struct reply r = {0};
	char url[32768];
	struct curl_slist *hdr = extra ? curl_slist_append(NULL, extra) : NULL;
	CURL *c = curl_easy_init();
	char *type = NULL;

	snprintf(url, sizeof(url), "%s%s", f->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
	snprintf(r.type, sizeof(r.type), "%s", type ? type : "");
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	return r;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char err[256], p[128];

	snprintf(f->dir, sizeof(f->dir), "/tmp/mm_http_test.XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	write_file(f->dir, "index.html", "<!doctype html><title>t</title>");
	write_file(f->dir, "app.js", "console.log(1);");
	write_file(f->dir, "style.css", "body{}");
	write_file(f->dir, ".hidden", "secret");
	snprintf(p, sizeof(p), "%s/sub", f->dir);
	mkdir(p, 0700);
	write_file(f->dir, "sub/index.html", "<p>sub</p>");
	snprintf(p, sizeof(p), "%s/escape", f->dir);
	if (symlink("/etc/hostname", p))
		return -1;
	if (synth_init(&f->s, 4, 7, 1700000000000u) ||
	    mm_http_start("127.0.0.1", 0, f->dir, &f->h, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%u", (unsigned)mm_http_port(f->h));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	mm_http_stop(f->h);
	synth_dispose(&f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void publish(struct fix *f, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		synth_step(&f->s, 1000);
		mm_http_publish(f->h, &f->s.round);
	}
}

static json_t *json_reply(struct reply *r, long status)
{
	json_error_t je;
	assert_int_equal(r->status, status);
	assert_string_equal(r->type, "application/json");
	json_t *v = json_loadb(r->body, r->len, 0, &je);
	if (!v)
		fail_msg("bad JSON (%s): %.200s", je.text, r->body);
	free(r->body);
	return v;
}

static void test_before_first_round(void **state)
{
	struct fix *f = *state;
	struct reply r = fetch(f, "/api/v1/state", "GET", NULL, NULL);
	json_t *v = json_reply(&r, 503);
	assert_string_equal(json_string_value(json_object_get(v, "error")), "no round yet");
	json_decref(v);
	r = fetch(f, "/metrics", "GET", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\nxenmm_rounds_total 0\n"));
	free(r.body);
	r = fetch(f, "/api/v1/history", "GET", NULL, NULL);
	v = json_reply(&r, 200);
	assert_int_equal(json_array_size(json_object_get(v, "rounds")), 0);
	json_decref(v);
}

static void test_state(void **state)
{
	struct fix *f = *state;
	publish(f, 2);
	struct reply r = fetch(f, "/api/v1/state", "GET", NULL, NULL);
	json_t *v = json_reply(&r, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "seq")), f->s.round.seq);
	json_t *doms = json_object_get(v, "domains");
	assert_int_equal(json_array_size(doms), 4);
	json_t *d = json_array_get(doms, 3);
	assert_string_equal(json_string_value(json_object_get(d, "name")), "vm4");
	assert_int_equal(json_integer_value(json_object_get(d, "target_kib")),
	                 f->s.round.dom[3].target_kib);
	assert_non_null(json_object_get(d, "reason"));
	json_decref(v);
}

static void test_history(void **state)
{
	struct fix *f = *state;
	static const char *bad[] = {"0", "abc", "86401", "-1", "3x", ""};
	publish(f, 10); /* 1 s apart */
	struct reply r = fetch(f, "/api/v1/history?seconds=3", "GET", NULL, NULL);
	json_t *v = json_reply(&r, 200), *rounds = json_object_get(v, "rounds");
	assert_int_equal(json_array_size(rounds), 4); /* t-3 s .. t */
	json_t *last = json_array_get(rounds, 3);
	assert_int_equal(json_integer_value(json_object_get(last, "seq")), f->s.round.seq);
	json_decref(v);
	r = fetch(f, "/api/v1/history", "GET", NULL, NULL);
	v = json_reply(&r, 200);
	assert_int_equal(json_array_size(json_object_get(v, "rounds")), f->s.round.seq);
	json_decref(v);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/history?seconds=%s", bad[i]);
		r = fetch(f, path, "GET", NULL, NULL);
		json_decref(json_reply(&r, 400));
	}
}

static void test_footprint(void **state)
{
	struct fix *f = *state;
	publish(f, 1);
	struct reply r = fetch(f, "/footprint", "GET", NULL, NULL);
	json_t *v = json_reply(&r, 200), *row;
	size_t i;
	assert_int_equal(json_array_size(v), 4);
	json_array_foreach(v, i, row)
	{
		const struct mm_report *rep = &f->s.round.dom[i].report;
		assert_int_equal(json_array_size(row), 3);
		assert_int_equal(json_integer_value(json_array_get(row, 0)), rep->tot_kib);
		assert_int_equal(json_integer_value(json_array_get(row, 1)),
		                 rep->tot_kib - rep->free_kib);
		assert_int_equal(json_integer_value(json_array_get(row, 2)), rep->free_kib);
	}
	json_decref(v);
}

static void test_metrics(void **state)
{
	struct fix *f = *state;
	char want[160];
	publish(f, 1);
	struct reply r = fetch(f, "/metrics", "GET", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.type, "text/plain; version=0.0.4; charset=utf-8");
	snprintf(want, sizeof(want),
	         "\nxenmm_domain_target_bytes{domain=\"vm2\",domid=\"2\"} %llu\n",
	         (unsigned long long)f->s.round.dom[1].target_kib * 1024u);
	assert_non_null(strstr(r.body, want));
	snprintf(want, sizeof(want), "\nxenmm_rounds_total %llu\n",
	         (unsigned long long)f->s.round.seq);
	assert_non_null(strstr(r.body, want));
	free(r.body);
}

static void test_errors(void **state)
{
	struct fix *f = *state;
	static const char *methods[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
	static const char *missing[] = {"/nope", "/api/v1/nope", "/api/v2/state", "/metrics/x",
	                                "/api/v1/state/"};
	struct reply r;
	json_t *v;

	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		r = fetch(f, missing[i], "GET", NULL, NULL);
		v = json_reply(&r, 404);
		assert_string_equal(json_string_value(json_object_get(v, "path")), missing[i]);
		json_decref(v);
	}
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		r = fetch(f, "/api/v1/state", methods[i], NULL, i == 0 ? "x=1" : NULL);
		assert_string_equal(r.allow, "GET, HEAD");
		json_decref(json_reply(&r, 405));
	}
	publish(f, 1);
	r = fetch(f, "/api/v1/state", "HEAD", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
}

static void test_oversize(void **state)
{
	struct fix *f = *state;
	size_t big = 20000; /* > the 16 KiB per-connection budget */
	char *hdr = malloc(big + 16), *path = malloc(big + 2);

	assert_non_null(hdr);
	assert_non_null(path);
	memcpy(hdr, "X-Big: ", 7);
	memset(hdr + 7, 'a', big);
	hdr[7 + big] = '\0';
	struct reply r = fetch(f, "/api/v1/state", "GET", hdr, NULL);
	assert_int_equal(r.status, 431);
	free(r.body);
	path[0] = '/';
	memset(path + 1, 'b', big);
	path[big + 1] = '\0';
	r = fetch(f, path, "GET", NULL, NULL);
	assert_int_equal(r.status, 414);
	free(r.body);
	r = fetch(f, "/api/v1/state", "GET", "Content-Length: 5", NULL);
	json_decref(json_reply(&r, 413));
	free(hdr);
	free(path);
}

static void test_static(void **state)
{
	struct fix *f = *state;
	static const struct {
		const char *path, *type, *body;
	} ok[] = {
	    {"/", "text/html; charset=utf-8", "<!doctype html><title>t</title>"},
	    {"/index.html", "text/html; charset=utf-8", "<!doctype html><title>t</title>"},
	    {"/app.js", "text/javascript; charset=utf-8", "console.log(1);"},
	    {"/style.css", "text/css; charset=utf-8", "body{}"},
	    {"/sub/", "text/html; charset=utf-8", "<p>sub</p>"},
	};
	static const char *refused[] = {"/../etc/passwd",
	                                "/%2e%2e/etc/passwd",
	                                "/.hidden",
	                                "//etc/passwd",
	                                "/escape",
	                                "/sub/../.hidden",
	                                "/sub/..%2f..%2fetc%2fpasswd",
	                                "/a%00b",
	                                "/sub",
	                                "/missing.js"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct reply r = fetch(f, ok[i].path, "GET", NULL, NULL);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.type, ok[i].type);
		assert_string_equal(r.body, ok[i].body);
		if (strstr(ok[i].type, "html"))
			assert_non_null(strstr(r.csp, "default-src 'self'"));
		free(r.body);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct reply r = fetch(f, refused[i], "GET", NULL, NULL);
		if (r.status != 404)
			fail_msg("%s: status %ld", refused[i], r.status);
		json_decref(json_reply(&r, 404));
	}
}

/* SSE: reads events until want_id arrives or 5 s pass. */
struct sse_reader {
	CURLM *m;
	CURL *c;
	struct reply r;
	struct curl_slist *hdr;
};

static void sse_open(struct fix *f, struct sse_reader *s, const char *last_id)
{
	char url[128];
	memset(s, 0, sizeof(*s));
	snprintf(url, sizeof(url), "%s/api/v1/events", f->base);
	s->m = curl_multi_init();
	s->c = curl_easy_init();
	if (last_id)
		s->hdr = curl_slist_append(NULL, last_id);
	curl_easy_setopt(s->c, CURLOPT_URL, url);
	curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, s->hdr);
	curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->c, CURLOPT_WRITEDATA, &s->r);
	curl_multi_add_handle(s->m, s->c);
}

/* Pumps the transfer until the body holds needle; 0 if it never does. */
static int sse_wait_for(struct sse_reader *s, const char *needle, int *running)
{
	for (int i = 0; i < 500; i++) {
		curl_multi_perform(s->m, running);
		if (s->r.body && strstr(s->r.body, needle))
			return 1;
		if (!*running)
			return 0;
		curl_multi_poll(s->m, NULL, 0, 10, NULL);
	}
	return 0;
}

static void sse_close(struct sse_reader *s)
{
	curl_multi_remove_handle(s->m, s->c);
	curl_easy_cleanup(s->c);
	curl_multi_cleanup(s->m);
	curl_slist_free_all(s->hdr);
	free(s->r.body);
}

/* Every event's id matches the seq inside its JSON, ids without gaps. */
static void check_events(const char *body, uint64_t first, uint64_t last)
{
	uint64_t want = first;
	const char *p = body;
	while ((p = strstr(p, "id: "))) {
		unsigned long long id = strtoull(p + 4, NULL, 10);
		const char *data = strstr(p, "\ndata: ");
		assert_non_null(data);
		json_t *v = json_loadb(data + 7, strcspn(data + 7, "\n"), 0, NULL);
		assert_non_null(v);
		assert_int_equal(id, want);
		assert_int_equal(json_integer_value(json_object_get(v, "seq")), id);
		json_decref(v);
		want++;
		p = data;
	}
	assert_int_equal(want, last + 1);
}

static void test_sse(void **state)
{
	struct fix *f = *state;
	struct sse_reader s;
	char needle[64];
	int running = 1;

	publish(f, 1);
	uint64_t first = f->s.round.seq;
	sse_open(f, &s, NULL);
	snprintf(needle, sizeof(needle), "id: %llu\n", (unsigned long long)first);
	assert_true(sse_wait_for(&s, needle, &running)); /* the current round at once */
	assert_non_null(strstr(s.r.body, "retry: "));
	publish(f, 3);
	snprintf(needle, sizeof(needle), "id: %llu\n", (unsigned long long)first + 3);
	assert_true(sse_wait_for(&s, needle, &running));
	check_events(s.r.body, first, first + 3);

	/* Resume from Last-Event-ID: the missed rounds come from the ring. */
	struct sse_reader s2;
	char hdr[64];
	snprintf(hdr, sizeof(hdr), "Last-Event-ID: %llu", (unsigned long long)first);
	sse_open(f, &s2, hdr);
	assert_true(sse_wait_for(&s2, needle, &running));
	check_events(s2.r.body, first + 1, first + 3);
	sse_close(&s2);

	/* Stopping with a parked stream open must end it, not hang. */
	mm_http_stop(f->h);
	f->h = NULL;
	for (int i = 0; i < 500 && running; i++) {
		curl_multi_perform(s.m, &running);
		curl_multi_poll(s.m, NULL, 0, 10, NULL);
	}
	assert_int_equal(running, 0);
	sse_close(&s);
}

/* A raw client: connects, sends req, returns the socket (request still open). */
static int raw_send(struct fix *f, const char *req)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(mm_http_port(f->h))};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	return fd;
}

/* The status code of the first response line, or 0 when none came in 5 s. */
static int raw_status(int fd)
{
	char line[256];
	size_t n = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (n < sizeof(line) - 1 && poll(&p, 1, 5000) == 1) {
		ssize_t r = recv(fd, line + n, 1, 0);
		if (r <= 0)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
	int status = 0;
	return sscanf(line, "HTTP/1.%*d %d", &status) == 1 ? status : 0;
}

static const char sse_req[] = "GET /api/v1/events HTTP/1.1\r\nHost: t\r\n\r\n";

/* A low descriptor limit gives few connections: the event streams beyond
 * the limit get 503 with Retry-After, and a closed stream frees its slot. */
static int setup_low_nofile(void **state)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	rl.rlim_cur = 300;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	int rc = setup(state);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max; /* the limits were read at start; lift it for the test */
	setrlimit(RLIMIT_NOFILE, &rl);
	return rc;
}

static void test_sse_limit(void **state)
{
	struct fix *f = *state;
	struct mm_http_limits lim;
	int fds[64], ok = 0, busy = 0;

	mm_http_get_limits(f->h, &lim);
	assert_int_equal(lim.nofile, 300);
	/* 300 - 256 kept for the balancer - 16 of its own, 2 per connection */
	assert_int_equal(lim.conn_limit, 14);
	assert_int_equal(lim.sse_limit, 7);
	publish(f, 1);
	for (unsigned i = 0; i < lim.sse_limit + 3; i++) {
		fds[i] = raw_send(f, sse_req);
		int st = raw_status(fds[i]);
		if (st != 200 && st != 503)
			fail_msg("stream %u: status %d", i, st);
		st == 200 ? ok++ : busy++;
	}
	assert_int_equal(ok, lim.sse_limit);
	assert_int_equal(busy, 3);
	/* Plain requests still get in while the streams are full. */
	struct reply r = fetch(f, "/api/v1/state", "GET", NULL, NULL);
	json_decref(json_reply(&r, 200));
	/* Closing a stream frees a slot once the server notices (next round). */
	close(fds[0]);
	int st = 0;
	for (int tries = 0; tries < 50 && st != 200; tries++) {
		publish(f, 1);
		int fd = raw_send(f, sse_req);
		st = raw_status(fd);
		close(fd);
		if (st != 200)
			usleep(100 * 1000);
	}
	assert_int_equal(st, 200);
	for (unsigned i = 1; i < lim.sse_limit + 3; i++)
		close(fds[i]);
}

/* A large window is streamed from the ring in many blocks and stays one
 * valid document with every round in order. */
static void test_history_streamed(void **state)
{
	struct fix *f = *state;
	publish(f, 600);
	struct reply r = fetch(f, "/api/v1/history?seconds=86400", "GET", NULL, NULL);
	assert_true(r.len > 4 * 16 * 1024); /* several MM_HTTP_BLOCK_BYTES blocks */
	json_t *v = json_reply(&r, 200), *rounds = json_object_get(v, "rounds");
	assert_int_equal(json_array_size(rounds), 600);
	for (size_t i = 0; i < 600; i++)
		assert_int_equal(
		    json_integer_value(json_object_get(json_array_get(rounds, i), "seq")),
		    f->s.round.seq - 599 + i);
	json_decref(v);
}

/* True when the server closed fd (EOF or reset) within 5 s. */
static bool raw_closed(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[4096];

	while (poll(&p, 1, 5000) == 1) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			return true;
	}
	return false;
}

/* A client that trickles its headers (slowloris) is cut at the request
 * deadline; an event stream, whose request arrived long ago, is not. Time
 * is an input: the sweep is called with a clock 11 s ahead. */
static void test_request_deadline(void **state)
{
	struct fix *f = *state;
	unsigned cut = 0;

	publish(f, 1);
	int sse = raw_send(f, sse_req);
	assert_int_equal(raw_status(sse), 200);
	int slow = raw_send(f, "GET /api/v1/state HTTP/1.1\r\nHost: t\r\nX-Slow: ");
	/* the server has accepted it once the sweep sees it (a few ms) */
	for (int i = 0; i < 200 && cut == 0; i++) {
		cut = mm_http_deadline_sweep(f->h, mm_http_mono_ms() + MM_HTTP_REQUEST_DEADLINE_MS +
		                                       1000);
		if (!cut)
			usleep(10 * 1000);
	}
	assert_int_equal(cut, 1); /* the slow one, not the stream */
	assert_true(raw_closed(slow));
	/* The stream still gets the next round. */
	publish(f, 1);
	char buf[8192];
	size_t n = 0;
	struct pollfd p = {.fd = sse, .events = POLLIN};
	char needle[32];
	snprintf(needle, sizeof(needle), "id: %llu\n", (unsigned long long)f->s.round.seq);
	while (n < sizeof(buf) - 1 && poll(&p, 1, 5000) == 1) {
		ssize_t r = recv(sse, buf + n, sizeof(buf) - 1 - n, 0);
		assert_true(r > 0);
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, needle))
			break;
	}
	assert_non_null(strstr(buf, needle));
	/* A sweep now (no clock jump) cuts nothing. */
	assert_int_equal(mm_http_deadline_sweep(f->h, mm_http_mono_ms()), 0);
	close(slow);
	close(sse);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_before_first_round, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_footprint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oversize, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_static, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sse_limit, setup_low_nofile, teardown),
	    cmocka_unit_test_setup_teardown(test_history_streamed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_deadline, setup, teardown),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
