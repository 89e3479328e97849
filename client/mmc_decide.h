/* When mmclient writes a report: a pure function of the clock and the last
 * two used-memory figures, so the pacing rules are unit tested. */
#ifndef MMC_DECIDE_H
#define MMC_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

struct mmc_pace {
	uint64_t interval_ms;   /* a report at least this often (default 1000) */
	uint64_t threshold_kib; /* and at once when used moves more (default 16 MiB) */
};

struct mmc_last {
	bool written;     /* false until the first successful write */
	uint64_t time_ms; /* monotonic time of the last write */
	uint64_t used_kib;
};

bool mmc_report_due(const struct mmc_pace *p, const struct mmc_last *last, uint64_t now_ms,
                    uint64_t used_kib);

#endif
