/* Table-driven tests of the guest report parser and formatter: valid,
 * boundary and hostile inputs (SPEC section 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mm_report.h"

#define FULL                                                                                       \
	"v=1 seq=42 tot=1015808 free=80212 avail=351220 cached=250112 "                            \
	"swap_total=1048572 swap_used=0 pswpin=0 pswpout=0 pgmajfault=311 "                        \
	"psi_some10=0.00 balloon_cur=1048576"

struct rcase {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	int rc;
	const char *bad_key;
};

static const struct rcase cases[] = {
    {"spec example", FULL, 0, 0, ""},
    {"minimal", "v=1 tot=1000 free=10", 0, 0, ""},
    {"unknown key ignored", "v=1 tot=1000 free=10 future_key=abc", 0, 0, ""},
    {"free equals tot", "v=1 tot=1000 free=1000", 0, 0, ""},
    {"empty", "", 0, MM_REPORT_E_VERSION, ""},
    {"no version", "tot=1000 free=10", 0, MM_REPORT_E_VERSION, "tot"},
    {"version 2", "v=2 tot=1000 free=10", 0, MM_REPORT_E_VERSION, "v"},
    {"missing free", "v=1 tot=1000", 0, MM_REPORT_E_MISSING, ""},
    {"missing tot", "v=1 free=1000", 0, MM_REPORT_E_MISSING, ""},
    {"duplicate", "v=1 tot=1000 free=10 free=20", 0, MM_REPORT_E_DUPLICATE, "free"},
    {"duplicate version", "v=1 v=1 tot=1000 free=10", 0, MM_REPORT_E_DUPLICATE, "v"},
    {"double space", "v=1  tot=1000 free=10", 0, MM_REPORT_E_SYNTAX, ""},
    {"leading space", " v=1 tot=1000 free=10", 0, MM_REPORT_E_SYNTAX, ""},
    {"trailing space", "v=1 tot=1000 free=10 ", 0, MM_REPORT_E_SYNTAX, "free=10"},
    {"tab separator", "v=1\ttot=1000 free=10", 0, MM_REPORT_E_VERSION, "v"},
    {"no equals", "v=1 tot free=10", 0, MM_REPORT_E_SYNTAX, "tot"},
    {"empty key", "v=1 =5 tot=1000 free=10", 0, MM_REPORT_E_SYNTAX, "=5"},
    {"negative", "v=1 tot=1000 free=-10", 0, MM_REPORT_E_VALUE, "free"},
    {"plus sign", "v=1 tot=+1000 free=10", 0, MM_REPORT_E_VALUE, "tot"},
    {"empty value", "v=1 tot= free=10", 0, MM_REPORT_E_VALUE, "tot"},
    {"hex", "v=1 tot=0x100 free=10", 0, MM_REPORT_E_VALUE, "tot"},
    {"overflow u64", "v=1 tot=18446744073709551616 free=10", 0, MM_REPORT_E_VALUE, "tot"},
    {"above 1 PiB", "v=1 tot=1099511627777 free=10", 0, MM_REPORT_E_VALUE, "tot"},
    {"2013 unsigned negative", "v=1 tot=1000 free=18446744073709311480", 0, MM_REPORT_E_VALUE,
     "free"},
    {"free above tot", "v=1 tot=1000 free=1001", 0, MM_REPORT_E_INCONSISTENT, ""},
    {"zero tot", "v=1 tot=0 free=0", 0, MM_REPORT_E_INCONSISTENT, ""},
    {"swap used above total", "v=1 tot=1000 free=10 swap_total=5 swap_used=6", 0,
     MM_REPORT_E_INCONSISTENT, ""},
    {"swap half given", "v=1 tot=1000 free=10 swap_used=6", 0, MM_REPORT_E_MISSING, "swap_total"},
    {"psi bad", "v=1 tot=1000 free=10 psi_some10=abc", 0, MM_REPORT_E_VALUE, "psi_some10"},
    {"psi above 100", "v=1 tot=1000 free=10 psi_some10=100.01", 0, MM_REPORT_E_VALUE, "psi_some10"},
    {"psi 3 decimals", "v=1 tot=1000 free=10 psi_some10=1.234", 0, MM_REPORT_E_VALUE, "psi_some10"},
    {"NUL in value",
     "v=1 tot=10\0"
     "00 free=10",
     20, MM_REPORT_E_VALUE, "tot"},
    {"NUL in unknown key", "v=1 tot=1000 free=10 x\0y=1", 25, MM_REPORT_E_SYNTAX, "x"},
    {"newline", "v=1 tot=1000 free=10\n", 0, MM_REPORT_E_VALUE, "free"},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		struct mm_report r;
		struct mm_report_error e;
		size_t len = c->len ? c->len : strlen(c->in);
		int rc = mm_report_parse(c->in, len, &r, &e);

		print_message("%-24s rc=%d key='%s'\n", c->name, rc, e.key);
		assert_int_equal(rc, c->rc);
		assert_int_equal(e.code, c->rc);
		assert_string_equal(e.key, c->bad_key);
		if (rc) {
			struct mm_report zero;
			memset(&zero, 0, sizeof(zero));
			assert_memory_equal(&r, &zero, sizeof(r));
		}
	}
}

static void test_full_values(void **state)
{
	struct mm_report r;
	(void)state;
	assert_int_equal(mm_report_parse(FULL, strlen(FULL), &r, NULL), 0);
	assert_int_equal(r.seq, 42);
	assert_int_equal(r.tot_kib, 1015808);
	assert_int_equal(r.free_kib, 80212);
	assert_int_equal(r.avail_kib, 351220);
	assert_int_equal(r.cached_kib, 250112);
	assert_int_equal(r.swap_total_kib, 1048572);
	assert_int_equal(r.pgmajfault, 311);
	assert_int_equal(r.balloon_cur_kib, 1048576);
	assert_int_equal(mm_report_used_kib(&r), 1015808 - 80212);
	assert_true(r.has & MM_REPORT_HAS_PSI);
	assert_false(r.has & MM_REPORT_LEGACY);
}

static void test_length_limit(void **state)
{
	char buf[600];
	struct mm_report r;
	struct mm_report_error e;
	const char *head = "v=1 tot=1000 free=10 pad=";
	size_t hl = strlen(head);
	(void)state;

	memcpy(buf, head, hl);
	memset(buf + hl, 'a', sizeof(buf) - hl);
	assert_int_equal(mm_report_parse(buf, 512, &r, &e), 0);
	assert_int_equal(mm_report_parse(buf, 513, &r, &e), MM_REPORT_E_TOO_LONG);
	assert_string_equal(mm_report_strerror(e.code), "report longer than 512 bytes");
}

static void test_roundtrip(void **state)
{
	char buf[MM_REPORT_MAX_BYTES + 1];
	struct mm_report a, b;
	int n;
	(void)state;

	assert_int_equal(mm_report_parse(FULL, strlen(FULL), &a, NULL), 0);
	n = mm_report_format(&a, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, FULL);
	assert_int_equal(mm_report_parse(buf, (size_t)n, &b, NULL), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	/* a buffer too small is refused, not truncated */
	assert_true(mm_report_format(&a, buf, 40) < 0);
}

static void test_legacy(void **state)
{
	struct mm_report r;
	struct mm_report_error e;
	(void)state;
	assert_int_equal(mm_report_parse_legacy("885428", 6, "1015808", 7, &r, &e), 0);
	assert_int_equal(r.free_kib, 885428);
	assert_int_equal(r.tot_kib, 1015808);
	assert_true(r.has & MM_REPORT_LEGACY);
	assert_int_equal(mm_report_parse_legacy("x", 1, "1015808", 7, &r, &e), MM_REPORT_E_VALUE);
	assert_string_equal(e.key, "free");
	assert_int_equal(mm_report_parse_legacy("2000", 4, "1000", 4, &r, &e),
	                 MM_REPORT_E_INCONSISTENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),        cmocka_unit_test(test_full_values),
	    cmocka_unit_test(test_length_limit), cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_legacy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
