/* Data log files. Domain names come from Xen (or a scenario) and may hold
 * characters unfit for a file name: those become '_'. */
#include "mm_logs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DOM_HEADER                                                                                 \
	"time_ms\tdomid\ttarget_kib\tactual_kib\ttot_kib\tfree_kib\tused_kib\t"                    \
	"swap_used_kib\ttau\treason\n"
#define ROUNDS_HEADER                                                                              \
	"time_ms\tn\tpool_kib\thost_free_kib\ttau\tpolicy\tround_cost_us\t"                        \
	"writes\n"

int mm_logs_default_dir(const char *base, long unix_s, char *out, size_t len)
{
	char prefix[16];
	time_t t = (time_t)unix_s;
	struct tm tm;
	struct dirent *e;
	DIR *d;
	long k = 0;

	localtime_r(&t, &tm);
	/* two-digit year on purpose: the 2013 tool's directory names */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-y2k"
	strftime(prefix, sizeof(prefix), "%y-%m-%d_", &tm);
#pragma GCC diagnostic pop
	d = opendir(base);
	while (d && (e = readdir(d))) {
		char *end;
		long v;
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		v = strtol(e->d_name + strlen(prefix), &end, 10);
		if (*end == '\0' && v > k)
			k = v;
	}
	if (d)
		closedir(d);
	return snprintf(out, len, "%s/%s%ld", base, prefix, k + 1) < (int)len ? 0 : -ENAMETOOLONG;
}

static FILE *open_with_header(const char *path, const char *header, uint64_t now_ms)
{
	FILE *f = fopen(path, "a");

	if (!f)
		return NULL;
	if (ftell(f) == 0)
		fputs(header, f);
	else
		fprintf(f, "# restart time_ms=%llu\n", (unsigned long long)now_ms);
	fflush(f);
	return f;
}

int mm_logs_open(struct mm_logs *l, const char *dir, uint64_t now_ms)
{
	memset(l, 0, sizeof(*l));
	if (strlen(dir) >= sizeof(l->dir))
		return -ENAMETOOLONG;
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return mm_logs_reopen(l, now_ms);
}

int mm_logs_reopen(struct mm_logs *l, uint64_t now_ms)
{
	char path[4200];

	if (l->rounds)
		fclose(l->rounds);
	snprintf(path, sizeof(path), "%s/rounds.tsv", l->dir);
	l->rounds = open_with_header(path, ROUNDS_HEADER, now_ms);
	return l->rounds ? 0 : -errno;
}

FILE *mm_logs_open_domain(struct mm_logs *l, const char *name, uint32_t domid, uint64_t now_ms)
{
	char safe[MM_NAME_MAX], path[4200];
	size_t i;

	for (i = 0; name[i] && i < sizeof(safe) - 1; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '-' || c == '_' || (c == '.' && i > 0);
		safe[i] = ok ? c : '_';
	}
	safe[i] = '\0';
	if (i == 0)
		snprintf(safe, sizeof(safe), "domain-%u", domid);
	snprintf(path, sizeof(path), "%s/%s.log", l->dir, safe);
	return open_with_header(path, DOM_HEADER, now_ms);
}

void mm_logs_round(struct mm_logs *l, const struct mm_round *r, FILE *const *dom_files)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct mm_round_dom *d = &r->dom[i];
		FILE *f = dom_files[i];
		if (!f)
			continue;
		fprintf(f, "%llu\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%.6f\t%s\n",
		        (unsigned long long)r->time_ms, d->domid, (unsigned long long)d->target_kib,
		        (unsigned long long)d->actual_kib, (unsigned long long)d->report.tot_kib,
		        (unsigned long long)d->report.free_kib, (unsigned long long)d->used_kib,
		        (unsigned long long)d->report.swap_used_kib, r->tau,
		        mm_reason_name(d->reason));
		fflush(f);
	}
	if (l->rounds) {
		fprintf(l->rounds, "%llu\t%zu\t%llu\t%llu\t%.6f\t%s\t%llu\t%llu\n",
		        (unsigned long long)r->time_ms, r->n, (unsigned long long)r->pool_kib,
		        (unsigned long long)r->host_free_kib, r->tau, r->policy,
		        (unsigned long long)r->cost_us, (unsigned long long)r->writes);
		fflush(l->rounds);
	}
}

void mm_logs_close(struct mm_logs *l)
{
	if (l->rounds)
		fclose(l->rounds);
	l->rounds = NULL;
}
