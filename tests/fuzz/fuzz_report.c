/* Fuzz target: the guest report (SPEC 2), the one line every guest writes.
 * Checks beyond "no crash": a refused report leaves *out zeroed; an accepted
 * one is consistent (free <= tot, swap_used <= swap_total) and survives
 * format -> parse unchanged. Inputs holding a newline also feed the 2013
 * two-node form (memory/free before the newline, memory/tot after). */
#include <string.h>

#include "fuzz.h"
#include "mm_report.h"

static int same(const struct mm_report *a, const struct mm_report *b)
{
	return a->has == b->has && a->seq == b->seq && a->tot_kib == b->tot_kib &&
	       a->free_kib == b->free_kib && a->avail_kib == b->avail_kib &&
	       a->cached_kib == b->cached_kib && a->swap_total_kib == b->swap_total_kib &&
	       a->swap_used_kib == b->swap_used_kib && a->pswpin == b->pswpin &&
	       a->pswpout == b->pswpout && a->pgmajfault == b->pgmajfault &&
	       a->psi_some10_centi == b->psi_some10_centi &&
	       a->balloon_cur_kib == b->balloon_cur_kib;
}

static int zeroed(const struct mm_report *r)
{
	static const struct mm_report zero;
	return same(r, &zero);
}

static void check_accepted(const struct mm_report *r)
{
	char text[MM_REPORT_MAX_BYTES + 1];
	struct mm_report again;

	FUZZ_CHECK(r->free_kib <= r->tot_kib);
	FUZZ_CHECK(mm_report_used_kib(r) <= r->tot_kib);
	if (r->has & MM_REPORT_HAS_SWAP)
		FUZZ_CHECK(r->swap_used_kib <= r->swap_total_kib);
	if (r->has & MM_REPORT_LEGACY)
		return; /* the two-node form has no one-line text of its own */
	int n = mm_report_format(r, text, sizeof(text));
	if (n < 0)
		return; /* canonical text longer than 512 bytes (e.g. psi=1 -> 0.01) */
	FUZZ_CHECK((size_t)n == strlen(text));
	FUZZ_CHECK(mm_report_parse(text, (size_t)n, &again, NULL) == 0);
	FUZZ_CHECK(same(r, &again));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct mm_report r;
	struct mm_report_error err;

	int rc = mm_report_parse(s, size, &r, &err);
	FUZZ_CHECK(rc <= 0 && rc >= MM_REPORT_E_INCONSISTENT);
	FUZZ_CHECK(err.code == rc && memchr(err.key, '\0', sizeof(err.key)));
	FUZZ_CHECK(mm_report_strerror(rc) != NULL);
	if (rc == 0)
		check_accepted(&r);
	else
		FUZZ_CHECK(zeroed(&r));

	const char *nl = memchr(s, '\n', size);
	if (nl) {
		size_t free_len = (size_t)(nl - s);
		rc = mm_report_parse_legacy(s, free_len, nl + 1, size - free_len - 1, &r, &err);
		FUZZ_CHECK(rc <= 0);
		if (rc == 0) {
			FUZZ_CHECK(r.has == MM_REPORT_LEGACY);
			check_accepted(&r);
		} else {
			FUZZ_CHECK(zeroed(&r));
		}
	}
	return 0;
}
