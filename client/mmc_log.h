/* mmclient logging: key=value lines to syslog (daemon facility) or stderr.
 * Nothing else in the client prints. */
#ifndef MMC_LOG_H
#define MMC_LOG_H

#include <stdbool.h>
#include <syslog.h>

void mmc_log_init(bool use_syslog, bool verbose);
void mmc_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
