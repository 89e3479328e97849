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
		fprintf(stderr, "mmclient level=%s ", names[prio & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
