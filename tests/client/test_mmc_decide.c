/* Pacing of mmclient's reports: interval, the used-memory threshold, the
 * first report and a clock that goes backwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmc_decide.h"

struct dcase {
	const char *name;
	bool written;
	uint64_t last_ms, last_used, now_ms, used;
	bool due;
};

/* interval 1000 ms, threshold 16384 KiB */
static const struct dcase cases[] = {
    {"first report", false, 0, 0, 5, 100, true},
    {"nothing changed", true, 1000, 500000, 1100, 500000, false},
    {"interval reached", true, 1000, 500000, 2000, 500000, true},
    {"just before interval", true, 1000, 500000, 1999, 500000, false},
    {"grew exactly threshold", true, 1000, 500000, 1100, 516384, false},
    {"grew past threshold", true, 1000, 500000, 1100, 516385, true},
    {"shrank past threshold", true, 1000, 500000, 1100, 483615, true},
    {"shrank exactly threshold", true, 1000, 500000, 1100, 483616, false},
    {"clock went back", true, 5000, 500000, 4000, 500000, true},
};

static void test_table(void **state)
{
	const struct mmc_pace p = {1000, 16384};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dcase *c = &cases[i];
		struct mmc_last last = {c->written, c->last_ms, c->last_used};

		print_message("decide case: %s\n", c->name);
		assert_int_equal(mmc_report_due(&p, &last, c->now_ms, c->used), c->due);
	}
}

struct rcase {
	const char *name;
	bool written;
	uint64_t last_ms, now_ms, free_read, free_now;
	bool pressure, read;
};

/* interval 1000 ms, threshold 16384 KiB: read meminfo when free memory moved
 * by 8192 KiB or more, on the heartbeat, under pressure, before the first. */
static const struct rcase rcases[] = {
    {"first check", false, 0, 5, 0, 900000, false, true},
    {"quiet", true, 1000, 1100, 900000, 899000, false, false},
    {"free fell by half the threshold", true, 1000, 1100, 900000, 891808, false, true},
    {"free fell just under half", true, 1000, 1100, 900000, 891809, false, false},
    {"free rose by half the threshold", true, 1000, 1100, 900000, 908192, false, true},
    {"heartbeat due", true, 1000, 2000, 900000, 900000, false, true},
    {"pressure signalled", true, 1000, 1100, 900000, 900000, true, true},
    {"clock went back", true, 5000, 4000, 900000, 900000, false, true},
};

static void test_worth_reading(void **state)
{
	const struct mmc_pace p = {1000, 16384};

	(void)state;
	for (size_t i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		const struct rcase *c = &rcases[i];
		struct mmc_last last = {c->written, c->last_ms, 0};

		print_message("read case: %s\n", c->name);
		assert_int_equal(mmc_meminfo_worth_reading(&p, &last, c->now_ms, c->free_now,
		                                           c->free_read, c->pressure),
		                 c->read);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_table),
	                                   cmocka_unit_test(test_worth_reading)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
