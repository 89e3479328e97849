/* Log-linear histogram (see mc_hist.h). Group 0 holds values 0..127 one by
 * one; group g >= 1 holds [128 * 2^(g-1), 128 * 2^g) in 128 equal steps. */
#include "mc_hist.h"

#include <errno.h>
#include <math.h>
#include <string.h>

void mc_hist_reset(struct mc_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = UINT64_MAX;
}

uint32_t mc_hist_index(uint64_t v)
{
	unsigned msb, g;

	if (v >= (UINT64_C(1) << MC_HIST_MAX_BITS))
		v = (UINT64_C(1) << MC_HIST_MAX_BITS) - 1;
	if (v < MC_HIST_SUB)
		return (uint32_t)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	g = msb - MC_HIST_SUB_BITS + 1;
	return g * MC_HIST_SUB + (uint32_t)((v >> (g - 1)) - MC_HIST_SUB);
}

uint64_t mc_hist_bucket_low(uint32_t idx)
{
	uint32_t g = idx / MC_HIST_SUB, sub = idx % MC_HIST_SUB;

	if (g == 0)
		return sub;
	return (uint64_t)(MC_HIST_SUB + sub) << (g - 1);
}

uint64_t mc_hist_bucket_high(uint32_t idx)
{
	uint32_t g = idx / MC_HIST_SUB;

	if (g == 0)
		return idx;
	return mc_hist_bucket_low(idx) + (UINT64_C(1) << (g - 1)) - 1;
}

void mc_hist_add(struct mc_hist *h, uint64_t v)
{
	h->bucket[mc_hist_index(v)]++;
	h->count++;
	h->sum_ns += v;
	if (v < h->min_ns)
		h->min_ns = v;
	if (v > h->max_ns)
		h->max_ns = v;
}

void mc_hist_merge(struct mc_hist *dst, const struct mc_hist *src)
{
	if (src->count == 0)
		return;
	for (uint32_t i = 0; i < MC_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

uint64_t mc_hist_percentile(const struct mc_hist *h, double pct)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (pct <= 0)
		return h->min_ns;
	/* The epsilon keeps 99.9% of 10000 at rank 9990, not 9991. */
	rank = (uint64_t)ceil(pct / 100.0 * (double)h->count - 1e-9);
	if (rank == 0)
		rank = 1;
	if (rank >= h->count)
		return h->max_ns;
	for (uint32_t i = 0; i < MC_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t hi = mc_hist_bucket_high(i);
			return hi < h->max_ns ? hi : h->max_ns;
		}
	}
	return h->max_ns;
}

double mc_hist_mean_ns(const struct mc_hist *h)
{
	return h->count ? (double)h->sum_ns / (double)h->count : 0.0;
}

/* Layout: count, min, max, sum, n, then n pairs (index, count); all u64. */
size_t mc_hist_encoded_max(void)
{
	return (5 + 2 * (size_t)MC_HIST_BUCKETS) * sizeof(uint64_t);
}

size_t mc_hist_encode(const struct mc_hist *h, void *buf, size_t cap)
{
	uint64_t *w = buf;
	size_t n = 0, words = 5;

	for (uint32_t i = 0; i < MC_HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		if ((words + 2) * sizeof(uint64_t) > cap)
			return 0;
		w[words++] = i;
		w[words++] = h->bucket[i];
		n++;
	}
	if (words * sizeof(uint64_t) > cap)
		return 0;
	w[0] = h->count;
	w[1] = h->min_ns;
	w[2] = h->max_ns;
	w[3] = h->sum_ns;
	w[4] = n;
	return words * sizeof(uint64_t);
}

int mc_hist_decode_add(struct mc_hist *h, const void *buf, size_t len)
{
	const uint64_t *w = buf;
	struct mc_hist part;
	size_t n;

	if (len < 5 * sizeof(uint64_t) || len % sizeof(uint64_t))
		return -EPROTO;
	n = (size_t)w[4];
	if (n > MC_HIST_BUCKETS || len != (5 + 2 * n) * sizeof(uint64_t))
		return -EPROTO;
	mc_hist_reset(&part);
	for (size_t k = 0; k < n; k++) {
		uint64_t idx = w[5 + 2 * k];
		if (idx >= MC_HIST_BUCKETS)
			return -EPROTO;
		part.bucket[idx] += w[6 + 2 * k];
	}
	part.count = w[0];
	part.min_ns = w[1];
	part.max_ns = w[2];
	part.sum_ns = w[3];
	mc_hist_merge(h, &part);
	return 0;
}
