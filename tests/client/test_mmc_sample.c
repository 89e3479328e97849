/* Reading fake /proc and /sys trees (data/ and ones generated here) and
 * building the report from them, checked against the exact report text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mm_report.h"
#include "mmc_sample.h"

static void expect_report(const char *proc, const char *sys, const char *want)
{
	struct mmc_sample s;
	struct mm_report r, back;
	char line[MM_REPORT_MAX_BYTES + 1];
	int n;

	assert_int_equal(mmc_sample_read(proc, sys, &s), 0);
	mmc_report_build(&s, 7, &r);
	n = mm_report_format(&r, line, sizeof(line));
	assert_true(n > 0);
	assert_string_equal(line, want);
	/* what the client writes, the server's strict parser accepts */
	assert_int_equal(mm_report_parse(line, (size_t)n, &back, NULL), 0);
	assert_memory_equal(&back, &r, sizeof(r));
}

static void test_linux_6_1(void **state)
{
	(void)state;
	/* free = MemFree 80212 + Cached 250112; swap_used = 1048572 - 1040000 */
	expect_report(MMC_TEST_DATA "/proc-6.1", MMC_TEST_DATA "/sys-6.1",
	              "v=1 seq=7 tot=1015808 free=330324 avail=351220 cached=250112 "
	              "swap_total=1048572 swap_used=8572 pswpin=17 pswpout=42 pgmajfault=311 "
	              "psi_some10=1.25 balloon_cur=1048576");
}

static void test_old_kernel_no_psi(void **state)
{
	(void)state;
	/* 3.10-era: no MemAvailable, no swap lines, no pgmajfault, no PSI, no balloon */
	expect_report(MMC_TEST_DATA "/proc-3.10", MMC_TEST_DATA "/nonexistent-sys",
	              "v=1 seq=7 tot=1015808 free=330324 cached=250112");
}

static void test_garbage_meminfo(void **state)
{
	struct mmc_sample s;

	(void)state;
	assert_int_equal(mmc_sample_read(MMC_TEST_DATA "/proc-garbage", "/nonexistent", &s),
	                 -EINVAL);
	assert_int_equal(mmc_sample_read(MMC_TEST_DATA "/nonexistent", "/nonexistent", &s),
	                 -ENOENT);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Garbage in an optional file drops that part only. */
static void test_generated_garbage_optional(void **state)
{
	char dir[] = "/tmp/mmc_sample_XXXXXX", sub[600];
	struct mmc_sample s;
	struct mm_report r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/pressure", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put_file(dir, "meminfo", "MemTotal: 2000 kB\nMemFree: 1500 kB\nCached: 900 kB\n");
	put_file(dir, "vmstat", "pswpin nope\npswpout 1\npgmajfault 2\n");
	put_file(dir, "pressure/memory", "some avg10=abc avg60=0 avg300=0 total=0\n");
	assert_int_equal(mmc_sample_read(dir, dir, &s), 0);
	mmc_report_build(&s, 1, &r);
	/* MemFree + Cached = 2400 > MemTotal: capped so the report stays valid */
	assert_int_equal(r.free_kib, 2000);
	assert_int_equal(r.has, MM_REPORT_HAS_SEQ | MM_REPORT_HAS_CACHED);
	snprintf(sub, sizeof(sub), "%s/pressure/memory", dir);
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/pressure", dir);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/meminfo", dir);
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/vmstat", dir);
	unlink(sub);
	assert_int_equal(rmdir(dir), 0);
}

static void test_swap_free_above_total(void **state)
{
	struct mmc_sample s;
	struct mm_report r;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.mem = (struct mmc_meminfo){.total_kib = 1000,
	                             .free_kib = 10,
	                             .swap_total_kib = 5,
	                             .swap_free_kib = 9,
	                             .has_swap = true};
	mmc_report_build(&s, 3, &r);
	assert_int_equal(r.swap_used_kib, 0);
	assert_int_equal(r.seq, 3);
	assert_int_equal(mm_report_used_kib(&r), 990);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_linux_6_1),
	    cmocka_unit_test(test_old_kernel_no_psi),
	    cmocka_unit_test(test_garbage_meminfo),
	    cmocka_unit_test(test_generated_garbage_optional),
	    cmocka_unit_test(test_swap_free_above_total),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
