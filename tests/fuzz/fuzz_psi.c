/* Fuzz target: mmclient's /proc/pressure/memory and balloon-size parsers
 * (client/mmc_psi.c). A parsed PSI average is a percentage: [0, 10000]
 * hundredths. */
#include <errno.h>

#include "fuzz.h"
#include "mmc_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t centi = 0;
	uint64_t kib = 0;

	if (size > MMC_FILE_MAX)
		return 0;
	int rc = mmc_psi_parse((const char *)data, size, &centi);
	FUZZ_CHECK(rc <= 0);
	if (rc == 0)
		FUZZ_CHECK(centi <= 10000);
	rc = mmc_balloon_parse((const char *)data, size, &kib);
	FUZZ_CHECK(rc <= 0);
	return 0;
}
