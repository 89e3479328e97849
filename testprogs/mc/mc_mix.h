/* What each request is: get or set, which key, how large a value; drawn
 * from a seeded generator. Also the key text for a key number. Pure: no
 * I/O, no clock. */
#ifndef MC_MIX_H
#define MC_MIX_H

#include <stddef.h>
#include <stdint.h>

#include "mc_proto.h"

#define MC_VSIZES_MAX 16 /* entries of a weighted value-size list */

/* Zipf ranks by rejection-inversion (W. Hoermann, G. Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions",
 * ACM TOMACS 6(3), 1996): O(1) per draw for any key count, no table. */
struct mc_zipf {
	double s;                   /* exponent > 0 */
	uint64_t n;                 /* ranks 1..n */
	double h_x1, h_n, s_thresh; /* set by mc_zipf_init */
};

struct mc_mix {
	uint64_t rng;
	double get_ratio;              /* share of gets, 0..1 */
	uint64_t keys;                 /* key numbers are 0..keys-1 */
	double hot_frac;               /* 0: uniform keys; else this share of keys ... */
	double hot_prob;               /* ... receives this share of requests */
	double zipf_s;                 /* > 0: Zipf popularity (key 0 the most popular) */
	struct mc_zipf zipf;           /* set by mc_mix_init when zipf_s > 0 */
	uint32_t value_min, value_max; /* bytes, uniform when nsizes == 0 */
	uint32_t nsizes;               /* > 0: value sizes from this weighted list */
	uint32_t size[MC_VSIZES_MAX];
	double cum_weight[MC_VSIZES_MAX]; /* cumulative, the last is 1 */
};

struct mc_pick {
	enum mc_op op;
	uint64_t key;
	uint32_t value_len;
};

/* Call once the fields are set (prepares Zipf). */
void mc_mix_init(struct mc_mix *m);
void mc_mix_next(struct mc_mix *m, struct mc_pick *p);
void mc_zipf_init(struct mc_zipf *z, double s, uint64_t n);
/* A rank in 1..n, P(k) proportional to k^-s. */
uint64_t mc_zipf_next(const struct mc_zipf *z, uint64_t *rng);
uint32_t mc_mix_value_len(struct mc_mix *m);

/* Key text for key number k: "mc" then k zero-padded to exactly key_len
 * bytes. Returns key_len, or -ERANGE if k does not fit. */
int mc_key_format(uint64_t k, uint32_t key_len, char *buf);
/* Shortest key length that fits every key number below keys. */
uint32_t mc_key_min_len(uint64_t keys);

#endif
