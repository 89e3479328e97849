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

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_table)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
