/* HDR-style log-linear latency histogram: exact below 128 ns, then 128
 * buckets per power of two (relative error under 1/128 = 0.8%). Fixed
 * size, no allocation; values are nanoseconds. Nothing here prints. */
#ifndef MC_HIST_H
#define MC_HIST_H

#include <stddef.h>
#include <stdint.h>

#define MC_HIST_SUB_BITS 7
#define MC_HIST_SUB      (1u << MC_HIST_SUB_BITS)
#define MC_HIST_MAX_BITS 40 /* values are clamped below 2^40 ns (18 min) */
#define MC_HIST_BUCKETS  ((MC_HIST_MAX_BITS - MC_HIST_SUB_BITS + 1) * MC_HIST_SUB)

struct mc_hist {
	uint64_t count;
	uint64_t min_ns, max_ns; /* exact; min is UINT64_MAX when empty */
	uint64_t sum_ns;
	uint64_t bucket[MC_HIST_BUCKETS];
};

void mc_hist_reset(struct mc_hist *h);
uint32_t mc_hist_index(uint64_t v_ns);
/* Smallest and largest value that land in bucket idx. */
uint64_t mc_hist_bucket_low(uint32_t idx);
uint64_t mc_hist_bucket_high(uint32_t idx);
void mc_hist_add(struct mc_hist *h, uint64_t v_ns);
void mc_hist_merge(struct mc_hist *dst, const struct mc_hist *src);
/* Value at percentile pct (0..100): the highest value of the bucket that
 * holds the ceil(pct% * count)-th smallest sample, capped at the exact max.
 * 0 when empty. */
uint64_t mc_hist_percentile(const struct mc_hist *h, double pct);
double mc_hist_mean_ns(const struct mc_hist *h);

/* Sparse binary form (only non-empty buckets) for the worker->parent pipe.
 * encode returns the bytes written or 0 if cap is too small; decode adds
 * what it reads to h and returns 0 or -EPROTO. */
size_t mc_hist_encoded_max(void);
size_t mc_hist_encode(const struct mc_hist *h, void *buf, size_t cap);
int mc_hist_decode_add(struct mc_hist *h, const void *buf, size_t len);

#endif
