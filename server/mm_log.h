/* Diagnostic log lines for mmserver: "level=... msg=... key=value", to
 * stderr (default) or syslog. Not the per-domain data logs (mm_logs.h). */
#ifndef MM_LOG_H
#define MM_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum mm_log_level { MM_LOG_ERR, MM_LOG_WARN, MM_LOG_INFO, MM_LOG_DEBUG };

void mm_log_init(const char *ident, bool use_syslog, enum mm_log_level max_level);

/* fmt continues the line after "level=L msg=MSG": e.g. "domid=%u rc=%d". */
void mm_log(enum mm_log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Quotes bytes that came from outside (a guest's report key, a domain name)
 * for a log value: "..." with \" and \\ escaped and every byte outside
 * printable ASCII as \xNN, so no input can end the line or fake a key.
 * Truncates to fit out (always terminated); returns out. */
char *mm_log_quote(char *out, size_t outlen, const char *raw, size_t rawlen);

#endif
