/* mmclient's main loop: sample every check interval, publish when due,
 * reopen xenstore with backoff when it is unreachable. */
#ifndef MMC_LOOP_H
#define MMC_LOOP_H

#include <signal.h>

#include "mmc_opts.h"

/* Backoff between xenstore connection attempts: 100 ms doubling to 10 s. */
#define MMC_BACKOFF_MIN_MS 100
#define MMC_BACKOFF_MAX_MS 10000

/* Runs until *stop is set (returns MMC_EXIT_OK), or once with --once.
 * Returns an MMC_EXIT_* code. */
int mmc_run(const struct mmc_opts *o, volatile sig_atomic_t *stop);

#endif
