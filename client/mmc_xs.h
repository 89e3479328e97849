/* mmclient's xenstore writer: the only client code that includes
 * xenstore.h. A tiny API so other guest-side programs (mm_test_client) can
 * publish reports the same way. Paths are relative to the caller's own
 * /local/domain/<domid>, which xenstored resolves; no domid needed. */
#ifndef MMC_XS_H
#define MMC_XS_H

#include <stdbool.h>
#include <stddef.h>

#include "mm_report.h"

struct mmc_xs;

/* Connects to xenstore; 0 or a negative errno (-ENOENT: no xenstore here). */
int mmc_xs_open(struct mmc_xs **out);
void mmc_xs_close(struct mmc_xs *x); /* NULL is fine */

/* One atomic write of MM_XS_REPORT with the formatted report. */
int mmc_xs_write_report(struct mmc_xs *x, const struct mm_report *r);
/* The 2013 nodes MM_XS_LEGACY_FREE and MM_XS_LEGACY_TOT, in one transaction. */
int mmc_xs_write_legacy(struct mmc_xs *x, const struct mm_report *r);
/* Any bytes to any path (relative or absolute): for tests and tools. */
int mmc_xs_write_raw(struct mmc_xs *x, const char *path, const void *buf, size_t len);

/* True when err (from a write above) means the connection is gone and must
 * be reopened, rather than a refusal such as -EACCES. */
bool mmc_xs_lost(int err);

#endif
