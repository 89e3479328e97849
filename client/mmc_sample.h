/* One sample of the guest's memory state, read from a (possibly fake) /proc
 * and /sys root, and the pure step that turns it into a struct mm_report.
 * No xenstore here. */
#ifndef MMC_SAMPLE_H
#define MMC_SAMPLE_H

#include <stdint.h>

#include "mm_report.h"
#include "mmc_proc.h"

#define MMC_BALLOON_REL "devices/system/xen_memory/xen_memory0/info/current_kb"

struct mmc_sample {
	struct mmc_meminfo mem;
	struct mmc_vmstat vm;
	uint32_t psi_some10_centi;
	uint64_t balloon_cur_kib;
	bool has_psi, has_balloon;
};

/* Reads <proc_root>/meminfo (required), <proc_root>/vmstat,
 * <proc_root>/pressure/memory and <sys_root>/MMC_BALLOON_REL (each optional:
 * a missing or unparsable optional file just leaves its part out).
 * Returns 0 or a negative errno about meminfo. */
int mmc_sample_read(const char *proc_root, const char *sys_root, struct mmc_sample *out);
/* The two halves of mmc_sample_read: meminfo alone is all a 100 ms check
 * needs; vmstat (the costly one: ~200 lines), PSI and the balloon are read
 * only when a report is due. */
int mmc_sample_read_mem(const char *proc_root, struct mmc_sample *out);
void mmc_sample_read_rest(const char *proc_root, const char *sys_root, struct mmc_sample *out);

/* The report for this sample (SPEC 2): free = MemFree + Cached, capped at
 * MemTotal; swap_used = SwapTotal - SwapFree. Pure. */
void mmc_report_build(const struct mmc_sample *s, uint64_t seq, struct mm_report *out);

#endif
