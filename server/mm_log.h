/* Diagnostic log lines for mmserver: "level=... msg=... key=value", to
 * stderr (default) or syslog. Not the per-domain data logs (mm_logs.h). */
#ifndef MM_LOG_H
#define MM_LOG_H

#include <stdbool.h>

enum mm_log_level { MM_LOG_ERR, MM_LOG_WARN, MM_LOG_INFO, MM_LOG_DEBUG };

void mm_log_init(const char *ident, bool use_syslog, enum mm_log_level max_level);

/* fmt continues the line after "level=L msg=MSG": e.g. "domid=%u rc=%d". */
void mm_log(enum mm_log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
