/* What mmclient reads from a guest kernel: /proc/meminfo, /proc/vmstat,
 * /proc/pressure/memory and the Xen balloon's current size. Each source has a
 * pure "parse this buffer" function (unit tested) and a "read this file" one.
 * Nothing here talks to xenstore or builds the report. */
#ifndef MMC_PROC_H
#define MMC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest file we read: /proc/vmstat is about 4 KiB on Linux 6.1, so 64 KiB
 * leaves room for many kernel versions to come. */
#define MMC_FILE_MAX 65536

struct mmc_meminfo {
	uint64_t total_kib;  /* MemTotal (required) */
	uint64_t free_kib;   /* MemFree (required) */
	uint64_t cached_kib; /* Cached; 0 when has_cached is false */
	uint64_t avail_kib;  /* MemAvailable (Linux >= 3.14) */
	uint64_t swap_total_kib, swap_free_kib;
	bool has_cached, has_avail, has_swap; /* has_swap: both swap lines seen */
};

struct mmc_vmstat {
	uint64_t pswpin, pswpout, pgmajfault; /* meaningful when all three seen */
	bool complete;
};

/* Each parse returns 0, or -EINVAL for garbage in a line we need (bad number,
 * duplicate key, missing required key); unknown lines are skipped. */
int mmc_meminfo_parse(const char *buf, size_t len, struct mmc_meminfo *out);
int mmc_vmstat_parse(const char *buf, size_t len, struct mmc_vmstat *out);
/* "some avg10=1.25 ..." -> 125 (1/100 %), in [0, 10000]. */
int mmc_psi_parse(const char *buf, size_t len, uint32_t *some10_centi);
/* One decimal number of KiB, optionally followed by a newline. */
int mmc_balloon_parse(const char *buf, size_t len, uint64_t *kib);

/* Reads the whole of a small file into buf (NUL-terminated); returns the
 * length or a negative errno (-ENOENT when missing, -EFBIG when too big). */
long mmc_read_file(const char *path, char *buf, size_t cap);

#endif
