/* Request mix (see mc_mix.h). Hot-spot keys: with probability hot_prob the
 * key comes from the first hot_frac of the key space, else from the rest.
 * Zipf: rejection-inversion, written from the paper's description: sample
 * the continuous hat H over [1.5, n+0.5], round to the nearest rank, and
 * accept by comparing with the exact mass. */
#include "mc_mix.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "mm_tp.h"

/* log(1+x)/x and (exp(x)-1)/x, continuous at 0. */
static double log1p_over(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x / 2.0;
}

static double expm1_over(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x / 2.0;
}

/* H(x) = integral of x^-s: (x^(1-s) - 1) / (1 - s), log x at s = 1. */
static double zh(const struct mc_zipf *z, double x)
{
	double lx = log(x);
	return expm1_over((1.0 - z->s) * lx) * lx;
}

static double zh_inv(const struct mc_zipf *z, double y)
{
	double t = y * (1.0 - z->s);
	if (t < -1.0)
		t = -1.0; /* rounding at the far end of the range */
	return exp(log1p_over(t) * y);
}

static double zpow(const struct mc_zipf *z, double x)
{
	return exp(-z->s * log(x));
}

void mc_zipf_init(struct mc_zipf *z, double s, uint64_t n)
{
	z->s = s;
	z->n = n;
	z->h_x1 = zh(z, 1.5) - 1.0;
	z->h_n = zh(z, (double)n + 0.5);
	z->s_thresh = 2.0 - zh_inv(z, zh(z, 2.5) - zpow(z, 2.0));
}

uint64_t mc_zipf_next(const struct mc_zipf *z, uint64_t *rng)
{
	for (;;) {
		double u = z->h_n + mm_tp_rand_unit(rng) * (z->h_x1 - z->h_n);
		double x = zh_inv(z, u);
		double kd = floor(x + 0.5);
		uint64_t k;
		if (kd < 1)
			kd = 1;
		if (kd > (double)z->n)
			kd = (double)z->n;
		k = (uint64_t)kd;
		if (kd - x <= z->s_thresh || u >= zh(z, kd + 0.5) - zpow(z, kd))
			return k;
	}
}

void mc_mix_init(struct mc_mix *m)
{
	if (m->zipf_s > 0 && m->keys > 0)
		mc_zipf_init(&m->zipf, m->zipf_s, m->keys);
}

uint32_t mc_mix_value_len(struct mc_mix *m)
{
	if (m->nsizes) {
		double u = mm_tp_rand_unit(&m->rng);
		for (uint32_t i = 0; i + 1 < m->nsizes; i++)
			if (u < m->cum_weight[i])
				return m->size[i];
		return m->size[m->nsizes - 1];
	}
	if (m->value_min == m->value_max)
		return m->value_min;
	return (uint32_t)mm_tp_rand_range(&m->rng, m->value_min, m->value_max);
}

static uint64_t pick_key(struct mc_mix *m)
{
	uint64_t hot;

	if (m->zipf_s > 0)
		return mc_zipf_next(&m->zipf, &m->rng) - 1;
	if (m->hot_frac <= 0 || m->keys < 2)
		return mm_tp_rand_range(&m->rng, 0, m->keys - 1);
	hot = (uint64_t)((double)m->keys * m->hot_frac);
	if (hot < 1)
		hot = 1;
	if (hot >= m->keys)
		return mm_tp_rand_range(&m->rng, 0, m->keys - 1);
	if (mm_tp_rand_unit(&m->rng) < m->hot_prob)
		return mm_tp_rand_range(&m->rng, 0, hot - 1);
	return mm_tp_rand_range(&m->rng, hot, m->keys - 1);
}

void mc_mix_next(struct mc_mix *m, struct mc_pick *p)
{
	p->op = mm_tp_rand_unit(&m->rng) < m->get_ratio ? MC_OP_GET : MC_OP_SET;
	p->key = pick_key(m);
	p->value_len = p->op == MC_OP_SET ? mc_mix_value_len(m) : 0;
}

uint32_t mc_key_min_len(uint64_t keys)
{
	uint32_t digits = 1;

	for (uint64_t k = keys > 0 ? keys - 1 : 0; k >= 10; k /= 10)
		digits++;
	return 2 + digits;
}

int mc_key_format(uint64_t k, uint32_t key_len, char *buf)
{
	uint32_t i = key_len;

	if (key_len < 3)
		return -ERANGE;
	buf[0] = 'm';
	buf[1] = 'c';
	/* Digits from the right; the padding is one memset, not a division per
	 * byte (a 64-byte key would otherwise cost 62 divisions a request). */
	do {
		buf[--i] = (char)('0' + k % 10);
		k /= 10;
	} while (k && i > 2);
	if (k)
		return -ERANGE;
	memset(buf + 2, '0', i - 2);
	return (int)key_len;
}
