/* Request mix (see mc_mix.h). Hot-spot keys: with probability hot_prob the
 * key comes from the first hot_frac of the key space, else from the rest. */
#include "mc_mix.h"

#include <errno.h>
#include <string.h>

#include "mm_tp.h"

uint32_t mc_mix_value_len(struct mc_mix *m)
{
	if (m->value_min == m->value_max)
		return m->value_min;
	return (uint32_t)mm_tp_rand_range(&m->rng, m->value_min, m->value_max);
}

static uint64_t pick_key(struct mc_mix *m)
{
	uint64_t hot;

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
