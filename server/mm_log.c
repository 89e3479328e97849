/* One line per event, key=value, so scripts parse them without regexes. */
#include "mm_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static bool to_syslog;
static enum mm_log_level max_level = MM_LOG_INFO;

void mm_log_init(const char *ident, bool use_syslog, enum mm_log_level level)
{
	to_syslog = use_syslog;
	max_level = level;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void mm_log(enum mm_log_level level, const char *msg, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char rest[512] = "";
	va_list ap;

	if (level > max_level)
		return;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(rest, sizeof(rest), fmt, ap);
		va_end(ap);
	}
	if (to_syslog)
		syslog(prio[level], "level=%s msg=%s%s%s", names[level], msg, *rest ? " " : "",
		       rest);
	else
		fprintf(stderr, "level=%s msg=%s%s%s\n", names[level], msg, *rest ? " " : "", rest);
}
