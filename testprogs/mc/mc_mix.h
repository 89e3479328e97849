/* What each request is: get or set, which key, how large a value; drawn
 * from a seeded generator. Also the key text for a key number. Pure: no
 * I/O, no clock. */
#ifndef MC_MIX_H
#define MC_MIX_H

#include <stddef.h>
#include <stdint.h>

#include "mc_proto.h"

struct mc_mix {
	uint64_t rng;
	double get_ratio;              /* share of gets, 0..1 */
	uint64_t keys;                 /* key numbers are 0..keys-1 */
	double hot_frac;               /* 0: uniform keys; else this share of keys ... */
	double hot_prob;               /* ... receives this share of requests */
	uint32_t value_min, value_max; /* bytes, uniform */
};

struct mc_pick {
	enum mc_op op;
	uint64_t key;
	uint32_t value_len;
};

void mc_mix_next(struct mc_mix *m, struct mc_pick *p);
uint32_t mc_mix_value_len(struct mc_mix *m);

/* Key text for key number k: "mc" then k zero-padded to exactly key_len
 * bytes. Returns key_len, or -ERANGE if k does not fit. */
int mc_key_format(uint64_t k, uint32_t key_len, char *buf);
/* Shortest key length that fits every key number below keys. */
uint32_t mc_key_min_len(uint64_t keys);

#endif
