/* mmclient's command line: defaults, each flag, and bad values that must
 * exit 2 naming the flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "mmc_opts.h"

static int parse(struct mmc_opts *o, const char *a1, const char *a2, const char *a3)
{
	/* getopt wants char **: copy the literals into writable storage */
	static char store[4][64];
	const char *in[4] = {"mmclient", a1, a2, a3};
	char *argv[5] = {NULL};
	int argc = 0;

	for (int i = 0; i < 4 && (i == 0 || in[i]); i++) {
		snprintf(store[i], sizeof(store[i]), "%s", in[i]);
		argv[argc++] = store[i];
	}
	return mmc_opts_parse(argc, argv, o);
}

static void test_defaults(void **state)
{
	struct mmc_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL, NULL, NULL), -1);
	assert_int_equal(o.interval_ms, 1000);
	assert_int_equal(o.check_ms, 100);
	assert_int_equal(o.threshold_kib, 16384);
	assert_string_equal(o.proc_root, "/proc");
	assert_false(o.foreground);
	assert_true(o.use_syslog);
	assert_false(o.legacy);
}

static void test_flags(void **state)
{
	struct mmc_opts o;

	(void)state;
	assert_int_equal(parse(&o, "--interval", "50", "-f"), -1);
	assert_int_equal(o.interval_ms, 50);
	assert_int_equal(o.check_ms, 50); /* never checks less often than it reports */
	assert_true(o.foreground);
	assert_false(o.use_syslog);
	assert_int_equal(parse(&o, "-t", "32M", "--legacy"), -1);
	assert_int_equal(o.threshold_kib, 32768);
	assert_true(o.legacy);
	assert_int_equal(parse(&o, "--once", "--proc", "/x"), -1);
	assert_true(o.once);
	assert_true(o.foreground);
	assert_string_equal(o.proc_root, "/x");
	assert_int_equal(parse(&o, "-f", "--syslog", NULL), -1);
	assert_true(o.use_syslog);
}

static void test_bad(void **state)
{
	struct mmc_opts o;

	(void)state;
	assert_int_equal(parse(&o, "--interval", "9", NULL), MMC_EXIT_USAGE);
	assert_int_equal(parse(&o, "--interval", "1s", NULL), MMC_EXIT_USAGE);
	assert_int_equal(parse(&o, "--interval", "3600001", NULL), MMC_EXIT_USAGE);
	assert_int_equal(parse(&o, "-t", "100", NULL), MMC_EXIT_USAGE); /* probably meant MiB */
	assert_int_equal(parse(&o, "--bogus", NULL, NULL), MMC_EXIT_USAGE);
	assert_int_equal(parse(&o, "extra", NULL, NULL), MMC_EXIT_USAGE);
	assert_int_equal(parse(&o, "--version", NULL, NULL), MMC_EXIT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
