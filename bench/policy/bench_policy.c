/* bench_policy: what one balancing round (policy + guards) costs against the
 * number of domains, for every demand-aware policy: median and p99 over many
 * rounds, and the memory the core needs per domain. Prints JSON on stdout for
 * bench/evaluate --cost. A speed goal lives here, never in a timed test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm_balance.h"

static const char *const policies[] = {"ebb",         "tax",    "qmemman", "squeezed",
                                       "selfballoon", "hyperv", "proxmox"};
static const size_t sizes[] = {10, 100, 1000, 5000};

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t rnd(uint64_t *s) /* xorshift64: deterministic inputs */
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* One domain's report: used 100 MiB..1.1 GiB of a 1 GiB balloon, the rest swapped. */
static void report(struct mm_dom_in *d, uint64_t *seed)
{
	uint64_t used = 102400 + rnd(seed) % 1048576, bal = d->actual_kib;

	d->has_report = true;
	d->report.has = MM_REPORT_HAS_SWAP | MM_REPORT_HAS_BALLOON | MM_REPORT_HAS_PSI;
	d->report.balloon_cur_kib = bal;
	d->report.tot_kib = bal - 61440;
	d->report.free_kib = used < d->report.tot_kib ? d->report.tot_kib - used : 0;
	d->report.swap_total_kib = 1048576;
	d->report.swap_used_kib = used > d->report.tot_kib ? used - d->report.tot_kib : 0;
	d->report.psi_some10_centi = (uint32_t)(rnd(seed) % 50);
}

static int bench(const char *name, size_t n, int first)
{
	struct mm_policy pol;
	struct mm_guard_cfg cfg = {.deadband_kib = MM_GUARD_DEADBAND_KIB};
	struct mm_dom_in *in = calloc(n, sizeof(*in)), *win = calloc(n, sizeof(*win));
	struct mm_dom_out *out = calloc(n, sizeof(*out)), *wout = calloc(n, sizeof(*wout));
	size_t *idx = calloc(n, sizeof(*idx)), rounds = n <= 1000 ? 400 : 100;
	unsigned char(*mem)[MM_POLICY_DOM_BYTES] = calloc(n, MM_POLICY_DOM_BYTES);
	uint64_t *cost = calloc(rounds, sizeof(*cost)), seed = 88172645463325252u;
	char err[256];
	int rc = 1;

	if (!in || !win || !out || !wout || !idx || !mem || !cost ||
	    mm_policy_init(&pol, name, err, sizeof(err)))
		goto out;
	for (size_t i = 0; i < n; i++)
		in[i] = (struct mm_dom_in){.domid = (uint32_t)i + 1,
		                           .actual_kib = 1048576,
		                           .target_kib = 1048576,
		                           .maxmem_kib = 4194304,
		                           .floor_kib = 204800,
		                           .weight = 50,
		                           .pol = mem[i]};
	for (size_t r = 0; r < rounds; r++) {
		struct mm_snapshot s = {.n = n,
		                        .dom = in,
		                        .pool_kib = (uint64_t)n * 1048576,
		                        .free_goal_kib = 153600,
		                        .host_free_kib = (uint64_t)n * 65536,
		                        .reserve_kib = 65536,
		                        .now_ms = r * 1000,
		                        .interval_ms = 1000};
		struct mm_balance_work w = {.cap = n, .in = win, .out = wout, .idx = idx};
		struct mm_plan p = {.n = n, .dom = out};
		uint64_t t0;
		for (size_t i = 0; i < n; i++)
			report(&in[i], &seed);
		t0 = now_ns();
		mm_balance_round(&pol, &cfg, &s, &w, &p);
		cost[r] = now_ns() - t0;
		for (size_t i = 0; i < n; i++) /* the balloons follow */
			in[i].actual_kib = in[i].target_kib = out[i].target_kib;
	}
	qsort(cost, rounds, sizeof(*cost), cmp_u64);
	printf("%s{\"policy\": \"%s\", \"domains\": %zu, \"rounds\": %zu, \"median_us\": %.1f, "
	       "\"p99_us\": %.1f, \"bytes_per_domain\": %zu}",
	       first ? "" : ",\n ", name, n, rounds, (double)cost[rounds / 2] / 1000.0,
	       (double)cost[rounds * 99 / 100] / 1000.0,
	       2 * sizeof(struct mm_dom_in) + 2 * sizeof(struct mm_dom_out) + sizeof(size_t) +
	           MM_POLICY_DOM_BYTES);
	mm_policy_dispose(&pol);
	rc = 0;
out:
	free(in), free(win), free(out), free(wout), free(idx), free(mem), free(cost);
	if (rc)
		fprintf(stderr, "bench_policy: %s: setup failed\n", name);
	return rc;
}

int main(void)
{
	int first = 1;

	printf("[");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t p = 0; p < sizeof(policies) / sizeof(policies[0]); p++) {
			if (bench(policies[p], sizes[s], first))
				return 1;
			first = 0;
		}
	printf("]\n");
	return 0;
}
