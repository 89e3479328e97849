/* Fuzz target: mmserver.conf(5) (server/mm_config.c). Root writes this
 * file, but a typo must give "line N: ..." and never a crash; settings it
 * accepts stay within what the loop can take. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "mm_config.h"
#include "mm_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_settings s;
	unsigned given = 0;
	char err[256] = "";

	mm_settings_defaults(&s, "tax");
	int rc = mm_config_parse((const char *)data, size, &s, &given, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	FUZZ_CHECK(memchr(s.policy, '\0', sizeof(s.policy)) != NULL);
	FUZZ_CHECK(s.nfloors <= MM_FLOORS_MAX);
	if (rc == 0) {
		FUZZ_CHECK(s.pool_kib <= MM_SIZE_MAX_KIB && s.free_kib <= MM_SIZE_MAX_KIB);
		FUZZ_CHECK(s.reserve_kib <= MM_SIZE_MAX_KIB && s.floor_kib <= MM_SIZE_MAX_KIB);
		for (size_t i = 0; i < s.nfloors; i++)
			FUZZ_CHECK(memchr(s.floors[i].name, '\0', sizeof(s.floors[i].name)) !=
			           NULL);
	} else {
		FUZZ_CHECK(err[0] != '\0'); /* a refusal always says why */
	}
	return 0;
}
