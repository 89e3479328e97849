/* Fuzz target: mmclient's /proc/meminfo parser (client/mmc_meminfo.c). A
 * guest kernel is trusted more than a guest user, but a broken kernel or a
 * bind-mounted fake must not crash the client: parse or -EINVAL, and a
 * parsed total is the MemTotal line. */
#include <errno.h>

#include "fuzz.h"
#include "mmc_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmc_meminfo m;

	if (size > MMC_FILE_MAX)
		return 0; /* mmc_read_file never hands over more */
	int rc = mmc_meminfo_parse((const char *)data, size, &m);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	if (rc == 0 && !m.has_cached)
		FUZZ_CHECK(m.cached_kib == 0);
	return 0;
}
