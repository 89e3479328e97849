/* The pure parsers behind live control and the monitor, table-driven:
 * console commands (mc_ctl_parse) and memcached "stats" replies
 * (mc_mon_parse, mc_mon_rate). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mc_ctl.h"
#include "mc_monstat.h"

struct ccase {
	const char *line;
	int rc;
	enum mc_ctl_op op;
	uint32_t n;
	double rate;
	const char *why; /* a substring of the reason, for errors */
};

static const struct ccase ccases[] = {
    {"add 4", 0, MC_CTL_ADD, 4, 0, NULL},
    {"  remove 2\r\n", 0, MC_CTL_REMOVE, 2, 0, NULL},
    {"rate 30000", 0, MC_CTL_RATE, 0, 30000, NULL},
    {"rate 0", 0, MC_CTL_RATE, 0, 0, NULL},
    {"pause", 0, MC_CTL_PAUSE, 0, 0, NULL},
    {"resume", 0, MC_CTL_RESUME, 0, 0, NULL},
    {"stop", 0, MC_CTL_STOP, 0, 0, NULL},
    {"status", 0, MC_CTL_STATUS, 0, 0, NULL},
    {"help", 0, MC_CTL_HELP, 0, 0, NULL},
    {"", 0, MC_CTL_NONE, 0, 0, NULL},
    {"   ", 0, MC_CTL_NONE, 0, 0, NULL},
    {"add", -EINVAL, 0, 0, 0, "takes one count"},
    {"add 0", -EINVAL, 0, 0, 0, "not a count"},
    {"add -1", -EINVAL, 0, 0, 0, "not a count"},
    {"add 4097", -EINVAL, 0, 0, 0, "not a count"},
    {"add 4 5", -EINVAL, 0, 0, 0, "takes one count"},
    {"rate 2e4", -EINVAL, 0, 0, 0, "not a whole number"},
    {"rate", -EINVAL, 0, 0, 0, "takes one rate"},
    {"pause now", -EINVAL, 0, 0, 0, "takes no argument"},
    {"PAUSE", -EINVAL, 0, 0, 0, "unknown command 'PAUSE'"},
    {"rm -rf /", -EINVAL, 0, 0, 0, "unknown command"},
};

static void test_ctl_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		const struct ccase *c = &ccases[i];
		struct mc_ctl_msg m;
		char why[200] = "";
		int rc = mc_ctl_parse(c->line, &m, why, sizeof(why));
		if (rc != c->rc)
			fail_msg("'%s': rc %d, want %d (%s)", c->line, rc, c->rc, why);
		if (rc == 0 && (m.op != c->op || m.n != c->n || m.rate_per_s != c->rate))
			fail_msg("'%s': op %u n %u rate %g", c->line, m.op, m.n, m.rate_per_s);
		if (c->why && !strstr(why, c->why))
			fail_msg("'%s': reason '%s' lacks '%s'", c->line, why, c->why);
	}
	{
		char big[300], why[64];
		struct mc_ctl_msg m;
		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(mc_ctl_parse(big, &m, why, sizeof(why)), -EINVAL);
	}
	assert_string_equal(mc_ctl_name(MC_CTL_RATE), "rate");
}

#define STATS_OK                                                                                   \
	"STAT pid 1\r\nSTAT cmd_get 100\r\nSTAT cmd_set 20\r\nSTAT get_hits 90\r\n"                \
	"STAT get_misses 10\r\nSTAT evictions 0\r\nSTAT bytes_read 5000\r\n"                       \
	"STAT bytes_written 9000\r\nSTAT curr_connections 7\r\nSTAT curr_items 42\r\n"             \
	"STAT bytes 4200\r\nSTAT version 1.6.18\r\nEND\r\n"

static void test_mon_parse(void **state)
{
	struct mc_mon_sample a, b;
	const char *later = "STAT cmd_get 300\r\nSTAT cmd_set 20\r\nSTAT get_hits 280\r\n"
	                    "STAT get_misses 20\r\nSTAT evictions 5\r\nSTAT bytes_read 5000\r\n"
	                    "STAT bytes_written 9000\r\nSTAT curr_connections 9\r\n"
	                    "STAT curr_items 40\r\nSTAT bytes 4000\r\nEND\r\n";

	(void)state;
	assert_int_equal(mc_mon_parse(STATS_OK, strlen(STATS_OK), &a), 0);
	assert_int_equal(a.v[MC_MON_CMD_GET], 100);
	assert_int_equal(a.v[MC_MON_CURR_CONNECTIONS], 7);
	assert_int_equal(mc_mon_parse(later, strlen(later), &b), 0);
	/* 2 s apart: counters become rates, levels are b's */
	assert_true(mc_mon_rate(&a, &b, MC_MON_CMD_GET, 2000000000u) == 100.0);
	assert_true(mc_mon_rate(&a, &b, MC_MON_EVICTIONS, 2000000000u) == 2.5);
	assert_true(mc_mon_rate(&a, &b, MC_MON_CURR_CONNECTIONS, 2000000000u) == 9.0);
	/* a restarted server (counters went down) gives 0, not a huge number */
	assert_true(mc_mon_rate(&b, &a, MC_MON_CMD_GET, 1000000000u) == 0.0);
	assert_true(mc_mon_rate(&a, &b, MC_MON_CMD_GET, 0) == 0.0);
}

static void test_mon_parse_garbage(void **state)
{
	const char *bad[] = {
	    "",
	    "STAT cmd_get 1\r\n",                           /* no END */
	    "STAT cmd_get x\r\nEND\r\n",                    /* not a number */
	    "STAT cmd_get 1\nEND\r\n",                      /* bare LF */
	    "ERROR\r\n",                                    /* not stats */
	    "STAT cmd_get 1\r\nEND\r\n",                    /* fields missing */
	    "STATcmd_get 1\r\nEND\r\n",                     /* no space */
	    "STAT cmd_get 99999999999999999999\r\nEND\r\n", /* overflow */
	};
	struct mc_mon_sample s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mc_mon_parse(bad[i], strlen(bad[i]), &s) == 0)
			fail_msg("accepted: '%s'", bad[i]);
	assert_int_equal(mc_mon_parse("STAT cmd_get 1\r\nEND\r\n", 21, &s), -ENODATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_ctl_parse),
	                                   cmocka_unit_test(test_mon_parse),
	                                   cmocka_unit_test(test_mon_parse_garbage)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
