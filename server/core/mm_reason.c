/* Names of the reason codes, as they appear in logs and JSON. */
#include "mm_core.h"

const char *mm_reason_name(enum mm_reason r)
{
	static const char *const names[MM_REASON_COUNT] = {
	    [MM_REASON_HOLD] = "hold",           [MM_REASON_GROW] = "grow",
	    [MM_REASON_SHRINK] = "shrink",       [MM_REASON_MAXMEM] = "maxmem",
	    [MM_REASON_FLOOR] = "floor",         [MM_REASON_POOL] = "pool",
	    [MM_REASON_RESERVE] = "reserve",     [MM_REASON_DEADBAND] = "deadband",
	    [MM_REASON_STALE] = "stale",         [MM_REASON_STUCK] = "stuck",
	    [MM_REASON_NO_REPORT] = "no_report", [MM_REASON_OUT_OF_SCOPE] = "out_of_scope",
	    [MM_REASON_WAIT] = "wait",           [MM_REASON_PRESSURE] = "pressure",
	    [MM_REASON_HARM] = "harm",           [MM_REASON_RATE] = "rate",
	};
	return (unsigned)r < MM_REASON_COUNT ? names[r] : "unknown";
}
