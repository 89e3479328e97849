/* Helpers shared by the Xen-path benches (bench_util.h). */
#include "bench_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void bench_nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

uint64_t bench_report_used_kib(struct mmd *d, unsigned id)
{
	char path[64], buf[600], *t, *f;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/report", id);
	if (mmd_read_as(d, 0, path, buf, sizeof(buf)))
		return 0;
	t = strstr(buf, " tot=");
	f = strstr(buf, " free=");
	if (!t || !f)
		return 0;
	return strtoull(t + 5, NULL, 10) - strtoull(f + 6, NULL, 10);
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}
