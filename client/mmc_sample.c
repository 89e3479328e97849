/* Reading one sample from the kernel files, and building the report from
 * it. The only I/O is mmc_read_file; the build step is pure. */
#include "mmc_sample.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static long read_rel(const char *root, const char *rel, char *buf, size_t cap)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return mmc_read_file(path, buf, cap);
}

static char sample_buf[MMC_FILE_MAX]; /* one sample at a time: keeps the stack small */

int mmc_sample_read_mem(const char *proc_root, struct mmc_sample *out)
{
	long n;

	memset(out, 0, sizeof(*out));
	n = read_rel(proc_root, "meminfo", sample_buf, sizeof(sample_buf));
	if (n < 0)
		return (int)n;
	return mmc_meminfo_parse(sample_buf, (size_t)n, &out->mem) ? -EINVAL : 0;
}

void mmc_sample_read_rest(const char *proc_root, const char *sys_root, struct mmc_sample *out)
{
	char *buf = sample_buf;
	long n = read_rel(proc_root, "vmstat", buf, sizeof(sample_buf));

	if (n < 0 || mmc_vmstat_parse(buf, (size_t)n, &out->vm))
		memset(&out->vm, 0, sizeof(out->vm));
	n = read_rel(proc_root, "pressure/memory", buf, sizeof(sample_buf));
	out->has_psi = n >= 0 && mmc_psi_parse(buf, (size_t)n, &out->psi_some10_centi) == 0;
	n = read_rel(sys_root, MMC_BALLOON_REL, buf, sizeof(sample_buf));
	out->has_balloon = n >= 0 && mmc_balloon_parse(buf, (size_t)n, &out->balloon_cur_kib) == 0;
}

int mmc_sample_read(const char *proc_root, const char *sys_root, struct mmc_sample *out)
{
	int rc = mmc_sample_read_mem(proc_root, out);

	if (rc == 0)
		mmc_sample_read_rest(proc_root, sys_root, out);
	return rc;
}

void mmc_report_build(const struct mmc_sample *s, uint64_t seq, struct mm_report *r)
{
	const struct mmc_meminfo *m = &s->mem;
	uint64_t free_kib = m->free_kib + m->cached_kib;

	memset(r, 0, sizeof(*r));
	r->has = MM_REPORT_HAS_SEQ;
	r->seq = seq;
	r->tot_kib = m->total_kib;
	r->free_kib = free_kib < m->total_kib ? free_kib : m->total_kib;
	if (m->has_avail && m->avail_kib <= m->total_kib) {
		r->has |= MM_REPORT_HAS_AVAIL;
		r->avail_kib = m->avail_kib;
	}
	if (m->has_cached) {
		r->has |= MM_REPORT_HAS_CACHED;
		r->cached_kib = m->cached_kib;
	}
	if (m->has_swap) {
		r->has |= MM_REPORT_HAS_SWAP;
		r->swap_total_kib = m->swap_total_kib;
		r->swap_used_kib =
		    m->swap_free_kib < m->swap_total_kib ? m->swap_total_kib - m->swap_free_kib : 0;
	}
	if (s->vm.complete) {
		r->has |= MM_REPORT_HAS_VMSTAT;
		r->pswpin = s->vm.pswpin;
		r->pswpout = s->vm.pswpout;
		r->pgmajfault = s->vm.pgmajfault;
	}
	if (s->has_psi) {
		r->has |= MM_REPORT_HAS_PSI;
		r->psi_some10_centi = s->psi_some10_centi;
	}
	if (s->has_balloon) {
		r->has |= MM_REPORT_HAS_BALLOON;
		r->balloon_cur_kib = s->balloon_cur_kib;
	}
}
