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

char *mm_log_quote(char *out, size_t outlen, const char *raw, size_t rawlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (outlen < 3) {
		if (outlen)
			out[0] = '\0';
		return out;
	}
	out[o++] = '"';
	for (size_t i = 0; i < rawlen; i++) {
		unsigned char c = (unsigned char)raw[i];
		char esc[4];
		size_t n = 0;
		if (c == '"' || c == '\\')
			esc[n++] = '\\', esc[n++] = (char)c;
		else if (c < 0x20 || c > 0x7e)
			esc[n++] = '\\', esc[n++] = 'x', esc[n++] = hex[c >> 4],
			esc[n++] = hex[c & 15];
		else
			esc[n++] = (char)c;
		if (o + n + 2 > outlen)
			break;
		for (size_t k = 0; k < n; k++)
			out[o++] = esc[k];
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* The last line of defence: whatever a caller formatted, no control byte
 * reaches the log (a newline would start a forged line). */
static void defuse(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
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
		defuse(rest);
	}
	if (to_syslog)
		syslog(prio[level], "level=%s msg=%s%s%s", names[level], msg, *rest ? " " : "",
		       rest);
	else
		fprintf(stderr, "level=%s msg=%s%s%s\n", names[level], msg, *rest ? " " : "", rest);
}
