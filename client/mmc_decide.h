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

/* Whether a check must read /proc/meminfo (about 60 us of kernel time) or
 * may stop at the kernel's free-page count (sysinfo(2), about 1 us): read
 * when no report was written yet, when the heartbeat is due, when memory
 * pressure was signalled, or when free memory moved by half the threshold
 * since the last full read (a used-memory step of the threshold moves free
 * memory by at least that much unless the page cache pays for it, and then
 * reclaim shows up as pressure or at the next heartbeat). */
bool mmc_meminfo_worth_reading(const struct mmc_pace *p, const struct mmc_last *last,
                               uint64_t now_ms, uint64_t free_kib, uint64_t free_at_read_kib,
                               bool pressure);

#endif
