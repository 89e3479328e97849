/* The two 2013 log formats (shared/traces/xenmm-2013/README.md): mmserver's
 * memory log (tg, use, free per row) and the guest's swap log. The corpus is
 * closed and clean, so a malformed line is an error with its number, except
 * a last line cut off without a newline (a logger killed mid-write), which
 * is skipped and counted. Blank lines are ignored. */
#include "mm_trace_int.h"

#include <errno.h>
#include <string.h>

#include "mm_parse.h"

#define DOMID_MAX 0x7FEF /* Xen's DOMID_FIRST_RESERVED - 1 */
#define MEM_TITLE "recorded by mmserver domain:[id:"
#define QUOTE_MAX 41

struct row13 {
	uint32_t tod_s;
	uint64_t v[3]; /* mem: tg, use, free; swap: total, used, free */
	bool negative; /* the used column was negative (clamped to 0) */
};

static const char *const mem_cols[] = {"time", "tg_mem", "use_mem", "free_mem"};
static const char *const swap_cols[] = {"time", "total", "used", "free"};

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (the well-known era/day-of-era method). */
static int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static uint32_t month_from_name(struct mm_tspan f)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (uint32_t i = 0; f.len == 3 && i < 12; i++)
		if (memcmp(names + 3 * i, f.s, 3) == 0)
			return i + 1;
	return 0;
}

/* ctime text "Fri Jan  4 15:46:04 2013" into the day (Unix days) and the
 * time of day; false when it does not look like one. */
static bool parse_ctime(const char *s, size_t len, int64_t *day, uint32_t *tod_s)
{
	struct mm_tspan f[6];
	uint64_t mday, year;
	uint32_t mon;

	if (mm_tsplit(s, len, ' ', true, f, 6) != 5)
		return false;
	mon = month_from_name(f[1]);
	if (!mon || mm_parse_u64_n(f[2].s, f[2].len, 31, &mday) || mday == 0 ||
	    mm_tparse_hms(f[3], tod_s) || mm_parse_u64_n(f[4].s, f[4].len, 9999, &year) ||
	    year < 1970)
		return false;
	*day = days_from_civil((int64_t)year, mon, (uint32_t)mday);
	return true;
}

/* Line 1: "recorded by mmserver domain:[id:<domid> time:<ctime date>". The
 * domain id is required; the date only feeds start_ms, so a bad one leaves
 * start_ms unknown rather than failing the whole trace. */
static int parse_title(const struct mm_tline *l, struct mm_trace *t, int64_t *day, uint32_t *tod_s,
                       struct mm_trace_error *err)
{
	size_t pre = strlen(MEM_TITLE), i = pre;
	uint64_t domid;
	char q[QUOTE_MAX];

	while (i < l->len && l->s[i] >= '0' && l->s[i] <= '9')
		i++;
	if (mm_parse_u64_n(l->s + pre, i - pre, DOMID_MAX, &domid)) {
		mm_tquote(q, sizeof(q), l->s, l->len);
		return mm_trace_fail(err, l->no, -EINVAL, "no valid domain id in '%s'", q);
	}
	t->domid = (int32_t)domid;
	*day = -1;
	if (l->len - i > 6 && memcmp(l->s + i, " time:", 6) == 0 &&
	    !parse_ctime(l->s + i + 6, l->len - i - 6, day, tod_s))
		*day = -1;
	return 0;
}

static int expect_header(const struct mm_tline *l, const char *const cols[4],
                         struct mm_trace_error *err)
{
	struct mm_tspan f[4];
	char q[QUOTE_MAX];
	size_t nf = mm_tsplit(l->s, l->len, '\t', true, f, 4);
	bool ok = nf == 4;

	for (size_t i = 0; ok && i < 4; i++)
		ok = mm_tspan_eq(f[i], cols[i]);
	if (ok)
		return 0;
	mm_tquote(q, sizeof(q), l->s, l->len);
	return mm_trace_fail(err, l->no, -EINVAL, "expected the header %s %s %s %s, got '%s'",
	                     cols[0], cols[1], cols[2], cols[3], q);
}

static int parse_time(const struct mm_tline *l, struct mm_tspan f, bool bracketed, uint32_t *tod_s,
                      struct mm_trace_error *err)
{
	char q[QUOTE_MAX];
	struct mm_tspan in = f;

	if (bracketed) {
		if (f.len < 2 || f.s[0] != '[' || f.s[f.len - 1] != ']')
			in.len = 0; /* fails below */
		else
			in = (struct mm_tspan){f.s + 1, f.len - 2};
	}
	if (mm_tparse_hms(in, tod_s) == 0)
		return 0;
	mm_tquote(q, sizeof(q), f.s, f.len);
	return mm_trace_fail(err, l->no, -EINVAL, "bad time '%s' (expected %s)", q,
	                     bracketed ? "[HH:MM:SS]" : "HH:MM:SS");
}

/* One row: time then three KiB values, fields separated by tab runs. In the
 * memory log the middle value (use = tg - free) may be negative. */
static int parse_row(const struct mm_tline *l, const char *const cols[4], bool swap,
                     struct row13 *r, struct mm_trace_error *err)
{
	struct mm_tspan f[4];
	char q[QUOTE_MAX];
	size_t nf = mm_tsplit(l->s, l->len, '\t', true, f, 4);
	int rc;

	if (nf != 4)
		return mm_trace_fail(err, l->no, -EINVAL, "expected 4 fields, got %zu", nf);
	rc = parse_time(l, f[0], swap, &r->tod_s, err);
	if (rc)
		return rc;
	r->negative = false;
	for (size_t i = 0; i < 3; i++) {
		if (!swap && i == 1)
			rc = mm_tparse_used(f[i + 1], &r->v[i], &r->negative);
		else
			rc = mm_tparse_kib(f[i + 1], &r->v[i]);
		if (rc) {
			mm_tquote(q, sizeof(q), f[i + 1].s, f[i + 1].len);
			return mm_trace_fail(err, l->no, -EINVAL, "%s '%s': %s", cols[i + 1], q,
			                     mm_parse_strerror(rc));
		}
	}
	return 0;
}

static void row_to_sample(const struct row13 *r, bool swap, struct mm_trace_sample *s)
{
	*s = (struct mm_trace_sample){0};
	if (swap) {
		s->swap_used_kib = r->v[1];
		s->known = MM_TRACE_F_SWAP;
	} else {
		s->target_kib = r->v[0];
		s->used_kib = r->v[1];
		s->free_kib = r->v[2];
		s->known = MM_TRACE_F_TARGET | MM_TRACE_F_USED | MM_TRACE_F_FREE;
	}
}

/* The rows after the header, common to both formats. On success *first_tod
 * is the first row's time of day. */
static int parse_rows(struct mm_tcursor *c, struct mm_trace *t, bool swap, uint32_t *first_tod,
                      struct mm_trace_error *err)
{
	const char *const *cols = swap ? swap_cols : mem_cols;
	struct mm_tclock clock = {0};
	struct mm_tline l;
	struct row13 r;
	struct mm_trace_sample s;
	int rc;

	while (mm_tcursor_next(c, &l)) {
		if (l.len == 0)
			continue;
		rc = parse_row(&l, cols, swap, &r, err);
		if (rc && !l.terminated) {
			mm_trace_skip(t, l.no, "last line cut off");
			break;
		}
		if (rc)
			return rc;
		if (t->n == 0)
			*first_tod = r.tod_s;
		row_to_sample(&r, swap, &s);
		s.t_ms = mm_tclock_tod(&clock, t, r.tod_s);
		t->rows_clamped += r.negative;
		if (swap && r.v[0] > t->swap_total_kib)
			t->swap_total_kib = r.v[0];
		rc = mm_trace_push(t, &s);
		if (rc)
			return mm_trace_fail(err, l.no, rc, "out of memory");
	}
	if (t->n == 0)
		return mm_trace_fail(err, c->no, -ENODATA, "no data rows after the header");
	return 0;
}

static int next_line(struct mm_tcursor *c, struct mm_tline *l, struct mm_trace_error *err)
{
	if (mm_tcursor_next(c, l))
		return 0;
	return mm_trace_fail(err, c->no + 1, -ENODATA, "file ends inside the header");
}

int mm_trace_parse_2013_mem(struct mm_tcursor *c, struct mm_trace *t, struct mm_trace_error *err)
{
	struct mm_tline l;
	int64_t day = -1;
	uint32_t head_tod = 0, first_tod = 0;
	int rc;

	t->format = MM_TRACE_2013_MEM;
	if ((rc = next_line(c, &l, err)) || (rc = parse_title(&l, t, &day, &head_tod, err)))
		return rc;
	if ((rc = next_line(c, &l, err)))
		return rc;
	if (l.len != 1 || l.s[0] != ']')
		return mm_trace_fail(err, l.no, -EINVAL, "expected ']' closing the title");
	if ((rc = next_line(c, &l, err)) || (rc = expect_header(&l, mem_cols, err)))
		return rc;
	if ((rc = parse_rows(c, t, false, &first_tod, err)))
		return rc;
	/* The title is written when the log opens, the first row about 2 s
	 * later: a first row earlier in the day is past midnight. */
	if (day >= 0)
		t->start_ms =
		    ((uint64_t)day * 86400u + first_tod + (first_tod < head_tod ? 86400u : 0)) *
		    1000u;
	return 0;
}

int mm_trace_parse_2013_swap(struct mm_tcursor *c, struct mm_trace *t, struct mm_trace_error *err)
{
	struct mm_tline l;
	uint32_t first_tod = 0;
	int rc;

	t->format = MM_TRACE_2013_SWAP;
	t->domid = -1;
	if ((rc = next_line(c, &l, err)))
		return rc; /* line 1 "record in kb", checked by the caller */
	if ((rc = next_line(c, &l, err)) || (rc = expect_header(&l, swap_cols, err)))
		return rc;
	return parse_rows(c, t, true, &first_tod, err);
}
