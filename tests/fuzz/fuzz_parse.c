/* Fuzz target: the strict number and size parsers (common/mm_parse.c) that
 * read command lines, config values, report fields and HTTP queries. The
 * first byte picks a limit; the rest is the text. mm_parse_u64_n is checked
 * against a plain reference; a parsed size must format and parse back to no
 * more than itself (formatting rounds down). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mm_parse.h"

static const uint64_t limits[] = {UINT64_MAX, MM_SIZE_MAX_KIB, 86400, 0, 1000000, 10000};

/* Obvious reference: digits only, at least one, value <= max. */
static bool ref_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	unsigned __int128 v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = (uint64_t)v;
	return true;
}

static void check_size(const char *text)
{
	uint64_t kib = 0, back = 0;
	char out[64];

	if (mm_parse_size_kib(text, &kib) != MM_PARSE_OK)
		return;
	FUZZ_CHECK(kib <= MM_SIZE_MAX_KIB);
	int n = mm_format_size(kib, out, sizeof(out));
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(out));
	FUZZ_CHECK(mm_parse_size_kib(out, &back) == MM_PARSE_OK);
	FUZZ_CHECK(back <= kib);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint64_t max = limits[data[0] % (sizeof(limits) / sizeof(limits[0]))];
	const char *s = (const char *)data + 1;
	size_t len = size - 1;
	uint64_t v = 0, want = 0, micro = 0;

	int rc = mm_parse_u64_n(s, len, max, &v);
	FUZZ_CHECK(mm_parse_strerror(rc) != NULL);
	FUZZ_CHECK((rc == MM_PARSE_OK) == ref_u64(s, len, max, &want));
	if (rc == MM_PARSE_OK)
		FUZZ_CHECK(v == want);

	rc = mm_parse_micro_n(s, len, max, &micro);
	if (rc == MM_PARSE_OK)
		FUZZ_CHECK(micro <= max);

	char *text = malloc(len + 1); /* the NUL-terminated forms stop at a NUL byte */
	if (!text)
		return 0;
	memcpy(text, s, len);
	text[len] = '\0';
	if (mm_parse_u64(text, max, &v) == MM_PARSE_OK)
		FUZZ_CHECK(v <= max); /* the text may end early, at a NUL */
	check_size(text);
	free(text);
	return 0;
}
