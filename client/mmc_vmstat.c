/* /proc/vmstat parser: "name value" lines. Only pswpin, pswpout and
 * pgmajfault are read; a kernel without one of them yields an incomplete
 * result (not an error), garbage in one of them is an error. */
#include "mmc_proc.h"

#include <errno.h>
#include <string.h>

#include "mm_parse.h"
#include "mm_report.h"

static const char *const names[3] = {"pswpin", "pswpout", "pgmajfault"};

static int take_line(const char *line, size_t len, uint64_t vals[3], unsigned *seen)
{
	const char *sp = memchr(line, ' ', len);
	size_t klen;

	if (!sp)
		return 0;
	klen = (size_t)(sp - line);
	for (unsigned i = 0; i < 3; i++) {
		if (strlen(names[i]) != klen || memcmp(names[i], line, klen) != 0)
			continue;
		if (*seen & (1u << i))
			return -EINVAL;
		*seen |= 1u << i;
		if (mm_parse_u64_n(sp + 1, len - klen - 1, MM_REPORT_MAX_COUNT, &vals[i]))
			return -EINVAL;
	}
	return 0;
}

int mmc_vmstat_parse(const char *buf, size_t len, struct mmc_vmstat *out)
{
	uint64_t vals[3] = {0};
	unsigned seen = 0;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		if (take_line(buf + pos, llen, vals, &seen))
			return -EINVAL;
		pos += llen + 1;
	}
	out->pswpin = vals[0];
	out->pswpout = vals[1];
	out->pgmajfault = vals[2];
	out->complete = seen == 7u;
	return 0;
}
