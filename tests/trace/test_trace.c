/* Tests of the trace reader: every real 2013 file, a few against counts made
 * with awk, the traps of the 2013 format (unsigned negatives, midnight, missing
 * rows), our TSV format, and a table of bad inputs with their exact errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_parse.h"
#include "mm_trace.h"

#define TRACES MM_TEST_DATA "/traces/xenmm-2013"

/* Checks what must hold for any trace that loaded. */
static void assert_sane(const struct mm_trace *t)
{
	assert_true(t->n > 0);
	assert_non_null(t->samples);
	assert_int_equal(t->samples[0].t_ms, 0);
	assert_true(t->rows_clamped <= t->n);
	assert_true(t->n + t->rows_skipped <= t->lines);
	for (size_t i = 0; i < t->n; i++) {
		const struct mm_trace_sample *s = &t->samples[i];
		if (i > 0)
			assert_true(s->t_ms >= t->samples[i - 1].t_ms);
		assert_true(s->target_kib <= MM_SIZE_MAX_KIB);
		assert_true(s->used_kib <= MM_SIZE_MAX_KIB);
		assert_true(s->free_kib <= MM_SIZE_MAX_KIB);
		assert_true(s->swap_used_kib <= MM_SIZE_MAX_KIB);
		assert_int_equal(s->known & ~t->fields, 0);
	}
	assert_int_equal(mm_trace_duration_ms(t), t->samples[t->n - 1].t_ms);
	assert_int_equal(mm_trace_demand_at(t, UINT64_MAX), t->samples[t->n - 1].used_kib);
}

static int parse_str(const char *s, struct mm_trace *t, struct mm_trace_error *err)
{
	return mm_trace_parse_buf(s, strlen(s), t, err);
}

/* ---- every file of the 2013 corpus ---- */

static struct {
	size_t mem, swap, rejected, mem_rows, swap_rows;
} walk;

/* The corpus also holds DaCapo benchmark output and its README: those are
 * not traces and must be refused as an unknown format. */
static bool is_benchmark_output(const char *base)
{
	static const char *const names[] = {"on.log",       "off.log",    "high-on.log",
	                                    "high-off.log", "low-on.log", "low-off.log",
	                                    "README.md"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	return false;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct mm_trace t;
	struct mm_trace_error err;
	const char *base = path + ftw->base;
	int rc;

	(void)st;
	if (type != FTW_F)
		return 0;
	rc = mm_trace_load(path, &t, &err);
	if (is_benchmark_output(base)) {
		assert_int_equal(rc, -EINVAL);
		assert_non_null(strstr(err.text, "unknown trace format"));
		walk.rejected++;
		return 0;
	}
	if (rc)
		print_message("%s: %s\n", path, err.text);
	assert_int_equal(rc, 0);
	assert_sane(&t);
	assert_int_equal(t.rows_skipped, 0);
	assert_int_equal(t.midnight_wraps, 0);
	assert_int_equal(t.clock_steps, 0);
	if (strstr(base, "swap")) {
		assert_int_equal(t.format, MM_TRACE_2013_SWAP);
		assert_int_equal(t.fields, MM_TRACE_F_SWAP);
		assert_int_equal(t.swap_total_kib, 1048572); /* every guest had 1 GiB - 4 KiB */
		walk.swap++;
		walk.swap_rows += t.n;
	} else {
		assert_int_equal(t.format, MM_TRACE_2013_MEM);
		assert_int_equal(t.fields, MM_TRACE_F_TARGET | MM_TRACE_F_USED | MM_TRACE_F_FREE);
		assert_true(t.domid > 0);
		assert_true(t.start_ms > UINT64_C(1356998400000)); /* after 2013-01-01 */
		walk.mem++;
		walk.mem_rows += t.n;
	}
	mm_trace_free(&t);
	return 0;
}

/* Counts from the shell: 102 files, of which 14 DaCapo outputs and the
 * README; rows = lines matching ^\[?HH:MM:SS (awk), 27831 and 31410. */
static void test_corpus_loads(void **state)
{
	(void)state;
	memset(&walk, 0, sizeof(walk));
	assert_int_equal(nftw(TRACES, visit, 16, FTW_PHYS), 0);
	print_message("mem=%zu swap=%zu rejected=%zu mem_rows=%zu swap_rows=%zu\n", walk.mem,
	              walk.swap, walk.rejected, walk.mem_rows, walk.swap_rows);
	assert_int_equal(walk.mem, 47);
	assert_int_equal(walk.swap, 40);
	assert_int_equal(walk.rejected, 15);
	assert_int_equal(walk.mem_rows, 27831);
	assert_int_equal(walk.swap_rows, 31410);
}

/* ---- a few files against numbers counted independently with awk ---- */

struct counted {
	const char *file;
	enum mm_trace_format format;
	int32_t domid;
	size_t rows;
	uint64_t duration_ms;
	size_t clamped;
	uint64_t sum_used_kib; /* mem: use_mem with negatives as 0; swap: used */
	uint64_t start_ms;
};

static const struct counted counted[] = {
    {"1-4_mono_5VM/10.log", MM_TRACE_2013_MEM, 24, 51, 100000, 0, 10192634,
     UINT64_C(1357314366000)},
    {"2-3_mono_5/1.log", MM_TRACE_2013_MEM, 2, 59, 115000, 0, 0, 0},
    {"2-4_tau/0.0.log", MM_TRACE_2013_MEM, 19, 877, 1762000, 0, 0, 0},
    {"3-24/vm1/on-mem.log", MM_TRACE_2013_MEM, 2, 1015, 2045000, 0, 0, 0},
    {"3-30/vm1/on-mem.log", MM_TRACE_2013_MEM, 6, 1057, 2145000, 19, 309664566,
     UINT64_C(1364674738000)},
    {"3-30/vm2/on-mem.log", MM_TRACE_2013_MEM, 7, 1057, 2145000, 28, 588371591, 0},
    {"3-30/vm6/on-mem.log", MM_TRACE_2013_MEM, 11, 1057, 2145000, 1, 0, 0},
    {"4-28_dacapo/high-on-mem/1.log", MM_TRACE_2013_MEM, 2, 383, 767000, 0, 79320353, 0},
    {"2-4_tau/0.0_swap.log", MM_TRACE_2013_SWAP, -1, 1576, 4727000, 0, 131755104, 0},
    {"3-30/vm10/off-swap.log", MM_TRACE_2013_SWAP, -1, 1313, 3938000, 0, 0, 0},
    {"4-28_dacapo/low-on-swap.log", MM_TRACE_2013_SWAP, -1, 228, 682000, 0, 0, 0},
};

static void test_counted_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
		const struct counted *c = &counted[i];
		char path[512];
		struct mm_trace t;
		struct mm_trace_error err;
		uint64_t sum = 0;

		snprintf(path, sizeof(path), "%s/%s", TRACES, c->file);
		assert_int_equal(mm_trace_load(path, &t, &err), 0);
		print_message("%s rows=%zu duration_ms=%llu clamped=%zu\n", c->file, t.n,
		              (unsigned long long)mm_trace_duration_ms(&t), t.rows_clamped);
		assert_int_equal(t.format, c->format);
		assert_int_equal(t.domid, c->domid);
		assert_int_equal(t.n, c->rows);
		assert_int_equal(mm_trace_duration_ms(&t), c->duration_ms);
		assert_int_equal(t.rows_clamped, c->clamped);
		for (size_t k = 0; k < t.n; k++)
			sum += c->format == MM_TRACE_2013_SWAP ? t.samples[k].swap_used_kib
			                                       : t.samples[k].used_kib;
		if (c->sum_used_kib)
			assert_int_equal(sum, c->sum_used_kib);
		if (c->start_ms)
			assert_int_equal(t.start_ms, c->start_ms);
		mm_trace_free(&t);
	}
}

/* Rows 4-6 of 1-4_mono_5VM/10.log: 15:46:06, :08, :10 with use 199753,
 * 199664, 199597; held between rows and after the end. */
static void test_demand_on_real_file(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;

	(void)state;
	assert_int_equal(mm_trace_load(TRACES "/1-4_mono_5VM/10.log", &t, &err), 0);
	assert_int_equal(mm_trace_demand_at(&t, 0), 199753);
	assert_int_equal(mm_trace_demand_at(&t, 1999), 199753);
	assert_int_equal(mm_trace_demand_at(&t, 2000), 199664);
	assert_int_equal(mm_trace_demand_at(&t, 4000), 199597);
	assert_int_equal(mm_trace_demand_at(&t, 100000), 199246); /* last row */
	assert_int_equal(mm_trace_demand_at(&t, 10000000), 199246);
	assert_int_equal(mm_trace_sample_at(&t, 2500)->target_kib, 1073908);
	assert_int_equal(mm_trace_sample_at(&t, 2500)->free_kib, 874244);
	mm_trace_free(&t);
}

/* ---- the traps of the 2013 memory log ---- */

#define TITLE               "recorded by mmserver domain:[id:7 time:Sun Mar 31 23:59:50 2013\n]\n"
#define HEAD                "time\t\ttg_mem\t\tuse_mem\t\tfree_mem\t\t\n"
#define ROW(t, tg, use, fr) t "\t\t" tg "\t\t" use "\t\t" fr "\t\t\n"

static void test_unsigned_negative(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;
	const char *in = TITLE HEAD ROW("23:59:52", "524288", "18446744073709311480", "764424")
	    ROW("23:59:54", "524288", "9223372036854775808", "1") /* 2^63: negative */
	    ROW("23:59:56", "524288", "1099511627776", "0")       /* 1 PiB: the limit */
	    ROW("23:59:58", "524288", "0", "524288");

	(void)state;
	assert_int_equal(parse_str(in, &t, &err), 0);
	assert_sane(&t);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.rows_clamped, 2);
	assert_int_equal(t.samples[0].used_kib, 0);
	assert_int_equal(t.samples[0].target_kib, 524288);
	assert_int_equal(t.samples[0].free_kib, 764424);
	assert_int_equal(t.samples[1].used_kib, 0);
	assert_int_equal(t.samples[2].used_kib, UINT64_C(1099511627776));
	mm_trace_free(&t);
}

static void test_midnight_wrap(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;
	const char *in = TITLE HEAD ROW("23:59:58", "524288", "1000", "523288")
	    ROW("00:00:00", "524288", "2000", "522288") ROW("00:00:02", "524288", "3000", "521288")
	        ROW("00:59:59", "524288", "4000", "520288");

	(void)state;
	assert_int_equal(parse_str(in, &t, &err), 0);
	assert_sane(&t);
	assert_int_equal(t.midnight_wraps, 1);
	assert_int_equal(t.clock_steps, 0);
	assert_int_equal(t.samples[1].t_ms, 2000);
	assert_int_equal(t.samples[2].t_ms, 4000);
	assert_int_equal(t.samples[3].t_ms, 4000 + (3600 - 3) * 1000);
	assert_int_equal(mm_trace_demand_at(&t, 3000), 2000);
	/* title 2013-03-31 23:59:50, first row 23:59:58 the same day */
	assert_int_equal(t.start_ms, (UINT64_C(1364688000) + 86398) * 1000);
	mm_trace_free(&t);
}

/* A first row after midnight while the title was written before: the
 * start is the next day. A backward jump of more than an hour is a clock
 * step (no time passes), not a wrap. */
static void test_first_row_past_midnight_and_clock_step(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;
	const char *in =
	    "recorded by mmserver domain:[id:7 time:Sun Mar 31 23:59:59 2013\n]\n" HEAD ROW(
	        "00:00:01", "524288", "1000", "523288") ROW("12:00:00", "524288", "2000", "1")
	        ROW("10:00:00", "524288", "3000", "1") ROW("10:00:02", "524288", "4000", "1");

	(void)state;
	assert_int_equal(parse_str(in, &t, &err), 0);
	assert_sane(&t);
	assert_int_equal(t.start_ms, UINT64_C(1364774401000));
	assert_int_equal(t.midnight_wraps, 0);
	assert_int_equal(t.clock_steps, 1);
	assert_int_equal(t.samples[1].t_ms, 43199000);
	assert_int_equal(t.samples[2].t_ms, 43199000);
	assert_int_equal(t.samples[3].t_ms, 43201000);
	/* equal times: the later row is in force */
	assert_int_equal(mm_trace_demand_at(&t, 43199000), 3000);
	mm_trace_free(&t);
}

static void test_missing_row(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;
	const char *in = TITLE HEAD ROW("10:00:00", "524288", "100", "1")
	    ROW("10:00:02", "524288", "200", "1") /* 10:00:04 missing */
	    ROW("10:00:06", "524288", "300", "1");

	(void)state;
	assert_int_equal(parse_str(in, &t, &err), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(mm_trace_duration_ms(&t), 6000);
	assert_int_equal(mm_trace_demand_at(&t, 2000), 200);
	assert_int_equal(mm_trace_demand_at(&t, 4000), 200);
	assert_int_equal(mm_trace_demand_at(&t, 5999), 200);
	assert_int_equal(mm_trace_demand_at(&t, 6000), 300);
	mm_trace_free(&t);
}

static void test_truncated_last_line_skipped(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;
	const char *in = TITLE HEAD ROW("10:00:00", "524288", "100", "1") "10:00:02\t\t5242";

	(void)state;
	assert_int_equal(parse_str(in, &t, &err), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.rows_skipped, 1);
	assert_int_equal(t.first_skip_line, 5);
	assert_string_equal(t.first_skip_why, "last line cut off");
	assert_string_equal(err.text, "");
	mm_trace_free(&t);
}

/* ---- our own TSV log ---- */

static const char tsv[] =
    "# mmserver 0.1.0 started policy=tax\n"
    "time_ms\tdomid\ttarget_kib\tactual_kib\ttot_kib\tfree_kib\tused_kib\tswap_used_"
    "kib\ttau\treason\n"
    "1700000000000\t5\t1048576\t1048576\t1015808\t80212\t935596\t0\t0.010467\tgrow\n"
    "1700000001000\t5\t1048576\t1048576\t1015808\t80000\t935808\t12\t0.010467\thold\n"
    "1700000002000\t5\t10485\n" /* line 5: a crash cut this row */
    "# mmserver 0.1.0 restarted\n"
    "reason\tused_kib\tnew_col_kib\ttime_ms\tfree_kib\tdomid\tswap_used_kib\ttarget_kib\r\n"
    "shrink\t700000\tx\t1700000010000\t-\t5\t\t900000\n"
    "hold\t-20\tx\t1700000011000\t90000\t5\t0\t900000\n";

static void test_tsv(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;

	(void)state;
	assert_int_equal(mm_trace_parse_buf(tsv, sizeof(tsv) - 1, &t, &err), 0);
	assert_sane(&t);
	assert_int_equal(t.format, MM_TRACE_TSV);
	assert_int_equal(t.domid, 5);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.lines, 9);
	assert_int_equal(t.comments, 2);
	assert_int_equal(t.rows_skipped, 1);
	assert_int_equal(t.first_skip_line, 5);
	assert_string_equal(t.first_skip_why, "wrong number of fields");
	assert_int_equal(t.rows_clamped, 1);
	assert_int_equal(t.start_ms, UINT64_C(1700000000000));
	assert_int_equal(t.samples[1].t_ms, 1000);
	assert_int_equal(t.samples[1].swap_used_kib, 12);
	assert_int_equal(t.samples[1].free_kib, 80000);
	assert_int_equal(t.samples[2].t_ms, 10000);
	assert_int_equal(t.samples[2].used_kib, 700000);
	assert_int_equal(t.samples[2].target_kib, 900000);
	assert_int_equal(t.samples[2].known, MM_TRACE_F_USED | MM_TRACE_F_TARGET);
	assert_int_equal(t.samples[3].used_kib, 0);
	assert_int_equal(t.samples[3].free_kib, 90000);
	assert_int_equal(t.fields,
	                 MM_TRACE_F_USED | MM_TRACE_F_TARGET | MM_TRACE_F_FREE | MM_TRACE_F_SWAP);
	assert_int_equal(mm_trace_demand_at(&t, 9999), 935808); /* held across the gap */
	assert_int_equal(mm_trace_duration_ms(&t), 11000);
	mm_trace_free(&t);
}

/* Header of ncols columns (time_ms, used_kib, then c2, c3, ...) and one row. */
static int parse_wide(size_t ncols, struct mm_trace *t, struct mm_trace_error *err)
{
	char buf[2048];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "time_ms\tused_kib");

	for (size_t i = 2; i < ncols; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\tc%zu", i);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\n5\t6");
	for (size_t i = 2; i < ncols; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\tx");
	assert_true(len < sizeof(buf) - 1);
	return mm_trace_parse_buf(buf, len, t, err);
}

static void test_tsv_limits(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;
	const char *bad_used = "time_ms\tused_kib\n1\t-\n2\t5\n3\t\n";

	(void)state;
	assert_int_equal(parse_wide(64, &t, &err), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.samples[0].used_kib, 6);
	mm_trace_free(&t);
	assert_int_equal(parse_wide(65, &t, &err), -EINVAL);
	assert_string_equal(err.text, "line 1: 65 columns, at most 64");
	/* used_kib is the demand: unknown there means the row is useless */
	assert_int_equal(parse_str(bad_used, &t, &err), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.rows_skipped, 2);
	assert_int_equal(t.first_skip_line, 2);
	assert_string_equal(t.first_skip_why, "bad used_kib");
	mm_trace_free(&t);
}

/* ---- bad inputs: each gives its exact error ---- */

struct bad_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	int rc;
	const char *text; /* expected prefix of err.text */
	size_t line;
};

#define MEM3    TITLE HEAD
#define NUL_ROW MEM3 "14:19:45\t\t1\0\t\t1\t\t1\n"
static const struct bad_case bad[] = {
    {"empty", "", 0, -ENODATA, "empty file", 0},
    {"elf",
     "\x7f"
     "ELF\x02\x01\x01",
     7, -EINVAL, "line 1: unknown trace format: '.ELF...'", 1},
    {"nul bytes", "\0\0\0\0", 4, -EINVAL, "line 1: unknown trace format: '....'", 1},
    {"benchmark log", "dacapo test set\n=====\n", 0, -EINVAL,
     "line 1: unknown trace format: 'dacapo test set' (expected", 1},
    {"comments only", "# a\n\n# b\n", 0, -ENODATA, "line 3: only blank and comment lines", 3},
    {"title only", "recorded by mmserver domain:[id:3 time:x\n", 0, -ENODATA,
     "line 2: file ends inside the header", 2},
    {"bad domid", "recorded by mmserver domain:[id:x time:x\n]\n" HEAD, 0, -EINVAL,
     "line 1: no valid domain id in 'recorded by mmserver domain:[id:x time:x'", 1},
    {"domid too big", "recorded by mmserver domain:[id:99999 time:x\n]\n" HEAD, 0, -EINVAL,
     "line 1: no valid domain id", 1},
    {"no bracket", "recorded by mmserver domain:[id:3 time:x\nx\n" HEAD, 0, -EINVAL,
     "line 2: expected ']' closing the title", 2},
    {"wrong header", TITLE "time\t\ttg\t\tuse\t\tfree\n", 0, -EINVAL,
     "line 3: expected the header time tg_mem use_mem free_mem, got 'time..tg..use..free'", 3},
    {"no rows", MEM3, 0, -ENODATA, "line 3: no data rows after the header", 3},
    {"truncated row", MEM3 "14:19:43\t\t655360\n" ROW("14:19:45", "1", "1", "1"), 0, -EINVAL,
     "line 4: expected 4 fields, got 2", 4},
    {"extra field", MEM3 ROW("14:19:45", "1", "1", "1 \t\t2"), 0, -EINVAL,
     "line 4: expected 4 fields, got 5", 4},
    {"spaces", MEM3 "14:19:45 1 1 1\n", 0, -EINVAL, "line 4: expected 4 fields, got 1", 4},
    {"hour 25", MEM3 ROW("25:00:00", "1", "1", "1"), 0, -EINVAL,
     "line 4: bad time '25:00:00' (expected HH:MM:SS)", 4},
    {"short time", MEM3 ROW("14:19", "1", "1", "1"), 0, -EINVAL, "line 4: bad time '14:19'", 4},
    {"absurd tg", MEM3 ROW("14:19:45", "99999999999999999999", "1", "1"), 0, -EINVAL,
     "line 4: tg_mem '99999999999999999999': value too large", 4},
    {"tg over 1 PiB", MEM3 ROW("14:19:45", "1099511627777", "1", "1"), 0, -EINVAL,
     "line 4: tg_mem '1099511627777': value too large", 4},
    {"use under 2^63 but absurd", MEM3 ROW("14:19:45", "1", "9223372036854775807", "1"), 0, -EINVAL,
     "line 4: use_mem '9223372036854775807': value too large", 4},
    {"letters", MEM3 ROW("14:19:45", "1", "1", "12ab"), 0, -EINVAL,
     "line 4: free_mem '12ab': unexpected characters after the number", 4},
    {"negative tg", MEM3 ROW("14:19:45", "-5", "1", "1"), 0, -EINVAL,
     "line 4: tg_mem '-5': not a number", 4},
    {"nul in row", NUL_ROW, sizeof(NUL_ROW) - 1, -EINVAL, "line 4: tg_mem '1.': unexpected", 4},
    {"swap no brackets", "record in kb\ntime\t\ttotal\t\tused\t\tfree\n10:03:22\t\t1\t\t1\t\t1\n",
     0, -EINVAL, "line 3: bad time '10:03:22' (expected [HH:MM:SS])", 3},
    {"swap 3 fields", "record in kb\ntime\t\ttotal\t\tused\t\tfree\n[10:03:22]\t\t1\t\t1\n", 0,
     -EINVAL, "line 3: expected 4 fields, got 3", 3},
    {"swap bad header", "record in kb\ntime\t\ttotal\t\tused\n", 0, -EINVAL,
     "line 2: expected the header time total used free", 2},
    {"tsv rounds.tsv",
     "time_ms\tn\tpool_kib\thost_free_kib\ttau\tpolicy\tcost_us\n1\t2\t3\t4\t5\tx\t6\n", 0, -EINVAL,
     "line 1: no used_kib column (not a per-domain log: rounds.tsv?)", 1},
    {"tsv duplicate column", "# x\ntime_ms\tused_kib\tused_kib\n1\t2\t3\n", 0, -EINVAL,
     "line 2: duplicate column used_kib", 2},
    {"tsv header only", "time_ms\tused_kib\n# restart\n", 0, -ENODATA,
     "line 2: no data rows after the header", 2},
    {"tsv every row bad", "time_ms\tused_kib\n1\t2\t3\nx\t5\n1\t1e5\n", 0, -ENODATA,
     "line 2: no usable row (3 skipped, the first: wrong number of fields)", 2},
};

static void test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *c = &bad[i];
		struct mm_trace t;
		struct mm_trace_error err;
		size_t len = c->len ? c->len : strlen(c->in);
		int rc = mm_trace_parse_buf(c->in, len, &t, &err);

		print_message("%-26s rc=%d '%s'\n", c->name, rc, err.text);
		assert_int_equal(rc, c->rc);
		assert_int_equal(strncmp(err.text, c->text, strlen(c->text)), 0);
		assert_int_equal(err.line, c->line);
		assert_null(t.samples);
		assert_int_equal(t.n, 0);
		assert_null(mm_trace_sample_at(&t, 0));
		assert_int_equal(mm_trace_demand_at(&t, 0), 0);
		assert_int_equal(mm_trace_duration_ms(&t), 0);
		mm_trace_free(&t);
	}
}

/* 10 MB of junk: alone, after a 2013 header, after a TSV header. */
static void test_ten_megabytes_of_junk(void **state)
{
	const size_t len = 10u << 20;
	char *buf = malloc(len);
	struct mm_trace t;
	struct mm_trace_error err;
	uint64_t x = 0x9E3779B97F4A7C15u;
	const char *mem_head = MEM3;
	const char *tsv_head = "time_ms\tused_kib\n";

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (char)(x >> 56);
	}
	buf[0] = 'J'; /* not '#' nor a newline, so line 1 is the junk itself */
	assert_int_equal(mm_trace_parse_buf(buf, len, &t, &err), -EINVAL);
	assert_int_equal(err.line, 1);
	memcpy(buf, mem_head, strlen(mem_head));
	buf[strlen(mem_head)] = 'J';
	assert_int_equal(mm_trace_parse_buf(buf, len, &t, &err), -EINVAL);
	assert_int_equal(err.line, 4);
	memcpy(buf, tsv_head, strlen(tsv_head));
	assert_int_equal(mm_trace_parse_buf(buf, len, &t, &err), -ENODATA);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.text, "no usable row"));
	memset(buf, '\n', len);
	assert_int_equal(mm_trace_parse_buf(buf, len, &t, &err), -ENODATA);
	assert_int_equal(err.line, len);
	/* the size limit is checked before the bytes are looked at */
	assert_int_equal(mm_trace_parse_buf(buf, MM_TRACE_MAX_BYTES + 1, &t, &err), -EFBIG);
	free(buf);
}

static void test_load_errors(void **state)
{
	struct mm_trace t;
	struct mm_trace_error err;

	(void)state;
	assert_int_equal(mm_trace_load(TRACES "/no-such-file", &t, &err), -ENOENT);
	assert_string_equal(err.text, "open: No such file or directory");
	assert_int_equal(mm_trace_load(TRACES, &t, &err), -EISDIR);
	assert_string_equal(err.text, "read: Is a directory");
	assert_int_equal(mm_trace_load("/dev/null", &t, &err), -ENODATA);
	assert_string_equal(err.text, "empty file");
	mm_trace_free(&t);
	mm_trace_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus_loads),
	    cmocka_unit_test(test_counted_files),
	    cmocka_unit_test(test_demand_on_real_file),
	    cmocka_unit_test(test_unsigned_negative),
	    cmocka_unit_test(test_midnight_wrap),
	    cmocka_unit_test(test_first_row_past_midnight_and_clock_step),
	    cmocka_unit_test(test_missing_row),
	    cmocka_unit_test(test_truncated_last_line_skipped),
	    cmocka_unit_test(test_tsv),
	    cmocka_unit_test(test_tsv_limits),
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_ten_megabytes_of_junk),
	    cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
