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

int mmc_sample_read(const char *proc_root, const char *sys_root, struct mmc_sample *out)
{
	static char buf[MMC_FILE_MAX]; /* one sample at a time: no stack blowup */
	long n;

	memset(out, 0, sizeof(*out));
	n = read_rel(proc_root, "meminfo", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (mmc_meminfo_parse(buf, (size_t)n, &out->mem))
		return -EINVAL;
	n = read_rel(proc_root, "vmstat", buf, sizeof(buf));
	if (n < 0 || mmc_vmstat_parse(buf, (size_t)n, &out->vm))
		memset(&out->vm, 0, sizeof(out->vm));
	n = read_rel(proc_root, "pressure/memory", buf, sizeof(buf));
	out->has_psi = n >= 0 && mmc_psi_parse(buf, (size_t)n, &out->psi_some10_centi) == 0;
	n = read_rel(sys_root, MMC_BALLOON_REL, buf, sizeof(buf));
	out->has_balloon = n >= 0 && mmc_balloon_parse(buf, (size_t)n, &out->balloon_cur_kib) == 0;
	return 0;
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
