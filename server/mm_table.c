/* Sizes are shown in MiB, times in seconds; a bar shows used/target/maxmem
 * so a change is visible at a glance. */
#include "mm_table.h"

#include <string.h>

#define BAR 24

static unsigned long long mib(uint64_t kib)
{
	return (unsigned long long)(kib / 1024);
}

/* '#' used, '=' rest of the target, '.' up to maxmem. */
static void bar(char *out, const struct mm_round_dom *d)
{
	uint64_t max = d->maxmem_kib ? d->maxmem_kib : 1;
	uint64_t used = mm_report_used_kib(&d->report);
	size_t u = (size_t)(used * BAR / max), t = (size_t)(d->target_kib * BAR / max);

	for (size_t i = 0; i < BAR; i++)
		out[i] = i < u ? '#' : i < t ? '=' : '.';
	out[BAR] = '\0';
}

void mm_table_print(FILE *f, const struct mm_round *r, bool redraw)
{
	static uint64_t first_ms; /* time is shown since the first round */
	char b[BAR + 1];

	if (r->seq == 1 || !first_ms)
		first_ms = r->time_ms;
	if (redraw)
		fputs("\033[H\033[2J", f);
	fprintf(f,
	        "round %llu  t_s=%.1f  policy=%s  tau=%.3f  pool_mib=%llu  host_free_mib=%llu  "
	        "reserve_mib=%llu  f_mib=%llu  writes=%llu  cost_us=%llu\n",
	        (unsigned long long)r->seq, (double)(r->time_ms - first_ms) / 1000.0, r->policy,
	        r->tau, mib(r->pool_kib), mib(r->host_free_kib), mib(r->reserve_kib),
	        mib(r->free_goal_kib), (unsigned long long)r->writes,
	        (unsigned long long)r->cost_us);
	fprintf(f, "%5s %-12s %10s %10s %10s %10s %10s %9s %-9s %s\n", "domid", "name",
	        "target_mib", "actual_mib", "used_mib", "free_mib", "maxmem_mib", "swap_mib",
	        "reason", "used#/target=/maxmem.");
	for (size_t i = 0; i < r->n; i++) {
		const struct mm_round_dom *d = &r->dom[i];
		bar(b, d);
		fprintf(f, "%5u %-12.12s %10llu %10llu %10llu %10llu %10llu %9llu %-9s %s\n",
		        d->domid, d->name, mib(d->target_kib), mib(d->actual_kib),
		        mib(mm_report_used_kib(&d->report)), mib(d->report.free_kib),
		        mib(d->maxmem_kib), mib(d->report.swap_used_kib), mm_reason_name(d->reason),
		        b);
	}
	fflush(f);
}
