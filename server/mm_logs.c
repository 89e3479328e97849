/* Data log files. Domain names come from Xen (or a scenario) and may hold
 * characters unfit for a file name: those become '_'. */
#include "mm_logs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define DOM_HEADER                                                                                 \
	"time_ms\tdomid\ttarget_kib\tactual_kib\ttot_kib\tfree_kib\tused_kib\t"                    \
	"swap_used_kib\ttau\treason\n"
#define ROUNDS_HEADER                                                                              \
	"time_ms\tn\tpool_kib\thost_free_kib\ttau\tpolicy\tround_cost_us\t"                        \
	"writes\tdecision_us\tlog_cost_us\n"

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

int mm_logs_open_domain(struct mm_logs *l, const char *name, uint32_t domid, uint64_t now_ms)
{
	char safe[MM_NAME_MAX], path[4200], line[64];
	const char *text;
	struct stat st;
	size_t i;
	int fd, n;

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
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_size == 0) {
		text = DOM_HEADER;
		n = (int)strlen(DOM_HEADER);
	} else {
		text = line;
		n = snprintf(line, sizeof(line), "# restart time_ms=%llu\n",
		             (unsigned long long)now_ms);
	}
	if (write(fd, text, (size_t)n) != n) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* tau with six decimals, as %.6f gave; anything outside [0, 1e12) (never a
 * tax rate) goes through snprintf. */
static char *put_fixed6(char *p, double x)
{
	uint64_t micro, frac;

	if (!(x >= 0 && x < 1e12))
		return p + snprintf(p, 32, "%.6f", x);
	micro = (uint64_t)(x * 1e6 + 0.5);
	p = put_u64(p, micro / 1000000);
	*p++ = '.';
	frac = micro % 1000000;
	for (uint64_t d = 100000; d; d /= 10)
		*p++ = (char)('0' + (frac / d) % 10);
	return p;
}

size_t mm_logs_format_row(char *buf, uint64_t time_ms, const struct mm_round_dom *d, double tau)
{
	const uint64_t cols[] = {
	    time_ms,           d->domid,           d->target_kib, d->actual_kib,
	    d->report.tot_kib, d->report.free_kib, d->used_kib,   d->report.swap_used_kib};
	const char *reason = mm_reason_name(d->reason);
	char *p = buf;

	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		p = put_u64(p, cols[k]);
		*p++ = '\t';
	}
	p = put_fixed6(p, tau);
	*p++ = '\t';
	memcpy(p, reason, strlen(reason)); /* names are short and fixed */
	p += strlen(reason);
	*p++ = '\n';
	return (size_t)(p - buf);
}

size_t mm_logs_round(struct mm_logs *l, const struct mm_round *r, const int *dom_fds)
{
	char row[MM_LOGS_ROW_MAX];
	size_t failed = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < r->n; i++) {
		size_t len;
		if (dom_fds[i] < 0)
			continue;
		len = mm_logs_format_row(row, r->time_ms, &r->dom[i], r->tau);
		if (write(dom_fds[i], row, len) != (ssize_t)len)
			failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	l->last_cost_us =
	    (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000L);
	if (l->rounds) {
		fprintf(l->rounds, "%llu\t%zu\t%llu\t%llu\t%.6f\t%s\t%llu\t%llu\t%llu\t%llu\n",
		        (unsigned long long)r->time_ms, r->n, (unsigned long long)r->pool_kib,
		        (unsigned long long)r->host_free_kib, r->tau, r->policy,
		        (unsigned long long)r->cost_us, (unsigned long long)r->writes,
		        (unsigned long long)r->decision_us, (unsigned long long)l->last_cost_us);
		fflush(l->rounds);
	}
	return failed;
}

void mm_logs_close(struct mm_logs *l)
{
	if (l->rounds)
		fclose(l->rounds);
	l->rounds = NULL;
}
