/* Table tests of the scenario loader's guest list ("count" expansion): the
 * cases fuzz_scenario found, and their valid neighbours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mm_scenario.h"

#define HEAD                                                                                       \
	"{\"host\": {\"memory\": \"16G\", \"dom0\": \"1G\"}, \"defaults\": {\"memory\": "          \
	"\"1G\", \"workload\": \"static 100M\"}, \"guests\": "

static void test_count(void **state)
{
	static const struct {
		const char *guests;
		size_t n; /* 0: refused */
		const char *last_name;
	} cases[] = {
	    {"[{\"name\": \"a\"}]", 1, "a"},
	    {"[{\"name\": \"vm%d\", \"count\": 3}]", 3, "vm3"},
	    {"[{\"name\": \"a\"}, {\"name\": \"b%d\", \"count\": 2}]", 3, "b3"},
	    {"[{\"name\": \"vm%d\", \"count\": \"random 50M 1400M\"}]", 0,
	     NULL}, /* fuzz_scenario */
	    {"[{\"name\": \"vm%d\", \"count\": \"3\"}]", 0, NULL},
	    {"[{\"name\": \"vm%d\", \"count\": 2.5}]", 0, NULL},
	    {"[{\"name\": \"vm%d\", \"count\": null}]", 0, NULL},
	    {"[{\"name\": \"vm%d\", \"count\": 0}]", 0, NULL},
	    {"[{\"name\": \"vm%d\", \"count\": -1}]", 0, NULL},
	    {"[{\"name\": \"vm%d\", \"count\": 1001}]", 0, NULL},
	    {"[]", 0, NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char json[512], err[256] = "";
		struct mm_scenario sc;
		snprintf(json, sizeof(json), HEAD "%s}", cases[i].guests);
		int rc = mm_scenario_parse(json, ".", &sc, err, sizeof(err));
		print_message("%s -> rc=%d %s\n", cases[i].guests, rc, err);
		if (cases[i].n == 0) {
			assert_int_not_equal(rc, 0);
			assert_non_null(strstr(err, "guests"));
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(sc.n, cases[i].n);
		for (size_t k = 0; k < sc.n; k++)
			assert_true(sc.guests[k].name[0] != '\0' && sc.guests[k].memory_kib > 0);
		assert_string_equal(sc.guests[sc.n - 1].name, cases[i].last_name);
		mm_scenario_free(&sc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
