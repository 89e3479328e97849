/* Fuzz target: the trace readers (server/trace/: 2013 memory and swap logs,
 * our TSV log). Folds in the former tests/trace/test_trace_fuzz.c: its
 * invariants are checked here, its seeds are in corpus/fuzz_trace and its
 * tokens in dict/trace.dict. An error leaves the trace empty with a reason;
 * a trace has sorted times from 0, bounded sizes, and step lookup that
 * returns the last sample at or before the time asked. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "mm_parse.h"
#include "mm_trace.h"

static void check_lookup(const struct mm_trace *t, uint64_t q)
{
	const struct mm_trace_sample *x = mm_trace_sample_at(t, q);
	FUZZ_CHECK(x != NULL);
	size_t i = (size_t)(x - t->samples);
	FUZZ_CHECK(i < t->n && x->t_ms <= q);
	FUZZ_CHECK(i + 1 == t->n || t->samples[i + 1].t_ms > q);
	FUZZ_CHECK(mm_trace_demand_at(t, q) == x->used_kib);
}

static void check(const struct mm_trace *t, const struct mm_trace_error *err, int rc)
{
	if (rc) {
		FUZZ_CHECK(rc == -EINVAL || rc == -ENODATA || rc == -EFBIG || rc == -ENOMEM);
		FUZZ_CHECK(err->text[0] != '\0' && memchr(err->text, '\0', sizeof(err->text)));
		FUZZ_CHECK(t->samples == NULL && t->n == 0);
		return;
	}
	FUZZ_CHECK(t->n > 0 && t->n + t->rows_skipped <= t->lines);
	FUZZ_CHECK(t->samples[0].t_ms == 0);
	FUZZ_CHECK(t->rows_clamped <= t->n);
	FUZZ_CHECK(mm_trace_format_name(t->format) != NULL);
	for (size_t i = 0; i < t->n; i++) {
		const struct mm_trace_sample *x = &t->samples[i];
		FUZZ_CHECK(i == 0 || x->t_ms >= t->samples[i - 1].t_ms);
		FUZZ_CHECK(x->used_kib <= MM_SIZE_MAX_KIB && x->target_kib <= MM_SIZE_MAX_KIB);
		FUZZ_CHECK(x->free_kib <= MM_SIZE_MAX_KIB && x->swap_used_kib <= MM_SIZE_MAX_KIB);
		FUZZ_CHECK((x->known & ~t->fields) == 0);
	}
	uint64_t d = mm_trace_duration_ms(t);
	FUZZ_CHECK(d == t->samples[t->n - 1].t_ms);
	check_lookup(t, 0);
	check_lookup(t, d / 3);
	check_lookup(t, d / 2 + 1);
	check_lookup(t, d);
	check_lookup(t, d + 5000);
	check_lookup(t, UINT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_trace t;
	struct mm_trace_error err;

	int rc = mm_trace_parse_buf((const char *)data, size, &t, &err);
	check(&t, &err, rc);
	mm_trace_free(&t);
	FUZZ_CHECK(t.samples == NULL && t.n == 0);
	return 0;
}
