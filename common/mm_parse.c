/* Strict decimal and size parsing. No locale, no strtoull: strtoull accepts
 * leading spaces and a minus sign, both of which we must refuse. */
#include "mm_parse.h"

#include <stdio.h>
#include <string.h>

const char *mm_parse_strerror(int err)
{
	switch (err) {
	case MM_PARSE_OK: return "ok";
	case MM_PARSE_EMPTY: return "empty value";
	case MM_PARSE_NOT_NUMBER: return "not a number";
	case MM_PARSE_TRAILING: return "unexpected characters after the number";
	case MM_PARSE_OVERFLOW: return "value too large";
	case MM_PARSE_SUFFIX: return "unknown suffix (use K, M, G or T)";
	case MM_PARSE_TOO_SMALL: return "bare number under 1024 is KiB: add a suffix, e.g. 150M";
	default: return "unknown parse error";
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads the leading digits of s[0..len) into *out, stopping at the first
 * non-digit; *used tells how many bytes were digits. */
static int scan_digits(const char *s, size_t len, uint64_t max, uint64_t *out, size_t *used)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len == 0)
		return MM_PARSE_EMPTY;
	if (!is_digit(s[0]))
		return MM_PARSE_NOT_NUMBER;
	for (; i < len && is_digit(s[i]); i++) {
		uint64_t d = (uint64_t)(s[i] - '0');
		/* d > max first: max - d would wrap and let "7" through a max of 5 */
		if (d > max || v > (max - d) / 10)
			return MM_PARSE_OVERFLOW;
		v = v * 10 + d;
	}
	*out = v;
	*used = i;
	return MM_PARSE_OK;
}

int mm_parse_u64_n(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v;
	size_t used;
	int rc = scan_digits(s, len, max, &v, &used);

	if (rc)
		return rc;
	if (used != len)
		return MM_PARSE_TRAILING;
	*out = v;
	return MM_PARSE_OK;
}

int mm_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s)
		return MM_PARSE_EMPTY;
	return mm_parse_u64_n(s, strlen(s), max, out);
}

/* Parses ".DDDDDD" (at most 6 digits) at s into millionths. */
static int scan_frac(const char *s, size_t len, uint64_t *micro, size_t *used)
{
	uint64_t v = 0, scale = 100000;
	size_t i = 1;

	if (len < 2 || s[0] != '.' || !is_digit(s[1]))
		return MM_PARSE_TRAILING;
	for (; i < len && is_digit(s[i]); i++) {
		if (i > 6)
			return MM_PARSE_TRAILING;
		v += (uint64_t)(s[i] - '0') * scale;
		scale /= 10;
	}
	*micro = v;
	*used = i;
	return MM_PARSE_OK;
}

int mm_parse_micro_n(const char *s, size_t len, uint64_t max_micro, uint64_t *out)
{
	uint64_t whole, frac = 0;
	size_t used, fused = 0;
	int rc = scan_digits(s, len, UINT64_MAX / 1000000, &whole, &used);

	if (rc)
		return rc;
	if (used < len) {
		rc = scan_frac(s + used, len - used, &frac, &fused);
		if (rc)
			return rc;
		if (used + fused != len)
			return MM_PARSE_TRAILING;
	}
	if (whole > max_micro / 1000000 || whole * 1000000 + frac > max_micro)
		return MM_PARSE_OVERFLOW;
	*out = whole * 1000000 + frac;
	return MM_PARSE_OK;
}

static int suffix_shift(char c, unsigned *shift)
{
	switch (c) {
	case 'k':
	case 'K': *shift = 0; return 0;
	case 'm':
	case 'M': *shift = 10; return 0;
	case 'g':
	case 'G': *shift = 20; return 0;
	case 't':
	case 'T': *shift = 30; return 0;
	default: return MM_PARSE_SUFFIX;
	}
}

int mm_parse_size_kib(const char *s, uint64_t *kib)
{
	size_t len, used, fused = 0;
	uint64_t whole, frac = 0;
	unsigned shift;
	int rc;

	if (!s)
		return MM_PARSE_EMPTY;
	len = strlen(s);
	rc = scan_digits(s, len, MM_SIZE_MAX_KIB, &whole, &used);
	if (rc)
		return rc;
	if (used < len && s[used] == '.') {
		rc = scan_frac(s + used, len - used, &frac, &fused);
		if (rc)
			return rc;
		used += fused;
	}
	if (used == len) {
		if (fused)
			return MM_PARSE_SUFFIX; /* "1.5" has no unit to make it whole */
		if (whole < 1024)
			return MM_PARSE_TOO_SMALL;
		*kib = whole;
		return MM_PARSE_OK;
	}
	if (used + 1 != len)
		return MM_PARSE_TRAILING;
	if (suffix_shift(s[used], &shift))
		return MM_PARSE_SUFFIX;
	if (whole > (MM_SIZE_MAX_KIB >> shift))
		return MM_PARSE_OVERFLOW;
	whole = (whole << shift) + ((frac << shift) / 1000000);
	if (whole > MM_SIZE_MAX_KIB)
		return MM_PARSE_OVERFLOW;
	*kib = whole;
	return MM_PARSE_OK;
}

int mm_format_size(uint64_t kib, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	unsigned u = 0;
	uint64_t whole = kib, rem = 0;

	while (u < 3 && whole >= 1024) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (rem == 0)
		return snprintf(buf, len, "%llu%c", (unsigned long long)whole, units[u]);
	/* one decimal, rounded down: "1.5G" */
	return snprintf(buf, len, "%llu.%llu%c", (unsigned long long)whole,
	                (unsigned long long)(rem * 10 / 1024), units[u]);
}
