/* /proc/meminfo parser: "Key:   123 kB" lines. Only the keys the report
 * needs are checked strictly; every other line is skipped unread, so a new
 * kernel adding lines (or odd lines we never use) changes nothing. */
#include "mmc_proc.h"

#include <errno.h>
#include <string.h>

#include "mm_parse.h"

enum { K_TOTAL, K_FREE, K_CACHED, K_AVAIL, K_SWAP_TOTAL, K_SWAP_FREE, K_N };

static const char *const key_names[K_N] = {
    "MemTotal", "MemFree", "Cached", "MemAvailable", "SwapTotal", "SwapFree",
};

static int key_index(const char *k, size_t len)
{
	for (int i = 0; i < K_N; i++)
		if (strlen(key_names[i]) == len && memcmp(key_names[i], k, len) == 0)
			return i;
	return -1;
}

/* Value part after "Key:": spaces, digits, then nothing or " kB". */
static int parse_value(const char *v, size_t len, uint64_t *kib)
{
	size_t i = 0, digits;

	while (i < len && v[i] == ' ')
		i++;
	digits = i;
	while (digits < len && v[digits] >= '0' && v[digits] <= '9')
		digits++;
	if (!(digits == len || (len - digits == 3 && memcmp(v + digits, " kB", 3) == 0)))
		return -EINVAL;
	if (mm_parse_u64_n(v + i, digits - i, MM_SIZE_MAX_KIB, kib))
		return -EINVAL;
	return 0;
}

/* Stores one line; seen has one bit per key so a duplicate is refused. */
static int take_line(const char *line, size_t len, uint64_t vals[K_N], unsigned *seen)
{
	const char *colon = memchr(line, ':', len);
	int k;

	if (!colon)
		return 0;
	k = key_index(line, (size_t)(colon - line));
	if (k < 0)
		return 0;
	if (*seen & (1u << k))
		return -EINVAL;
	*seen |= 1u << k;
	return parse_value(colon + 1, len - (size_t)(colon - line) - 1, &vals[k]);
}

int mmc_meminfo_parse(const char *buf, size_t len, struct mmc_meminfo *out)
{
	uint64_t vals[K_N] = {0};
	unsigned seen = 0;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		if (take_line(buf + pos, llen, vals, &seen))
			return -EINVAL;
		pos += llen + 1;
	}
	if (!(seen & (1u << K_TOTAL)) || !(seen & (1u << K_FREE)) || vals[K_TOTAL] == 0)
		return -EINVAL;
	out->total_kib = vals[K_TOTAL];
	out->free_kib = vals[K_FREE];
	out->cached_kib = vals[K_CACHED];
	out->avail_kib = vals[K_AVAIL];
	out->swap_total_kib = vals[K_SWAP_TOTAL];
	out->swap_free_kib = vals[K_SWAP_FREE];
	out->has_cached = seen & (1u << K_CACHED);
	out->has_avail = seen & (1u << K_AVAIL);
	out->has_swap = (seen & (1u << K_SWAP_TOTAL)) && (seen & (1u << K_SWAP_FREE));
	return 0;
}
