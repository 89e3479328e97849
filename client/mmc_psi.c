/* /proc/pressure/memory ("some avg10=0.12 avg60=... total=N" then a "full"
 * line) and the balloon's current_kb: two one-number files. Only the "some"
 * avg10 figure goes into the report. */
#include "mmc_proc.h"

#include <errno.h>
#include <string.h>

#include "mm_parse.h"

#define PSI_PREFIX "some avg10="

int mmc_psi_parse(const char *buf, size_t len, uint32_t *some10_centi)
{
	const size_t plen = sizeof(PSI_PREFIX) - 1;
	const char *v, *end;
	uint64_t micro;

	*some10_centi = 0;
	if (len < plen || memcmp(buf, PSI_PREFIX, plen) != 0)
		return -EINVAL;
	v = buf + plen;
	end = memchr(v, ' ', len - plen);
	if (!end)
		return -EINVAL;
	/* percent with 2 decimals, 0.00 .. 100.00 */
	if (mm_parse_micro_n(v, (size_t)(end - v), 100000000, &micro) || micro % 10000)
		return -EINVAL;
	*some10_centi = (uint32_t)(micro / 10000);
	return 0;
}

int mmc_balloon_parse(const char *buf, size_t len, uint64_t *kib)
{
	*kib = 0;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (mm_parse_u64_n(buf, len, MM_SIZE_MAX_KIB, kib))
		return -EINVAL;
	return 0;
}
