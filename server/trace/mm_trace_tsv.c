/* Our own per-domain log (SPEC 3.5): TSV, a header line naming the columns
 * with units, '#' comment lines (one per server restart). Columns are found
 * by name, so added or reordered columns do not matter; a header repeated
 * later (after a restart) maps them again. The log is append-only and a
 * crash can leave half a row, so a bad row is skipped and counted. */
#include "mm_trace_int.h"

#include <errno.h>
#include <string.h>

#include "mm_parse.h"

#define MAX_COLS  64
#define DOMID_MAX 0x7FEF              /* Xen's DOMID_FIRST_RESERVED - 1 */
#define TIME_MAX  (UINT64_C(1) << 53) /* ms: year ~287000, past any clock */
#define QUOTE_MAX 41

enum col { C_TIME, C_DOMID, C_TARGET, C_USED, C_FREE, C_SWAP, C_N };

static const char *const col_names[C_N] = {
    "time_ms", "domid", "target_kib", "used_kib", "free_kib", "swap_used_kib",
};

struct tsv_map {
	size_t ncols;
	int idx[C_N]; /* field index of each known column, -1 if absent */
};

/* True when the line is a header: one of its fields is "time_ms". */
static bool is_header(const struct mm_tspan *f, size_t nf)
{
	for (size_t i = 0; i < nf && i < MAX_COLS; i++)
		if (mm_tspan_eq(f[i], col_names[C_TIME]))
			return true;
	return false;
}

static int map_header(const struct mm_tline *l, const struct mm_tspan *f, size_t nf,
                      struct tsv_map *m, struct mm_trace_error *err)
{
	if (nf > MAX_COLS)
		return mm_trace_fail(err, l->no, -EINVAL, "%zu columns, at most %d", nf, MAX_COLS);
	for (int c = 0; c < C_N; c++)
		m->idx[c] = -1;
	m->ncols = nf;
	for (size_t i = 0; i < nf; i++) {
		for (int c = 0; c < C_N; c++) {
			if (!mm_tspan_eq(f[i], col_names[c]))
				continue;
			if (m->idx[c] >= 0)
				return mm_trace_fail(err, l->no, -EINVAL, "duplicate column %s",
				                     col_names[c]);
			m->idx[c] = (int)i;
		}
	}
	if (m->idx[C_USED] < 0)
		return mm_trace_fail(err, l->no, -EINVAL,
		                     "no used_kib column (not a per-domain log: rounds.tsv?)");
	return 0;
}

/* An optional KiB column: absent, empty or "-" means unknown. */
static bool opt_kib(const struct mm_tspan *f, int idx, uint32_t bit, uint64_t *kib, uint32_t *known)
{
	if (idx < 0 || f[idx].len == 0 || mm_tspan_eq(f[idx], "-"))
		return true;
	if (mm_tparse_kib(f[idx], kib))
		return false;
	*known |= bit;
	return true;
}

/* Fills s from a row's fields; returns NULL or why the row is bad. */
static const char *parse_row(const struct mm_tspan *f, const struct tsv_map *m, struct mm_trace *t,
                             uint64_t *time_ms, struct mm_trace_sample *s, bool *negative)
{
	uint64_t domid;
	const struct mm_tspan *d = m->idx[C_DOMID] >= 0 ? &f[m->idx[C_DOMID]] : NULL;

	*s = (struct mm_trace_sample){0};
	if (mm_parse_u64_n(f[m->idx[C_TIME]].s, f[m->idx[C_TIME]].len, TIME_MAX, time_ms))
		return "bad time_ms";
	if (mm_tparse_used(f[m->idx[C_USED]], &s->used_kib, negative))
		return "bad used_kib";
	s->known = MM_TRACE_F_USED;
	if (!opt_kib(f, m->idx[C_TARGET], MM_TRACE_F_TARGET, &s->target_kib, &s->known))
		return "bad target_kib";
	if (!opt_kib(f, m->idx[C_FREE], MM_TRACE_F_FREE, &s->free_kib, &s->known))
		return "bad free_kib";
	if (!opt_kib(f, m->idx[C_SWAP], MM_TRACE_F_SWAP, &s->swap_used_kib, &s->known))
		return "bad swap_used_kib";
	if (d && d->len > 0 && !mm_tspan_eq(*d, "-")) {
		if (mm_parse_u64_n(d->s, d->len, DOMID_MAX, &domid))
			return "bad domid";
		if (t->domid < 0) /* the first one: a rebooted guest gets a new id */
			t->domid = (int32_t)domid;
	}
	return NULL;
}

static int add_row(const struct mm_tline *l, const struct mm_tspan *f, size_t nf,
                   const struct tsv_map *m, struct mm_trace *t, struct mm_tclock *clock)
{
	struct mm_trace_sample s;
	uint64_t time_ms;
	bool negative = false;
	const char *why =
	    nf == m->ncols ? parse_row(f, m, t, &time_ms, &s, &negative) : "wrong number of fields";

	if (why) {
		mm_trace_skip(t, l->no, why);
		return 0;
	}
	if (t->n == 0)
		t->start_ms = time_ms;
	s.t_ms = mm_tclock_unix_ms(clock, t, time_ms);
	t->rows_clamped += negative;
	return mm_trace_push(t, &s);
}

int mm_trace_parse_tsv(struct mm_tcursor *c, struct mm_trace *t, struct mm_trace_error *err)
{
	struct mm_tspan f[MAX_COLS];
	struct tsv_map map = {0};
	struct mm_tclock clock = {0};
	struct mm_tline l;
	bool mapped = false;
	int rc;

	t->format = MM_TRACE_TSV;
	t->domid = -1;
	while (mm_tcursor_next(c, &l)) {
		size_t nf;

		if (l.len == 0)
			continue;
		if (l.s[0] == '#') {
			t->comments++;
			continue;
		}
		nf = mm_tsplit(l.s, l.len, '\t', false, f, MAX_COLS);
		if (is_header(f, nf)) {
			if ((rc = map_header(&l, f, nf, &map, err)))
				return rc;
			mapped = true;
		} else if (mapped && (rc = add_row(&l, f, nf, &map, t, &clock))) {
			return mm_trace_fail(err, l.no, rc, "out of memory");
		}
	}
	if (t->n > 0)
		return 0;
	if (t->rows_skipped > 0)
		return mm_trace_fail(err, t->first_skip_line, -ENODATA,
		                     "no usable row (%zu skipped, the first: %s)", t->rows_skipped,
		                     t->first_skip_why);
	return mm_trace_fail(err, c->no, -ENODATA, "no data rows after the header");
}
