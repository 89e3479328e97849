/* Table tests of the HTTP server's small parts: URL path -> canvas file
 * mapping (valid, boundary, hostile), content types, and the round ring's
 * bounds (count, bytes, restarted seq) and lookups. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http_limits.h"
#include "http_snap.h"
#include "http_static.h"

static void test_static_rel(void **state)
{
	static const struct {
		const char *url, *rel; /* rel NULL: refused */
	} cases[] = {
	    {"/", "index.html"},
	    {"/index.html", "index.html"},
	    {"/vendor/uplot/uPlot.iife.min.js", "vendor/uplot/uPlot.iife.min.js"},
	    {"/sub/", "sub/index.html"},
	    {"/a-b_c.9.css", "a-b_c.9.css"},
	    {"", NULL},
	    {"index.html", NULL},
	    {"/..", NULL},
	    {"/../etc/passwd", NULL},
	    {"/a/../b", NULL},
	    {"/.git/config", NULL},
	    {"/.", NULL},
	    {"//etc/passwd", NULL},
	    {"/a//b", NULL},
	    {"/a\\b", NULL},
	    {"/a b", NULL},
	    {"/a%2e", NULL},
	    {"/a\nb", NULL},
	    {"/\xc3\xa9", NULL},
	};
	char rel[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = mm_http_static_rel(cases[i].url, rel, sizeof(rel));
		if (!cases[i].rel) {
			assert_int_equal(rc, -EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(rel, cases[i].rel);
	}
	/* Boundary: the result must fit, index.html appended included. */
	char small[13];
	assert_int_equal(mm_http_static_rel("/abcdefghijk", small, sizeof(small)), 0);
	assert_int_equal(mm_http_static_rel("/abcdefghijkl", small, sizeof(small)), -EINVAL);
	assert_int_equal(mm_http_static_rel("/ab/", small, sizeof(small)), -EINVAL);
	assert_int_equal(mm_http_static_rel("/a/", small, sizeof(small)), 0);
	assert_string_equal(small, "a/index.html");
}

static void test_content_type(void **state)
{
	(void)state;
	assert_string_equal(mm_http_content_type("index.html"), "text/html; charset=utf-8");
	assert_string_equal(mm_http_content_type("a/b.js"), "text/javascript; charset=utf-8");
	assert_string_equal(mm_http_content_type("x.css"), "text/css; charset=utf-8");
	assert_string_equal(mm_http_content_type("LICENSE"), "application/octet-stream");
	assert_string_equal(mm_http_content_type("x.js.bak"), "application/octet-stream");
}

static struct mm_blob *blob(uint64_t seq, uint64_t time_ms, size_t len)
{
	char buf[256];
	memset(buf, 'x', sizeof(buf));
	struct mm_blob *b = mm_blob_new(buf, len);
	assert_non_null(b);
	b->seq = seq;
	b->time_ms = time_ms;
	return b;
}

static void test_ring(void **state)
{
	struct mm_ring r;
	(void)state;

	assert_int_equal(mm_ring_init(&r, 4, 1000), 0);
	for (uint64_t s = 1; s <= 6; s++) {
		struct mm_blob *b = blob(s, s * 1000, 100);
		mm_ring_push(&r, b);
		mm_blob_unref(b);
	}
	assert_int_equal(r.count, 4); /* count bound */
	assert_int_equal(mm_ring_at(&r, 0)->seq, 3);
	assert_int_equal(mm_ring_after_seq(&r, 0), 0);
	assert_int_equal(mm_ring_after_seq(&r, 4), 2);
	assert_int_equal(mm_ring_after_seq(&r, 6), 4);
	assert_int_equal(mm_ring_since_ms(&r, 4500), 2);
	assert_int_equal(mm_ring_since_ms(&r, 5000), 2);
	assert_null(mm_ring_at(&r, 4));

	struct mm_blob *big = blob(7, 7000, 250);
	mm_ring_push(&r, big);
	mm_ring_push(&r, big); /* same seq again: a restarted loop empties the ring */
	assert_int_equal(r.count, 1);
	mm_blob_unref(big);
	for (uint64_t s = 8; s <= 12; s++) {
		struct mm_blob *b = blob(s, s * 1000, 250);
		mm_ring_push(&r, b);
		mm_blob_unref(b);
	}
	assert_true(r.bytes <= 1000); /* byte bound */
	assert_int_equal(r.count, 4); /* the arena wrapped around twice, no round lost to it */
	assert_int_equal(mm_ring_at(&r, 3)->seq, 12);
	assert_int_equal(mm_ring_at(&r, 3)->off, 250);
	struct mm_blob *c = mm_ring_copy(&r, 1);
	assert_non_null(c);
	assert_int_equal(c->seq, 10);
	assert_int_equal(c->time_ms, 10000);
	assert_int_equal(c->len, 250);
	mm_blob_unref(c);
	assert_null(mm_ring_copy(&r, 4));

	/* a round larger than the arena alone: kept, the arena grows to it */
	static const char zeros[3000];
	struct mm_blob *huge = mm_blob_new(zeros, sizeof(zeros));
	assert_non_null(huge);
	huge->seq = 13;
	assert_int_equal(mm_ring_push(&r, huge), 0);
	assert_int_equal(r.count, 1);
	mm_blob_unref(huge);
	mm_ring_dispose(&r);
	assert_int_equal(mm_ring_init(&r, 0, 10), -EINVAL);

	/* rosters: a new one per round (domains coming and going) keeps at most
	 * MM_RING_ROSTERS rounds; a shared one counts once */
	assert_int_equal(mm_ring_init(&r, 100, 100000), 0);
	for (uint64_t s = 1; s <= 40; s++) {
		struct mm_blob *b = blob(s, s, 10);
		b->aux = blob(0, 0, 50);
		mm_ring_push(&r, b);
		mm_blob_unref(b);
	}
	assert_int_equal(r.count, MM_RING_ROSTERS);
	assert_int_equal(r.rosters, MM_RING_ROSTERS);
	struct mm_blob *shared = blob(0, 0, 50);
	for (uint64_t s = 41; s <= 80; s++) {
		struct mm_blob *b = blob(s, s, 10);
		b->aux = mm_blob_ref(shared);
		mm_ring_push(&r, b);
		mm_blob_unref(b);
	}
	assert_int_equal(r.count, 40 + MM_RING_ROSTERS - 1);
	assert_int_equal(r.rosters, MM_RING_ROSTERS);
	mm_blob_unref(shared);
	mm_ring_dispose(&r);
}

/* Connection limits from the descriptor limit: the balancer always keeps
 * half (at least 256), HTTP counts two descriptors per connection. */
static void test_limits(void **state)
{
	static const struct {
		uint64_t nofile;
		int rc;
		unsigned conn, sse;
		uint64_t balancer;
	} cases[] = {
	    {1024, 0, 248, 124, 512},      /* Debian's default soft limit */
	    {300, 0, 14, 7, 256},          /* the floor of 256 for the balancer */
	    {4096, 0, 1016, 508, 2048},    /* half and half */
	    {20000, 0, 2048, 1024, 15888}, /* capped at MM_HTTP_CONN_MAX */
	    {UINT64_C(1) << 40, 0, 2048, 1024, (UINT64_C(1) << 40) - 16 - 4096},
	    {288, 0, 8, 4, 256}, /* the least that still serves */
	    {287, -EMFILE, 0, 0, 0},
	    {64, -EMFILE, 0, 0, 0},
	    {0, -EMFILE, 0, 0, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mm_http_limits l;
		int rc = mm_http_limits_for(cases[i].nofile, &l);
		print_message("nofile=%llu\n", (unsigned long long)cases[i].nofile);
		assert_int_equal(rc, cases[i].rc);
		if (rc)
			continue;
		assert_int_equal(l.conn_limit, cases[i].conn);
		assert_int_equal(l.sse_limit, cases[i].sse);
		assert_true(l.fds_balancer == cases[i].balancer);
		/* everything HTTP may hold fits under the limit with the balancer's share */
		assert_true(l.fds_balancer + 2 * (uint64_t)l.conn_limit + MM_HTTP_FD_OWN <=
		            l.nofile);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_static_rel),
	    cmocka_unit_test(test_content_type),
	    cmocka_unit_test(test_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
