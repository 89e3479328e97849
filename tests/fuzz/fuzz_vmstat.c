/* Fuzz target: mmclient's /proc/vmstat parser (client/mmc_vmstat.c):
 * parse or -EINVAL, never a crash or a read past the buffer. */
#include <errno.h>

#include "fuzz.h"
#include "mmc_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmc_vmstat v;

	if (size > MMC_FILE_MAX)
		return 0;
	int rc = mmc_vmstat_parse((const char *)data, size, &v);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	return 0;
}
