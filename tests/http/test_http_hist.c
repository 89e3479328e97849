/* The history ring's compact rounds (http_hist.c): packed and rendered
 * again, a round gives byte for byte the /api/v1/state JSON it gave when it
 * was published: over a synthetic run (rosters shared while the domains stay
 * the same, a new one when they change), with values past 32 bits (the wide
 * form), live reservations, no policy and domains without a report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "http_hist.h"
#include "http_render.h"
#include "synth_round.h"

static char *state_text(const struct mm_round *r)
{
	json_t *o = mm_http_state_json(r);
	char *t = o ? json_dumps(o, JSON_COMPACT | MM_HTTP_JSON_FLAGS) : NULL;

	json_decref(o);
	assert_non_null(t);
	return t;
}

/* Packs r, renders it back, compares; returns the compact blob's length. */
static size_t round_trip(const struct mm_round *r, struct mm_blob **roster)
{
	struct mm_blob *ro = mm_hist_roster(r, *roster);
	assert_non_null(ro);
	struct mm_blob *b = mm_hist_encode(r, ro);
	assert_non_null(b);
	assert_int_equal(b->seq, r->seq);
	assert_int_equal(b->time_ms, r->time_ms);
	struct mm_blob *ev = mm_hist_render_event(b);
	struct mm_blob *direct = mm_hist_event_of(r);
	char *want = state_text(r);
	assert_non_null(ev);
	assert_non_null(direct);
	assert_int_equal(ev->body_len, strlen(want));
	assert_memory_equal(ev->data + ev->body_off, want, ev->body_len);
	assert_int_equal(ev->len, direct->len);
	assert_memory_equal(ev->data, direct->data, ev->len); /* the SSE text too */
	json_t *fj = mm_http_footprint_json(r);
	char *fwant = fj ? json_dumps(fj, JSON_COMPACT) : NULL;
	struct mm_buf fb;
	size_t flen;
	mm_buf_init(&fb);
	mm_http_footprint_text(r, &fb);
	char *fgot = mm_buf_take(&fb, &flen);
	assert_non_null(fwant);
	assert_non_null(fgot);
	assert_string_equal(fgot, fwant); /* /footprint: text writer = jansson */
	free(fgot);
	free(fwant);
	json_decref(fj);
	size_t len = b->len;
	free(want);
	mm_blob_unref(ev);
	mm_blob_unref(direct);
	mm_blob_unref(b);
	mm_blob_unref(*roster);
	*roster = ro;
	return len;
}

static void test_synthetic_run(void **state)
{
	struct synth s;
	struct mm_blob *roster = NULL, *first = NULL;
	(void)state;

	assert_int_equal(synth_init(&s, 100, 7, 1700000000000u), 0);
	for (int i = 0; i < 50; i++) {
		synth_step(&s, 1000);
		size_t len = round_trip(&s.round, &roster);
		assert_true(len < 100 * 40 + 200); /* KiB values in 3 bytes */
		if (!first)
			first = mm_blob_ref(roster);
		assert_ptr_equal(roster, first); /* same domains: one shared roster */
	}
	s.round.dom[3].maxmem_kib += 1024; /* xl mem-max: a new roster */
	round_trip(&s.round, &roster);
	assert_ptr_not_equal(roster, first);
	mm_blob_unref(first);
	mm_blob_unref(roster);
	synth_dispose(&s);
}

static void test_edges(void **state)
{
	struct mm_round_dom dom[3];
	struct mm_resv_set *resv = calloc(1, sizeof(*resv));
	struct mm_round r = {.seq = 9,
	                     .time_ms = 123456,
	                     .policy = NULL,
	                     .tau = 0.123456789,
	                     .pool_kib = UINT64_C(1) << 40,
	                     .n = 3,
	                     .dom = dom,
	                     .resv = resv};
	struct mm_blob *roster = NULL;
	(void)state;

	assert_non_null(resv);
	memset(dom, 0, sizeof(dom));
	dom[0].domid = 1;
	strcpy(dom[0].name, "small");
	dom[0].has_report = true;
	dom[0].report.has = MM_REPORT_HAS_SEQ | MM_REPORT_HAS_PSI;
	dom[0].report.tot_kib = 1000;
	dom[0].report.free_kib = 10;
	dom[0].report.psi_some10_centi = 1234;
	dom[0].reason = MM_REASON_GROW;
	dom[0].flags = MM_FLAG_CAPPED | MM_FLAG_STALE;
	dom[1].domid = 2;
	strcpy(dom[1].name, "no report \"quoted\"");
	dom[1].flags = MM_FLAG_NO_REPORT;
	dom[2].domid = 3;
	memset(dom[2].name, 'x', MM_NAME_MAX - 1);
	dom[2].has_report = true;
	dom[2].report.has = MM_REPORT_HAS_SWAP | MM_REPORT_HAS_AVAIL;
	dom[2].report.tot_kib = UINT64_C(5) << 32; /* 20 TiB guest: the wide form */
	dom[2].report.swap_total_kib = 1 << 20;
	dom[2].report.avail_kib = UINT64_C(3) << 32;
	dom[2].actual_kib = dom[2].target_kib = UINT64_C(5) << 32;
	dom[2].invalid_reports = 7;
	size_t wide = round_trip(&r, &roster);
	assert_true(wide > 3 * 40);

	dom[2].report.tot_kib = dom[2].actual_kib = dom[2].target_kib = 1 << 20;
	dom[2].report.avail_kib = 1 << 19;
	r.seq = 10;
	assert_true(round_trip(&r, &roster) <
	            wide - 3 * 6); /* tot, avail, actual, target narrower */
	resv->now_ms = 50000;
	resv->reserved_kib = 4096;
	resv->r[2] = (struct mm_resv){.id = 5,
	                              .state = MM_RESV_WAITING,
	                              .size_kib = 8192,
	                              .found_kib = 100,
	                              .created_ms = 20000};
	strcpy(resv->r[2].for_name, "newvm");
	resv->r[4] = (struct mm_resv){.id = 6,
	                              .state = MM_RESV_HELD,
	                              .size_kib = 1,
	                              .claimed_kib = 1,
	                              .created_ms = 60000};              /* age 0 */
	resv->r[7] = (struct mm_resv){.id = 7, .state = MM_RESV_UNUSED}; /* not live: left out */
	r.seq = 11;
	r.policy = "tax:0.75";
	round_trip(&r, &roster);
	/* reals and strings as jansson writes them */
	static const double taus[] = {0, 1, 0.5, 1e-5, 1.5e20, -2.25e-300, 123456789012.0, NAN};
	strcpy(dom[1].name, "caf\xc3\xa9\t\x01\\/\xe2\x82\xac");
	for (size_t i = 0; i < sizeof(taus) / sizeof(taus[0]); i++) {
		r.tau = taus[i];
		dom[0].report.psi_some10_centi = (uint32_t)(i * 777);
		r.seq++;
		round_trip(&r, &roster);
	}
	r.n = 0;
	r.seq++;
	round_trip(&r, &roster);
	mm_blob_unref(roster);
	free(resv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_synthetic_run),
	    cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
