/* Reservations as the page, the JSON and /metrics show them (issue 17):
 * added fields only, and the same numbers as the set holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http_render.h"

static struct mm_resv_set S;

static void fill(void)
{
	memset(&S, 0, sizeof(S));
	S.r[3] = (struct mm_resv){.id = 7,
	                          .state = MM_RESV_HELD,
	                          .size_kib = 2097152,
	                          .found_kib = 2097152,
	                          .for_name = "vm4",
	                          .created_ms = 1000};
	S.r[5] = (struct mm_resv){.id = 8,
	                          .state = MM_RESV_WAITING,
	                          .size_kib = 1048576,
	                          .found_kib = 4096,
	                          .created_ms = 2000};
	S.r[6] = (struct mm_resv){.id = 6, .state = MM_RESV_ENDED, .size_kib = 1048576};
	S.reserved_kib = 2097152 + 1048576;
	S.now_ms = 5000; /* the snapshot's clock, not the round's wall time */
	S.met = 3, S.failed = 1, S.claimed = 2, S.expired = 0;
}

static void test_state_json(void **state)
{
	struct mm_round r = {.seq = 1, .time_ms = 1700000000000, .policy = "tax", .resv = &S};
	json_t *o, *a;

	(void)state;
	fill();
	o = mm_http_state_json(&r);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "reserved_kib")), 3145728);
	a = json_object_get(o, "reservations");
	assert_int_equal(json_array_size(a), 2); /* the ended one is not shown */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "id")), 7);
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "state")),
	                    "held");
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "for")), "vm4");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "age_ms")), 4000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "found_kib")),
	                 4096);
	json_decref(o);
	r.resv = NULL; /* no reservations at all: same shape */
	o = mm_http_state_json(&r);
	assert_int_equal(json_array_size(json_object_get(o, "reservations")), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "reserved_kib")), 0);
	json_decref(o);
}

static void test_metrics(void **state)
{
	struct mm_round r = {.seq = 1, .time_ms = 5000, .policy = "tax", .resv = &S};
	struct mm_http_totals t = {0};
	struct mm_buf b;

	(void)state;
	fill();
	mm_buf_init(&b);
	mm_http_metrics_text(&r, &t, &b);
	assert_false(b.failed);
	assert_non_null(strstr(b.data, "\nxenmm_reserved_bytes 3221225472\n"));
	assert_non_null(strstr(b.data, "\nxenmm_reservations{state=\"waiting\"} 1\n"));
	assert_non_null(strstr(b.data, "\nxenmm_reservations{state=\"held\"} 1\n"));
	assert_non_null(strstr(b.data, "\nxenmm_reservations_total{outcome=\"met\"} 3\n"));
	assert_non_null(strstr(b.data, "\nxenmm_reservations_total{outcome=\"claimed\"} 2\n"));
	assert_non_null(strstr(b.data, "# TYPE xenmm_reservations_total counter\n"));
	mm_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_json),
	    cmocka_unit_test(test_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
