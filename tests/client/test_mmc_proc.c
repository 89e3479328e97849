/* Table-driven tests of the /proc parsers over buffers: valid, boundary,
 * missing fields and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "mmc_proc.h"

struct mcase {
	const char *name, *in;
	int rc;
	uint64_t total, free, cached, avail;
	bool has_cached, has_avail, has_swap;
};

static const struct mcase mcases[] = {
    {"full",
     "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 500 kB\nCached: 200 kB\n"
     "SwapTotal: 50 kB\nSwapFree: 40 kB\n",
     0, 1000, 100, 200, 500, true, true, true},
    {"minimal", "MemTotal: 1000 kB\nMemFree: 100 kB\n", 0, 1000, 100, 0, 0, false, false, false},
    {"no trailing newline", "MemTotal: 1000 kB\nMemFree: 100 kB", 0, 1000, 100, 0, 0, false, false,
     false},
    {"no kB unit", "MemTotal: 1000\nMemFree: 100\n", 0, 1000, 100, 0, 0, false, false, false},
    {"unknown lines skipped",
     "Foo: bar\nMemTotal: 1000 kB\nweird line\nMemFree: 100 kB\n"
     "HugePages_Total: 0\n",
     0, 1000, 100, 0, 0, false, false, false},
    {"one swap line only", "MemTotal: 1000 kB\nMemFree: 100 kB\nSwapTotal: 5 kB\n", 0, 1000, 100, 0,
     0, false, false, false},
    {"empty", "", -EINVAL, 0, 0, 0, 0, false, false, false},
    {"missing MemFree", "MemTotal: 1000 kB\n", -EINVAL, 0, 0, 0, 0, false, false, false},
    {"missing MemTotal", "MemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false, false, false},
    {"zero MemTotal", "MemTotal: 0 kB\nMemFree: 0 kB\n", -EINVAL, 0, 0, 0, 0, false, false, false},
    {"garbage value", "MemTotal: lots kB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false, false,
     false},
    {"negative", "MemTotal: -1000 kB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false, false, false},
    {"wrong unit", "MemTotal: 1000 MB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false, false,
     false},
    {"trailing junk", "MemTotal: 1000 kB x\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false, false,
     false},
    {"duplicate", "MemTotal: 1000 kB\nMemTotal: 1000 kB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0,
     false, false, false},
    {"overflow", "MemTotal: 99999999999999999999999 kB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0,
     false, false, false},
    {"above 1 PiB", "MemTotal: 1099511627777 kB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false,
     false, false},
    {"empty value", "MemTotal: kB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false, false, false},
    {"NUL inside", "MemTotal: 10\0000 kB\nMemFree: 100 kB\n", -EINVAL, 0, 0, 0, 0, false, false,
     false},
};

static size_t case_len(const struct mcase *c)
{
	/* "NUL inside" must keep its embedded NUL: measure up to the last line */
	if (strcmp(c->name, "NUL inside") == 0)
		return sizeof("MemTotal: 10\0000 kB\nMemFree: 100 kB\n") - 1;
	return strlen(c->in);
}

static void test_meminfo_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		const struct mcase *c = &mcases[i];
		struct mmc_meminfo m;
		int rc = mmc_meminfo_parse(c->in, case_len(c), &m);

		print_message("meminfo case: %s\n", c->name);
		assert_int_equal(rc, c->rc);
		if (rc)
			continue;
		assert_int_equal(m.total_kib, c->total);
		assert_int_equal(m.free_kib, c->free);
		assert_int_equal(m.cached_kib, c->cached);
		assert_int_equal(m.avail_kib, c->avail);
		assert_int_equal(m.has_cached, c->has_cached);
		assert_int_equal(m.has_avail, c->has_avail);
		assert_int_equal(m.has_swap, c->has_swap);
	}
}

struct vcase {
	const char *name, *in;
	int rc;
	bool complete;
	uint64_t in_, out_, maj;
};

static const struct vcase vcases[] = {
    {"all three", "nr_free_pages 5\npswpin 1\npswpout 2\npgmajfault 3\n", 0, true, 1, 2, 3},
    {"no pgmajfault", "pswpin 1\npswpout 2\n", 0, false, 1, 2, 0},
    {"empty", "", 0, false, 0, 0, 0},
    {"prefix name not matched", "pswpin_x 9\npswpin 1\npswpout 2\npgmajfault 3", 0, true, 1, 2, 3},
    {"garbage", "pswpin x\npswpout 2\npgmajfault 3\n", -EINVAL, false, 0, 0, 0},
    {"two spaces", "pswpin  1\npswpout 2\npgmajfault 3\n", -EINVAL, false, 0, 0, 0},
    {"duplicate", "pswpin 1\npswpin 1\npswpout 2\npgmajfault 3\n", -EINVAL, false, 0, 0, 0},
    {"above 2^62", "pswpin 4611686018427387905\npswpout 2\npgmajfault 3\n", -EINVAL, false, 0, 0,
     0},
};

static void test_vmstat_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *c = &vcases[i];
		struct mmc_vmstat v;

		print_message("vmstat case: %s\n", c->name);
		assert_int_equal(mmc_vmstat_parse(c->in, strlen(c->in), &v), c->rc);
		if (c->rc)
			continue;
		assert_int_equal(v.complete, c->complete);
		assert_int_equal(v.pswpin, c->in_);
		assert_int_equal(v.pswpout, c->out_);
		assert_int_equal(v.pgmajfault, c->maj);
	}
}

struct pcase {
	const char *in;
	int rc;
	uint32_t centi;
};

static const struct pcase pcases[] = {
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 "
     "avg300=0.00 total=0\n",
     0, 0},
    {"some avg10=1.25 avg60=0.40 avg300=0.08 total=123456\n", 0, 125},
    {"some avg10=100.00 avg60=0 avg300=0 total=0", 0, 10000},
    {"some avg10=100.01 avg60=0 avg300=0 total=0", -EINVAL, 0},
    {"some avg10=1.255 avg60=0 avg300=0 total=0", -EINVAL, 0},
    {"some avg10=-1.00 avg60=0 avg300=0 total=0", -EINVAL, 0},
    {"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 0},
    {"some avg10=0.00", -EINVAL, 0},
    {"", -EINVAL, 0},
    {"garbage", -EINVAL, 0},
};

static void test_psi_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		uint32_t v = 99;

		print_message("psi case: %s\n", pcases[i].in);
		assert_int_equal(mmc_psi_parse(pcases[i].in, strlen(pcases[i].in), &v),
		                 pcases[i].rc);
		assert_int_equal(v, pcases[i].centi);
	}
}

static void test_balloon(void **state)
{
	uint64_t kib;

	(void)state;
	assert_int_equal(mmc_balloon_parse("1048576\n", 8, &kib), 0);
	assert_int_equal(kib, 1048576);
	assert_int_equal(mmc_balloon_parse("1048576", 7, &kib), 0);
	assert_int_equal(kib, 1048576);
	assert_int_equal(mmc_balloon_parse("", 0, &kib), -EINVAL);
	assert_int_equal(mmc_balloon_parse("\n", 1, &kib), -EINVAL);
	assert_int_equal(mmc_balloon_parse("12 kB\n", 6, &kib), -EINVAL);
	assert_int_equal(mmc_balloon_parse("12\n\n", 4, &kib), -EINVAL);
	assert_int_equal(kib, 0);
}

static void test_read_file(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(mmc_read_file(MMC_TEST_DATA "/nonexistent", buf, sizeof(buf)), -ENOENT);
	/* meminfo is far bigger than 16 bytes */
	assert_int_equal(mmc_read_file(MMC_TEST_DATA "/proc-6.1/meminfo", buf, sizeof(buf)),
	                 -EFBIG);
	assert_int_equal(mmc_read_file(MMC_TEST_DATA
	                               "/sys-6.1/devices/system/xen_memory/xen_memory0/info/"
	                               "current_kb",
	                               buf, sizeof(buf)),
	                 8);
	assert_string_equal(buf, "1048576\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_meminfo_table), cmocka_unit_test(test_vmstat_table),
	    cmocka_unit_test(test_psi_table),     cmocka_unit_test(test_balloon),
	    cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
