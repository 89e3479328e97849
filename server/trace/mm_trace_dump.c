/* mm_trace_dump: prints a trace (2013 log or ours) as TSV with units in the
 * header on stdout, and a one-line key=value summary on stderr. It reads
 * one file and changes nothing.
 * Exit status: 0 ok, 1 the trace did not load, 2 bad usage. */
#include <stdio.h>
#include <string.h>

#include "mm_trace.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mm_trace_dump [-s] FILE\n"
	           "  prints the samples as TSV (t_ms, target_kib, used_kib, free_kib,\n"
	           "  swap_used_kib; '-' where the log has no such value) and a summary\n"
	           "  on stderr; -s prints only the summary.\n");
}

/* One value, or "-" when the format does not carry it. */
static void put(uint64_t v, int known, char sep)
{
	if (known)
		printf("%llu%c", (unsigned long long)v, sep);
	else
		printf("-%c", sep);
}

static void dump(const struct mm_trace *t)
{
	printf("t_ms\ttarget_kib\tused_kib\tfree_kib\tswap_used_kib\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct mm_trace_sample *s = &t->samples[i];
		printf("%llu\t", (unsigned long long)s->t_ms);
		put(s->target_kib, s->known & MM_TRACE_F_TARGET, '\t');
		put(s->used_kib, s->known & MM_TRACE_F_USED, '\t');
		put(s->free_kib, s->known & MM_TRACE_F_FREE, '\t');
		put(s->swap_used_kib, s->known & MM_TRACE_F_SWAP, '\n');
	}
}

static void summary(const char *path, const struct mm_trace *t)
{
	uint64_t ms = mm_trace_duration_ms(t);

	fprintf(stderr,
	        "file=%s format=%s domid=%d start_ms=%llu rows=%zu duration_s=%llu.%03llu "
	        "rows_clamped=%zu "
	        "rows_skipped=%zu midnight_wraps=%zu clock_steps=%zu comments=%zu\n",
	        path, mm_trace_format_name(t->format), (int)t->domid,
	        (unsigned long long)t->start_ms, t->n, (unsigned long long)(ms / 1000),
	        (unsigned long long)(ms % 1000), t->rows_clamped, t->rows_skipped,
	        t->midnight_wraps, t->clock_steps, t->comments);
	if (t->rows_skipped)
		fprintf(stderr, "file=%s first_skip_line=%zu why=\"%s\"\n", path,
		        t->first_skip_line, t->first_skip_why);
}

int main(int argc, char **argv)
{
	struct mm_trace t;
	struct mm_trace_error err;
	int only_summary = argc == 3 && strcmp(argv[1], "-s") == 0;
	const char *path = argv[argc - 1];

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 && !only_summary) {
		usage(stderr);
		return 2;
	}
	if (mm_trace_load(path, &t, &err)) {
		fprintf(stderr, "mm_trace_dump: %s: %s\n", path, err.text);
		return 1;
	}
	if (!only_summary)
		dump(&t);
	summary(path, &t);
	mm_trace_free(&t);
	return fflush(stdout) == 0 ? 0 : 1;
}
