/* See mmc_log.h. LOG_DEBUG lines appear only with --verbose. */
#include "mmc_log.h"

#include <stdarg.h>
#include <stdio.h>

static bool log_syslog;
static bool log_verbose;

void mmc_log_init(bool use_syslog, bool verbose)
{
	log_syslog = use_syslog;
	log_verbose = verbose;
	if (use_syslog)
		openlog("mmclient", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void mmc_log(int prio, const char *fmt, ...)
{
	static const char *const names[] = {"emerg",   "alert",  "crit", "err",
	                                    "warning", "notice", "info", "debug"};
	va_list ap;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		/* one write per line, so lines of several clients never interleave */
		char line[1024];
		int n = snprintf(line, sizeof(line), "mmclient level=%s ", names[prio & 7]);

		if (n > 0 && (size_t)n < sizeof(line))
			vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	}
	va_end(ap);
}
